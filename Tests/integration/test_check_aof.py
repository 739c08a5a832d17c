"""cairn-check-aof against redis-check-aof: the same output, exit status and file contents afterwards, for
sound, truncated and malformed files, --fix, --truncate-to-timestamp and multi-part directories."""
import os
import shutil
import subprocess

import pytest

from conftest import CAIRN_SERVER

CHECK = os.path.join(os.path.dirname(CAIRN_SERVER), "cairn-check-aof")
GOOD = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
SET_B = b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"

CASES = {
    "good": GOOD,
    "empty": b"",
    "truncated_bulk": GOOD + b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nab",
    "truncated_header": GOOD + b"*3\r\n$3\r\nSE",
    "garbage": GOOD + b"xyz\r\n",
    "open_multi": GOOD + b"*1\r\n$5\r\nMULTI\r\n" + SET_B,
    "closed_multi": GOOD + b"*1\r\n$5\r\nMULTI\r\n" + SET_B + b"*1\r\n$4\r\nEXEC\r\n",
    "nested_multi": b"*1\r\n$5\r\nMULTI\r\n*1\r\n$5\r\nMULTI\r\n",
    "lone_exec": b"*1\r\n$4\r\nEXEC\r\n",
    "bad_prefix": b"*1\r\n#4\r\nEXEC\r\n",
    "bad_crlf_after_bulk": b"*1\r\n$4\r\nEXECxx",
    "bad_count_line": b"*1x\r\n$4\r\nEXEC\r\n",
    "annotations": b"#TS:100\r\n" + GOOD + b"#anything\r\n" + SET_B,
}


def run(tool, path, *flags, stdin=None):
    """Runs a checker from the file's directory on its bare name, so both tools print the same names."""
    path = os.fspath(path)
    p = subprocess.run([tool, *flags, os.path.basename(path)], capture_output=True, input=stdin,
                       cwd=os.path.dirname(path) or ".")
    return p.returncode, p.stdout


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("flags, answer", [((), None), (("--fix",), b"y\n"), (("--fix",), b"n\n"),
                                           (("--truncate-to-timestamp", "50"), None)])
def test_same_verdict_as_redis_check_aof(tmp_path, name, flags, answer):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    (ours / "appendonly.aof").write_bytes(CASES[name])
    (theirs / "appendonly.aof").write_bytes(CASES[name])
    got = run(CHECK, ours / "appendonly.aof", *flags, stdin=answer)
    want = run("redis-check-aof", theirs / "appendonly.aof", *flags, stdin=answer)
    assert got == want
    assert (ours / "appendonly.aof").read_bytes() == (theirs / "appendonly.aof").read_bytes()


def test_truncate_to_timestamp(tmp_path):
    data = GOOD + b"#TS:100\r\n" + SET_B + b"#TS:200\r\n" + SET_B
    for ts in ["50", "150", "250"]:
        for tool, d in [(CHECK, "ours"), ("redis-check-aof", "theirs")]:
            (tmp_path / d).mkdir(exist_ok=True)
            (tmp_path / d / "a.aof").write_bytes(data)
        assert run(CHECK, tmp_path / "ours" / "a.aof", "--truncate-to-timestamp", ts) == \
            run("redis-check-aof", tmp_path / "theirs" / "a.aof", "--truncate-to-timestamp", ts)
        assert (tmp_path / "ours" / "a.aof").read_bytes() == (tmp_path / "theirs" / "a.aof").read_bytes()


@pytest.mark.parametrize("incr", [GOOD, GOOD + b"*3\r\n$3\r\nSET", b""])
def test_multi_part_directory(tmp_path, incr):
    for d in ["ours", "theirs"]:
        p = tmp_path / d / "appendonlydir"
        p.mkdir(parents=True)
        (p / "appendonly.aof.manifest").write_bytes(
            b"file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
            b"file appendonly.aof.2.incr.aof seq 2 type i\n")
        (p / "appendonly.aof.1.base.aof").write_bytes(GOOD)
        (p / "appendonly.aof.1.incr.aof").write_bytes(SET_B)
        (p / "appendonly.aof.2.incr.aof").write_bytes(incr)
    for flags, answer in [((), None), (("--fix",), b"y\n")]:
        got = run(CHECK, tmp_path / "ours" / "appendonlydir" / "appendonly.aof.manifest", *flags, stdin=answer)
        want = run("redis-check-aof", tmp_path / "theirs" / "appendonlydir" / "appendonly.aof.manifest", *flags, stdin=answer)
        assert got == want


def test_bad_usage_and_missing_file(tmp_path):
    assert subprocess.run([CHECK, "--bogus", "x"], capture_output=True).returncode == 1
    assert subprocess.run([CHECK], capture_output=True).returncode == 1
    code, out = run(CHECK, tmp_path / "missing.aof")
    assert code == 1 and b"Cannot open file" in out


def test_fix_with_yes_flag_needs_no_prompt(tmp_path):
    f = tmp_path / "a.aof"
    f.write_bytes(GOOD + b"*3\r\n$3\r\nSET")
    code, out = run(CHECK, f, "--fix", "--yes")
    assert code == 0 and b"Successfully truncated AOF a.aof" in out
    assert f.read_bytes() == GOOD

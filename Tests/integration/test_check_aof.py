"""cairn-check-aof against redis-check-aof: the same output, exit status and file contents afterwards, for
sound, truncated and malformed files, --fix, --truncate-to-timestamp and multi-part directories."""
import os
import shutil
import subprocess
from pathlib import Path

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


def load_with_redis(tmp_path, d, name="redis-load"):
    """Starts Debian's redis-server on the AOF directory `d`; returns {db: {key: type}} or raises if it refused."""
    from conftest import REDIS_SERVER, RedisProcess
    r = RedisProcess(name, REDIS_SERVER, d.parent, extra_args=["--appendonly", "yes", "--appenddirname", d.name])
    r.start()
    try:
        c = r.client()
        found = {}
        for db in range(16):
            c.execute_command("SELECT", db)
            keys = c.keys("*")
            if keys:
                found[db] = {k: c.type(k) for k in keys}
        return found
    finally:
        r.stop()


@pytest.mark.parametrize("cut", [1, 17, 40, 0.5, 0.9])
def test_fix_truncated_incr_makes_directory_loadable_by_redis(tmp_path, cut):
    src = Path(__file__).resolve().parents[2] / "Fixtures" / "aof" / "redis7-rdb-preamble" / "appendonlydir"
    dirs = {}
    for who in ["ours", "theirs"]:
        d = tmp_path / who / "appendonlydir"
        shutil.copytree(src, d)
        incr = d / "appendonly.aof.2.incr.aof"
        data = incr.read_bytes()
        incr.write_bytes(data[:-cut] if isinstance(cut, int) else data[:int(len(data) * cut)])
        dirs[who] = d
    manifest = "appendonly.aof.manifest"
    code, out = run(CHECK, dirs["ours"] / manifest)
    assert code == 1 and b"--fix" in out
    got = run(CHECK, dirs["ours"] / manifest, "--fix", "--yes")
    want = run("redis-check-aof", dirs["theirs"] / manifest, "--fix", stdin=b"y\n")
    assert got[0] == want[0] == 0
    assert (dirs["ours"] / "appendonly.aof.2.incr.aof").read_bytes() == (dirs["theirs"] / "appendonly.aof.2.incr.aof").read_bytes()
    assert run(CHECK, dirs["ours"] / manifest)[0] == 0
    loaded = load_with_redis(tmp_path, dirs["ours"])
    assert loaded[0][b"bighash"] == b"hash" and loaded[7] == {b"db7": b"string"}


def test_truncate_to_timestamp_in_a_multi_part_directory(tmp_path):
    """A directory written by redis-server with aof-timestamp-enabled: both tools cut the incr file at the same
    #TS annotation, and redis-server then loads only what came before it."""
    from conftest import REDIS_SERVER, RedisProcess
    import time
    base = tmp_path / "made"
    r = RedisProcess("redis-ts", REDIS_SERVER, base, extra_args=["--appendonly", "yes", "--aof-timestamp-enabled", "yes"])
    r.start()
    try:
        c = r.client()
        c.set("first", "1")
        time.sleep(1.1)
        c.set("second", "2")
        time.sleep(1.1)
        c.set("third", "3")
    finally:
        r.stop()
    incr = next(p for p in (base / "appendonlydir").iterdir() if p.name.endswith(".incr.aof"))
    stamps = [int(line[4:]) for line in incr.read_bytes().split(b"\r\n") if line.startswith(b"#TS:")]
    assert len(stamps) >= 2
    for who in ["ours", "theirs"]:
        shutil.copytree(base / "appendonlydir", tmp_path / who / "appendonlydir")
    ts = str(stamps[-2])
    manifest = "appendonlydir/appendonly.aof.manifest"
    got = run(CHECK, tmp_path / "ours" / manifest, "--truncate-to-timestamp", ts)
    want = run("redis-check-aof", tmp_path / "theirs" / manifest, "--truncate-to-timestamp", ts)
    assert got == want and got[0] == 0
    for p in (tmp_path / "ours" / "appendonlydir").iterdir():
        assert p.read_bytes() == (tmp_path / "theirs" / "appendonlydir" / p.name).read_bytes()
    loaded = load_with_redis(tmp_path, tmp_path / "ours" / "appendonlydir")
    assert b"third" not in loaded.get(0, {}) and b"first" in loaded[0]

"""The append-only file: Redis 7's multi-part directory written by Cairn, loaded back by Cairn and by the real
redis-server (and checked by redis-check-aof); Redis's directory loaded by Cairn; byte-identical incremental
files for the same commands; truncated tails; bad manifests; the legacy single-file upgrade."""
import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import CAIRN_SERVER, REDIS_SERVER, RedisProcess
from cairn_helpers import RawConn

WRITES = """
SET a 1 EX 1000
SET b 2
RPUSH l x y z
LPOP l
SADD s m1 m2 m3
SPOP s
INCRBYFLOAT f 2.5
HSET h f1 v1 f2 v2
HINCRBYFLOAT h f3 1.25
ZADD z 1 a 2 b 3 c
ZPOPMIN z
EXPIRE b 5000
SELECT 3
SET other db
SELECT 0
MULTI
INCR counter
INCR counter
EXEC
SETBIT bits 7 1
PFADD hll a b c
DEL a
"""


def run_script(port, text):
    with RawConn(port) as c:
        for line in text.strip().splitlines():
            c.cmd(*line.split())


def digest(port):
    with RawConn(port) as c:
        return c.cmd("DEBUG", "DIGEST")


def aof_dir(server):
    return server.dir / "appendonlydir"


def incr_files_after(script, cairn_factory, tmp_path):
    """The incremental AOF files Cairn and Redis write for the same script, from empty."""
    s = cairn_factory("--appendonly", "yes")
    run_script(s.port, script)
    s.stop()
    r = RedisProcess("redis-aof", REDIS_SERVER, tmp_path / "redis", extra_args=["--appendonly", "yes"])
    r.start()
    try:
        run_script(r.port, script)
    finally:
        r.stop()
    return ((aof_dir(s) / "appendonly.aof.1.incr.aof").read_bytes(),
            (tmp_path / "redis" / "appendonlydir" / "appendonly.aof.1.incr.aof").read_bytes())


def check_directory(d):
    """Both checkers find the directory sound."""
    for tool in ["redis-check-aof", os.path.join(os.path.dirname(CAIRN_SERVER), "cairn-check-aof")]:
        check = subprocess.run([tool, str(d / "appendonly.aof.manifest")], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        assert check.stdout.endswith("All AOF files and manifest are valid\n")


def assert_redis_loads(d, tmp_path, want):
    """A copy of the directory loads in the real redis-server to the digest `want`."""
    ref_dir = tmp_path / "redis"
    ref_dir.mkdir()
    shutil.copytree(d, ref_dir / "appendonlydir")
    r = RedisProcess("redis-aof", REDIS_SERVER, ref_dir, extra_args=["--appendonly", "yes"])
    r.start()
    try:
        assert digest(r.port) == want
    finally:
        r.stop()


# Bases as RDB (the default; version 10 so that Redis 7.0 reads them) or as RESP commands.
BASES = [pytest.param(["--rdb-version", "10"], "rdb", id="rdb-base"),
         pytest.param(["--aof-use-rdb-preamble", "no"], "aof", id="resp-base")]


@pytest.mark.parametrize("base_args, ext", BASES)
def test_cairn_writes_a_directory_redis_loads(cairn_factory, tmp_path, base_args, ext):
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always", *base_args)
    run_script(s.port, WRITES)
    want = digest(s.port)
    assert want != b"$40\r\n" + b"0" * 40 + b"\r\n"
    s.stop()
    d = aof_dir(s)
    assert sorted(os.listdir(d)) == [f"appendonly.aof.1.base.{ext}", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"]
    assert (d / "appendonly.aof.manifest").read_bytes() == (
        f"file appendonly.aof.1.base.{ext} seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n".encode())
    check_directory(d)
    s.start()                                       # Cairn reloads its own directory
    assert digest(s.port) == want
    s.stop()
    assert_redis_loads(d, tmp_path, want)


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_cairn_loads_a_directory_redis_wrote(cairn_factory, tmp_path, preamble):
    ref_dir = tmp_path / "redis"
    r = RedisProcess("redis-aof", REDIS_SERVER, ref_dir,
                     extra_args=["--appendonly", "yes", "--aof-use-rdb-preamble", preamble])
    r.start()
    try:
        run_script(r.port, WRITES)
        want = digest(r.port)
        with RawConn(r.port) as c:
            c.cmd("BGREWRITEAOF")                   # a RESP base holding the dataset, then more writes
            time.sleep(1)
            c.cmd("SET", "after", "rewrite")
            c.cmd("DEL", "after")
    finally:
        r.stop()
    s = cairn_factory("--appendonly", "yes", start=False)
    shutil.copytree(ref_dir / "appendonlydir", aof_dir(s))
    s.start()
    assert digest(s.port) == want


def test_incremental_file_matches_redis_byte_for_byte(cairn_factory, tmp_path):
    script = """
SET k v
RPUSH l a b c
RPOP l
SADD s x
GETSET k w
GETDEL k
SELECT 5
HSET h a 1
SELECT 0
MULTI
LPUSH l q
LPUSH l r
EXEC
MULTI
SET only one
EXEC
FLUSHDB
"""
    ours, theirs = incr_files_after(script, cairn_factory, tmp_path)
    assert ours == theirs


def test_pipelined_bursts_reach_the_file_whole_and_in_order(cairn_factory):
    """The loop hands the writer the memory each turn's commands were encoded in, and the writer writes many
    such buffers with one writev: a pipelined burst spanning many turns comes back from the file in order,
    every command once. The writer thread is named for ps and perf."""
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "no")
    names = [open(f"/proc/{s.proc.pid}/task/{t}/comm").read().strip() for t in os.listdir(f"/proc/{s.proc.pid}/task")]
    assert "aof-writer" in names
    with RawConn(s.port) as c:
        for burst in range(20):
            c.send(b"".join(f"*3\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n${len(str(i))}\r\n{i}\r\n".encode()
                            for i in range(burst * 500, burst * 500 + 500)))
            for i in range(500):
                assert c.read_reply() == f":{burst * 500 + i + 1}\r\n".encode()
    s.stop()
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("LLEN", "list") == b":10000\r\n"
        assert c.cmd("LINDEX", "list", "0") == b"$1\r\n0\r\n"
        assert c.cmd("LINDEX", "list", "9999") == b"$4\r\n9999\r\n"
        assert c.cmd("LINDEX", "list", "5000") == b"$4\r\n5000\r\n"


def start_unless_load_truncated_is_off(s):
    """A server whose last AOF file ends inside a record: refused with aof-load-truncated no, then started with
    the default (yes)."""
    s.extra_args += ["--aof-load-truncated", "no"]
    assert "Unexpected end of file reading the append only file" in s.start_refused()
    s.extra_args = s.extra_args[:-2]
    s.start()


def test_truncated_tail_is_cut_back_or_refused(cairn_factory):
    s = cairn_factory("--appendonly", "yes")
    run_script(s.port, "SET a 1\nSET b 2")
    s.stop()
    incr = aof_dir(s) / "appendonly.aof.1.incr.aof"
    whole = incr.read_bytes()
    incr.write_bytes(whole + b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nab")
    start_unless_load_truncated_is_off(s)
    with RawConn(s.port) as c:
        assert c.cmd("MGET", "a", "b", "c") == b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n"
        c.cmd("SET", "d", "4")
    s.stop()
    assert incr.read_bytes().startswith(whole) and b"ab" not in incr.read_bytes()
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("GET", "d") == b"$1\r\n4\r\n"


def test_open_transaction_at_the_end_is_dropped(cairn_factory):
    s = cairn_factory("--appendonly", "yes")
    run_script(s.port, "SET a 1")
    s.stop()
    incr = aof_dir(s) / "appendonly.aof.1.incr.aof"
    incr.write_bytes(incr.read_bytes() + b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n")
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("MGET", "a", "b") == b"*2\r\n$1\r\n1\r\n$-1\r\n"


@pytest.mark.parametrize("manifest, message", [
    (b"", "Found an empty AOF manifest"),
    (b"file a seq 1 type b", "too long line"),
    (b"file a seq 1\n", "Invalid AOF manifest file format"),
    (b"file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information"),
    (b"file a seq 2 type i\nfile b seq 1 type i\n", "Found a non-monotonic sequence number"),
    (b"file x/a seq 1 type b\n", "File can't be a path, just a filename"),
    (b"file missing.aof seq 1 type i\n", "can't open the append log file"),
])
def test_bad_manifest_stops_startup(cairn_factory, manifest, message):
    s = cairn_factory("--appendonly", "yes", start=False)
    d = aof_dir(s)
    d.mkdir(parents=True)
    (d / "appendonly.aof.manifest").write_bytes(manifest)
    with pytest.raises(RuntimeError):
        s.start()
    assert message in s.log_tail()


def test_unknown_command_and_garbage_stop_startup(cairn_factory):
    s = cairn_factory("--appendonly", "yes")
    s.stop()
    incr = aof_dir(s) / "appendonly.aof.1.incr.aof"
    incr.write_bytes(b"*1\r\n$7\r\nNOTACMD\r\n")
    with pytest.raises(RuntimeError):
        s.start()
    assert "Unknown command 'NOTACMD' reading the append only file" in s.log_tail()
    incr.write_bytes(b"garbage\r\n")
    with pytest.raises(RuntimeError):
        s.start()
    assert "Bad file format reading the append only file" in s.log_tail()


def test_legacy_single_file_is_moved_into_the_directory(cairn_factory):
    s = cairn_factory("--appendonly", "yes", start=False)
    s.dir.mkdir(parents=True, exist_ok=True)
    (s.dir / "appendonly.aof").write_bytes(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$3\r\nyes\r\n")
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("GET", "old") == b"$3\r\nyes\r\n"
    s.stop()
    assert not (s.dir / "appendonly.aof").exists()
    assert (aof_dir(s) / "appendonly.aof.manifest").read_bytes().startswith(b"file appendonly.aof seq 1 type b\n")


def test_always_policy_acknowledges_after_sync(cairn_factory):
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always")
    with RawConn(s.port) as c:
        for i in range(200):
            assert c.cmd("INCR", "n") == f":{i + 1}\r\n".encode()
        # A pipeline of writes and reads comes back whole and in order.
        c.send(b"".join(b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*2\r\n$3\r\nGET\r\n$1\r\nn\r\n" for _ in range(50)))
        for i in range(50):
            assert c.read_reply() == f":{201 + i}\r\n".encode()
            assert c.read_reply() == f"$3\r\n{201 + i}\r\n".encode()
    s.kill()                                            # no clean shutdown: what was acknowledged is on disk
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("GET", "n") == b"$3\r\n250\r\n"


def info_field(port, name):
    with RawConn(port) as c:
        text = c.cmd("INFO", "persistence").decode()
    for line in text.split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None


def wait_rewrite_done(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if info_field(port, "aof_rewrite_in_progress") == "0":
            return
        time.sleep(0.02)
    raise AssertionError("rewrite did not finish")


@pytest.mark.parametrize("base_args, ext", BASES)
def test_bgrewriteaof_installs_a_new_base(cairn_factory, tmp_path, base_args, ext):
    s = cairn_factory("--appendonly", "yes", *base_args)
    run_script(s.port, WRITES)
    with RawConn(s.port) as c:
        c.cmd("RPUSH", "big", *[f"e{i}" for i in range(300)])   # more than one RPUSH of 64
        c.cmd("ZADD", "zs", "1.5", "x", "-inf", "y", "inf", "z")
        assert c.cmd("BGREWRITEAOF") == b"+Background append only file rewriting started\r\n"
        c.cmd("SET", "during", "rewrite")
    wait_rewrite_done(s.port)
    with RawConn(s.port) as c:
        c.cmd("SET", "after", "rewrite")
    want = digest(s.port)
    assert info_field(s.port, "aof_rewrites") == "1"
    assert info_field(s.port, "aof_last_bgrewrite_status") == "ok"
    s.stop()
    d = aof_dir(s)
    assert sorted(os.listdir(d)) == [f"appendonly.aof.2.base.{ext}", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]
    assert (d / "appendonly.aof.manifest").read_bytes() == (
        f"file appendonly.aof.2.base.{ext} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n".encode())
    check_directory(d)
    s.start()
    assert digest(s.port) == want
    s.stop()
    assert_redis_loads(d, tmp_path, want)


def test_appendonly_switched_on_and_off_at_runtime(cairn_factory):
    s = cairn_factory()
    run_script(s.port, WRITES)
    with RawConn(s.port) as c:
        assert c.cmd("CONFIG", "SET", "appendonly", "yes") == b"+OK\r\n"
        c.cmd("SET", "while", "enabling")
    wait_rewrite_done(s.port)
    with RawConn(s.port) as c:
        c.cmd("SET", "once", "enabled")
        assert info_field(s.port, "aof_enabled") == "1"
    want = digest(s.port)
    s.stop()
    s.extra_args += ["--appendonly", "yes"]
    s.start()
    assert digest(s.port) == want
    with RawConn(s.port) as c:
        assert c.cmd("CONFIG", "SET", "appendonly", "no") == b"+OK\r\n"
        c.cmd("SET", "not", "logged")
        assert info_field(s.port, "aof_enabled") == "0"
    s.stop()
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("EXISTS", "not") == b":0\r\n"
        assert c.cmd("EXISTS", "once") == b":1\r\n"


def test_automatic_rewrite_on_growth(cairn_factory):
    s = cairn_factory("--appendonly", "yes", "--auto-aof-rewrite-min-size", "10kb",
                      "--auto-aof-rewrite-percentage", "100")
    with RawConn(s.port) as c:
        for i in range(400):
            c.cmd("SET", "k", "x" * 100)
    deadline = time.time() + 10
    while info_field(s.port, "aof_rewrites") == "0" and time.time() < deadline:
        time.sleep(0.05)
    assert info_field(s.port, "aof_rewrites") != "0"
    wait_rewrite_done(s.port)
    with RawConn(s.port) as c:
        assert c.cmd("GET", "k") == b"$100\r\n" + b"x" * 100 + b"\r\n"
    assert int(info_field(s.port, "aof_current_size")) < 10 * 1024


def test_kill_during_rewrites_always_leaves_a_loadable_directory(cairn_factory):
    """kill -9 at varying moments while rewrites and writes run: every restart loads a consistent state
    holding every acknowledged INCR (appendfsync always)."""
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always", "--rdb-version", "10")
    with RawConn(s.port) as c:
        c.cmd("RPUSH", "bulk", *[f"v{i}" for i in range(2000)])
    acknowledged = 0
    for round_ in range(8):
        with RawConn(s.port) as c:
            c.cmd("BGREWRITEAOF")
            for _ in range(20 + round_ * 7):
                reply = c.cmd("INCR", "n")
                acknowledged = int(reply[1:-2])
        s.kill()
        s.start()
        with RawConn(s.port) as c:
            got = c.cmd("GET", "n")
            assert int(got.split(b"\r\n")[1]) == acknowledged
            assert c.cmd("LLEN", "bulk") == b":2000\r\n"
    check_directory(aof_dir(s))


def test_timestamp_annotations(cairn_factory):
    s = cairn_factory("--appendonly", "yes", "--aof-timestamp-enabled", "yes")
    with RawConn(s.port) as c:
        c.cmd("SET", "a", "1")
        time.sleep(1.1)
        c.cmd("SET", "b", "2")
    s.stop()
    incr = aof_dir(s) / "appendonly.aof.1.incr.aof"
    data = incr.read_bytes()
    stamps = [line for line in data.split(b"\r\n") if line.startswith(b"#TS:")]
    assert len(stamps) == 2
    first = int(stamps[0][4:])
    check = subprocess.run(["redis-check-aof", "--truncate-to-timestamp", str(first), str(incr)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("MGET", "a", "b") == b"*2\r\n$1\r\n1\r\n$-1\r\n"


def test_write_errors_refuse_writes_with_misconf(cairn_factory):
    s = cairn_factory()
    d = aof_dir(s)
    d.mkdir()
    os.symlink("/dev/full", d / "temp-appendonly.aof.incr")
    with RawConn(s.port) as c:
        assert c.cmd("CONFIG", "SET", "appendonly", "yes") == b"+OK\r\n"
        c.cmd("SET", "x", "1")
        deadline = time.time() + 5
        reply = b""
        while time.time() < deadline:
            reply = c.cmd("SET", "y", "2")
            if reply.startswith(b"-MISCONF"):
                break
            time.sleep(0.05)
        assert reply == b"-MISCONF Errors writing to the AOF file: No space left on device\r\n"
        assert c.cmd("GET", "x") == b"$1\r\n1\r\n"          # reads keep working
        assert info_field(s.port, "aof_last_write_status") == "err"


FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "..", "shared", "fixtures")


def test_legacy_file_with_rdb_preamble(cairn_factory):
    """Valkey's rdb-preamble.aof (an RDB followed by RESP records) as an old single-file AOF: a symlink to the
    fixture is moved into the directory, so the fixture itself is only read."""
    fixture = os.path.realpath(os.path.join(FIXTURES, "valkey-assets", "rdb-preamble.aof"))
    s = cairn_factory("--appendonly", "yes", start=False)
    s.dir.mkdir(parents=True, exist_ok=True)
    os.symlink(fixture, s.dir / "appendonly.aof")
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("DBSIZE") != b":0\r\n"
    r = RedisProcess("redis-aof", REDIS_SERVER, s.dir.parent / "ref-preamble", extra_args=["--appendonly", "yes"])
    r.dir.mkdir(parents=True, exist_ok=True)
    os.symlink(fixture, r.dir / "appendonly.aof")
    r.start()
    try:
        assert digest(s.port) == digest(r.port)
    finally:
        r.stop()


def test_bit_flips_in_the_middle_never_crash(cairn_factory):
    """Damage inside an incr file (not a clean tail) stops startup with the file, the offset and the way to
    repair it, whatever byte is hit; the server never crashes."""
    s = cairn_factory("--appendonly", "yes", "--aof-use-rdb-preamble", "no")
    run_script(s.port, WRITES)
    s.stop()
    incr = aof_dir(s) / "appendonly.aof.1.incr.aof"
    whole = incr.read_bytes()
    import random
    rng = random.Random(7)
    for _ in range(12):
        data = bytearray(whole)
        i = rng.randrange(len(data) // 4, len(data) * 3 // 4)
        data[i] ^= 1 << rng.randrange(8)
        incr.write_bytes(bytes(data))
        try:
            s.start(timeout=5)
        except RuntimeError:
            assert s.proc.returncode == 1, "startup must fail cleanly, not crash"
            tail = s.log_tail()
            assert ("Bad file format reading the append only file" in tail and "cairn-check-aof --fix" in tail) \
                or "Unknown command" in tail or "short read" in tail or "Unexpected end of file" in tail, tail
        else:
            s.stop()    # the flip landed in a value: still well-formed, loads
        incr.write_bytes(whole)


@pytest.mark.parametrize("policy", ["always", "everysec"])
def test_acknowledged_writes_survive_kill(cairn_factory, policy):
    """16 clients write unique keys; kill -9 mid-load; every acknowledged write is there after restart
    (always). With everysec the loss is reported, bounded by about two seconds of writes."""
    import threading
    s = cairn_factory("--appendonly", "yes", "--appendfsync", policy)
    lost_total = 0
    for trial in range(20 if policy == "always" else 3):
        acked = [[] for _ in range(16)]
        stop = threading.Event()

        def writer(n):
            try:
                with RawConn(s.port, timeout=5) as c:
                    i = 0
                    while not stop.is_set():
                        key = f"t{trial}:c{n}:{i}"
                        if c.cmd("SET", key, "v") != b"+OK\r\n":
                            return
                        acked[n].append(key)
                        i += 1
            except Exception:
                pass

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        s.kill()
        stop.set()
        for t in threads:
            t.join()
        s.start()
        keys = [k for per in acked for k in per]
        assert keys, "no write was acknowledged"
        with RawConn(s.port) as c:
            present = 0
            for i in range(0, len(keys), 500):
                reply = c.cmd("EXISTS", *keys[i:i + 500])
                present += int(reply[1:-2])
        lost = len(keys) - present
        lost_total += lost
        if policy == "always":
            assert lost == 0, f"trial {trial}: {lost} acknowledged writes lost"
    print(f"appendfsync {policy}: {lost_total} acknowledged writes lost")


REPO_FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "Fixtures", "aof")


@pytest.mark.parametrize("name", ["redis7-rdb-preamble", "redis7-resp"])
def test_fixture_directories_from_redis_load(cairn_factory, name):
    """Directories Debian's redis-server wrote (tools/make-fixtures) load with the digest Valkey 8 reports for
    them (Redis 7.0's own digest text differs only in how it prints sorted-set scores); a copy is used because
    the server deletes history files and appends to the last incr file."""
    src = os.path.join(REPO_FIXTURES, name)
    want = open(os.path.join(src, "digest-valkey8.txt")).read().strip()
    s = cairn_factory("--appendonly", "yes", start=False)
    shutil.copytree(os.path.join(src, "appendonlydir"), aof_dir(s))
    s.start()
    assert digest(s.port) == f"+{want}\r\n".encode()
    check_directory(aof_dir(s))


STREAM_WRITES = """
CONFIG SET stream-node-max-entries 2
XADD s 1-1 a 1
XADD s 1-* b 2
XADD s 2-5 c 3 d 4
XADD s MAXLEN ~ 2 3-0 e 5
XADD s * f 6
XTRIM s MAXLEN ~ 1
XTRIM s MAXLEN 4
XDEL s 2-5 9-9
XADD t 1-0 a 1
XADD t 2-0 a 1
XADD t 3-0 a 1
XADD t 4-0 a 1
XADD t 5-0 a 1
XDEL t 3-0
XTRIM t MINID ~ 4-0
XADD t MAXLEN ~ 1 6-0 a 1
XADD t MINID ~ 6 LIMIT 1 7-0 a 1
XGROUP CREATE s g 0
XGROUP CREATE s g2 $ ENTRIESREAD 3
XREADGROUP GROUP g alice COUNT 2 STREAMS s >
XADD s * g 7
XREADGROUP GROUP g bob NOACK STREAMS s >
XREADGROUP GROUP g alice STREAMS s 0
XREADGROUP GROUP g carol STREAMS s >
XGROUP CREATECONSUMER s g dave
XCLAIM s g dave 0 3-0 1 LASTID 99-0
XACK s g 1-2
XAUTOCLAIM s g erin 0 0 COUNT 5
XGROUP SETID s g 0 ENTRIESREAD 0
XREADGROUP GROUP g frank COUNT 1 STREAMS s >
XSETID s 100-0 ENTRIESADDED 10 MAXDELETEDID 50-0
XGROUP DELCONSUMER s g erin
XGROUP DESTROY s g2
XADD q 1-0 a 1
XADD q 2-0 b 2
XADD q 3-0 c 3
XGROUP CREATE q cg 0
XREADGROUP GROUP cg ann STREAMS q >
XCLAIM q cg ben 0 1-0 2 LASTID 2-5
XDEL q 3-0
XCLAIM q cg ben 0 3-0 JUSTID
XAUTOCLAIM q cg cat 0 0 COUNT 1 JUSTID
XCLAIM q cg ben 0 9-0 LASTID 50-0
XACK q cg 2-0
XGROUP DELCONSUMER q cg ann
CONFIG SET stream-node-max-entries 100
"""


def masked_times(aof):
    """Millisecond clock values (XCLAIM's TIME, IDs XADD took from the clock) blanked."""
    return re.sub(rb"\$(?:13|15|16)\r\n(1\d{12})(-\d+)?\r\n", rb"$T\r\nTIME\r\n", aof)


def test_stream_propagation_matches_redis(cairn_factory, tmp_path):
    """Stream writes reach the AOF as Redis rewrites them: chosen IDs, exact trims, XCLAIM per delivery."""
    ours, theirs = incr_files_after(STREAM_WRITES, cairn_factory, tmp_path)
    assert b"XCLAIM" in ours and b"MINID\r\n$1\r\n=\r\n$3\r\n3-0" in ours
    assert masked_times(ours) == masked_times(theirs)


@pytest.mark.parametrize("base_args, ext", BASES)
def test_streams_in_an_aof_reload_in_cairn_and_redis(cairn_factory, tmp_path, base_args, ext):
    s = cairn_factory("--appendonly", "yes", *base_args)
    run_script(s.port, STREAM_WRITES)
    want = digest(s.port)
    with RawConn(s.port) as c:
        c.cmd("BGREWRITEAOF")                       # the streams go into the base, then more writes follow
        time.sleep(1)
        c.cmd("XADD", "s", "200-0", "after", "rewrite")
        c.cmd("XREADGROUP", "GROUP", "g", "gina", "STREAMS", "s", ">")
        want = digest(s.port)
    s.stop()
    d = aof_dir(s)
    assert f"appendonly.aof.2.base.{ext}" in os.listdir(d)
    check_directory(d)
    s.start()
    assert digest(s.port) == want
    s.stop()
    assert_redis_loads(d, tmp_path, want)

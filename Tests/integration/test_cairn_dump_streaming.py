"""cairn-dump keeps a flat memory on huge collections: convert (to RDB, AOF and JSONL), restore and repair of a
dump holding a 2,000,000-element list and a 2,000,000-field hash peak under 50 MB (the child's own
ru_maxrss) and give the same content."""
import json
import os
import subprocess
import sys

import pytest
import redis

from test_cairn_dump import DUMP

N = 2_000_000
PEAK_MB = 50

# Linux keeps a process's RSS high-water mark across exec, so a tool forked from this (large) test process
# would count its pages: a bare Python forks the tool and reports the tool's own peak.
PEAK_RSS = ("import os, sys\npid = os.fork()\nif pid == 0:\n    os.execvp(sys.argv[2], sys.argv[2:])\n"
            "_, status, usage = os.wait4(pid, 0)\n"
            "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
            "sys.exit(os.waitstatus_to_exitcode(status))")


def peak(tmp_path, *args, timeout=600):
    """Runs cairn-dump; (exit status, peak RSS in MB, stdout)."""
    out = tmp_path / "peak-rss"
    p = subprocess.run([sys.executable, "-S", "-c", PEAK_RSS, str(out), DUMP, *map(str, args)],
                       capture_output=True, timeout=timeout)
    assert p.returncode >= 0, p.stderr.decode(errors="replace")
    return p.returncode, int(out.read_text()) / 1024, p.stdout + p.stderr


def length(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | n >> 8, n & 0xFF])
    return b"\x80" + n.to_bytes(4, "big")


def string(s):
    return length(len(s)) + s


@pytest.fixture(scope="module")
def big_rdb(tmp_path_factory):
    """An RDB 9 file (checksum off) with 'small', then 'biglist' (type 1, N elements, with a deadline) and
    'bighash' (type 4, N fields), written directly so the test does not wait for a server to fill."""
    path = tmp_path_factory.mktemp("big") / "big.rdb"
    with open(path, "wb") as f:
        f.write(b"REDIS0009\xfe\x00")
        f.write(b"\x00" + string(b"small") + string(b"x"))
        f.write(b"\xfc" + (4102444800000).to_bytes(8, "little") + b"\x01" + string(b"biglist") + length(N))
        for i in range(0, N, 100_000):
            f.write(b"".join(string(b"e%d" % j) for j in range(i, i + 100_000)))
        f.write(b"\x04" + string(b"bighash") + length(N))
        for i in range(0, N, 100_000):
            f.write(b"".join(string(b"f%d" % j) + string(b"v%d" % j) for j in range(i, i + 100_000)))
        f.write(b"\xff" + bytes(8))
    return path


@pytest.mark.parametrize("target", ["rdb", "aof", "jsonl"])
def test_convert_streams_big_collections(big_rdb, target, tmp_path):
    out = tmp_path / f"out.{target}"
    code, mb, text = peak(tmp_path, "convert", big_rdb, "--to", target, "-o", out)
    assert code == 0, text
    assert mb < PEAK_MB, f"convert --to {target} peaked at {mb:.0f} MB"
    if target == "jsonl":
        recs = {r["key"]: r for r in map(json.loads, out.read_text().splitlines())}
        assert recs["biglist"]["value"][:2] == ["e0", "e1"] and len(recs["biglist"]["value"]) == N
        assert recs["biglist"]["expire_at_ms"] == 4102444800000
        assert len(recs["bighash"]["value"]) == N and recs["bighash"]["value"]["f1999999"] == "v1999999"
    else:
        p = subprocess.run([DUMP, "diff", big_rdb, out], capture_output=True, timeout=600)
        assert p.returncode == 0, p.stdout + p.stderr


def test_restore_streams_big_collections(big_rdb, redis_server, tmp_path):
    c = redis.Redis(port=redis_server.port)
    c.flushall()
    try:
        code, mb, text = peak(tmp_path, "restore", big_rdb, "--to", f"127.0.0.1:{redis_server.port}")
        assert code == 0 and b"restored 3 keys" in text and b"; 0 errors" in text, text
        assert mb < PEAK_MB, f"restore peaked at {mb:.0f} MB"
        assert sorted(c.keys()) == [b"bighash", b"biglist", b"small"]
        assert c.llen("biglist") == N and c.lrange("biglist", 0, 1) == [b"e0", b"e1"]
        assert c.lindex("biglist", -1) == b"e1999999"
        assert c.hlen("bighash") == N and c.hget("bighash", "f123456") == b"v123456"
        assert c.pexpiretime("biglist") == 4102444800000 and c.ttl("bighash") == -1
        # Without --replace an existing key is an error, as RESTORE's BUSYKEY, and nothing is left behind.
        code, _, text = peak(tmp_path, "restore", big_rdb, "--to", f"127.0.0.1:{redis_server.port}")
        assert code == 4 and b"3 errors" in text and b"BUSYKEY" in text, text
        assert sorted(c.keys()) == [b"bighash", b"biglist", b"small"] and c.llen("biglist") == N
        code, _, text = peak(tmp_path, "restore", big_rdb, "--to", f"127.0.0.1:{redis_server.port}", "--replace")
        assert code == 0 and c.llen("biglist") == N and c.dbsize() == 3, text
    finally:
        c.flushall()


def test_repair_streams_and_takes_back_a_damaged_collection(big_rdb, tmp_path):
    out = tmp_path / "repaired.rdb"
    code, mb, text = peak(tmp_path, "repair", big_rdb, "-o", out)
    assert code == 0 and mb < PEAK_MB, (mb, text)
    assert subprocess.run([DUMP, "diff", big_rdb, out], capture_output=True, timeout=600).returncode == 0
    # The list, then a 20,000-field hash cut in its middle (past the output's 64 KB flushes, and short, since
    # repair then tries every later offset): the list is kept whole, the half-written hash is taken back.
    cut = tmp_path / "cut.rdb"
    data = big_rdb.read_bytes()
    hash_fields = b"".join(string(b"f%d" % j) + string(b"v%d" % j) for j in range(20_000))
    cut.write_bytes(data[:data.index(b"\x04\x07bighash")] + b"\x04" + string(b"bighash") + length(20_000)
                    + hash_fields[:len(hash_fields) // 2])
    code, mb, text = peak(tmp_path, "repair", cut, "-o", out)
    assert code == 1 and mb < PEAK_MB and b"bighash" in text, text
    check = subprocess.run([os.path.join(os.path.dirname(DUMP), "cairn-check-rdb"), out], capture_output=True)
    assert check.returncode == 0, check.stdout
    p = subprocess.run([DUMP, "export", out, "--format", "csv"], capture_output=True, check=True)
    assert [line.split(",")[1] for line in p.stdout.decode().splitlines()[1:]] == ["small", "biglist"]


def listpack(elements):
    """A listpack of short strings (6-bit string entries)."""
    body = b"".join(bytes([0x80 | len(e)]) + e + bytes([1 + len(e)]) for e in elements)
    return (6 + len(body) + 1).to_bytes(4, "little") + len(elements).to_bytes(2, "little") + body + b"\xff"


def test_type18_quicklist_downgrades_to_rdb9_node_by_node(tmp_path):
    """A Redis 7 quicklist (type 18, listpack nodes, one plain node) converted to RDB 9 goes out as type 14,
    each node a ziplist, in flat memory, with every element (test_cairn_dump.py loads such output into Redis 7.0)."""
    path = tmp_path / "ql.rdb"
    per, nodes = 128, N // 128
    with open(path, "wb") as f:
        f.write(b"REDIS0011\xfe\x00\x12" + string(b"biglist") + length(nodes + 1))
        f.write(b"\x01" + string(b"p" * 70_000))
        for n in range(nodes):
            f.write(b"\x02" + string(listpack([b"e%d" % j for j in range(n * per, n * per + per)])))
        f.write(b"\xff" + bytes(8))
    out = tmp_path / "nine.rdb"
    code, mb, text = peak(tmp_path, "convert", path, "--to", "rdb", "--rdb-version", "9", "-o", out)
    assert code == 0 and mb < PEAK_MB, (mb, text)
    data = out.read_bytes()
    assert data[:9] == b"REDIS0009" and data[data.index(string(b"biglist")) - 1] == 14
    assert subprocess.run([DUMP, "diff", path, out], capture_output=True, timeout=600).returncode == 0

"""cairn-dump on every fixture: export matches the expected contents, convert RDB -> AOF -> RDB keeps every key,
restore into Debian's redis-server gives the same keys, repair recovers every key outside a damaged range,
diff finds changed keys, and hostile input ends with exit status 3, never a crash or a hang."""
import csv
import io
import json
import os
import random
import subprocess
from pathlib import Path

import pytest
import redis

from cairn_helpers import redis_contents
from conftest import CAIRN_SERVER, REDIS_SERVER, REPO, RedisProcess

DUMP = os.path.join(os.path.dirname(CAIRN_SERVER), "cairn-dump")
SHARED = REPO.parent / "shared" / "fixtures"
if not SHARED.exists():
    SHARED = Path("/work/shared/fixtures")
VALKEY8 = sorted(SHARED.glob("valkey8/*.rdb"))
LEGACY = sorted(p for p in SHARED.glob("valkey-assets/*.rdb") if not p.name.startswith("corrupt"))
AOF_DIRS = sorted(REPO.glob("Fixtures/aof/*/appendonlydir"))
READABLE = VALKEY8 + LEGACY + AOF_DIRS + [SHARED / "valkey-assets" / "rdb-preamble.aof"]


def ids(paths):
    return [f"{p.parent.name}/{p.name}" for p in paths]


def run(*args, timeout=60, check=None):
    p = subprocess.run([DUMP, *map(str, args)], capture_output=True, timeout=timeout)
    assert p.returncode >= 0, f"cairn-dump killed by signal {-p.returncode}: {p.stderr.decode(errors='replace')}"
    if check is not None:
        assert p.returncode == check, p.stderr.decode(errors="replace")
    return p


def b(s):
    """A string of cairn-dump's JSON back to bytes (non-UTF-8 bytes arrive as \\udcXX surrogates)."""
    return s.encode("utf-8", "surrogateescape")


def normalize(rec):
    """A record of cairn-dump's JSONL as comparable Python values."""
    t, v = rec["type"], rec["value"]
    if t == "string":
        value = b(v)
    elif t == "list":
        value = [b(x) for x in v]
    elif t == "set":
        value = sorted(b(x) for x in v)
    elif t == "hash":
        value = {b(f): b(x) for f, x in v.items()}
    elif t == "zset":
        value = {b(m): float(s) for m, s in v}
    else:
        s = rec["stream"]
        value = ([(e[0], [b(x) for x in e[1]]) for e in v], s["last_id"], s["entries_added"], s["max_deleted_id"],
                 [(g["name"], g["last_delivered_id"], g["entries_read"], len(g["pending"]), sorted(c["name"] for c in g["consumers"]))
                  for g in s["groups"]])
    return t, value, rec["expire_at_ms"]


def export(path, *extra):
    p = run("export", path, "--format", "jsonl", *extra, check=0)
    # bytes.splitlines: str.splitlines would also split at U+2028 and friends inside a value.
    recs = [json.loads(line) for line in p.stdout.splitlines()]
    return {(r["db"], b(r["key"])): normalize(r) for r in recs}, len(recs)


def expected(path):
    """The fixture's .expected.json (latin-1 strings) in `normalize`'s form."""
    out = {}
    for r in json.loads(Path(str(path)[:-4] + ".expected.json").read_text()):
        l1 = lambda s: s.encode("latin-1")
        t, v = r["type"], r["value"]
        if t == "string":
            value = l1(v)
        elif t == "list":
            value = [l1(x) for x in v]
        elif t == "set":
            value = sorted(l1(x) for x in v)
        elif t == "hash":
            value = {l1(f): l1(x) for f, x in v.items()}
        elif t == "zset":
            value = {l1(m): float(s) for m, s in v}
        else:
            entries = [(e[0], [l1(x) for kv in e[1].items() for x in kv]) for e in v]
            value = (entries, r["last-generated-id"], r["entries-added"], r["max-deleted-entry-id"],
                     [(g["name"], g["last-delivered-id"], g["entries-read"], g["pending"], sorted(c[0] for c in g["consumers"]))
                      for g in r["groups"]])
        out[(r["db"], l1(r["key"]))] = (t, value, r["expire_at_ms"])
    return out


@pytest.mark.parametrize("path", VALKEY8, ids=ids(VALKEY8))
def test_export_matches_expected_contents(path):
    got, n = export(path)
    want = expected(path)
    assert n == len(want)
    assert got.keys() == want.keys()
    for k in want:
        assert got[k] == want[k], k


@pytest.mark.parametrize("path", VALKEY8, ids=ids(VALKEY8))
def test_export_formats_count_every_key(path, tmp_path):
    want = len(expected(path))
    rows = list(csv.reader(io.StringIO(run("export", path, "--format", "csv", check=0).stdout.decode("utf-8", "surrogateescape"))))
    assert rows[0][0] == "db" and len(rows) - 1 == want
    assert len(json.loads(run("export", path, "--format", "json", check=0).stdout)) == want
    out = tmp_path / "x.jsonl"
    run("export", path, "--format", "jsonl", "-o", out, check=0)
    assert len(out.read_bytes().splitlines()) == want
    info = json.loads(run("info", path, "--json", check=0).stdout)
    assert info["keys"] == want and info["rdb_version"] == 11


def test_export_filters():
    path = SHARED / "valkey8" / "multidb.rdb"
    every, _ = export(path)
    only1, _ = export(path, "--db", "1")
    assert only1 and {k for k in every if k[0] == 1} == set(only1)
    lists, _ = export(path, "--type", "list")
    assert lists and all(v[0] == "list" for v in lists.values())
    ttl, _ = export(path, "--key", "^ttl-")
    assert ttl and all(k[1].startswith(b"ttl-") for k in ttl)
    assert run("export", path, "--format", "jsonl", "--key", "(").returncode == 2


@pytest.mark.parametrize("path", READABLE, ids=ids(READABLE))
def test_convert_rdb_aof_rdb_keeps_content(path, tmp_path):
    original, n = export(path)
    run("convert", path, "--to", "aof", "-o", tmp_path / "a.aof", check=0)
    run("convert", tmp_path / "a.aof", "--to", "rdb", "-o", tmp_path / "b.rdb", check=0)
    assert export(tmp_path / "b.rdb")[0] == original
    run("convert", tmp_path / "b.rdb", "--to", "jsonl", "-o", tmp_path / "c.jsonl", check=0)
    run("convert", tmp_path / "c.jsonl", "--to", "rdb", "-o", tmp_path / "d.rdb", check=0)
    assert export(tmp_path / "d.rdb")[0] == original
    assert run("diff", path, tmp_path / "d.rdb").returncode == 0


@pytest.mark.parametrize("version", [10, 9])
@pytest.mark.parametrize("path", [p for p in VALKEY8 if "stream" not in p.name], ids=ids([p for p in VALKEY8 if "stream" not in p.name]))
def test_convert_downgrade_loads_in_redis_7_0(path, version, tmp_path):
    out = tmp_path / "dump.rdb"
    run("convert", path, "--to", "rdb", "--rdb-version", version, "-o", out, check=0)
    assert out.read_bytes()[:9] == f"REDIS{version:04d}".encode()
    want = export(path)[0]
    assert export(out)[0] == want
    server = RedisProcess("redis-downgrade", REDIS_SERVER, tmp_path, extra_args=["--dbfilename", "dump.rdb"])
    server.start()
    try:
        c = redis.Redis(port=server.port)
        got = {}
        for db in range(16):
            got.update(redis_contents(c, db))
        assert comparable(got) == comparable(want)
    finally:
        server.stop()


def test_convert_downgrade_names_what_cannot_be_represented(tmp_path):
    p = run("convert", SHARED / "valkey8" / "streams.rdb", "--to", "rdb", "--rdb-version", "9", "-o", tmp_path / "x.rdb")
    assert p.returncode == 3
    assert b"stream '" in p.stderr and b"RDB version 9" in p.stderr
    assert not (tmp_path / "x.rdb").exists()


def comparable(contents):
    # redis-py's stream field pairs come back as a dict (duplicate field names would merge): compare as sets
    fixed = {}
    for k, (t, v, e) in contents.items():
        if t == "stream":
            v = ([(i, sorted(zip(f[::2], f[1::2]))) for i, f in v[0]], v[1], v[2], v[3], sorted(v[4]))
        fixed[k] = (t, v, e)
    return fixed


@pytest.mark.parametrize("path", READABLE, ids=ids(READABLE))
def test_restore_into_redis_gives_identical_content(path, redis_server):
    c = redis.Redis(port=redis_server.port)
    c.flushall()
    p = run("restore", path, "--to", f"127.0.0.1:{redis_server.port}", "--replace", check=0)
    want, n = export(path)
    assert f"restored {n} keys".encode() in p.stdout and b"; 0 errors" in p.stdout
    got = {}
    for db in range(16):
        got.update(redis_contents(c, db))
    assert comparable(got) == comparable(want)
    if path.name == "appendonlydir":
        assert c.execute_command("DEBUG", "DIGEST").decode() == (path.parent / "digest.txt").read_text().strip()
    c.flushall()


def test_restore_reports_busy_keys_and_bad_targets(redis_server, tmp_path):
    c = redis.Redis(port=redis_server.port)
    c.flushall()
    path = SHARED / "valkey8" / "hashes.rdb"
    run("restore", path, "--to", f"127.0.0.1:{redis_server.port}", check=0)
    p = run("restore", path, "--to", f"127.0.0.1:{redis_server.port}")
    assert p.returncode == 4 and b"BUSYKEY" in p.stdout
    c.flushall()
    assert run("restore", path, "--to", "127.0.0.1:1").returncode == 4
    assert run("restore", path, "--to", "nonsense").returncode == 2


def key_ranges(path):
    rows = list(csv.DictReader(io.StringIO(run("export", path, "--format", "csv", check=0).stdout.decode("utf-8", "surrogateescape"))))
    return {(int(r["db"]), b(r["key"])): (int(r["offset"]), int(r["offset"]) + int(r["serialized_bytes"])) for r in rows}


@pytest.mark.parametrize("name", ["strings.rdb", "hashes.rdb", "zsets.rdb", "lists.rdb", "multidb.rdb"])
@pytest.mark.parametrize("damage", ["overwrite", "truncate"])
def test_repair_recovers_every_key_outside_the_damage(name, damage, tmp_path):
    path = SHARED / "valkey8" / name
    data = bytearray(path.read_bytes())
    original, _ = export(path)
    ranges = key_ranges(path)
    rng = random.Random(name + damage)
    for trial in range(3):
        bad = bytearray(data)
        start = rng.randrange(len(data) // 4, len(data) * 3 // 4)
        if damage == "truncate":
            bad = bad[:start]
            end = len(data)
        else:
            end = start + rng.randrange(1, 40)
            for i in range(start, end):
                bad[i] = rng.randrange(256)
        src = tmp_path / f"bad{trial}.rdb"
        src.write_bytes(bytes(bad))
        out = tmp_path / f"fixed{trial}.rdb"
        p = run("repair", src, "-o", out)
        assert p.returncode in (0, 1), p.stderr
        got, _ = export(out)
        for k, (a, z) in ranges.items():
            if z <= start or a >= end:
                assert got.get(k) == original[k], (k, start, end, p.stdout)
        if p.returncode == 1:
            assert b"lost bytes" in p.stdout or b"checksum" in p.stdout


def test_repair_aof_keeps_commands_after_damage(tmp_path):
    cmd = lambda *a: b"*%d\r\n" % len(a) + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in a)
    before = b"".join(cmd(b"SET", b"k%d" % i, b"v%d" % i) for i in range(50))
    after = b"".join(cmd(b"SET", b"j%d" % i, b"w%d" % i) for i in range(50))
    tx = cmd(b"MULTI") + cmd(b"SET", b"t", b"1")
    src = tmp_path / "appendonly.aof"
    src.write_bytes(before + tx + b"$$garbage\r\n*9999999999999\r\n" + after + cmd(b"SET", b"tail", b"x")[:-3])
    p = run("repair", src, "-o", tmp_path / "fixed.aof", check=1)
    assert b"lost bytes" in p.stdout
    got, n = export(tmp_path / "fixed.aof")
    assert n == 100
    assert got[(0, b"k0")][1] == b"v0" and got[(0, b"j49")][1] == b"w49" and (0, b"t") not in got


def test_diff_finds_changed_keys(tmp_path):
    path = SHARED / "valkey8" / "multidb.rdb"
    lines = run("export", path, "--format", "jsonl", check=0).stdout.decode().splitlines()
    recs = [json.loads(l) for l in lines]
    removed = recs.pop(0)
    recs[0]["value"] = ["changed"] if recs[0]["type"] == "list" else "changed"
    ttl_changed = next(r for r in recs if r["expire_at_ms"] is not None)
    ttl_changed["expire_at_ms"] += 1000
    recs.append({"db": 3, "key": "new\udcff", "type": "string", "expire_at_ms": None, "value": "x"})
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", errors="surrogateescape")
    p = run("diff", path, tmp_path / "b.jsonl", check=1)
    out = p.stdout.decode().splitlines()
    assert f'- {removed["db"]} {json.dumps(removed["key"])}' in out
    assert any(l.startswith(f'~ {recs[0]["db"]} {json.dumps(recs[0]["key"])} ') and "value" in l for l in out)
    assert any(l.startswith(f'~ {ttl_changed["db"]} {json.dumps(ttl_changed["key"])} ') and "ttl" in l for l in out)
    assert '+ 3 "new\\udcff"' in out
    assert len(out) == 4


def test_memory_and_info_summaries(tmp_path):
    path = SHARED / "valkey8" / "multidb.rdb"
    p = run("memory", path, "--by-prefix", "-", "-o", tmp_path / "m.csv", check=0)
    assert b"by prefix:" in p.stdout and b"ttl" in p.stdout
    rows = list(csv.DictReader((tmp_path / "m.csv").open()))
    assert len(rows) == len(expected(path)) and all(int(r["estimated_bytes"]) > 0 for r in rows)
    text = run("info", path, check=0).stdout
    assert b"rdb version: 11" in text and b"keys with TTL:" in text and b"db15:" in text


def test_help_and_usage_errors():
    assert b"Usage: cairn-dump SUBCOMMAND" in run("--help", check=0).stdout
    for sub in ["info", "export", "convert", "memory", "diff", "repair", "restore"]:
        assert f"Usage: cairn-dump {sub}".encode() in run(sub, "--help", check=0).stdout
    assert run().returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("export", "x").returncode == 2
    assert run("info", "/nonexistent/file").returncode == 4


def hostile_files():
    rng = random.Random(7)
    good = (SHARED / "valkey8" / "hashes.rdb").read_bytes()
    yield "random", bytes(rng.randrange(256) for _ in range(4096))
    yield "magic-only", b"REDIS0011"
    yield "wrong-magic", b"REDIX0011" + good[9:]
    yield "huge-string", b"REDIS0011\xfe\x00\x00\x01k\x81" + (1 << 60).to_bytes(8, "big") + b"xx"
    yield "huge-count", b"REDIS0011\xfe\x00\x0e\x01k\x81" + (1 << 60).to_bytes(8, "big")
    for cut in range(10, len(good), max(1, len(good) // 25)):
        yield f"cut{cut}", good[:cut]
    for i in range(20):
        bad = bytearray(good)
        for _ in range(3):
            bad[rng.randrange(9, len(bad))] ^= 1 << rng.randrange(8)
        yield f"flip{i}", bytes(bad)
    yield "aof-huge-bulk", b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$99999999999\r\nxx"
    yield "jsonl-bad", b'{"db":0,"key":"a","type":"list","value":[1,2]}\n'
    yield "jsonl-deep", b"{" + b'"a":[' * 5000


@pytest.mark.parametrize("name, data", list(hostile_files()), ids=[n for n, _ in hostile_files()])
def test_hostile_input_fails_cleanly(name, data, tmp_path):
    src = tmp_path / "in.bin"
    src.write_bytes(data)
    for args in (["info", src], ["export", src, "--format", "jsonl"], ["convert", src, "--to", "rdb", "-o", tmp_path / "o.rdb"],
                 ["memory", src], ["repair", src, "-o", tmp_path / "r.rdb"]):
        p = run(*args, timeout=30)
        if args[0] == "repair":
            assert p.returncode in (0, 1, 2, 3), p.stderr
        elif p.returncode != 0:
            assert p.returncode == 3, (args, p.stderr)
            assert p.stderr.startswith(b"cairn-dump: ") and len(p.stderr) < 2000


def test_output_to_a_pipe_is_written_in_place(tmp_path):
    import threading
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    run("export", SHARED / "valkey8" / "multidb.rdb", "--format", "jsonl", "-o", fifo, check=0)
    reader.join(10)
    assert fifo.is_fifo() and len(got[0].splitlines()) == len(expected(SHARED / "valkey8" / "multidb.rdb"))


def test_lzf_length_claim_is_not_allocated(tmp_path):
    src = tmp_path / "lzf.rdb"
    src.write_bytes(b"REDIS0011\xfe\x00\x00\x01k\xc3\x01\x80\xff\xff\xff\xf0\x00\xff" + b"\x00" * 8)
    p = run("info", src, timeout=10)
    assert p.returncode == 3 and b"LZF string length out of range" in p.stderr


@pytest.mark.parametrize("path", VALKEY8, ids=ids(VALKEY8))
def test_resp_export_pipes_into_redis_cli(path, redis_server):
    c = redis.Redis(port=redis_server.port)
    c.flushall()
    resp = run("export", path, "--format", "resp", check=0).stdout
    p = subprocess.run(["redis-cli", "-p", str(redis_server.port), "--pipe"], input=resp, capture_output=True, timeout=60)
    assert p.returncode == 0 and b"errors: 0" in p.stdout, p.stdout
    got = {}
    for db in range(16):
        got.update(redis_contents(c, db))
    c.flushall()
    want = export(path)[0]
    # Redis 7.0's XSETID has no ENTRIESADDED/MAXDELETEDID and XGROUP CREATE no ENTRIESREAD: streams are compared
    # by their entries there.
    for k, v in want.items():
        if v[0] == "stream":
            assert [e[0] for e in comparable({k: got[k]})[k][1][0]] == [e[0] for e in v[1][0]]
            del got[k]
    assert comparable(got) == comparable({k: v for k, v in want.items() if v[0] != "stream"})


class OldServerProxy:
    """Poses as a Redis 6.2 (INFO says so) and runs every other command on the real server: restore must then
    send plain commands, since a 6.2 server's RESTORE does not read RDB 10/11 payloads."""

    def __init__(self, port):
        import socket
        import threading
        self.target = redis.Redis(port=port, single_connection_client=True)  # SELECT must stick
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.commands = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        conn, _ = self.sock.accept()
        f = conn.makefile("rb")
        while True:
            line = f.readline()
            if not line:
                return
            args = []
            for _ in range(int(line[1:])):
                n = int(f.readline()[1:])
                args.append(f.read(n + 2)[:-2])
            name = args[0].upper()
            self.commands.append(name)
            if name == b"INFO":
                body = b"# Server\r\nredis_version:6.2.0\r\n"
                conn.sendall(b"$%d\r\n%s\r\n" % (len(body), body))
                continue
            if name == b"ECHO":
                conn.sendall(b"$%d\r\n%s\r\n" % (len(args[1]), args[1]))
                continue
            try:
                self.target.execute_command(*args)
                conn.sendall(b"+OK\r\n")
            except redis.ResponseError as e:
                conn.sendall(b"-" + str(e).encode() + b"\r\n")


def test_restore_into_an_older_server_uses_plain_commands(redis_server):
    c = redis.Redis(port=redis_server.port)
    c.flushall()
    path = SHARED / "valkey8" / "multidb.rdb"
    c.execute_command("SELECT", 0)
    c.rpush("list-in-0", "stale")
    proxy = OldServerProxy(redis_server.port)
    p = run("restore", path, "--to", f"127.0.0.1:{proxy.port}", "--replace", check=0)
    assert b"plain commands" in p.stdout and b"; 0 errors" in p.stdout
    assert b"RESTORE" not in proxy.commands and b"DEL" in proxy.commands
    got = {}
    for db in range(16):
        got.update(redis_contents(c, db))
    c.flushall()
    assert comparable(got) == comparable(export(path)[0])

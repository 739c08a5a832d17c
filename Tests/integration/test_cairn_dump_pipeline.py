"""cairn-dump export on two threads and AOF copied command by command: an export spanning many of the decoder's
batches gives every key of a live server in file order, a stream's dump payload (made of the file's bytes)
restores the stream into redis-server, errors from either thread end the run with the right status and
without a hang; AOF -> AOF keeps each file's db context, transactions and a dropped open MULTI, and streams a
large AOF in flat memory."""
import json
import os
import subprocess

import pytest
import redis

from test_cairn_dump import DUMP, b, comparable, export, redis_contents, run
from test_cairn_dump_streaming import peak


def fill(c, keys):
    """`keys` keys of every type, enough records to cross many of the decoder's batches."""
    p = c.pipeline(transaction=False)
    for i in range(keys):
        kind = i % 6
        if kind == 0:
            p.set(b"s:%d" % i, os.urandom(40 + i % 300) if i % 2 else b"text %d " % i * 20)
        elif kind == 1:
            p.rpush(b"l:%d" % i, *[os.urandom(10) for _ in range(5 + i % 20)])
        elif kind == 2:
            p.hset(b"h:%d" % i, mapping={b"f%d" % j: b"v%d" % (i * j) for j in range(4 + i % 8)})
        elif kind == 3:
            p.sadd(b"set:%d" % i, *[i * 100 + j for j in range(8)] if i % 2 else [b"m%d" % j for j in range(8)])
        elif kind == 4:
            p.zadd(b"z:%d" % i, {b"m%d" % j: j * 1.5 + i for j in range(6)})
        else:
            for j in range(3):
                p.xadd(b"x:%d" % i, {b"f": b"%d" % j})
            p.xgroup_create(b"x:%d" % i, b"g", id="0")
            p.xreadgroup(b"g", b"c1", {b"x:%d" % i: ">"}, count=1)
        if i % 7 == 0:
            p.pexpire(b"s:%d" % i if kind == 0 else b"l:%d" % i if kind == 1 else b"h:%d" % i if kind == 2 else
                      b"set:%d" % i if kind == 3 else b"z:%d" % i if kind == 4 else b"x:%d" % i, 86_400_000)
        if i % 1000 == 999:
            p.execute()
    p.execute()


@pytest.fixture(scope="module")
def saved(redis_server, tmp_path_factory):
    """A Redis 7.0 dump of 30,000 mixed keys and the server's contents when it was saved."""
    c = redis.Redis(port=redis_server.port)
    c.flushall()
    fill(c, 30_000)
    want = redis_contents(c, 0)
    c.save()
    path = tmp_path_factory.mktemp("pipeline") / "dump.rdb"
    path.write_bytes((redis_server.dir / "dump.rdb").read_bytes())
    c.flushall()
    return path, want


def test_export_across_batches_matches_the_server(saved):
    path, want = saved
    p = run("export", path, "--format", "jsonl", check=0)
    got, n = export(path)
    assert n == len(want)
    assert comparable(got) == comparable(want)
    # Records come out in file order: the keys' offsets in the CSV export only grow.
    rows = run("export", path, "--format", "csv", check=0).stdout.splitlines()[1:]
    keys_csv = [r.split(b",")[1] for r in rows]
    keys_jsonl = [b(json.loads(line)["key"]) for line in p.stdout.splitlines()]
    assert keys_csv == keys_jsonl
    offsets = [int(r.split(b",")[6]) for r in rows]
    assert offsets == sorted(offsets)


def test_stream_dump_payload_restores_into_redis(saved, redis_server):
    path, want = saved
    c = redis.Redis(port=redis_server.port)
    c.flushall()
    streams = [json.loads(line) for line in run("export", path, "--format", "jsonl", "--type", "stream", check=0).stdout.splitlines()]
    assert streams
    for s in streams[:200]:
        c.restore(b(s["key"]), 0, bytes.fromhex(s["stream"]["dump"]))
    # Restored without a TTL: deadlines are left out of the comparison.
    got = {k: (t, v, None) for k, (t, v, _) in redis_contents(c, 0).items()}
    assert len(got) == min(200, len(streams))
    assert comparable(got) == comparable({k: (want[k][0], want[k][1], None) for k in got})
    c.flushall()


def test_decoder_error_ends_the_export_after_what_it_read(saved, tmp_path):
    path, _ = saved
    data = path.read_bytes()
    cut = tmp_path / "cut.rdb"
    cut.write_bytes(data[:len(data) * 2 // 3])
    p = run("export", cut, "--format", "jsonl", timeout=60)
    assert p.returncode == 3
    assert b"cut.rdb" in p.stderr and b"offset" in p.stderr
    # The keys decoded before the damage were written, in order, each whole.
    lines = p.stdout.splitlines()
    assert len(lines) > 1000
    for line in lines[:-1]:
        json.loads(line)


def test_checksum_from_its_own_thread(saved, tmp_path):
    """The export's CRC-64 is folded by a thread of its own: a flipped byte inside a value still fails the
    file's checksum (with the same message as the check tool's), bytes after the checksum are left out of it,
    and a checksum of 0 (disabled) is not compared."""
    path, want = saved
    data = path.read_bytes()
    # The first digit of the redis-ver aux field: the file still parses, only its checksum differs.
    at = data.index(b"redis-ver") + len(b"redis-ver") + 1
    flipped = tmp_path / "flipped.rdb"
    flipped.write_bytes(data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:])
    p = run("export", flipped, "--format", "jsonl", "-o", "/dev/null", timeout=60)
    assert p.returncode == 3 and b"wrong RDB checksum" in p.stderr, p.stderr
    padded = tmp_path / "padded.rdb"
    padded.write_bytes(data + b"\x00" * 5)
    got, n = export(padded)
    assert n == len(want) and comparable(got) == comparable(want)
    unchecked = tmp_path / "unchecked.rdb"
    unchecked.write_bytes(data[:-8] + b"\x00" * 8)
    assert export(unchecked)[1] == len(want)


def test_output_error_stops_the_decoder(saved):
    path, _ = saved
    p = run("export", path, "--format", "jsonl", "-o", "/dev/full", timeout=60)
    assert p.returncode == 4 and b"/dev/full" in p.stderr


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def aof_dir(tmp_path, files):
    """An appendonlydir with the given incr files (bytes), no base."""
    d = tmp_path / "appendonlydir"
    d.mkdir()
    manifest = ""
    for i, data in enumerate(files, 1):
        name = f"appendonly.aof.{i}.incr.aof"
        (d / name).write_bytes(data)
        manifest += f"file {name} seq {i} type i\n"
    (d / "appendonly.aof.manifest").write_text(manifest)
    return d


def test_aof_copy_keeps_each_files_db_and_transactions(tmp_path):
    first = (resp("SELECT", 3) + resp("SET", "a", "1") + resp("MULTI") + resp("SELECT", 5) + resp("SET", "b", "2")
             + resp("EXEC") + resp("SET", "c", "3") + resp("MULTI") + resp("SET", "gone", "x") + resp("DISCARD"))
    # The second file starts in db 0, as the server's loader gives each file a new client; its last
    # transaction is cut off and dropped.
    second = resp("SET", "d", "4") + resp("RPUSH", "l", "x", "y") + resp("MULTI") + resp("SET", "open", "1")
    d = aof_dir(tmp_path, [first, second])
    want = {(3, b"a"): "1", (5, b"b"): "2", (5, b"c"): "3", (0, b"d"): "4"}
    replayed, _ = export(d)
    assert {k: v[1].decode() for k, v in replayed.items() if v[0] == "string"} == want
    assert replayed[(0, b"l")][1] == [b"x", b"y"]
    p = run("convert", d, "--to", "aof", "-o", tmp_path / "one.aof", check=0)
    assert b"ends inside a MULTI" in p.stderr and b"commands" in p.stderr
    text = (tmp_path / "one.aof").read_bytes()
    assert b"gone" not in text and b"open" not in text
    assert export(tmp_path / "one.aof")[0] == replayed
    # Filters need each key's final state, so they replay the files instead.
    only, _ = export(d, "--db", "5")
    assert set(only) == {(5, b"b"), (5, b"c")}


def test_aof_copy_of_rdb_preamble_and_unknown_command(tmp_path, saved):
    path, _ = saved
    single = tmp_path / "preamble.aof"
    single.write_bytes(path.read_bytes() + resp("SET", "after", "1") + resp("DEL", "s:0"))
    run("convert", single, "--to", "aof", "-o", tmp_path / "copy.aof", check=0)
    original, n = export(single)
    copied, m = export(tmp_path / "copy.aof")
    assert m == n and copied == original and (0, b"after") in copied and (0, b"s:0") not in copied
    bad = tmp_path / "bad.aof"
    bad.write_bytes(resp("SET", "a", "1") + resp("NOSUCHCOMMAND", "x"))
    p = run("export", bad, "--format", "resp")
    assert p.returncode == 3 and b"unknown command 'NOSUCHCOMMAND'" in p.stderr


def test_aof_copy_streams_a_large_aof_in_flat_memory(tmp_path):
    path = tmp_path / "big.aof"
    value = b"v" * 200
    with open(path, "wb") as f:
        for i in range(0, 400_000, 10_000):
            f.write(b"".join(resp(b"SET", b"key:%d" % j, value) for j in range(i, i + 10_000)))
    status, mb, _ = peak(tmp_path, "convert", path, "--to", "aof", "-o", tmp_path / "out.aof")
    assert status == 0 and mb < 30, mb
    # The same commands, after the SELECT 0 that opens the output.
    assert (tmp_path / "out.aof").stat().st_size == path.stat().st_size + len(resp("SELECT", 0))
    status, mb, _ = peak(tmp_path, "export", path, "--format", "resp", "-o", "/dev/null")
    assert status == 0 and mb < 30, mb

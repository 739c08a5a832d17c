"""Streams in RDB files and DUMP payloads: Debian's redis-server 7.0 dumps (type 19) load into Cairn, Cairn's
rdb-version 10 dumps load into 7.0, with the same DEBUG DIGEST and XINFO STREAM FULL (7.0 has no
active-time; Cairn takes the seen time for it, as 7.2 does)."""

import random
import shutil

from test_persistence import crc64


def populate_streams(c):
    """Several nodes with tombstones, trimmed heads, groups with PEL and idle consumers, an emptied stream."""
    c.config_set("stream-node-max-entries", 5)
    for i in range(1, 41):
        c.xadd("s", {"f": i, "name": f"n{i}"} if i % 7 else {"other": "x" * i}, id=f"{1000 + i}-{i % 3}")
    c.xdel("s", "1003-0", "1010-1", "1011-2")
    c.xtrim("s", minid="1005")
    c.xgroup_create("s", "g1", id="0")
    c.xgroup_create("s", "late", id="$")
    c.xgroup_create("s", "g0", id="1020-0")
    c.xreadgroup("g1", "alice", {"s": ">"}, count=4)
    c.xreadgroup("g1", "bob", {"s": ">"}, count=3)
    c.xack("s", "g1", "1007-1")
    c.xgroup_createconsumer("s", "g1", "idle")
    c.xreadgroup("g0", "carol", {"s": ">"}, count=2, noack=True)
    c.xdel("s", "1009-0")
    c.xadd("emptied", {"a": 1}, id="5-5")
    c.xdel("emptied", "5-5")
    c.xadd("capped", {"k": "v"}, id="7-0", maxlen=0)
    c.xgroup_create("capped", "g", id="$")
    c.config_set("stream-node-max-entries", 100)


def full(c, key):
    info = c.execute_command("XINFO", "STREAM", key, "FULL")
    info = dict(zip(info[::2], info[1::2]))
    # Cairn estimates the rax's inner node count (StreamInfoCommands); it is no part of the data.
    info.pop(b"radix-tree-nodes")
    groups = []
    for g in info[b"groups"]:
        g = dict(zip(g[::2], g[1::2]))
        consumers = []
        for cons in g[b"consumers"]:
            cons = dict(zip(cons[::2], cons[1::2]))
            cons.pop(b"active-time", None)
            consumers.append(cons)
        g[b"consumers"] = consumers
        groups.append(g)
    info[b"groups"] = groups
    return info


KEYS = ["s", "emptied", "capped"]


def test_redis_70_stream_dump_loads_in_cairn(redis_server, cairn_factory):
    rc = redis_server.client()
    rc.flushall()
    populate_streams(rc)
    expected = rc.execute_command("DEBUG", "DIGEST")
    infos = {k: full(rc, k) for k in KEYS}
    rc.save()
    s = cairn_factory("--save", "", start=False)
    shutil.copy(redis_server.dir / "dump.rdb", s.dir / "dump.rdb")
    s.start()
    c = s.client()
    assert c.execute_command("DEBUG", "DIGEST") == expected
    for k in KEYS:
        assert full(c, k) == infos[k], k
    # Consumers loaded from 7.0 files report their seen time as active time.
    cons = c.execute_command("XINFO", "CONSUMERS", "s", "g1")
    assert all(dict(zip(x[::2], x[1::2]))[b"inactive"] >= 0 for x in cons)
    # Appends after the load continue the loaded nodes as Redis would.
    assert c.xadd("s", {"f": 1}, id="2000-0") == rc.xadd("s", {"f": 1}, id="2000-0")
    assert c.xinfo_stream("s")["length"] == rc.xinfo_stream("s")["length"]
    rc.flushall()


def test_rdb_version_10_streams_load_in_redis_70(redis_server, cairn_factory):
    s = cairn_factory("--save", "", "--rdb-version", "10")
    c = s.client()
    populate_streams(c)
    expected = c.execute_command("DEBUG", "DIGEST")
    infos = {k: full(c, k) for k in KEYS}
    c.save()
    shutil.copy(s.dir / "dump.rdb", redis_server.dir / "dump.rdb")
    rc = redis_server.client()
    assert rc.execute_command("DEBUG", "RELOAD", "NOSAVE") == b"OK"
    assert rc.execute_command("DEBUG", "DIGEST") == expected
    for k in KEYS:
        assert full(rc, k) == infos[k], k
    rc.flushall()


def test_stream_save_and_reload_in_cairn(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    populate_streams(c)
    expected = c.execute_command("DEBUG", "DIGEST")
    infos = {k: c.execute_command("XINFO", "STREAM", k, "FULL") for k in KEYS}
    assert c.execute_command("DEBUG", "RELOAD") == b"OK"
    assert c.execute_command("DEBUG", "DIGEST") == expected
    for k in KEYS:
        assert c.execute_command("XINFO", "STREAM", k, "FULL") == infos[k], k


def test_stream_dump_restore(redis_server, cairn_factory):
    rc = redis_server.client()
    rc.flushall()
    populate_streams(rc)
    s = cairn_factory("--save", "")
    c = s.client()
    for k in KEYS:
        c.restore(k, 0, rc.dump(k))
        assert c.execute_command("DEBUG", "DIGEST-VALUE", k) == rc.execute_command("DEBUG", "DIGEST-VALUE", k), k
        c.restore(f"copy:{k}", 0, c.dump(k))
        assert c.execute_command("DEBUG", "DIGEST-VALUE", f"copy:{k}") == c.execute_command("DEBUG", "DIGEST-VALUE", k)
        assert full(c, f"copy:{k}") == full(c, k)
    # Damaged bodies with a valid footer are refused, never loaded half-way or crashing the server.
    body = c.dump("s")[:-10]
    rnd = random.Random(11)
    for i in range(300):
        damaged = bytearray(body)
        for _ in range(rnd.randrange(1, 4)):
            damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        footer = bytes([11, 0])
        payload = bytes(damaged) + footer + crc64(bytes(damaged) + footer).to_bytes(8, "little")
        try:
            c.restore(f"fuzz{i}", 0, payload)
        except Exception as e:
            assert "Bad data format" in str(e), str(e)
    assert c.ping()
    rc.flushall()

"""RDB persistence: SAVE / BGSAVE / startup load / SHUTDOWN saves / DEBUG RELOAD / FLUSHALL, INFO
persistence fields, dumps written by Debian's redis-server 7.0 loading into Cairn, and DUMP / RESTORE
across both servers (Cairn emits payload version 11 as Valkey 8 does, which 7.0 refuses)."""

import os
import subprocess
import random
import shutil
import time

import pytest

from cairn_helpers import parse_info


def populate(c, n=50):
    """Every type in its compact and large encodings, TTLs, several databases."""
    p = c.pipeline(transaction=False)
    for i in range(n):
        p.set(f"s:{i}", f"value-{i}")
        p.set(f"n:{i}", i * 1000003)
    p.set("big", "x" * 5000)
    p.set("bin", bytes(range(256)))
    p.set("ttl", "soon", px=3_600_000)
    p.rpush("smalllist", *range(10))
    p.rpush("biglist", *[f"element-{i}" * 3 for i in range(3000)])
    p.rpush("plainlist", "p" * 10000, "q")
    p.sadd("intset", *range(20))
    p.sadd("lpset", *[f"m{i}" for i in range(20)])
    p.sadd("htset", *[f"m{i}" for i in range(700)])
    # Quarters print alike as %.17g (Redis 7.0's digest) and as shortest digits (Valkey 8's and Cairn's).
    p.zadd("smallz", {f"z{i}": i / 4 for i in range(20)})
    p.zadd("bigz", {f"z{i}": i * 1.5 for i in range(500)})
    p.zadd("infz", {"lo": float("-inf"), "hi": float("inf")})
    p.hset("smallh", mapping={f"f{i}": f"v{i}" for i in range(20)})
    p.hset("bigh", mapping={f"f{i}": f"v{i}" for i in range(1000)})
    p.hset("longh", mapping={"f": "v" * 100})
    p.execute()
    c.execute_command("SELECT", 3)
    c.set("in-db-3", "yes")
    c.expire("in-db-3", 1000)
    c.execute_command("SELECT", 0)


def fill(c, n, value):
    """Keys k0 .. k{n-1} set to `value`, pipelined 10,000 at a time."""
    p = c.pipeline(transaction=False)
    for i in range(n):
        p.set(f"k{i}", value)
        if i % 10_000 == 9_999:
            p.execute()
    p.execute()


def digest(c):
    return c.execute_command("DEBUG", "DIGEST")


def info(c):
    return c.info("persistence")


def wait_bgsave(c, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if info(c)["rdb_bgsave_in_progress"] == 0:
            return
        time.sleep(0.02)
    raise AssertionError("BGSAVE did not finish")


def test_save_then_restart_loads_same_data(cairn_factory):
    s = cairn_factory()
    c = s.client()
    populate(c)
    before = digest(c)
    assert c.save() is True
    assert info(c)["rdb_changes_since_last_save"] == 0
    assert info(c)["rdb_saves"] == 1
    s.kill()
    s.start()
    c = s.client()
    assert digest(c) == before
    assert c.object("encoding", "intset") == b"intset"
    assert c.object("encoding", "lpset") == b"listpack"
    assert c.object("encoding", "htset") == b"hashtable"
    assert c.object("encoding", "biglist") == b"quicklist"
    assert c.object("encoding", "bigz") == b"skiplist"
    assert 0 < c.pttl("ttl") <= 3_600_000
    log = s.log_text()
    assert "DB loaded from disk:" in log and "seconds" in log
    assert "Loading RDB produced by version" in log
    assert info(c)["rdb_last_load_keys_loaded"] == c.dbsize() + 1


def test_bgsave_keeps_point_in_time_image(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    fill(c, 200_000, "old")
    before = digest(c)
    assert c.bgsave() is True
    # Writes after the capture must not reach the file.
    p = c.pipeline(transaction=False)
    for i in range(0, 200_000, 7):
        p.set(f"k{i}", "new")
    p.delete("k1")
    p.set("added", "1")
    p.execute()
    wait_bgsave(c)
    assert info(c)["rdb_last_bgsave_status"] == "ok"
    assert info(c)["rdb_last_bgsave_time_sec"] >= 0
    s.kill()
    s.start()
    c = s.client()
    assert digest(c) == before
    assert c.get("k7") == b"old" and c.get("added") is None


def test_bgsave_under_writes_is_the_image_at_its_start(cairn_factory):
    """The capture spans several loop turns (a bounded number of segments each): overwrites, new keys that
    split segments, deletes, expiries, MOVE, FLUSHDB and SWAPDB sent right behind BGSAVE, in the same
    pipeline, all stay out of the dump, which redis-check-rdb accepts."""
    s = cairn_factory("--save", "", "--rdb-version", "10")
    c = s.client()
    populate(c)
    fill(c, 300_000, "old")
    c.execute_command("SELECT", 2)
    c.set("in-db-2", "x")
    c.execute_command("SELECT", 0)
    p = c.pipeline(transaction=False)
    p.execute_command("DEBUG", "DIGEST")
    p.bgsave()
    for i in range(0, 300_000, 3):
        p.set(f"k{i}", "new")
    for i in range(300_000, 400_000):
        p.set(f"k{i}", "added")
    for i in range(1, 300_000, 5):
        p.delete(f"k{i}")
    for i in range(2, 300_000, 11):
        p.pexpire(f"k{i}", 1)
    p.move("s:1", 1)
    p.execute_command("SELECT", 2)
    p.flushdb()
    p.execute_command("SELECT", 0)
    p.execute_command("SWAPDB", 0, 4)
    replies = p.execute()
    at_start = replies[0]
    wait_bgsave(c)
    assert info(c)["rdb_last_bgsave_status"] == "ok"
    assert c.dbsize() == 0 and digest(c) != at_start
    checker = shutil.which("redis-check-rdb")
    if checker:
        out = subprocess.run([checker, str(s.dir / "dump.rdb")], capture_output=True, text=True)
        assert out.returncode == 0 and "RDB looks OK" in out.stdout, out.stdout
    s.kill()
    s.start()
    c = s.client()
    assert digest(c) == at_start
    assert c.get("k3") == b"old" and c.get("k1") == b"old" and c.get("k300000") is None
    assert c.ttl("k2") == -1


def test_bgsave_schedule_and_errors(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    p = c.pipeline(transaction=False)
    for i in range(100_000):
        p.set(f"k{i}", "v" * 50)
    p.execute()
    assert s.call("BGSAVE") == b"Background saving started"
    if info(c)["rdb_bgsave_in_progress"]:
        assert "Background save already in progress" in str(s.call("BGSAVE"))
        assert s.call("BGSAVE", "SCHEDULE") in (b"Background saving scheduled", b"Background saving started")
    wait_bgsave(c)
    with pytest.raises(Exception, match="syntax error"):
        c.execute_command("BGSAVE", "NOW")


def test_lastsave_and_changes_counter(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    c.set("a", 1)
    c.set("b", 2)
    assert info(c)["rdb_changes_since_last_save"] == 2
    before = c.lastsave()
    time.sleep(1.1)
    c.save()
    assert c.lastsave() > before
    assert info(c)["rdb_changes_since_last_save"] == 0


def test_save_point_fires_from_cron(cairn_factory):
    s = cairn_factory("--save", "1 3")
    c = s.client()
    for i in range(5):
        c.set(f"k{i}", i)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and info(c)["rdb_saves"] == 0:
        time.sleep(0.1)
    assert info(c)["rdb_saves"] >= 1
    assert "changes in 1 seconds. Saving..." in s.log_text()
    assert (s.dir / "dump.rdb").exists()


def test_sigterm_saves_when_save_points_exist(cairn_factory):
    s = cairn_factory()
    c = s.client()
    c.set("kept", "yes")
    s.stop()
    assert "Saving the final RDB snapshot before exiting." in s.log_text()
    s.start()
    assert s.client().get("kept") == b"yes"


@pytest.mark.parametrize("args,option,survives", [((), "nosave", False), (("--save", ""), "save", True)])
def test_shutdown_nosave_and_save(cairn_factory, args, option, survives):
    s = cairn_factory(*args)
    c = s.client()
    c.set("key", "1")
    try:
        c.shutdown(**{option: True})
    except Exception:
        pass
    s.proc.wait(10)
    s.start()
    assert (s.client().get("key") == b"1") == survives


def test_debug_reload_keeps_data(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    populate(c, n=20)
    before = digest(c)
    assert c.execute_command("DEBUG", "RELOAD") == b"OK"
    assert digest(c) == before


def test_flushall_rewrites_dump(cairn_factory):
    s = cairn_factory()
    c = s.client()
    c.set("x", "1")
    c.save()
    c.flushall()
    s.kill()
    s.start()
    assert s.client().dbsize() == 0


def test_expired_keys_are_dropped_at_load(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    c.set("short", "1", px=300)
    c.set("long", "1")
    c.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
    c.save()
    time.sleep(0.5)
    s.kill()
    s.start()
    c = s.client()
    assert c.get("long") == b"1" and c.exists("short") == 0
    assert info(c)["rdb_last_load_keys_expired"] == 1


@pytest.mark.parametrize("damage", ["truncate", "flip", "version", "garbage"])
def test_bad_dump_stops_startup_with_reason(cairn_factory, damage):
    s = cairn_factory("--save", "")
    c = s.client()
    populate(c, n=10)
    c.save()
    s.kill()
    path = s.dir / "dump.rdb"
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 2] ^= 0x10
    elif damage == "version":
        data[5:9] = b"0099"
    else:
        data = bytearray(b"not an rdb file at all")
    path.write_bytes(bytes(data))
    log = s.start_refused()
    assert "Fatal error loading the DB" in log and "dump.rdb" in log and "offset" in log


def test_redis_70_dump_loads_in_cairn(redis_server, cairn_factory):
    rc = redis_server.client()
    rc.flushall()
    populate(rc)
    rc.config_set("list-max-listpack-size", 4)
    rc.rpush("tiny-nodes", *range(30))
    rc.config_set("list-max-listpack-size", -2)
    expected = digest(rc)
    encodings = {k: rc.object("encoding", k) for k in rc.keys()}
    rc.save()
    s = cairn_factory(start=False)
    shutil.copy(redis_server.dir / "dump.rdb", s.dir / "dump.rdb")
    s.start()
    c = s.client()
    assert digest(c) == expected
    for k, enc in encodings.items():
        # 7.2 (Cairn's semantics) loads small sets of strings as listpack; 7.0 has no listpack sets.
        # Likewise 7.0 makes every list a quicklist, where 7.2 keeps a one-node small list as listpack.
        want = b"listpack" if k in (b"lpset", b"smalllist") else enc
        assert c.object("encoding", k) == want, k
    assert "Loading RDB produced by version 7.0" in s.log_text()
    rc.flushall()


def test_dump_restore_across_servers(redis_server, cairn_factory):
    rc = redis_server.client()
    rc.flushall()
    populate(rc, n=5)
    s = cairn_factory("--save", "")
    c = s.client()
    for k in rc.keys():
        payload = rc.dump(k)
        ttl = rc.pttl(k)
        c.restore(k, max(ttl, 0), payload)
        assert c.execute_command("DEBUG", "DIGEST-VALUE", k) == rc.execute_command("DEBUG", "DIGEST-VALUE", k), k
    # Cairn writes version 11 payloads, like Valkey 8; Redis 7.0 reads only <= 10.
    with pytest.raises(Exception, match="DUMP payload version or checksum are wrong"):
        rc.restore("from-cairn", 0, c.dump("smallz"))
    # Cairn reads its own payloads back.
    for k in [b"smallz", b"bigh", b"biglist", b"intset", b"big", b"n:3"]:
        c.restore(b"copy:" + k, 0, c.dump(k))
        assert c.execute_command("DEBUG", "DIGEST-VALUE", b"copy:" + k) == c.execute_command("DEBUG", "DIGEST-VALUE", k)
    rc.flushall()


def test_restore_options_and_errors(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    c.set("src", "hello")
    payload = c.dump("src")
    with pytest.raises(Exception, match="BUSYKEY Target key name already exists."):
        c.restore("src", 0, payload)
    assert c.restore("src", 0, payload, replace=True) == b"OK"
    with pytest.raises(Exception, match="Invalid TTL value, must be >= 0"):
        c.restore("t", -1, payload)
    with pytest.raises(Exception, match="DUMP payload version or checksum are wrong"):
        c.restore("t", 0, payload[:-1] + bytes([payload[-1] ^ 1]))
    with pytest.raises(Exception, match="DUMP payload version or checksum are wrong"):
        c.restore("t", 0, b"short")
    with pytest.raises(Exception, match="Invalid IDLETIME value, must be >= 0"):
        c.execute_command("RESTORE", "t", 0, payload, "IDLETIME", -1)
    with pytest.raises(Exception, match="Invalid FREQ value, must be >= 0 and <= 255"):
        c.execute_command("RESTORE", "t", 0, payload, "FREQ", 256)
    with pytest.raises(Exception, match="syntax error"):
        c.execute_command("RESTORE", "t", 0, payload, "IDLETIME", 1, "FREQ", 1)
    assert c.execute_command("RESTORE", "t", 0, payload, "IDLETIME", 10) == b"OK"
    now_ms = int(time.time() * 1000)
    c.restore("abs", now_ms + 100_000, payload, absttl=True)
    assert 0 < c.pttl("abs") <= 100_000
    c.restore("gone", now_ms - 1000, payload, absttl=True)
    assert c.exists("gone") == 0
    assert c.dump("missing") is None


def crc64(data: bytes) -> int:
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x95AC9329AC4BC9B5 if crc & 1 else 0)
    return crc


def test_restore_fuzz_never_crashes(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    c.rpush("l", *range(50))
    c.hset("h", mapping={f"f{i}": i for i in range(10)})
    c.zadd("z", {f"m{i}": i for i in range(10)})
    c.sadd("s", *[f"x{i}" for i in range(10)])
    c.set("str", "y" * 100)
    bodies = [c.dump(k)[:-10] for k in ["l", "h", "z", "s", "str"]]
    rnd = random.Random(7)
    for i in range(600):
        body = bytearray(rnd.choice(bodies))
        if i % 3 == 0:
            body = bytearray(rnd.randrange(256) for _ in range(rnd.randrange(1, 40)))
        else:
            for _ in range(rnd.randrange(1, 4)):
                body[rnd.randrange(len(body))] = rnd.randrange(256)
        footer = bytes([11, 0])
        payload = bytes(body) + footer + crc64(bytes(body) + footer).to_bytes(8, "little")
        try:
            c.restore(f"fuzz{i}", 0, payload)
        except Exception as e:
            assert "Bad data format" in str(e), str(e)
    assert c.ping()


def test_rdb_version_10_loads_in_redis_70(redis_server, cairn_factory):
    s = cairn_factory("--save", "", "--rdb-version", "10")
    c = s.client()
    populate(c)
    expected = digest(c)
    c.save()
    shutil.copy(s.dir / "dump.rdb", redis_server.dir / "dump.rdb")
    rc = redis_server.client()
    assert rc.execute_command("DEBUG", "RELOAD", "NOSAVE") == b"OK"
    assert digest(rc) == expected
    checker = shutil.which("redis-check-rdb")
    if checker:
        out = subprocess.run([checker, str(s.dir / "dump.rdb")], capture_output=True, text=True)
        assert out.returncode == 0 and "RDB looks OK" in out.stdout, out.stdout
    rc.flushall()


def test_failed_bgsave_refuses_writes_with_misconf(cairn_factory):
    s = cairn_factory("--save", "3600 1", "--enable-protected-configs", "yes")
    c = s.client()
    c.set("a", 1)
    gone = s.dir / "gone"
    gone.mkdir()
    c.config_set("dir", str(gone))
    gone.rmdir()
    c.bgsave()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and info(c)["rdb_last_bgsave_status"] != "err":
        time.sleep(0.05)
    assert info(c)["rdb_last_bgsave_status"] == "err"
    time.sleep(0.3)
    with pytest.raises(Exception, match="MISCONF"):
        c.set("b", 2)
    assert c.get("a") == b"1"
    c.config_set("dir", str(s.dir))
    c.bgsave()
    wait_bgsave(c)
    time.sleep(0.3)
    assert c.set("b", 2) is True


def test_kill_during_bgsave_leaves_a_loadable_dump(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    p = c.pipeline(transaction=False)
    for i in range(150_000):
        p.set(f"k{i}", "v" * 40)
    p.execute()
    c.save()
    rnd = random.Random(3)
    for _ in range(4):
        c.set("marker", rnd.random())
        c.bgsave()
        time.sleep(rnd.uniform(0.0, 0.3))
        s.kill()
        s.start()
        c = s.client()
        assert c.dbsize() in (150_000, 150_001)


def test_flushall_stops_a_running_bgsave(cairn_factory):
    s = cairn_factory("--save", "")
    c = s.client()
    p = c.pipeline(transaction=False)
    for i in range(300_000):
        p.set(f"k{i}", "v" * 30)
    p.execute()
    c.bgsave()
    c.flushall()
    assert info(c)["rdb_bgsave_in_progress"] == 0
    if "Stopping the background save in progress" in s.log_text():
        assert not [f for f in os.listdir(s.dir) if f.startswith("temp-")]
    c.set("after", "1")
    c.save()
    s.kill()
    s.start()
    assert s.client().dbsize() == 1


@pytest.mark.parametrize("incremental", ["yes", "no"])
def test_dump_of_several_sync_steps_loads_back(cairn_factory, incremental):
    """rdb-save-incremental-fsync (default yes) has a BGSAVE sync the dump every 4 MB while writing it (SAVE
    syncs once); either way a dump of several steps, from BGSAVE or SAVE, loads back whole."""
    s = cairn_factory("--save", "")
    c = s.client()
    assert c.config_get("rdb-save-incremental-fsync") == {"rdb-save-incremental-fsync": "yes"}
    c.config_set("rdb-save-incremental-fsync", incremental)
    assert c.config_get("rdb-save-incremental-fsync") == {"rdb-save-incremental-fsync": incremental}
    p = c.pipeline(transaction=False)
    for i in range(3000):
        p.set(f"r{i}", os.urandom(4096))  # incompressible: 12 MB
    p.execute()
    before = digest(c)
    assert c.bgsave() is True
    wait_bgsave(c)
    assert info(c)["rdb_last_bgsave_status"] == "ok"
    assert os.path.getsize(os.path.join(s.dir, "dump.rdb")) > 12_000_000
    s.kill()
    s.start()
    c = s.client()
    assert digest(c) == before
    c.set("r0", "changed")
    before = digest(c)
    assert c.save() is True
    s.kill()
    s.start()
    assert digest(s.client()) == before

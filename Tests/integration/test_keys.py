"""Keyspace commands and expiry, compared byte for byte with the reference redis-server where the
reply is deterministic; Cairn-only checks for iteration order, randomness and timing."""

import time

import pytest

from cairn_helpers import RawConn, decode, parse_info

SCRIPTS = {
    "del-unlink-exists": """
        MSET a 1 b 2 c 3
        EXISTS a
        EXISTS a b missing
        EXISTS a a a
        DEL a missing
        DEL a
        EXISTS a
        UNLINK b c missing
        EXISTS b c
        DEL
        UNLINK
        EXISTS
        MSET x 1 y 2
        DEL x x y
    """,
    "type": """
        SET s v
        TYPE s
        TYPE missing
        PFADD h a
        TYPE h
        TYPE
        TYPE a b
    """,
    "rename": """
        SET a 1
        RENAME a b
        GET a
        GET b
        RENAME missing x
        RENAME b b
        GET b
        SET c 3
        RENAME b c
        GET c
        SET t v EX 100
        RENAME t t2
        TTL t2
        SET plain x
        RENAME plain t2
        TTL t2
        RENAME a
        RENAME a b c
    """,
    "renamenx": """
        MSET a 1 b 2
        RENAMENX a b
        RENAMENX a c
        MGET a b c
        RENAMENX missing d
        RENAMENX c c
        SET t v PX 100000
        RENAMENX t t2
        TTL t2
        RENAMENX a
    """,
    "copy": """
        SET a hello
        COPY a b
        GET b
        COPY a b
        COPY a b REPLACE
        COPY missing x
        COPY a a
        COPY a a REPLACE
        COPY a d DB 1
        SELECT 1
        GET d
        SELECT 0
        COPY a d DB 1
        COPY a d DB 1 REPLACE
        COPY a x DB 16
        COPY a x DB -1
        COPY a x DB abc
        COPY a x BOGUS
        COPY a x DB
        COPY a x REPLACE REPLACE
        COPY a a DB 0
        SET t v EX 100
        COPY t t2
        TTL t2
        COPY
        COPY a
    """,
    "move": """
        SET a 1
        MOVE a 1
        EXISTS a
        SELECT 1
        GET a
        SET a other
        SELECT 0
        SET a 2
        MOVE a 1
        GET a
        MOVE missing 1
        MOVE a 0
        MOVE a 16
        MOVE a -1
        MOVE a abc
        SET t v EX 100
        MOVE t 2
        SELECT 2
        TTL t
        SELECT 0
        MOVE a
        MOVE
    """,
    "keys": """
        MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 "h*llo" 6 foo 7 "a b" 8 "" 9
        ~KEYS *
        ~KEYS h?llo
        ~KEYS h*llo
        ~KEYS h[ae]llo
        ~KEYS h[^e]llo
        ~KEYS h[a-b]llo
        ~KEYS "h\\\\*llo"
        ~KEYS "*o"
        ~KEYS "a b"
        ~KEYS nomatch*
        ~KEYS ""
        ~KEYS "[]"
        ~KEYS "h[a-"
        ~KEYS "\\\\"
        KEYS
        KEYS a b
    """,
    "dbsize-randomkey-touch": """
        DBSIZE
        RANDOMKEY
        SET only v
        RANDOMKEY
        DBSIZE
        MSET a 1 b 2
        DBSIZE
        TOUCH a b missing
        TOUCH a a
        TOUCH
        DBSIZE extra
        RANDOMKEY extra
    """,
    "expire-family": """
        SET k v
        EXPIRE k 100
        TTL k
        EXPIRE missing 100
        PEXPIRE k 200000
        TTL k
        EXPIREAT k 4102444800
        EXPIRETIME k
        PEXPIRETIME k
        PEXPIREAT k 4102444800999
        PEXPIRETIME k
        EXPIRETIME k
        EXPIRE k abc
        EXPIRE k 1.5
        PEXPIRE k abc
        EXPIREAT k abc
        EXPIRE k 9223372036854775807
        PEXPIRE k 9223372036854775807
        EXPIREAT k 9223372036854775807
        PEXPIREAT k 9223372036854775807
        EXPIRE k 9223372036854775
        EXPIRE k -9223372036854775808
        EXISTS k
        SET k v
        EXPIRE k -1
        EXISTS k
        SET k v
        PEXPIRE k 0
        EXISTS k
        SET k v
        EXPIREAT k 1
        EXISTS k
        SET k v
        PEXPIREAT k 1000
        EXISTS k
        EXPIRE
        EXPIRE k
        EXPIRE k 10 NX XX extra
    """,
    "expire-nx-xx-gt-lt": """
        SET k v
        EXPIRE k 100 XX
        TTL k
        EXPIRE k 100 GT
        TTL k
        EXPIRE k 100 LT
        TTL k
        EXPIRE k 200 NX
        EXPIRE k 100 NX
        TTL k
        EXPIRE k 50 GT
        EXPIRE k 300 GT
        TTL k
        EXPIRE k 400 LT
        EXPIRE k 50 LT
        TTL k
        EXPIRE k 60 XX
        TTL k
        EXPIRE k 70 XX GT
        TTL k
        EXPIRE k 10 XX LT
        TTL k
        EXPIRE k 10 NX XX
        EXPIRE k 10 GT LT
        EXPIRE k 10 NX GT
        EXPIRE k 10 NX LT
        EXPIRE k 10 BOGUS
        EXPIRE k 10 nx
        EXPIRE missing 10 NX
        PEXPIRE k 5000000 GT
        TTL k
        PEXPIRE k 1000 LT
        PTTL missing
        EXPIREAT k 4102444800 GT
        EXPIRETIME k
        EXPIREAT k 4102444801 LT
        EXPIRETIME k
        PEXPIREAT k 4102444800500 LT
        PEXPIRETIME k
        PEXPIREAT k 4102444800500 NX
        PEXPIREAT k 10 GT GT
        SET p v
        EXPIRE p -5 GT
        EXISTS p
        EXPIRE p -5 LT
        EXISTS p
        SET q v
        EXPIRE q -5 NX
        EXISTS q
    """,
    "ttl-persist": """
        TTL missing
        PTTL missing
        EXPIRETIME missing
        PEXPIRETIME missing
        SET k v
        TTL k
        PTTL k
        EXPIRETIME k
        PEXPIRETIME k
        PERSIST k
        EXPIRE k 100
        PERSIST k
        TTL k
        PERSIST missing
        TTL
        PERSIST
        TTL a b
    """,
    "select-swapdb": """
        SET a db0
        SELECT 1
        GET a
        SET a db1
        SELECT 0
        GET a
        SWAPDB 0 1
        GET a
        SELECT 1
        GET a
        SELECT 0
        SWAPDB 0 0
        GET a
        SELECT 16
        SELECT -1
        SELECT abc
        SELECT 1.0
        SELECT
        SWAPDB 0 16
        SWAPDB -1 0
        SWAPDB a 0
        SWAPDB 0
        SELECT 15
        SET top 15
        SELECT 0
        SWAPDB 15 0
        GET top
        DBSIZE
    """,
    "flushdb-flushall": """
        MSET a 1 b 2
        SELECT 1
        SET c 3
        FLUSHDB
        DBSIZE
        SELECT 0
        DBSIZE
        FLUSHDB ASYNC
        DBSIZE
        SET a 1
        FLUSHDB SYNC
        DBSIZE
        FLUSHDB BOGUS
        FLUSHDB SYNC ASYNC
        SET a 1
        SELECT 2
        SET b 2
        FLUSHALL
        DBSIZE
        SELECT 0
        DBSIZE
        FLUSHALL ASYNC
        FLUSHALL SYNC
        FLUSHALL BOGUS
        FLUSHALL async
    """,
    "object": """
        SET k hello
        OBJECT ENCODING k
        OBJECT ENCODING missing
        OBJECT REFCOUNT missing
        OBJECT IDLETIME missing
        OBJECT FREQ missing
        OBJECT FREQ k
        OBJECT REFCOUNT k
        OBJECT BOGUS k
        OBJECT ENCODING
        OBJECT ENCODING a b
        OBJECT
    """,
    "scan-errors": """
        SCAN 0
        SCAN abc
        SCAN 0 COUNT 0
        SCAN 0 COUNT -1
        SCAN 0 COUNT abc
        SCAN 0 MATCH
        SCAN 0 BOGUS x
        SCAN 18446744073709551616
        SCAN
    """,
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_key_script(both, name):
    both.script(SCRIPTS[name])


def test_object_idletime(cairn):
    r = cairn.client()
    r.set("idle", "v")
    assert r.object("idletime", "idle") in (0, 1)
    time.sleep(2.1)
    assert r.object("idletime", "idle") in (2, 3)
    r.get("idle")
    assert r.object("idletime", "idle") in (0, 1)


def test_object_help_shape(cairn):
    reply = cairn.call("OBJECT", "HELP")
    assert isinstance(reply, list) and len(reply) >= 5
    text = b"\n".join(reply).upper()
    for sub in (b"ENCODING", b"FREQ", b"IDLETIME", b"REFCOUNT"):
        assert sub in text


def test_scan_unknown_type_is_error_like_7_2(cairn):
    """Redis 7.2/Valkey 8 reject an unknown SCAN TYPE (7.0 returned nothing); not compared with 7.0."""
    reply = cairn.call("SCAN", "0", "TYPE", "nosuchtype")
    assert reply == "ERR unknown type name 'nosuchtype'"


def _full_scan(conn, *extra):
    cursor, keys, rounds = b"0", [], 0
    while True:
        reply = conn.call("SCAN", cursor, *extra)
        assert isinstance(reply, list) and len(reply) == 2, reply
        cursor, batch = reply
        keys.extend(batch)
        rounds += 1
        assert rounds < 100000
        if cursor == b"0":
            return keys, rounds


def test_scan_full_iteration(cairn):
    r = cairn.client()
    r.flushall()
    names = [f"key:{i}".encode() for i in range(3000)]
    for i in range(0, len(names), 500):
        r.mset({k: b"v" for k in names[i:i + 500]})
    r.pfadd("hll", "a")
    with RawConn(cairn.port) as c:
        keys, rounds = _full_scan(c)
        assert set(keys) == set(names) | {b"hll"}
        assert rounds > 1, "SCAN returned everything at once with the default COUNT"
        keys, _ = _full_scan(c, "COUNT", 1000)
        assert set(keys) == set(names) | {b"hll"}
        keys, _ = _full_scan(c, "MATCH", "key:1??", "COUNT", 100)
        assert set(keys) == {f"key:{i}".encode() for i in range(100, 200)}
        keys, _ = _full_scan(c, "TYPE", "string", "MATCH", "key:29*")
        assert set(keys) == {k for k in names if k.startswith(b"key:29")}
        keys, _ = _full_scan(c, "MATCH", "nothing*")
        assert keys == []


def test_scan_survives_writes(cairn):
    """Keys present for the whole scan are returned at least once even while others are added/removed."""
    r = cairn.client()
    r.flushall()
    stable = {f"s:{i}".encode() for i in range(2000)}
    r.mset({k: 1 for k in stable})
    seen = set()
    cursor = 0
    n = 0
    while True:
        cursor, batch = r.scan(cursor, count=50)
        seen.update(batch)
        r.set(f"tmp:{n}", 1)
        if n % 3 == 0:
            r.delete(f"tmp:{n // 2}")
        n += 1
        if cursor == 0:
            break
    assert stable <= seen


def test_randomkey_returns_existing_keys(cairn):
    r = cairn.client()
    r.flushall()
    names = {f"k{i}".encode() for i in range(50)}
    r.mset({k: 1 for k in names})
    got = {r.randomkey() for _ in range(300)}
    assert got <= names
    assert len(got) > 10


def test_randomkey_skips_expired(cairn):
    r = cairn.client()
    r.flushall()
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        for i in range(20):
            r.set(f"gone{i}", 1, px=50)
        r.set("live", 1)
        time.sleep(0.15)
        for _ in range(30):
            assert r.randomkey() == b"live"
    finally:
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_keys_and_scan_skip_expired(cairn):
    r = cairn.client()
    r.flushall()
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        r.set("gone", 1, px=50)
        r.set("live", 1)
        time.sleep(0.15)
        assert r.keys("*") == [b"live"]
        assert r.scan(0, count=100)[1] == [b"live"]
        assert r.exists("gone") == 0
    finally:
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def _info(r, section):
    """INFO text via a raw command (redis-py would parse it into a dict)."""
    port = r.connection_pool.connection_kwargs["port"]
    with RawConn(port) as c:
        return c.call("INFO", section).decode()


def _keyspace_keys(r, db=0):
    sec = parse_info(_info(r, "keyspace")).get("keyspace", {})
    field = sec.get(f"db{db}")
    if not field:
        return 0
    return int(dict(p.split("=") for p in field.split(","))["keys"])


def test_active_expiry_removes_untouched_keys(cairn):
    """Keys with a 100 ms TTL disappear without being accessed (DBSIZE does not expire keys)."""
    r = cairn.client()
    r.flushall()
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    before = int(parse_info(_info(r, "stats"))["stats"]["expired_keys"])
    with r.pipeline(transaction=False) as p:
        for i in range(500):
            p.set(f"volatile:{i}", "x", px=100)
        p.set("persistent", "x")
        p.execute()
    assert r.dbsize() == 501
    deadline = time.time() + 5
    while time.time() < deadline and r.dbsize() > 1:
        time.sleep(0.05)
    assert r.dbsize() == 1
    assert _keyspace_keys(r) == 1
    after = int(parse_info(_info(r, "stats"))["stats"]["expired_keys"])
    assert after - before == 500


def test_active_expiry_matches_reference(both):
    """Same scenario on both servers: after the active cycle, DBSIZE and INFO keyspace agree."""
    for i in range(200):
        both("SET", f"v{i}", "x", "PX", 100)
    both("SET", "p", "x")
    both("SET", "later", "x", "EX", 1000)
    time.sleep(1.5)
    both("DBSIZE")
    both("EXISTS", "v1", "p", "later")


def test_lazy_expiry_only_when_active_disabled(both):
    both("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        for i in range(50):
            both("SET", f"v{i}", "x", "PX", 100)
        both("SET", "p", "x")
        time.sleep(0.4)
        both("DBSIZE")  # still 51: nothing touched them
        both("GET", "v0")  # lazily expired now
        both("DBSIZE")
        both("EXISTS", "v1", "v2")
        both("DBSIZE")
        both("TTL", "v3")
        both("TYPE", "v4")
        both("STRLEN", "v5")
        both("DBSIZE")
    finally:
        both("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    time.sleep(1.5)
    both("DBSIZE")


def test_expired_key_replies(both):
    """Every read path treats a logically expired key as missing (active expiry off)."""
    both("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        both("SET", "k", "12", "PX", 50)
        time.sleep(0.15)
        both.script("""
            TTL k
            PTTL k
            EXPIRETIME k
            OBJECT ENCODING k
            GETRANGE k 0 -1
            BITCOUNT k
            APPEND k 3
            GET k
            TTL k
        """)
        both("SET", "j", "12", "PX", 50)
        time.sleep(0.15)
        both.script("""
            INCR j
            TTL j
            SETNX j v
        """)
        both("SET", "m", "1", "PX", 50)
        time.sleep(0.15)
        both.script("""
            RENAME m n
            COPY m n
            MOVE m 1
            EXPIRE m 100
            PERSIST m
            SET m v XX
            DBSIZE
        """)
    finally:
        both("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_expiry_preserved_or_cleared(both):
    """Which writes keep a key's TTL and which clear it."""
    both.script("""
        SET k v EX 1000
        APPEND k x
        TTL k
        SETRANGE k 0 y
        TTL k
        SETBIT k 1 1
        TTL k
        SET n 1 EX 1000
        INCR n
        INCRBYFLOAT n 1.5
        TTL n
        SET k v
        TTL k
        SET k v EX 1000
        GETSET k w
        TTL k
        SET k v EX 1000
        MSET k w
        TTL k
        SET k v EX 1000
        GETEX k
        TTL k
        GETEX k PERSIST
        TTL k
        SET k v EX 1000
        RENAME k k2
        TTL k2
        PFADD h a
        EXPIRE h 1000
        PFADD h b
        TTL h
        BITOP OR h k2
        TTL h
    """)


def test_pttl_values(cairn):
    r = cairn.client()
    r.flushall()
    r.set("k", "v")
    assert r.pexpire("k", 3000)
    assert 2900 <= r.pttl("k") <= 3000
    assert r.expire("k", 10)
    assert 9900 <= r.pttl("k") <= 10000
    t = int(time.time() * 1000) + 20000
    assert r.pexpireat("k", t)
    assert r.pexpiretime("k") == t
    assert r.expiretime("k") == (t + 500) // 1000 or r.expiretime("k") == t // 1000


def test_expire_large_numbers_of_keys(cairn):
    """10,000 volatile keys expire; non-volatile ones survive; INFO keyspace expires field agrees."""
    r = cairn.client()
    r.flushall()
    with r.pipeline(transaction=False) as p:
        for i in range(10000):
            # Two seconds: long enough that a loaded machine sends the whole pipeline and INFO before any expires.
            p.set(f"t{i}", "x", px=2000 + (i % 100))
        for i in range(100):
            p.set(f"keep{i}", "x")
        p.execute()
    info = parse_info(_info(r, "keyspace"))["keyspace"]["db0"]
    fields = dict(p.split("=") for p in info.split(","))
    assert fields["keys"] == "10100"
    assert fields["expires"] == "10000"
    deadline = time.time() + 30
    while time.time() < deadline and r.dbsize() > 100:
        time.sleep(0.1)
    assert r.dbsize() == 100


def test_swapdb_and_select_with_clients(cairn):
    a = cairn.client()
    b = cairn.client(db=1)
    a.flushall()
    a.set("k", "zero")
    b.set("k", "one")
    assert a.swapdb(0, 1)
    assert a.get("k") == b"one"
    assert b.get("k") == b"zero"


def test_move_and_copy_between_dbs_with_clients(cairn):
    r0 = cairn.client()
    r3 = cairn.client(db=3)
    r0.flushall()
    r0.set("k", "v", ex=100)
    assert r0.copy("k", "k", destination_db=3)
    assert r3.get("k") == b"v"
    assert 0 < r3.ttl("k") <= 100
    assert r0.move("k", 4) is True
    assert cairn.client(db=4).get("k") == b"v"
    assert r0.exists("k") == 0

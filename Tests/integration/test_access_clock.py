"""Inline short keys and strings, and the per-key access field (LRU clock / LFU counter) behind OBJECT IDLETIME,
OBJECT FREQ, DEBUG OBJECT and CLIENT NO-TOUCH."""

import time


def test_string_lengths_around_the_inline_limits(both):
    """Keys and values on each side of the inline capacities (15-byte keys, 23-byte values) and of embstr's 44."""
    for n in (0, 1, 14, 15, 16, 17, 22, 23, 24, 44, 45, 100):
        key = "k" * max(n, 1)
        value = "v" * n
        both("SET", key, value)
        both("GET", key)
        both("STRLEN", key)
        both("OBJECT", "ENCODING", key)
        both("GETRANGE", key, "1", "-2")
        both("EXISTS", key)
    both.script("""
        SET short 12345678901234567890123
        APPEND short x
        OBJECT ENCODING short
        GET short
        SET s2 abcdefghijklmnopqrstuvw
        SETRANGE s2 22 XY
        OBJECT ENCODING s2
        GET s2
        SET s3 abc
        GETSET s3 abcdefghijklmnopqrstuvwxyz0123
        GET s3
        OBJECT ENCODING s3
        GETDEL s3
        INCRBYFLOAT f 2.5
        OBJECT ENCODING f
        SET kkkkkkkkkkkkkkkk x
        RENAME kkkkkkkkkkkkkkkk k
        GET k
        RENAME k kkkkkkkkkkkkkkkkkkkkkkkkk
        GET kkkkkkkkkkkkkkkkkkkkkkkkk
        ~KEYS k*
        DBSIZE
    """)


def test_object_freq_and_idletime_follow_the_policy(both):
    """FREQ needs an LFU policy and IDLETIME a non-LFU one, with Redis's error texts; a missing key answers null
    before the policy is checked. With lfu-log-factor 0 every access counts, so counters are deterministic."""
    both("SET", "k", "v")
    both("OBJECT", "FREQ", "k")
    both("OBJECT", "FREQ", "missing")
    try:
        both("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu", "lfu-log-factor", "0")
        both("SET", "new", "v")
        both("OBJECT", "FREQ", "new")
        both("OBJECT", "IDLETIME", "new")
        both("OBJECT", "IDLETIME", "missing")
        for _ in range(7):
            both("GET", "new")
        both("OBJECT", "FREQ", "new")
        both("OBJECT", "ENCODING", "new")
        both("OBJECT", "FREQ", "new")
        both("TOUCH", "new", "missing")
        both("OBJECT", "FREQ", "new")
        both("SET", "new", "w")
        both("OBJECT", "FREQ", "new")
        both("CONFIG", "GET", "lfu-*", sort=True)
    finally:
        both("CONFIG", "SET", "maxmemory-policy", "noeviction", "lfu-log-factor", "10")
    both("OBJECT", "FREQ", "new")


def test_lfu_config_validation(both):
    both("CONFIG", "SET", "lfu-log-factor", "-1")
    both("CONFIG", "SET", "lfu-decay-time", "x")
    both("CONFIG", "SET", "lfu-decay-time", "1")
    both("CONFIG", "GET", "lfu-decay-time")


def test_lookups_that_do_not_touch(cairn):
    """OBJECT, TYPE, EXISTS and TTL read a key without counting as an access, as in Redis; DEBUG OBJECT shows the
    raw field and the idle seconds."""
    r = cairn.client()
    r.set("idle", "v")
    time.sleep(1.1)
    r.object("encoding", "idle")
    r.type("idle")
    r.exists("idle")
    r.ttl("idle")
    assert r.object("idletime", "idle") in (1, 2)
    fields = dict(f.split(b":", 1) for f in cairn.call("DEBUG", "OBJECT", "idle").split() if b":" in f)
    idle = int(fields[b"lru_seconds_idle"])
    assert idle in (1, 2)
    assert 0 <= int(r.info("server")["lru_clock"]) - idle - int(fields[b"lru"]) <= 1
    r.touch("idle")
    assert r.object("idletime", "idle") == 0


def test_client_no_touch(cairn_factory):
    s = cairn_factory("--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor", "0")
    r = s.client()
    r.set("k", "v")
    assert r.object("freq", "k") == 5
    assert r.execute_command("CLIENT", "NO-TOUCH", "ON") == b"OK"
    assert b"T" in r.execute_command("CLIENT", "INFO").split(b" flags=")[1].split(b" ")[0]
    r.get("k")
    assert r.object("freq", "k") == 5
    # TOUCH still touches for a NO-TOUCH client.
    assert r.touch("k") == 1
    assert r.object("freq", "k") == 6
    assert r.execute_command("CLIENT", "NO-TOUCH", "OFF") == b"OK"
    r.get("k")
    assert r.object("freq", "k") == 7
    assert s.call("CLIENT", "NO-TOUCH", "maybe") == "ERR syntax error"
    assert s.call("CLIENT", "NO-TOUCH") == "ERR wrong number of arguments for 'client|no-touch' command"
    r.execute_command("CLIENT", "NO-TOUCH", "ON")
    r.execute_command("RESET")
    r.get("k")
    assert r.object("freq", "k") == 8

"""Streams: XADD and trimming, ranges, XREAD, consumer groups (PEL, claims, XAUTOCLAIM with deleted entries),
XINFO, XSETID, blocking reads, keyspace events — replies compared with the reference redis-server where they
are deterministic (explicit IDs; times masked)."""
import time

import pytest

from cairn_helpers import RawConn, decode, encode


def _masked(both, *args, mask):
    """Runs a command on both servers and compares the decoded replies after `mask` blanked the times."""
    c, r = both.pair()
    got, ref = decode(c.cmd(*args)), decode(r.cmd(*args))
    assert mask(got) == mask(ref), (args, got, ref)
    return got


def _pending_idle(rows):
    return [[row[0], row[1], 0, row[3]] for row in rows]


def _full_times(info):
    """XINFO STREAM FULL with delivery, seen and active times blanked (7.0 has no active-time: dropped)."""
    info = dict(zip(info[::2], info[1::2]))
    groups = []
    for g in info[b"groups"]:
        g = dict(zip(g[::2], g[1::2]))
        g[b"pending"] = [[p[0], p[1], 0, p[3]] for p in g[b"pending"]]
        consumers = []
        for c in g[b"consumers"]:
            c = dict(zip(c[::2], c[1::2]))
            c.pop(b"active-time", None)
            c[b"seen-time"] = 0
            c[b"pending"] = [[p[0], 0, p[2]] for p in c[b"pending"]]
            consumers.append(c)
        g[b"consumers"] = consumers
        groups.append(g)
    info[b"groups"] = groups
    return info


def test_xadd_ids_and_errors(both):
    both("XADD", "s", "1-1", "f", "v")
    both("XADD", "s", "1-1", "f", "v")
    both("XADD", "s", "1-0", "f", "v")
    both("XADD", "s", "1-*", "a", "1", "b", "2")
    both("XADD", "s", "5-*", "a", "1")
    both("XADD", "s", "5", "a", "1")
    both("XADD", "s", "0-0", "a", "1")
    both("XADD", "t", "0-0", "a", "1")
    both("EXISTS", "t")
    both("XADD", "t", "0-*", "a", "1")
    both("XADD", "s", "abc", "a", "1")
    both("XADD", "s", "1-abc", "a", "1")
    both("XADD", "s", "-", "a", "1")
    both("XADD", "s", "+", "a", "1")
    both("XADD", "s", "-1", "a", "1")
    both("XADD", "s", "18446744073709551616-0", "a", "1")
    both("XADD", "s", "6-1", "a")
    both("XADD", "s", "6-1", "a", "1", "b")
    both("XADD", "s", "NOMKSTREAM", "7-1", "a", "1")
    both("XADD", "nope", "NOMKSTREAM", "7-1", "a", "1")
    both("EXISTS", "nope")
    both("XADD", "s", "MAXLEN", "-1", "8-1", "a", "1")
    both("XADD", "s", "MAXLEN", "x", "8-1", "a", "1")
    both("XADD", "s", "MAXLEN", "1", "MINID", "1", "8-1", "a", "1")
    both("XADD", "s", "LIMIT", "10", "8-1", "a", "1")
    both("XADD", "s", "MAXLEN", "5", "LIMIT", "10", "8-1", "a", "1")
    both("XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "8-1", "a", "1")
    both("XADD", "s", "18446744073709551615-18446744073709551615", "a", "1")
    both("XADD", "s", "*", "a", "1")
    both("XADD", "s", "18446744073709551615-*", "a", "1")
    both("XLEN", "s")
    both("XRANGE", "s", "-", "+")
    both("SET", "str", "x")
    both("XADD", "str", "*", "a", "1")
    both("XLEN", "str")
    both("XLEN", "missing")
    both("TYPE", "s")
    both("OBJECT", "ENCODING", "s")


def test_xadd_auto_ids_increase(r):
    ids = [r.xadd("s", {"f": i}) for i in range(50)]
    parsed = [tuple(map(int, i.split(b"-"))) for i in ids]
    assert parsed == sorted(parsed) and len(set(parsed)) == 50
    assert abs(parsed[0][0] - time.time() * 1000) < 5000
    r.xadd("f", {"a": 1}, id="99999999999999-5")
    assert r.xadd("f", {"a": 1}) == b"99999999999999-6"


def test_xrange_xrevrange(both):
    for i in range(1, 8):
        both("XADD", "s", f"{i}-{i}", "f", str(i), "g", "x" * i)
    both("XRANGE", "s", "-", "+")
    both("XRANGE", "s", "2", "4")
    both("XRANGE", "s", "(2-2", "(5-5")
    both("XRANGE", "s", "(2", "+", "COUNT", "2")
    both("XREVRANGE", "s", "+", "-", "COUNT", "3")
    both("XREVRANGE", "s", "(6-6", "(1-1")
    both("XRANGE", "s", "-", "+", "COUNT", "0")
    both("XRANGE", "s", "-", "+", "COUNT", "-5")
    both("XRANGE", "s", "5", "2")
    both("XRANGE", "s", "(-", "+")
    both("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+")
    both("XRANGE", "s", "-", "(0-0")
    both("XRANGE", "s", "(", "+")
    both("XRANGE", "s", "x", "+")
    both("XRANGE", "s", "-", "+", "COUNT")
    both("XRANGE", "s", "-", "+", "LIMIT", "1")
    both("XRANGE", "s", "-", "+", "COUNT", "x")
    both("XRANGE", "missing", "-", "+")
    both("XREVRANGE", "missing", "+", "-", "COUNT", "0")


def test_many_entries_span_nodes(both):
    for i in range(1, 451):
        both("XADD", "s", f"{i}-0", "field", str(i), compare=False)
    both("XLEN", "s")
    both("XRANGE", "s", "95", "105")
    both("XREVRANGE", "s", "305", "195", "COUNT", "7")
    both("XDEL", "s", "100", "101", "1", "450", "999")
    both("XRANGE", "s", "98", "103")
    both("XTRIM", "s", "MAXLEN", "~", "200")
    both("XLEN", "s")
    both("XTRIM", "s", "MAXLEN", "=", "150")
    both("XLEN", "s")
    both("XRANGE", "s", "-", "+", "COUNT", "2")
    both("XTRIM", "s", "MINID", "~", "360")
    both("XTRIM", "s", "MINID", "360")
    both("XRANGE", "s", "-", "+", "COUNT", "2")
    both("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "30")
    both("XLEN", "s")
    both("XTRIM", "s", "MAXLEN", "0")
    both("XLEN", "s")
    both("EXISTS", "s")
    both("XADD", "s", "1000-0", "a", "b")
    both("XADD", "s", "MAXLEN", "~", "0", "2000-0", "a", "b")
    both("XLEN", "s")


def test_xtrim_errors(both):
    both("XADD", "s", "1-1", "a", "1")
    both("XTRIM", "s")
    both("XTRIM", "s", "LIMIT", "5")
    both("XTRIM", "s", "MAXLEN", "1", "LIMIT", "5")
    both("XTRIM", "s", "FOO", "1")
    both("XTRIM", "s", "MINID", "abc")
    both("XTRIM", "s", "MAXLEN", "1", "MINID", "2")
    both("XTRIM", "missing", "MAXLEN", "1")
    both("SET", "str", "v")
    both("XTRIM", "str", "MAXLEN", "1")


def test_xdel_and_metadata(both):
    for i in range(1, 6):
        both("XADD", "s", f"{i}-0", "f", str(i))
    both("XDEL", "s", "1-0", "3-0", "9-9")
    both("XDEL", "s", "bad")
    both("XDEL", "missing", "1-0")
    both("XDEL", "s", "2-0", "4-0", "5-0")
    both("XLEN", "s")
    both("EXISTS", "s")
    both("XADD", "s", "5-0", "f", "x")
    both("XADD", "s", "6-0", "f", "x")
    both("XRANGE", "s", "-", "+")


def _info(conn, *args):
    return decode(conn.cmd(*args))


def test_xinfo_stream_and_xsetid(both):
    for i in range(1, 6):
        both("XADD", "s", f"{i}-0", "f", str(i))
    both("XDEL", "s", "2-0")
    both("XINFO", "STREAM", "s")
    both("XSETID", "s", "4-0")
    both("XSETID", "s", "10-0", "ENTRIESADDED", "3")
    both("XSETID", "s", "10-0", "ENTRIESADDED", "-1")
    both("XSETID", "s", "10-0", "MAXDELETEDID", "11-0")
    both("XSETID", "s", "10-0", "ENTRIESADDED", "20", "MAXDELETEDID", "7-0")
    both("XINFO", "STREAM", "s")
    both("XSETID", "s", "8-0")
    both("XSETID", "s", "10-0", "FOO")
    both("XSETID", "missing", "10-0")
    both("XSETID", "s", "+")
    both("XADD", "s", "10-0", "f", "v")
    both("XADD", "s", "10-1", "f", "v")
    both("XINFO", "STREAM", "s", "FULL")
    both("XINFO", "STREAM", "s", "FULL", "COUNT", "1")
    both("XINFO", "STREAM", "s", "FULL", "COUNT", "x")
    both("XINFO", "STREAM", "s", "FULLY")
    both("XINFO", "STREAM", "s", "FULL", "COUNT")
    both("XINFO", "STREAM", "missing")
    both("XINFO", "GROUPS", "s")
    # 7.2's help ends with "Print this help." (7.0: "Prints").
    assert b"+STREAM <key> [FULL [COUNT <count>]\r\n" in both("XINFO", "HELP", compare=False)
    both("XINFO", "FOO", "s")
    assert both("XGROUP", "HELP", compare=False).startswith(b"*17\r\n+XGROUP <subcommand>")
    both("XADD", "e", "1-0", "a", "1")
    both("XDEL", "e", "1-0")
    both("XINFO", "STREAM", "e")


def test_groups_pending_ack(both):
    for i in range(1, 6):
        both("XADD", "s", f"{i}-0", "f", str(i))
    both("XGROUP", "CREATE", "s", "g", "0")
    both("XGROUP", "CREATE", "s", "g", "0")
    both("XGROUP", "CREATE", "missing", "g", "$")
    both("XGROUP", "CREATE", "made", "g", "$", "MKSTREAM")
    both("XLEN", "made")
    both("XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "-5")
    both("XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "3")
    both("XGROUP", "CREATE", "s", "g3", "bad")
    both("XGROUP", "CREATE", "s", "g3", "0", "FOO")
    both("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    both("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
    both("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
    both("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    both("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "1-0")
    both("XINFO", "GROUPS", "s")
    both("XPENDING", "s", "g")
    _masked(both, "XPENDING", "s", "g", "-", "+", "10", mask=_pending_idle)
    _masked(both, "XPENDING", "s", "g", "-", "+", "2", "alice", mask=_pending_idle)
    both("XPENDING", "s", "nogroup")
    both("XPENDING", "s", "g", "-", "+")
    both("XPENDING", "s", "g", "-", "+", "x")
    both("XPENDING", "s", "g", "IDLE", "10", "-", "+")
    both("XPENDING", "s", "g", "-", "+", "10", "ghost")
    both("XACK", "s", "g", "1-0", "9-0")
    both("XACK", "s", "g", "bad")
    both("XACK", "s", "nog", "1-0")
    both("XACK", "missing", "g", "1-0")
    both("XPENDING", "s", "g")
    both("XDEL", "s", "2-0")
    both("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    both("XINFO", "GROUPS", "s")
    both("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "0")
    both("XINFO", "GROUPS", "s")
    both("XGROUP", "SETID", "s", "g", "$")
    both("XGROUP", "SETID", "s", "nog", "$")
    both("XGROUP", "SETID", "s", "g", "$", "MKSTREAM")
    both("XGROUP", "CREATECONSUMER", "s", "g", "carol")
    both("XGROUP", "CREATECONSUMER", "s", "g", "carol")
    both("XGROUP", "CREATECONSUMER", "s", "nog", "carol")
    both("XGROUP", "DELCONSUMER", "s", "g", "bob")
    both("XGROUP", "DELCONSUMER", "s", "g", "nobody")
    both("XPENDING", "s", "g")
    both("XGROUP", "DESTROY", "s", "g")
    both("XGROUP", "DESTROY", "s", "g")
    both("XGROUP", "DESTROY", "missing", "g")
    both("XGROUP", "FOO", "s", "g")
    both("XGROUP", "CREATE", "s")
    both("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    both("XREADGROUP", "GROUP", "g2", "alice", "STREAMS", "s", "$")
    both("XREADGROUP", "GROUP", "g2", "alice", "STREAMS", "s")
    both("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">")
    both("XREAD", "GROUP", "g2", "a", "STREAMS", "s", "0")
    both("XREAD", "NOACK", "STREAMS", "s", "0")
    both("XREAD", "STREAMS", "s", ">")


def test_noack_and_lag(both):
    for i in range(1, 6):
        both("XADD", "s", f"{i}-0", "f", str(i))
    both("XGROUP", "CREATE", "s", "g", "0")
    both("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "NOACK", "STREAMS", "s", ">")
    both("XPENDING", "s", "g")
    both("XINFO", "GROUPS", "s")
    both("XDEL", "s", "4-0")
    both("XINFO", "GROUPS", "s")
    both("XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">")
    both("XINFO", "GROUPS", "s")
    both("XGROUP", "CREATE", "s", "late", "0")
    both("XINFO", "GROUPS", "s")


def test_claims(both):
    for i in range(1, 6):
        both("XADD", "s", f"{i}-0", "f", str(i))
    both("XGROUP", "CREATE", "s", "g", "0")
    both("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    both("XCLAIM", "s", "g", "bob", "0", "1-0", "2-0", "JUSTID")
    both("XCLAIM", "s", "g", "bob", "0", "3-0", "RETRYCOUNT", "7")
    both("XCLAIM", "s", "g", "bob", "1000000", "4-0")
    both("XCLAIM", "s", "g", "bob", "0", "9-0", "FORCE")
    both("XCLAIM", "s", "g", "bob", "0", "5-0", "FORCE", "LASTID", "8-0")
    both("XDEL", "s", "4-0")
    both("XCLAIM", "s", "g", "bob", "0", "4-0")
    both("XCLAIM", "s", "g", "bob", "x", "1-0")
    both("XCLAIM", "s", "g", "bob", "0", "1-0", "IDLE", "x")
    both("XCLAIM", "s", "g", "bob", "0", "1-0", "TIME", "x")
    both("XCLAIM", "s", "g", "bob", "0", "1-0", "RETRYCOUNT", "x")
    both("XCLAIM", "s", "g", "bob", "0", "1-0", "BOGUS")
    both("XCLAIM", "s", "nog", "bob", "0", "1-0")
    both("XCLAIM", "missing", "g", "bob", "0", "1-0")
    both("XPENDING", "s", "g")
    both("XINFO", "GROUPS", "s")
    both("XACK", "s", "g", "1-0", "2-0", "3-0", "5-0")
    both("XADD", "s", "6-0", "f", "6")
    both("XADD", "s", "7-0", "f", "7")
    both("XADD", "s", "8-0", "f", "8")
    both("XADD", "s", "9-0", "f", "9")
    both("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    both("XCLAIM", "s", "g", "dave", "0", "6-0", "FORCE")
    both("XCLAIM", "s", "g", "dave", "0", "7-0", "FORCE", "JUSTID")
    _masked(both, "XPENDING", "s", "g", "-", "+", "10", "dave", mask=_pending_idle)
    _masked(both, "XPENDING", "s", "g", "IDLE", "0", "(1-0", "8", "3", mask=_pending_idle)
    _masked(both, "XINFO", "STREAM", "s", "FULL", mask=_full_times)
    _masked(both, "XINFO", "STREAM", "s", "FULL", "COUNT", "2", mask=_full_times)
    both("XGROUP", "SETID", "s", "g", "5-0")
    both("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    both("XDEL", "s", "7-0", "8-0")
    both("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "1")
    both("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "2")
    both("XAUTOCLAIM", "s", "g", "carol", "0", "0", "JUSTID")
    both("XAUTOCLAIM", "s", "g", "carol", "0", "(6-0")
    both("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "0")
    both("XAUTOCLAIM", "s", "g", "carol", "0", "0", "BOGUS")
    both("XAUTOCLAIM", "s", "g", "carol", "x", "0")
    both("XAUTOCLAIM", "s", "nog", "carol", "0", "0")
    both("XAUTOCLAIM", "s", "g", "carol", "1000000", "0")
    both("XPENDING", "s", "g")
    both("XINFO", "CONSUMERS", "s", "nog")


def test_times_and_counts(r):
    r.xadd("s", {"f": 1}, id="1-0")
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "c", {"s": ">"})
    time.sleep(0.05)
    p = r.xpending_range("s", "g", "-", "+", 10)
    assert p[0]["time_since_delivered"] >= 40 and p[0]["times_delivered"] == 1
    assert r.xpending_range("s", "g", "-", "+", 10, idle=100000) == []
    r.xclaim("s", "g", "c", 0, ["1-0"], idle=5000)
    p = r.xpending_range("s", "g", "-", "+", 10)
    assert 5000 <= p[0]["time_since_delivered"] < 6000 and p[0]["times_delivered"] == 2
    now = int(time.time() * 1000)
    r.xclaim("s", "g", "c", 0, ["1-0"], time=now - 2000)
    assert 2000 <= r.xpending_range("s", "g", "-", "+", 10)[0]["time_since_delivered"] < 3000
    consumers = r.xinfo_consumers("s", "g")
    assert consumers[0]["name"] == b"c" and consumers[0]["pending"] == 1
    assert 0 <= consumers[0]["idle"] < 1000 and 0 <= consumers[0]["inactive"] < 1000
    r.xgroup_createconsumer("s", "g", "idle-one")
    assert r.xinfo_consumers("s", "g")[1]["inactive"] == -1
    full = r.xinfo_stream("s", full=True)
    g = full["groups"][0]
    assert g["name"] == b"g" and g["pel-count"] == 1 and g["entries-read"] == 1 and g["lag"] == 0
    c = g["consumers"][0]
    assert c["name"] == b"c" and c["pel-count"] == 1 and abs(c["seen-time"] - now) < 5000
    assert c["active-time"] >= c["seen-time"] - 5000 and c["pending"][0][0] == b"1-0"


def test_resp3_shapes(cairn):
    c = cairn.client(protocol=3)
    c.flushall()
    with RawConn(cairn.port) as conn:
        conn.cmd("HELLO", "3")
        conn.cmd("XADD", "s", "1-0", "a", "1")
        assert conn.cmd("XREAD", "STREAMS", "s", "0") == (
            b"%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n")
        assert conn.cmd("XREAD", "STREAMS", "s", "$") == b"_\r\n"
        assert conn.cmd("XRANGE", "s", "-", "+", "COUNT", "0") == b"_\r\n"
        info = conn.cmd("XINFO", "STREAM", "s")
        assert info.startswith(b"%10\r\n$6\r\nlength\r\n:1\r\n")


def test_xread(both):
    both("XADD", "a", "1-0", "f", "1")
    both("XADD", "a", "2-0", "f", "2")
    both("XADD", "b", "1-5", "g", "1")
    both("XREAD", "STREAMS", "a", "b", "0", "0")
    both("XREAD", "COUNT", "1", "STREAMS", "a", "b", "1-0", "0")
    both("XREAD", "STREAMS", "a", "b", "$", "$")
    both("XREAD", "STREAMS", "a", "missing", "2", "0")
    # Redis 7.2 names the command as typed in the message (7.0 wrote "Unbalanced XREAD list").
    assert both("XREAD", "STREAMS", "a", "0", "1", compare=False) == (
        b"-ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.\r\n")
    both("XREAD", "STREAMS", "a", "bad")
    both("XREAD", "COUNT", "x", "STREAMS", "a", "0")
    both("XREAD", "COUNT", "-3", "STREAMS", "a", "0")
    both("XREAD", "BLOCK", "x", "STREAMS", "a", "0")
    both("XREAD", "BLOCK", "-1", "STREAMS", "a", "0")
    both("XREAD", "BLOCK", "10", "STREAMS", "a", "2")
    both("XREAD", "FOO", "STREAMS", "a", "0")
    both("XREAD", "COUNT", "1", "a", "0")
    both("SET", "str", "x")
    both("XREAD", "STREAMS", "str", "0")
    both("MULTI")
    both("XREAD", "BLOCK", "0", "STREAMS", "a", "$")
    both("EXEC")


def _blocked(admin, n, deadline=2.0):
    end = time.time() + deadline
    while time.time() < end:
        info = admin.cmd("INFO", "clients").decode()
        if f"blocked_clients:{n}" in info:
            return
        time.sleep(0.01)
    raise AssertionError("clients did not block")


def test_blocking_xread_order_and_timeout(cairn, redis_server):
    results = []
    for s in (cairn, redis_server):
        with RawConn(s.port) as admin:
            admin.cmd("FLUSHALL")
            admin.cmd("XADD", "s", "1-0", "f", "old")
            w1, w2, w3 = RawConn(s.port), RawConn(s.port), RawConn(s.port)
            w1.send(encode("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
            _blocked(admin, 1)
            w2.send(encode("XREAD", "BLOCK", "0", "COUNT", "1", "STREAMS", "other", "s", "0", "$"))
            _blocked(admin, 2)
            admin.cmd("XADD", "other-type", "1-0", "x", "y")
            admin.cmd("XADD", "s", "2-0", "f", "new")
            admin.cmd("XADD", "s", "3-0", "f", "newer")
            r1, r2 = w1.read_reply(), w2.read_reply()
            start = time.time()
            timed = w3.cmd("XREAD", "BLOCK", "150", "STREAMS", "s", "$")
            waited = time.time() - start
            assert 0.1 < waited < 1.0, waited
            results.append((r1, r2, timed))
            for c in (w1, w2, w3):
                c.close()
    assert results[0] == results[1]


def test_blocking_xreadgroup(cairn, redis_server):
    results = []
    for s in (cairn, redis_server):
        with RawConn(s.port) as admin:
            admin.cmd("FLUSHALL")
            admin.cmd("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
            w1, w2 = RawConn(s.port), RawConn(s.port)
            w1.send(encode("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">"))
            _blocked(admin, 1)
            w2.send(encode("XREADGROUP", "GROUP", "g", "c2", "BLOCK", "0", "STREAMS", "s", ">"))
            _blocked(admin, 2)
            admin.cmd("XADD", "s", "1-0", "f", "v")
            r1 = w1.read_reply()
            _blocked(admin, 1)
            admin.cmd("XADD", "s", "2-0", "f", "v")
            r2 = w2.read_reply()
            pend = admin.cmd("XPENDING", "s", "g")
            # A destroyed group wakes its waiter with NOGROUP.
            w1.send(encode("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">"))
            _blocked(admin, 1)
            admin.cmd("XGROUP", "DESTROY", "s", "g")
            r3 = w1.read_reply()
            results.append((r1, r2, pend, r3))
            w1.close()
            w2.close()
    assert results[0][:3] == results[1][:3]
    # Redis 7.2 runs the command again and answers as for a missing group (7.0 had its own message).
    assert results[0][3] == b"-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"


@pytest.mark.parametrize("how", ["DEL", "SET", "FLUSHALL"])
def test_blocking_xreadgroup_key_gone(cairn, how):
    # Redis 7.2 runs the command again: the group is gone (NOGROUP) or the key has another type (WRONGTYPE).
    with RawConn(cairn.port) as admin:
        admin.cmd("FLUSHALL")
        admin.cmd("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        w = RawConn(cairn.port)
        plain = RawConn(cairn.port)
        w.send(encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
        plain.send(encode("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
        _blocked(admin, 2)
        if how == "DEL":
            admin.cmd("DEL", "s")
        elif how == "SET":
            admin.cmd("SET", "s", "x")
        else:
            admin.cmd("FLUSHALL")
        reply = w.read_reply()
        if how == "SET":
            assert reply.startswith(b"-WRONGTYPE")
        else:
            assert reply == b"-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"
        # Plain XREAD keeps waiting until a stream is there again.
        _blocked(admin, 1)
        admin.cmd("DEL", "s")
        admin.cmd("XADD", "s", "5-0", "f", "v")
        assert decode(plain.read_reply()) == [[b"s", [[b"5-0", [b"f", b"v"]]]]]
        w.close()
        plain.close()


def test_swapdb_and_multi_wake_waiters(cairn, redis_server):
    results = []
    for s in (cairn, redis_server):
        with RawConn(s.port) as admin:
            admin.cmd("FLUSHALL")
            admin.cmd("SELECT", "1")
            admin.cmd("XADD", "s", "7-0", "f", "from-db1")
            admin.cmd("SELECT", "0")
            w = RawConn(s.port)
            w.send(encode("XREAD", "BLOCK", "0", "STREAMS", "s", "0"))
            _blocked(admin, 1)
            admin.cmd("SWAPDB", "0", "1")
            swapped = w.read_reply()
            w.send(encode("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
            _blocked(admin, 1)
            admin.cmd("MULTI")
            admin.cmd("XADD", "s", "8-0", "f", "in-multi")
            admin.cmd("XADD", "s", "9-0", "f", "in-multi")
            admin.cmd("EXEC")
            results.append((swapped, w.read_reply()))
            w.close()
    assert results[0] == results[1]


def test_client_unblock_xread(cairn):
    with RawConn(cairn.port) as admin:
        w = RawConn(cairn.port)
        cid = int(w.cmd("CLIENT", "ID")[1:-2])
        w.send(encode("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
        _blocked(admin, 1)
        assert admin.cmd("CLIENT", "UNBLOCK", str(cid)) == b":1\r\n"
        assert w.read_reply() == b"*-1\r\n"
        w.close()


def test_keyspace_events(cairn):
    with RawConn(cairn.port) as admin:
        admin.cmd("FLUSHALL")
        admin.cmd("CONFIG", "SET", "notify-keyspace-events", "Et")
        sub = RawConn(cairn.port)
        sub.cmd("PSUBSCRIBE", "__keyevent@0__:*")
        admin.cmd("XADD", "s", "MAXLEN", "1", "1-0", "f", "v")
        admin.cmd("XADD", "s", "MAXLEN", "1", "2-0", "f", "v")
        admin.cmd("XDEL", "s", "2-0")
        admin.cmd("XGROUP", "CREATE", "s", "g", "0")
        admin.cmd("XGROUP", "CREATECONSUMER", "s", "g", "c")
        admin.cmd("XREADGROUP", "GROUP", "g", "d", "STREAMS", "s", ">")
        admin.cmd("XGROUP", "DELCONSUMER", "s", "g", "c")
        admin.cmd("XGROUP", "SETID", "s", "g", "0")
        admin.cmd("XSETID", "s", "9-0")
        admin.cmd("XADD", "s", "10-0", "f", "v")
        admin.cmd("XTRIM", "s", "MAXLEN", "0")
        admin.cmd("XGROUP", "DESTROY", "s", "g")
        admin.cmd("CONFIG", "SET", "notify-keyspace-events", "")
        events = []
        for _ in range(13):
            msg = decode(sub.read_reply())
            events.append(msg[2].split(b":")[1].decode())
        assert events == ["xadd", "xadd", "xtrim", "xdel", "xgroup-create", "xgroup-createconsumer",
                          "xgroup-createconsumer", "xgroup-delconsumer", "xgroup-setid", "xsetid", "xadd",
                          "xtrim", "xgroup-destroy"]
        sub.close()


def test_digest_and_debug(both):
    both("XADD", "s", "1-0", "a", "1", "b", "2")
    both("XADD", "s", "2-5", "c", "3")
    both("DEBUG", "DIGEST-VALUE", "s")


def test_node_limits_and_copy(cairn_factory):
    s = cairn_factory("--stream-node-max-entries", "3")
    c = s.client()
    for i in range(1, 11):
        c.xadd("s", {"f": i}, id=f"{i}-0")
    assert c.xinfo_stream("s")["radix-tree-keys"] == 4
    assert c.xtrim("s", maxlen=5, approximate=True) == 3
    assert c.xlen("s") == 7
    c.execute_command("CONFIG", "SET", "stream-node-max-entries", "0")
    c.execute_command("CONFIG", "SET", "stream-node-max-bytes", "60")
    for i in range(11, 15):
        c.xadd("s", {"f": "x" * 40}, id=f"{i}-0")
    assert c.xinfo_stream("s")["radix-tree-keys"] >= 6

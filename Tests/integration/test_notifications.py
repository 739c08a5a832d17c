"""Keyspace notifications: every event a command publishes, in order, compared with the reference
redis-server; the class filter; CONFIG SET/GET of notify-keyspace-events."""
import time

import pytest

from cairn_helpers import encode

SCRIPT = """
# strings
SET s1 v
SET s1 v EX 100
SETNX s2 v
SETEX s3 100 v
PSETEX s3 100000 v
GETSET s1 w
MSET m1 a m2 b
MSETNX m3 a m4 b
APPEND s1 tail
APPEND newapp x
SETRANGE s2 3 zz
INCR n1
DECRBY n1 5
INCRBYFLOAT f1 1.5
GETDEL s2
GETEX s3 EX 1000
GETEX s3 PERSIST
GETEX s1 PXAT 1
SETBIT b1 7 1
SETBIT b1 7 1
BITFIELD b2 SET u8 0 255
BITOP OR b3 b1 b2
BITOP AND b3 nothing1 nothing2
PFADD h1 a b c
PFADD h1 a
PFMERGE h2 h1
# keys
DEL m1 m2 nokey
UNLINK m3
RENAME m4 m5
RENAME m5 n1
EXPIRE n1 1000
PERSIST n1
EXPIRE n1 -1
COPY f1 f2
MOVE f2 3
# lists
LPUSH l1 a b c d e
RPUSH l1 f
LPUSHX nolist x
LPOP l1
RPOP l1 2
LSET l1 0 z
LINSERT l1 BEFORE z y
LREM l1 0 y
LTRIM l1 0 1
LMOVE l1 l2 LEFT RIGHT
LMOVE l2 l2 LEFT RIGHT
RPOPLPUSH l1 l2
RPOPLPUSH l1 l2
LMPOP 2 nolist l2 LEFT COUNT 5
# hashes
HSET hh a 1 b 2
HSETNX hh a 3
HSETNX hh c 3
HINCRBY hh a 5
HINCRBYFLOAT hh b 0.5
HDEL hh a b c
# sets
SADD st a b 1
SREM st 1
SMOVE st st2 a
SPOP st
SADD st x y z
!SPOP st 2
!SPOP st 5
SADD sa 1 2 3
SADD sb 3 4
SINTERSTORE sd sa sb
SUNIONSTORE sd sa sb
SDIFFSTORE sd sa sb
SINTERSTORE sd sa nothing
# sorted sets
ZADD z1 1 a 2 b 3 c 4 d
ZADD z1 INCR 5 a
ZINCRBY z1 1 b
ZADD z1 XX 9 nomember
ZREM z1 c
ZREMRANGEBYSCORE z1 0 2
ZADD z1 1 m 2 n 3 o
ZREMRANGEBYRANK z1 0 0
ZREMRANGEBYLEX z1 - +
ZADD z2 1 a 2 b 3 c
ZPOPMIN z2
ZPOPMAX z2
ZMPOP 1 z2 MIN
ZADD z3 1 a 2 b
ZADD z4 2 b 3 c
ZUNIONSTORE zd 2 z3 z4
ZINTERSTORE zd 2 z3 z4
ZDIFFSTORE zd 2 z3 z4
ZRANGESTORE zr z3 0 -1
ZRANGESTORE zr nothing 0 -1
# streams
XADD stm 1-1 f v
XADD stm 2-1 f v
XADD nostream NOMKSTREAM * f v
# sort
RPUSH srt 2 1
SORT srt STORE srtd
SORT srt BY nosort STORE srtd
SORT nothing STORE srtd
# reads: keymiss events for misses only
GET missing
GET s3
LRANGE nolist 0 -1
FLUSHDB
"""


def collect_events(both, conn="sub"):
    """Every pmessage received on `conn` by both servers, up to a PING marker."""
    c, r = both.pair(conn)
    events = []
    for side in (c, r):
        side.send(encode("PING", "end-of-events"))
        got = []
        while True:
            reply = side.read_reply()
            if b"end-of-events" in reply:
                break
            got.append(reply)
        events.append(got)
    return events


def event_text(reply):
    """'channel message' of a pmessage reply, for readable diffs."""
    parts = reply.split(b"\r\n")
    return (parts[6] + b" " + parts[8]).decode("latin-1")


@pytest.fixture
def notifications(both):
    both("CONFIG", "SET", "notify-keyspace-events", "KEAnm")
    yield both
    for s in both.pair():
        s.cmd("CONFIG", "SET", "notify-keyspace-events", "")


def test_every_event_matches_redis(notifications):
    both = notifications
    both("PSUBSCRIBE", "__key*__:*", conn="sub")
    both.script(SCRIPT)
    got, ref = collect_events(both)
    assert [event_text(e) for e in got] == [event_text(e) for e in ref]


def test_expired_event_from_lazy_and_active_expiry(notifications):
    both = notifications
    both("PSUBSCRIBE", "__keyevent@*__:expired", conn="sub")
    both("SET", "lazy", "v", "PX", "1")
    both("SET", "active", "v", "PX", "1")
    time.sleep(0.05)
    both("GET", "lazy")
    time.sleep(0.5)          # the active cycle removes the other one
    got, ref = collect_events(both)
    assert sorted(got) == sorted(ref)
    assert len(got) == 2


def test_read_modify_write_of_an_expired_key(notifications):
    """INCR, APPEND and a refused INCRBYFLOAT on keys past their deadline: the key is expired first (event,
    stat) and the command then sees no key, in Redis's order."""
    both = notifications
    both("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        both("PSUBSCRIBE", "__keyevent@*__:*", conn="sub")
        for key in ("counter", "text", "float"):
            both("SET", key, "41", "PX", "1")
        time.sleep(0.02)
        both("INCR", "counter")
        both("APPEND", "text", "x")
        both("INCRBYFLOAT", "float", "nan")
        both("EXISTS", "counter", "text", "float")
        both("GET", "counter")
        got, ref = collect_events(both)
        assert [event_text(e) for e in got] == [event_text(e) for e in ref]
        assert sum(b"expired" in e for e in got) == 3
    finally:
        both("DEBUG", "SET-ACTIVE-EXPIRE", "1")


@pytest.mark.parametrize("flags", ["E$", "Kl", "Kg", "Eh", "Ez", "Es", "Ex", "KEm", "A", "Kn", "$l"])
def test_class_filters(both, flags):
    for s in both.pair():
        assert s.cmd("CONFIG", "SET", "notify-keyspace-events", flags) == b"+OK\r\n"
    try:
        both("CONFIG", "GET", "notify-keyspace-events")
        both("PSUBSCRIBE", "__key*__:*", conn="sub")
        both.script("""
SET k v PX 1
SET k2 v
LPUSH l a
HSET h f v
SADD s m
ZADD z 1 m
EXPIRE k2 100
GET nothing
DEL l h s z
""")
        time.sleep(0.02)
        both("GET", "k")
        got, ref = collect_events(both)
        assert got == ref
    finally:
        for s in both.pair():
            s.cmd("CONFIG", "SET", "notify-keyspace-events", "")


def test_config_values(both):
    both.script("""
CONFIG SET notify-keyspace-events KEA
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events gKz
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events KEAm
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events bogus!
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events ""
CONFIG GET notify-keyspace-events
""")

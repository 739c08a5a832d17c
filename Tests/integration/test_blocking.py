"""Blocking list commands: immediate answers, wake-up order, timeouts, MULTI, type changes, CLIENT UNBLOCK —
replies compared with the reference redis-server."""
import time

from cairn_helpers import RawConn, encode


def _both_conns(cairn, redis_server):
    return [(RawConn(s.port), RawConn(s.port), RawConn(s.port)) for s in (cairn, redis_server)]


def _replies(conns, fn):
    return [fn(*c) for c in conns]


def test_immediate_and_errors(both):
    both("RPUSH", "l", "a", "b")
    both("BLPOP", "missing", "l", "0")
    both("BRPOP", "l", "0")
    both("BLPOP", "l", "abc")
    both("BLPOP", "l", "-1")
    both("SET", "s", "x")
    both("BLPOP", "s", "0.1")
    both("RPUSH", "m", "1", "2", "3")
    both("BLMPOP", "0", "2", "none", "m", "LEFT", "COUNT", "2")
    both("BLMPOP", "0", "0", "m", "LEFT")
    both("BLMOVE", "m", "dst", "RIGHT", "LEFT", "0")
    both("BRPOPLPUSH", "dst", "dst2", "0")
    both("BLMOVE", "m", "dst", "UP", "LEFT", "0")


def test_waiters_served_in_order_and_timeouts(cairn, redis_server):
    results = []
    for s in (cairn, redis_server):
        with RawConn(s.port) as admin:
            admin.cmd("FLUSHALL")
            w1, w2 = RawConn(s.port), RawConn(s.port)
            w1.send(encode("BLPOP", "q", "0"))
            time.sleep(0.05)
            w2.send(encode("BLPOP", "q", "0"))
            time.sleep(0.05)
            pushed = admin.cmd("RPUSH", "q", "first", "second")
            r1, r2 = w1.read_reply(), w2.read_reply()
            start = time.time()
            t = RawConn(s.port)
            timed_out = t.cmd("BLPOP", "nothing", "0.2")
            waited = time.time() - start
            results.append((pushed, r1, r2, timed_out))
            assert 0.15 < waited < 1.0, waited
            for c in (w1, w2, t):
                c.close()
    assert results[0] == results[1]


def test_push_inside_multi_serves_after_exec_and_blocking_in_multi(cairn, redis_server):
    results = []
    for s in (cairn, redis_server):
        with RawConn(s.port) as admin:
            admin.cmd("FLUSHALL")
            w = RawConn(s.port)
            w.send(encode("BRPOP", "job", "0"))
            time.sleep(0.05)
            admin.cmd("MULTI")
            admin.cmd("LPUSH", "job", "a")
            admin.cmd("LPUSH", "job", "b")
            exec_reply = admin.cmd("EXEC")
            served = w.read_reply()
            admin.cmd("MULTI")
            admin.cmd("BLPOP", "empty", "0")
            admin.cmd("BLMOVE", "empty", "d", "LEFT", "LEFT", "0")
            in_multi = admin.cmd("EXEC")
            results.append((exec_reply, served, in_multi))
            w.close()
    assert results[0] == results[1]


def test_type_change_and_client_unblock(cairn, redis_server):
    results = []
    for s in (cairn, redis_server):
        with RawConn(s.port) as admin:
            admin.cmd("FLUSHALL")
            w = RawConn(s.port)
            w.cmd("CLIENT", "SETNAME", "waiter")
            wid = int(w.cmd("CLIENT", "ID")[1:-2])
            w.send(encode("BLPOP", "k", "0"))
            time.sleep(0.05)
            admin.cmd("SET", "k", "string")      # not a list: the waiter keeps waiting
            admin.cmd("DEL", "k")
            unblocked = admin.cmd("CLIENT", "UNBLOCK", str(wid))
            timeout_reply = w.read_reply()
            w.send(encode("BLPOP", "k", "0"))
            time.sleep(0.05)
            unblocked_err = admin.cmd("CLIENT", "UNBLOCK", str(wid), "ERROR")
            err_reply = w.read_reply()
            none = admin.cmd("CLIENT", "UNBLOCK", str(wid))
            blocked_info = admin.cmd("INFO", "clients")
            results.append((unblocked, timeout_reply, unblocked_err, err_reply, none, b"blocked_clients:0" in blocked_info))
            w.close()
    assert results[0] == results[1]


def test_blocking_sorted_set_pops(both):
    both("ZADD", "z", "1", "a", "2", "b", "3", "c")
    both("BZPOPMIN", "none", "z", "0")
    both("BZPOPMAX", "z", "0")
    both("BZMPOP", "0", "1", "z", "MIN", "COUNT", "5")
    both("BZPOPMIN", "z", "0.05")
    both("BZPOPMIN", "z", "bad")
    both("SET", "s", "x")
    both("BZPOPMIN", "s", "0")
    both("BZMPOP", "0", "1", "z", "SIDEWAYS")


def test_zadd_wakes_bzpopmin_waiter(cairn, redis_server):
    results = []
    for s in (cairn, redis_server):
        with RawConn(s.port) as admin:
            admin.cmd("FLUSHALL")
            w = RawConn(s.port)
            w.send(encode("BZPOPMIN", "zq", "0"))
            time.sleep(0.05)
            admin.cmd("RPUSH", "zq-list", "x")
            admin.cmd("ZADD", "zq", "5", "m", "7", "n")
            results.append((w.read_reply(), admin.cmd("ZRANGE", "zq", "0", "-1", "WITHSCORES")))
            w.close()
    assert results[0] == results[1]

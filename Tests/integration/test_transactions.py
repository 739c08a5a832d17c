"""MULTI / EXEC / DISCARD / WATCH / UNWATCH, compared byte for byte with the reference server.
Connections "a" and "b" of `both` are two clients of each server."""

import time

import pytest

SCRIPTS = {
    "multi-exec-basic": """
        MULTI
        SET a 1
        INCR a
        GET a
        MGET a missing
        EXEC
        GET a
    """,
    "empty-exec": """
        MULTI
        EXEC
    """,
    "discard": """
        SET a 1
        MULTI
        SET a 2
        DISCARD
        GET a
        DISCARD
        EXEC
    """,
    "errors-outside": """
        EXEC
        DISCARD
    """,
    "exec-runtime-error-keeps-going": """
        SET s notanumber
        MULTI
        INCR s
        SET t 1
        INCR t
        LCS s
        EXEC
        GET t
    """,
    "execabort-unknown-command": """
        SET a 1
        MULTI
        SET a 2
        NOSUCHCOMMAND x
        SET a 3
        EXEC
        GET a
        EXEC
    """,
    "execabort-wrong-arity": """
        MULTI
        SET a
        GET a
        EXEC
        EXISTS a
    """,
    "execabort-then-discard": """
        MULTI
        GET
        DISCARD
        MULTI
        SET a 1
        EXEC
    """,
    "watch-unmodified-key": """
        SET a 1
        WATCH a
        GET a
        MULTI
        INCR a
        EXEC
        GET a
    """,
    "watch-modified-by-same-client": """
        SET a 1
        WATCH a
        SET a 2
        MULTI
        SET a 3
        EXEC
        GET a
    """,
    "watch-missing-key-then-created": """
        WATCH nokey
        SET nokey 1
        MULTI
        PING
        EXEC
    """,
    "unwatch": """
        SET a 1
        WATCH a
        SET a 2
        UNWATCH
        MULTI
        SET a 3
        EXEC
        GET a
        UNWATCH
        UNWATCH extra
    """,
    "multi-select-and-queued-replies": """
        MULTI
        SELECT 1
        SET x indb1
        SELECT 0
        GET x
        EXEC
        SELECT 1
        GET x
    """,
    "watch-resets-after-exec": """
        SET a 1
        WATCH a
        MULTI
        SET a 2
        EXEC
        SET a 3
        MULTI
        SET a 4
        EXEC
        GET a
    """,
    "watch-resets-after-discard": """
        SET a 1
        WATCH a
        MULTI
        DISCARD
        SET a 2
        MULTI
        SET a 3
        EXEC
    """,
    "multi-arity-and-args": """
        MULTI extra
        EXEC extra
        WATCH
        DISCARD extra
    """,
    "watch-expire-set-by-same-client": """
        SET a 1
        WATCH a
        EXPIRE a 100
        MULTI
        PING
        EXEC
    """,
    "watch-read-only-commands-do-not-touch": """
        SET a 1
        WATCH a
        GET a
        EXISTS a
        TTL a
        STRLEN a
        OBJECT ENCODING a
        MULTI
        PING
        EXEC
    """,
    "watch-failed-write-does-not-touch": """
        SET a 1
        WATCH a
        SET a 2 NX
        EXPIRE a 100 XX
        MULTI
        PING
        EXEC
    """,
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_transaction_script(both, name):
    both.script(SCRIPTS[name])


@pytest.mark.parametrize("write", [
    ("SET", "w", "2"),
    ("DEL", "w"),
    ("INCR", "w"),
    ("APPEND", "w", "x"),
    ("EXPIRE", "w", "100"),
    ("RENAME", "w", "w2"),
    ("SETRANGE", "w", "0", "z"),
    ("SETBIT", "w", "0", "1"),
    ("MSET", "w", "9", "other", "1"),
    ("GETDEL", "w"),
    ("GETEX", "w", "EX", "100"),
    ("PERSIST", "w"),
    ("MOVE", "w", "1"),
    ("COPY", "other", "w", "REPLACE"),
    ("BITOP", "NOT", "w", "other"),
    ("FLUSHDB",),
    ("FLUSHALL",),
    ("SWAPDB", "0", "1"),
], ids=lambda w: "-".join(w))
def test_watch_broken_by_other_client(both, write):
    both("SET", "w", "1")
    both("SET", "other", "o")
    if write[0] == "PERSIST":
        both("EXPIRE", "w", "1000")
    both("WATCH", "w")
    both(*write, conn="b")
    both("MULTI")
    both("SET", "w", "from-tx")
    both("EXEC")
    both("GET", "w")


@pytest.mark.parametrize("write", [
    ("SET", "unrelated", "2"),
    ("SELECT", "1"),  # placeholder: the write below runs in db 1
    ("FLUSHDB_OTHER",),
], ids=["other-key", "same-name-other-db", "flushdb-of-other-db"])
def test_watch_not_broken_by_unrelated_write(both, write):
    both("SET", "w", "1")
    both("SELECT", "1", conn="b")
    if write[0] == "SELECT":
        both("SET", "w", "in-db1", conn="b")
    elif write[0] == "FLUSHDB_OTHER":
        both("SET", "x", "1", conn="b")
        both("FLUSHDB", conn="b")
    else:
        both("SELECT", "0", conn="b")
        both(*write, conn="b")
    both("WATCH", "w")
    both("MULTI")
    both("SET", "w", "from-tx")
    both("EXEC")
    both("GET", "w")


def test_watch_broken_by_expiry(both):
    """A watched key that expires before EXEC aborts the transaction."""
    both("SET", "w", "1", "PX", "100")
    both("WATCH", "w")
    time.sleep(0.3)
    both("MULTI")
    both("SET", "w", "from-tx")
    both("EXEC")
    both("GET", "w")


def test_watch_broken_by_expiry_with_active_expire_off(both):
    """Even when nothing deleted the key yet (lazy only), its logical expiry aborts EXEC."""
    both("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        both("SET", "w", "1", "PX", "100")
        both("WATCH", "w")
        time.sleep(0.3)
        both("MULTI")
        both("PING")
        both("EXEC")
    finally:
        both("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_watch_already_expired_key_is_not_broken_by_its_deletion(both):
    """WATCH of a key that was already logically expired: deleting it later is not a change."""
    both("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        both("SET", "w", "1", "PX", "50")
        time.sleep(0.2)
        both("WATCH", "w")
        both("GET", "w", conn="b")  # lazily deletes it
        both("MULTI")
        both("PING")
        both("EXEC")
    finally:
        both("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_watch_broken_by_swapdb_bringing_key(both):
    """SWAPDB touches watched keys that exist in either database."""
    both("SELECT", "1", conn="b")
    both("SET", "w", "in-db1", conn="b")
    both("WATCH", "w")  # missing in db 0
    both("SWAPDB", "0", "1", conn="b")
    both("MULTI")
    both("GET", "w")
    both("EXEC")


def test_watch_flushall_of_missing_key(both):
    """FLUSHALL/FLUSHDB only break watches on keys that existed (same as the reference)."""
    both("WATCH", "nokey")
    both("FLUSHALL", conn="b")
    both("MULTI")
    both("PING")
    both("EXEC")


def test_watch_multiple_keys_one_touched(both):
    both("MSET", "a", "1", "b", "2", "c", "3")
    both("WATCH", "a", "b")
    both("WATCH", "c")
    both("INCR", "c", conn="b")
    both("MULTI")
    both("INCR", "a")
    both("EXEC")
    both("MGET", "a", "b", "c")


def test_transaction_is_atomic_for_other_clients(cairn):
    """Another client never sees a half-applied transaction."""
    a = cairn.client()
    b = cairn.client()
    a.mset({"x": 0, "y": 0})
    for i in range(200):
        p = a.pipeline(transaction=True)
        p.incr("x")
        p.incr("y")
        p.execute()
        x, y = b.mget("x", "y")
        assert x == y


def test_redis_py_watch_retry_loop(cairn):
    """The classic optimistic-locking loop with redis-py, with interference on the first try."""
    import redis
    r = cairn.client()
    other = cairn.client()
    r.set("bal", 100)
    attempts = 0
    with r.pipeline() as p:
        while True:
            try:
                p.watch("bal")
                attempts += 1
                cur = int(p.get("bal"))
                if attempts == 1:
                    other.incr("bal", 5)
                p.multi()
                p.set("bal", cur - 30)
                p.execute()
                break
            except redis.WatchError:
                continue
    assert attempts == 2
    assert r.get("bal") == b"75"


def test_queued_replies_exact(both):
    both("MULTI")
    for i in range(300):
        both("SET", f"k{i}", str(i))
    both("EXEC")
    both("DBSIZE")


def test_exec_with_large_transaction_pipelined(cairn):
    from cairn_helpers import RawConn, encode
    with RawConn(cairn.port) as c:
        cmds = [encode("MULTI")] + [encode("INCR", "big-tx") for _ in range(5000)] + [encode("EXEC")]
        c.send(b"".join(cmds))
        assert c.read_reply() == b"+OK\r\n"
        assert c.read_replies(5000) == b"+QUEUED\r\n" * 5000
        ex = c.read_reply()
        assert ex.startswith(b"*5000\r\n:1\r\n:2\r\n")
        assert ex.endswith(b":5000\r\n")


def test_reset_discards_transaction_and_watches(both):
    both("SET", "w", "1")
    both("WATCH", "w")
    both("MULTI")
    both("SET", "w", "2")
    both("RESET")
    both("EXEC")
    both("GET", "w")

"""Small lists and sorted sets kept packed in one buffer (a list node's elements, a listpack zset's pairs),
driven by random edits and compared with the reference redis-server: replies, a sorted set's OBJECT ENCODING
at every step (a list's is not compared: Redis 7.0 never turns a quicklist back into a listpack, 7.2 and Cairn
do), and the same values after DEBUG RELOAD and through DUMP/RESTORE in both directions."""

import random

from cairn_helpers import decode


def elements(rng):
    """Short strings, integers (which Redis's listpack stores as integers) and the odd element long enough to
    take a two-byte length."""
    pick = rng.randrange(5)
    if pick == 0:
        return str(rng.randrange(-70000, 70000))
    if pick == 1:
        return "x" * rng.randrange(120, 300)
    return f"e{rng.randrange(40)}"


def test_list_edits_at_both_ends_and_inside(both):
    rng = random.Random(11)
    both("CONFIG", "SET", "list-max-listpack-size", "16", compare=False)
    for step in range(1500):
        op = rng.randrange(12)
        key = f"l{rng.randrange(3)}"
        if op <= 2:
            both("LPUSH" if op == 0 else "RPUSH", key, *[elements(rng) for _ in range(rng.randrange(1, 5))])
        elif op == 3:
            both("LPOP", key)
        elif op == 4:
            both("RPOP", key, str(rng.randrange(4)))
        elif op == 5:
            both("LINSERT", key, rng.choice(["BEFORE", "AFTER"]), f"e{rng.randrange(40)}", elements(rng))
        elif op == 6:
            both("LREM", key, str(rng.randrange(-2, 3)), f"e{rng.randrange(40)}")
        elif op == 7:
            both("LSET", key, str(rng.randrange(-8, 8)), elements(rng))
        elif op == 8:
            both("LTRIM", key, str(rng.randrange(-3, 3)), str(rng.randrange(-20, 40)))
        elif op == 9:
            both("LPOS", key, f"e{rng.randrange(40)}", "RANK", rng.choice(["1", "-1", "2", "-2"]), "COUNT", "0")
        elif op == 10:
            both("LMOVE", key, f"l{rng.randrange(3)}", rng.choice(["LEFT", "RIGHT"]), rng.choice(["LEFT", "RIGHT"]))
        else:
            both("LINDEX", key, str(rng.randrange(-10, 10)))
        if step % 25 == 0:
            both("LRANGE", key, "0", "-1")
            both("LRANGE", key, str(rng.randrange(-10, 10)), str(rng.randrange(-10, 10)))


def test_sorted_set_edits_in_the_listpack(both):
    rng = random.Random(5)
    scores = ["0", "-0", "1", "-1", "1.5", "2.25", "1e300", "-1e-300", "inf", "-inf", "3", "4503599627370497"]
    for step in range(1500):
        op = rng.randrange(8)
        m = f"m{rng.randrange(30)}"
        if op <= 2:
            both("ZADD", "z", rng.choice(scores), m, rng.choice(scores), f"m{rng.randrange(30)}")
        elif op == 3:
            both("ZREM", "z", m)
        elif op == 4:
            both("ZINCRBY", "z", rng.choice(["1", "-2", "0.5"]), m)
        elif op == 5:
            both("ZRANK", "z", m)
            both("ZREVRANK", "z", m)
            both("ZSCORE", "z", m)
        elif op == 6:
            both("ZRANGE", "z", str(rng.randrange(-12, 12)), str(rng.randrange(-12, 12)), "REV", "WITHSCORES")
        else:
            both("ZRANGEBYSCORE", "z", "-inf", rng.choice(["(2", "3", "+inf"]), "WITHSCORES", "LIMIT", "1", "5")
        both("OBJECT", "ENCODING", "z")
        if step % 50 == 0:
            both("ZRANGE", "z", "0", "-1", "WITHSCORES")
            both("ZPOPMIN", "z")


def test_reload_and_dump_keep_packed_values(both):
    both("RPUSH", "l", "a", "1", "-70000", "x" * 200, "b")
    both("LPUSH", "l", "head", "42")
    # 1e22 prints alike as %.17g (Redis 7.0's digest) and as shortest digits (Valkey 8's and Cairn's).
    both("ZADD", "z", "1", "a", "1.5", "b", "-inf", "c", "1e22", "d", "0", "e")
    both("DEBUG", "RELOAD", compare=False)
    both("OBJECT", "ENCODING", "z")
    both("LRANGE", "l", "0", "-1")
    both("ZRANGE", "z", "0", "-1", "WITHSCORES")
    # Redis's DUMP payloads (listpacks) load straight into the packed form; Cairn's own payloads (RDB 11, which
    # Redis 7.0 refuses) restore into Cairn with the same contents.
    for key in ("l", "z"):
        from_redis = decode(both.ref_only("DUMP", key))
        from_cairn = decode(both.cairn_only("DUMP", key))
        assert both.cairn_only("RESTORE", key + "r", "0", from_redis) == b"+OK\r\n"
        assert both.cairn_only("RESTORE", key + "c", "0", from_cairn) == b"+OK\r\n"
        assert both.ref_only("RESTORE", key + "r", "0", from_redis) == b"+OK\r\n"
        assert both.ref_only("RESTORE", key + "c", "0", from_redis) == b"+OK\r\n"
    for key in ("zr", "zc"):
        both("OBJECT", "ENCODING", key)
        both("ZRANGE", key, "0", "-1", "WITHSCORES")
    for key in ("lr", "lc"):
        both("LRANGE", key, "0", "-1")
    both("DEBUG", "DIGEST-VALUE", "l", "z", "lr", "lc", "zr", "zc")

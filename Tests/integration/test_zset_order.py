"""The large sorted set's order index (leaves under a spine with a Fenwick tree of sizes) and ZADD's fast
paths (plain integer scores, one index lookup without flags), compared with the reference redis-server."""

import random


def test_random_edits_keep_order_and_ranks(both):
    rng = random.Random(7)
    # Few distinct scores, so ties ordered by member cross leaf boundaries; enough members for many leaves.
    both("ZADD", "z", *[x for i in range(3000) for x in (str(rng.randrange(40)), f"m{i}")])
    for step in range(600):
        m = f"m{rng.randrange(3600)}"
        op = rng.randrange(6)
        if op == 0:
            both("ZREM", "z", m, f"m{rng.randrange(3600)}")
        elif op == 1:
            both("ZADD", "z", "INCR", str(rng.randrange(-3, 4)), m)
        elif op == 2:
            both("ZRANK", "z", m)
            both("ZREVRANK", "z", m)
        elif op == 3:
            start = rng.randrange(-3200, 3200)
            both("ZRANGE", "z", str(start), str(start + rng.randrange(200)), "WITHSCORES")
        elif op == 4 and step % 50 == 0:
            both("ZREMRANGEBYSCORE", "z", str(rng.randrange(40)), f"({rng.randrange(40)}")
        else:
            both("ZADD", "z", str(rng.randrange(40)), m, str(rng.randrange(40)), f"m{rng.randrange(3600)}")
    both("ZCARD", "z")
    both("ZRANGE", "z", "0", "-1", "WITHSCORES")
    both("ZRANGE", "z", "-1", "0", "REV", "WITHSCORES")
    both("ZRANGEBYSCORE", "z", "10", "(20", "WITHSCORES", "LIMIT", "30", "100")
    both("ZCOUNT", "z", "5", "25")
    both("DEBUG", "DIGEST-VALUE", "z")


def test_rising_scores_and_drain(both):
    both("ZADD", "t", *[x for i in range(1000) for x in (str(i), f"e{i}")])
    both("ZRANK", "t", "e999")
    both("ZRANGE", "t", "500", "505", "WITHSCORES")
    for _ in range(7):
        both("ZPOPMIN", "t", "100")
        both("ZPOPMAX", "t", "30")
        both("ZRANGE", "t", "0", "2", "WITHSCORES")
    both("ZREMRANGEBYRANK", "t", "0", "-2")
    both("ZRANGE", "t", "0", "-1", "WITHSCORES")
    both("ZPOPMIN", "t")
    both("EXISTS", "t")


def test_integer_scores_parse_as_strtod_does(both):
    scores = ["-0", "0", "007", "-007", "+5", "123456789012345", "-123456789012345", "1234567890123456",
              "12345678901234567890", "99999999999999999", "1e3", "0x10", "-", "", " 5", "5 ", "1_0", "--1"]
    for key, pad in (("listpack", ""), ("skiplist", "x" * 80)):
        for i, s in enumerate(scores):
            both("ZADD", key, s, f"{pad}m{i}")
        both("ZRANGE", key, "0", "-1", "WITHSCORES")
    both("ZADD", "z", "1", "a", "2", "b")
    both("ZINCRBY", "z", "-0", "a")
    both("ZRANGEBYSCORE", "z", "001", "2")


def test_equal_score_keeps_zero_sign(both):
    # Setting -0 on a member at 0 (or the reverse) changes nothing, in both encodings.
    for key, pad in (("listpack", ""), ("skiplist", "y" * 80)):
        both("ZADD", key, "0", f"{pad}a", "-0", f"{pad}b")
        both("ZADD", key, "-0", f"{pad}a", "0", f"{pad}b")
        both("ZADD", key, "CH", "-0", f"{pad}a", "0", f"{pad}b")
        both("ZSCORE", key, f"{pad}a")
        both("ZSCORE", key, f"{pad}b")
        both("ZRANGE", key, "0", "-1", "WITHSCORES")

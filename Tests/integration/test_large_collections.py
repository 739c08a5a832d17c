"""Large hashes, sets and sorted sets (hashtable / skiplist encodings) under a random mix of writes, checked
against a Python model: lookups, value updates that change a value's length (which moves it inside its
chunk), deletions that leave chunks mostly empty, full HSCAN/SSCAN/ZSCAN walks and random picks."""

import random

import pytest

N = 6000


@pytest.fixture
def rng():
    return random.Random(20261125)


def full_scan(scan):
    cursor, seen = 0, []
    while True:
        cursor, batch = scan(cursor)
        seen.append(batch)
        if cursor == 0:
            return seen


def test_hash_model(r, rng):
    model = {}
    for step in range(4):
        pipe = r.pipeline(transaction=False)
        for _ in range(N):
            f = b"f%d" % rng.randrange(N)
            op = rng.random()
            if op < 0.6:
                v = b"x" * rng.randrange(0, 40)
                pipe.hset("h", f, v)
                model[f] = v
            else:
                pipe.hdel("h", f)
                model.pop(f, None)
        pipe.execute()
        assert r.object("encoding", "h") == b"hashtable"
        assert r.hlen("h") == len(model)
        assert r.hgetall("h") == model
        probe = [b"f%d" % i for i in range(0, N, 7)]
        assert r.hmget("h", probe) == [model.get(f) for f in probe]
        scanned = full_scan(lambda c: r.hscan("h", c, count=100))
        merged = {}
        for batch in scanned:
            merged.update(batch)
        assert merged == model
        picks = r.hrandfield("h", -50, withvalues=True)
        for i in range(0, len(picks), 2):
            assert model[picks[i]] == picks[i + 1]


def test_set_model(r, rng):
    model = set()
    for step in range(4):
        pipe = r.pipeline(transaction=False)
        for _ in range(N):
            m = b"member:%d" % rng.randrange(N)
            if rng.random() < 0.6:
                pipe.sadd("s", m)
                model.add(m)
            else:
                pipe.srem("s", m)
                model.discard(m)
        pipe.execute()
        assert r.object("encoding", "s") == b"hashtable"
        assert r.smembers("s") == model
        assert r.scard("s") == len(model)
        scanned = set()
        for batch in full_scan(lambda c: r.sscan("s", c, count=100)):
            scanned.update(batch)
        assert scanned == model
        assert set(r.srandmember("s", -100)) <= model
    popped = r.spop("s", 500)
    assert len(popped) == 500 and set(popped) <= model
    model -= set(popped)
    assert r.smembers("s") == model


def test_sorted_set_model(r, rng):
    model = {}
    for step in range(4):
        pipe = r.pipeline(transaction=False)
        for _ in range(N):
            m = b"m%d" % rng.randrange(N)
            if rng.random() < 0.6:
                s = float(rng.randrange(-1000, 1000))
                pipe.zadd("z", {m: s})
                model[m] = s
            else:
                pipe.zrem("z", m)
                model.pop(m, None)
        pipe.execute()
        assert r.object("encoding", "z") == b"skiplist"
        expected = sorted(model.items(), key=lambda kv: (kv[1], kv[0]))
        assert r.zrange("z", 0, -1, withscores=True) == expected
        probe = [b"m%d" % i for i in range(0, N, 11)]
        assert r.zmscore("z", probe) == [model.get(m) for m in probe]
        scanned = dict(p for batch in full_scan(lambda c: r.zscan("z", c, count=100)) for p in batch)
        assert scanned == model

"""Large hashes, sets and sorted sets (hashtable / skiplist encodings) under a random mix of writes, checked
against a Python model: lookups, value updates that change a value's length (which moves it inside its
chunk), deletions that leave chunks mostly empty, full HSCAN/SSCAN/ZSCAN walks and random picks."""

import random

import pytest

N = 6000


@pytest.fixture
def rng():
    return random.Random(20261125)


def random_writes(r, rng, write, delete):
    """N writes (60%) and deletes of random members, pipelined; each callback queues a command and updates
    the model."""
    pipe = r.pipeline(transaction=False)
    for _ in range(N):
        i = rng.randrange(N)
        if rng.random() < 0.6:
            write(pipe, i)
        else:
            delete(pipe, i)
    pipe.execute()


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
        def write(pipe, i):
            v = b"x" * rng.randrange(0, 40)
            pipe.hset("h", b"f%d" % i, v)
            model[b"f%d" % i] = v

        def delete(pipe, i):
            pipe.hdel("h", b"f%d" % i)
            model.pop(b"f%d" % i, None)

        random_writes(r, rng, write, delete)
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
        def write(pipe, i):
            pipe.sadd("s", b"member:%d" % i)
            model.add(b"member:%d" % i)

        def delete(pipe, i):
            pipe.srem("s", b"member:%d" % i)
            model.discard(b"member:%d" % i)

        random_writes(r, rng, write, delete)
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
        def write(pipe, i):
            score = float(rng.randrange(-1000, 1000))
            pipe.zadd("z", {b"m%d" % i: score})
            model[b"m%d" % i] = score

        def delete(pipe, i):
            pipe.zrem("z", b"m%d" % i)
            model.pop(b"m%d" % i, None)

        random_writes(r, rng, write, delete)
        assert r.object("encoding", "z") == b"skiplist"
        expected = sorted(model.items(), key=lambda kv: (kv[1], kv[0]))
        assert r.zrange("z", 0, -1, withscores=True) == expected
        probe = [b"m%d" % i for i in range(0, N, 11)]
        assert r.zmscore("z", probe) == [model.get(m) for m in probe]
        scanned = dict(p for batch in full_scan(lambda c: r.zscan("z", c, count=100)) for p in batch)
        assert scanned == model

"""Deletions close their index gap by a backward shift that reads each moved key's home from its index entry:
random inserts, deletions and evictions over many segments, checked key by key against a model, and SCAN still
returning every key exactly once."""

import random


def check_against(r, model):
    p = r.pipeline(transaction=False)
    names = sorted(model)
    for k in names:
        p.get(k)
    assert p.execute() == [model[k] for k in names]
    assert r.dbsize() == len(model)
    seen = []
    cursor = 0
    while True:
        cursor, batch = r.scan(cursor, count=500)
        seen += batch
        if cursor == 0:
            break
    assert sorted(seen) == names


def test_random_deletions_keep_every_key_findable(r):
    rng = random.Random(11)
    model = {}
    for rnd in range(6):
        p = r.pipeline(transaction=False)
        for _ in range(6000):
            k = b"key:%012d" % rng.randrange(20000)
            if rng.random() < 0.4 and model:
                p.delete(k)
                model.pop(k, None)
            else:
                v = b"v%d" % rng.randrange(10 ** 6)
                p.set(k, v)
                model[k] = v
        p.execute()
        check_against(r, model)
    # Deleting down to a few keys walks every run of every segment back to empty.
    p = r.pipeline(transaction=False)
    for k in list(model)[:-50]:
        p.delete(k)
        del model[k]
    p.execute()
    check_against(r, model)


def test_eviction_at_the_limit_keeps_the_rest_findable(r):
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.config_set("maxmemory", 3 * 1024 * 1024)
    try:
        p = r.pipeline(transaction=False)
        for i in range(60000):
            p.set(b"key:%012d" % i, b"x" * 40)
        p.execute()
        assert r.info("stats")["evicted_keys"] > 0
        # Lifted before reading back, so the reads themselves evict nothing.
        r.config_set("maxmemory", 0)
        left = {}
        names = [b"key:%012d" % i for i in range(60000)]
        p = r.pipeline(transaction=False)
        for k in names:
            p.get(k)
        for k, v in zip(names, p.execute()):
            if v is not None:
                assert v == b"x" * 40
                left[k] = v
        check_against(r, left)
    finally:
        r.config_set("maxmemory", 0)
        r.config_set("maxmemory-policy", "noeviction")

"""tools/bench --tests eviction: the cache role, Cairn against redis-server in the same run.

1. GET/SET throughput with the keyspace at maxmemory under allkeys-lru and allkeys-lfu: each server is first
   filled past its limit with random keys (so every later SET of a new key evicts one), then redis-benchmark
   runs SET and GET over 10,000,000 random keys with 100-byte values.
2. Hit ratio of a Zipf-distributed read-through workload at a fixed memory limit: GET a key, SET it on a miss;
   the same key sequence (same keys, same value size) for both servers, after a warm-up of the same length.
"""
import bisect
import random
import statistics
import subprocess
import sys

import redis

POLICIES = ("allkeys-lru", "allkeys-lfu")
LIMIT = "64mb"
KEYSPACE = 10_000_000


def at_limit(server, policy):
    """Fills until the server reports evictions."""
    subprocess.run(["redis-cli", "-p", str(server.port), "config", "set", "maxmemory", LIMIT], capture_output=True)
    subprocess.run(["redis-cli", "-p", str(server.port), "config", "set", "maxmemory-policy", policy], capture_output=True)
    while server.info_field("stats", "evicted_keys") == 0:
        subprocess.run(["taskset", "-c", "1", "redis-benchmark", "-p", str(server.port), "-c", "50", "-n", "300000",
                        "-r", str(KEYSPACE), "-d", "100", "-P", "16", "-t", "set", "-q"], capture_output=True)


def keyspace_figures(server):
    """Keys held, and GET's hits and misses so far (SET looks keys up without counting them)."""
    keys = int(subprocess.run(["redis-cli", "-p", str(server.port), "dbsize"], capture_output=True, text=True).stdout)
    return keys, server.info_field("stats", "keyspace_hits"), server.info_field("stats", "keyspace_misses")


def throughput(servers, run_benchmark, rounds, requests, pipelines, Server):
    results = {}
    # (policy, pipeline, server) -> [(keys at the limit, GET hit ratio)]: the same maxmemory holds a different
    # number of keys in each server, so a GET of a random key hits a little more often in the one holding more.
    held = {}
    for rnd in range(rounds):
        order = servers if rnd % 2 == 0 else list(reversed(servers))
        for policy in POLICIES:
            for name, argv in order:
                for pipeline in pipelines:
                    with Server(name, argv) as s:
                        at_limit(s, policy)
                        for test, rps in run_benchmark(s.port, ["set", "get"], requests, pipeline,
                                                       extra=["-r", str(KEYSPACE), "-d", "100"]).items():
                            results.setdefault((policy, test, pipeline, name), []).append(rps)
                        evictions = s.info_field("stats", "evicted_keys")
                        keys, hits, misses = keyspace_figures(s)
                        held.setdefault((policy, pipeline, name), []).append((keys, hits / max(hits + misses, 1)))
                    print(f"round {rnd + 1}: {name} {policy} -P {pipeline} done ({evictions} evictions, {keys:,} keys, "
                          f"GET hits {hits:,} misses {misses:,})", file=sys.stderr)
    print("| policy | test | pipeline | cairn rps | redis rps | cairn/redis |")
    print("|---|---|---|---|---|---|")
    for policy in POLICIES:
        for pipeline in pipelines:
            for test in ("set", "get"):
                c = statistics.median(results[(policy, test, pipeline, "cairn")])
                r = statistics.median(results[(policy, test, pipeline, "redis")])
                print(f"| {policy} | {test.upper()} | {pipeline} | {c:,.0f} | {r:,.0f} | {c / r:.2f} |")
    print()
    print(f"Keys held at maxmemory {LIMIT} after the run and the GET rows' hit ratio (medians):")
    print()
    print("| policy | pipeline | cairn keys | redis keys | cairn GET hits | redis GET hits |")
    print("|---|---|---|---|---|---|")
    for policy in POLICIES:
        for pipeline in pipelines:
            c, r = (held[(policy, pipeline, name)] for name in ("cairn", "redis"))
            print(f"| {policy} | {pipeline} | {statistics.median(k for k, _ in c):,.0f} | "
                  f"{statistics.median(k for k, _ in r):,.0f} | {statistics.median(h for _, h in c):.4f} | "
                  f"{statistics.median(h for _, h in r):.4f} |")


def zipf_sequence(keys, length, exponent, seed=7):
    """Key indexes drawn from a Zipf distribution over `keys` ranks (rank 1 most popular), shuffled so
    popularity is unrelated to the key name."""
    weights = [1 / (rank ** exponent) for rank in range(1, keys + 1)]
    cdf, total = [], 0.0
    for w in weights:
        total += w
        cdf.append(total)
    rng = random.Random(seed)
    names = list(range(keys))
    rng.shuffle(names)
    return [names[min(bisect.bisect_left(cdf, rng.random() * total), keys - 1)] for _ in range(length)]


def hit_ratio(port, sequence, value, limit, policy, batch=500):
    """Read-through over `sequence`: the first half warms the cache, the second half is measured."""
    c = redis.Redis(port=port)
    c.config_set("maxmemory", limit)
    c.config_set("maxmemory-policy", policy)
    hits = measured = 0
    half = len(sequence) // 2
    for start in range(0, len(sequence), batch):
        chunk = sequence[start:start + batch]
        p = c.pipeline(transaction=False)
        for k in chunk:
            p.get(b"key:%d" % k)
        replies = p.execute()
        p = c.pipeline(transaction=False)
        for i, (k, v) in enumerate(zip(chunk, replies)):
            if start + i >= half:
                measured += 1
                hits += v is not None
            if v is None:
                p.set(b"key:%d" % k, value)
        p.execute()
    return hits / measured, c.dbsize()


ZIPF_LIMITS = {16: "8mb", 100: "16mb"}


def zipf(servers, Server, keys=200_000, length=1_000_000, exponent=0.99, sizes=(16, 100)):
    sequence = zipf_sequence(keys, length, exponent)
    print()
    print(f"Zipf (s={exponent}) read-through over {keys:,} keys, {length:,} requests (hit ratio of the second half):")
    print()
    print("| policy | value bytes | maxmemory | cairn hits | redis hits | cairn keys | redis keys |")
    print("|---|---|---|---|---|---|---|")
    for policy in POLICIES:
        for size, limit in ((size, ZIPF_LIMITS[size]) for size in sizes):
            row = {}
            for name, argv in servers:
                with Server(name, argv) as s:
                    row[name] = hit_ratio(s.port, sequence, b"v" * size, limit, policy)
                print(f"zipf: {name} {policy} {size} bytes done", file=sys.stderr)
            print(f"| {policy} | {size} | {limit} | {row['cairn'][0]:.4f} | {row['redis'][0]:.4f} | "
                  f"{row['cairn'][1]:,} | {row['redis'][1]:,} |")

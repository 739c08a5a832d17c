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


def throughput(servers, run_benchmark, rounds, requests, pipelines, Server):
    results = {}
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
                    print(f"round {rnd + 1}: {name} {policy} -P {pipeline} done ({evictions} evictions)", file=sys.stderr)
    print("| policy | test | pipeline | cairn rps | redis rps | cairn/redis |")
    print("|---|---|---|---|---|---|")
    for policy in POLICIES:
        for pipeline in pipelines:
            for test in ("set", "get"):
                c = statistics.median(results[(policy, test, pipeline, "cairn")])
                r = statistics.median(results[(policy, test, pipeline, "redis")])
                print(f"| {policy} | {test.upper()} | {pipeline} | {c:,.0f} | {r:,.0f} | {c / r:.2f} |")


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

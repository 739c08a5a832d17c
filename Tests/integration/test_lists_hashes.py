"""List and hash commands: every reply (errors included) compared byte for byte with the reference
redis-server, plus Cairn-only checks where randomness or the 7.0/7.2 encoding differences make replies differ.

The reference is Debian's redis-server 7.0, which reports "quicklist" for every list where 7.2 (Cairn's target)
reports "listpack" for small ones, so list encodings are checked against 7.2's rules in Cairn only.
Script syntax (Both.script in conftest.py): '!' = run on both without comparing; '~' = compare sorted.
"""

import pytest

from cairn_helpers import RawConn, decode, encode

SCRIPTS = {
    "push-pop": """
        LPUSH l a b c
        RPUSH l d e
        LRANGE l 0 -1
        LPUSHX l x
        RPUSHX l y
        LPUSHX missing x
        RPUSHX missing y
        EXISTS missing
        LPOP l
        RPOP l
        LPOP l 2
        RPOP l 2
        LPOP l 0
        LPOP l 10
        EXISTS l
        LPOP l
        LPOP l 1
        RPOP l 0
        LPUSH
        LPUSH l
        LPOP l 1 2
        LPOP l abc
        LPOP l -1
        RPUSH n 1 2 3
        LPOP n -1
        RPOP n abc
        LLEN n
        LLEN missing
    """,
    "lrange-lindex": """
        RPUSH l a b c d e
        LRANGE l 0 0
        LRANGE l -2 -1
        LRANGE l -100 100
        LRANGE l 3 1
        LRANGE l 5 10
        LRANGE l -1 -2
        LRANGE l abc 1
        LRANGE l 0 abc
        LRANGE missing 0 -1
        LINDEX l 0
        LINDEX l -1
        LINDEX l -5
        LINDEX l -6
        LINDEX l 5
        LINDEX l abc
        LINDEX missing abc
        LINDEX missing 0
    """,
    "lset-linsert": """
        LSET missing 0 x
        LSET missing abc x
        RPUSH l a b c
        LSET l 0 A
        LSET l -1 C
        LSET l 3 x
        LSET l -4 x
        LSET l abc x
        LRANGE l 0 -1
        LINSERT l BEFORE A first
        LINSERT l after C last
        LINSERT l before b mid
        LINSERT l before nothere x
        LINSERT l middle b x
        LINSERT missing before a x
        LINSERT missing middle a x
        LRANGE l 0 -1
        LLEN l
    """,
    "lrem-ltrim": """
        RPUSH l a b a c a d a
        LREM l 2 a
        LRANGE l 0 -1
        LREM l -1 a
        LRANGE l 0 -1
        LREM l 0 a
        LRANGE l 0 -1
        LREM l 0 zz
        LREM l abc a
        RPUSH x a b a c a
        LREM x -9223372036854775808 a
        LRANGE x 0 -1
        RPUSH x a b a
        LREM x 9223372036854775807 a
        LRANGE x 0 -1
        LREM missing 1 a
        LREM l 0 b
        LREM l 0 c
        LREM l 0 d
        EXISTS l
        RPUSH t 1 2 3 4 5 6
        LTRIM t 1 -2
        LRANGE t 0 -1
        LTRIM t -100 100
        LRANGE t 0 -1
        LTRIM t 2 1
        EXISTS t
        LTRIM missing 0 1
        LTRIM t abc 1
        RPUSH t 1 2 3
        LTRIM t 5 10
        EXISTS t
    """,
    "lpos": """
        RPUSH l a b c 1 2 3 c c
        LPOS l c
        LPOS l c RANK 2
        LPOS l c RANK -1
        LPOS l c RANK -3
        LPOS l c RANK 4
        LPOS l c COUNT 0
        LPOS l c COUNT 2
        LPOS l c COUNT 2 RANK -1
        LPOS l c COUNT 0 MAXLEN 3
        LPOS l c MAXLEN 3
        LPOS l c RANK -1 MAXLEN 2
        LPOS l zz
        LPOS l zz COUNT 0
        LPOS missing a
        LPOS missing a COUNT 1
        LPOS l c RANK 0
        LPOS l c RANK abc
        LPOS l c COUNT -1
        LPOS l c COUNT abc
        LPOS l c MAXLEN -1
        LPOS l c MAXLEN abc
        LPOS l c RANK
        LPOS l c bogus 1
        LPOS missing c RANK 0
    """,
    "lmove-rpoplpush": """
        RPUSH src a b c
        LMOVE src dst LEFT RIGHT
        LMOVE src dst RIGHT LEFT
        LRANGE dst 0 -1
        LMOVE src dst left left
        EXISTS src
        LMOVE src dst LEFT RIGHT
        LMOVE dst dst LEFT RIGHT
        LRANGE dst 0 -1
        LMOVE dst dst RIGHT LEFT
        LRANGE dst 0 -1
        LMOVE dst dst up left
        LMOVE dst dst left down
        RPOPLPUSH dst other
        RPOPLPUSH missing other
        LRANGE other 0 -1
        SET s str
        RPOPLPUSH dst s
        RPOPLPUSH s dst
        LMOVE dst s LEFT LEFT
        LRANGE dst 0 -1
        RPUSH one x
        RPOPLPUSH one one
        LRANGE one 0 -1
    """,
    "lmpop": """
        RPUSH a 1 2 3
        RPUSH b x y
        LMPOP 2 missing a LEFT
        LMPOP 2 missing a RIGHT COUNT 10
        EXISTS a
        LMPOP 2 a b right count 1
        LMPOP 3 a b missing LEFT
        LMPOP 1 missing LEFT
        LMPOP 0 a LEFT
        LMPOP -1 a LEFT
        LMPOP abc a LEFT
        LMPOP 3 a LEFT
        LMPOP 1 a middle
        LMPOP 1 a LEFT COUNT 0
        LMPOP 1 a LEFT COUNT -1
        LMPOP 1 a LEFT COUNT abc
        LMPOP 1 a LEFT COUNT 1 COUNT 1
        LMPOP 1 a LEFT COUNT
        LMPOP 1 a LEFT bogus
        LMPOP 1
        LMPOP 1 a
        SET s v
        LMPOP 2 s b LEFT
        LMPOP 2 b s LEFT
    """,
    "list-wrongtype": """
        SET s v
        LPUSH s a
        RPUSH s a
        LPUSHX s a
        RPUSHX s a
        LPOP s
        RPOP s 2
        LLEN s
        LRANGE s 0 -1
        LINDEX s 0
        LINDEX s abc
        LSET s 0 x
        LINSERT s BEFORE a b
        LREM s 0 a
        LTRIM s 0 1
        LPOS s a
        LMOVE s d LEFT LEFT
        RPOPLPUSH s d
        LMPOP 1 s LEFT
        GET s
    """,
    "hset-hget": """
        HSET h f1 v1 f2 v2
        HSET h f1 new f3 v3
        HGET h f1
        HGET h nope
        HGET missing f
        HMGET h f1 nope f3
        HMGET missing a b
        HMSET h f4 v4 f5 v5
        HMSET h f4
        HSET h f1
        HSET h
        HSETNX h f1 x
        HSETNX h f6 v6
        HSETNX newkey f v
        HLEN h
        HLEN missing
        HSTRLEN h f1
        HSTRLEN h nope
        HSTRLEN missing f
        HEXISTS h f1
        HEXISTS h nope
        HEXISTS missing f
        HGETALL h
        HKEYS h
        HVALS h
        HGETALL missing
        HKEYS missing
        HVALS missing
        HSET bin "a\\x00b" "\\xff\\r\\n"
        HGETALL bin
    """,
    "hdel": """
        HSET h a 1 b 2 c 3
        HDEL h a
        HDEL h a
        HDEL h b zz b
        HGETALL h
        HDEL h c d
        EXISTS h
        HDEL missing a
        HDEL h
    """,
    "hincr": """
        HINCRBY h n 5
        HINCRBY h n -10
        HINCRBY h n abc
        HSET h s hello big 9223372036854775807 neg -9223372036854775808 sp " 1"
        HINCRBY h s 1
        HINCRBY h sp 1
        HINCRBY h big 1
        HINCRBY h neg -1
        HINCRBY h big 0
        HINCRBY h big -1
        HINCRBYFLOAT h f 1.5
        HINCRBYFLOAT h f 1e3
        HINCRBYFLOAT h f -0.25
        HINCRBYFLOAT h n 0.5
        HINCRBYFLOAT h s 1
        HINCRBYFLOAT h f abc
        HINCRBYFLOAT h f inf
        HINCRBYFLOAT h f nan
        HSET h huge 1e4932
        HINCRBYFLOAT h huge 1e4932
        HINCRBYFLOAT h f 5.0e3
        HGETALL h
        HINCRBY missing2 f 1
        HINCRBYFLOAT missing3 f 2.5
        HGETALL missing3
    """,
    "hscan-listpack": """
        HSET h a 1 b 2 c 3 ab 4
        HSCAN h 0
        HSCAN h 0 MATCH a*
        HSCAN h 0 COUNT 1
        HSCAN h 17
        HSCAN h 0 COUNT 0
        HSCAN h 0 COUNT abc
        HSCAN h 0 MATCH
        HSCAN h 0 bogus x
        HSCAN h abc
        HSCAN missing 0
        HSCAN missing 0 COUNT 0
        HSCAN missing abc
    """,
    "hrandfield-errors": """
        HSET h a 1
        HRANDFIELD h
        HRANDFIELD h 1
        HRANDFIELD h 1 WITHVALUES
        HRANDFIELD h -3
        HRANDFIELD h -2 WITHVALUES
        HRANDFIELD h 5
        HRANDFIELD h 5 WITHVALUES
        HRANDFIELD h 0
        HRANDFIELD h 0 WITHVALUES
        HRANDFIELD missing
        HRANDFIELD missing 3
        HRANDFIELD missing abc
        HRANDFIELD h abc
        HRANDFIELD h -9223372036854775808
        HRANDFIELD h 1 withvalue
        HRANDFIELD h 1 WITHVALUES x
        HRANDFIELD h 4611686018427387904 WITHVALUES
        HRANDFIELD h -4611686018427387904 WITHVALUES
    """,
    "hash-wrongtype": """
        RPUSH l x
        HSET l a b
        HMSET l a b
        HSETNX l a b
        HGET l a
        HMGET l a
        HDEL l a
        HLEN l
        HSTRLEN l a
        HEXISTS l a
        HKEYS l
        HVALS l
        HGETALL l
        HINCRBY l a 1
        HINCRBYFLOAT l a 1
        HRANDFIELD l
        HRANDFIELD l 2
        HSCAN l 0
        TYPE l
        HSET h a b
        LPUSH h x
        TYPE h
    """,
    "hash-encoding": """
        HSET small a 1
        OBJECT ENCODING small
        HSET long a xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
        OBJECT ENCODING long
        HSET longer a xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
        OBJECT ENCODING longer
        HSET f xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 1
        OBJECT ENCODING f
        HSET i a 1
        HINCRBY i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 1
        OBJECT ENCODING i
        HSET n a 1
        HSETNX n xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 1
        OBJECT ENCODING n
        HDEL longer a
        EXISTS longer
        TYPE small
    """,
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_list_hash_script(both, name):
    both.script(SCRIPTS[name])


def test_resp3_shapes(both):
    """Null and map shapes differ in RESP3: compare them on a HELLO 3 connection."""
    both("HELLO", "3", conn="r3", compare=False)
    both.script("""
        RPUSH l a b
        HSET h f v g w
    """)
    for args in [("LPOP", "missing"), ("LPOP", "missing", "2"), ("RPOP", "l", "0"), ("LMPOP", "1", "missing", "LEFT"),
                 ("LMPOP", "1", "l", "LEFT"), ("LINDEX", "l", "9"), ("LPOS", "l", "zz"), ("LMOVE", "missing", "x", "LEFT", "LEFT"),
                 ("HGET", "h", "zz"), ("HMGET", "h", "f", "zz"), ("HGETALL", "h"), ("HGETALL", "missing"),
                 ("HKEYS", "h"), ("HRANDFIELD", "missing"), ("HRANDFIELD", "missing", "2"), ("HSCAN", "h", "0")]:
        both(*args, conn="r3")


def test_hrandfield_resp3_withvalues(both):
    """WITHVALUES in RESP3 nests each pair; with one field the reply is deterministic."""
    both("HELLO", "3", conn="r3", compare=False)
    both("HSET", "h", "f", "v", conn="r3")
    both("HRANDFIELD", "h", "-2", "WITHVALUES", conn="r3")
    both("HRANDFIELD", "h", "3", "WITHVALUES", conn="r3")
    both("HRANDFIELD", "h", "1", "WITHVALUES", conn="r3")


def test_large_list_operations(both):
    """Lists long enough to span many nodes: ranges, indexes, inserts and trims across node boundaries."""
    elements = [f"element-{i}" for i in range(3000)]
    for i in range(0, len(elements), 500):
        both("RPUSH", "l", *elements[i:i + 500])
    for i in range(0, 300):
        both("LPUSH", "l", str(i))
    both.script("""
        LLEN l
        LRANGE l 250 320
        LRANGE l -40 -1
        LINDEX l 1500
        LINDEX l -1500
        LSET l 1700 changed
        LINSERT l BEFORE element-2000 inserted
        LINSERT l AFTER element-10 inserted2
        LREM l -2 inserted
        LPOS l element-2999
        LPOS l changed RANK -1
        LTRIM l 100 -100
        LLEN l
        LRANGE l 0 5
        LRANGE l -5 -1
        LPOP l 250
        RPOP l 250
        LMPOP 1 l RIGHT COUNT 3
        LLEN l
    """)
    both("DEBUG", "DIGEST-VALUE", "l")


def test_large_hash_operations(both):
    """A hash beyond 512 fields is a hashtable in both; contents and digests agree."""
    for i in range(0, 1000, 250):
        args = []
        for j in range(i, i + 250):
            args += [f"field:{j}", f"value:{j}"]
        both("HSET", "h", *args)
    both.script("""
        OBJECT ENCODING h
        HLEN h
        HGET h field:777
        HDEL h field:1 field:2 nope
        HINCRBY h counter 7
        ~HKEYS h
        ~HVALS h
        ~HGETALL h
        DEBUG DIGEST-VALUE h
    """)


def test_digests_match(both):
    """DEBUG DIGEST-VALUE and DIGEST equal Redis's for lists and hashes of both encodings."""
    both.script("""
        RPUSH l a b 1 2 -7 "\\x00x"
        HSET h a 1 b 2
        HSET big f xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
        DEBUG DIGEST-VALUE l h big
        PEXPIRE l 100000
        DEBUG DIGEST-VALUE l
        DEBUG DIGEST
    """)


def test_hscan_hashtable_returns_every_field(cairn):
    """A hashtable-encoded hash scanned in small steps returns every field exactly once."""
    c = cairn.client()
    c.flushall()
    mapping = {f"f{i}": str(i) for i in range(2000)}
    c.hset("h", mapping=mapping)
    assert c.object("encoding", "h") == b"hashtable"
    seen = {}
    cursor = 0
    while True:
        cursor, items = c.hscan("h", cursor, count=37)
        for k, v in items.items():
            assert k not in seen
            seen[k] = v
        if cursor == 0:
            break
    assert seen == {k.encode(): v.encode() for k, v in mapping.items()}
    cursor, items = c.hscan("h", 0, match="f19*", count=5000)
    assert cursor == 0 and set(items) == {k.encode() for k in mapping if k.startswith("f19")}


def test_hrandfield_distinct_and_repeats(cairn):
    """Positive counts give distinct fields (the whole hash when larger); negative counts exactly |count|."""
    c = cairn.client()
    c.flushall()
    for name, size in (("small", 20), ("big", 1000)):
        c.hset(name, mapping={f"f{i}": f"v{i}" for i in range(size)})
        picked = c.hrandfield(name, 10)
        assert len(picked) == 10 and len(set(picked)) == 10
        assert len(c.hrandfield(name, -50)) == 50
        assert sorted(c.hrandfield(name, size + 5)) == sorted(f"f{i}".encode() for i in range(size))
        pairs = c.hrandfield(name, 5, withvalues=True)
        assert len(pairs) == 10 and all(pairs[i + 1] == b"v" + pairs[i][1:] for i in range(0, 10, 2))


def test_list_encodings_follow_72(cairn):
    """Redis 7.2's list encodings: listpack up to list-max-listpack-size, quicklist beyond, back to listpack
    only when a single node is at most half full."""
    c = cairn.client()
    c.flushall()
    c.config_set("list-max-listpack-size", "4")
    c.rpush("l", 1, 2, 3, 4)
    assert c.object("encoding", "l") == b"listpack"
    c.rpush("l", 5)
    assert c.object("encoding", "l") == b"quicklist"
    c.rpop("l")
    c.rpop("l")
    assert c.object("encoding", "l") == b"quicklist"
    c.rpop("l")
    assert c.object("encoding", "l") == b"listpack"
    c.config_set("list-max-listpack-size", "-2")
    c.delete("l")
    c.rpush("l", "x" * 8000)
    assert c.object("encoding", "l") == b"listpack"
    c.rpush("l", "y" * 200)
    assert c.object("encoding", "l") == b"quicklist"


def test_command_info_matches(both):
    """COMMAND INFO for every list and hash command equals Redis's."""
    names = ["lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange", "lindex", "lset", "linsert",
             "lrem", "ltrim", "lpos", "lmove", "rpoplpush", "lmpop", "hset", "hsetnx", "hget", "hmget", "hmset",
             "hdel", "hlen", "hstrlen", "hexists", "hkeys", "hvals", "hgetall", "hincrby", "hincrbyfloat",
             "hrandfield", "hscan"]
    for n in names:
        got, ref = decode(both("COMMAND", "INFO", n, compare=False)), decode(both.ref_only("COMMAND", "INFO", n))
        # Key specs carry prose notes that are Cairn's own words; compare the rest.
        assert got[0][:8] == ref[0][:8], n


def _stats(conn):
    info = conn.cmd("INFO", "stats").decode()
    fields = dict(line.split(":", 1) for line in info.split("\r\n") if ":" in line)
    return int(fields["keyspace_hits"]), int(fields["keyspace_misses"])


def test_keyspace_hits_and_misses_match(both):
    """Reads count hits and misses as Redis's lookupKeyRead does; writes count neither."""
    c, r = both.pair()
    for name, text in SCRIPTS.items():
        both("FLUSHALL", compare=False)
        before = _stats(c), _stats(r)
        both.script(text)
        after = _stats(c), _stats(r)
        assert (after[0][0] - before[0][0], after[0][1] - before[0][1]) == \
            (after[1][0] - before[1][0], after[1][1] - before[1][1]), name


@pytest.mark.parametrize("fill", ["-1", "3", "1"])
def test_random_list_edits_match(both, fill):
    """Random edits on lists whose small node limit forces many nodes, splits and merges in Cairn: every reply
    equals Redis's whatever the node layout."""
    import random
    rnd = random.Random(int(fill) + 17)
    both("CONFIG", "SET", "list-max-listpack-size", fill, compare=False)
    try:
        values = ["a", "b", "c", "1", "22", "x" * 70, "y" * 300, "z" * 2000]
        for _ in range(1500):
            v = rnd.choice(values)
            op = rnd.randrange(11)
            if op == 0:
                both("LPUSH", "l", v, rnd.choice(values))
            elif op == 1:
                both("RPUSH", "l", v)
            elif op == 2:
                both("LPOP", "l", *([str(rnd.randrange(3))] if rnd.random() < 0.5 else []))
            elif op == 3:
                both("RPOP", "l")
            elif op == 4:
                both("LINSERT", "l", rnd.choice(["BEFORE", "AFTER"]), rnd.choice(values), v)
            elif op == 5:
                both("LSET", "l", str(rnd.randrange(-30, 30)), v)
            elif op == 6:
                both("LREM", "l", str(rnd.randrange(-2, 3)), v)
            elif op == 7:
                both("LTRIM", "l", str(rnd.randrange(-5, 3)), str(rnd.randrange(-3, 60)))
            elif op == 8:
                both("LRANGE", "l", str(rnd.randrange(-40, 40)), str(rnd.randrange(-40, 40)))
            elif op == 9:
                both("LINDEX", "l", str(rnd.randrange(-40, 40)))
            else:
                both("LMOVE", "l", "l", rnd.choice(["LEFT", "RIGHT"]), rnd.choice(["LEFT", "RIGHT"]))
            if rnd.random() < 0.05:
                both("LPOS", "l", v, "RANK", str(rnd.choice([1, 2, -1])), "COUNT", "0")
        both("LRANGE", "l", "0", "-1")
        both("DEBUG", "DIGEST-VALUE", "l")
    finally:
        both("CONFIG", "SET", "list-max-listpack-size", "-2", compare=False)


def test_random_hash_edits_match(both):
    """Random edits on hashes crossing a small hash-max-listpack-entries; orders compared sorted once a
    hash may be a table."""
    import random
    rnd = random.Random(5)
    both("CONFIG", "SET", "hash-max-listpack-entries", "8", compare=False)
    try:
        for _ in range(1500):
            key = rnd.choice(["h1", "h2"])
            f = f"f{rnd.randrange(14)}"
            op = rnd.randrange(7)
            if op == 0:
                both("HSET", key, f, str(rnd.randrange(100)), f"f{rnd.randrange(14)}", "v")
            elif op == 1:
                both("HDEL", key, f, f"f{rnd.randrange(14)}")
            elif op == 2:
                both("HINCRBY", key, f, str(rnd.randrange(-5, 5)))
            elif op == 3:
                both("HSETNX", key, f, "n")
            elif op == 4:
                both("HMGET", key, f, "f1")
            elif op == 5:
                both("HGETALL", key, sort=True)
            else:
                both("HLEN", key)
        both("DEBUG", "DIGEST")
    finally:
        both("CONFIG", "SET", "hash-max-listpack-entries", "512", compare=False)

"""String, bit, HyperLogLog commands: every reply (errors included) compared byte for byte with the
reference redis-server, plus a few Cairn-only checks where time or randomness makes replies differ.

Script syntax (Both.script in conftest.py): one command per line; "quotes" with \\xHH escapes;
'!' prefix = run on both without comparing; '~' = compare arrays ignoring order.
"""

import time

import pytest

from cairn_helpers import decode

SCRIPTS = {
    # ---- GET / SET -------------------------------------------------------------------------
    "get": """
        GET missing
        SET k hello
        GET k
        GET k extra
        GET
        SET empty ""
        GET empty
        SET bin "a\\x00b\\r\\nc\\xff"
        GET bin
    """,
    "set-basic": """
        SET k v
        SET k v2
        GET k
        SET k
        SET
        set k lower
        SeT k mixed
        GET k
        SET k v bogus
        SET 12345 67890
        GET 12345
    """,
    "set-nx-xx": """
        SET k v NX
        SET k w NX
        GET k
        SET k w XX
        GET k
        SET missing w XX
        GET missing
        SET k v NX XX
        SET k v XX NX
        SET k v nx
        SET k v xx
    """,
    "set-get-option": """
        SET k v GET
        SET k w GET
        SET k x get
        GET k
        SET k y NX GET
        SET new y NX GET
        SET k z XX GET
        SET missing z XX GET
        GET missing
        SET k v GET GET
    """,
    "set-expire-options": """
        SET k v EX 100
        TTL k
        SET k v PX 100000
        TTL k
        SET k v EX 0
        SET k v EX -1
        SET k v PX 0
        SET k v PX -5
        SET k v EX abc
        SET k v PX 1.5
        SET k v EX 10 PX 10000
        SET k v EX 10 EX 10
        SET k v EX
        SET k v PX
        SET k v EXAT
        SET k v EX 9223372036854775807
        SET k v PX 9223372036854775807
        SET k v EX 9223372036854775
        SET k v EXAT 0
        SET k v PXAT 0
        SET k v EXAT -1
        SET k v EX 10 KEEPTTL
        SET k v KEEPTTL PX 10
        SET k v EXAT 4102444800
        TTL k
        EXPIRETIME k
        PEXPIRETIME k
        SET k v PXAT 4102444800123
        PEXPIRETIME k
        EXPIRETIME k
        SET k v EXAT 1
        GET k
        EXISTS k
        SET k v PXAT 1
        GET k
    """,
    "set-keepttl": """
        SET k v EX 1000
        SET k v2 KEEPTTL
        TTL k
        GET k
        SET k v3
        TTL k
        SET k v4 EX 1000
        SET k v5 KEEPTTL GET
        TTL k
        SET fresh v KEEPTTL
        TTL fresh
    """,
    "setnx": """
        SETNX k v
        SETNX k w
        GET k
        SETNX k
        SETNX k v w
    """,
    "setex-psetex": """
        SETEX k 100 v
        TTL k
        GET k
        SETEX k 0 v
        SETEX k -10 v
        SETEX k abc v
        SETEX k 100
        PSETEX k 100000 v
        TTL k
        PSETEX k 0 v
        PSETEX k -1 v
        PSETEX k 1.5 v
        SETEX k 9223372036854775807 v
        PSETEX k 9223372036854775807 v
    """,
    "getset": """
        GETSET k v
        GETSET k w
        GET k
        SET t v EX 100
        GETSET t w
        TTL t
        GETSET k
    """,
    "getdel": """
        GETDEL missing
        SET k v
        GETDEL k
        EXISTS k
        GETDEL k
        GETDEL
        GETDEL a b
    """,
    "getex": """
        GETEX missing
        GETEX missing EX 10
        SET k v
        GETEX k
        TTL k
        GETEX k EX 100
        TTL k
        GETEX k PX 200000
        TTL k
        GETEX k EXAT 4102444800
        EXPIRETIME k
        GETEX k PXAT 4102444800000
        PEXPIRETIME k
        GETEX k PERSIST
        TTL k
        GETEX k EX 0
        GETEX k EX -1
        GETEX k PX 0
        GETEX k EXAT 0
        GETEX k EX abc
        GETEX k EX 10 PX 100
        GETEX k EX 10 PERSIST
        GETEX k PERSIST EX 10
        GETEX k bogus
        GETEX k EX
        GETEX k EX 9223372036854775807
        TTL k
        GETEX k EXAT 1
        EXISTS k
        GETEX
    """,
    "mget-mset": """
        MSET a 1 b 2 c 3
        MGET a b c missing
        MGET missing
        MSET a 1 b
        MSET a
        MGET
        MSET a x a y
        GET a
        SET t v EX 100
        MSET t w
        TTL t
        MSET "" empty
        MGET ""
    """,
    "msetnx": """
        MSETNX a 1 b 2
        MSETNX b 3 c 4
        MGET a b c
        MSETNX c 4 d 5
        MGET c d
        MSETNX a
        MSETNX a 1 b
        MSETNX x 1 x 2
        GET x
    """,
    "append-strlen": """
        APPEND k hello
        APPEND k " world"
        GET k
        STRLEN k
        STRLEN missing
        APPEND k ""
        STRLEN k
        SET n 10
        APPEND n 5
        GET n
        STRLEN n
        SET t v EX 100
        APPEND t w
        TTL t
        APPEND k
        STRLEN
        STRLEN a b
        SET big 123456789012345678901234567890
        STRLEN big
        SET i -12345
        STRLEN i
    """,
    "incr-decr": """
        INCR k
        INCR k
        DECR k
        DECR k
        DECR k
        GET k
        INCRBY k 100
        DECRBY k 50
        INCRBY k -60
        DECRBY k -10
        GET k
        SET s abc
        INCR s
        DECR s
        INCRBY s 1
        SET f 1.5
        INCR f
        SET sp " 1"
        INCR sp
        SET sp "1 "
        INCR sp
        SET plus +1
        INCR plus
        SET lead 01
        INCR lead
        SET neg0 -0
        INCR neg0
        SET max 9223372036854775807
        INCR max
        INCRBY max 1
        GET max
        SET min -9223372036854775808
        DECR min
        DECRBY min 1
        SET z 0
        DECRBY z -9223372036854775808
        INCRBY z -9223372036854775808
        GET z
        INCRBY z 9223372036854775808
        INCRBY z abc
        INCRBY z 1.0
        INCRBY z ""
        INCR
        INCR a b
        INCRBY k
        SET big 99999999999999999999
        INCR big
        SET t 5 EX 100
        INCR t
        TTL t
        SET e ""
        INCR e
    """,
    "incrbyfloat": """
        INCRBYFLOAT k 1.5
        INCRBYFLOAT k 0.1
        INCRBYFLOAT k -0.6
        GET k
        INCRBYFLOAT k 5.0e3
        INCRBYFLOAT k 1e-5
        INCRBYFLOAT k -5001.00001
        INCRBYFLOAT k 10
        SET i 10
        INCRBYFLOAT i 0.5
        SET x 3.0e3
        INCRBYFLOAT x 200
        SET y 1.1
        INCRBYFLOAT y 2.2
        SET z 0.1
        INCRBYFLOAT z 0.2
        INCRBYFLOAT z -0.3
        INCRBYFLOAT z 1e300
        INCRBYFLOAT z 1e308
        INCRBYFLOAT z 1e308
        SET s abc
        INCRBYFLOAT s 1
        INCRBYFLOAT k abc
        INCRBYFLOAT k nan
        INCRBYFLOAT k inf
        INCRBYFLOAT k -inf
        INCRBYFLOAT k ""
        INCRBYFLOAT k " 1"
        INCRBYFLOAT k 1.5.5
        INCRBYFLOAT k 0x10
        SET h 1
        INCRBYFLOAT h 1.234567890123456789
        INCRBYFLOAT h 100000000000000000000
        SET t 1 EX 100
        INCRBYFLOAT t 1
        TTL t
        INCRBYFLOAT
        INCRBYFLOAT k
    """,
    "getrange-substr": """
        SET k "Hello, World"
        GETRANGE k 0 4
        GETRANGE k -5 -1
        GETRANGE k 0 -1
        GETRANGE k 0 1000
        GETRANGE k 5 3
        GETRANGE k -100 2
        GETRANGE k -1 -5
        GETRANGE k 100 200
        GETRANGE k -1 -1
        GETRANGE k 11 11
        GETRANGE k 12 12
        GETRANGE missing 0 -1
        GETRANGE k a 1
        GETRANGE k 0 b
        GETRANGE k 0
        GETRANGE k 0 9223372036854775807
        GETRANGE k -9223372036854775808 -1
        SUBSTR k 0 4
        SUBSTR k -3 -1
        SUBSTR missing 0 1
        SUBSTR k 1
        SET n 12345
        GETRANGE n 1 2
        SET e ""
        GETRANGE e 0 -1
        GETRANGE e 0 0
    """,
    "setrange": """
        SETRANGE k 0 hello
        SETRANGE k 6 world
        GET k
        STRLEN k
        SETRANGE k 1 E
        GET k
        SETRANGE missing 0 ""
        EXISTS missing
        SETRANGE missing 5 ""
        EXISTS missing
        SETRANGE k 100 ""
        STRLEN k
        SETRANGE k -1 x
        SETRANGE k abc x
        SETRANGE k 536870911 x
        SETRANGE k 536870912 x
        SETRANGE k 536870910 xyz
        SET n 1234
        SETRANGE n 1 9
        GET n
        SETRANGE n 6 9
        GET n
        SETRANGE k 0
        SETRANGE pad 3 x
        GET pad
    """,
    "lcs": """
        MSET a ohmytext b mynewtext
        LCS a b
        LCS a b LEN
        LCS a b IDX
        LCS a b IDX MINMATCHLEN 4
        LCS a b IDX WITHMATCHLEN
        LCS a b IDX MINMATCHLEN 2 WITHMATCHLEN
        LCS a b LEN IDX
        LCS a missing
        LCS missing1 missing2
        LCS missing1 missing2 LEN
        LCS missing1 missing2 IDX
        LCS a b bogus
        LCS a b MINMATCHLEN
        LCS a b MINMATCHLEN abc
        LCS a b MINMATCHLEN -1 IDX
        LCS a
        LCS a a
        SET e ""
        LCS a e IDX WITHMATCHLEN
        MSET x "ABCBDAB" y "BDCABA"
        LCS x y
        LCS x y IDX WITHMATCHLEN
    """,
    # ---- bits ------------------------------------------------------------------------------
    "setbit-getbit": """
        SETBIT k 7 1
        GET k
        SETBIT k 7 0
        SETBIT k 7 1
        GETBIT k 7
        GETBIT k 6
        GETBIT k 100000
        GETBIT missing 0
        SETBIT k 100 1
        STRLEN k
        SETBIT k 0 2
        SETBIT k 0 -1
        SETBIT k -1 1
        SETBIT k 4294967295 0
        SETBIT k 4294967296 1
        SETBIT k abc 1
        GETBIT k -1
        GETBIT k 4294967296
        GETBIT k abc
        SET s "\\xff"
        GETBIT s 0
        GETBIT s 7
        GETBIT s 8
        SETBIT s 8 1
        GET s
        SETBIT k 1
        GETBIT k
    """,
    "bitcount": """
        SET k foobar
        BITCOUNT k
        BITCOUNT k 0 0
        BITCOUNT k 1 1
        BITCOUNT k 1 -2
        BITCOUNT k -1 -1
        BITCOUNT k 5 1
        BITCOUNT k 0 100
        BITCOUNT k -100 -1
        BITCOUNT k 1 1 BYTE
        BITCOUNT k 5 30 BIT
        BITCOUNT k 0 -1 BIT
        BITCOUNT k -3 -1 BIT
        BITCOUNT k 0 0 bit
        BITCOUNT k 0 1 BOGUS
        BITCOUNT k a b
        BITCOUNT k 0 1 BIT extra
        BITCOUNT missing
        BITCOUNT missing 0 1
        BITCOUNT
        SET e ""
        BITCOUNT e 0 -1
    """,
    "bitpos": """
        SET k "\\xff\\xf0\\x00"
        BITPOS k 0
        BITPOS k 1
        BITPOS k 1 2
        BITPOS k 0 0 0
        BITPOS k 0 0 1
        BITPOS k 1 2 -1
        BITPOS k 0 -1
        BITPOS k 1 7 15 BIT
        BITPOS k 0 0 11 BIT
        BITPOS k 0 0 -1 BIT
        BITPOS k 1 -4 -1 BIT
        BITPOS k 1 0 0 BYTE
        SET ones "\\xff\\xff"
        BITPOS ones 0
        BITPOS ones 0 0
        BITPOS ones 0 0 -1
        BITPOS ones 1
        SET zeros "\\x00\\x00"
        BITPOS zeros 1
        BITPOS zeros 0
        BITPOS missing 1
        BITPOS missing 0
        BITPOS missing 0 5
        BITPOS k 2
        BITPOS k -1
        BITPOS k 1 a
        BITPOS k 1 0 1 BOGUS
        BITPOS k 1 0 1 BIT extra
        BITPOS k
        BITPOS k 1 5 2
        SET e ""
        BITPOS e 0
        BITPOS e 1
    """,
    "bitop": """
        SET a "\\x0f\\xf0"
        SET b "\\xff"
        BITOP AND dest a b
        GET dest
        BITOP OR dest a b
        GET dest
        BITOP XOR dest a b
        GET dest
        BITOP NOT dest a
        GET dest
        BITOP and dest a b missing
        GET dest
        BITOP OR dest missing
        EXISTS dest
        BITOP NOT dest a b
        BITOP BOGUS dest a
        BITOP AND dest
        BITOP
        BITOP AND dest a a
        GET dest
        SET dest x EX 100
        BITOP OR dest a
        TTL dest
        BITOP OR single a
        GET single
    """,
    "bitfield": """
        BITFIELD k SET i8 0 100
        BITFIELD k GET i8 0
        BITFIELD k SET u8 0 255 GET u8 0 GET i8 0
        BITFIELD k INCRBY u8 0 10
        BITFIELD k OVERFLOW SAT INCRBY u8 0 1000
        BITFIELD k OVERFLOW FAIL INCRBY u8 0 1000
        BITFIELD k OVERFLOW WRAP INCRBY i8 0 200
        BITFIELD k OVERFLOW SAT INCRBY i8 0 -1000
        BITFIELD k SET u4 #1 15 GET u4 #0 GET u4 #1
        BITFIELD k SET i64 64 -1 GET i64 64 GET u63 64
        BITFIELD k INCRBY i64 64 1
        BITFIELD k OVERFLOW SAT INCRBY i64 128 9223372036854775807 INCRBY i64 128 10
        BITFIELD k OVERFLOW FAIL SET u2 0 7
        BITFIELD k SET u2 0 7
        BITFIELD k GET u1 0 GET u1 1 GET i1 0
        GET k
        BITFIELD k GET u64 0
        BITFIELD k GET i65 0
        BITFIELD k GET i0 0
        BITFIELD k GET x8 0
        BITFIELD k GET u8 -1
        BITFIELD k GET u8 #-1
        BITFIELD k GET u8 4294967296
        BITFIELD k GET u8 abc
        BITFIELD k SET u8 0 abc
        BITFIELD k INCRBY u8 0 abc
        BITFIELD k OVERFLOW BOGUS GET u8 0
        BITFIELD k BOGUS
        BITFIELD k GET u8
        BITFIELD k SET u8 0
        BITFIELD k
        BITFIELD missing GET u8 0
        BITFIELD missing GET u8 0 GET i16 100
        EXISTS missing
        BITFIELD
    """,
    "bitfield-ro": """
        BITFIELD_RO k GET u8 0
        SET k "\\x80\\x01"
        BITFIELD_RO k GET u8 0 GET i8 0 GET u16 0 GET u4 #1
        BITFIELD_RO k SET u8 0 1
        BITFIELD_RO k INCRBY u8 0 1
        BITFIELD_RO k OVERFLOW SAT GET u8 0
        BITFIELD_RO k GET u64 0
        BITFIELD_RO k
        BITFIELD_RO
    """,
    # ---- HyperLogLog -----------------------------------------------------------------------
    "pfadd-pfcount": """
        PFADD h a b c d e f g
        PFADD h a b
        PFADD h z
        PFCOUNT h
        PFADD empty
        PFADD empty
        PFCOUNT empty
        EXISTS empty
        GET h
        GET empty
        PFCOUNT missing
        PFCOUNT h missing
        PFADD h2 c d x y
        PFCOUNT h h2
        PFCOUNT
        PFADD
        SET s notahll
        PFADD s a
        PFCOUNT s
        PFCOUNT h s
        SET fake "HYLL"
        PFCOUNT fake
    """,
    "pfmerge": """
        PFADD h1 a b c
        PFADD h2 c d e
        PFMERGE dest h1 h2
        PFCOUNT dest
        GET dest
        PFMERGE dest
        PFCOUNT dest
        PFMERGE h1 h2
        PFCOUNT h1
        PFMERGE new missing
        EXISTS new
        PFCOUNT new
        GET new
        SET s notahll
        PFMERGE dest s
        PFMERGE s h1
        PFMERGE
    """,
    # ---- misc protocol-level error paths shared by all commands -----------------------------
    "unknown-and-arity": """
        FOO
        FOO bar baz
        foo "with space" "\\x00"
        GET
        SET onlykey
        MGET
        STRLEN a b
        "" a
        "get "
    """,
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_string_script(both, name):
    both.script(SCRIPTS[name])


def test_wrongtype_errors(both):
    """Every string command on a list key: WRONGTYPE (needs RPUSH to make a non-string key)."""
    both("RPUSH", "l", "x")
    both.script("""
        GET l
        SET l v GET
        GETSET l v
        GETDEL l
        GETEX l
        MGET l
        APPEND l x
        STRLEN l
        INCR l
        DECR l
        INCRBY l 1
        DECRBY l 1
        INCRBYFLOAT l 1
        GETRANGE l 0 1
        SUBSTR l 0 1
        SETRANGE l 0 x
        LCS l l
        SETBIT l 0 1
        GETBIT l 0
        BITCOUNT l
        BITPOS l 1
        BITOP AND d l
        BITFIELD l GET u8 0
        BITFIELD_RO l GET u8 0
        PFADD l a
        PFCOUNT l
        PFMERGE l
        PFMERGE d l
        SETNX l v
        TYPE l
        SET l v
        TYPE l
    """)


def test_set_get_on_non_string_keeps_value(both):
    """SET ... GET on a wrong-type key fails without touching the value (needs RPUSH/LLEN)."""
    both("RPUSH", "l", "a", "b")
    both("SET", "l", "v", "GET")
    both("LLEN", "l")
    both("TYPE", "l")


def test_hll_dense_promotion(both):
    """Enough elements to turn the sparse HLL into the dense one: same bytes, same count."""
    elems = [f"element:{i}" for i in range(3000)]
    for i in range(0, len(elems), 500):
        both("PFADD", "h", *elems[i:i + 500])
    both("PFCOUNT", "h")
    both("GET", "h")
    both("PFADD", "small", "a", "b")
    both("PFMERGE", "small", "h")
    both("PFCOUNT", "small")
    both("GET", "small")
    both("PFCOUNT", "h", "small")


def test_hll_many_counts(both):
    """PFCOUNT after each batch matches the reference exactly (same hash, same estimator)."""
    for n in range(0, 20000, 997):
        both("PFADD", "h", *[str(x) for x in range(n, n + 997)])
        both("PFCOUNT", "h")


def test_bitops_long_strings(both):
    """BITOP/BITCOUNT/BITPOS on strings longer than the word-at-a-time fast paths."""
    a = bytes((i * 37) & 0xFF for i in range(1000))
    b = bytes((i * 91 + 7) & 0xFF for i in range(777))
    both("SET", "a", a)
    both("SET", "b", b)
    for op in ("AND", "OR", "XOR"):
        both("BITOP", op, "d", "a", "b")
        both("GET", "d")
    both("BITOP", "NOT", "d", "a")
    both("GET", "d")
    both("BITCOUNT", "a")
    both("BITCOUNT", "a", 3, 900)
    both("BITCOUNT", "a", 17, 5000, "BIT")
    both("SET", "z", b"\x00" * 500 + b"\x01")
    both("BITPOS", "z", 1)
    both("BITPOS", "z", 1, 0, 3999, "BIT")
    both("BITPOS", "z", 1, 100)
    both("SET", "o", b"\xff" * 500)
    both("BITPOS", "o", 0)
    both("BITPOS", "o", 0, 0, -1)


def test_setrange_getrange_binary(both):
    val = bytes(range(256)) * 4
    both("SET", "k", val)
    both("SETRANGE", "k", 1000, b"\x00\xff\r\n")
    both("GETRANGE", "k", 990, 1100)
    both("GET", "k")
    both("APPEND", "k", val)
    both("STRLEN", "k")
    both("GETRANGE", "k", -300, -200)


def test_object_encoding_strings(both):
    both.script("""
        SET int 12345
        OBJECT ENCODING int
        SET neg -9223372036854775808
        OBJECT ENCODING neg
        SET big 9223372036854775808
        OBJECT ENCODING big
        SET lead 0123
        OBJECT ENCODING lead
        SET plus +1
        OBJECT ENCODING plus
        SET e ""
        OBJECT ENCODING e
        SET s44 12345678901234567890123456789012345678901234
        OBJECT ENCODING s44
        SET s45 123456789012345678901234567890123456789012345
        OBJECT ENCODING s45
        SET str hello
        OBJECT ENCODING str
        APPEND str x
        OBJECT ENCODING str
        SET n 10
        APPEND n 1
        OBJECT ENCODING n
        INCR n
        OBJECT ENCODING n
        SETRANGE r 0 abc
        OBJECT ENCODING r
        INCRBYFLOAT f 1.5
        OBJECT ENCODING f
        SETBIT b 1 1
        OBJECT ENCODING b
        PFADD h a
        OBJECT ENCODING h
        GETSET g 7
        OBJECT ENCODING g
    """)


def test_incrbyfloat_formatting(both):
    """Long-double formatting of INCRBYFLOAT results: trailing zeros, exponents, precision."""
    cases = ["0.1", "0.2", "1e17", "-1e17", "123456789.987654321", "1e-10", "3", "-3.5",
             "1.7976931348623157e308", "2.5e-320", "0.30000000000000004", "100", "1e20", "-0"]
    for i, a in enumerate(cases):
        both("SET", f"k{i}", "0")
        both("INCRBYFLOAT", f"k{i}", a)
        both("INCRBYFLOAT", f"k{i}", "0.1")
        both("GET", f"k{i}")


def test_set_expire_then_value_gone(cairn):
    """SET PX: the key vanishes after its TTL (checked with a redis-py client)."""
    r = cairn.client()
    assert r.set("k", "v", px=100) is True
    assert 0 < r.pttl("k") <= 100
    time.sleep(0.25)
    assert r.get("k") is None
    assert r.exists("k") == 0


def test_ttl_and_pttl_values(cairn):
    r = cairn.client()
    r.set("k", "v", ex=100)
    assert r.ttl("k") == 100
    assert 99000 < r.pttl("k") <= 100000
    r.set("p", "v", px=1500)
    assert r.ttl("p") in (1, 2)
    assert 1000 < r.pttl("p") <= 1500
    r.set("x", "v", exat=int(time.time()) + 50)
    assert 48 <= r.ttl("x") <= 50
    r.set("y", "v", pxat=int(time.time() * 1000) + 50000)
    assert 48000 <= r.pttl("y") <= 50000
    r.getex("k", px=5000)
    assert 4000 < r.pttl("k") <= 5000
    r.execute_command("SETEX", "s", 30, "v")
    assert r.ttl("s") == 30
    r.execute_command("PSETEX", "ps", 30000, "v")
    assert 29000 < r.pttl("ps") <= 30000


def test_redis_py_string_api(cairn):
    """The redis-py high-level API against Cairn (RESP2 and RESP3 clients)."""
    for proto in (2, 3):
        r = cairn.client(protocol=proto, decode_responses=True)
        r.flushall()
        assert r.set("a", "1")
        assert r.incr("a") == 2
        assert r.incrbyfloat("a", 0.5) == 2.5
        assert r.mset({"x": "1", "y": "2"})
        assert r.mget("x", "y", "z") == ["1", "2", None]
        assert r.append("x", "23") == 3
        assert r.getrange("x", 1, 2) == "23"
        assert r.setrange("x", 0, "9") == 3
        assert r.get("x") == "923"
        assert r.getdel("x") == "923"
        assert r.setbit("b", 3, 1) == 0
        assert r.bitcount("b") == 1
        assert r.pfadd("h", "a", "b", "c") == 1
        assert r.pfcount("h") == 3
        assert r.lcs("a", "y") in ("", "2")
        assert r.bitfield("bf").set("u8", 0, 200).get("u8", 0).execute() == [0, 200]

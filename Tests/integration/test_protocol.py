"""Wire protocol: RESP2, RESP3 (HELLO 3), inline commands, pipelining, large values, malformed
input, abrupt disconnects and many concurrent connections."""

import asyncio
import hashlib
import socket
import threading
import time

import pytest

from cairn_helpers import RawConn, decode, encode


# ---- RESP2 -----------------------------------------------------------------------------------

def test_resp2_reply_types(both):
    both.script("""
        PING
        PING "hello world"
        ECHO ""
        SET k v
        GET k
        GET missing
        MGET k missing k
        EXISTS k
        SCAN 0 COUNT 10
        INCRBYFLOAT f 1.5
        FOO
        GET
    """)


def test_resp2_binary_safe_arguments(both):
    value = bytes(range(256)) + b"\r\n$5\r\n*1\r\n" + bytes(range(255, -1, -1))
    key = b"\x00key\r\nwith\xffbytes"
    both("SET", key, value)
    both("GET", key)
    both("STRLEN", key)
    both("MGET", key, key)


# ---- RESP3 -----------------------------------------------------------------------------------

def _hello3(conn):
    reply = conn.cmd("HELLO", "3")
    return reply, decode(reply)


def test_hello3_reply_is_a_map(cairn):
    with RawConn(cairn.port) as c:
        reply, d = _hello3(c)
        assert reply.startswith(b"%7\r\n"), reply
        assert list(d.keys()) == [b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"]
        assert d[b"proto"] == 3
        assert isinstance(d[b"id"], int)
        assert d[b"mode"] == b"standalone"
        assert d[b"role"] == b"master"
        assert d[b"modules"] == []
        assert b"$6\r\nserver\r\n" in reply and b":3\r\n" in reply and b"*0\r\n" in reply
        # the same connection now speaks RESP3
        assert c.cmd("GET", "nokey") == b"_\r\n"
        assert c.cmd("PING") == b"+PONG\r\n"
        # and back to RESP2
        reply2 = c.cmd("HELLO", "2")
        assert reply2.startswith(b"*14\r\n"), reply2
        assert c.cmd("GET", "nokey") == b"$-1\r\n"


def test_hello_without_version_keeps_protocol(cairn):
    with RawConn(cairn.port) as c:
        assert c.cmd("HELLO").startswith(b"*14\r\n")
        c.cmd("HELLO", "3")
        assert c.cmd("HELLO").startswith(b"%7\r\n")


def test_resp3_replies_match_reference(both):
    c, r = both.pair()
    assert decode(c.cmd("HELLO", "3"))[b"proto"] == 3
    r.cmd("HELLO", "3")
    both.script("""
        GET missing
        SET k v
        GET k
        MGET k missing
        EXISTS k missing
        SCAN 0
        INCRBYFLOAT f 2.5
        TTL k
        KEYS nomatch
        CONFIG GET maxmemory
        CONFIG GET nosuchparameter
        OBJECT ENCODING missing
        MSET a ohmytext b mynewtext
        LCS a b IDX WITHMATCHLEN
        LCS a b IDX MINMATCHLEN 3
        COMMAND GETKEYS SET x y
        FLUSHALL
        RANDOMKEY
        SET only 1
        RANDOMKEY
        BITFIELD missing GET u8 0
        SET k v
        SET k w GET
        SET k2 v NX GET
        SET k w NX GET
        PING
        PING msg
        ECHO x
        TYPE k
        FOO
    """)
    both("MULTI")
    both("GET", "k")
    both("EXEC")


def test_resp3_watch_abort_is_null(both):
    c, r = both.pair()
    c.cmd("HELLO", "3")
    r.cmd("HELLO", "3")
    both("WATCH", "k")
    both("SET", "k", "1", conn="other")
    both("MULTI")
    both("PING")
    both("EXEC")  # _\r\n in RESP3


def test_resp3_info_and_client_info_are_verbatim(cairn):
    with RawConn(cairn.port) as c:
        c.cmd("HELLO", "3")
        info = c.cmd("INFO", "server")
        assert info.startswith(b"="), info[:40]
        assert info.split(b"\r\n", 1)[1].startswith(b"txt:# Server")
        ci = c.cmd("CLIENT", "INFO")
        assert ci.startswith(b"="), ci[:40]
        assert ci.split(b"\r\n", 1)[1].startswith(b"txt:id=")
        cl = c.cmd("CLIENT", "LIST")
        assert cl.startswith(b"="), cl[:40]


@pytest.mark.parametrize("proto", [2, 3])
def test_debug_protocol_types(both, proto):
    c, r = both.pair()
    if proto == 3:
        c.cmd("HELLO", "3")
        r.cmd("HELLO", "3")
    for t in ("string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib",
              "verbatim", "true", "false", "push", "BOGUS"):
        if t == "push" and proto == 3:
            # a push message followed by a normal reply
            both.send_both(b"*3\r\n$5\r\nDEBUG\r\n$8\r\nPROTOCOL\r\n$4\r\npush\r\n")
            got1, ref1 = both.read_both()
            got2, ref2 = both.read_both()
            assert (got1, got2) == (ref1, ref2)
            continue
        both("DEBUG", "PROTOCOL", t)


def test_redis_py_default_resp3_client(cairn):
    """redis-py's default handshake (HELLO 3) and typical calls."""
    import redis
    r = redis.Redis(host="127.0.0.1", port=cairn.port, protocol=3, socket_timeout=10)
    try:
        assert r.ping()
        r.set("py3", "v", ex=100)
        assert r.get("py3") == b"v"
        assert r.ttl("py3") == 100
        assert r.mget("py3", "nope") == [b"v", None]
        assert r.config_get("maxmemory") == {b"maxmemory": b"0"} or r.config_get("maxmemory") == {"maxmemory": "0"}
        p = r.pipeline()
        p.incr("cnt").incr("cnt").get("cnt")
        assert p.execute() == [1, 2, b"2"]
    finally:
        r.close()


# ---- inline commands -------------------------------------------------------------------------

INLINE_CASES = [
    b"PING\r\n",
    b"PING\n",
    b"ping   \r\n",
    b"   PING\r\n",
    b"\tPING\t\r\n",
    b"ECHO hello\r\n",
    b"ECHO \"hello world\"\r\n",
    b"ECHO 'hello world'\r\n",
    b"ECHO \"a\\x41\\x42b\"\r\n",
    b"ECHO \"\\n\\r\\t\\b\\a\\\\\\\"\"\r\n",
    b"ECHO 'it\\'s'\r\n",
    b"ECHO 'back\\\\slash'\r\n",
    b"ECHO \"\\xzz\"\r\n",
    b"ECHO \"\"\r\n",
    b"ECHO ''\r\n",
    b"SET \"a b\" 'c d'\r\n",
    b"GET \"a b\"\r\n",
    b"SET k v EX 100\r\n",
    b"ECHO a  b\r\n",
    b"NOSUCH inline command\r\n",
    b"get\r\n",
    b"%foo\r\n",
    b"$notbulk\r\n",
]


@pytest.mark.parametrize("data", INLINE_CASES, ids=lambda d: d.decode("latin-1").strip().replace(" ", "_")[:40] or "blank")
def test_inline_commands(both, data):
    both.send_both(data)
    got, ref = both.read_both()
    assert got == ref, f"{data!r}\n  cairn: {got!r}\n  redis: {ref!r}"


def test_inline_blank_lines_are_ignored(both):
    both.send_both(b"\r\n\r\n\n   \r\nPING\r\n")
    got, ref = both.read_both()
    assert got == ref == b"+PONG\r\n"


def test_inline_and_multibulk_mixed_in_one_write(both):
    data = b"SET a 1\r\n" + encode("INCR", "a") + b"GET a\n" + encode("ECHO", "x y") + b"ECHO \"x y\"\r\n"
    both.send_both(data)
    for _ in range(5):
        got, ref = both.read_both()
        assert got == ref


def test_inline_large_but_allowed(both):
    arg = b"x" * 60000
    both.send_both(b"ECHO " + arg + b"\r\n")
    got, ref = both.read_both()
    assert got == ref


def test_inline_split_across_writes(cairn):
    with RawConn(cairn.port) as c:
        for b in b"ECHO \"split inline\"\r\n":
            c.send(bytes([b]))
            time.sleep(0.001)
        assert c.read_reply() == b"$12\r\nsplit inline\r\n"


def test_multibulk_split_at_every_byte(cairn):
    data = encode("SET", "bytewise", "hello\r\nworld") + encode("GET", "bytewise")
    with RawConn(cairn.port) as c:
        for i in range(len(data)):
            c.send(data[i:i + 1])
            time.sleep(0.0005)
        assert c.read_replies(2) == b"+OK\r\n$12\r\nhello\r\nworld\r\n"


# ---- malformed input: exact error, connection closed, server keeps serving others -------------

MALFORMED = {
    "multibulk-count-not-a-number": b"*abc\r\n",
    "multibulk-count-too-big": b"*3000000000\r\n",
    "bulk-length-negative": b"*1\r\n$-5\r\n",
    "bulk-length-not-a-number": b"*1\r\n$abc\r\n",
    "bulk-length-too-big": b"*1\r\n$600000000\r\n",
    "expected-dollar": b"*1\r\nfoo\r\n",
    "expected-dollar-got-star": b"*2\r\n$4\r\nECHO\r\n*1\r\n",
    "unbalanced-double-quotes": b"SET \"foo bar\r\n",
    "unbalanced-single-quotes": b"SET 'foo bar\r\n",
    "closing-quote-not-followed-by-space": b"ECHO \"foo\"bar\r\n",
    "closing-single-quote-not-followed-by-space": b"ECHO 'foo'bar\r\n",
    "too-big-mbulk-count-string": b"*" + b"1" * 70000,
    "too-big-bulk-count-string": b"*1\r\n$" + b"1" * 70000,
    "too-big-inline-request": b"PING" + b" " * 70000,
    "valid-then-malformed": b"PING\r\n*1\r\n$-5\r\n",
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_input_closes_connection(cairn, redis_server, name):
    data = MALFORMED[name]
    replies = {}
    for s in (cairn, redis_server):
        bystander = RawConn(s.port)
        bystander.cmd("SET", "bystander", "ok")
        with RawConn(s.port) as bad:
            bad.send(data)
            replies[s.name] = bad.read_until_close(timeout=5)
        # the server closed only the offending connection
        assert bystander.cmd("GET", "bystander") == b"$2\r\nok\r\n", s.name
        assert bystander.cmd("PING") == b"+PONG\r\n"
        bystander.close()
    got, ref = replies[cairn.name], replies[redis_server.name]
    assert ref.startswith(b"-ERR Protocol error") or ref.startswith(b"+PONG\r\n-ERR Protocol error"), ref
    assert got == ref, f"cairn: {got!r}\nredis: {ref!r}"


def test_protocol_error_exact_texts(cairn):
    """The error texts themselves (same in Redis 7.0, 7.2 and Valkey 8)."""
    expect = {
        b"*abc\r\n": b"-ERR Protocol error: invalid multibulk length\r\n",
        b"*1\r\n$-5\r\n": b"-ERR Protocol error: invalid bulk length\r\n",
        b"*1\r\nfoo\r\n": b"-ERR Protocol error: expected '$', got 'f'\r\n",
        b"SET \"foo bar\r\n": b"-ERR Protocol error: unbalanced quotes in request\r\n",
        b"*3000000000\r\n": b"-ERR Protocol error: invalid multibulk length\r\n",
    }
    for data, err in expect.items():
        with RawConn(cairn.port) as c:
            c.send(data)
            assert c.read_until_close(timeout=5) == err, data


def test_huge_but_valid_multibulk_count_waits_for_arguments(cairn):
    """*1048576 is a legal count: the server waits for the arguments instead of erroring."""
    with RawConn(cairn.port) as c:
        c.send(b"*1048576\r\n$4\r\nECHO\r\n")
        assert c.pending(0.3) == b""
        assert not c.is_closed(0.2)
    assert cairn.healthy()


def test_empty_and_null_multibulk_are_ignored(both):
    both.send_both(b"*0\r\n*-1\r\n*-3000000000\r\n*1\r\n$4\r\nPING\r\n")
    got, ref = both.read_both()
    assert got == ref == b"+PONG\r\n"


# ---- pipelining --------------------------------------------------------------------------------

def test_pipeline_10000_commands_in_one_write(cairn):
    parts, expected = [], []
    for i in range(5000):
        v = f"value-{i}".encode()
        parts.append(encode("SET", f"pipe:{i}", v))
        parts.append(encode("GET", f"pipe:{i}"))
        expected.append(b"+OK\r\n")
        expected.append(b"$%d\r\n%s\r\n" % (len(v), v))
    data = b"".join(parts)
    with RawConn(cairn.port, timeout=30) as c:
        c.send(data)
        got = c.read_replies(10000)
    assert got == b"".join(expected)


def test_pipeline_10000_replies_match_reference(both):
    parts = []
    for i in range(2500):
        parts.append(encode("INCR", "counter"))
        parts.append(encode("APPEND", "s", str(i)))
        parts.append(b"GET counter\r\n")
        parts.append(encode("STRLEN", "s"))
    both.send_both(b"".join(parts))
    for _ in range(10000):
        got, ref = both.read_both()
        assert got == ref


def test_pipeline_after_quit_is_not_executed(cairn):
    with RawConn(cairn.port) as c:
        c.send(encode("SET", "quitk", "before") + encode("QUIT") + encode("SET", "quitk", "after"))
        assert c.read_until_close(timeout=5) == b"+OK\r\n+OK\r\n"
    assert cairn.call("GET", "quitk") == b"before"


def test_unread_large_replies_do_not_block_other_clients(cairn):
    """A client that pipelines many large GETs and never reads must not stall the event loop."""
    r = cairn.client()
    r.set("blob", b"x" * 100_000)
    hog = socket.create_connection(("127.0.0.1", cairn.port))
    hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        hog.sendall(encode("GET", "blob") * 2000)  # ~200 MB of replies, never read
        # Building 200 MB of replies takes a moment (Redis stalls ~0.1 s too); after that the
        # stuck writer must cost the other clients nothing.
        time.sleep(1.5)
        t0 = time.monotonic()
        for _ in range(20):
            assert r.ping()
        assert time.monotonic() - t0 < 1.0
    finally:
        hog.close()
    time.sleep(0.2)
    assert cairn.healthy()


# ---- large values ------------------------------------------------------------------------------

@pytest.mark.slow
def test_100mb_bulk_value_round_trip(cairn):
    size = 100 * 1024 * 1024
    block = hashlib.sha256(b"cairn").digest() * 32  # 1 KiB pattern
    value = block * (size // len(block))
    with RawConn(cairn.port, timeout=60) as c:
        c.send(encode("SET", "big", value))
        assert c.read_reply() == b"+OK\r\n"
        assert c.cmd("STRLEN", "big") == b":%d\r\n" % size
        reply = c.cmd("GET", "big")
        assert reply[:12] == b"$%d\r\n" % size
        assert len(reply) == len(b"$%d\r\n" % size) + size + 2
        assert hashlib.sha256(reply[len(b"$%d\r\n" % size):-2]).digest() == hashlib.sha256(value).digest()
        assert c.cmd("GETRANGE", "big", size - 5, -1) == b"$5\r\n" + value[-5:] + b"\r\n"
        assert c.cmd("DEL", "big") == b":1\r\n"
    r = cairn.client()
    r.set("big2", value)
    assert r.get("big2") == value
    r.delete("big2")


def test_large_multibulk_request(both):
    """MSET with 20,000 arguments in one request."""
    args = []
    for i in range(10000):
        args += [f"m{i}", str(i)]
    both("MSET", *args)
    both("DBSIZE")
    both("MGET", *[f"m{i}" for i in range(0, 10000, 7)])


# ---- disconnects ---------------------------------------------------------------------------------

@pytest.mark.parametrize("partial", [
    b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$10\r\nabc",
    b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n",
    b"*3\r\n$3\r\nSET\r\n$4\r\nha",
    b"*3\r\n$",
    b"*3",
    b"SET half inline-without-newline",
    b"SET \"half",
], ids=["mid-bulk", "missing-arg", "mid-key", "mid-length", "mid-count", "inline", "inline-quote"])
def test_client_disconnects_mid_command(cairn, partial):
    c = RawConn(cairn.port)
    c.send(partial)
    time.sleep(0.05)
    c.close()
    time.sleep(0.05)
    assert cairn.healthy()
    assert cairn.call("EXISTS", "half") == 0


def test_client_resets_connection_mid_command(cairn):
    import struct
    s = socket.create_connection(("127.0.0.1", cairn.port))
    s.sendall(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$1000\r\nxyz")
    time.sleep(0.05)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close
    s.close()
    time.sleep(0.1)
    assert cairn.healthy()


def test_client_disconnects_with_pending_large_reply(cairn):
    r = cairn.client()
    r.set("blob", b"y" * 1_000_000)
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", cairn.port))
        s.sendall(encode("GET", "blob") * 50)
        s.close()
    time.sleep(0.2)
    assert cairn.healthy()
    assert r.strlen("blob") == 1_000_000


def test_half_closed_client_still_gets_reply(cairn):
    """A client that shuts down its write side after a full command."""
    s = socket.create_connection(("127.0.0.1", cairn.port), timeout=5)
    s.sendall(encode("PING"))
    s.shutdown(socket.SHUT_WR)
    data = b""
    try:
        while True:
            chunk = s.recv(100)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    assert data in (b"+PONG\r\n", b"")  # Redis may drop the reply when it sees EOF first
    assert cairn.healthy()


# ---- many connections ------------------------------------------------------------------------------

def test_1000_concurrent_connections(cairn):
    r = cairn.client()
    r.flushall()

    async def one(i):
        reader, writer = await asyncio.open_connection("127.0.0.1", cairn.port)
        v = f"v{i}".encode()
        writer.write(encode("SET", f"conn:{i}", v))
        await writer.drain()
        assert await reader.readexactly(5) == b"+OK\r\n"
        return reader, writer, v

    async def main():
        conns = await asyncio.gather(*(one(i) for i in range(1000)))
        info = await asyncio.to_thread(r.info, "clients")
        assert info["connected_clients"] >= 1001
        for i, (reader, writer, v) in enumerate(conns):
            writer.write(encode("GET", f"conn:{i}"))
        await asyncio.gather(*(w.drain() for _, w, _ in conns))
        for i, (reader, writer, v) in enumerate(conns):
            expect = b"$%d\r\n%s\r\n" % (len(v), v)
            assert await reader.readexactly(len(expect)) == expect
        for _, w, _ in conns:
            w.close()
        await asyncio.gather(*(w.wait_closed() for _, w, _ in conns), return_exceptions=True)

    asyncio.run(asyncio.wait_for(main(), 60))
    assert r.dbsize() == 1000
    deadline = time.time() + 5
    while time.time() < deadline and r.info("clients")["connected_clients"] > 5:
        time.sleep(0.05)
    assert r.info("clients")["connected_clients"] <= 5


def test_threads_hammering_one_counter(cairn):
    """20 threads × 500 INCRs on one key: no lost updates."""
    def work():
        c = cairn.client()
        for _ in range(500):
            c.incr("hammer")
    cairn.client().delete("hammer")
    ts = [threading.Thread(target=work) for _ in range(20)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert cairn.client().get("hammer") == b"10000"


def test_ipv6_loopback_listener(cairn):
    try:
        s = socket.create_connection(("::1", cairn.port), timeout=2)
    except OSError as e:
        pytest.skip(f"no IPv6 loopback here: {e}")
    s.sendall(b"PING\r\n")
    assert s.recv(100) == b"+PONG\r\n"
    s.close()

"""Protocol fuzzing against a live server: hundreds of thousands of random and mutated request frames (random
commands and arities, binary arguments, huge declared lengths, negative counts, RESP3 types a client may not
send, nested arrays, inline lines with broken quotes, garbage), written in random pieces and some one byte at a
time. The server must not crash or hang, another client must be served all along, and memory must come back
to where it started once the keys are gone.

CAIRN_FUZZ_FRAMES sets how many frames to send (default 200000); CAIRN_FUZZ_SECONDS caps the time spent.
The edge-number sweep runs batches CAIRN_SWEEP_FIRST (default 0) onwards, CAIRN_SWEEP_BATCHES of them (1000)."""
import os
import random
import socket
import threading
import time

import pytest

from cairn_helpers import RawConn, encode

FRAMES = int(os.environ.get("CAIRN_FUZZ_FRAMES", "200000"))
SECONDS = float(os.environ.get("CAIRN_FUZZ_SECONDS", "45"))

# Commands that change only data (no CONFIG, CLIENT PAUSE, SHUTDOWN, MONITOR, DEBUG...), so a fuzzing client
# cannot legitimately stop the server or the watcher.
DATA_COMMANDS = [
    "GET", "SET", "DEL", "EXISTS", "INCR", "INCRBY", "APPEND", "GETRANGE", "SETRANGE", "STRLEN", "MGET", "MSET",
    "EXPIRE", "PEXPIRE", "TTL", "TYPE", "RENAME", "COPY", "LPUSH", "RPUSH", "LPOP", "LRANGE", "LINSERT", "LSET",
    "LREM", "LTRIM", "LPOS", "LMOVE", "HSET", "HGET", "HDEL", "HGETALL", "HINCRBY", "HRANDFIELD", "SADD", "SREM",
    "SMEMBERS", "SINTER", "SUNIONSTORE", "SPOP", "SRANDMEMBER", "ZADD", "ZRANGE", "ZRANGEBYSCORE", "ZINCRBY",
    "ZREM", "ZPOPMIN", "ZUNIONSTORE", "ZRANDMEMBER", "XADD", "XRANGE", "XLEN", "XTRIM", "XDEL", "XGROUP",
    "XREADGROUP", "XACK", "XPENDING", "XCLAIM", "XAUTOCLAIM", "XINFO", "SETBIT", "GETBIT", "BITCOUNT", "BITPOS",
    "BITOP", "BITFIELD", "PFADD", "PFCOUNT", "PFMERGE", "SORT", "SCAN", "HSCAN", "SSCAN", "ZSCAN", "OBJECT",
    "DUMP", "RESTORE", "PING", "ECHO", "SELECT", "LCS", "GETEX", "GETDEL", "SETEX", "MULTI", "EXEC", "DISCARD",
    "WATCH", "UNWATCH", "PUBLISH", "COMMAND", "TIME", "DBSIZE", "EXPIRETIME", "SINTERCARD", "ZMPOP", "LMPOP",
]
WORDS = [b"0", b"1", b"-1", b"k", b"k2", b"*", b"+", b"-", b"(1", b"[a", b"inf", b"-inf", b"nan", b"1e308",
         b"9223372036854775807", b"-9223372036854775808", b"18446744073709551616", b"NX", b"XX", b"GT", b"LT",
         b"EX", b"PX", b"KEEPTTL", b"GET", b"WITHSCORES", b"LIMIT", b"COUNT", b"MATCH", b"TYPE", b"BYSCORE",
         b"REV", b"LEFT", b"RIGHT", b"BEFORE", b"AFTER", b"MAXLEN", b"~", b"=", b"MKSTREAM", b"$", b">", b"0-0",
         b"STORE", b"BY", b"ALPHA", b"OVERFLOW", b"SAT", b"i64", b"u63", b"#0", b"ENCODING", b"FREQ", b"AND",
         b"NOT", b"STREAMS", b"CREATE", b"g", b"c", b"", b"\x00", b"\xff" * 8]


def random_arg(rng):
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(WORDS)
    if roll < 0.8:
        return str(rng.randint(-10**6, 10**6)).encode()
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))


def random_command(rng):
    """A well-framed request: a data command or an unknown one, random case, random arity."""
    if rng.random() < 0.15:
        name = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz|_-") for _ in range(rng.randint(1, 12)))
    else:
        name = rng.choice(DATA_COMMANDS).encode()
        name = bytes(c ^ 0x20 if 97 <= (c | 0x20) <= 122 and rng.random() < 0.3 else c for c in name)
    args = [random_arg(rng) for _ in range(rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5, 8, 20]))]
    if rng.random() < 0.1:
        # Inline form, as telnet sends it.
        return b" ".join([name] + [a for a in args if a and b"\r" not in a and b"\n" not in a]) + b"\r\n"
    return encode(name, *args)


def hostile_frame(rng):
    """A frame the parser must refuse or wait on; the connection usually ends with it."""
    kind = rng.randrange(12)
    if kind == 0:
        return b"*%d\r\n" % rng.choice([2**31, 2**63 - 1, 10**6, 1025 * 1024, 99999999999999999999])
    if kind == 1:
        return b"*%d\r\n" % rng.choice([-1, -2, -5, -(2**31), -(2**63)])
    if kind == 2:
        return b"*2\r\n$%d\r\n" % rng.choice([2**31, 2**40, 512 * 1024 * 1024 + 1, -2, -1, 10**20])
    if kind == 3:
        t = rng.choice(b"%~>|,(#_=!:+-")
        return bytes([t]) + b"2\r\n" + encode("GET", "k")
    if kind == 4:
        # Arrays inside arrays, as no client sends.
        depth = rng.randint(1, 50)
        return b"*2\r\n" * depth + b"$3\r\nGET\r\n$1\r\nk\r\n"
    if kind == 5:
        frame = bytearray(random_command(rng))
        for _ in range(rng.randint(1, 4)):
            frame[rng.randrange(len(frame))] = rng.getrandbits(8)
        return bytes(frame)
    if kind == 6:
        frame = random_command(rng)
        return frame[:rng.randrange(1, len(frame))]
    if kind == 7:
        return b'SET "unbalanced k\r\n' if rng.random() < 0.5 else b"GET 'k\r\n"
    if kind == 8:
        return b"x" * (64 * 1024 + rng.randint(1, 1000))
    if kind == 9:
        return b"*1\r\n$" + b"9" * rng.randint(1, 30) + b"\r\n"
    if kind == 10:
        return b"*abc\r\n" if rng.random() < 0.5 else b"*1\r\n$x\r\n"
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200)))


def send_session(port, payload, rng, byte_by_byte=False):
    """Sends payload in random pieces, half-closes, and reads until the server closes: a hang fails."""
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    received = 0
    try:
        i = 0
        while i < len(payload):
            n = 1 if byte_by_byte else rng.choice([1, 3, 17, 100, 1000, 4096, 65536])
            try:
                s.sendall(payload[i:i + n])
            except (BrokenPipeError, ConnectionResetError):
                break           # the server closed after a protocol error: the rest is not for it
            i += n
            if received == 0 and rng.random() < 0.01:
                s.setblocking(False)
                try:
                    received += len(s.recv(1 << 20))
                except (BlockingIOError, ConnectionResetError):
                    pass
                s.setblocking(True)
                s.settimeout(20)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            try:
                chunk = s.recv(1 << 20)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += len(chunk)
    finally:
        s.close()
    return received


def used_memory(port):
    with RawConn(port) as c:
        info = c.cmd("INFO", "memory").decode()
    return int(info.split("used_memory:")[1].split("\r\n")[0])


@pytest.mark.slow
def test_fuzzed_frames_leave_the_server_healthy(cairn_factory):
    s = cairn_factory("--save", "", debug=False)
    seed = int(os.environ.get("CAIRN_FUZZ_SEED", "0")) or random.randrange(1 << 30)
    rng = random.Random(seed)
    seed_note = f"CAIRN_FUZZ_SEED={seed}"

    # A first round of the same traffic puts one-time allocations (each command's latency histogram, the
    # databases' tables at their grown size, SLOWLOG) in the baseline; what the main run adds must be freed.
    send_session(s.port, b"".join(encode(name) for name in DATA_COMMANDS), rng)
    for _ in range(60):
        send_session(s.port, b"".join(random_command(rng) for _ in range(rng.randint(50, 600))) + hostile_frame(rng), rng)
    with RawConn(s.port) as c:
        c.cmd("FLUSHALL")
    time.sleep(0.2)
    baseline = used_memory(s.port)

    stop = threading.Event()
    watcher_errors = []
    worst = [0.0]
    increments = [0]

    def watch():
        try:
            with RawConn(s.port, timeout=10) as w:
                assert w.cmd("SELECT", "15") == b"+OK\r\n"
                while not stop.is_set():
                    t = time.monotonic()
                    reply = w.cmd("INCR", "watcher")
                    worst[0] = max(worst[0], time.monotonic() - t)
                    increments[0] += 1
                    assert reply == b":%d\r\n" % increments[0], reply
                    time.sleep(0.01)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            watcher_errors.append(repr(e))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()

    sent = 0
    sessions = 0
    deadline = time.monotonic() + SECONDS
    try:
        while sent < FRAMES and time.monotonic() < deadline:
            byte_by_byte = sessions % 50 == 0
            n = 5 if byte_by_byte else rng.randint(50, 600)
            frames = [random_command(rng) for _ in range(n)]
            if rng.random() < 0.8:
                frames.append(hostile_frame(rng))
            send_session(s.port, b"".join(frames), rng, byte_by_byte=byte_by_byte)
            sent += len(frames)
            sessions += 1
            assert s.alive(), f"server died after {sent} frames ({seed_note})\n{s.log_tail()}"
            assert not watcher_errors, f"watcher: {watcher_errors} ({seed_note})"
    finally:
        stop.set()
        watcher.join(10)

    assert not watcher_errors, f"watcher: {watcher_errors} ({seed_note})"
    assert sent >= min(FRAMES, 100_000), f"only {sent} frames in {SECONDS}s"
    assert increments[0] > 0 and worst[0] < 5.0, f"watcher served {increments[0]} times, worst wait {worst[0]:.2f}s"
    with RawConn(s.port) as c:
        assert c.cmd("PING") == b"+PONG\r\n"
        c.cmd("FLUSHALL")
    time.sleep(0.5)
    after = used_memory(s.port)
    # Bounded leftovers only: SLOWLOG keeps a fixed number of entries, errorstats one per error code.
    assert after < baseline + 1024 * 1024, f"used_memory {baseline} -> {after} after {sent} frames ({seed_note})"
    print(f"fuzz: {sent} frames in {sessions} connections, worst watcher wait {worst[0] * 1000:.0f} ms, "
          f"used_memory {baseline} -> {after}")


# Numbers at the edges of what each parser and each count, offset, index or score has to handle: the two
# found crashes (LREM of -2^63, GEOADD's error text for 1e308) came from such arguments.
EXTREME_NUMBERS = [b"9223372036854775807", b"-9223372036854775808", b"-9223372036854775807", b"9223372036854775808",
                   b"4294967296", b"-4294967296", b"2147483648", b"-2147483649", b"0", b"-0", b"-1", b"1", b"-2",
                   b"1e308", b"-1e308", b"1e-320", b"inf", b"-inf", b"+inf", b"nan", b"0x10", b" 1", b"1.5", b"(-1"]
OPTION_WORDS = [b"NX", b"XX", b"GT", b"LT", b"EX", b"PX", b"EXAT", b"PXAT", b"KEEPTTL", b"GET", b"WITHSCORES",
                b"LIMIT", b"COUNT", b"MATCH", b"TYPE", b"BYSCORE", b"BYLEX", b"REV", b"LEFT", b"RIGHT", b"BEFORE",
                b"AFTER", b"MAXLEN", b"MINID", b"~", b"=", b"MKSTREAM", b"$", b">", b"*", b"0-0", b"1-1",
                b"18446744073709551615-18446744073709551615", b"STORE", b"STOREDIST", b"BY", b"ALPHA", b"OVERFLOW",
                b"SAT", b"WRAP", b"FAIL", b"i64", b"u63", b"i8", b"u1", b"#0", b"#9223372036854775807",
                b"ENCODING", b"FREQ", b"AND", b"OR", b"NOT", b"STREAMS", b"CREATE", b"SETID", b"ENTRIESREAD",
                b"g", b"c", b"RANK", b"IDLE", b"TIME", b"RETRYCOUNT", b"FORCE", b"JUSTID", b"WEIGHTS",
                b"AGGREGATE", b"MIN", b"MAX", b"SUM", b"WITHVALUES", b"IDX", b"LEN", b"MINMATCHLEN",
                b"WITHMATCHLEN", b"BIT", b"BYTE", b"INCRBY", b"SET", b"(1", b"[a", b"-", b"+", b"(", b"[",
                b"REPLACE", b"ABSTTL", b"IDLETIME", b"DB", b"COPY", b"FULL", b"GROUPS", b"CONSUMERS", b"STREAM",
                b"CREATECONSUMER", b"DELCONSUMER", b"DESTROY", b"NOMKSTREAM", b"NOACK", b"CH", b"INCR",
                b"FROMMEMBER", b"FROMLONLAT", b"BYRADIUS", b"BYBOX", b"km", b"ASC", b"DESC", b"WITHCOORD",
                b"WITHDIST", b"WITHHASH", b"ANY", b"LASTID", b"ENTRIESADDED", b"MAXDELETEDID"]
# Keys of every type and encoding (small packed and large), so each command meets the values it works on.
TYPED_KEYS = [b"s", b"n", b"l", b"h", b"st", b"z", b"x", b"g", b"missing", b"bl", b"bh", b"bs", b"bz"]
# Left out: commands that block, wait, end or take over the connection, or change the server's settings.
NOT_SWEPT = {"blpop", "brpop", "blmove", "brpoplpush", "blmpop", "bzpopmin", "bzpopmax", "bzmpop", "wait",
             "waitaof", "quit", "reset", "hello", "monitor", "subscribe", "psubscribe", "ssubscribe", "sync",
             "psync", "replconf", "replicaof", "slaveof", "shutdown", "debug", "config", "client", "acl",
             "save", "bgsave", "bgrewriteaof", "failover", "auth", "multi", "exec", "discard", "select",
             "xread", "xreadgroup", "keys", "latency", "slowlog", "pfdebug", "pfselftest"}
# Redis itself answers these with as many items as a huge negative count asks for: not a crash to look for.
HUGE_COUNTS_ANSWERED = {"srandmember", "zrandmember", "hrandfield"}


def typed_keys_setup():
    return b"".join([
        encode("FLUSHALL"), encode("SET", "s", "abc"), encode("SET", "n", "12345"),
        encode("RPUSH", "l", "a", "b", "1", "2"), encode("HSET", "h", "f", "1", "g", "v"),
        encode("SADD", "st", "a", "1", "2"), encode("ZADD", "z", "1", "a", "2", "b"),
        encode("XADD", "x", "1-1", "f", "v"), encode("XGROUP", "CREATE", "x", "g", "0"),
        encode("XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"),
        encode("GEOADD", "g", "13.36", "38.11", "a", "15.08", "37.50", "b"),
        encode("RPUSH", "bl", *[str(i) for i in range(300)]),
        encode("HSET", "bh", *[str(i) for i in range(1200)]),
        encode("SADD", "bs", *[f"m{i}" for i in range(700)]),
        encode("ZADD", "bz", *[str(j) for i in range(200) for j in (i, f"m{i}")]),
    ])


def sweep_command(rng, names):
    name = rng.choice(names)
    args = [rng.choice(TYPED_KEYS)] if rng.random() < 0.9 else []
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8])):
        roll = rng.random()
        if roll < 0.35:
            args.append(rng.choice(EXTREME_NUMBERS))
        elif roll < 0.7:
            args.append(rng.choice(OPTION_WORDS))
        elif roll < 0.9:
            args.append(rng.choice(TYPED_KEYS))
        else:
            args.append(str(rng.randint(-20, 20)).encode())
    if name in HUGE_COUNTS_ANSWERED:
        args = [b"-5" if len(a) > 6 and a.lstrip(b"-").isdigit() else a for a in args]
    return encode(name, *args)


@pytest.mark.slow
def test_extreme_numbers_in_every_command_never_crash(cairn_factory):
    """Every data command of COMMAND LIST, on keys of every type and encoding, with arguments drawn from edge
    numbers and option words, in RESP2 and RESP3: every reply arrives and the server stays up. Seeded, so a
    failure names the batch that reproduces it; the allocation-heavy offsets are capped by proto-max-bulk-len."""
    s = cairn_factory("--save", "", "--proto-max-bulk-len", "1mb", debug=False)
    with RawConn(s.port) as c:
        listed = c.cmd("COMMAND", "LIST").split(b"\r\n")
    names = sorted({line.decode() for line in listed[2::2] if line} - NOT_SWEPT)
    names = [n for n in names if "|" not in n]
    assert len(names) > 150, names
    first = int(os.environ.get("CAIRN_SWEEP_FIRST", "0"))
    for seed in range(first, first + int(os.environ.get("CAIRN_SWEEP_BATCHES", "1000"))):
        rng = random.Random(seed)
        frames = [encode("HELLO", "3") if seed % 2 else b"", typed_keys_setup()]
        frames += [sweep_command(rng, names) for _ in range(250)]
        with socket.create_connection(("127.0.0.1", s.port), timeout=30) as conn:
            conn.sendall(b"".join(frames) + encode("ECHO", "end-of-batch"))
            got = b""
            while not got.endswith(b"end-of-batch\r\n"):
                chunk = conn.recv(1 << 20)
                assert chunk, f"connection closed in batch {seed}\n{s.log_tail()}"
                got += chunk
        assert s.alive(), f"server died in batch {seed}\n{s.log_tail()}"

"""Group commit under appendfsync always: the writer waits, after a sync, for the clients that sync answered
to write again (while they keep coming, in slices of half the sync's duration), so many clients share one
fdatasync. A reply still goes out only once the sync that covers its write is done, and a client that goes
quiet or away after its reply never stalls the others."""
import os
import threading
import time

from cairn_helpers import RawConn
from test_aof import info_field


def incr_file(server):
    d = server.dir / "appendonlydir"
    return sorted(d.glob("*.incr.aof"), key=lambda p: int(p.name.split(".")[-3]))[-1]


def test_reply_waits_for_the_file_under_concurrent_writers(cairn_factory):
    """Eight clients write unique keys; whenever one is acknowledged, its key is already in the file."""
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always")
    path = incr_file(s)
    failures = []

    def writer(n):
        try:
            with RawConn(s.port) as c:
                for i in range(60):
                    key = f"gc:{n}:{i}"
                    if c.cmd("SET", key, "v") != b"+OK\r\n":
                        failures.append(f"{key}: not acknowledged")
                    elif i % 4 == 0 and f"${len(key)}\r\n{key}\r\n".encode() not in path.read_bytes():
                        failures.append(key)
        except Exception as e:
            failures.append(repr(e))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [], f"acknowledged before written: {failures[:5]}"
    syncs = int(info_field(s.port, "aof_fsyncs"))
    assert 0 < syncs <= 480


def test_quiet_or_closed_client_never_stalls_the_others(cairn_factory):
    """Clients answered together by one sync: one goes quiet, one only reads, one disconnects; the last
    keeps writing and each of its writes is acknowledged and survives kill -9."""
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always")
    quiet, reader, leaving, busy = (RawConn(s.port) for _ in range(4))
    for n, c in enumerate((quiet, reader, leaving, busy)):
        c.send(f"*3\r\n$3\r\nSET\r\n$2\r\nk{n}\r\n$1\r\nv\r\n".encode())
    for c in (quiet, reader, leaving, busy):
        assert c.read_reply() == b"+OK\r\n"
    leaving.sock.close()
    for i in range(100):
        assert busy.cmd("INCR", "counter") == f":{i + 1}\r\n".encode()
        if i % 10 == 0:
            assert reader.cmd("GET", "counter") == f"$%d\r\n{i + 1}\r\n".encode() % len(str(i + 1))
    assert quiet.cmd("SET", "late", "1") == b"+OK\r\n"
    for c in (quiet, reader, busy):
        c.sock.close()
    s.kill()
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("GET", "counter") == b"$3\r\n100\r\n"
        assert c.cmd("EXISTS", "k0", "k1", "k2", "k3", "late") == b":5\r\n"


def test_pipelines_and_transactions_share_syncs(cairn_factory):
    """Pipelined writes, MULTI/EXEC and reads mixed across clients come back whole, in order, and persist."""
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always")

    failures = []

    def client(n):
        try:
            exchange(n)
        except Exception as e:
            failures.append(repr(e))

    def exchange(n):
        with RawConn(s.port) as c:
            batch = b"".join(
                f"*3\r\n$4\r\nSADD\r\n$3\r\ns:{n}\r\n${len(str(i))}\r\n{i}\r\n".encode() for i in range(40))
            batch += b"*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$3\r\ntx:\r\n*1\r\n$4\r\nEXEC\r\n"
            batch += f"*2\r\n$5\r\nSCARD\r\n$3\r\ns:{n}\r\n".encode()
            c.send(batch)
            for _ in range(40):
                assert c.read_reply() == b":1\r\n"
            assert c.read_reply() == b"+OK\r\n"
            assert c.read_reply() == b"+QUEUED\r\n"
            assert c.read_reply().startswith(b"*1\r\n:")
            assert c.read_reply() == b":40\r\n"

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    s.kill()
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("GET", "tx:") == b"$1\r\n6\r\n"
        for n in range(6):
            assert c.cmd("SCARD", f"s:{n}") == b":40\r\n"


def test_every_acknowledged_write_of_many_clients_survives_kill(cairn_factory):
    """Forty clients write unique keys without pause, so the writer gathers them into syncs while some are
    still on their way; the server is killed mid-stream, and every key acknowledged before the kill is there
    after the restart."""
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always")
    acknowledged = [[] for _ in range(40)]
    failures = []

    def writer(n):
        try:
            with RawConn(s.port) as c:
                i = 0
                while True:
                    key = f"k:{n}:{i}"
                    reply = c.cmd("SET", key, "v")
                    if reply != b"+OK\r\n":
                        failures.append(f"{key}: {reply!r}")
                        return
                    acknowledged[n].append(key)
                    i += 1
        except Exception:
            pass  # the kill ends every client

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(40)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 300
    while sum(map(len, acknowledged)) < 6000 and time.monotonic() < deadline and not failures:
        time.sleep(0.05)
    s.kill()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    keys = [k for keys in acknowledged for k in keys]
    assert len(keys) >= 6000
    s.start()
    with RawConn(s.port) as c:
        for start in range(0, len(keys), 500):
            batch = keys[start:start + 500]
            assert c.cmd("EXISTS", *batch) == f":{len(batch)}\r\n".encode()


def background_writers(port, n, stop):
    """Clients that keep the writer syncing, so the test's replies are held among theirs."""
    def run(i):
        with RawConn(port) as c:
            while not stop.is_set():
                assert c.cmd("INCR", f"bg:{i}").startswith(b":")

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    return threads


def test_a_long_pipelines_replies_keep_their_order_while_held(cairn_factory):
    """Thousands of INCRs in one pipeline arrive over many reads, so the loop runs some while the replies of
    others wait for a sync; every reply comes back once, in order, and every write survives kill -9."""
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always")
    stop = threading.Event()
    threads = background_writers(s.port, 4, stop)
    try:
        with RawConn(s.port) as c:
            for round_ in range(3):
                count = 5000
                c.send(b"*2\r\n$4\r\nINCR\r\n$3\r\nctr\r\n" * count)
                for i in range(count):
                    assert c.read_reply() == f":{round_ * count + i + 1}\r\n".encode()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    s.kill()
    s.start()
    with RawConn(s.port) as c:
        assert c.cmd("GET", "ctr") == b"$5\r\n15000\r\n"


def test_a_client_gone_while_its_reply_is_held_leaves_nothing_behind(cairn_factory):
    """Clients write and leave without reading while their replies wait for a sync: a client connecting
    meanwhile (which may get the same descriptor) sees only its own replies, and no descriptor stays open."""
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always")
    fd_dir = f"/proc/{s.proc.pid}/fd"
    baseline = len(os.listdir(fd_dir))
    stop = threading.Event()
    threads = background_writers(s.port, 2, stop)
    try:
        for i in range(300):
            leaving = RawConn(s.port)
            leaving.send(b"*3\r\n$3\r\nSET\r\n$4\r\ngone\r\n$1\r\nv\r\n")
            leaving.sock.close()
            with RawConn(s.port) as c:
                assert c.cmd("PING") == b"+PONG\r\n"
                assert c.cmd("SET", f"k{i}", "v") == b"+OK\r\n"
                assert c.cmd("ECHO", f"e{i}") == f"${len(str(i)) + 1}\r\ne{i}\r\n".encode()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    deadline = time.monotonic() + 60
    while len(os.listdir(fd_dir)) > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(os.listdir(fd_dir)) <= baseline, "every client's socket is closed"


def test_a_held_reply_too_large_for_the_socket_goes_out_whole_and_in_order(cairn_factory):
    """Writes between reads of a 16 MB value, all held for a sync: the socket takes part of the output, the
    rest goes out, ahead of the replies produced meanwhile, once the client reads."""
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always")
    big = os.urandom(8 << 20).hex().encode()
    with RawConn(s.port) as c:
        assert c.cmd("SET", "big", big) == b"+OK\r\n"
    stop = threading.Event()
    threads = background_writers(s.port, 2, stop)
    try:
        with RawConn(s.port) as c:
            get = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n"
            c.send(b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n" + get + b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n" + get)
            # Not reading yet: the socket fills and the rest waits in the output buffer.
            time.sleep(1)
            c.send(b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n")
            time.sleep(0.5)
            expected_big = b"$%d\r\n" % len(big) + big + b"\r\n"
            assert c.read_reply() == b":1\r\n"
            assert c.read_reply() == expected_big
            assert c.read_reply() == b":2\r\n"
            assert c.read_reply() == expected_big
            assert c.read_reply() == b":3\r\n"
            assert c.cmd("PING") == b"+PONG\r\n"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)


def test_replies_go_on_after_the_writer_is_replaced(cairn_factory):
    """A client that wrote under always keeps getting replies on the same connection after CONFIG SET replaces
    the writer (policy change, AOF off and on again): its held replies wait for a stream offset, which a new
    writer must not count again from zero (they used to wait for it forever)."""
    s = cairn_factory("--appendonly", "yes", "--appendfsync", "always")
    with RawConn(s.port, timeout=5) as c:
        for step in [("CONFIG", "SET", "appendfsync", "everysec"), ("CONFIG", "SET", "appendfsync", "always"),
                     ("CONFIG", "SET", "appendonly", "no"), ("CONFIG", "SET", "appendonly", "yes")]:
            assert c.cmd("SET", "k", "v" * 100) == b"+OK\r\n"
            assert c.cmd(*step) == b"+OK\r\n"
            assert c.cmd("GET", "k") == b"$100\r\n" + b"v" * 100 + b"\r\n"
        deadline = time.time() + 10
        while info_field(s.port, "aof_rewrite_in_progress") != "0" and time.time() < deadline:
            time.sleep(0.02)
        assert c.cmd("INCR", "n") == b":1\r\n"
    s.kill()
    s.start()
    assert s.call("GET", "n") == b"1"

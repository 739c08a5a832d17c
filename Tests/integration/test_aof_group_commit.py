"""Group commit under appendfsync always: the writer waits, after a sync, for the clients that sync answered
to write again (while they keep coming, in slices of half the sync's duration), so many clients share one
fdatasync. A reply still goes out only once the sync that covers its write is done, and a client that goes
quiet or away after its reply never stalls the others."""
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

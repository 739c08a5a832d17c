"""Replication (issue 7): Cairn -> Cairn full and partial sync while clients write, promotion with a second
replica continuing by partial resync, chained replicas, interop with Debian's redis-server 7.0 in both
directions, and bad input (a garbage-sending fake primary, links cut at each handshake stage, rogue PSYNC /
REPLCONF from clients)."""

import random
import socket
import threading
import time

import pytest
import redis

from cairn_helpers import RawConn, parse_info, server_contents
from conftest import REDIS_SERVER, RedisProcess, _ACTIVE


def info(server, section="replication"):
    return parse_info(server.call("INFO", section))[section]


def stats(server):
    s = info(server, "stats")
    return {k: int(s[k]) for k in ("sync_full", "sync_partial_ok", "sync_partial_err")}


def wait_for(cond, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def in_sync(primary, replica):
    p, r = info(primary), info(replica)
    return (r.get("master_link_status") == "up"
            and int(r["slave_repl_offset"]) == int(p["master_repl_offset"]))


def wait_sync(primary, replica, timeout=60.0):
    wait_for(lambda: in_sync(primary, replica), timeout, f"{replica.name} in sync with {primary.name}")


def digest(server):
    return server.call("DEBUG", "DIGEST")


def populate(c, n=3000, prefix="k"):
    """A mixed dataset: every type, small and large encodings, keys with deadlines, several databases."""
    p = c.pipeline(transaction=False)
    for i in range(n):
        k = f"{prefix}:{i}"
        t = i % 7
        if t == 0:
            p.set(k, f"v{i}" * (1 + i % 50))
        elif t == 1:
            p.rpush(k, *[f"e{j}" for j in range(1 + i % 200)])
        elif t == 2:
            p.hset(k, mapping={f"f{j}": j for j in range(1 + i % 700)})
        elif t == 3:
            p.sadd(k, *range(1 + i % 600))
        elif t == 4:
            p.zadd(k, {f"m{j}": j * 1.5 for j in range(1 + i % 300)})
        elif t == 5:
            for j in range(1 + i % 20):
                p.xadd(k, {"a": j})
        else:
            p.set(k, i, px=3_600_000 + i)
    p.execute()
    c.execute_command("SELECT", 3)
    c.set("in-db-3", "x")
    c.execute_command("SELECT", 0)


class Writers:
    """Clients writing (strings, lists, hashes, counters, expiries, MULTI) until stopped."""

    def __init__(self, server, count=20):
        self.server = server
        self.stop_flag = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(count)]
        self.errors = []

    def run(self, n):
        c = redis.Redis(port=self.server.port, socket_timeout=10)
        rnd = random.Random(n)
        i = 0
        try:
            while not self.stop_flag.is_set():
                i += 1
                op = rnd.randrange(6)
                if op == 0:
                    c.set(f"w{n}:{i % 500}", i)
                elif op == 1:
                    c.rpush(f"wl{n}", i)
                elif op == 2:
                    c.hset(f"wh{n}", f"f{i % 100}", i)
                elif op == 3:
                    c.incr(f"wc{n}")
                elif op == 4:
                    c.set(f"we{n}:{i % 50}", i, ex=100)
                else:
                    p = c.pipeline(transaction=True)
                    p.sadd(f"ws{n}", i).zadd(f"wz{n}", {str(i): i})
                    p.execute()
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.errors.append(e)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for t in self.threads:
            t.join(10)


def full_sync_under_writers(primary, make_replica):
    """A mixed dataset, then a replica made while 20 clients write: in the end both hold the same content."""
    populate(primary.client())
    with Writers(primary) as w:
        replica = make_replica()
        wait_for(lambda: info(replica).get("master_link_status") == "up", 60, "link up")
        time.sleep(0.5)
    assert not w.errors
    wait_sync(primary, replica)
    assert digest(primary) == digest(replica)
    assert replica.client().dbsize() == primary.client().dbsize()
    return replica


def start_replica(cairn_factory, primary, *args, name="replica"):
    return cairn_factory("--replicaof", f"127.0.0.1 {primary.port}", "--save", "", *args, name=name)


@pytest.mark.parametrize("diskless", ["yes", "no"])
def test_full_sync_while_writing(cairn_factory, diskless):
    primary = cairn_factory("--save", "", "--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0",
                            name="primary")
    replica = full_sync_under_writers(primary, lambda: start_replica(cairn_factory, primary))
    st = stats(primary)
    assert st["sync_full"] == 1
    pinfo = info(primary)
    assert pinfo["connected_slaves"] == "1" and "state=online" in pinfo["slave0"]
    # Writes go on flowing; the replica refuses its own.
    primary.client().set("after", "1")
    wait_sync(primary, replica)
    assert replica.client().get("after") == b"1"
    with pytest.raises(redis.ReadOnlyError):
        replica.client().set("x", 1)
    role = replica.call("ROLE")
    assert role[0] == b"slave" and role[3] == b"connected"
    prole = primary.call("ROLE")
    assert prole[0] == b"master" and len(prole[2]) == 1


def test_partial_resync_after_client_kill(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    populate(primary.client(), 500)
    replica = start_replica(cairn_factory, primary)
    wait_sync(primary, replica)
    with Writers(primary, 10) as w:
        time.sleep(0.3)
        assert primary.call("CLIENT", "KILL", "TYPE", "replica") == 1
        time.sleep(0.5)
    assert not w.errors
    wait_sync(primary, replica)
    st = stats(primary)
    assert st["sync_full"] == 1
    assert st["sync_partial_ok"] == 1
    assert digest(primary) == digest(replica)


def test_promotion_second_replica_continues_partially(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    populate(primary.client(), 500)
    r1 = start_replica(cairn_factory, primary, "--repl-diskless-sync-delay", "0", name="r1")
    r2 = start_replica(cairn_factory, primary, name="r2")
    wait_sync(primary, r1)
    wait_sync(primary, r2)
    old_id = info(primary)["master_replid"]
    primary.kill()
    assert r1.call("REPLICAOF", "NO", "ONE") == b"OK"
    i1 = info(r1)
    assert i1["role"] == "master" and i1["master_replid2"] == old_id
    assert r2.call("REPLICAOF", "127.0.0.1", str(r1.port)) == b"OK"
    wait_sync(r1, r2)
    st = stats(r1)
    assert st["sync_partial_ok"] == 1 and st["sync_full"] == 0
    assert info(r2)["master_replid"] == info(r1)["master_replid"]
    r1.client().set("new-primary", "yes")
    wait_sync(r1, r2)
    assert r2.client().get("new-primary") == b"yes"
    assert digest(r1) == digest(r2)


def test_chained_replicas_share_offsets(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    populate(primary.client(), 300)
    r1 = start_replica(cairn_factory, primary, "--repl-diskless-sync-delay", "0", name="r1")
    wait_sync(primary, r1)
    r2 = start_replica(cairn_factory, r1, name="r2")
    with Writers(primary, 5):
        time.sleep(1)
    wait_sync(primary, r1)
    wait_sync(r1, r2)
    assert info(r2)["master_repl_offset"] == info(primary)["master_repl_offset"]
    assert digest(primary) == digest(r1) == digest(r2)


def test_wait_counts_acknowledging_replicas(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    replica = start_replica(cairn_factory, primary)
    wait_sync(primary, replica)
    c = primary.client()
    c.set("w", 1)
    assert c.execute_command("WAIT", 1, 2000) == 1
    t = time.monotonic()
    assert c.execute_command("WAIT", 2, 300) == 1
    assert time.monotonic() - t >= 0.25
    with pytest.raises(redis.ResponseError, match="WAIT cannot be used with replica instances"):
        replica.client().execute_command("WAIT", 1, 0)


def test_replica_restart_continues_from_its_dump(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    populate(primary.client(), 300)
    replica = cairn_factory("--replicaof", f"127.0.0.1 {primary.port}", name="replica")
    wait_sync(primary, replica)
    replica.stop()  # SIGTERM: the shutdown save records repl-id and repl-offset
    primary.client().set("while-down", "1")
    replica.start()
    wait_sync(primary, replica)
    st = stats(primary)
    assert st["sync_full"] == 1 and st["sync_partial_ok"] == 1
    assert replica.client().get("while-down") == b"1"
    assert digest(primary) == digest(replica)


def test_serve_stale_data_no_and_replicaof_no_one(cairn_factory):
    replica = cairn_factory("--replicaof", "127.0.0.1 1", name="replica")
    assert replica.client().get("a") is None
    assert replica.call("CONFIG", "SET", "replica-serve-stale-data", "no") == b"OK"
    time.sleep(0.3)
    # As Redis 7.0: even PING is refused, INFO and ROLE are not.
    for cmd in (("GET", "a"), ("PING",)):
        with pytest.raises(redis.ResponseError, match="Link with MASTER is down"):
            replica.client().execute_command(*cmd)
    i = info(replica)
    assert i["role"] == "slave" and i["master_link_status"] == "down"
    assert replica.call("ROLE")[3] in (b"connect", b"connecting")
    assert replica.call("REPLICAOF", "NO", "ONE") == b"OK"
    assert replica.client().set("a", 1)
    assert replica.call("REPLICAOF", "NO", "ONE") == b"OK"


# --- interop with redis-server 7.0 ------------------------------------------------------------

def redis_process(tmp_path, *args, name="redis-repl"):
    s = RedisProcess(name, REDIS_SERVER, tmp_path / name, extra_args=list(args))
    s.start()
    _ACTIVE.append(s)
    return s


def sync_then_resync_partially(primary, replica):
    """Full sync under writers, then a cut link: every key and the digest equal after each, and the primary
    counted the second sync as a partial one. Returns the primary's INFO stats."""
    with Writers(primary, 5):
        time.sleep(1)
    wait_sync(primary, replica)
    assert server_contents(primary.client()) == server_contents(replica.client())
    assert digest(primary) == digest(replica)
    primary.call("CLIENT", "KILL", "TYPE", "replica")
    primary.client().set("during-cut", "1")
    wait_sync(primary, replica)
    st = stats(primary)
    assert st["sync_partial_ok"] == 1
    assert digest(primary) == digest(replica)
    return st


@pytest.mark.parametrize("diskless", ["yes", "no"])
def test_redis_replica_of_cairn(cairn_factory, tmp_path, diskless):
    primary = cairn_factory("--save", "", "--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0",
                            "--rdb-version", "10", name="primary")
    populate(primary.client(), 2000)
    replica = redis_process(tmp_path, "--replicaof", "127.0.0.1", str(primary.port))
    try:
        sync_then_resync_partially(primary, replica)
    finally:
        replica.stop()
        _ACTIVE.remove(replica)


@pytest.mark.parametrize("diskless", ["yes", "no"])
def test_cairn_replica_of_redis(cairn_factory, tmp_path, diskless):
    primary = redis_process(tmp_path, "--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0",
                            name="redis-primary")
    try:
        populate(primary.client(), 2000)
        replica = start_replica(cairn_factory, primary)
        assert sync_then_resync_partially(primary, replica)["sync_full"] == 1
        # WAIT on Redis counts our ACKs.
        assert primary.client().execute_command("WAIT", 1, 2000) == 1
    finally:
        primary.stop()
        _ACTIVE.remove(primary)


# --- bad input ----------------------------------------------------------------------------------

class FakePrimary:
    """A listening socket that answers a replica's handshake from a script, cutting or corrupting it."""

    def __init__(self, script):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.script = script
        self.connections = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            try:
                conn.settimeout(5)
                self.script(conn)
            except OSError:
                pass
            finally:
                conn.close()

    def close(self):
        self.sock.close()


def read_command(conn):
    data = b""
    while not data.endswith(b"\r\n") or data.count(b"\r\n") < 1 + 2 * int(data[1:data.index(b"\r\n")] or 0):
        chunk = conn.recv(1)
        if not chunk:
            raise OSError("closed")
        data += chunk
        if data.startswith(b"*") and b"\r\n" not in data:
            continue
    return data


def answer_replconfs(conn):
    """Reads the replica's pipelined REPLCONFs (listening-port, capa, version) and accepts them all."""
    for _ in range(3):
        read_command(conn)
    conn.sendall(b"+OK\r\n" * 3)


STAGES = [
    lambda c: None,                                                              # cut at connect
    lambda c: (read_command(c),),                                                # cut after PING
    lambda c: (read_command(c), c.sendall(b"+PONG\r\n"), read_command(c)),       # cut mid-REPLCONF
    lambda c: (read_command(c), c.sendall(b"-ERR nope\r\n")),                    # PING error
    lambda c: (read_command(c), c.sendall(b"+PONG\r\n"), answer_replconfs(c), read_command(c)),  # cut after PSYNC
    lambda c: (read_command(c), c.sendall(b"+PONG\r\n"), answer_replconfs(c),
               read_command(c),
               c.sendall(b"+FULLRESYNC " + b"a" * 40 + b" 0\r\n\n\n$100\r\nREDIS0011garbage")),  # cut mid-RDB
    lambda c: (read_command(c), c.sendall(b"+PONG\r\n"), answer_replconfs(c),
               read_command(c),
               c.sendall(b"+FULLRESYNC " + b"b" * 40 + b" 0\r\n$EOF:" + b"c" * 40 + b"\r\n" + bytes(range(256)) * 40)),
    lambda c: c.sendall(bytes(random.Random(7).randrange(256) for _ in range(5000))),  # pure garbage
    lambda c: (read_command(c), c.sendall(b"+PONG\r\n"), answer_replconfs(c),
               read_command(c), c.sendall(b"+WHAT\r\n")),
    lambda c: (read_command(c), c.sendall(b"+PONG\r\n"), answer_replconfs(c),
               read_command(c),
               c.sendall(b"+FULLRESYNC " + b"d" * 40 + b" 0\r\n$999999999999999999999999\r\n")),
]


def dbsize_unless_loading(server):
    try:
        return server.client().dbsize()
    except redis.BusyLoadingError:
        return "loading"


@pytest.mark.parametrize("stage", range(len(STAGES)))
def test_replica_survives_a_broken_primary_then_converges(cairn_factory, stage):
    fake = FakePrimary(STAGES[stage])
    replica = cairn_factory("--replicaof", f"127.0.0.1 {fake.port}", "--save", "", name="replica")
    replica.client().execute_command("REPLICAOF", "127.0.0.1", str(fake.port))
    wait_for(lambda: fake.connections >= 2, 15, "the replica to retry")
    # Alive and answering (PING itself gets -LOADING while an attempt's RDB is being read, as in Redis).
    assert replica.alive()
    assert info(replica)["master_link_status"] == "down"
    assert dbsize_unless_loading(replica) in (0, "loading")  # never a half-loaded dataset
    fake.close()
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    populate(primary.client(), 200)
    # An attempt on the dead primary may be loading its bad RDB right now: -LOADING, as Redis answers, and a
    # client tries again; any other reply fails here with its text.
    def accepted():
        reply = replica.call("REPLICAOF", "127.0.0.1", str(primary.port))
        assert reply == b"OK" or "LOADING" in str(reply), reply
        return reply == b"OK"
    wait_for(accepted, 15, "REPLICAOF accepted")
    wait_sync(primary, replica)
    assert digest(primary) == digest(replica)


def test_rogue_clients_get_errors(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    c = primary.client()
    c.set("a", 1)
    with pytest.raises(redis.ResponseError, match="not an integer"):
        c.execute_command("PSYNC", "?", "notanumber")
    with pytest.raises(redis.ResponseError, match="not an integer"):
        c.execute_command("PSYNC", "x" * 40, "99999999999999999999999")
    with pytest.raises(redis.ResponseError, match="syntax error"):
        c.execute_command("REPLCONF", "listening-port")
    with pytest.raises(redis.ResponseError, match="Unrecognized REPLCONF option: bogus"):
        c.execute_command("REPLCONF", "bogus", "1")
    with pytest.raises(redis.ResponseError, match="not an integer"):
        c.execute_command("REPLCONF", "listening-port", "port")
    # Valkey 8's checks and words for the options its replicas send.
    assert c.execute_command("REPLCONF", "version", "8.0.1") == b"OK"
    with pytest.raises(redis.ResponseError, match="Unrecognized version format: 8.0$"):
        c.execute_command("REPLCONF", "version", "8.0")
    with pytest.raises(redis.ResponseError, match="value is out of range, value must between 0 and 1$"):
        c.execute_command("REPLCONF", "rdb-channel", "2")
    with pytest.raises(redis.ResponseError, match="not an integer"):
        c.execute_command("REPLCONF", "set-rdb-client-id", "abc")
    with pytest.raises(redis.ResponseError, match="Unrecognized RDB client id 424242$"):
        c.execute_command("REPLCONF", "set-rdb-client-id", "424242")
    with RawConn(primary.port) as rc:
        # ACKs from a client that is not a replica are ignored, whatever the offset, and never answered.
        rc.send(b"REPLCONF ACK 9223372036854775807\r\nREPLCONF ACK -5\r\nREPLCONF ACK zz\r\nPING\r\n")
        assert rc.read_reply() == b"+PONG\r\n"
    with RawConn(primary.port) as rc:
        # A replica announcing an absurd offset simply gets a full sync.
        rc.send(b"PSYNC " + b"0" * 40 + b" 9223372036854775807\r\n")
        line = rc._line()
        assert line.startswith(b"+FULLRESYNC")
        # An ACK past the primary's offset is ignored: a write after it stays unacknowledged.
        rc.send(b"REPLCONF ACK 9223372036854775807\r\n")
        c.set("b", 1)
        assert c.execute_command("WAIT", 1, 100) == 0
    assert info(primary)["connected_slaves"] in ("0", "1")
    assert primary.healthy()


def test_min_replicas_to_write(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", "--min-replicas-to-write", "1",
                            name="primary")
    with pytest.raises(redis.ResponseError, match="NOREPLICAS Not enough good replicas to write."):
        primary.client().set("a", 1)
    replica = start_replica(cairn_factory, primary)
    wait_sync(primary, replica)
    wait_for(lambda: info(primary).get("min_slaves_good_slaves") == "1", 10, "a good replica")
    assert primary.client().set("a", 1)


def test_primarys_writes_see_keys_the_replicas_clock_has_expired(cairn_factory):
    """Writes the primary made before a key's deadline reach a lagging replica after it: the replica applies
    them to the key as it stands (Redis's expireIfNeeded lets the primary's commands see it), so an RPUSH or
    INCR followed by PERSIST leaves the same data on both sides instead of a list or counter started over."""
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    replica = start_replica(cairn_factory, primary)
    wait_sync(primary, replica)
    p = primary.client()
    p.rpush("list", "a")
    p.set("counter", 5)
    p.hset("hash", "f", "1")
    for key in ("list", "counter", "hash"):
        p.pexpire(key, 400)
    wait_sync(primary, replica)
    sleeper = threading.Thread(target=lambda: replica.client().execute_command("DEBUG", "SLEEP", "0.8"))
    sleeper.start()
    time.sleep(0.1)
    p.rpush("list", "b")
    p.incr("counter")
    p.hset("hash", "g", "2")
    for key in ("list", "counter", "hash"):
        p.persist(key)
    sleeper.join()
    wait_sync(primary, replica)
    r = replica.client()
    assert r.lrange("list", 0, -1) == [b"a", b"b"]
    assert r.get("counter") == b"6"
    assert r.hgetall("hash") == {b"f": b"1", b"g": b"2"}
    assert digest(primary) == digest(replica)


def test_replica_hides_expired_keys_until_the_primary_deletes_them(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    replica = start_replica(cairn_factory, primary)
    wait_sync(primary, replica)
    p = primary.client()
    p.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    p.set("short", "v", px=100)
    wait_sync(primary, replica)
    time.sleep(0.3)
    r = replica.client()
    assert r.get("short") is None          # hidden from reads
    assert r.dbsize() == 1                  # but still there: only the primary deletes
    assert p.get("short") is None           # the primary expires it and propagates DEL
    wait_sync(primary, replica)
    assert r.dbsize() == 0


def first_line(conn):
    """The first line that is not a keep-alive newline."""
    line = conn._line()
    while line == b"":
        line = conn._line()
    return line


def open_dual_channel(port, hello, replies, rdb_extra=b""):
    """Plays a Valkey replica's two channels up to the RDB channel's first line: the main channel sends `hello`
    (expecting `replies`) and PSYNC ? -1, the RDB channel its REPLCONF and SYNC. Returns (main, rdb, that line)."""
    main = RawConn(port)
    main.send(hello)
    assert main.read_replies(replies.count(b"\r\n")) == replies
    main.send(b"PSYNC ? -1\r\n")
    assert main._line() == b"+DUALCHANNELSYNC"
    rdb = RawConn(port)
    rdb.send(b"REPLCONF capa eof rdb-only 1 rdb-channel 1" + rdb_extra + b"\r\n")
    assert rdb.read_reply() == b"+OK\r\n"
    rdb.send(b"SYNC\r\n")
    return main, rdb, first_line(rdb)


def test_dual_channel_primary_side_as_valkey_drives_it(cairn_factory):
    """Valkey 8's dual-channel full sync against a Cairn primary, with both channels played by raw sockets
    (the transcript of the replication spec, section 11.4)."""
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", "--dual-channel-replication-enabled", "yes",
                            name="primary")
    populate(primary.client(), 300)
    main, rdb, line = open_dual_channel(
        primary.port,
        b"PING\r\nREPLCONF listening-port 6380\r\nREPLCONF capa eof capa psync2 capa dual-channel\r\nREPLCONF version 8.0.1\r\n",
        b"+PONG\r\n" + b"+OK\r\n" * 3, b" listening-port 6380")
    assert line.startswith(b"$ENDOFF:"), line
    offset, replid, dbid, client_id = line[len(b"$ENDOFF:"):].split(b" ")
    assert len(replid) == 40 and dbid == b"0"
    primary.client().set("after-snapshot", "1")  # belongs to the stream, not the RDB
    header = rdb._line()
    assert header.startswith(b"$EOF:") and len(header) == 45
    mark = header[5:]
    while not rdb.buf.endswith(mark) or len(rdb.buf) - rdb.pos < 50:
        rdb._fill()
    assert bytes(rdb.buf[rdb.pos:rdb.pos + 9]) == b"REDIS0011"
    assert b"after-snapshot" not in rdb.buf
    assert int(info(primary)["replicas_waiting_psync"]) == 1
    rdb.close()

    main.send(b"REPLCONF set-rdb-client-id 999999\r\n")
    assert main.read_reply() == b"-ERR Unrecognized RDB client id 999999\r\n"
    main.send(b"REPLCONF set-rdb-client-id " + client_id + b"\r\n")
    assert main.read_reply() == b"+OK\r\n"
    main.send(b"PSYNC " + replid + b" " + str(int(offset) + 1).encode() + b"\r\n")
    assert main._line() == b"+CONTINUE " + replid
    while b"after-snapshot" not in main.buf:
        main._fill()
    st = stats(primary)
    assert st["sync_full"] == 1 and st["sync_partial_ok"] == 1
    assert int(info(primary)["replicas_waiting_psync"]) == 0
    main.close()


def test_dual_channel_main_channel_is_written_in_batches_while_its_replica_loads(cairn_factory):
    """A main channel in bg_transfer (its RDB channel still open: the replica is loading) is not written every loop
    turn: its replica only buffers the stream, and each write woke it. The stream still arrives whole, from the
    cron, and what is pending at the replica's first ACK goes out then."""
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", "--dual-channel-replication-enabled", "yes",
                            "--hz", "1", name="primary")
    populate(primary.client(), 100)
    main, rdb, line = open_dual_channel(primary.port, b"REPLCONF capa eof capa psync2 capa dual-channel\r\n", b"+OK\r\n")
    offset, replid, _, client_id = line[len(b"$ENDOFF:"):].split(b" ")
    main.send(b"REPLCONF set-rdb-client-id " + client_id + b"\r\n")
    assert main.read_reply() == b"+OK\r\n"
    main.send(b"PSYNC " + replid + b" " + str(int(offset) + 1).encode() + b"\r\n")
    assert main._line() == b"+CONTINUE " + replid
    wait_for(lambda: "state=bg_transfer" in info(primary).get("slave1", "") + info(primary).get("slave0", ""),
             30, "the main channel in bg_transfer")

    c = primary.client()
    before = int(info(primary, "stats")["total_writes_processed"])
    for i in range(50):
        c.set(f"during-load-{i}", "v")
    after = int(info(primary, "stats")["total_writes_processed"])
    # Each SET's reply is one write; every turn's stream written to the main channel would have been 50 more.
    # With hz 1 only a cron tick a second writes it, and 50 SETs take far less than 25 seconds.
    assert after - before < 75, (before, after)
    while b"during-load-49" not in main.buf:
        main._fill()

    c.set("before-ack", "v")
    main.send(b"REPLCONF ACK 0\r\n")
    wait_for(lambda: "state=online" in info(primary).get("slave1", "") + info(primary).get("slave0", ""),
             30, "the main channel online at its first ACK")
    while b"before-ack" not in main.buf:
        main._fill()
    c.set("after-ack", "v")
    while b"after-ack" not in main.buf:
        main._fill()
    main.close()
    rdb.close()


def diskless_rdb(port):
    """The RDB of a diskless full sync taken over loopback on a raw socket (the EOF-marked bulk, mark removed)."""
    conn = RawConn(port)
    conn.send(b"REPLCONF capa eof\r\n")
    assert conn.read_reply() == b"+OK\r\n"
    conn.send(b"SYNC\r\n")
    line = first_line(conn)
    assert line.startswith(b"$EOF:") and len(line) == 45, line
    mark = line[5:]
    while not conn.buf.endswith(mark):
        conn._fill()
    rdb = bytes(conn.buf[conn.pos:len(conn.buf) - len(mark)])
    conn.close()
    return rdb


@pytest.mark.parametrize("args, compressed", [
    ((), False),                                                  # auto: a replica on this host gets plain strings
    (("--repl-diskless-compression", "no"), False),
    (("--repl-diskless-compression", "yes"), True),               # Redis's behaviour
    (("--repl-diskless-compression", "yes", "--rdbcompression", "no"), False),
])
def test_diskless_transfer_compression(cairn_factory, args, compressed):
    """repl-diskless-compression: LZF over a loopback link cost the sender and the replica's reader CPU that the
    bytes it saves do not, so `auto` (the default) leaves it off for a replica on the same host; the RDB is valid
    either way and loads into the same dataset."""
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", *args, name="primary")
    c = primary.client()
    c.set("long", "x" * 1000)
    c.rpush("list", *(["y" * 100] * 50))
    rdb = diskless_rdb(primary.port)
    assert (b"x" * 1000 not in rdb) == compressed
    assert rdb.startswith(b"REDIS0011")
    replica = start_replica(cairn_factory, primary)
    wait_sync(primary, replica)
    assert replica.client().get("long") == b"x" * 1000
    assert digest(primary) == digest(replica)


def test_backlog_freed_after_ttl_without_replicas(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", "--repl-backlog-ttl", "1", name="primary")
    replica = start_replica(cairn_factory, primary)
    wait_sync(primary, replica)
    old_id = info(primary)["master_replid"]
    replica.stop()
    wait_for(lambda: info(primary)["repl_backlog_active"] == "0", 10, "the backlog to be freed")
    assert info(primary)["master_replid"] != old_id
    primary.client().set("no-backlog", "1")
    assert primary.healthy()

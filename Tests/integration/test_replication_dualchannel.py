"""Dual-channel full sync, replica side (issue 7): a Cairn replica with dual-channel-replication-enabled loads
the RDB over a second connection while buffering the main channel's stream; it falls back to classic sync
when the primary lacks the capability, and a cut or slowed RDB channel neither crashes it nor shows a
half-loaded dataset."""

import socket
import threading
import time

from test_replication import (FakePrimary, Writers, answer_replconfs, digest, full_sync_under_writers, info, populate,
                              read_command, stats, wait_for, wait_sync)


def dual_primary(cairn_factory, *args):
    return cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", "--dual-channel-replication-enabled", "yes",
                         *args, name="primary")


def dual_replica(cairn_factory, port, *args):
    return cairn_factory("--replicaof", f"127.0.0.1 {port}", "--save", "", "--dual-channel-replication-enabled", "yes",
                         *args, name="replica")


class Proxy:
    """Forwards every connection to a primary. The RDB channel (a connection whose opening names rdb-channel)
    can be cut after `cut_after` bytes from the primary (the first one only), slowed to `rate` bytes/s, or held
    after `hold_after` bytes until `released` is set; with `slow_all` every connection is slowed (a classic
    sync's single one)."""

    def __init__(self, port, cut_after=None, rate=None, slow_all=False, hold_after=None):
        self.target = port
        self.cut_after = cut_after
        self.rate = rate
        self.slow_all = slow_all
        self.hold_after = hold_after
        self.released = threading.Event()
        self.cuts = 0
        self.rdb_channels = 0
        self.open = threading.Event()  # cleared: new connections wait before reaching the primary
        self.open.set()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                down, _ = self.sock.accept()
            except OSError:
                return
            self.open.wait()
            up = socket.socket()
            if self.rate or self.hold_after is not None:
                # A small window and segment size keep a slowed or held RDB in the primary's own process: on
                # loopback (64 KB segments, buffers autotuned to megabytes) a small RDB would sit whole in kernel
                # buffers and the primary's save would end at once, whatever the proxy forwards.
                up.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
                up.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1400)
            up.connect(("127.0.0.1", self.target))
            state = {"rdb": False, "cut": False}
            threading.Thread(target=self.pump_up, args=(down, up, state), daemon=True).start()
            threading.Thread(target=self.pump_down, args=(up, down, state), daemon=True).start()

    def pump_up(self, down, up, state):
        first = True
        try:
            while data := down.recv(65536):
                if first and b"rdb-channel" in data:
                    state["rdb"] = True
                    self.rdb_channels += 1
                    state["cut"] = self.cut_after is not None and self.cuts == 0
                first = False
                up.sendall(data)
        except OSError:
            pass
        self.close(down, up)

    def pump_down(self, up, down, state):
        sent = 0
        try:
            while data := up.recv(16384):
                if (state["rdb"] or self.slow_all) and self.rate:
                    time.sleep(len(data) / self.rate)
                if state["cut"] and sent + len(data) > self.cut_after:
                    self.cuts += 1
                    down.sendall(data[:self.cut_after - sent])
                    break
                if state["rdb"] and self.hold_after is not None and not self.released.is_set() \
                        and sent + len(data) > self.hold_after:
                    head = max(0, self.hold_after - sent)
                    down.sendall(data[:head])
                    sent += head
                    data = data[head:]
                    self.released.wait()
                down.sendall(data)
                sent += len(data)
        except OSError:
            pass
        self.close(down, up)

    @staticmethod
    def close(*socks):
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def raw_dbsize(sock):
    """DBSIZE over a raw socket, so a -LOADING or -MASTERDOWN reply is seen as such rather than retried."""
    sock.sendall(b"DBSIZE\r\n")
    line = b""
    while not line.endswith(b"\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            raise OSError("closed")
        line += chunk
    return int(line[1:]) if line.startswith(b":") else line.strip().decode()


def test_dual_channel_full_sync_while_writing(cairn_factory):
    primary = dual_primary(cairn_factory)
    replica = full_sync_under_writers(primary, lambda: dual_replica(cairn_factory, primary.port))
    # One full sync on the RDB channel and the main channel's PSYNC from the snapshot's end, as Valkey counts them.
    st = stats(primary)
    assert st["sync_full"] == 1 and st["sync_partial_ok"] == 1
    rinfo = info(replica)
    assert rinfo["replicas_repl_buffer_size"] == "0" and int(rinfo["replicas_repl_buffer_peak"]) >= 0
    assert rinfo["master_replid"] == info(primary)["master_replid"]
    assert "capable of dual channel synchronization" in primary.log_text()
    log = replica.log_text()
    assert "PSYNC is not possible, initialize RDB channel." in log
    assert "Successfully streamed replication data into memory" in log
    pinfo = info(primary)
    assert pinfo["connected_slaves"] == "1" and "state=online" in pinfo["slave0"]
    assert pinfo["replicas_waiting_psync"] == "0"
    primary.client().set("after", "1")
    wait_sync(primary, replica)
    assert replica.client().get("after") == b"1"
    assert replica.call("ROLE")[3] == b"connected"
    # A cut main channel afterwards continues by partial resync on one channel.
    assert primary.call("CLIENT", "KILL", "TYPE", "replica") == 1
    primary.client().set("during-cut", "1")
    wait_sync(primary, replica)
    st = stats(primary)
    assert st["sync_full"] == 1 and st["sync_partial_ok"] == 2
    assert digest(primary) == digest(replica)


def test_stream_buffered_during_the_load_is_applied_over_loop_turns(cairn_factory):
    """The RDB is held back until the replica has buffered megabytes of the main channel's stream (with values
    longer than a slice); once loaded, the link comes up and that stream is applied a slice per loop turn while
    writes keep arriving behind it. The replica ends with the primary's content."""
    primary = dual_primary(cairn_factory)
    populate(primary.client(), 2000)
    # Past the RDB channel's replies ($ENDOFF included), so the main channel PSYNCs and buffers meanwhile.
    proxy = Proxy(primary.port, hold_after=256)
    with Writers(primary, 10) as w:
        replica = dual_replica(cairn_factory, proxy.port)
        # Values longer than a slice: each takes several turns to arrive whole.
        for i in range(3):
            primary.client().set(f"big:{i}", "x" * (200_000 + i))
        wait_for(lambda: int(info(replica).get("replicas_repl_buffer_size", 0)) > 2 * 1024 * 1024, 120,
                 "two megabytes of buffered stream (32 slices)")
        proxy.released.set()
        wait_for(lambda: info(replica).get("master_link_status") == "up", 120, "link up")
        time.sleep(0.5)
    assert not w.errors
    wait_sync(primary, replica, timeout=120)
    assert digest(primary) == digest(replica)
    assert replica.client().dbsize() == primary.client().dbsize()
    assert replica.client().strlen("big:2") == 200_002
    rinfo = info(replica)
    assert rinfo["replicas_repl_buffer_size"] == "0" and int(rinfo["replicas_repl_buffer_peak"]) > 2 * 1024 * 1024
    assert "Successfully streamed replication data into memory" in replica.log_text()
    st = stats(primary)
    assert st["sync_full"] == 1 and st["sync_partial_ok"] == 1


def test_falls_back_to_classic_when_the_primary_lacks_the_capability(cairn_factory):
    for primary_args in (("--dual-channel-replication-enabled", "no"), ("--repl-diskless-sync", "no")):
        primary = dual_primary(cairn_factory, *primary_args)
        populate(primary.client(), 500)
        replica = dual_replica(cairn_factory, primary.port)
        wait_sync(primary, replica)
        assert digest(primary) == digest(replica)
        st = stats(primary)
        assert st["sync_full"] == 1 and st["sync_partial_ok"] == 0
        assert "initialize RDB channel" not in replica.log_text()
        replica.stop()
        primary.stop()


def test_rdb_channel_cut_mid_transfer_retries_and_converges(cairn_factory):
    primary = dual_primary(cairn_factory)
    populate(primary.client(), 3000)
    full = primary.client().dbsize()
    proxy = Proxy(primary.port, cut_after=256 * 1024)
    replica = cairn_factory("--save", "", "--dual-channel-replication-enabled", "yes", name="replica")
    replica.client().set("old", "1")
    seen = set()
    with socket.create_connection(("127.0.0.1", replica.port)) as s:
        replica.call("REPLICAOF", "127.0.0.1", str(proxy.port))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            n = raw_dbsize(s)
            seen.add(n if isinstance(n, str) else ("old" if n == 1 else "full" if n == full else f"partial {n}"))
            if n == full and info(replica).get("master_link_status") == "up":
                break
            time.sleep(0.01)
    assert proxy.cuts == 1 and proxy.rdb_channels >= 2
    assert not any(x.startswith("partial") for x in seen), seen
    assert "full" in seen
    assert replica.healthy()
    wait_sync(primary, replica)
    assert digest(primary) == digest(replica)
    assert stats(primary)["sync_full"] == 2
    log = replica.log_text()
    assert "Aborting dual channel sync" in log
    assert "Successfully streamed replication data into memory" in log


def test_buffer_limit_stops_reading_and_the_sync_still_completes(cairn_factory):
    primary = dual_primary(cairn_factory)
    populate(primary.client(), 2000)
    proxy = Proxy(primary.port, rate=2 * 1024 * 1024)
    with Writers(primary, 10) as w:
        replica = dual_replica(cairn_factory, proxy.port, "--client-output-buffer-limit", "replica 64kb 0 0")
        wait_for(lambda: "Replication buffer limit reached, stopping buffering." in replica.log_text(), 60,
                 "the local buffer limit")
        wait_for(lambda: info(replica).get("master_link_status") == "up", 60, "link up")
        time.sleep(0.3)
    assert not w.errors
    wait_sync(primary, replica, timeout=90)
    assert digest(primary) == digest(replica)
    assert int(info(replica)["replicas_repl_buffer_peak"]) > 64 * 1024
    assert stats(primary)["sync_full"] == 1


def test_primary_refusing_the_rdb_channel_aborts_and_retries(cairn_factory):
    """A primary that answers +DUALCHANNELSYNC but refuses the RDB channel's REPLCONF: the replica drops both
    connections, keeps serving, and tries again from scratch."""

    def script(c):
        if c.recv(2, socket.MSG_PEEK) == b"*9":  # the RDB channel opens with its REPLCONF, no PING
            read_command(c)
            c.sendall(b"-ERR Unrecognized REPLCONF option: rdb-only\r\n")
            return
        read_command(c)
        c.sendall(b"+PONG\r\n")
        answer_replconfs(c)
        read_command(c)
        c.sendall(b"+DUALCHANNELSYNC\r\n")
        time.sleep(2)

    fake = FakePrimary(script)
    replica = dual_replica(cairn_factory, fake.port)
    wait_for(lambda: replica.log_text().count("dual channel sync approach cannot be used") >= 2, 30, "two attempts")
    assert replica.healthy()
    assert info(replica)["master_link_status"] == "down"
    assert replica.client().dbsize() == 0
    fake.close()


def test_info_shows_both_channels_and_the_replicas_load(cairn_factory):
    """While a slowed RDB channel transfers, the primary lists the RDB channel and the main channel as Valkey 8
    does (type=rdb-channel / main-channel, the main channel in bg_transfer until its replica's first ACK) and the
    replica reports loading:1 with Redis's loading_* progress fields; afterwards one replica line, online."""
    from test_replication_loading import sync_info
    primary = dual_primary(cairn_factory)
    populate(primary.client(), 3000)
    proxy = Proxy(primary.port, rate=512 * 1024)
    replica = dual_replica(cairn_factory, proxy.port)

    def both_channels():
        # One INFO with both lines in their transfer states: the main channel's line appears, and the RDB
        # channel's changes state, on loop turns of their own.
        pinfo = info(primary)
        types = {v.split("type=")[1]: v for k, v in pinfo.items() if k.startswith("slave")}
        return (pinfo.get("connected_slaves") == "2" and "state=wait_bgsave" in types.get("rdb-channel", "")
                and "state=bg_transfer" in types.get("main-channel", ""))
    wait_for(both_channels, 30, "the RDB channel waiting for its save and the main channel in bg_transfer")
    # The replica reports loading once the RDB channel's header arrives, which may trail the primary's lines.
    wait_for(lambda: sync_info(replica, "persistence")["loading"] == "1", 30, "the replica's load")
    load = sync_info(replica, "persistence")
    assert load["async_loading"] == "0"
    assert int(load["loading_start_time"]) > 0 and load["loading_total_bytes"] == "0"
    assert int(load["loading_loaded_bytes"]) >= 0 and int(load["loading_eta_seconds"]) >= 0
    wait_sync(primary, replica, timeout=90)
    # The replica is in sync by its own INFO before the primary has its first ACK, which makes the line online.
    wait_for(lambda: "state=online" in info(primary).get("slave0", ""), 30, "the replica online on the primary")
    pinfo = info(primary)
    assert pinfo["connected_slaves"] == "1"
    assert pinfo["slave0"].endswith(",type=replica") and "state=online" in pinfo["slave0"]
    after = info(replica, "persistence")
    assert after["loading"] == "0" and "loading_start_time" not in after
    assert digest(primary) == digest(replica)

"""A replica while it loads a full sync (issue 7): -LOADING where Redis answers it (MASTERDOWN first with
replica-serve-stale-data no, old data under repl-diskless-load swapdb when the sync continues our own
history), INFO's master_sync_* progress, and a primary named by host name resolved off the event loop."""

import socket
import time

import pytest

from test_replication import digest, info, populate, stats, wait_for, wait_sync
from test_replication_dualchannel import Proxy

LOADING = "-LOADING Redis is loading the dataset in memory"


def raw_reply(sock, command):
    sock.sendall(command)
    line = b""
    while not line.endswith(b"\r\n"):
        line += sock.recv(1)
    if line.startswith(b"$") and line != b"$-1\r\n":
        n = int(line[1:])
        data = b""
        while len(data) < n + 2:
            data += sock.recv(n + 2 - len(data))
        return data[:-2].decode()
    return line.strip().decode()


def sync_info(replica, section="replication"):
    """An INFO section while loading (INFO is allowed then), as a dict."""
    with socket.create_connection(("127.0.0.1", replica.port)) as s:
        text = raw_reply(s, b"INFO %s\r\n" % section.encode())
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


@pytest.mark.parametrize("diskless", ["yes", "no"])
def test_loading_replica_answers_loading_and_reports_progress(cairn_factory, diskless):
    primary = cairn_factory("--save", "", "--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0",
                            name="primary")
    populate(primary.client(), 3000)
    proxy = Proxy(primary.port, rate=1024 * 1024, slow_all=True)
    replica = cairn_factory("--save", "", name="replica")
    replica.client().set("old", "1")
    replica.call("REPLICAOF", "127.0.0.1", str(proxy.port))
    with socket.create_connection(("127.0.0.1", replica.port)) as s:
        wait_for(lambda: raw_reply(s, b"GET old\r\n") == LOADING, 30, "-LOADING")
        assert raw_reply(s, b"PING\r\n") == LOADING
        assert raw_reply(s, b"ROLE\r\n").startswith("*")  # ROLE and INFO have the loading flag
        # The first sample waits for the first bytes: LOADING is answered from the moment the transfer begins.
        wait_for(lambda: int(sync_info(replica).get("master_sync_read_bytes", "0")) > 0, 30, "the first bytes")
        first = sync_info(replica)
        assert first["master_sync_in_progress"] == "1" and first["master_link_status"] == "down"
        persistence = sync_info(replica, "persistence")
        assert persistence["loading"] == "1" and persistence["async_loading"] == "0"
        assert persistence["loading_total_bytes"] == first["master_sync_total_bytes"]
        time.sleep(1)
        later = sync_info(replica)
    read, total = int(later["master_sync_read_bytes"]), int(later["master_sync_total_bytes"])
    assert read > int(first["master_sync_read_bytes"]) > 0
    assert int(later["master_sync_left_bytes"]) == total - read
    assert int(later["master_sync_last_io_seconds_ago"]) <= 1
    if diskless == "yes":
        assert total == 0 and later["master_sync_perc"] == "0.00"  # EOF-marked: size unknown, as Redis reports
    else:
        assert 0 < read < total and 0 < float(later["master_sync_perc"]) < 100
    wait_sync(primary, replica, timeout=90)
    assert replica.client().get("old") is None
    assert digest(primary) == digest(replica)
    assert "master_sync_total_bytes" not in info(replica)


def test_serve_stale_data_no_answers_masterdown_while_loading(cairn_factory):
    """As Redis 7.0 does (measured): MASTERDOWN is checked before LOADING."""
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    populate(primary.client(), 3000)
    proxy = Proxy(primary.port, rate=1024 * 1024, slow_all=True)
    replica = cairn_factory("--save", "", "--replica-serve-stale-data", "no", name="replica")
    replica.call("REPLICAOF", "127.0.0.1", str(proxy.port))
    with socket.create_connection(("127.0.0.1", replica.port)) as s:
        wait_for(lambda: sync_info(replica).get("master_sync_total_bytes") is not None, 30, "the load")
        assert raw_reply(s, b"GET a\r\n").startswith("-MASTERDOWN Link with MASTER is down")
    wait_sync(primary, replica, timeout=90)
    assert digest(primary) == digest(replica)


def test_swapdb_serves_old_data_when_the_sync_continues_our_history(cairn_factory):
    """repl-diskless-load swapdb: a full sync of the same history (the backlog no longer covers the replica)
    keeps serving the old dataset during the load, as Redis's async loading."""
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", "--repl-backlog-size", "16kb",
                            name="primary")
    populate(primary.client(), 3000)
    proxy = Proxy(primary.port, rate=1024 * 1024, slow_all=True)
    replica = cairn_factory("--save", "", "--repl-diskless-load", "swapdb", "--replicaof", f"127.0.0.1 {proxy.port}",
                            name="replica")
    wait_sync(primary, replica, timeout=90)
    proxy.open.clear()
    primary.call("CLIENT", "KILL", "TYPE", "replica")
    primary.client().set("big", "x" * 100_000)  # more than the backlog holds: the next sync is full
    proxy.open.set()
    wait_for(lambda: sync_info(replica, "persistence").get("async_loading") == "1", 30, "the second load")
    assert replica.client().get("k:0") is not None  # old data, no -LOADING
    assert sync_info(replica, "persistence")["loading"] == "0"
    wait_sync(primary, replica, timeout=90)
    assert stats(primary)["sync_full"] == 2
    assert replica.client().get("big") == b"x" * 100_000


def test_primary_named_by_host_name(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    primary.client().set("a", "1")
    replica = cairn_factory("--save", "", "--replicaof", f"localhost {primary.port}", name="replica")
    wait_sync(primary, replica)
    assert replica.client().get("a") == b"1"
    assert info(replica)["master_host"] == "localhost"


def test_unresolvable_primary_does_not_stall_the_event_loop(cairn_factory):
    replica = cairn_factory("--save", "", name="replica")
    c = replica.client()
    assert c.execute_command("REPLICAOF", "cairn-no-such-host.invalid", "6379") == b"OK"
    worst = 0.0
    for _ in range(40):
        t = time.monotonic()
        assert c.ping()
        worst = max(worst, time.monotonic() - t)
        time.sleep(0.05)
    assert worst < 0.5
    wait_for(lambda: "can't resolve cairn-no-such-host.invalid" in replica.log_text(), 60, "the resolver's answer")
    assert info(replica)["master_link_status"] == "down"
    assert replica.healthy()
    c.execute_command("REPLICAOF", "NO", "ONE")

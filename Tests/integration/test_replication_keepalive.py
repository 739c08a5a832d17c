"""Replication IDs and keep-alives (issue 7): DEBUG CHANGE-REPL-ID starts a new history that forces a full
resync, and a loading replica's newlines keep it from its primary's repl-timeout (both sides)."""

import socket
import threading
import time

import pytest

from cairn_helpers import RawConn
from test_replication import FakePrimary, answer_replconfs, info, read_command, start_replica, stats, wait_for, wait_sync


def test_debug_change_repl_id_forces_a_full_resync(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", name="primary")
    replica = start_replica(cairn_factory, primary)
    wait_sync(primary, replica)
    primary.client().set("k", "v")
    wait_sync(primary, replica)
    before = info(primary)["master_replid"]
    assert primary.call("DEBUG", "CHANGE-REPL-ID") == b"OK"
    after = info(primary)
    assert after["master_replid"] != before and len(after["master_replid"]) == 40
    assert after["master_replid2"] == "0" * 40 and after["second_repl_offset"] == "-1"
    # The replica's history is no longer ours: its reconnect cannot continue partially.
    assert primary.call("CLIENT", "KILL", "TYPE", "replica") == 1
    wait_for(lambda: stats(primary)["sync_full"] == 2, 30, "a second full sync")
    wait_sync(primary, replica)
    assert stats(primary)["sync_partial_ok"] == 0
    assert info(replica)["master_replid"] == info(primary)["master_replid"]
    assert replica.client().get("k") == b"v"


def test_debug_change_repl_id_bad_arguments(cairn):
    c = cairn.client()
    with pytest.raises(Exception, match="unknown subcommand or wrong number of arguments for 'CHANGE-REPL-ID'"):
        c.execute_command("DEBUG", "CHANGE-REPL-ID", "extra")
    assert c.execute_command("DEBUG", "change-repl-id") == b"OK"


def test_loading_replica_sends_newlines_to_its_primary(cairn_factory):
    """A primary that stalls in the middle of the RDB: the loading replica says "\\n" each second."""
    newlines = []

    def stall_mid_rdb(c):
        read_command(c)
        c.sendall(b"+PONG\r\n")
        answer_replconfs(c)
        read_command(c)
        c.sendall(b"+FULLRESYNC " + b"e" * 40 + b" 0\r\n$100\r\nREDIS0011")
        got, deadline = b"", time.monotonic() + 3.5
        c.settimeout(0.2)
        while time.monotonic() < deadline:
            try:
                got += c.recv(64)
            except socket.timeout:
                pass
        newlines.append(got)

    fake = FakePrimary(stall_mid_rdb)
    replica = cairn_factory("--replicaof", f"127.0.0.1 {fake.port}", "--save", "", name="replica")
    wait_for(lambda: newlines, 20, "the stalled transfer")
    fake.close()
    assert set(newlines[0]) == {10} and 2 <= len(newlines[0]) <= 5, newlines[0]
    assert info(replica)["master_link_status"] == "down" and replica.client().dbsize() == 0


def test_primary_counts_replica_newlines_against_repl_timeout(cairn_factory):
    primary = cairn_factory("--save", "", "--repl-diskless-sync-delay", "0", "--repl-timeout", "2", name="primary")
    primary.client().set("k", "v")
    r = RawConn(primary.port)
    r.send(b"REPLCONF listening-port 7777\r\nREPLCONF capa eof capa psync2\r\n")
    assert r.read_replies(2) == b"+OK\r\n" * 2
    r.send(b"PSYNC ? -1\r\n")
    assert r._line().startswith(b"+FULLRESYNC ")
    header = r._line().lstrip(b"\n")
    assert header.startswith(b"$EOF:")
    while not r.buf.endswith(header[5:]):
        r._fill()
    # Never an ACK, as a replica still loading: its newlines alone keep it connected past repl-timeout.
    for _ in range(8):
        r.send(b"\n")
        time.sleep(0.5)
        assert info(primary)["connected_slaves"] == "1"
    wait_for(lambda: info(primary)["connected_slaves"] == "0", 10, "the silent replica to be dropped")
    r.close()

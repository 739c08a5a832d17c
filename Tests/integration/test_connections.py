"""Connection commands: PING ECHO QUIT RESET AUTH HELLO and the CLIENT family.

Where Redis 7.0 (the reference binary here) and Redis 7.2 / Valkey 8 differ, Cairn is checked
against the 7.2 behaviour directly and not compared with 7.0 (marked "7.2:" below)."""

import os
import threading
import time

import pytest
import redis

from cairn_helpers import RawConn, decode, encode, parse_client_line

# Field order of CLIENT LIST / CLIENT INFO in Redis 7.2 and Valkey 8 (7.0 lacks lib-name, lib-ver).
CLIENT_FIELDS_72 = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub",
                    "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl",
                    "oll", "omem", "tot-mem", "events", "cmd", "user", "redir", "resp", "lib-name",
                    "lib-ver"]

SCRIPTS = {
    "ping-echo": """
        PING
        PING hello
        PING ""
        PING a b
        ECHO hello
        ECHO ""
        ECHO
        ECHO a b
        ping
        Echo MiXeD
    """,
    "auth-without-password": """
        AUTH foo
        AUTH default foo
        AUTH nouser foo
        AUTH a b c
        AUTH
    """,
    "hello-errors": """
        HELLO 4
        HELLO 1
        HELLO 0
        HELLO -1
        HELLO abc
        HELLO 3.0
        HELLO 3 BOGUS
        HELLO 3 AUTH default
        HELLO 3 SETNAME
        HELLO 3 SETNAME "bad name"
        HELLO 3 SETNAME "bad\\nname"
        HELLO 2 AUTH nouser pass
    """,
    "client-setname-getname": """
        CLIENT GETNAME
        CLIENT SETNAME myname
        CLIENT GETNAME
        CLIENT SETNAME "with space"
        CLIENT SETNAME "new\\nline"
        CLIENT SETNAME "\\x01ctrl"
        CLIENT SETNAME "caf\\xc3\\xa9"
        CLIENT GETNAME
        CLIENT SETNAME ""
        CLIENT GETNAME
        CLIENT SETNAME a b
        CLIENT SETNAME
        CLIENT GETNAME extra
    """,
    "client-errors": """
        CLIENT
        CLIENT BOGUS
        CLIENT ID extra
        CLIENT LIST TYPE bogus
        CLIENT LIST TYPE
        CLIENT LIST ID
        CLIENT LIST ID abc
        CLIENT LIST BOGUS
        CLIENT KILL 1.2.3.4:5
        CLIENT KILL ID abc
        CLIENT KILL ID 0
        CLIENT KILL ID 99999999
        CLIENT KILL ADDR 1.2.3.4:5
        CLIENT KILL LADDR 1.2.3.4:5
        CLIENT KILL USER nosuchuser
        CLIENT KILL TYPE bogus
        CLIENT KILL BOGUS x
        CLIENT KILL ID
        CLIENT KILL SKIPME maybe
        CLIENT PAUSE
        CLIENT PAUSE abc
        CLIENT PAUSE -1
        CLIENT PAUSE 10 BOGUS
        CLIENT PAUSE 10 WRITE extra
        CLIENT UNPAUSE extra
        CLIENT REPLY
        CLIENT REPLY BOGUS
        CLIENT NO-EVICT
        CLIENT NO-EVICT maybe
        CLIENT NO-EVICT on
        CLIENT NO-EVICT off
        CLIENT NO-EVICT ON
        CLIENT NO-EVICT OFF
        CLIENT INFO extra
        CLIENT GETREDIR
    """,
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_connection_script(both, name):
    both.script(SCRIPTS[name])


def test_unknown_client_subcommand_text(both):
    both("CLIENT", "NOSUCH")
    both("CLIENT", "NOSUCH", "with", "args")


# ---- QUIT / RESET ------------------------------------------------------------------------------

def test_quit_replies_ok_and_closes(cairn, redis_server):
    out = {}
    for s in (cairn, redis_server):
        with RawConn(s.port) as c:
            c.send(encode("QUIT"))
            out[s.name] = c.read_until_close(5)
    assert out[cairn.name] == out[redis_server.name] == b"+OK\r\n"


def test_quit_with_arguments(both):
    both.send_both(encode("QUIT", "extra"))
    got, ref = both.read_both()
    assert got == ref


def test_reset_restores_connection_defaults(both):
    both("HELLO", "3", compare=False)  # replies differ (id, version): compare only after RESET
    c, r = both.pair()
    both("SELECT", "5")
    both("SET", "k", "in5")
    both("CLIENT", "SETNAME", "someone")
    both("CLIENT", "NO-EVICT", "on")
    both("MULTI")
    both("SET", "k", "queued")
    both("RESET")
    both("GET", "k")            # db 0 again, RESP2 again ($-1)
    both("CLIENT", "GETNAME")   # name cleared
    both("EXEC")                # no MULTI any more
    both("SELECT", "5")
    both("GET", "k")
    both("RESET", "extra")


def test_reset_leaves_client_reply_off(both):
    both.send_both(encode("CLIENT", "REPLY", "OFF") + encode("RESET") + encode("PING"))
    got, ref = both.read_both()
    assert got == ref
    got, ref = both.read_both()
    assert got == ref


def test_reset_fields_in_client_info(cairn):
    with RawConn(cairn.port) as c:
        c.cmd("HELLO", "3", "SETNAME", "before")
        c.cmd("SELECT", "3")
        assert c.cmd("RESET") == b"+RESET\r\n"
        info = parse_client_line(decode(c.cmd("CLIENT", "INFO")))
        assert info["name"] == ""
        assert info["db"] == "0"
        assert info["resp"] == "2"
        assert info["multi"] == "-1"
        assert "N" in info["flags"]


# ---- AUTH / HELLO ----------------------------------------------------------------------------

def test_auth_with_requirepass(both):
    """requirepass set at runtime: new connections need AUTH; errors compared with the reference."""
    try:
        both("CONFIG", "SET", "requirepass", "s3cret")
        both.script("""
            PING
        """)
        # a fresh (unauthenticated) connection
        for args in [("GET", "x"), ("PING",), ("SELECT", "1"), ("AUTH", "wrong"),
                     ("AUTH", "default", "wrong"), ("AUTH", "nouser", "s3cret"),
                     ("GET", "x"), ("AUTH", "s3cret"), ("GET", "x")]:
            both(*args, conn="fresh")
        # (HELLO without AUTH here: its NOAUTH text changed in 7.2, see the next test)
        for args in [("HELLO", "2", "AUTH", "default", "wrong"),
                     ("AUTH", "default", "s3cret"), ("CLIENT", "GETNAME")]:
            both(*args, conn="fresh2")
        # unauthenticated clients may not send large multibulk requests
        both.send_both(b"*20\r\n", conn="fresh3")
        got, ref = both.read_both(conn="fresh3")
        assert got == ref
    finally:
        both("CONFIG", "SET", "requirepass", "")


def test_hello_auth_when_password_required(cairn):
    """7.2: HELLO without AUTH on an unauthenticated client; HELLO <proto> AUTH succeeds."""
    admin = cairn.client()
    admin.config_set("requirepass", "pw")
    try:
        with RawConn(cairn.port) as c:
            assert c.cmd("HELLO", "3") == (
                b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                b"HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
                b"select the RESP protocol version at the same time\r\n")
            reply = c.cmd("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "authed")
            assert reply.startswith(b"%7\r\n"), reply
            assert c.cmd("CLIENT", "GETNAME") == b"$6\r\nauthed\r\n"
            assert c.cmd("GET", "nokey") == b"_\r\n"
    finally:
        admin.config_set("requirepass", "")


def test_hello_setname_and_reply_fields(cairn):
    with RawConn(cairn.port) as c:
        d = decode(c.cmd("HELLO", "2", "SETNAME", "viahello"))
        assert isinstance(d, list) and len(d) == 14
        m = dict(zip(d[0::2], d[1::2]))
        assert m[b"proto"] == 2
        assert m[b"id"] == decode(c.cmd("CLIENT", "ID"))
        assert m[b"version"].count(b".") == 2
        assert c.cmd("CLIENT", "GETNAME") == b"$8\r\nviahello\r\n"


def test_redis_py_password_client(cairn):
    import redis
    admin = cairn.client()
    admin.config_set("requirepass", "pw2")
    try:
        with pytest.raises(redis.AuthenticationError):
            cairn.client().ping()
        assert cairn.client(password="pw2").ping()
        assert cairn.client(password="pw2", protocol=3).ping()
        assert cairn.client(username="default", password="pw2").ping()
    finally:
        admin.config_set("requirepass", "")


# ---- CLIENT ----------------------------------------------------------------------------------------

def test_client_id_increases(cairn):
    ids = []
    for _ in range(3):
        with RawConn(cairn.port) as c:
            ids.append(decode(c.cmd("CLIENT", "ID")))
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_client_info_fields_7_2(cairn):
    """7.2: CLIENT INFO has exactly the 7.2 field list, in order (7.0 lacks lib-name/lib-ver)."""
    with RawConn(cairn.port) as c:
        c.cmd("CLIENT", "SETNAME", "me")
        c.cmd("SELECT", "2")
        line = decode(c.cmd("CLIENT", "INFO"))
        assert line.endswith(b"\n") and not line.endswith(b"\r\n") or line.endswith(b"\n")
        f = parse_client_line(line)
        assert list(f) == CLIENT_FIELDS_72, list(f)
        assert f["name"] == "me"
        assert f["db"] == "2"
        assert f["cmd"] == "client|info"
        assert f["user"] == "default"
        assert f["resp"] == "2"
        assert f["addr"].startswith("127.0.0.1:")
        assert f["laddr"] == f"127.0.0.1:{cairn.port}"
        assert f["id"] == str(decode(c.cmd("CLIENT", "ID")))
        assert f["flags"] == "N"
        assert f["multi"] == "-1"
        assert f["lib-name"] == "" and f["lib-ver"] == ""


def test_client_setinfo_7_2(cairn):
    """7.2: CLIENT SETINFO LIB-NAME / LIB-VER show up in CLIENT INFO."""
    with RawConn(cairn.port) as c:
        assert c.cmd("CLIENT", "SETINFO", "LIB-NAME", "cairn-it") == b"+OK\r\n"
        assert c.cmd("CLIENT", "SETINFO", "LIB-VER", "1.2.3") == b"+OK\r\n"
        f = parse_client_line(decode(c.cmd("CLIENT", "INFO")))
        assert f["lib-name"] == "cairn-it" and f["lib-ver"] == "1.2.3"
        assert c.cmd("CLIENT", "SETINFO", "BOGUS", "x") == b"-ERR Unrecognized option 'BOGUS'\r\n"


def test_client_list_lines_and_filters(cairn):
    conns = [RawConn(cairn.port) for _ in range(3)]
    try:
        for i, c in enumerate(conns):
            c.cmd("CLIENT", "SETNAME", f"lister{i}")
        ids = [decode(c.cmd("CLIENT", "ID")) for c in conns]
        text = decode(conns[0].cmd("CLIENT", "LIST"))
        lines = [l for l in text.split(b"\n") if l]
        assert text.endswith(b"\n")
        parsed = [parse_client_line(l) for l in lines]
        for p in parsed:
            assert list(p) == CLIENT_FIELDS_72
        names = {p["name"] for p in parsed}
        assert {"lister0", "lister1", "lister2"} <= names
        me = [p for p in parsed if p["name"] == "lister0"][0]
        assert me["cmd"] == "client|list"
        other = [p for p in parsed if p["name"] == "lister1"][0]
        assert other["cmd"] == "client|id"
        by_id = decode(conns[0].cmd("CLIENT", "LIST", "ID", ids[1], ids[2], 999999))
        got = sorted(parse_client_line(l)["name"] for l in by_id.split(b"\n") if l)
        assert got == ["lister1", "lister2"]
        typed = decode(conns[0].cmd("CLIENT", "LIST", "TYPE", "normal"))
        assert len([l for l in typed.split(b"\n") if l]) == len(lines)
        assert decode(conns[0].cmd("CLIENT", "LIST", "TYPE", "pubsub")) == b""
        assert decode(conns[0].cmd("CLIENT", "LIST", "TYPE", "replica")) == b""
        assert decode(conns[0].cmd("CLIENT", "LIST", "TYPE", "master")) == b""
    finally:
        for c in conns:
            c.close()


def test_client_list_reflects_multi_and_db(cairn):
    with RawConn(cairn.port) as a, RawConn(cairn.port) as b:
        a.cmd("CLIENT", "SETNAME", "inmulti")
        a.cmd("SELECT", "7")
        a.cmd("MULTI")
        a.cmd("SET", "x", "1")
        a.cmd("GET", "x")
        lines = decode(b.cmd("CLIENT", "LIST")).split(b"\n")
        f = [parse_client_line(l) for l in lines if b"name=inmulti" in l][0]
        assert f["multi"] == "2"
        assert f["db"] == "7"
        assert "x" in f["flags"]
        a.cmd("DISCARD")


def test_client_kill_variants(cairn):
    admin = RawConn(cairn.port)
    try:
        def victim(name):
            c = RawConn(cairn.port)
            c.cmd("CLIENT", "SETNAME", name)
            return c, decode(c.cmd("CLIENT", "ID")), parse_client_line(decode(c.cmd("CLIENT", "INFO")))

        v, vid, info = victim("byid")
        assert admin.cmd("CLIENT", "KILL", "ID", vid) == b":1\r\n"
        assert v.is_closed()
        v.close()

        v, vid, info = victim("byoldaddr")
        assert admin.cmd("CLIENT", "KILL", info["addr"]) == b"+OK\r\n"
        assert v.is_closed()
        v.close()

        v, vid, info = victim("bynewaddr")
        assert admin.cmd("CLIENT", "KILL", "ADDR", info["addr"]) == b":1\r\n"
        assert v.is_closed()
        v.close()

        vs = [victim(f"bytype{i}")[0] for i in range(3)]
        n = decode(admin.cmd("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"))
        assert n >= 3
        assert all(c.is_closed() for c in vs)
        assert admin.cmd("PING") == b"+PONG\r\n"  # SKIPME yes spared the caller

        vs = [victim(f"byladdr{i}")[0] for i in range(2)]
        n = decode(admin.cmd("CLIENT", "KILL", "LADDR", f"127.0.0.1:{cairn.port}"))
        assert n >= 2
        assert all(c.is_closed() for c in vs)
        assert admin.cmd("PING") == b"+PONG\r\n"

        v = victim("byuser")[0]
        me = decode(admin.cmd("CLIENT", "ID"))
        n = decode(admin.cmd("CLIENT", "KILL", "USER", "default"))
        assert n >= 1
        assert v.is_closed()
        assert admin.cmd("PING") == b"+PONG\r\n"

        # SKIPME no: the caller kills itself after the reply
        assert admin.cmd("CLIENT", "KILL", "ID", me, "SKIPME", "no") == b":1\r\n"
        assert admin.is_closed()
    finally:
        admin.close()
    assert cairn.healthy()


def test_client_pause_write(cairn):
    admin, writer, reader = cairn.client(), cairn.client(), cairn.client()
    admin.set("pk", "before")
    assert admin.execute_command("CLIENT", "PAUSE", "600", "WRITE") in (b"OK", True, "OK")
    t0 = time.monotonic()
    assert reader.get("pk") == b"before"        # reads are not paused
    assert reader.ping()
    assert time.monotonic() - t0 < 0.3
    done = {}

    def write():
        writer.set("pk", "after")
        done["t"] = time.monotonic() - t0

    th = threading.Thread(target=write)
    th.start()
    time.sleep(0.2)
    assert "t" not in done, "a write ran during CLIENT PAUSE WRITE"
    assert reader.get("pk") == b"before"
    th.join(5)
    assert 0.5 <= done["t"] < 2.0, done
    assert reader.get("pk") == b"after"


def test_client_pause_all_blocks_reads(cairn):
    admin, other = cairn.client(), cairn.client()
    admin.execute_command("CLIENT", "PAUSE", "500", "ALL")
    t0 = time.monotonic()
    assert other.ping()
    assert 0.4 <= time.monotonic() - t0 < 2.0


def test_client_unpause_releases_blocked_writer(cairn):
    admin, writer = cairn.client(), cairn.client()
    admin.execute_command("CLIENT", "PAUSE", "5000", "WRITE")
    t0 = time.monotonic()
    result = {}

    def write():
        result["v"] = writer.set("unpaused", "1")
        result["t"] = time.monotonic() - t0

    th = threading.Thread(target=write)
    th.start()
    time.sleep(0.3)
    assert "t" not in result, "SET ran during CLIENT PAUSE WRITE"
    assert admin.execute_command("CLIENT", "UNPAUSE") in (b"OK", True, "OK")
    th.join(5)
    assert result.get("v") is True
    assert 0.25 <= result["t"] < 2.0


def test_client_pause_default_is_all(cairn):
    admin, other = cairn.client(), cairn.client()
    admin.execute_command("CLIENT", "PAUSE", "300")
    t0 = time.monotonic()
    assert other.get("whatever") is None
    assert time.monotonic() - t0 >= 0.25


def test_client_reply_off_on_skip(both):
    data = (encode("CLIENT", "REPLY", "OFF") + encode("SET", "a", "1") + encode("GET", "a")
            + encode("NOSUCHCMD") + encode("CLIENT", "REPLY", "ON") + encode("GET", "a")
            + encode("CLIENT", "REPLY", "SKIP") + encode("INCR", "a") + encode("GET", "a"))
    both.send_both(data)
    got, ref = both.read_both()
    assert got == ref == b"+OK\r\n"
    got, ref = both.read_both()
    assert got == ref == b"$1\r\n1\r\n"
    got, ref = both.read_both()
    assert got == ref == b"$1\r\n2\r\n"


def test_client_no_evict_flag_in_info(cairn):
    with RawConn(cairn.port) as c:
        assert c.cmd("CLIENT", "NO-EVICT", "ON") == b"+OK\r\n"
        assert "e" in parse_client_line(decode(c.cmd("CLIENT", "INFO")))["flags"]
        assert c.cmd("CLIENT", "NO-EVICT", "OFF") == b"+OK\r\n"
        assert "e" not in parse_client_line(decode(c.cmd("CLIENT", "INFO")))["flags"]


def test_client_help_shape(cairn):
    lines = cairn.call("CLIENT", "HELP")
    assert isinstance(lines, list), lines
    assert isinstance(lines, list) and len(lines) > 20
    text = b"\n".join(lines)
    for sub in (b"CACHING", b"GETNAME", b"ID", b"INFO", b"KILL", b"LIST", b"NO-EVICT", b"PAUSE",
                b"REPLY", b"SETNAME", b"UNPAUSE", b"HELP"):
        assert sub in text, sub
    assert b"Print this help." in text  # 7.2 wording ("Prints" in 7.0)


def test_connected_clients_counts(cairn):
    r = cairn.client()
    base = r.info("clients")["connected_clients"]
    extra = [RawConn(cairn.port) for _ in range(10)]
    for c in extra:
        c.cmd("PING")
    assert r.info("clients")["connected_clients"] == base + 10
    for c in extra:
        c.close()
    deadline = time.time() + 3
    while time.time() < deadline and r.info("clients")["connected_clients"] != base:
        time.sleep(0.05)
    assert r.info("clients")["connected_clients"] == base


def _cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_busy_poll_serves_and_lets_an_idle_server_sleep(cairn_factory):
    """busy-poll-us keeps the loop polling only after turns that had events: with the longest window a
    server that is left alone still sleeps (its CPU time barely moves), and it keeps answering."""
    s = cairn_factory("--busy-poll-us", "10000")
    c = s.client()
    assert c.config_get("busy-poll-us") == {"busy-poll-us": "10000"}
    for i in range(200):
        c.set(f"k{i}", i)
    assert c.get("k199") == b"199"
    time.sleep(0.5)
    before = _cpu_seconds(s.proc.pid)
    time.sleep(3)
    # Cron turns (hz 10) have no events, so they never start a window: a spinning loop would use ~3 s here.
    assert _cpu_seconds(s.proc.pid) - before < 1.0
    assert c.config_set("busy-poll-us", "0")
    assert c.get("k0") == b"0"
    with pytest.raises(redis.ResponseError, match="argument must be between 0 and 10000 inclusive"):
        c.config_set("busy-poll-us", "10001")

"""ACL: users, rules (commands, categories, first args, keys with %R/%W, channels, selectors), AUTH and HELLO,
ACL subcommands and their errors, ACL LOG, aclfile and `user` directives, rename-command, protected mode,
DEBUG and protected configs, and passwords kept out of MONITOR, SLOWLOG, CLIENT LIST, logs and the AOF.

Where Redis 7.0 (the Debian reference) and 7.2 word a reply the same, both servers run it and the bytes are
compared; where 7.2 changed the words (NOPERM texts, DRYRUN, rule order retained in ACL LIST,
sanitize-payload shown), Cairn's reply is checked against the 7.2 text."""
import hashlib
import os
import socket
import time

import pytest

from conftest import REDIS_SERVER, RedisProcess
from cairn_helpers import RawConn, decode


@pytest.fixture
def acl_both(both):
    """`both`, with every user but default deleted, default restored and the ACL LOG emptied afterwards."""
    yield both
    for port in (both.cairn.port, both.ref.port):
        with RawConn(port) as c:
            c.cmd("AUTH", "default", "adminpw")
            for name in decode(c.cmd("ACL", "USERS")):
                if name != b"default":
                    c.cmd("ACL", "DELUSER", name)
            c.cmd("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all")
            c.cmd("CONFIG", "SET", "requirepass", "")
            c.cmd("ACL", "LOG", "RESET")


def login(both, conn, user, password):
    for c in both.pair(conn):
        assert c.cmd("AUTH", user, password) == b"+OK\r\n"


# ---- rules: allowed and denied paths ---------------------------------------------------------

def test_setuser_errors_match_redis(acl_both):
    both = acl_both
    both.script("""
        ACL SETUSER bob ~* ~x
        ACL SETUSER bob &* &x
        ACL SETUSER bob +nosuch
        ACL SETUSER bob -@nosuch
        ACL SETUSER bob %X~a
        ACL SETUSER bob %~a
        ACL SETUSER bob #abc
        ACL SETUSER bob #ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789
        ACL SETUSER bob <nopw
        ACL SETUSER bob !0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        ACL SETUSER bob +config|get|x
        ACL SETUSER bob +select|
        ACL SETUSER bob "~a b"
        ACL SETUSER bob bogus
        ACL SETUSER "bad name" on
        ACL SETUSER bob "(~a +get"
        ACL USERS
        ACL SETUSER bob (~a +get)
        ACL GETUSER nobody
        ACL DELUSER default
        ACL DELUSER bob nobody
        ACL CAT
        ACL CAT nosuch
        ACL CAT a b
        ACL GENPASS 0
        ACL GENPASS 4097
        ACL GENPASS x
        ACL LOG x
        ACL DRYRUN nobody get x
        ACL DRYRUN default nosuch x
        ACL DRYRUN default get
        ACL DRYRUN default config nosuch
        ACL LOAD
        ACL SAVE
        ACL NOSUCH
        ACL SETUSER
        AUTH a b c
        AUTH onlypassword
    """)


def test_refused_rule_changes_nothing(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "bob", "on", "~k", "+get")
    both("ACL", "SETUSER", "bob", "off", "+set", "+nosuch")
    got = decode(both.cairn_only("ACL", "GETUSER", "bob"))
    assert both.cairn_only("ACL", "SETUSER", "bob", "%") == \
        b"-ERR Error in ACL SETUSER modifier '%': Syntax error\r\n"
    fields = dict(zip(got[0::2], got[1::2]))
    assert b"on" in fields[b"flags"]
    assert fields[b"commands"] == b"-@all +get"


def test_acl_list_and_getuser_in_72_form(acl_both):
    """7.2 keeps rules in the order given (7.0 recomputes them) and shows sanitize-payload."""
    both = acl_both
    both.cairn_only("ACL", "SETUSER", "alice", "on", ">pw", "~cached:*", "%R~ro:*", "%W~wo:*", "&chan:*",
                    "+get", "+set", "+@hash", "-hset", "+config|get", "+select|0", "(~a +get)")
    h = hashlib.sha256(b"pw").hexdigest()
    assert decode(both.cairn_only("ACL", "LIST")) == [
        f"user alice on sanitize-payload #{h} ~cached:* %R~ro:* %W~wo:* resetchannels &chan:* -@all +get +set "
        f"+@hash -hset +config|get +select|0 (~a resetchannels -@all +get)".encode(),
        b"user default on nopass sanitize-payload ~* &* +@all",
    ]
    got = decode(both.cairn_only("ACL", "GETUSER", "alice"))
    assert got == [b"flags", [b"on", b"sanitize-payload"], b"passwords", [h.encode()],
                   b"commands", b"-@all +get +set +@hash -hset +config|get +select|0",
                   b"keys", b"~cached:* %R~ro:* %W~wo:*", b"channels", b"&chan:*",
                   b"selectors", [[b"commands", b"-@all +get", b"keys", b"~a", b"channels", b""]]]
    # A rule given again moves to the end; +@all/-@all start over.
    both.cairn_only("ACL", "SETUSER", "alice", "+get", "-config")
    assert decode(both.cairn_only("ACL", "GETUSER", "alice"))[5] == \
        b"-@all +set +@hash -hset +select|0 +get -config"
    both.cairn_only("ACL", "SETUSER", "alice", "+@all", "-@dangerous")
    assert decode(both.cairn_only("ACL", "GETUSER", "alice"))[5] == b"+@all -@dangerous"


def test_command_category_and_first_arg_rules(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "u", "on", ">p", "~*", "+@read", "-@hash", "+set", "+select|0", "+config|get",
         "+acl|whoami")
    login(both, "u", "u", "p")
    for args in [("SET", "k", "v"), ("GET", "k"), ("STRLEN", "k"), ("SELECT", "0"), ("CONFIG", "GET", "databases"),
                 ("ACL", "WHOAMI")]:
        both(*args, conn="u")
    for args in [("DEL", "k"), ("HGET", "h", "f"), ("SELECT", "1"), ("CONFIG", "SET", "maxclients", "10"),
                 ("ACL", "LIST"), ("FLUSHALL",)]:
        got = both.cairn_only(*args, conn="u")
        assert got == f"-NOPERM User u has no permissions to run the '{decode_name(args)}' command\r\n".encode(), got
        assert both.ref_only(*args, conn="u").startswith(b"-NOPERM this user has no permissions to run the")
    # AUTH and the other no_auth commands are never refused.
    both("AUTH", "u", "p", conn="u")


def decode_name(args):
    name = args[0].lower()
    return f"{name}|{args[1].lower()}" if name in ("config", "acl") else name


def test_key_patterns_read_write(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "k", "on", ">p", "+@all", "~app:*", "%R~ro:*", "%W~wo:*")
    login(both, "k", "k", "p")
    allowed = [("SET", "app:1", "v"), ("GET", "app:1"), ("GET", "ro:1"), ("SET", "wo:1", "v"),
               ("LPUSH", "wo:l", "a"), ("COPY", "app:1", "wo:2"),
               ("EXISTS", "ro:1"), ("DEL", "wo:1")]
    denied = [("GET", "other"), ("SET", "ro:1", "v"), ("SET", "wo:3", "v", "GET"), ("GET", "wo:1"), ("COPY", "wo:2", "app:2"),
              ("MSET", "app:1", "v", "x", "v"), ("RENAME", "app:1", "ro:2"), ("SORT", "app:l", "STORE", "ro:x"),
              ("LMOVE", "app:l", "other", "LEFT", "LEFT")]
    for args in allowed:
        both(*args, conn="k")
    for args in denied:
        got = both.cairn_only(*args, conn="k")
        assert got == b"-NOPERM No permissions to access a key\r\n", (args, got)
        assert both.ref_only(*args, conn="k").startswith(b"-NOPERM this user has no permissions to access one of the keys")
    log = decode(both.cairn_only("ACL", "LOG", "1"))[0]
    entry = dict(zip(log[0::2], log[1::2]))
    assert entry[b"reason"] == b"key" and entry[b"object"] == b"other" and entry[b"username"] == b"k"


def test_channel_patterns(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "c", "on", ">p", "+@all", "~*", "resetchannels", "&news.*", "&lit*")
    login(both, "c", "c", "p")
    both("PUBLISH", "news.today", "x", conn="c")
    for args in [("PUBLISH", "sports", "x"), ("SUBSCRIBE", "news.a", "sports"), ("PSUBSCRIBE", "news*"),
                 ("SPUBLISH", "other", "x")]:
        got = both.cairn_only(*args, conn="c")
        assert got == b"-NOPERM No permissions to access a channel\r\n", (args, got)
        assert both.ref_only(*args, conn="c").startswith(b"-NOPERM this user has no permissions to access one of the channels")
    # A pattern subscription is compared literally with the user's patterns.
    both("PSUBSCRIBE", "lit*", conn="c")
    both("PUNSUBSCRIBE", conn="c")
    log = decode(both.cairn_only("ACL", "LOG", "1"))[0]
    entry = dict(zip(log[0::2], log[1::2]))
    assert entry[b"reason"] == b"channel" and entry[b"object"] == b"other"


def test_selectors_allow_what_any_selector_allows(acl_both):
    both = acl_both
    both.cairn_only("ACL", "SETUSER", "s", "on", ">p", "+get", "~a*", "(", "+set", "~b*", ")")
    with RawConn(both.cairn.port) as c:
        assert c.cmd("AUTH", "s", "p") == b"+OK\r\n"
        assert c.cmd("GET", "a1") == b"$-1\r\n"
        assert c.cmd("SET", "b1", "v") == b"+OK\r\n"
        assert c.cmd("SET", "a1", "v") == b"-NOPERM No permissions to access a key\r\n"
        assert c.cmd("GET", "b1") == b"-NOPERM No permissions to access a key\r\n"
        assert c.cmd("DEL", "a1") == b"-NOPERM User s has no permissions to run the 'del' command\r\n"


def test_dryrun_in_72_words(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "d", "+get", "~k*", "&ch")
    bulk = lambda text: b"$%d\r\n%s\r\n" % (len(text), text)
    assert both.cairn_only("ACL", "DRYRUN", "d", "get", "k1") == b"+OK\r\n"
    assert both.cairn_only("ACL", "DRYRUN", "d", "get", "x") == bulk(b"User d has no permissions to access the 'x' key")
    assert both.cairn_only("ACL", "DRYRUN", "d", "set", "k1", "v") == \
        bulk(b"User d has no permissions to run the 'set' command")
    both("ACL", "SETUSER", "d", "+publish")
    assert both.cairn_only("ACL", "DRYRUN", "d", "publish", "zz", "m") == \
        bulk(b"User d has no permissions to access the 'zz' channel")


# ---- AUTH, HELLO, requirepass ----------------------------------------------------------------------

def test_auth_users_and_log(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "on-user", "on", ">pw", "+@all", "~*")
    both("ACL", "SETUSER", "off-user", "off", ">pw", "+@all", "~*")
    both("ACL", "SETUSER", "free", "on", "nopass", "+acl|whoami")
    both.script("""
        AUTH on-user wrong
        AUTH off-user pw
        AUTH nosuch pw
        HELLO 2 AUTH on-user wrong
        AUTH free anything
        ACL WHOAMI
        AUTH on-user pw
        ACL WHOAMI
    """)
    log = decode(both.cairn_only("ACL", "LOG"))
    ref = decode(both.ref_only("ACL", "LOG"))
    strip = lambda entries: [{k: v for k, v in zip(e[0::2], e[1::2]) if k in (b"count", b"reason", b"context", b"object", b"username")} for e in entries]
    assert strip(log) == strip(ref)
    assert [e[0::2] for e in log][0] == [b"count", b"reason", b"context", b"object", b"username", b"age-seconds",
                                          b"client-info", b"entry-id", b"timestamp-created", b"timestamp-last-updated"]
    # The same failure again bumps the count of the newest matching entry.
    both("AUTH", "nosuch", "pw")
    assert dict(zip(*[iter(decode(both.cairn_only("ACL", "LOG", "1"))[0])] * 2))[b"count"] == 2
    info = both.cairn_only("INFO", "stats")
    assert b"acl_access_denied_auth:5" in info


def test_requirepass_drives_the_default_user(acl_both):
    both = acl_both
    both("CONFIG", "SET", "requirepass", "adminpw")
    both("AUTH", "adminpw")
    h = hashlib.sha256(b"adminpw").hexdigest().encode()
    assert h in both.cairn_only("ACL", "LIST")
    with RawConn(both.cairn.port) as c:
        assert c.cmd("GET", "x") == b"-NOAUTH Authentication required.\r\n"
        assert c.cmd("AUTH", "default", "adminpw") == b"+OK\r\n"
    # Removing the password lets connections that never logged in run commands, as Redis does.
    with RawConn(both.cairn.port) as c:
        assert c.cmd("GET", "x") == b"-NOAUTH Authentication required.\r\n"
        both("CONFIG", "SET", "requirepass", "")
        assert c.cmd("GET", "x") == b"$-1\r\n"


def test_deluser_disconnects_its_clients(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "gone", "on", ">p", "+@all", "~*")
    with RawConn(both.cairn.port) as victim:
        assert victim.cmd("AUTH", "gone", "p") == b"+OK\r\n"
        assert both.cairn_only("ACL", "DELUSER", "gone") == b":1\r\n"
        time.sleep(0.2)
        with pytest.raises(Exception):
            victim.cmd("PING")
            victim.cmd("PING")


def test_changes_apply_to_logged_in_clients(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "live", "on", ">p", "+@all", "~*")
    login(both, "live", "live", "p")
    both("SET", "x", "1", conn="live")
    both("ACL", "SETUSER", "live", "-set")
    assert both.cairn_only("SET", "x", "2", conn="live") == b"-NOPERM User live has no permissions to run the 'set' command\r\n"
    both("ACL", "SETUSER", "live", "off")
    both("GET", "x", conn="live")        # off stops new logins only


def test_multi_refusal_and_log_context(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "m", "on", ">p", "+@all", "-flushall", "~*")
    login(both, "m", "m", "p")
    both("MULTI", conn="m")
    both("SET", "a", "1", conn="m")
    assert both.cairn_only("FLUSHALL", conn="m").startswith(b"-NOPERM User m")
    both.ref_only("FLUSHALL", conn="m")
    both("EXEC", conn="m")
    entry = decode(both.cairn_only("ACL", "LOG", "1"))[0]
    assert entry[entry.index(b"context") + 1] == b"multi"


# ---- files and config ----------------------------------------------------------------------------

def test_aclfile_load_and_save(cairn_factory, tmp_path):
    path = tmp_path / "users.acl"
    path.write_text("user default on nopass ~* &* +@all\nuser ro on >rpw ~* resetchannels -@all +@read\n")
    s = cairn_factory("--aclfile", str(path))
    with RawConn(s.port) as c:
        assert c.call("ACL", "USERS") == [b"default", b"ro"]
        assert c.cmd("AUTH", "ro", "rpw") == b"+OK\r\n"
        assert c.cmd("SET", "k", "v") == b"-NOPERM User ro has no permissions to run the 'set' command\r\n"
    with RawConn(s.port) as c:
        assert c.cmd("ACL", "SETUSER", "new", "on", "#" + "a" * 64, "~x") == b"+OK\r\n"
        assert c.cmd("ACL", "SAVE") == b"+OK\r\n"
        saved = path.read_text().splitlines()
        assert saved[0].startswith("user default on nopass")
        assert saved[1] == "user new on sanitize-payload #" + "a" * 64 + " ~x resetchannels -@all"
        # A bad file changes nothing and says why, line by line.
        path.write_text("user default on nopass ~* &* +@all\nuser x on +nosuch\nbogus line\n")
        err = c.cmd("ACL", "LOAD")
        assert err == (f"-ERR {path}:2: Error in applying operation '+nosuch': Unknown command or category name "
                       f"in ACL. {path}:3 should start with user keyword followed by the username. WARNING: ACL "
                       f"errors detected, no change to the previously active ACL rules was performed\r\n").encode()
        assert c.call("ACL", "USERS") == [b"default", b"new", b"ro"]
        path.write_text("user default on nopass ~* &* +@all\n")
        assert c.cmd("ACL", "LOAD") == b"+OK\r\n"
        assert c.call("ACL", "USERS") == [b"default"]


def test_user_directives_and_rename_command(cairn_factory):
    s = cairn_factory(config="user default on nopass ~* &* +@all\n"
                             "user worker on >wpw ~jobs:* +@list\n"
                             "rename-command FLUSHALL WIPE-IT\n"
                             "rename-command KEYS \"\"\n")
    with RawConn(s.port) as c:
        assert c.cmd("FLUSHALL").startswith(b"-ERR unknown command 'FLUSHALL'")
        assert c.cmd("KEYS", "*").startswith(b"-ERR unknown command 'KEYS'")
        assert c.cmd("WIPE-IT") == b"+OK\r\n"
        # ACL rules still use the original names.
        assert c.cmd("ACL", "SETUSER", "w2", "+flushall") == b"+OK\r\n"
        assert c.cmd("AUTH", "worker", "wpw") == b"+OK\r\n"
        assert c.cmd("LPUSH", "jobs:1", "a") == b":1\r\n"
        assert c.cmd("LPUSH", "other", "a") == b"-NOPERM No permissions to access a key\r\n"


@pytest.mark.parametrize("config, reason", [
    ("rename-command NOSUCH x\n", "No such command in rename-command"),
    ("user a on\nuser a off\n", "Duplicate user found"),
])
def test_bad_access_directives_stop_startup(cairn_factory, config, reason):
    s = cairn_factory(config=config, start=False)
    with pytest.raises(Exception):
        s.start(timeout=3)
    assert reason in s.log_text()


# ---- protected mode, DEBUG, protected configs ----------------------------------------------------------

def _other_address():
    """A non-loopback address of this machine, or None."""
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.connect(("192.0.2.1", 9))
        addr = probe.getsockname()[0]
        probe.close()
        return None if addr.startswith("127.") else addr
    except OSError:
        return None


def _greeting(port, host, source=None):
    sock = socket.create_connection((host, port), timeout=5, source_address=(source, 0) if source else None)
    sock.sendall(b"PING\r\n")
    data = b""
    sock.settimeout(2)
    try:
        while not data.endswith(b"\r\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    sock.close()
    return data


def test_protected_mode(cairn_factory, tmp_path):
    """Only 127.0.0.1, ::1 and unix sockets count as local, as in Redis: 127.0.0.2 is refused too."""
    other = _other_address()
    binds = ["--bind", "127.0.0.1", "127.0.0.2"] + ([other] if other else [])
    cairn = cairn_factory(*binds)
    redis = RedisProcess("redis-protected", REDIS_SERVER, tmp_path / "redis", extra_args=binds)
    redis.start()
    try:
        outside = [("127.0.0.2", "127.0.0.2")] + ([(other, None)] if other else [])
        for host, source in outside:
            denied = _greeting(cairn.port, host, source)
            assert denied == _greeting(redis.port, host, source)
            assert denied.startswith(b"-DENIED Redis is running in protected mode because protected mode is enabled")
        assert _greeting(cairn.port, "127.0.0.1") == b"+PONG\r\n"
        # A password for the default user, or protected-mode no, opens the door.
        for s in (cairn, redis):
            with RawConn(s.port) as c:
                c.cmd("CONFIG", "SET", "requirepass", "pw")
        for host, source in outside:
            assert _greeting(cairn.port, host, source) == _greeting(redis.port, host, source) == \
                b"-NOAUTH Authentication required.\r\n"
        for s in (cairn, redis):
            with RawConn(s.port) as c:
                c.cmd("AUTH", "pw")
                c.cmd("CONFIG", "SET", "requirepass", "")
                c.cmd("CONFIG", "SET", "protected-mode", "no")
        assert _greeting(cairn.port, "127.0.0.2", "127.0.0.2") == b"+PONG\r\n"
        with RawConn(cairn.port) as c:
            assert b"rejected_connections:%d" % len(outside) in c.cmd("INFO", "stats")
    finally:
        redis.stop()


def test_debug_and_protected_configs_default_to_no(cairn_factory, tmp_path):
    cairn = cairn_factory(debug=False)
    redis = RedisProcess("redis-nodebug", REDIS_SERVER, tmp_path / "redis",
                         extra_args=["--enable-debug-command", "no"])
    redis.start()
    try:
        for args in [("DEBUG", "SLEEP", "0"), ("CONFIG", "SET", "dir", "/tmp"),
                     ("CONFIG", "GET", "enable-debug-command"), ("CONFIG", "GET", "enable-protected-configs")]:
            with RawConn(cairn.port) as c, RawConn(redis.port) as r:
                assert c.cmd(*args) == r.cmd(*args), args
    finally:
        redis.stop()


# ---- passwords stay secret ------------------------------------------------------------------------

def test_passwords_never_leak(cairn_factory):
    s = cairn_factory("--appendonly", "yes", "--slowlog-log-slower-than", "0", "--loglevel", "verbose")
    with RawConn(s.port) as mon, RawConn(s.port) as c:
        assert mon.cmd("MONITOR") == b"+OK\r\n"
        c.cmd("ACL", "SETUSER", "sec", "on", ">topsecret1", "+@all", "~*")
        c.cmd("AUTH", "sec", "topsecret1")
        c.cmd("AUTH", "sec", "wrongsecret2")
        c.cmd("HELLO", "2", "AUTH", "sec", "topsecret1")
        c.cmd("CONFIG", "SET", "requirepass", "topsecret3")
        c.cmd("AUTH", "topsecret3")
        c.cmd("SET", "k", "v")
        time.sleep(0.3)
        mon.sock.settimeout(1)
        seen = b""
        try:
            while True:
                chunk = mon.sock.recv(65536)
                if not chunk:
                    break
                seen += chunk
        except socket.timeout:
            pass
        assert b'"(redacted)"' in seen
        slowlog = c.cmd("SLOWLOG", "GET", "100")
        clients = c.cmd("CLIENT", "LIST")
        acllog = c.cmd("ACL", "LOG")
        c.cmd("CONFIG", "SET", "requirepass", "")
    time.sleep(1.2)
    aof = b"".join(p.read_bytes() for p in (s.dir / "appendonlydir").iterdir())
    for secret in (b"topsecret1", b"wrongsecret2", b"topsecret3"):
        for where, text in [("monitor", seen), ("slowlog", slowlog), ("client list", clients), ("acl log", acllog),
                            ("log", s.log_text().encode()), ("aof", aof)]:
            assert secret not in text, f"{secret!r} in {where}"


def test_exec_checks_queued_commands_again(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "q", "on", ">p", "+@all", "~*")
    login(both, "q", "q", "p")
    both("MULTI", conn="q")
    both("SET", "a", "1", conn="q")
    both("GET", "a", conn="q")
    both("ACL", "SETUSER", "q", "-set", "resetkeys", "~b")
    both("EXEC", conn="q")


@pytest.mark.parametrize("sub", ["cat", "deluser", "dryrun", "genpass", "getuser", "list", "load", "log", "save",
                                 "setuser", "users", "whoami", "help"])
def test_acl_subcommand_info_matches_redis(both, sub):
    """Arity, flags, key positions and categories of each ACL subcommand, as COMMAND INFO reports them."""
    got = decode(both.cairn_only("COMMAND", "INFO", f"acl|{sub}"))[0]
    ref = decode(both.ref_only("COMMAND", "INFO", f"acl|{sub}"))[0]
    assert got[:6] == ref[:6]
    assert sorted(got[6]) == sorted(ref[6])


def test_taking_channels_away_disconnects_subscribers(acl_both):
    both = acl_both
    both("ACL", "SETUSER", "sub", "on", ">p", "+@all", "~*", "resetchannels", "&news", "&keep*")
    login(both, "sub", "sub", "p")
    login(both, "keeper", "sub", "p")
    both("SUBSCRIBE", "news", conn="sub")
    both("PSUBSCRIBE", "keep*", conn="keeper")
    both("ACL", "SETUSER", "sub", "resetchannels", "&keep*")
    time.sleep(0.2)
    for c in both.pair("sub"):
        with pytest.raises(Exception):
            c.cmd("PING")
    both("PING", conn="keeper")


def test_acl_pubsub_default_allchannels(cairn_factory):
    s = cairn_factory("--acl-pubsub-default", "allchannels")
    with RawConn(s.port) as c:
        assert c.cmd("ACL", "SETUSER", "n", "on") == b"+OK\r\n"
        assert c.call("ACL", "LIST")[1] == b"user n on sanitize-payload &* -@all"
        assert c.cmd("CONFIG", "SET", "acl-pubsub-default", "resetchannels") == b"+OK\r\n"
        assert c.cmd("ACL", "SETUSER", "n2") == b"+OK\r\n"
        assert c.call("ACL", "LIST")[2] == b"user n2 off sanitize-payload resetchannels -@all"


def test_config_rewrite_writes_users_and_keeps_renames(cairn_factory):
    s = cairn_factory(config="user old on nopass ~* +@all\nrename-command DBSIZE HOWMANY\n")
    with RawConn(s.port) as c:
        assert c.cmd("ACL", "SETUSER", "added", "on", ">pw", "~k", "+get") == b"+OK\r\n"
        assert c.cmd("ACL", "DELUSER", "old") == b":1\r\n"
        assert c.cmd("CONFIG", "REWRITE") == b"+OK\r\n"
    text = (s.dir / "cairn.conf").read_text()
    h = hashlib.sha256(b"pw").hexdigest()
    assert f"user added on sanitize-payload #{h} ~k resetchannels -@all +get" in text
    assert "user default on nopass sanitize-payload ~* &* +@all" in text
    assert "user old" not in text and "rename-command DBSIZE HOWMANY" in text
    s.stop()
    s.start()
    with RawConn(s.port) as c:
        assert c.call("ACL", "USERS") == [b"added", b"default"]
        assert c.cmd("HOWMANY") == b":0\r\n"

"""Server commands: INFO, CONFIG, COMMAND, TIME, LASTSAVE, DEBUG DIGEST, MONITOR, SLOWLOG, LATENCY,
SHUTDOWN. Byte-for-byte comparisons with the reference where the reply is deterministic; where
Redis 7.0 (the reference binary here) and Redis 7.2 / Valkey 8 differ, Cairn is checked against 7.2
directly ("7.2:" in the test's docstring)."""

import re
import threading
import time

import pytest

from cairn_helpers import RawConn, decode, encode, parse_info


def info_text(server, *sections):
    with RawConn(server.port) as c:
        return c.call("INFO", *sections).decode()


# ---- INFO ------------------------------------------------------------------------------------------

DEFAULT_SECTIONS = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu",
                    "modules", "errorstats", "cluster", "keyspace"]

# Field names every client library or monitoring tool commonly reads (present in 7.0, 7.2, Valkey 8).
REQUIRED_FIELDS = {
    "server": ["redis_version", "redis_git_sha1", "redis_git_dirty", "redis_build_id", "redis_mode",
               "os", "arch_bits", "monotonic_clock", "multiplexing_api", "process_id",
               "process_supervised", "run_id", "tcp_port", "server_time_usec", "uptime_in_seconds",
               "uptime_in_days", "hz", "configured_hz", "lru_clock", "executable", "config_file"],
    "clients": ["connected_clients", "cluster_connections", "maxclients",
                "client_recent_max_input_buffer", "client_recent_max_output_buffer",
                "blocked_clients", "tracking_clients", "clients_in_timeout_table"],
    "memory": ["used_memory", "used_memory_human", "used_memory_rss", "used_memory_rss_human",
               "used_memory_peak", "used_memory_peak_human", "used_memory_dataset", "maxmemory",
               "maxmemory_human", "maxmemory_policy", "mem_fragmentation_ratio", "mem_allocator"],
    "persistence": ["loading", "async_loading", "rdb_changes_since_last_save",
                    "rdb_bgsave_in_progress", "rdb_last_save_time", "rdb_last_bgsave_status",
                    "aof_enabled", "aof_rewrite_in_progress", "aof_last_bgrewrite_status"],
    "stats": ["total_connections_received", "total_commands_processed",
              "instantaneous_ops_per_sec", "total_net_input_bytes", "total_net_output_bytes",
              "rejected_connections", "expired_keys", "evicted_keys", "keyspace_hits",
              "keyspace_misses", "pubsub_channels", "pubsub_patterns", "latest_fork_usec",
              "total_error_replies", "total_reads_processed", "total_writes_processed"],
    "replication": ["role", "connected_slaves", "master_failover_state", "master_replid",
                    "master_replid2", "master_repl_offset", "second_repl_offset",
                    "repl_backlog_active", "repl_backlog_size"],
    "cpu": ["used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children"],
    "cluster": ["cluster_enabled"],
}


def test_info_default_sections_in_order(cairn, redis_server):
    for s in (cairn, redis_server):
        text = info_text(s)
        heads = [l[2:].lower() for l in text.split("\r\n") if l.startswith("# ")]
        assert heads == DEFAULT_SECTIONS, (s.name, heads)
        assert text.endswith("\r\n")


def test_info_required_fields(cairn, redis_server):
    for s in (redis_server, cairn):
        parsed = parse_info(info_text(s, "everything"))
        for sec, fields in REQUIRED_FIELDS.items():
            missing = [f for f in fields if f not in parsed.get(sec, {})]
            assert not missing, f"{s.name}: INFO {sec} lacks {missing}"


def test_info_all_and_everything_sections(cairn):
    heads = lambda t: [l[2:].lower() for l in t.split("\r\n") if l.startswith("# ")]
    allh = heads(info_text(cairn, "all"))
    assert allh == ["server", "clients", "memory", "persistence", "stats", "replication", "cpu",
                    "modules", "commandstats", "errorstats", "cluster", "keyspace"] or \
        set(allh) >= set(DEFAULT_SECTIONS) | {"commandstats", "latencystats"}
    assert "commandstats" in allh and "latencystats" in allh
    assert set(heads(info_text(cairn, "everything"))) >= set(allh)


def test_info_selected_sections(both):
    """INFO with one or several section names returns exactly those sections (7.0+)."""
    for args in (("server",), ("clients", "cpu"), ("KEYSPACE",), ("nosuchsection",),
                 ("server", "nosuchsection")):
        text = both.cairn_only("INFO", *args)
        ref = both.ref_only("INFO", *args)
        h = lambda b: [l[2:].lower() for l in decode(b).decode().split("\r\n") if l.startswith("# ")]
        assert h(text) == h(ref), args
    both("INFO", "nosuchsection")


def test_info_keyspace_exact(both):
    both("INFO", "keyspace")
    both("MSET", "a", "1", "b", "2")
    both("SELECT", "3")
    both("SET", "c", "3")
    both("INFO", "keyspace")
    both("FLUSHALL")
    both("INFO", "keyspace")


def test_info_keyspace_expires_and_avg_ttl(cairn):
    r = cairn.client()
    r.flushall()
    r.set("a", 1, ex=1000)
    r.set("b", 1, ex=2000)
    r.set("c", 1)
    line = parse_info(info_text(cairn, "keyspace"))["keyspace"]["db0"]
    f = dict(p.split("=") for p in line.split(","))
    assert list(f) == ["keys", "expires", "avg_ttl"]
    assert f["keys"] == "3" and f["expires"] == "2"
    # avg_ttl is an estimate refreshed by the active expire cycle; 0 until then is fine
    assert int(f["avg_ttl"]) == 0 or 900_000 <= int(f["avg_ttl"]) <= 2_000_000


def test_info_values_track_activity(cairn):
    r = cairn.client()
    r.flushall()
    s0 = parse_info(info_text(cairn, "stats"))["stats"]
    r.set("hit", 1)
    r.get("hit")
    r.get("hit")
    r.get("miss")
    s1 = parse_info(info_text(cairn, "stats"))["stats"]
    assert int(s1["keyspace_hits"]) - int(s0["keyspace_hits"]) == 2
    assert int(s1["keyspace_misses"]) - int(s0["keyspace_misses"]) == 1
    assert int(s1["total_commands_processed"]) - int(s0["total_commands_processed"]) == 5
    assert int(s1["total_connections_received"]) >= int(s0["total_connections_received"]) + 1
    server = parse_info(info_text(cairn, "server"))["server"]
    assert server["tcp_port"] == str(cairn.port)
    assert server["process_id"] == str(cairn.proc.pid)
    assert server["redis_mode"] == "standalone"
    assert len(server["run_id"]) == 40
    assert parse_info(info_text(cairn, "replication"))["replication"]["role"] == "master"
    assert int(parse_info(info_text(cairn, "persistence"))["persistence"]["rdb_changes_since_last_save"]) >= 1


def test_info_commandstats_and_errorstats(cairn):
    r = cairn.client()
    r.config_resetstat()
    r.set("x", "1")
    r.set("x", "2")
    r.get("x")
    with RawConn(cairn.port) as c:
        c.cmd("NOSUCHCOMMAND")
        c.cmd("INCR", "x")
        c.cmd("SET", "x", "abc")
        c.cmd("INCR", "x")
        c.cmd("GET")
    cs = parse_info(info_text(cairn, "commandstats"))["commandstats"]
    line = cs["cmdstat_set"]
    f = dict(p.split("=") for p in line.split(","))
    assert list(f) == ["calls", "usec", "usec_per_call", "rejected_calls", "failed_calls"]
    assert f["calls"] == "3"
    assert dict(p.split("=") for p in cs["cmdstat_incr"].split(","))["failed_calls"] == "1"
    assert dict(p.split("=") for p in cs["cmdstat_get"].split(","))["rejected_calls"] == "1"
    es = parse_info(info_text(cairn, "errorstats"))["errorstats"]
    assert es["errorstat_ERR"] == "count=3"
    st = parse_info(info_text(cairn, "stats"))["stats"]
    assert st["total_error_replies"] == "3"


def test_info_errorstats_match_reference(both):
    both("CONFIG", "RESETSTAT")
    both("NOSUCHCMD")
    both("SET", "s", "x")
    both("INCR", "s")
    both("RPUSH", "l", "x", compare=False)
    both("GET", "l", compare=False)
    both("INFO", "errorstats")


# ---- CONFIG ------------------------------------------------------------------------------------------

SCRIPTS = {
    "config-get": """
        CONFIG GET maxmemory
        CONFIG GET MAXMEMORY
        CONFIG GET maxmemory-policy
        CONFIG GET nosuchparameter
        CONFIG GET timeout
        CONFIG GET databases
        CONFIG GET appendonly
        CONFIG GET slowlog-log-slower-than
        CONFIG GET slowlog-max-len
        CONFIG GET latency-monitor-threshold
        CONFIG GET proto-max-bulk-len
        CONFIG GET hz
        CONFIG GET maxclients
        CONFIG GET requirepass
        CONFIG GET notify-keyspace-events
        CONFIG GET lazyfree-lazy-user-del
        ~CONFIG GET maxmemory timeout
        ~CONFIG GET maxmemory maxmemory
        ~CONFIG GET "maxmemory*"
        ~CONFIG GET "slowlog-*"
        CONFIG GET
    """,
    "config-set-errors": """
        CONFIG SET nosuchparameter 1
        CONFIG SET maxmemory
        CONFIG SET maxmemory abc
        CONFIG SET maxmemory -1
        CONFIG SET maxmemory-policy nosuchpolicy
        CONFIG SET timeout abc
        CONFIG SET hz abc
        CONFIG SET appendonly maybe
        CONFIG SET daemonize yes
        CONFIG SET databases 32
        CONFIG SET maxmemory 10mb maxmemory 20mb
        CONFIG SET maxmemory 10mb nosuch 1
        CONFIG SET maxmemory 10mb timeout abc
        CONFIG GET maxmemory
        CONFIG SET
        CONFIG
        CONFIG BOGUS
    """,
    "config-set-get": """
        CONFIG SET maxmemory 10mb
        CONFIG GET maxmemory
        CONFIG SET maxmemory 1gb
        CONFIG GET maxmemory
        CONFIG SET maxmemory 12345
        CONFIG GET maxmemory
        CONFIG SET maxmemory 1k
        CONFIG GET maxmemory
        CONFIG SET maxmemory 0
        CONFIG SET maxmemory-policy allkeys-lru
        CONFIG GET maxmemory-policy
        CONFIG SET maxmemory-policy NOEVICTION
        CONFIG GET maxmemory-policy
        CONFIG SET timeout 300 hz 20
        ~CONFIG GET timeout hz
        CONFIG SET timeout 0 hz 10
        CONFIG SET slowlog-max-len 64
        CONFIG GET slowlog-max-len
        CONFIG SET slowlog-max-len 128
        CONFIG SET notify-keyspace-events KEA
        CONFIG GET notify-keyspace-events
        CONFIG SET notify-keyspace-events Ex
        CONFIG GET notify-keyspace-events
        CONFIG SET notify-keyspace-events ""
        CONFIG SET lazyfree-lazy-user-del yes
        CONFIG GET lazyfree-lazy-user-del
        CONFIG SET lazyfree-lazy-user-del no
        CONFIG SET hz 1000
        CONFIG GET hz
        CONFIG SET hz 10
    """,
    "config-rewrite-without-file": """
        CONFIG REWRITE
        CONFIG REWRITE extra
        CONFIG RESETSTAT extra
    """,
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_config_script(both, name):
    try:
        both.script(SCRIPTS[name])
    finally:
        for k, v in (("maxmemory", "0"), ("maxmemory-policy", "noeviction"), ("timeout", "0"),
                     ("hz", "10"), ("slowlog-max-len", "128"), ("notify-keyspace-events", ""),
                     ("lazyfree-lazy-user-del", "no")):
            both("CONFIG", "SET", k, v, compare=False)


def test_config_get_port_and_dir(cairn):
    r = cairn.client(decode_responses=True)
    assert r.config_get("port") == {"port": str(cairn.port)}
    assert r.config_get("dir")["dir"] in (str(cairn.dir), str(cairn.dir.resolve()))
    assert r.config_get("bind")["bind"]


def test_config_resetstat(cairn):
    r = cairn.client()
    for _ in range(5):
        r.get("x")
    assert r.config_resetstat()
    st = parse_info(info_text(cairn, "stats"))["stats"]
    assert int(st["total_commands_processed"]) <= 2
    assert st["keyspace_misses"] == "0"
    assert parse_info(info_text(cairn, "commandstats")).get("commandstats", {}).get("cmdstat_get") is None


def test_config_rewrite_with_file(cairn_factory):
    s = cairn_factory(config="# written by the test\nmaxmemory 1mb\ntimeout 0\n")
    r = s.client(decode_responses=True)
    assert r.config_get("maxmemory") == {"maxmemory": "1048576"}
    assert r.config_set("maxmemory", "2mb")
    assert r.config_set("slowlog-max-len", "77")
    assert r.config_rewrite()
    text = (s.dir / "cairn.conf").read_text()
    assert "# written by the test" in text
    assert re.search(r"^maxmemory 2mb$", text, re.M), text
    assert re.search(r"^slowlog-max-len 77$", text, re.M), text
    assert "maxmemory 1mb" not in text
    assert r.info("server")["config_file"] == str(s.dir / "cairn.conf")


def test_config_help_shape(cairn):
    lines = cairn.call("CONFIG", "HELP")
    assert isinstance(lines, list), lines
    text = b"\n".join(lines)
    for sub in (b"GET", b"SET", b"RESETSTAT", b"REWRITE", b"HELP"):
        assert sub in text


# ---- COMMAND ------------------------------------------------------------------------------------------

# Commands whose COMMAND INFO is the same in Redis 7.0 and 7.2 (arity, flags, first/last/step, ACL
# categories, tips, key specs, subcommands): compared byte for byte with the reference.
COMMAND_INFO_SAME = [
    "get", "set", "setnx", "setex", "psetex", "getset", "getdel", "getex", "mget", "mset", "append",
    "strlen", "incr", "decr", "incrby", "decrby", "incrbyfloat", "getrange", "substr", "setrange",
    "lcs", "setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro", "pfadd",
    "pfcount", "pfmerge", "del", "unlink", "exists", "type", "rename", "renamenx", "copy", "move",
    "keys", "dbsize", "touch", "expire", "pexpire", "expireat", "pexpireat", "ttl", "pttl",
    "expiretime", "pexpiretime", "persist", "select", "swapdb", "flushdb", "flushall",
    "exec", "discard", "unwatch", "ping", "echo", "quit", "reset", "auth", "hello", "time",
    "lastsave", "monitor", "shutdown", "info",
]

# 7.2 command tips that differ from 7.0 (checked on Cairn alone).
COMMAND_TIPS_72 = {
    "msetnx": [],
    "scan": [b"nondeterministic_output", b"request_policy:special", b"response_policy:special"],
    "randomkey": [b"request_policy:all_shards", b"response_policy:special", b"nondeterministic_output"],
}


def _without_notes(x):
    """COMMAND INFO with key-spec "notes" blanked: notes are free prose, which Cairn writes itself."""
    if isinstance(x, list):
        out = []
        for i, v in enumerate(x):
            out.append(b"<notes>" if i > 0 and x[i - 1] == b"notes" else _without_notes(v))
        return out
    return x


@pytest.mark.parametrize("name", COMMAND_INFO_SAME)
def test_command_info_matches_reference(both, name):
    """Everything but the key-spec notes, byte for byte (compared as decoded RESP2 structures)."""
    got = decode(both.cairn_only("COMMAND", "INFO", name))
    ref = decode(both.ref_only("COMMAND", "INFO", name))
    assert _without_notes(got) == _without_notes(ref)


@pytest.mark.parametrize("name", ["client", "config", "object", "command", "slowlog", "latency", "acl"])
def test_command_info_container_commands(both, name):
    """Container commands: same name/arity/flags, and every subcommand of the reference is listed."""
    c = decode(both.cairn_only("COMMAND", "INFO", name))
    r = decode(both.ref_only("COMMAND", "INFO", name))[0]
    assert isinstance(c, list) and c[0] is not None, f"COMMAND INFO {name}: {c!r}"
    c = c[0]
    assert c[:3] == r[:3], name  # name, arity, flags
    csubs = sorted(s[0] for s in c[9])
    rsubs = sorted(s[0] for s in r[9])
    missing = set(rsubs) - set(csubs)
    assert not missing, f"{name}: subcommands missing from COMMAND INFO: {sorted(missing)}"


@pytest.mark.parametrize("name", list(COMMAND_TIPS_72))
def test_command_tips_7_2(cairn, name):
    """7.2: tips that changed after 7.0."""
    info = cairn.call("COMMAND", "INFO", name)
    assert isinstance(info, list) and info[0] is not None, info
    info = info[0]
    assert info[7] == COMMAND_TIPS_72[name]


def test_command_info_unknown_and_multiple(both):
    both("COMMAND", "INFO", "nosuchcommand")
    for args in (("get", "nosuchcommand", "set"), ("GET",), ("config|get",), ("client|id",)):
        got = decode(both.cairn_only("COMMAND", "INFO", *args))
        ref = decode(both.ref_only("COMMAND", "INFO", *args))
        assert _without_notes(got) == _without_notes(ref), args


def test_command_count_list_and_full(cairn):
    with RawConn(cairn.port) as c:
        count = decode(c.cmd("COMMAND", "COUNT"))
        names = decode(c.cmd("COMMAND", "LIST"))
        full = decode(c.cmd("COMMAND"))
    assert isinstance(names, list) and isinstance(full, list), (names, full)
    top = [n for n in names if b"|" not in n]  # COMMAND LIST also lists "container|sub" names
    assert isinstance(count, int) and count == len(top) == len(full)
    assert len(set(names)) == len(names)
    assert {b"get", b"set", b"command", b"client", b"config", b"config|get", b"client|list"} <= set(names)
    assert sorted(e[0] for e in full) == sorted(top)


def test_command_list_filters(both):
    both("COMMAND", "LIST", "FILTERBY", "ACLCAT", "string", sort=True)
    both("COMMAND", "LIST", "FILTERBY", "ACLCAT", "bitmap", sort=True)
    both("COMMAND", "LIST", "FILTERBY", "ACLCAT", "hyperloglog", sort=True)
    both("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcategory")
    both("COMMAND", "LIST", "FILTERBY", "PATTERN", "get*", sort=True)
    both("COMMAND", "LIST", "FILTERBY", "PATTERN", "*expire*", sort=True)
    both("COMMAND", "LIST", "FILTERBY", "PATTERN", "config|*", sort=True)
    both("COMMAND", "LIST", "FILTERBY", "MODULE", "nosuchmodule")
    both("COMMAND", "LIST", "FILTERBY", "BOGUS", "x")
    both("COMMAND", "LIST", "FILTERBY")
    both("COMMAND", "LIST", "BOGUS")


def test_command_list_covers_keyspace_categories(cairn, redis_server):
    """Every @keyspace and @connection command of the reference exists in Cairn."""
    for cat in ("keyspace", "connection", "transaction"):
        reply = cairn.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", cat)
        assert isinstance(reply, list), reply
        c = set(reply)
        r = set(redis_server.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", cat))
        core = {n for n in r if n in {
            b"del", b"unlink", b"exists", b"type", b"rename", b"renamenx", b"copy", b"move", b"keys",
            b"scan", b"randomkey", b"dbsize", b"touch", b"expire", b"pexpire", b"expireat",
            b"pexpireat", b"ttl", b"pttl", b"expiretime", b"pexpiretime", b"persist", b"swapdb",
            b"flushdb", b"flushall", b"ping", b"echo", b"select", b"auth", b"hello", b"client",
            b"reset", b"multi", b"exec", b"discard", b"watch", b"unwatch", b"object"}}
        assert core <= c, f"@{cat}: missing {sorted(core - c)}"


def test_command_getkeys(both):
    both.script("""
        COMMAND GETKEYS SET a b
        COMMAND GETKEYS GET a
        COMMAND GETKEYS MSET a 1 b 2 c 3
        COMMAND GETKEYS MGET a b c
        COMMAND GETKEYS DEL a b
        COMMAND GETKEYS RENAME a b
        COMMAND GETKEYS COPY a b DB 1
        COMMAND GETKEYS LCS a b
        COMMAND GETKEYS BITOP AND dest a b
        COMMAND GETKEYS PFMERGE dest a b
        COMMAND GETKEYS PFCOUNT a b
        COMMAND GETKEYS EXPIRE a 10
        COMMAND GETKEYS OBJECT ENCODING a
        COMMAND GETKEYS SET a b EX 10 GET
        COMMAND GETKEYS PING x
        COMMAND GETKEYS NOSUCHCOMMAND a b
        COMMAND GETKEYS SET a
        COMMAND GETKEYS MSET a 1 b
        COMMAND GETKEYSANDFLAGS SET a b
        COMMAND GETKEYSANDFLAGS GETDEL a
        COMMAND GETKEYSANDFLAGS COPY a b
        COMMAND GETKEYSANDFLAGS LCS a b
        COMMAND GETKEYSANDFLAGS MSET a 1 b 2
        COMMAND GETKEYSANDFLAGS BITOP AND d a
        COMMAND GETKEYSANDFLAGS RENAME a b
        COMMAND GETKEYSANDFLAGS GETEX a PERSIST
        COMMAND BOGUS
    """)


def test_command_getkeys_short_form_7_2(cairn):
    """7.2: COMMAND GETKEYS arity is -3, so 'COMMAND GETKEYS PING' reaches the key check."""
    assert cairn.raw(encode("COMMAND", "GETKEYS", "PING")) == b"-ERR The command has no key arguments\r\n"


def test_command_docs(cairn):
    with RawConn(cairn.port) as c:
        c.cmd("HELLO", "3")
        docs = decode(c.cmd("COMMAND", "DOCS", "get", "set", "nosuchcommand"))
    assert set(docs) == {b"get", b"set"}
    g = docs[b"get"]
    for field in (b"summary", b"since", b"group", b"complexity", b"arguments"):
        assert field in g, field
    assert g[b"group"] == b"string" and g[b"since"] == b"1.0.0"
    args = g[b"arguments"]
    assert args[0][b"name"] == b"key" and args[0][b"type"] == b"key"
    assert args[0].get(b"display_text") == b"key"  # 7.2 adds display_text
    setargs = [a[b"name"] for a in docs[b"set"][b"arguments"]]
    assert setargs[:2] == [b"key", b"value"]
    with RawConn(cairn.port) as c:
        flat = decode(c.cmd("COMMAND", "DOCS", "get"))  # RESP2: flat array
        assert isinstance(flat, list) and flat[0] == b"get"
        everything = decode(c.cmd("COMMAND", "DOCS"))
        assert len(everything) == 2 * decode(c.cmd("COMMAND", "COUNT"))


def test_command_docs_unknown(both):
    both("COMMAND", "DOCS", "nosuchcommand")


def test_command_docs_with_redis_py(cairn):
    r = cairn.client(decode_responses=True)
    cmds = r.command()
    assert "get" in cmds
    assert cmds["get"]["arity"] == 2
    assert "readonly" in cmds["get"]["flags"]


# ---- TIME / LASTSAVE -----------------------------------------------------------------------------------

def test_time(cairn):
    with RawConn(cairn.port) as c:
        reply = c.cmd("TIME")
    assert re.fullmatch(rb"\*2\r\n\$\d+\r\n\d+\r\n\$\d+\r\n\d+\r\n", reply), reply
    sec, usec = map(int, decode(reply))
    assert abs(sec + usec / 1e6 - time.time()) < 2
    assert 0 <= usec < 1_000_000


def test_time_and_lastsave_errors(both):
    both("TIME", "extra")
    both("LASTSAVE", "extra")


def test_lastsave(cairn):
    v = cairn.call("LASTSAVE")
    assert isinstance(v, int)
    assert cairn.proc is not None
    assert time.time() - 3600 < v <= time.time() + 1


# ---- DEBUG DIGEST ------------------------------------------------------------------------------------------

def test_debug_digest_empty(both):
    both("DEBUG", "DIGEST")
    both("DEBUG", "DIGEST-VALUE", "nokey")


def test_debug_digest_matches_after_same_writes(both):
    both.script("""
        SET s hello
        SET n 12345
        SET neg -99
        SET bin "\\x00\\xff\\r\\n"
        SET big 123456789012345678901234567890
        SET volatile v EX 1000
        INCRBYFLOAT f 1.5
        APPEND s " world"
        SETBIT bits 100 1
        PFADD hll a b c d
        SELECT 1
        SET other db1
        SET n 1
        SELECT 9
        SET nine 9
        SELECT 0
        DEBUG DIGEST
        DEBUG DIGEST-VALUE s n neg bin big volatile f bits hll nokey
        DEL n
        DEBUG DIGEST
        PERSIST volatile
        DEBUG DIGEST
        SWAPDB 0 1
        DEBUG DIGEST
        FLUSHDB
        DEBUG DIGEST
        FLUSHALL
        DEBUG DIGEST
    """)


def test_debug_digest_order_independent(both):
    """The digest of a dataset does not depend on the order keys were written in."""
    for i in range(200):
        both("SET", f"k{i}", f"v{i}")
    d1 = both("DEBUG", "DIGEST")
    both("FLUSHALL")
    for i in reversed(range(200)):
        both("SET", f"k{i}", f"v{i}")
    assert both("DEBUG", "DIGEST") == d1


def test_debug_errors(both):
    both("DEBUG", "NOSUCHSUBCOMMAND")
    both("DEBUG")
    both("DEBUG", "DIGEST", "extra")
    both("DEBUG", "OBJECT", "nokey")


def test_debug_populate(both):
    """DEBUG POPULATE fills the same keys and values as Redis's (compared by digest and by reading them back),
    leaves existing keys alone, pads or cuts values to the size given, and rejects bad counts and sizes."""
    both("FLUSHALL")
    both("SET", "key:1", "mine")
    both("DEBUG", "POPULATE", "50")
    both("GET", "key:1")
    both("GET", "key:49")
    both("DEBUG", "POPULATE", "3", "p", "20")
    both("GET", "p:2")
    both("DEBUG", "POPULATE", "3", "q", "3")
    both("GET", "q:0")
    both("DEBUG", "POPULATE", "2", b"ab\x00cd")
    both("DEBUG", "POPULATE", "2", "x" * 200)
    both("DEBUG", "POPULATE", "0")
    both("DBSIZE")
    both("DEBUG", "DIGEST")
    both("OBJECT", "ENCODING", "key:7")
    both("DEBUG", "POPULATE", "-1")
    both("DEBUG", "POPULATE", "many")
    both("DEBUG", "POPULATE", "2", "p", "-5")
    both("DEBUG", "POPULATE", "1", "a", "2", "extra")


# ---- MONITOR --------------------------------------------------------------------------------------------------

MONITOR_LINE = re.compile(rb"^\+(\d+\.\d{6}) \[(\d+) (127\.0\.0\.1:\d+)\] (.*)\r\n$")


def _monitor_feed(server, commands):
    """MONITOR on one connection while another runs `commands`; the monitor lines, normalized
    to "[db] args" (timestamp and client address checked, then dropped)."""
    mon = RawConn(server.port)
    try:
        assert mon.cmd("MONITOR") == b"+OK\r\n"
        with RawConn(server.port) as c:
            c.cmd("SELECT", "2")
            for args in commands:
                c.cmd(*args)
        data = b""
        while True:
            chunk = mon.pending(0.3)
            if not chunk:
                break
            data += chunk
        lines = []
        for raw_line in data.split(b"\r\n")[:-1]:
            m = MONITOR_LINE.match(raw_line + b"\r\n")
            assert m, raw_line
            assert abs(float(m.group(1)) - time.time()) < 5
            lines.append(b"[%s] %s" % (m.group(2), m.group(4)))
        return lines
    finally:
        mon.close()


def test_monitor_output_matches_reference(cairn, redis_server):
    commands = [
        ("SET", "foo", "bar"),
        ("GET", "foo"),
        ("SET", "bin", b"a\x00b\r\n\"q\"\\ \x7f\xff"),
        ("ECHO", "with space"),
        ("MULTI",),
        ("INCR", "cnt"),
        ("EXEC",),
        ("MSET", "a", "1", "b", "2"),
        ("SELECT", "0"),
        ("PING",),
    ]
    got = _monitor_feed(cairn, commands)
    ref = _monitor_feed(redis_server, commands)
    assert got == ref


def test_monitor_does_not_show_auth_and_errors(cairn, redis_server):
    commands = [("AUTH", "nopass"), ("GET",), ("NOSUCH",), ("SET", "k", "v")]
    outs = {}
    for s in (cairn, redis_server):
        mon = RawConn(s.port)
        mon.cmd("MONITOR")
        with RawConn(s.port) as c:
            for args in commands:
                c.cmd(*args)
        time.sleep(0.2)
        outs[s.name] = [re.sub(rb"^\+\d+\.\d+ \[0 [\d.:]+\] ", b"", l) for l in mon.pending(0.3).split(b"\r\n") if l]
        mon.close()
    assert outs[cairn.name] == outs[redis_server.name]


def test_monitor_connection_only_accepts_few_commands(both):
    both("MONITOR")
    both.send_both(encode("GET", "x"))
    got, ref = both.read_both()
    # the monitor itself sees its own GET first, then the reply
    assert re.sub(rb"\d+\.\d+ \[0 [\d.:]+\]", b"", got) == re.sub(rb"\d+\.\d+ \[0 [\d.:]+\]", b"", ref)


# ---- SLOWLOG ---------------------------------------------------------------------------------------------------

def test_slowlog(cairn):
    r = cairn.client()
    r.config_set("slowlog-log-slower-than", 0)
    try:
        assert r.slowlog_reset()
        r.client_setname("slowpoke")
        r.set("slow", "x")
        r.execute_command("ECHO", "y" * 200)
        r.execute_command("DEL", *[f"k{i}" for i in range(40)])
        with RawConn(cairn.port) as c:
            entries = decode(c.cmd("SLOWLOG", "GET", "3"))
            n = decode(c.cmd("SLOWLOG", "LEN"))
        assert n >= 4
        assert len(entries) == 3
        newest = entries[0]
        assert len(newest) == 6
        eid, ts, dur, args, addr, name = newest
        assert isinstance(eid, int) and isinstance(dur, int) and dur >= 0
        assert abs(ts - time.time()) < 5
        assert re.fullmatch(rb"127\.0\.0\.1:\d+", addr)
        assert name == b"slowpoke"
        # argument list truncated to 32 entries, the last one saying how many more
        assert len(args) == 32
        assert args[:2] == [b"DEL", b"k0"]
        assert args[-1] == b"... (10 more arguments)"
        echo = entries[1][3]
        assert echo[0] == b"ECHO"
        assert echo[1] == b"y" * 128 + b"... (72 more bytes)"
        assert entries[2][3] == [b"SET", b"slow", b"x"]
        assert entries[0][0] > entries[1][0] > entries[2][0]
        all_entries = decode(cairn.raw(encode("SLOWLOG", "GET", "-1")))
        assert len(all_entries) >= 4
        assert cairn.raw(encode("SLOWLOG", "RESET")) == b"+OK\r\n"
        assert decode(cairn.raw(encode("SLOWLOG", "LEN"))) <= 1
    finally:
        r.config_set("slowlog-log-slower-than", 10000)


def test_slowlog_max_len(cairn):
    r = cairn.client()
    r.config_set("slowlog-log-slower-than", 0)
    r.config_set("slowlog-max-len", 5)
    try:
        for i in range(20):
            r.set(f"s{i}", i)
        assert r.slowlog_len() == 5
    finally:
        r.config_set("slowlog-max-len", 128)
        r.config_set("slowlog-log-slower-than", 10000)
        r.slowlog_reset()


def test_slowlog_threshold_respected(cairn):
    r = cairn.client()
    r.config_set("slowlog-log-slower-than", 10000)
    r.slowlog_reset()
    for i in range(20):
        r.set(f"fast{i}", i)
    assert r.slowlog_len() == 0
    r.config_set("slowlog-log-slower-than", -1)
    try:
        r.execute_command("DEBUG", "SLEEP", "0.05")
        assert r.slowlog_len() == 0
    finally:
        r.config_set("slowlog-log-slower-than", 10000)


def test_slowlog_errors(both):
    both("SLOWLOG", "GET", "abc")
    both("SLOWLOG", "GET", "-2")
    both("SLOWLOG", "BOGUS")
    both("SLOWLOG")
    both("SLOWLOG", "LEN", "extra")
    both("SLOWLOG", "RESET", "extra")


# ---- LATENCY --------------------------------------------------------------------------------------------------

def test_latency_monitor(cairn):
    r = cairn.client()
    with RawConn(cairn.port) as c:
        assert c.cmd("LATENCY", "RESET") .startswith(b":")
        assert c.cmd("LATENCY", "LATEST") == b"*0\r\n"
        assert c.cmd("CONFIG", "SET", "latency-monitor-threshold", "10") == b"+OK\r\n"
        try:
            assert c.cmd("DEBUG", "SLEEP", "0.1") == b"+OK\r\n"
            latest = decode(c.cmd("LATENCY", "LATEST"))
            assert len(latest) >= 1
            ev = [e for e in latest if e[0] == b"command"]
            assert ev, latest
            name, ts, last_ms, max_ms = ev[0]
            assert abs(ts - time.time()) < 5
            assert 90 <= last_ms <= 1000 and max_ms >= last_ms
            hist = decode(c.cmd("LATENCY", "HISTORY", "command"))
            assert len(hist) >= 1 and len(hist[0]) == 2 and hist[0][1] >= 90
            doctor = decode(c.cmd("LATENCY", "DOCTOR"))
            assert isinstance(doctor, bytes) and len(doctor) > 0
            graph = decode(c.cmd("LATENCY", "GRAPH", "command"))
            assert isinstance(graph, bytes) and b"command" in graph
            assert decode(c.cmd("LATENCY", "RESET", "command")) == 1
            assert c.cmd("LATENCY", "LATEST") == b"*0\r\n"
        finally:
            c.cmd("CONFIG", "SET", "latency-monitor-threshold", "0")


def test_latency_errors_and_empty(both):
    both("LATENCY", "RESET")
    both("LATENCY", "LATEST")
    both("LATENCY", "HISTORY", "nosuchevent")
    both("LATENCY", "RESET", "nosuchevent")
    both("LATENCY", "GRAPH", "nosuchevent")
    both("LATENCY", "BOGUS")
    both("LATENCY")
    both("LATENCY", "HISTORY")


def test_latency_help_shape(cairn):
    lines = cairn.call("LATENCY", "HELP")
    assert isinstance(lines, list), lines
    text = b"\n".join(lines)
    for sub in (b"DOCTOR", b"GRAPH", b"HISTORY", b"LATEST", b"RESET", b"HELP"):
        assert sub in text


# ---- SHUTDOWN --------------------------------------------------------------------------------------------------

def test_shutdown_nosave(cairn_factory):
    s = cairn_factory()
    r = s.client()
    r.set("k", "v")
    with RawConn(s.port) as c:
        c.send(encode("SHUTDOWN", "NOSAVE"))
        assert c.read_until_close(5) == b""
    assert s.proc.wait(10) == 0
    assert not (s.dir / "dump.rdb").exists()


def test_shutdown_errors(both):
    both("SHUTDOWN", "ABORT")
    both("SHUTDOWN", "BOGUS")
    both("SHUTDOWN", "NOSAVE", "SAVE")
    both("SHUTDOWN", "ABORT", "NOSAVE")


def test_shutdown_via_sigterm(cairn_factory):
    import signal
    s = cairn_factory()
    s.client().ping()
    s.proc.send_signal(signal.SIGTERM)
    assert s.proc.wait(10) == 0
    log = s.log_text()
    assert "ready to exit" in log.lower() or "bye" in log.lower() or "shutdown" in log.lower()


# ---- startup: config file and command line ---------------------------------------------------------------

DEBUG_REFUSED = (b"-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
                 b"you can run it from a local connection, otherwise you need to set this option in the "
                 b"configuration file, and then restart the server.\r\n")


def test_debug_refused_by_default(cairn_factory):
    s = cairn_factory(debug=False)
    assert s.raw(encode("DEBUG", "DIGEST")) == DEBUG_REFUSED
    assert s.raw(encode("CONFIG", "GET", "enable-debug-command")) == (
        b"*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n")


def test_debug_allowed_locally(cairn_factory):
    s = cairn_factory("--enable-debug-command", "local", debug=False)
    assert s.raw(encode("DEBUG", "DIGEST")) == b"+" + b"0" * 40 + b"\r\n"


def test_config_file_then_command_line(cairn_factory):
    """Directives from the file apply first; command-line ones override them."""
    s = cairn_factory("--maxmemory", "2mb", "--timeout", "17",
                      config='maxmemory 1mb\nmaxmemory-policy allkeys-lru\n# comment\n\nslowlog-max-len "33"\n')
    r = s.client(decode_responses=True)
    assert r.config_get("maxmemory") == {"maxmemory": "2097152"}
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    assert r.config_get("timeout") == {"timeout": "17"}
    assert r.config_get("slowlog-max-len") == {"slowlog-max-len": "33"}
    assert r.config_get("port") == {"port": str(s.port)}


def test_bad_config_file_directive_stops_startup(cairn_factory):
    s = cairn_factory(config="maxmemory 1mb\nnosuchdirective yes\n", start=False)
    log = s.start_refused()
    assert "Bad directive or wrong number of arguments" in log, log
    assert "nosuchdirective" in log


def test_bad_command_line_value_stops_startup(cairn_factory):
    s = cairn_factory("--maxmemory", "lots", start=False)
    assert "maxmemory" in s.start_refused()

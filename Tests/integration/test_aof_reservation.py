"""Under appendfsync always the AOF writer keeps the incremental file written ahead of its records with padding
lines (AOFWriter's reservation): a crash leaves them behind. That directory must pass redis-check-aof and
cairn-check-aof and load in the real redis-server and in Cairn; Cairn releases the padding when it restarts and
cuts it off when it stops; a record torn over the padding by a crash reads as a truncated tail, while damage
followed by records stays a format error."""
from cairn_helpers import RawConn
from test_aof import WRITES, aof_dir, assert_redis_loads, check_directory, digest, info_field, run_script, \
    start_unless_load_truncated_is_off, wait_rewrite_done

ALWAYS = ("--appendonly", "yes", "--appendfsync", "always", "--rdb-version", "10")
INCR = "appendonly.aof.1.incr.aof"
LAST_RECORD = b"*2\r\n$3\r\nDEL\r\n$1\r\na\r\n"       # WRITES ends with DEL a


def padding_line_ok(line):
    return line.startswith(b"#") and line.endswith(b"\r\n") and len(line) < 1024 and set(line[:-2]) == {ord("#")}


def crashed_directory(cairn_factory):
    """A server that ran WRITES under always and was killed: (server, digest, incr bytes, end of its records)."""
    s = cairn_factory(*ALWAYS)
    run_script(s.port, WRITES)
    want = digest(s.port)
    s.kill()
    data = (aof_dir(s) / INCR).read_bytes()
    # A record that ends on a padding line's CR or LF is followed by a "#\r\n" filler, which stays.
    return s, want, data, data.rindex(LAST_RECORD) + len(LAST_RECORD)


def test_crash_leaves_padding_that_redis_and_cairn_load(cairn_factory, tmp_path):
    s, want, data, records_end = crashed_directory(cairn_factory)
    assert len(data) - records_end >= 256 * 1024 and len(data) % 4096 == 0
    assert all(padding_line_ok(line) for line in data[records_end:].splitlines(keepends=True))
    check_directory(aof_dir(s))
    assert_redis_loads(aof_dir(s), tmp_path, want)
    s.start()
    assert digest(s.port) == want
    assert "bytes of reserved space after its last record released" in s.log_text()
    with RawConn(s.port) as c:
        c.cmd("SET", "after", "restart")
    size = int(info_field(s.port, "aof_current_size"))
    s.stop()
    d = aof_dir(s)
    after = (d / INCR).read_bytes()
    assert after.startswith(data[:records_end]) and b"##" not in after, "stopped: no padding left"
    assert size == len(after) + (d / "appendonly.aof.1.base.rdb").stat().st_size
    check_directory(d)


def test_record_torn_over_the_padding_is_a_truncated_tail(cairn_factory):
    s, want, data, records_end = crashed_directory(cairn_factory)
    torn = b"*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$5\r\nva"
    incr = aof_dir(s) / INCR
    incr.write_bytes(data[:records_end] + torn + data[records_end + len(torn):])
    start_unless_load_truncated_is_off(s)
    assert digest(s.port) == want
    assert "ends in a record cut short over the space reserved for it" in s.log_text()
    assert "!!! Truncating the AOF appendonly.aof.1.incr.aof at offset" in s.log_text()
    with RawConn(s.port) as c:
        assert c.cmd("EXISTS", "lost") == b":0\r\n"
    s.stop()
    assert incr.read_bytes().startswith(data[:records_end]) and b"lost" not in incr.read_bytes()


def test_damage_before_later_records_stays_a_format_error(cairn_factory):
    s, _, data, records_end = crashed_directory(cairn_factory)
    # The record in the middle loses its '*': records and then the padding follow it, so it is not a torn tail.
    middle = data.index(b"*", records_end // 2)
    (aof_dir(s) / INCR).write_bytes(data[:middle] + b"!" + data[middle + 1:])
    assert f"Bad file format reading the append only file {INCR} at offset {middle}" in s.start_refused()


def test_policy_change_and_rewrite_leave_no_padding_behind(cairn_factory):
    s = cairn_factory(*ALWAYS)
    with RawConn(s.port) as c:
        c.cmd("SET", "a", "1")
        c.cmd("CONFIG", "SET", "appendfsync", "everysec")
        c.cmd("SET", "b", "2")
        c.cmd("CONFIG", "SET", "appendfsync", "always")
        c.cmd("SET", "c", "3")
    # The file the policy change left carries no padding between its records.
    text = (aof_dir(s) / INCR).read_bytes()
    assert text.index(b"##") > text.index(b"\r\nc\r\n")
    with RawConn(s.port) as c:
        c.cmd("BGREWRITEAOF")
    wait_rewrite_done(s.port)
    with RawConn(s.port) as c:
        c.cmd("SET", "d", "4")
    want = digest(s.port)
    s.stop()
    for f in aof_dir(s).glob("*.incr.aof"):
        assert b"##" not in f.read_bytes()
    check_directory(aof_dir(s))
    s.start()
    assert digest(s.port) == want

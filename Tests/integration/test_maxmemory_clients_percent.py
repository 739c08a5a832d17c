"""maxmemory-clients as a percentage of maxmemory (Redis 7's PERCENT_CONFIG): CONFIG SET/GET replies and errors
compared with redis-server, the config file and CONFIG REWRITE, and client eviction at the percentage."""

import re

import pytest

from cairn_helpers import RawConn


def test_percent_values_and_errors_match_redis(both):
    both.script("""
        CONFIG SET maxmemory-clients 10%
        CONFIG GET maxmemory-clients
        CONFIG SET maxmemory-clients 100%
        CONFIG GET maxmemory-clients
        CONFIG SET maxmemory-clients 101%
        CONFIG SET maxmemory-clients 9223372036854775807%
        CONFIG SET maxmemory-clients 99999999999999999999%
        CONFIG SET maxmemory-clients -5%
        CONFIG SET maxmemory-clients %
        CONFIG SET maxmemory-clients 5.5%
        CONFIG SET maxmemory-clients +10%
        CONFIG SET maxmemory-clients 010%
        CONFIG SET maxmemory-clients 1%%
        CONFIG SET maxmemory-clients abc%
        CONFIG SET maxmemory-clients -1
        CONFIG SET maxmemory-clients 12x
        CONFIG GET maxmemory-clients
        CONFIG SET maxmemory-clients 0%
        CONFIG GET maxmemory-clients
        CONFIG SET maxmemory-clients 100kb
        CONFIG GET maxmemory-clients
        CONFIG SET maxmemory-clients 0
    """)


def test_percent_in_the_config_file_and_rewrite(cairn_factory):
    s = cairn_factory(config="maxmemory-clients 7%\n")
    r = s.client(decode_responses=True)
    assert r.config_get("maxmemory-clients") == {"maxmemory-clients": "7%"}
    assert r.config_set("maxmemory-clients", "12%")
    assert r.config_rewrite()
    text = (s.dir / "cairn.conf").read_text()
    assert re.search(r"^maxmemory-clients 12%$", text, re.M), text


def test_bad_percent_in_the_config_file_stops_startup(cairn_factory):
    s = cairn_factory(config="maxmemory-clients 150%\n", start=False)
    with pytest.raises(Exception):
        s.start(timeout=3)
    assert "percentage argument must be less or equal to 100" in s.log_text()


def _greedy_client(port, size):
    """A client whose query buffer holds about `size` bytes of a bulk string it never finishes (the server may
    size the buffer for the whole announced string, so it announces only a little more)."""
    c = RawConn(port)
    try:
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % (size + 100) + b"x" * size)
    except OSError:
        pass  # disconnected while still sending: evicted
    return c


def test_clients_are_evicted_at_the_percentage_of_maxmemory(cairn_factory):
    s = cairn_factory("--maxmemory", "40mb", "--maxmemory-clients", "5%", "--save", "")
    keeper = s.client()
    keeper.client_no_evict("on")
    # 5% of 40 MB is 2 MB: a client holding 200 KB stays, one holding 3 MB is closed.
    small = _greedy_client(s.port, 200_000)
    big = _greedy_client(s.port, 3_000_000)
    assert big.is_closed(wait=5)
    assert not small.is_closed(wait=0.5)
    assert keeper.info("stats")["evicted_clients"] == 1
    # The limit follows maxmemory: at 100 MB the same 5% is 5 MB.
    keeper.config_set("maxmemory", "100mb")
    big = _greedy_client(s.port, 3_000_000)
    assert not big.is_closed(wait=0.5)
    # Without maxmemory a percentage limits nothing.
    keeper.config_set("maxmemory", "0")
    huge = _greedy_client(s.port, 8_000_000)
    assert not huge.is_closed(wait=0.5)
    assert keeper.info("stats")["evicted_clients"] == 1
    for c in (small, big, huge):
        c.close()

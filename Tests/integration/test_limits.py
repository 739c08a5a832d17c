"""Connection limits and listeners: unixsocket, maxclients, timeout, query and output buffer limits, log format."""
import re
import socket
import time

from cairn_helpers import RawConn, encode


def _recv_all(sock, timeout=2.0):
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    return data


def test_unix_socket_serves_commands(cairn_factory, tmp_path):
    path = str(tmp_path / "cairn.sock")
    s = cairn_factory("--unixsocket", path, "--unixsocketperm", "700")
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect(path)
    u.sendall(encode("SET", "k", "via-unix") + encode("GET", "k") + encode("CLIENT", "INFO"))
    time.sleep(0.2)
    reply = _recv_all(u, 0.5)
    u.close()
    assert reply.startswith(b"+OK\r\n$8\r\nvia-unix\r\n")
    assert f"addr={path}:0".encode() in reply
    assert "Ready to accept connections unix" in s.log_text()


def test_maxclients_refuses_with_redis_error(cairn_factory):
    s = cairn_factory("--maxclients", "3")
    held = [RawConn(s.port) for _ in range(3)]
    try:
        for c in held:
            assert c.cmd("PING") == b"+PONG\r\n"
        extra = socket.create_connection(("127.0.0.1", s.port))
        assert _recv_all(extra) == b"-ERR max number of clients reached\r\n"
        extra.close()
        assert b"rejected_connections:1" in held[0].cmd("INFO", "stats")
    finally:
        for c in held:
            c.close()


def test_idle_timeout_closes_clients(cairn_factory):
    s = cairn_factory("--timeout", "1")
    c = socket.create_connection(("127.0.0.1", s.port))
    c.sendall(encode("PING"))
    assert _recv_all(c, 0.5) == b"+PONG\r\n"
    # The timeout is checked once a second; the connection must be gone within a few.
    c.settimeout(5)
    assert c.recv(10) == b""
    c.close()


def test_query_buffer_limit_disconnects_only_the_offender(cairn_factory):
    s = cairn_factory("--client-query-buffer-limit", "1mb")
    bystander = RawConn(s.port)
    big = socket.create_connection(("127.0.0.1", s.port))
    big.sendall(b"*2\r\n$3\r\nGET\r\n$5000000\r\n")
    try:
        for _ in range(40):
            big.sendall(b"x" * 65536)
    except OSError:
        pass
    big.settimeout(5)
    try:
        assert big.recv(10) == b""
    except ConnectionResetError:
        pass
    big.close()
    assert bystander.cmd("PING") == b"+PONG\r\n"
    bystander.close()
    assert "max query buffer" in s.log_text()


def test_output_buffer_hard_limit_disconnects_slow_reader(cairn_factory):
    s = cairn_factory("--client-output-buffer-limit", "normal 1mb 0 0")
    setup = s.client()
    setup.set("big", b"v" * 100_000)
    slow = socket.create_connection(("127.0.0.1", s.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    # 200 replies of 100 KB that are never read: the server must drop the client, not buffer 20 MB.
    slow.sendall(encode("GET", "big") * 200)
    time.sleep(1.0)
    assert setup.ping()
    clients = setup.client_list()
    assert len(clients) == 1, clients
    assert "output buffer limits" in s.log_text()
    slow.close()


def test_log_lines_use_redis_format(cairn_factory):
    s = cairn_factory()
    lines = [l for l in s.log_text().splitlines() if l and not l.startswith("=====")]
    pattern = re.compile(r"^\d+:[MSC] \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] .+$")
    assert lines and all(pattern.match(l) for l in lines), lines
    text = "\n".join(lines)
    for needle in ("Cairn version=", "pid=", "port=", "Server initialized", "Ready to accept connections tcp"):
        assert needle in text, needle


def test_config_include_and_units(cairn_factory, tmp_path):
    extra = tmp_path / "extra.conf"
    extra.write_text("# included\nproto-max-bulk-len 2mb\nclient-query-buffer-limit 3MB\n")
    s = cairn_factory(config=f'include {extra}\nhz 15\nslowlog-max-len "7"\n')
    assert s.call("CONFIG", "GET", "proto-max-bulk-len") == [b"proto-max-bulk-len", b"2097152"]
    assert s.call("CONFIG", "GET", "client-query-buffer-limit") == [b"client-query-buffer-limit", b"3145728"]
    assert s.call("CONFIG", "GET", "hz") == [b"hz", b"15"]
    assert s.call("CONFIG", "GET", "slowlog-max-len") == [b"slowlog-max-len", b"7"]


def test_output_buffer_soft_limit_disconnects_after_its_seconds(cairn_factory):
    s = cairn_factory("--client-output-buffer-limit", "normal 0 200kb 1")
    setup = s.client()
    setup.set("big", b"v" * 100_000)
    slow = socket.create_connection(("127.0.0.1", s.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(encode("GET", "big") * 100)
    time.sleep(0.3)
    assert len(setup.client_list()) == 2, "under the soft limit's time the client stays"
    # Each further command checks the limit; after more than a second over it the client goes.
    time.sleep(1.5)
    slow.sendall(encode("PING"))
    time.sleep(0.5)
    assert len(setup.client_list()) == 1
    slow.close()

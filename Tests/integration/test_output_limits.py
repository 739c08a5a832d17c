"""client-output-buffer-limit for Pub/Sub clients (test_limits.py covers normal clients, maxclients and the
query buffer): a subscriber that stops reading is disconnected at the hard limit, or after the soft limit's
seconds, while the publisher and other subscribers keep being served. The kernel's socket buffers take a few
megabytes first, so the tests publish well beyond that."""
import socket
import time

from cairn_helpers import RawConn, encode


def _subscriber(port, channel):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(encode("SUBSCRIBE", channel))
    time.sleep(0.1)
    return s


def test_slow_subscriber_hits_the_hard_limit(cairn_factory):
    s = cairn_factory("--client-output-buffer-limit", "pubsub 256kb 0 0")
    slow = _subscriber(s.port, "news")
    with RawConn(s.port) as fast, RawConn(s.port) as pub:
        assert fast.cmd("SUBSCRIBE", "news").startswith(b"*3\r\n")
        message = b"m" * 10_000
        receivers = []
        for _ in range(1500):
            receivers.append(pub.cmd("PUBLISH", "news", message))
            fast.read_reply()
        # Both subscribers got the first messages; the one that never reads is dropped, the other stays.
        assert receivers[0] == b":2\r\n" and receivers[-1] == b":1\r\n"
        assert pub.cmd("PING") == b"+PONG\r\n"
        assert b"connected_clients:2" in pub.cmd("INFO", "clients")
    assert "scheduled to be closed ASAP for overcoming of output buffer limits" in s.log_text()
    slow.close()


def test_slow_subscriber_over_the_soft_limit_for_its_seconds(cairn_factory):
    s = cairn_factory("--client-output-buffer-limit", "pubsub 0 64kb 1")
    slow = _subscriber(s.port, "feed")
    with RawConn(s.port) as pub:
        message = b"x" * 40_000
        start = time.monotonic()
        dropped_after = None
        while time.monotonic() - start < 8:
            if pub.cmd("PUBLISH", "feed", message) == b":0\r\n":
                dropped_after = time.monotonic() - start
                break
            time.sleep(0.005)
        # Over 64 KB once the kernel's buffers are full, but dropped only after more than a second of it.
        assert dropped_after is not None and dropped_after > 1.0, dropped_after
        assert pub.cmd("PING") == b"+PONG\r\n"
    slow.close()


def test_output_limits_change_at_runtime(cairn_factory):
    s = cairn_factory()
    slow = _subscriber(s.port, "c")
    with RawConn(s.port) as pub:
        assert pub.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 100kb 0 0") == b"+OK\r\n"
        for _ in range(1000):
            pub.cmd("PUBLISH", "c", b"z" * 10_000)
        assert pub.cmd("PUBLISH", "c", "last") == b":0\r\n"
    slow.close()

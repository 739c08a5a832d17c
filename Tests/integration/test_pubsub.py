"""Pub/Sub: subscribe replies, deliveries, patterns, shard channels, RESP2 subscribed mode, RESP3 pushes,
PUBSUB introspection — compared byte for byte with the reference redis-server."""
import time

from cairn_helpers import encode


def test_subscribe_publish_and_subscribed_mode(both):
    both("SUBSCRIBE", "news", "sport")
    both("PSUBSCRIBE", "n*")
    both("SSUBSCRIBE", "shard1")
    both("GET", "x")                       # refused in RESP2 subscribed mode
    both("PING")
    both("PING", "hello")
    both("PUBLISH", "news", "extra", conn="b")   # arity error
    both("PUBLISH", "news", "hi", conn="b")      # channel + pattern subscriber: 2 receivers
    got, ref = both.read_both()
    assert got == ref                            # the "message" push
    got, ref = both.read_both()
    assert got == ref                            # the "pmessage" push
    both("SPUBLISH", "shard1", "s-hi", conn="b")
    got, ref = both.read_both()
    assert got == ref
    both("PUBSUB", "NUMSUB", "news", "sport", "nobody", conn="b")
    both("PUBSUB", "NUMPAT", conn="b")
    both("PUBSUB", "CHANNELS", conn="b", sort=True)
    both("PUBSUB", "CHANNELS", "s*", conn="b", sort=True)
    both("PUBSUB", "SHARDCHANNELS", conn="b")
    both("PUBSUB", "SHARDNUMSUB", "shard1", conn="b")
    both("PUBSUB", "BOGUS", conn="b")
    both("UNSUBSCRIBE", "sport")
    both("PUNSUBSCRIBE", "n*")
    both("SUNSUBSCRIBE")
    both("UNSUBSCRIBE")
    both("UNSUBSCRIBE")                    # nothing left: a null channel and 0
    both("GET", "x")                       # normal mode again


def test_resp3_pushes_and_commands_while_subscribed(both):
    both("HELLO", "3", compare=False)
    both("SUBSCRIBE", "ch")
    both("GET", "x")                       # RESP3 clients may run any command
    both("PING")
    both("PUBLISH", "ch", "payload", conn="b")
    got, ref = both.read_both()
    assert got == ref and got.startswith(b">3\r\n")
    both("RESET")


def test_disconnect_removes_subscriptions(cairn):
    from cairn_helpers import RawConn
    sub = RawConn(cairn.port)
    sub.cmd("SUBSCRIBE", "gone")
    with RawConn(cairn.port) as c:
        assert c.cmd("PUBSUB", "NUMSUB", "gone") == b"*2\r\n$4\r\ngone\r\n:1\r\n"
        sub.close()
        time.sleep(0.2)
        assert c.cmd("PUBSUB", "NUMSUB", "gone") == b"*2\r\n$4\r\ngone\r\n:0\r\n"
        assert c.cmd("PUBLISH", "gone", "x") == b":0\r\n"


def test_client_list_shows_subscriptions(cairn):
    from cairn_helpers import RawConn
    with RawConn(cairn.port) as sub, RawConn(cairn.port) as c:
        sub.cmd("SUBSCRIBE", "a", "b")
        sub.read_reply()
        sub.cmd("PSUBSCRIBE", "p*")
        listing = c.cmd("CLIENT", "LIST", "TYPE", "pubsub")
        assert b"flags=P" in listing and b"sub=2 psub=1 ssub=0" in listing, listing

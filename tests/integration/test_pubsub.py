"""Pub/Sub in RESP2 and RESP3, PUBSUB introspection, keyspace notifications."""
import time

import pytest

from resp import RespConn, RespError, RespPush


def test_subscribe_publish_resp2(node, r):
    s = RespConn(node.port)
    assert s.call("SUBSCRIBE", "a", "b") == ["subscribe", "a", 1]
    assert s.read() == ["subscribe", "b", 2]
    assert r.publish("a", "hello") == 1
    assert s.read() == ["message", "a", "hello"]
    assert r.publish("nobody", "x") == 0
    s.close()


def test_psubscribe_pmessage(node, r):
    s = RespConn(node.port)
    assert s.call("PSUBSCRIBE", "news.*") == ["psubscribe", "news.*", 1]
    assert r.publish("news.sport", "goal") == 1
    assert s.read() == ["pmessage", "news.*", "news.sport", "goal"]
    s.close()


def test_channel_and_pattern_both_receive(node, r):
    s = RespConn(node.port)
    s.call("SUBSCRIBE", "x.y")
    s.call("PSUBSCRIBE", "x.*")
    assert r.publish("x.y", "m") == 2
    got = [s.read(), s.read()]
    assert ["message", "x.y", "m"] in got
    assert ["pmessage", "x.*", "x.y", "m"] in got
    s.close()


def test_resp2_subscribed_mode_restrictions(node):
    s = RespConn(node.port)
    s.call("SUBSCRIBE", "c")
    err = s.call("GET", "k")
    assert isinstance(err, RespError)
    assert str(err) == ("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                        "PING / QUIT / RESET are allowed in this context")
    assert s.call("PING") == ["pong", ""]
    assert s.call("PING", "hi") == ["pong", "hi"]
    assert s.call("UNSUBSCRIBE") == ["unsubscribe", "c", 0]
    assert s.call("GET", "k") is None
    s.close()


def test_resp3_push_and_normal_commands_allowed(node, r):
    s = RespConn(node.port)
    s.call("HELLO", "3")
    reply = s.call("SUBSCRIBE", "c")
    assert isinstance(reply, RespPush) and list(reply) == ["subscribe", "c", 1]
    assert s.call("GET", "nokey") is None  # allowed in RESP3
    r.publish("c", "v")
    msg = s.read()
    assert isinstance(msg, RespPush) and list(msg) == ["message", "c", "v"]
    s.close()


def test_unsubscribe_without_subscriptions(node):
    s = RespConn(node.port)
    assert s.call("UNSUBSCRIBE") == ["unsubscribe", None, 0]
    assert s.call("PUNSUBSCRIBE") == ["punsubscribe", None, 0]
    s.close()


def test_pubsub_introspection(node, r):
    s1, s2 = RespConn(node.port), RespConn(node.port)
    s1.call("SUBSCRIBE", "news", "weather")
    s1.read()
    s2.call("SUBSCRIBE", "news")
    s2.call("PSUBSCRIBE", "a*")
    assert sorted(r.execute_command("PUBSUB", "CHANNELS")) == ["news", "weather"]
    assert r.execute_command("PUBSUB", "CHANNELS", "n*") == ["news"]
    assert r.execute_command("PUBSUB", "NUMSUB", "news", "weather", "none") == ["news", 2, "weather", 1, "none", 0]
    assert r.execute_command("PUBSUB", "NUMPAT") == 1
    s1.close()
    s2.close()
    time.sleep(0.1)
    assert r.execute_command("PUBSUB", "CHANNELS") == []
    assert r.execute_command("PUBSUB", "NUMPAT") == 0


def test_reset_drops_subscriptions(node, r):
    s = RespConn(node.port)
    s.call("SUBSCRIBE", "c")
    assert s.call("RESET") == "RESET"
    assert r.publish("c", "x") == 0
    s.close()


def test_keyspace_notification_on_expiry(node, r):
    r.config_set("notify-keyspace-events", "Ex")
    assert r.config_get("notify-keyspace-events")["notify-keyspace-events"] == "xE"
    s = RespConn(node.port)
    s.call("SUBSCRIBE", "__keyevent@0__:expired")
    r.set("soon", "1", px=50)
    msg = s.read()
    assert msg == ["message", "__keyevent@0__:expired", "soon"]
    s.close()


def test_notify_config_rejects_bad_class(r):
    import redis
    with pytest.raises(redis.exceptions.ResponseError):
        r.config_set("notify-keyspace-events", "KQ")

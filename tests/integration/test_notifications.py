"""Keyspace notifications from every type's commands, as Redis 7.0 sends them.

The expected event lists were checked against Debian's redis-server 7.0.15
(this file passes with VIGIL_NODE=/usr/bin/redis-server too)."""
import time

import pytest

from resp import RespConn


def events_of(node, r, *commands):
    """Run commands and return the (event, key) pairs published for them."""
    r.config_set("notify-keyspace-events", "KEA")
    s = RespConn(node.port)
    assert s.call("PSUBSCRIBE", "__keyevent@0__:*") == ["psubscribe", "__keyevent@0__:*", 1]
    for cmd in commands:
        r.execute_command(*cmd)
    r.execute_command("PUBLISH", "__keyevent@0__:end", "end")
    got = []
    while True:
        msg = s.read()
        event = msg[2].split(":", 1)[1]
        if event == "end":
            break
        got.append((event, msg[3]))
    s.close()
    return got


@pytest.mark.parametrize("commands,expected", [
    ([("SET", "k", "v"), ("EXPIRE", "k", "100"), ("PERSIST", "k"), ("RENAME", "k", "k2"), ("DEL", "k2")],
     [("set", "k"), ("expire", "k"), ("persist", "k"), ("rename_from", "k"), ("rename_to", "k2"), ("del", "k2")]),
    ([("HSET", "h", "f", "1"), ("HINCRBY", "h", "f", "2"), ("HDEL", "h", "f")],
     [("hset", "h"), ("hincrby", "h"), ("hdel", "h"), ("del", "h")]),
    ([("SADD", "s", "a", "b"), ("SREM", "s", "a"), ("SPOP", "s")],
     [("sadd", "s"), ("srem", "s"), ("spop", "s"), ("del", "s")]),
    ([("RPUSH", "l", "a", "b"), ("LPOP", "l"), ("LSET", "l", "0", "x"), ("RPOP", "l")],
     [("rpush", "l"), ("lpop", "l"), ("lset", "l"), ("rpop", "l"), ("del", "l")]),
    ([("ZADD", "z", "1", "a"), ("ZINCRBY", "z", "1", "a"), ("ZREM", "z", "a")],
     [("zadd", "z"), ("zincr", "z"), ("zrem", "z"), ("del", "z")]),
    ([("SET", "c", "1"), ("INCRBY", "c", "5"), ("APPEND", "c", "0"), ("COPY", "c", "d")],
     [("set", "c"), ("incrby", "c"), ("append", "c"), ("copy_to", "d")]),
])
def test_events_for_each_type(node, r, commands, expected):
    assert events_of(node, r, *commands) == expected


def test_expired_and_evicted_events(node, r):
    r.config_set("notify-keyspace-events", "KEA")
    s = RespConn(node.port)
    s.call("SUBSCRIBE", "__keyevent@0__:expired", "__keyevent@0__:evicted")
    s.read()
    r.set("soon", "1", px=30)
    assert s.read() == ["message", "__keyevent@0__:expired", "soon"]
    for i in range(50):
        r.set("victim%d" % i, "x" * 1000)
    used = int(r.info("memory")["used_memory"])
    r.config_set("maxmemory-policy", "allkeys-random")
    r.config_set("maxmemory", str(used - 10000))
    r.set("trigger", "y")
    msg = s.read()
    assert msg[:2] == ["message", "__keyevent@0__:evicted"]
    r.config_set("maxmemory", "0")
    s.close()


def test_keyspace_channel_carries_the_event(node, r):
    r.config_set("notify-keyspace-events", "K$")
    s = RespConn(node.port)
    s.call("SUBSCRIBE", "__keyspace@0__:watched")
    r.set("watched", "1")
    r.hset("other", "f", "v")  # hash events are not enabled
    r.set("watched", "2")
    assert s.read() == ["message", "__keyspace@0__:watched", "set"]
    assert s.read() == ["message", "__keyspace@0__:watched", "set"]
    s.close()

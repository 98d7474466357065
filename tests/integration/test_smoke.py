"""Smoke test: the node answers PING and HELLO over a real socket."""
from resp import RespConn


def test_ping(r):
    assert r.ping() is True


def test_echo(r):
    assert r.echo("hello") == "hello"


def test_hello3_returns_map(node):
    c = RespConn(node.port)
    info = c.call("HELLO", "3")
    assert isinstance(info, dict)
    assert info["proto"] == 3
    assert info["server"] == "redis"
    c.close()

"""Blocking list commands with several real clients at once.

Blocked clients run in threads (redis-py) or on raw sockets; the test waits
until the node reports them blocked, writes from another client and checks
who got what: FIFO service per key, several keys, BLMOVE/BRPOPLPUSH/BLMPOP,
timeouts, MULTI, disconnects while blocked, pipelined input after a blocking
command, chains of blocked moves. The node must survive all of it.
"""
import socket
import threading
import time

import pytest
import redis

from resp import RespConn

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def blocked_count(r):
    return int(r.info("clients")["blocked_clients"])


def wait_blocked(r, n, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if blocked_count(r) == n:
            return
        time.sleep(0.01)
    raise AssertionError("expected %d blocked clients, have %d" % (n, blocked_count(r)))


def norm(value):
    """redis-py turns BLPOP/BRPOP replies into tuples; compare them as lists."""
    return list(value) if isinstance(value, tuple) else value


class Blocked:
    """Run one command on its own connection in a thread; .result() joins."""

    def __init__(self, node, *args, db=0):
        self.client = node.client(db=db)
        self.value = None
        self.error = None
        self.thread = threading.Thread(target=self._run, args=args, daemon=True)
        self.thread.start()

    def _run(self, *args):
        try:
            self.value = norm(self.client.execute_command(*args))
        except Exception as e:  # the test inspects it
            self.error = e

    def result(self, timeout=10):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "blocked command never returned"
        self.client.close()
        if self.error:
            raise self.error
        return self.value


def test_blpop_served_by_push_from_another_client(node, r):
    b = Blocked(node, "BLPOP", "q", 0)
    wait_blocked(r, 1)
    assert r.rpush("q", "hello") == 1
    assert b.result() == ["q", "hello"]
    assert r.exists("q") == 0
    assert blocked_count(r) == 0


def test_brpop_takes_from_tail(node, r):
    b = Blocked(node, "BRPOP", "q", 0)
    wait_blocked(r, 1)
    r.rpush("q", "a", "b", "c")
    assert b.result() == ["q", "c"]
    assert r.lrange("q", 0, -1) == ["a", "b"]


def test_lpush_of_many_serves_after_the_whole_push(node, r):
    b = Blocked(node, "BLPOP", "q", 0)
    wait_blocked(r, 1)
    r.lpush("q", "a", "b", "c")
    assert b.result() == ["q", "c"]
    assert r.lrange("q", 0, -1) == ["b", "a"]


def test_fifo_order_among_blocked_clients(node, r):
    clients = []
    for i in range(4):
        clients.append(Blocked(node, "BLPOP", "q", 0))
        wait_blocked(r, i + 1)
    r.rpush("q", "e1", "e2", "e3")
    got = [c.result() for c in clients[:3]]
    assert got == [["q", "e1"], ["q", "e2"], ["q", "e3"]]
    assert blocked_count(r) == 1
    assert r.exists("q") == 0
    r.rpush("q", "e4")
    assert clients[3].result() == ["q", "e4"]


def test_several_keys_first_ready_key_wins(node, r):
    b = Blocked(node, "BLPOP", "k1", "k2", "k3", 0)
    wait_blocked(r, 1)
    r.rpush("k3", "x")
    assert b.result() == ["k3", "x"]
    r.rpush("k2", "y")
    r.rpush("k1", "z")
    assert r.blpop(["k1", "k2"], 1) == ("k1", "z")


def test_non_empty_key_answers_at_once(r):
    r.rpush("k2", "v")
    assert norm(r.execute_command("BLPOP", "k1", "k2", 0)) == ["k2", "v"]
    r.rpush("m", "a", "b", "c")
    assert r.execute_command("BLMPOP", 0, 2, "x", "m", "RIGHT", "COUNT", 2) == ["m", ["c", "b"]]
    assert r.execute_command("BLMOVE", "m", "d", "LEFT", "LEFT", 0) == "a"
    assert r.exists("m") == 0


def test_timeout_returns_nil(node, r):
    start = time.time()
    assert r.execute_command("BLPOP", "none", 0.3) is None
    assert time.time() - start >= 0.25
    assert r.execute_command("BRPOP", "none", "0.1") is None
    assert r.execute_command("BLMOVE", "none", "d", "LEFT", "LEFT", 0.1) is None
    assert r.execute_command("BRPOPLPUSH", "none", "d", 0.1) is None
    assert r.execute_command("BLMPOP", 0.1, 1, "none", "LEFT") is None
    assert blocked_count(r) == 0
    assert r.exists("d") == 0


def test_timeout_null_forms_raw(node):
    c = RespConn(node.port)
    for args in [("BLPOP", "none", "0.05"), ("BLMOVE", "none", "d", "LEFT", "LEFT", "0.05"),
                 ("BRPOPLPUSH", "none", "d", "0.05"), ("BLMPOP", "0.05", 1, "none", "LEFT")]:
        c.send(*args)
        assert c._line() == b"*-1", args
    c.call("HELLO", "3")
    c.send("BLPOP", "none", "0.05")
    assert c._line() == b"_"
    c.close()


def test_timeout_argument_errors(r):
    cases = {"-1": "timeout is negative", "abc": "timeout is not a float or out of range",
             "inf": "timeout is negative", "nan": "timeout is not a float or out of range",
             " 1": "timeout is not a float or out of range", "1e400": "timeout is negative"}
    for value, message in cases.items():
        for args in [("BLPOP", "k", value), ("BRPOPLPUSH", "a", "b", value),
                     ("BLMOVE", "a", "b", "LEFT", "LEFT", value),
                     ("BLMPOP", value, 1, "k", "LEFT")]:
            with pytest.raises(redis.ResponseError) as e:
                r.execute_command(*args)
            assert str(e.value) == message, (args, value)
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("BLMPOP", 0, 0, "k", "LEFT")
    assert str(e.value) == "numkeys should be greater than 0"
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("BLMOVE", "a", "b", "UP", "LEFT", -1)
    assert str(e.value) == "syntax error"
    assert blocked_count(r) == 0


def test_tiny_positive_timeout_is_not_forever(r):
    assert r.execute_command("BLPOP", "none", "0.0001") is None


def test_blmove_served(node, r):
    b = Blocked(node, "BLMOVE", "src", "dst", "RIGHT", "LEFT", 0)
    wait_blocked(r, 1)
    r.rpush("src", "a", "b")
    assert b.result() == "b"
    assert r.lrange("src", 0, -1) == ["a"]
    assert r.lrange("dst", 0, -1) == ["b"]


def test_brpoplpush_served(node, r):
    r.rpush("dst", "old")
    b = Blocked(node, "BRPOPLPUSH", "src", "dst", 0)
    wait_blocked(r, 1)
    r.lpush("src", "v")
    assert b.result() == "v"
    assert r.lrange("dst", 0, -1) == ["v", "old"]
    assert r.exists("src") == 0


def test_blmove_to_wrong_type_destination_when_served(node, r):
    r.set("dst", "string")
    b = Blocked(node, "BLMOVE", "src", "dst", "LEFT", "LEFT", 0)
    wait_blocked(r, 1)
    r.rpush("src", "a")
    with pytest.raises(redis.ResponseError) as e:
        b.result()
    assert str(e.value) == WRONGTYPE
    assert r.lrange("src", 0, -1) == ["a"]
    assert blocked_count(r) == 0


def test_chain_of_blocked_moves(node, r):
    mover = Blocked(node, "BRPOPLPUSH", "a", "b", 0)
    wait_blocked(r, 1)
    popper = Blocked(node, "BLPOP", "b", 0)
    wait_blocked(r, 2)
    r.rpush("a", "x")
    assert mover.result() == "x"
    assert popper.result() == ["b", "x"]
    assert r.exists("a") == 0
    assert r.exists("b") == 0


def test_blmpop_served_with_count(node, r):
    b = Blocked(node, "BLMPOP", 0, 2, "k1", "k2", "LEFT", "COUNT", 3)
    wait_blocked(r, 1)
    r.rpush("k2", *range(5))
    assert b.result() == ["k2", ["0", "1", "2"]]
    assert r.lrange("k2", 0, -1) == ["3", "4"]


def test_one_push_serves_several_kinds_of_waiters(node, r):
    a = Blocked(node, "BLPOP", "q", 0)
    wait_blocked(r, 1)
    m = Blocked(node, "BLMPOP", 0, 1, "q", "RIGHT", "COUNT", 2)
    wait_blocked(r, 2)
    v = Blocked(node, "BLMOVE", "q", "out", "LEFT", "RIGHT", 0)
    wait_blocked(r, 3)
    r.rpush("q", "1", "2", "3", "4", "5")
    assert a.result() == ["q", "1"]
    assert m.result() == ["q", ["5", "4"]]
    assert v.result() == "2"
    assert r.lrange("q", 0, -1) == ["3"]
    assert r.lrange("out", 0, -1) == ["2"]


def test_wrong_type_write_keeps_client_blocked(node, r):
    b = Blocked(node, "BLPOP", "q", 0)
    wait_blocked(r, 1)
    r.set("q", "not a list")
    time.sleep(0.1)
    assert blocked_count(r) == 1
    r.delete("q")
    r.rpush("q", "finally")
    assert b.result() == ["q", "finally"]


def test_blocked_in_other_db_not_served_by_db0(node, r):
    b = Blocked(node, "BLPOP", "q", 0, db=1)
    wait_blocked(r, 1)
    r.rpush("q", "db0")
    time.sleep(0.1)
    assert blocked_count(r) == 1
    assert r.lrange("q", 0, -1) == ["db0"]
    r1 = node.client(db=1)
    r1.rpush("q", "db1")
    assert b.result() == ["q", "db1"]
    assert r1.exists("q") == 0
    r1.close()


def test_push_inside_multi_serves_after_exec(node, r):
    b = Blocked(node, "BLPOP", "q", 0)
    wait_blocked(r, 1)
    pipe = r.pipeline(transaction=True)
    pipe.rpush("q", "a")
    pipe.rpush("q", "b")
    pipe.llen("q")
    assert pipe.execute() == [1, 2, 2]
    assert b.result() == ["q", "a"]
    assert r.lrange("q", 0, -1) == ["b"]


def test_blocking_commands_inside_multi_do_not_block(node):
    c = RespConn(node.port)
    assert c.call("MULTI") == "OK"
    for args in [("BLPOP", "none", 0), ("BRPOPLPUSH", "none", "d", 0),
                 ("BLMOVE", "none", "d", "LEFT", "LEFT", 0), ("BLMPOP", 0, 1, "none", "LEFT"),
                 ("BRPOP", "none", 0)]:
        assert c.call(*args) == "QUEUED"
    c.send("EXEC")
    assert c._line() == b"*5"
    assert [c._line() for _ in range(5)] == [b"*-1", b"$-1", b"$-1", b"*-1", b"*-1"]
    c.close()


def test_blocked_client_disconnecting_does_not_break_later_pushes(node, r):
    s = socket.create_connection(("127.0.0.1", node.port))
    s.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
    wait_blocked(r, 1)
    b = Blocked(node, "BLPOP", "q", 0)
    wait_blocked(r, 2)
    s.close()
    wait_blocked(r, 1)
    r.rpush("q", "v1", "v2")
    assert b.result() == ["q", "v1"]
    assert r.lrange("q", 0, -1) == ["v2"]
    assert r.ping() is True


def test_many_disconnects_while_blocked(node, r):
    socks = []
    for i in range(20):
        s = socket.create_connection(("127.0.0.1", node.port))
        s.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
        socks.append(s)
    wait_blocked(r, 20)
    for s in socks:
        s.close()
    wait_blocked(r, 0)
    r.rpush("q", "kept")
    assert r.lrange("q", 0, -1) == ["kept"]


def test_pipelined_commands_after_blpop_run_when_served(node, r):
    s = socket.create_connection(("127.0.0.1", node.port), timeout=5)
    s.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n"
              b"*2\r\n$4\r\nLLEN\r\n$1\r\nq\r\n*1\r\n$4\r\nPING\r\n")
    wait_blocked(r, 1)
    r.rpush("q", "a", "b")
    expected = b"*2\r\n$1\r\nq\r\n$1\r\na\r\n:1\r\n+PONG\r\n"
    data = b""
    while len(data) < len(expected):
        chunk = s.recv(4096)
        assert chunk, "connection closed"
        data += chunk
    assert data == expected
    s.close()


def test_same_key_twice_serves_once(node, r):
    b = Blocked(node, "BLPOP", "q", "q", 0)
    wait_blocked(r, 1)
    r.rpush("q", "a", "b")
    assert b.result() == ["q", "a"]
    assert r.lrange("q", 0, -1) == ["b"]


def test_blocked_client_shows_in_client_list(node, r):
    b = Blocked(node, "BLPOP", "q", 0)
    wait_blocked(r, 1)
    flags = [c["flags"] for c in r.client_list()]
    assert "b" in flags
    r.rpush("q", "x")
    b.result()


def test_many_blocked_clients_many_keys(node, r):
    waiters = []
    for i in range(30):
        waiters.append(Blocked(node, "BLPOP", "k%d" % (i % 3), 0))
    wait_blocked(r, 30)
    for i in range(30):
        r.rpush("k%d" % (i % 3), "v%d" % i)
    results = sorted(tuple(w.result()) for w in waiters)
    assert results == sorted(("k%d" % (i % 3), "v%d" % i) for i in range(30))
    for k in ("k0", "k1", "k2"):
        assert r.exists(k) == 0
    assert blocked_count(r) == 0


def test_swapdb_serves_a_client_blocked_on_the_swapped_in_list(node, r):
    r1 = node.client(db=1)
    r1.rpush("q", "from-db1")
    b = Blocked(node, "BLPOP", "q", 0)
    wait_blocked(r, 1)
    assert r.swapdb(0, 1) is True
    assert b.result() == ["q", "from-db1"]
    assert r.exists("q") == 0
    r1.close()


def test_flushdb_keeps_clients_blocked(node, r):
    b = Blocked(node, "BLPOP", "q", 0)
    wait_blocked(r, 1)
    r.flushdb()
    time.sleep(0.1)
    assert blocked_count(r) == 1
    r.rpush("q", "after-flush")
    assert b.result() == ["q", "after-flush"]


def test_client_unblock_timeout_and_error(node, r):
    import time
    from resp import RespConn
    c = RespConn(node.port)
    cid = c.call("CLIENT", "ID")
    c.send("BLPOP", "nothing", "0")
    time.sleep(0.1)
    assert r.execute_command("CLIENT", "UNBLOCK", cid) == 1
    assert c.read() is None
    c.send("BZPOPMIN", "nothing", "0")
    time.sleep(0.1)
    assert r.execute_command("CLIENT", "UNBLOCK", cid, "ERROR") == 1
    assert str(c.read()) == "UNBLOCKED client unblocked via CLIENT UNBLOCK"
    assert r.execute_command("CLIENT", "UNBLOCK", cid) == 0  # not blocked now
    assert r.execute_command("CLIENT", "UNBLOCK", 999999) == 0
    import pytest
    import redis
    with pytest.raises(redis.exceptions.ResponseError, match="reason should be TIMEOUT or ERROR"):
        r.execute_command("CLIENT", "UNBLOCK", cid, "FOO")
    c.close()


def test_info_counts_blocked_and_pubsub(node, r):
    import time
    from resp import RespConn
    b = RespConn(node.port)
    b.send("BLPOP", "waiting", "0")
    s = RespConn(node.port)
    s.call("SUBSCRIBE", "ch1", "ch2")
    s.read()
    s.call("PSUBSCRIBE", "p*")
    time.sleep(0.1)
    assert r.info("clients")["blocked_clients"] == 1
    stats = r.info("stats")
    assert stats["pubsub_channels"] == 2 and stats["pubsub_patterns"] == 1
    b.close()
    s.close()

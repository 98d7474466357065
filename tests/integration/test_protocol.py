"""The wire: pipelining, inline commands, malformed RESP, hostile lengths, garbage."""
import os
import random
import socket
import time

import pytest

from resp import RespConn


def read_until_closed(s, timeout=2.0):
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except socket.timeout:
        return data, False


@pytest.mark.parametrize("payload,error", [
    (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*1\r\nfoo\r\n", b"-ERR Protocol error: expected '$', got 'f'\r\n"),
    (b"*1\r\n$-5\r\nfoo\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$99999999999\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*3000000000\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b'SET "a b\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
])
def test_protocol_errors_reply_then_close(node, payload, error):
    with socket.create_connection(("127.0.0.1", node.port)) as s:
        s.sendall(payload)
        data, closed = read_until_closed(s)
    assert data == error
    assert closed
    assert node.client().ping()


def test_too_big_inline_request(node):
    with socket.create_connection(("127.0.0.1", node.port)) as s:
        s.sendall(b"A" * (70 * 1024))
        data, closed = read_until_closed(s)
    assert data == b"-ERR Protocol error: too big inline request\r\n"
    assert closed


def test_too_big_count_strings(node):
    with socket.create_connection(("127.0.0.1", node.port)) as s:
        s.sendall(b"*" + b"1" * (70 * 1024))
        data, closed = read_until_closed(s)
    assert data == b"-ERR Protocol error: too big mbulk count string\r\n"
    with socket.create_connection(("127.0.0.1", node.port)) as s:
        s.sendall(b"*1\r\n$" + b"1" * (70 * 1024))
        data, closed = read_until_closed(s)
    assert data == b"-ERR Protocol error: too big bulk count string\r\n"


def test_huge_declared_bulk_allocates_nothing_up_front(node, r):
    before = int(r.info("memory")["used_memory"])
    socks = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", node.port))
        s.sendall(b"*1\r\n$500000000\r\nabc")  # 500 MB promised, 3 bytes sent
        socks.append(s)
    time.sleep(0.2)
    after = int(r.info("memory")["used_memory"])
    assert after - before < 20 * 1024 * 1024
    for s in socks:
        s.close()
    assert r.ping()


def test_unauthenticated_limits(make_node):
    n = make_node(password="pw")
    with socket.create_connection(("127.0.0.1", n.port)) as s:
        s.sendall(b"*100\r\n")
        data, closed = read_until_closed(s)
    assert data == b"-ERR Protocol error: unauthenticated multibulk length\r\n"
    with socket.create_connection(("127.0.0.1", n.port)) as s:
        s.sendall(b"*1\r\n$100000\r\n")
        data, closed = read_until_closed(s)
    assert data == b"-ERR Protocol error: unauthenticated bulk length\r\n"
    assert n.client().ping()


def test_inline_commands(node):
    with socket.create_connection(("127.0.0.1", node.port)) as s:
        s.sendall(b'SET greeting "hello world"\r\nGET greeting\nPING\r\n\r\nECHO \'it\\\'s\'\r\n')
        s.settimeout(1)
        data = b""
        while data.count(b"\r\n") < 5:
            data += s.recv(4096)
    assert data == b"+OK\r\n$11\r\nhello world\r\n+PONG\r\n$4\r\nit's\r\n"


def test_pipeline_of_ten_thousand_commands(r):
    p = r.pipeline(transaction=False)
    for i in range(10000):
        p.set("p%d" % i, i)
    for i in range(10000):
        p.get("p%d" % i)
    res = p.execute()
    assert res[:10000] == [True] * 10000
    assert res[10000:] == [str(i) for i in range(10000)]


def test_raw_pipeline_in_one_write(node):
    payload = b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\nk%d\r\n$1\r\nv\r\n" % (len(str(i)) + 1, i) for i in range(10000))
    payload += b"*1\r\n$6\r\nDBSIZE\r\n"
    with socket.create_connection(("127.0.0.1", node.port)) as s:
        s.sendall(payload)
        s.settimeout(5)
        data = b""
        while not data.endswith(b":10000\r\n"):
            chunk = s.recv(1 << 16)
            assert chunk
            data += chunk
    assert data.count(b"+OK\r\n") == 10000


def test_command_split_at_every_byte(node):
    cmd = b"*3\r\n$3\r\nSET\r\n$4\r\nsplt\r\n$5\r\nva\r\nl\r\n*2\r\n$3\r\nGET\r\n$4\r\nsplt\r\n"
    with socket.create_connection(("127.0.0.1", node.port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for b in cmd:
            s.sendall(bytes([b]))
            time.sleep(0.001)
        s.settimeout(1)
        data = b""
        while data.count(b"\r\n") < 3:
            data += s.recv(100)
    assert data == b"+OK\r\n$5\r\nva\r\nl\r\n"


def test_random_garbage_never_kills_the_node(node):
    rnd = random.Random(1234)
    for i in range(200):
        n = rnd.randint(1, 400)
        blob = bytes(rnd.getrandbits(8) for _ in range(n))
        if i % 3 == 0:
            blob = b"*" + blob
        elif i % 3 == 1:
            blob = b"*2\r\n$" + blob
        try:
            with socket.create_connection(("127.0.0.1", node.port), timeout=0.5) as s:
                s.sendall(blob)
                s.shutdown(socket.SHUT_WR)
                read_until_closed(s, timeout=0.2)
        except OSError:
            pass
    assert node.alive()
    assert node.client().ping()


def test_peer_dropping_mid_command(node, r):
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", node.port))
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$100\r\nabc")
        s.close()
    assert r.get("x") is None
    assert r.ping()


def test_unknown_command_and_arity_errors(node):
    c = RespConn(node.port)
    assert str(c.call("NOSUCH", "a", "b")) == "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' "
    assert str(c.call("GET")) == "ERR wrong number of arguments for 'get' command"
    assert str(c.call("CONFIG", "NOPE")) == "ERR unknown subcommand 'NOPE'. Try CONFIG HELP."
    c.close()


def test_resp3_null_and_resp2_null(node):
    c = RespConn(node.port)
    c.sock.sendall(b"*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n")
    assert c.sock.recv(100) == b"$-1\r\n"
    c.call("HELLO", "3")
    c.sock.sendall(b"*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n")
    assert c.sock.recv(100) == b"_\r\n"
    c.close()


def test_quit_closes_after_reply(node):
    with socket.create_connection(("127.0.0.1", node.port)) as s:
        s.sendall(b"QUIT\r\nPING\r\n")
        data, closed = read_until_closed(s)
    assert data == b"+OK\r\n"
    assert closed

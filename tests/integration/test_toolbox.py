"""Operator tools: SLOWLOG and MONITOR."""
import socket
import time

import pytest

from resp import RespConn


def test_slowlog_records_and_trims(r):
    r.config_set("slowlog-log-slower-than", "0")
    r.slowlog_reset()
    r.set("k", "v")
    r.execute_command("ECHO", "x" * 300)
    entries = r.execute_command("SLOWLOG", "GET", "10")
    assert r.execute_command("SLOWLOG", "LEN") >= 2
    echo = [e for e in entries if e[3][0] == "ECHO"][0]
    assert echo[3][1] == "x" * 128 + "... (172 more bytes)"
    assert isinstance(echo[0], int) and isinstance(echo[1], int) and echo[2] >= 0
    assert echo[4].startswith("127.0.0.1:")
    ids = [e[0] for e in entries]
    assert ids == sorted(ids, reverse=True)
    r.config_set("slowlog-log-slower-than", "-1")
    r.execute_command("SLOWLOG", "RESET")
    r.set("k", "v")
    assert r.execute_command("SLOWLOG", "LEN") == 0


def test_slowlog_max_len_and_many_args(r):
    r.config_set("slowlog-log-slower-than", "0")
    r.config_set("slowlog-max-len", "3")
    r.slowlog_reset()
    for i in range(10):
        r.echo(str(i))
    assert r.execute_command("SLOWLOG", "LEN") == 3
    r.config_set("slowlog-max-len", "128")
    r.execute_command("SLOWLOG", "RESET")
    r.execute_command("MSET", *[str(i) for i in range(40)])
    e = r.execute_command("SLOWLOG", "GET", "1")[0]
    assert len(e[3]) == 32
    assert e[3][-1] == "... (10 more arguments)"  # 41 arguments: 31 kept + this one


def test_slowlog_get_errors(r):
    import pytest
    import redis
    with pytest.raises(redis.exceptions.ResponseError) as err:
        r.execute_command("SLOWLOG", "GET", "-2")
    assert "count should be greater than or equal to -1" in str(err.value)


def test_monitor_streams_commands(node, r):
    m = socket.create_connection(("127.0.0.1", node.port))
    m.sendall(b"MONITOR\r\n")
    assert m.recv(100) == b"+OK\r\n"
    r.set("mk", "a b\n")
    r.get("mk")
    time.sleep(0.1)
    m.settimeout(1)
    data = b""
    while data.count(b"\r\n") < 2:
        data += m.recv(4096)
    lines = data.decode().split("\r\n")
    assert lines[0].startswith("+") and '[0 127.0.0.1:' in lines[0]
    assert lines[0].lower().endswith('"set" "mk" "a b\\n"')
    assert lines[1].lower().endswith('"get" "mk"')
    m.close()
    time.sleep(0.05)
    r.set("after", "1")  # a closed monitor is dropped cleanly
    assert r.get("after") == "1"


def test_monitor_redacts_auth(make_node):
    n = make_node(password="pw")
    m = socket.create_connection(("127.0.0.1", n.port))
    m.sendall(b"AUTH pw\r\nMONITOR\r\n")
    time.sleep(0.1)
    m.recv(100)
    c = RespConn(n.port)
    c.call("AUTH", "pw")
    c.call("PING")
    time.sleep(0.1)
    m.settimeout(1)
    data = m.recv(4096).decode()
    # As Redis 7.0 does: the login shows, the password does not.
    assert '"AUTH" "(redacted)"' in data and '"PING"' in data and "pw" not in data
    c.close()
    m.close()


@pytest.mark.node_args("--enable-debug-command", "yes")
def test_latency_monitor_records_spikes(node, r):
    assert r.execute_command("LATENCY", "LATEST") == []
    r.config_set("latency-monitor-threshold", "1")
    # a slow command: a big SORT-free workload is not needed, DEBUG SLEEP blocks the loop
    r.execute_command("DEBUG", "SLEEP", "0.05")
    latest = r.execute_command("LATENCY", "LATEST")
    assert latest and latest[0][0] == "command"
    assert latest[0][2] >= 50 and latest[0][3] >= 50
    hist = r.execute_command("LATENCY", "HISTORY", "command")
    assert len(hist) == 1 and hist[0][1] >= 50
    assert "command" in r.execute_command("LATENCY", "DOCTOR")
    assert "#" in r.execute_command("LATENCY", "GRAPH", "command")
    assert r.execute_command("LATENCY", "RESET") == 1
    assert r.execute_command("LATENCY", "LATEST") == []


@pytest.mark.node_args("--enable-debug-command", "yes")
def test_latency_below_threshold_not_recorded(r):
    r.config_set("latency-monitor-threshold", "0")
    r.execute_command("DEBUG", "SLEEP", "0.02")
    assert r.execute_command("LATENCY", "LATEST") == []


def test_latency_histogram(r):
    r.set("a", "1")
    r.get("a")
    r.get("a")
    h = r.execute_command("LATENCY", "HISTOGRAM", "get")
    assert h[0] == "get"
    stats = dict(zip(h[1][::2], h[1][1::2]))
    assert stats["calls"] == 2
    counts = stats["histogram_usec"][1::2]
    assert counts[-1] == 2 and counts == sorted(counts)


def test_info_latencystats_percentiles(r):
    r.set("a", "1")
    for _ in range(20):
        r.get("a")
    stats = r.info("latencystats")
    get = stats["latency_percentiles_usec_get"]
    assert 0 < get["p50"] <= get["p99"] <= get["p99.9"]
    assert "latency_percentiles_usec_set" in stats
    assert "latency_percentiles_usec_hset" not in stats  # never called

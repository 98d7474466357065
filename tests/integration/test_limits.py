"""Limits and process life: maxclients, timeout, output and query buffer limits,
SIGTERM, config file errors and command-line overrides."""
import os
import signal
import socket
import subprocess
import tempfile
import time

import redis

from conftest import free_port, node_binary


def wait_closed(sock, timeout=10.0):
    """True once the peer closed (EOF or reset); data received meanwhile is dropped."""
    sock.settimeout(timeout)
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            if sock.recv(1 << 20) == b"":
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False


def test_maxclients_rejects_the_next_client(make_node):
    n = make_node(args=["--maxclients", "2"])
    a, b = n.client(), n.client()
    assert a.ping() and b.ping()
    extra = socket.create_connection(("127.0.0.1", n.port))
    extra.settimeout(5)
    got = b""
    while not got.endswith(b"\r\n"):
        chunk = extra.recv(100)
        if not chunk:
            break
        got += chunk
    assert got == b"-ERR max number of clients reached\r\n"
    assert wait_closed(extra)
    extra.close()
    assert a.info("stats")["rejected_connections"] == 1
    b.connection_pool.disconnect()
    deadline = time.time() + 5
    while a.info("clients")["connected_clients"] > 1 and time.time() < deadline:
        time.sleep(0.02)
    c = n.client()
    assert c.ping()  # a slot freed up
    a.close()
    c.close()


def test_idle_client_is_disconnected_by_timeout(node, r):
    r.config_set("timeout", "1")
    idle = socket.create_connection(("127.0.0.1", node.port))
    idle.sendall(b"PING\r\n")
    assert idle.recv(100) == b"+PONG\r\n"
    assert wait_closed(idle, timeout=10)
    idle.close()
    r.config_set("timeout", "0")  # r was talking, so it was never idle long enough


def test_output_buffer_limit_closes_a_slow_reader(node, r):
    r.config_set("client-output-buffer-limit", "normal 1mb 512kb 10")
    assert r.config_get("client-output-buffer-limit")["client-output-buffer-limit"].startswith(
        "normal 1048576 524288 10 ")
    r.set("big", "x" * 100000)
    slow = socket.create_connection(("127.0.0.1", node.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(b"GET big\r\n" * 400)  # 40 MB of replies, never read
    deadline = time.time() + 10
    while time.time() < deadline:
        if r.info("stats")["client_output_buffer_limit_disconnections"] >= 1:
            break
        time.sleep(0.05)
    assert r.info("stats")["client_output_buffer_limit_disconnections"] == 1
    assert wait_closed(slow)
    slow.close()
    assert r.ping()
    assert node.wait_log("Client id=") and node.wait_log("output buffer limits")
    # The rendered value is accepted back as is (round trip of the special parameter).
    value = r.config_get("client-output-buffer-limit")["client-output-buffer-limit"]
    r.config_set("client-output-buffer-limit", "normal 0 0 0")
    r.config_set("client-output-buffer-limit", value)
    assert r.config_get("client-output-buffer-limit")["client-output-buffer-limit"] == value


def test_query_buffer_limit_closes_a_huge_unfinished_query(node, r):
    r.config_set("client-query-buffer-limit", "1mb")
    hog = socket.create_connection(("127.0.0.1", node.port))
    hog.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n")
    try:
        for _ in range(40):
            hog.sendall(b"x" * 65536)  # 2.5 MB of a 3 MB argument that never ends
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert wait_closed(hog)
    hog.close()
    assert r.ping()
    assert r.exists("k") == 0
    assert node.wait_log("max query buffer length")


def test_sigterm_shuts_down_cleanly(make_node):
    n = make_node()
    n.expect_exit = True
    c = n.client()
    c.set("k", "v")
    n.proc.send_signal(signal.SIGTERM)
    assert n.proc.wait(timeout=10) == 0
    log = n.log()
    assert "Received SIGTERM scheduling shutdown" in log
    assert "ready to exit, bye bye" in log


def run_with_config(text, *args):
    d = tempfile.mkdtemp(prefix="vigil-limits-")
    path = os.path.join(d, "node.ini")
    with open(path, "w") as f:
        f.write(text)
    cmd = [node_binary(), path, "--bind", "127.0.0.1", "--port", str(free_port()), "--dir", d]
    proc = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=10)
    return proc, path


def test_bad_config_key_names_file_and_line():
    proc, path = run_with_config("[node]\nmaxclients = 10\nbogus-key = 1\n")
    assert proc.returncode != 0
    assert "%s:3:" % path in proc.stderr
    assert "bogus-key" in proc.stderr


def test_bad_config_value_names_file_and_line():
    proc, path = run_with_config("; comment\n[node]\n\nmaxclients = lots\n")
    assert proc.returncode != 0
    assert "%s:4:" % path in proc.stderr
    assert "maxclients" in proc.stderr and "integer" in proc.stderr


def test_bad_command_line_override_fails():
    proc, _ = run_with_config("[node]\n", "--maxclients", "0")
    assert proc.returncode != 0
    assert "maxclients" in proc.stderr


def test_command_line_overrides_the_file(make_node):
    n = make_node(config_text="[node]\nmaxclients = 5\nhz = 20\n",
                  args=["--maxclients", "9", "--timeout", "30"])
    c = n.client()
    assert c.config_get("maxclients") == {"maxclients": "9"}
    assert c.config_get("hz") == {"hz": "20"}
    assert c.config_get("timeout") == {"timeout": "30"}
    assert c.config_get("port") == {"port": str(n.port)}
    assert c.info("server")["tcp_port"] == n.port
    c.close()


def test_failed_start_exits_one_without_a_crash(node, tmp_path):
    """A start-up that fails half way (bad dir, port in use) tears down cleanly."""
    import subprocess
    from conftest import node_binary
    bad_dir = subprocess.run([node_binary(), "--port", "0", "--dir", str(tmp_path / "missing")],
                             capture_output=True, text=True, timeout=10)
    assert bad_dir.returncode == 1, bad_dir.stderr
    assert "Can't chdir" in bad_dir.stdout + bad_dir.stderr
    busy = subprocess.run([node_binary(), "--bind", "127.0.0.1", "--port", str(node.port),
                           "--dir", str(tmp_path)], capture_output=True, text=True, timeout=10)
    assert busy.returncode == 1, busy.stderr
    assert "Failed listening on port" in busy.stdout + busy.stderr


def test_far_future_expiries_do_not_upset_the_expire_cycle(r):
    import time
    r.execute_command("SET", "a", "1", "PXAT", "9223372036854775807")
    r.execute_command("SET", "b", "1", "PXAT", "9223372036854775807")
    time.sleep(0.3)  # a few active expire cycles sample both
    assert r.ping()
    assert r.dbsize() == 2
    ks = r.info("keyspace")["db0"]
    assert ks["expires"] == 2 and ks["avg_ttl"] >= 0


def test_protected_mode_refuses_non_loopback_peers(make_node):
    """With no password, only 127.0.0.1/::1 may connect (Redis' rule); a peer
    on 127.0.0.2 stands in for a remote host without leaving loopback."""
    import socket

    def first_reply(source):
        s = socket.socket()
        s.settimeout(2)
        s.bind((source, 0))
        s.connect(("127.0.0.1", n.port))
        s.sendall(b"PING\r\n")
        data = s.recv(1024)
        s.close()
        return data

    n = make_node(args=["--protected-mode", "yes"])
    assert first_reply("127.0.0.1") == b"+PONG\r\n"
    assert first_reply("127.0.0.2").startswith(b"-DENIED Redis is running in protected mode")
    c = n.client()
    c.config_set("requirepass", "pw")  # a password lifts protected mode
    assert first_reply("127.0.0.2") == b"-NOAUTH Authentication required.\r\n"
    c = n.client(password="pw")
    c.config_set("requirepass", "")
    c.config_set("protected-mode", "no")
    assert first_reply("127.0.0.2") == b"+PONG\r\n"

"""conftest.py -- start real vigil-node processes on free loopback ports.

Owns: the processes it starts; each is killed by pid at teardown and its
temporary directory removed. Set VIGIL_NODE to the binary under test
(default: build/vigil-node at the repository root).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def node_binary():
    return os.environ.get("VIGIL_NODE", os.path.join(ROOT, "build", "vigil-node"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """A running vigil-node: .port, .client(), .cli(), .raw(), .stop()."""

    def __init__(self, args=(), config_text=None, password=None):
        self.dir = tempfile.mkdtemp(prefix="vigil-test-")
        self.port = free_port()
        self.password = password
        self.log_path = os.path.join(self.dir, "node.log")
        cmd = [node_binary()]
        if config_text is not None:
            path = os.path.join(self.dir, "node.ini")
            with open(path, "w") as f:
                f.write(config_text)
            cmd.append(path)
            self.config_path = path
        cmd += ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir,
                "--logfile", self.log_path]
        if password:
            cmd += ["--requirepass", password]
        cmd += list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise RuntimeError("vigil-node exited: %s %s" % (out, err))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("vigil-node did not start")

    def client(self, **kw):
        kw.setdefault("port", self.port)
        kw.setdefault("host", "127.0.0.1")
        kw.setdefault("decode_responses", True)
        if self.password and "password" not in kw:
            kw["password"] = self.password
        return redis.Redis(**kw)

    def cli(self, *args, stdin=None, auth=True):
        cmd = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port)]
        if self.password and auth:
            cmd += ["-a", self.password, "--no-auth-warning"]
        cmd += [str(a) for a in args]
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=30)
        return r.stdout.rstrip("\n")

    def raw(self, payload, read_timeout=1.0):
        """Send raw bytes, return everything the server says until it closes or goes quiet."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout) as s:
            s.sendall(payload)
            chunks = []
            try:
                while True:
                    data = s.recv(65536)
                    if not data:
                        break
                    chunks.append(data)
            except socket.timeout:
                pass
            return b"".join(chunks)

    def alive(self):
        return self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, text, timeout=3.0):
        """True once text appears in the log (lines may land just after a reply)."""
        deadline = time.time() + timeout
        while text not in self.log():
            if time.time() > deadline:
                return False
            time.sleep(0.02)
        return True

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "node_args(*args): extra vigil-node arguments for the "
                            "`node` fixture, e.g. node_args('--enable-debug-command', 'yes')")


@pytest.fixture
def node(request):
    marker = request.node.get_closest_marker("node_args")
    n = Node(args=marker.args if marker else ())
    yield n
    alive = n.alive()
    n.stop()
    assert alive, "vigil-node died during the test"


@pytest.fixture
def make_node():
    started = []

    def start(*args, **kw):
        n = Node(*args, **kw)
        started.append(n)
        return n

    yield start
    dead = [n for n in started if not n.alive()]
    for n in started:
        n.stop()
    assert not dead or all(getattr(n, "expect_exit", False) for n in dead), "a vigil-node died"


@pytest.fixture
def r(node):
    c = node.client()
    yield c
    c.close()

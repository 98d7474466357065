"""conftest.py -- start real vigil-node processes on free loopback ports.

Owns: the processes it starts; each is killed by pid at teardown and its
temporary directory removed. Set VIGIL_NODE to the binary under test
(default: build/vigil-node at the repository root).

Ports come from free_port(), which hands out ports from a block of its own
per test process, outside the kernel's ephemeral range, each checked free
just before it is handed out; a node that still loses its port to someone
else ("address already in use") is started again on another one.

A node's stdout and stderr go to files in its directory. When it stops,
both and its log are searched for sanitizer reports (ASan, LSan, UBSan,
TSan), and the node and make_node fixtures fail the test on any: run the
suite with VIGIL_NODE pointing at an ASan+UBSan build (build-asan/) and a
report cannot pass unseen.
"""
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SANITIZER_REPORT = re.compile(r"ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|"
                              r"runtime error:|SUMMARY: \w+Sanitizer")
START_ATTEMPTS = 5


def node_binary():
    return os.environ.get("VIGIL_NODE", os.path.join(ROOT, "build", "vigil-node"))


def _port_block(size=400):
    """This process' ports: a block chosen by pid, below (or above) the
    ephemeral range, where the kernel never puts outgoing connections."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        lo, hi = 32768, 60999
    if lo - 10000 >= 10 * size:
        first, last = 10000, lo - 1
    elif 65535 - hi >= 10 * size:
        first, last = hi + 1, 65535
    else:  # no room outside it: the free check and the restart still hold
        first, last = 20000, 30000
    blocks = (last - first + 1) // size
    start = first + (os.getpid() % blocks) * size
    return range(start, start + size)


_PORTS = itertools.cycle(_port_block())


def _port_is_free(port):
    # SO_REUSEADDR as libuv sets it: a port in TIME_WAIT counts as free,
    # one with a listener (ours or anybody's) does not.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port():
    """The next port of this process' block that nobody is bound to."""
    for port in _PORTS:
        if _port_is_free(port):
            return port


def sanitizer_report(text):
    """The text from the first sanitizer report line on, or None."""
    m = SANITIZER_REPORT.search(text)
    if m is None:
        return None
    start = text.rfind("\n", 0, m.start()) + 1
    return text[start:start + 4000]


class Node:
    """A running vigil-node: .port, .client(), .cli(), .raw(), .stop()."""

    def __init__(self, args=(), config_text=None, password=None):
        self.dir = tempfile.mkdtemp(prefix="vigil-test-")
        self.password = password
        self.log_path = os.path.join(self.dir, "node.log")
        self.stdout_path = os.path.join(self.dir, "node.stdout")
        self.stderr_path = os.path.join(self.dir, "node.stderr")
        self.sanitizer_report = None
        self.stopped = False
        self.base_cmd = [node_binary()]
        if config_text is not None:
            path = os.path.join(self.dir, "node.ini")
            with open(path, "w") as f:
                f.write(config_text)
            self.base_cmd.append(path)
            self.config_path = path
        self.extra_args = list(args)
        self.config_sets_save = config_text is not None and re.search(
            r"^\s*save\s*=", config_text, re.M) is not None
        for attempt in range(START_ATTEMPTS):
            self.port = free_port()
            if self._start():
                return
        raise RuntimeError("vigil-node lost its port %d times in a row" % START_ATTEMPTS)

    def _start(self):
        """Start on self.port. True once it serves; False when another process
        took the port first (the caller picks another); raises otherwise."""
        cmd = self.base_cmd + ["--bind", "127.0.0.1", "--port", str(self.port),
                               "--dir", self.dir, "--logfile", self.log_path]
        # The `save` default is Redis' ("3600 1 300 100 60 10000"): test nodes
        # snapshot only when the test sets save points itself (a later --save
        # adds to the empty list; a config file's save line is left alone).
        if not self.config_sets_save:
            cmd += ["--save", ""]
        if self.password:
            cmd += ["--requirepass", self.password]
        cmd += self.extra_args
        with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                said = self.output()
                if "Failed listening on port %d (tcp)" % self.port in said and \
                        "address already in use" in said:
                    return False
                raise RuntimeError("vigil-node exited with status %s:\n%s"
                                   % (self.proc.returncode, said))
            # The ready line, not just a connection: another process could
            # be the one listening on the port.
            if "Ready to accept connections" in self.log():
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                        return True
                except OSError:
                    pass
            time.sleep(0.02)
        self.proc.kill()
        self.proc.wait()
        raise RuntimeError("vigil-node did not start:\n%s" % self.output())

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
        return self._read(self.log_path)

    def output(self):
        """Everything the node wrote: stdout, stderr, then its log."""
        return self._read(self.stdout_path) + self._read(self.stderr_path) + self.log()

    @staticmethod
    def _read(path):
        try:
            with open(path, errors="replace") as f:
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
        """Stop the node (SIGTERM, then SIGKILL), look for sanitizer reports
        in what it wrote (kept in .sanitizer_report), remove its directory."""
        if self.stopped:
            return
        self.stopped = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)  # sanitizer builds exit slower
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.sanitizer_report = sanitizer_report(self.output())
        shutil.rmtree(self.dir, ignore_errors=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "node_args(*args): extra vigil-node arguments for the "
                            "`node` fixture, e.g. node_args('--enable-debug-command', 'yes')")


def assert_no_sanitizer_report(nodes):
    reports = ["vigil-node on port %d:\n%s" % (n.port, n.sanitizer_report)
               for n in nodes if n.sanitizer_report]
    assert not reports, "sanitizer report(s):\n" + "\n".join(reports)


@pytest.fixture
def node(request):
    marker = request.node.get_closest_marker("node_args")
    n = Node(args=marker.args if marker else ())
    yield n
    alive = n.alive()
    n.stop()
    assert_no_sanitizer_report([n])
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
    assert_no_sanitizer_report(started)
    assert not dead or all(getattr(n, "expect_exit", False) for n in dead), "a vigil-node died"


@pytest.fixture
def r(node):
    c = node.client()
    yield c
    c.close()

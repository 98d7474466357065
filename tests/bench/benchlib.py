"""benchlib.py -- what the Python benchmarks share: ports, a raw RESP client,
server start/stop by pid, INFO parsing, RSS.

Owns: nothing beyond the processes start_server launches (stop_server kills
them by pid). Standard library only.
"""
import os
import socket
import subprocess
import sys
import time

SERVER_START_TIMEOUT = 10.0
SOCKET_TIMEOUT = 60.0


def log(msg):
    print("==> " + msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """A minimal RESP2 client over a plain socket (redis-py's per-command cost
    would dominate the measurements)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.pos = 0

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = self.buf[self.pos:end]
                self.pos = end + 2
                return line
            self._fill()

    def reply(self):
        """One reply: bytes, int, None, list, or an Exception for -ERR."""
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RuntimeError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) - self.pos < n + 2:
                self._fill()
            data = self.buf[self.pos:self.pos + n]
            self.pos += n + 2
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ConnectionError("bad reply line %r" % line)

    def call(self, *args):
        self.sock.sendall(encode(*args))
        r = self.reply()
        if isinstance(r, Exception):
            raise r
        return r


def info(conn, section):
    """INFO section as a dict of strings."""
    text = conn.call("INFO", section).decode()
    out = {}
    for line in text.split("\r\n"):
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def start_server(kind, path, workdir, name, extra=()):
    """Start redis-server or vigil-node on a free loopback port with the same
    settings (no snapshots). Returns (proc, port, conn)."""
    port = free_port()
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    args = [path, "--bind", "127.0.0.1", "--port", str(port), "--dir", d,
            "--logfile", os.path.join(d, "log")] + list(extra)
    args += ["--save", ""]  # both default to snapshots; no benchmark wants one
    if kind == "redis":
        args += ["--appendonly", "no", "--daemonize", "no"]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            c = Conn(port)
            if c.call("PING") == b"PONG":
                return proc, port, c
            c.close()
        except (OSError, RuntimeError):
            pass
        time.sleep(0.05)
    stop_server(proc)
    try:
        with open(os.path.join(d, "log")) as f:
            sys.stderr.write(f.read()[-2000:])
    except OSError:
        pass
    raise RuntimeError("%s did not start on port %d" % (kind, port))


def stop_server(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.kill()  # by pid; the benchmark's data is disposable
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass

"""dfz_resp.py -- raw RESP client and server processes for the differential fuzzer.

Owns: sockets to 127.0.0.1 and the server processes it starts. Replies are
kept close to the wire so two servers can be compared exactly: every reply is
a tuple (type, value) where type is the RESP type byte as a str ('+', '-',
':', '$', '*', '%', '~', '>', '_', ',', '#', '(', '=') and value is bytes for
the text types (doubles and big numbers stay textual), int for ':', bool for
'#', None for nulls, and a list of replies for aggregates (a map is a flat
list k1, v1, k2, v2, ...). Processes are started on free loopback ports and
stopped by pid (SIGTERM, then SIGKILL).
"""
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time


class ConnLost(Exception):
    """The server closed the connection or did not answer in time."""


def encode_command(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """One RESP connection; read() returns one reply tuple (see module doc)."""

    def __init__(self, port, timeout=10.0):
        self.timeout = timeout
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, args):
        try:
            self.sock.sendall(encode_command(args))
        except OSError as e:
            raise ConnLost("send: %s" % e)

    def pending(self, wait=0.0):
        """True if reply bytes are buffered or arrive within `wait` seconds."""
        if self.pos < len(self.buf):
            return True
        r, _, _ = select.select([self.sock], [], [], wait)
        return bool(r)

    def _fill(self):
        if self.pos:
            del self.buf[:self.pos]
            self.pos = 0
        try:
            data = self.sock.recv(1 << 16)
        except socket.timeout:
            raise ConnLost("timeout after %.1fs" % self.timeout)
        except OSError as e:
            raise ConnLost("recv: %s" % e)
        if not data:
            raise ConnLost("connection closed")
        self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n + 2
        return data

    def read(self):
        line = self._line()
        t, rest = chr(line[0]) if line else "?", line[1:]
        if t in "+-,(":
            return (t, rest)
        if t == ":":
            return (t, int(rest))
        if t in "$=!":
            n = int(rest)
            return ("$" if t == "!" else t, None if n < 0 else self._exact(n))
        if t in "*~>":
            n = int(rest)
            return (t, None if n < 0 else [self.read() for _ in range(n)])
        if t == "%":
            return (t, [self.read() for _ in range(2 * int(rest))])
        if t == "|":  # attributes precede the reply they describe; drop them
            for _ in range(2 * int(rest)):
                self.read()
            return self.read()
        if t == "_":
            return ("_", None)
        if t == "#":
            return ("#", rest == b"t")
        raise ConnLost("protocol error: bad reply line %r" % line[:60])

    def call(self, args):
        self.send(args)
        return self.read()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SANITIZER_MARKS = (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer", b"runtime error:",
                   b"SUMMARY: UndefinedBehaviorSanitizer", b"AddressSanitizer:DEADLYSIGNAL",
                   b"ASSERTION FAILED", b"Assertion failed")


class Server:
    """A redis-server or vigil-node process on a free loopback port.

    kind is "redis" or "vigil"; settings is a list of (name, value) applied
    identically to both kinds on the command line."""

    def __init__(self, kind, binary, settings):
        self.kind = kind
        self.binary = binary
        self.settings = list(settings)
        self.dir = tempfile.mkdtemp(prefix="difffuzz-%s-" % kind)
        self.err_path = os.path.join(self.dir, "stderr.log")
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None
        self.port = None
        self.start()

    def _argv(self):
        argv = [self.binary]
        # Both default to snapshots (Redis' save points); the fuzzer wants none.
        common = [("bind", "127.0.0.1"), ("port", str(self.port)), ("dir", self.dir),
                  ("logfile", self.log_path), ("save", "")]
        if self.kind == "redis":
            common += [("appendonly", "no"), ("daemonize", "no"), ("protected-mode", "no")]
        for name, value in common + self.settings:
            argv += ["--" + name, value]
        return argv

    def start(self):
        env = dict(os.environ)
        # Sanitizer reports must stop the process so the fuzzer notices at once.
        env["ASAN_OPTIONS"] = "abort_on_error=1:halt_on_error=1:detect_leaks=1:print_stacktrace=1"
        env["UBSAN_OPTIONS"] = "halt_on_error=1:abort_on_error=1:print_stacktrace=1"
        for attempt in range(5):
            self.port = free_port()
            with open(self.err_path, "ab") as err:
                self.proc = subprocess.Popen(self._argv(), stdin=subprocess.DEVNULL,
                                             stdout=err, stderr=err, env=env)
            if self._wait_ready():
                return
            self.stop()
        raise RuntimeError("%s did not start; stderr:\n%s" % (self.binary, self.stderr_text()))

    def _wait_ready(self):
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                c = Conn(self.port, timeout=2)
                ok = c.call([b"PING"]) == ("+", b"PONG")
                c.close()
                if ok:
                    return True
            except (OSError, ConnLost):
                time.sleep(0.02)
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_text(self):
        try:
            with open(self.err_path, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def sanitizer_report(self):
        """The sanitizer/assert text seen so far in stderr or the log, or None."""
        for text in (self.stderr_text(), self.log_text()):
            for mark in SANITIZER_MARKS:
                i = text.find(mark)
                if i >= 0:
                    start = text.rfind(b"\n", 0, i) + 1
                    return text[start:start + 6000].decode(errors="replace")
        return None

    def exit_status(self):
        return None if self.proc is None else self.proc.poll()

    def stop(self):
        """SIGTERM by pid (SIGKILL after 10 s). Returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def restart(self):
        self.stop()
        with open(self.err_path, "wb"):
            pass
        try:
            os.unlink(self.log_path)
        except OSError:
            pass
        self.start()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

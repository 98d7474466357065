"""resp.py -- a tiny RESP2/RESP3 client for tests (Debian's redis-py 4.3 speaks RESP2 only).

Owns: one socket. Replies are decoded to Python values; RESP3 types are kept
distinguishable: maps -> dict, sets -> RespSet, pushes -> RespPush,
doubles -> float, booleans -> bool, null -> None, errors -> RespError.
"""
import socket


class RespError(Exception):
    pass


class RespSet(list):
    pass


class RespPush(list):
    pass


class Verbatim(str):
    pass


class RespConn:
    def __init__(self, port, host="127.0.0.1", timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if not isinstance(a, bytes):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def call(self, *args):
        self.send(*args)
        return self.read()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return RespError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        if t == b"%":
            n = int(rest)
            d = {}
            for _ in range(n):
                k = self.read()
                d[k if not isinstance(k, list) else tuple(k)] = self.read()
            return d
        if t == b"~":
            return RespSet(self.read() for _ in range(int(rest)))
        if t == b">":
            return RespPush(self.read() for _ in range(int(rest)))
        if t == b"_":
            return None
        if t == b",":
            return float(rest)
        if t == b"#":
            return rest == b"t"
        if t == b"(":
            return int(rest)
        if t == b"=":
            data = self._exact(int(rest)).decode()
            return Verbatim(data[4:])
        if t == b"|":
            for _ in range(int(rest) * 2):
                self.read()
            return self.read()
        raise ValueError("bad reply type %r" % line)

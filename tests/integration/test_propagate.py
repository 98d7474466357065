"""test_propagate.py -- the propagated write stream, compared with Redis 7.0.15's.

Each scenario runs against a fresh Debian redis-server (appendonly yes,
aof-use-rdb-preamble no, appendfsync always: its incremental AOF file is the
stream it propagates) and a fresh vigil-node whose test-only
propagate-debug-file receives our stream (the AOF target). The two streams
must be the same commands, byte for byte once relative timestamps are
normalised: a PEXPIREAT / SET PXAT time within ten days of the scenario's start
becomes "REL<seconds>". Scenarios whose effect is random (which members SPOP
takes, which keys expire or are evicted first) mask or sort those parts.

Skipped when /usr/bin/redis-server is not installed.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import Node, free_port
from resp import RespConn

REDIS_SERVER = "/usr/bin/redis-server"



@pytest.fixture(autouse=True)
def reference_server_present():
    """The comparison needs Debian's redis-server: missing, the tests fail
    rather than vanish as skips."""
    assert os.path.exists(REDIS_SERVER), "needs Debian's redis-server 7.0.15 as the reference"

TEN_DAYS_MS = 10 * 86400 * 1000


# ---- the two servers ------------------------------------------------------------------------

class RedisAof:
    """A redis-server writing its AOF; .stream() is its incremental file."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vigil-prop-redis-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always",
             "--dir", self.dir, "--daemonize", "no", "--logfile", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.proc, self.port)

    def stream(self):
        d = os.path.join(self.dir, "appendonlydir")
        data = b""
        for name in sorted(os.listdir(d)):
            if name.endswith(".incr.aof"):
                with open(os.path.join(d, name), "rb") as f:
                    data += f.read()
        return data

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class VigilStream:
    """A vigil-node with the test-only stream file; .stream() reads it."""

    def __init__(self):
        self.path = tempfile.mktemp(prefix="vigil-prop-", suffix=".resp")
        self.node = Node(args=["--propagate-debug-file", self.path])
        self.port = self.node.port
        self.proc = self.node.proc

    def stream(self):
        try:
            with open(self.path, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def stop(self):
        alive = self.node.alive()
        self.node.stop()
        if os.path.exists(self.path):
            os.unlink(self.path)
        assert alive, "vigil-node died during the scenario"


def wait_port(proc, port):
    deadline = time.time() + 10
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("server did not start")


# ---- driving a scenario ---------------------------------------------------------------------

class Session:
    """Connections to one server. Connection 0 is the default."""

    def __init__(self, port):
        self.port = port
        self.conns = {}

    def on(self, i):
        if i not in self.conns:
            self.conns[i] = RespConn(self.port)
        return self.conns[i]

    def call(self, *args):
        return self.on(0).call(*args)

    def pipe(self, *cmds):
        """Send all commands in one write (no timer or cron runs between them)."""
        c = self.on(0)
        out = []
        for args in cmds:
            out.append(b"*%d\r\n" % len(args))
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        c.sock.sendall(b"".join(out))
        return [c.read() for _ in cmds]

    def info_field(self, name):
        for line in self.on("info").call("INFO", "all").splitlines():
            if line.startswith(name + ":"):
                return int(line.split(":", 1)[1])
        raise KeyError(name)

    def wait_for(self, name, value):
        deadline = time.time() + 10
        while self.info_field(name) < value:
            assert time.time() < deadline, "%s never reached %d" % (name, value)
            time.sleep(0.01)

    def block(self, i, *args):
        """Send a blocking command on connection i and wait until it blocks."""
        before = self.info_field("blocked_clients")
        self.on(i).send(*args)
        self.wait_for("blocked_clients", before + 1)

    def read(self, i):
        return self.on(i).read()

    def close(self):
        for c in self.conns.values():
            c.close()


# ---- streams --------------------------------------------------------------------------------

def parse_stream(data):
    """RESP multibulk commands -> list of lists of bytes."""
    cmds, i = [], 0
    while i < len(data):
        assert data[i:i + 1] == b"*", "not a multibulk at %d: %r" % (i, data[i:i + 40])
        j = data.index(b"\r\n", i)
        n = int(data[i + 1:j])
        i = j + 2
        args = []
        for _ in range(n):
            assert data[i:i + 1] == b"$"
            j = data.index(b"\r\n", i)
            ln = int(data[i + 1:j])
            args.append(data[j + 2:j + 2 + ln])
            assert data[j + 2 + ln:j + 4 + ln] == b"\r\n"
            i = j + 4 + ln
        cmds.append(args)
    return cmds


def normalise(cmds, t0_ms, mask=(), sort_runs=()):
    out = []
    for args in cmds:
        args = [a.decode(errors="replace") for a in args]
        name = args[0].upper()
        for k, a in enumerate(args):
            timed = (name == "PEXPIREAT" and k == 2) or (
                name == "SET" and k > 3 and args[k - 1].upper() == "PXAT")
            if timed and a.lstrip("-").isdigit() and abs(int(a) - t0_ms) < TEN_DAYS_MS:
                args[k] = "REL%d" % round((int(a) - t0_ms) / 1000)
        for mname, pos in mask:
            if name == mname and pos < len(args):
                args[pos] = "*"
        out.append(tuple(args))
    # Runs of the same random-order command (expiry, eviction) compare as sets.
    result, i = [], 0
    while i < len(out):
        if out[i][0].upper() in sort_runs:
            j = i
            while j < len(out) and out[j][0].upper() == out[i][0].upper():
                j += 1
            result.extend(sorted(out[i:j]))
            i = j
        else:
            result.append(out[i])
            i += 1
    return result


def run_on(server, scenario):
    s = Session(server.port)
    t0 = time.time() * 1000
    try:
        scenario(s)
    finally:
        s.close()
    return t0


def compare(scenario, mask=(), sort_runs=()):
    """Run scenario on both servers; return (redis_stream, vigil_stream), normalised."""
    redis_srv, vigil_srv = RedisAof(), VigilStream()
    try:
        t_redis = run_on(redis_srv, scenario)
        t_vigil = run_on(vigil_srv, scenario)
        want = normalise(parse_stream(redis_srv.stream()), t_redis, mask, sort_runs)
        got = normalise(parse_stream(vigil_srv.stream()), t_vigil, mask, sort_runs)
    finally:
        redis_srv.stop()
        vigil_srv.stop()
    return want, got


# ---- scenarios ------------------------------------------------------------------------------
# Each is a function of a Session; the expected stream is whatever Redis wrote.

def calls(*cmds):
    def run(s):
        for args in cmds:
            s.call(*args)
    return run


FUTURE_S = 4102444800  # 2100-01-01: absolute times survive normalisation verbatim

SCENARIOS = {
    "set_plain_nx_xx": calls(("SET", "k", "v"), ("SET", "k", "v2", "NX"), ("set", "k", "v3", "xx"),
                             ("SET", "n", "v", "XX")),
    "set_ex_px": calls(("SET", "k", "v", "EX", 100), ("SET", "k2", "v", "px", 100000)),
    "set_exat_pxat": calls(("SET", "k", "v", "EXAT", FUTURE_S),
                           ("SET", "k2", "v", "PXAT", FUTURE_S * 1000 + 123)),
    "set_nx_with_expire": calls(("SET", "k", "v", "NX", "EX", 100), ("SET", "k", "w", "NX", "EX", 100)),
    "set_keepttl": calls(("SET", "k", "v", "EX", 100), ("SET", "k", "v2", "KEEPTTL")),
    "set_get": calls(("SET", "k", "v"), ("SET", "k", "v2", "GET"), ("SET", "k", "v3", "NX", "get"),
                     ("SET", "k", "get", "XX", "GET", "KEEPTTL"), ("SET", "k", "v5", "GET", "GET")),
    "set_get_with_expire": calls(("SET", "k", "v"), ("SET", "k", "v2", "GET", "EX", 100)),
    "setex_psetex_setnx": calls(("SETEX", "k", 100, "v"), ("PSETEX", "k2", 100000, "v"),
                                ("SETNX", "k3", "v"), ("SETNX", "k3", "w")),
    "getset_getdel": calls(("GETSET", "k", "v"), ("getset", "k", "w"), ("GETDEL", "k"),
                           ("GETDEL", "k")),
    "getdel_lazy_user_del": calls(("CONFIG", "SET", "lazyfree-lazy-user-del", "yes"),
                                  ("SET", "k", "v"), ("GETDEL", "k"), ("SET", "a", "1"),
                                  ("DEL", "a")),
    "getex_forms": calls(("SET", "k", "v"), ("GETEX", "k"), ("GETEX", "k", "EX", 100),
                         ("GETEX", "k", "PX", 200000), ("GETEX", "k", "EXAT", FUTURE_S),
                         ("GETEX", "k", "PXAT", FUTURE_S * 1000 + 5), ("GETEX", "k", "PERSIST"),
                         ("GETEX", "k", "PERSIST"), ("GETEX", "missing", "EX", 10)),
    "getex_past_deletes": calls(("SET", "k", "v"), ("GETEX", "k", "EXAT", 1), ("SET", "k", "v"),
                                ("GETEX", "k", "PXAT", 1)),
    "getex_past_lazy_expire": calls(("CONFIG", "SET", "lazyfree-lazy-expire", "yes"),
                                    ("SET", "k", "v"), ("GETEX", "k", "EXAT", 1)),
    "expire_family": calls(("SET", "k", "v"), ("EXPIRE", "k", 100), ("pexpire", "k", 200000),
                           ("EXPIREAT", "k", FUTURE_S), ("PEXPIREAT", "k", FUTURE_S * 1000 + 7),
                           ("pexpireat", "k", FUTURE_S * 1000 + 9), ("EXPIRE", "k", 300, "GT"),
                           ("EXPIRE", "k", 50, "nx"), ("EXPIRE", "missing", 100)),
    "expire_past_deletes": calls(("SET", "k", "v"), ("EXPIRE", "k", -1), ("SET", "k", "v"),
                                 ("EXPIREAT", "k", 1), ("SET", "k", "v"), ("PEXPIREAT", "k", 1),
                                 ("SET", "k", "v"), ("PEXPIRE", "k", 0)),
    "expire_past_lazy": calls(("CONFIG", "SET", "lazyfree-lazy-expire", "yes"), ("SET", "k", "v"),
                              ("EXPIRE", "k", 0)),
    "persist": calls(("SET", "k", "v", "EX", 100), ("PERSIST", "k"), ("PERSIST", "k")),
    "incrbyfloat_as_set_keepttl": calls(("INCRBYFLOAT", "f", "1.5"), ("INCRBYFLOAT", "f", "0.1"),
                                        ("SET", "g", "1", "EX", 100), ("INCRBYFLOAT", "g", "2e2")),
    "hincrbyfloat_as_hset": calls(("HINCRBYFLOAT", "h", "f", "1.5"),
                                  ("HINCRBYFLOAT", "h", "f", "1e2"), ("HINCRBY", "h", "i", 3)),
    "spop_one_as_srem": calls(("SADD", "s", "only"), ("SPOP", "s"), ("SPOP", "s")),
    "spop_count_all_as_del": calls(("SADD", "s", "a", "b", "c"), ("SPOP", "s", 5),
                                   ("SPOP", "s", 2)),
    "spop_count_zero": calls(("SADD", "s", "a"), ("SPOP", "s", 0)),
    "lists_verbatim": calls(("LPUSH", "l", "a", "b", "c"), ("RPOP", "l"), ("LPOP", "l", 2),
                            ("RPUSH", "l", "x", "y"), ("LMOVE", "l", "m", "left", "RIGHT"),
                            ("RPOPLPUSH", "l", "m"), ("LPOP", "missing")),
    "lmpop_as_pop_count": calls(("RPUSH", "l", "a", "b", "c"),
                                ("LMPOP", 1, "l", "RIGHT", "COUNT", 2),
                                ("LMPOP", 2, "missing", "l", "left"),
                                ("LMPOP", 1, "l", "LEFT", "COUNT", 9)),
    "blocking_served_at_once": calls(("RPUSH", "l", "a", "b", "c", "d", "e"), ("BLPOP", "l", 0),
                                     ("BRPOP", "nope", "l", 0),
                                     ("BLMPOP", 0, 1, "l", "LEFT", "COUNT", 2),
                                     ("BLMOVE", "l", "m", "right", "Left", 0),
                                     ("BRPOPLPUSH", "m", "l", 0)),
    "zset_pops": calls(("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d"), ("ZPOPMIN", "z"),
                       ("BZPOPMAX", "z", 0), ("ZMPOP", 1, "z", "MIN", "COUNT", 5),
                       ("ZADD", "z", 5, "e"), ("BZMPOP", 0, 1, "z", "MAX")),
    "multi_single_write_is_bare": calls(("MULTI",), ("SET", "a", 1), ("GET", "a"), ("EXEC",)),
    "multi_two_writes_wrapped": calls(("MULTI",), ("SET", "a", 1), ("INCR", "b"), ("EXEC",)),
    "multi_no_write": calls(("MULTI",), ("GET", "a"), ("EXEC",)),
    "multi_rewrites_inside": calls(("MULTI",), ("SET", "k", "v", "EX", 100), ("EXPIRE", "k", 200),
                                   ("INCRBYFLOAT", "f", 1), ("EXEC",)),
    "multi_select_inside": calls(("MULTI",), ("SET", "a", 1), ("SELECT", 2), ("SET", "b", 2),
                                 ("EXEC",), ("SET", "c", 3)),
    "multi_starts_in_other_db": calls(("SET", "x", 0), ("SELECT", 3), ("MULTI",), ("SET", "a", 1),
                                      ("SET", "b", 2), ("EXEC",)),
    "multi_aborted": calls(("MULTI",), ("SET", "a", 1), ("NOSUCHCOMMAND",), ("EXEC",),
                           ("MULTI",), ("DISCARD",), ("SET", "z", 1)),
    "multi_publish_not_in_aof": calls(("PUBLISH", "ch", "m"), ("MULTI",), ("PUBLISH", "ch", "m"),
                                      ("PUBLISH", "ch", "n"), ("EXEC",), ("MULTI",),
                                      ("PUBLISH", "ch", "m"), ("SET", "k", "v"), ("EXEC",)),
    "select_switches": calls(("SET", "a", 1), ("SELECT", 1), ("SET", "b", 1), ("GET", "b"),
                             ("SELECT", 0), ("SET", "c", 1), ("SELECT", 15), ("SET", "d", 1),
                             ("SELECT", 15), ("SET", "e", 1)),
    "flush_forced_when_empty": calls(("FLUSHDB",), ("SELECT", 2), ("FLUSHALL",), ("FLUSHDB", "ASYNC"),
                                     ("SET", "k", "v"), ("FLUSHALL", "SYNC")),
    "swapdb_and_move": calls(("SET", "k", 1), ("SWAPDB", 0, 1), ("SELECT", 1), ("MOVE", "k", 0),
                             ("MOVE", "k", 0), ("SWAPDB", 1, 1)),
    "del_unlink_absent_keys": calls(("SET", "a", 1), ("DEL", "a", "nope"), ("DEL", "nope"),
                                    ("UNLINK", "nope"), ("SET", "b", 2), ("UNLINK", "b")),
    "noop_writes_not_propagated": calls(("SADD", "s", "a"), ("SADD", "s", "a"), ("SREM", "s", "x"),
                                        ("ZADD", "z", 1, "a"), ("ZADD", "z", 1, "a"),
                                        ("ZREM", "z", "x"), ("RPUSH", "l", "a"),
                                        ("LREM", "l", 0, "x"), ("HSET", "h", "f", "v"),
                                        ("HDEL", "h", "x"), ("RENAME", "l", "l"),
                                        ("PERSIST", "l"), ("LTRIM", "l", 0, -1)),
    "verbatim_writes": calls(("MSET", "a", 1, "b", 2), ("INCR", "a"), ("DECRBY", "b", 5),
                             ("APPEND", "c", "x"), ("SETRANGE", "c", 3, "y"),
                             ("HSET", "h", "f", "v", "g", "w"), ("HSET", "h", "f", "v"),
                             ("ZINCRBY", "z", 2, "m"), ("SINTERSTORE", "d", "nope"),
                             ("RENAME", "a", "a2"), ("COPY", "a2", "a3"), ("SETBIT", "bits", 7, 1),
                             ("LPUSH", "l", "x"), ("LSET", "l", 0, "y"), ("LINSERT", "l", "BEFORE", "y", "z")),
    # Which no-op forms count as a write in Redis (and so go out) and which do not.
    "edge_writes_dirty_rules": calls(
        ("SETRANGE", "missing", 0, ""), ("SET", "k", "v"), ("APPEND", "k", ""), ("SETRANGE", "k", 0, ""),
        ("SADD", "s", "a"), ("SMOVE", "s", "t", "missing"), ("ZADD", "z", "XX", 1, "a"),
        ("HSET", "h", "f", "v"), ("HSETNX", "h", "f", "w"), ("LPUSHX", "nol", "a"),
        ("MSETNX", "k", "x", "n", "y"), ("SETBIT", "b", 1, 1), ("SETBIT", "b", 1, 1),
        ("BITOP", "AND", "dest", "nob"), ("ZADD", "z2", 1, "a"), ("ZREMRANGEBYSCORE", "z2", 5, 6),
        ("INCRBY", "i", 0), ("ZINCRBY", "z2", 0, "a"), ("HINCRBY", "h", "n", 0),
        ("SINTERSTORE", "s", "nope"), ("SUNIONSTORE", "u", "s", "t"), ("ZUNIONSTORE", "zu", 1, "nope"),
        ("RENAMENX", "k", "k"), ("COPY", "k", "k2"), ("COPY", "k", "k2"), ("COPY", "k", "k2", "REPLACE"),
        ("SREM", "sx", "a"), ("TOUCH", "k"), ("EXPIRE", "k", 100, "XX"), ("DEL", "s", "t"),
        ("ZPOPMIN", "nothing"), ("ZPOPMIN", "z2", 0), ("RPUSH", "l2", "a"), ("LPOP", "l2", 0),
        ("SPOP", "nos", 3), ("HDEL", "h", "f", "n"), ("ZADD", "z3", "GT", "CH", 1, "a"),
        ("ZADD", "z3", "GT", "CH", 0, "a"), ("ZADD", "z3", "INCR", 0, "a"), ("SETNX", "k", "x")),
    "blocking_inside_exec_does_not_block": calls(("RPUSH", "l", "a"), ("MULTI",), ("BLPOP", "l", 0),
                                                 ("BLPOP", "l", 0), ("BLMOVE", "x", "y", "LEFT", "LEFT", 0),
                                                 ("EXEC",)),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_stream_matches_redis(name):
    want, got = compare(SCENARIOS[name])
    assert got == want


# ---- scenarios with their own shape ----------------------------------------------------------

def test_spop_with_count_becomes_srems_in_a_transaction():
    def run(s):
        s.call("SADD", "s", "a", "b", "c", "d", "e", "f")
        s.call("SPOP", "s", 2)
        s.call("SPOP", "s", 1)
    want, got = compare(run, mask=(("SREM", 2),))
    assert got == want
    assert [c[0] for c in want] == ["SELECT", "SADD", "MULTI", "SREM", "SREM", "EXEC", "SREM"]


def test_spop_srems_name_the_members_replied():
    srv = VigilStream()
    try:
        s = Session(srv.port)
        s.call("SADD", "s", *range(10))
        popped = s.call("SPOP", "s", 3) + [s.call("SPOP", "s")]
        s.close()
        cmds = parse_stream(srv.stream())
    finally:
        srv.stop()
    removed = [c[2].decode() for c in cmds if c[0] == b"SREM"]
    assert sorted(removed) == sorted(popped)


def blocked_pop(cmd, push):
    def run(s):
        s.block(1, *cmd)
        s.call(*push)
        s.read(1)
        s.call("SET", "after", 1)
    return run


SERVED = [
    (("BLPOP", "l", 0), ("RPUSH", "l", "a", "b")),
    (("BRPOP", "other", "l", 0), ("LPUSH", "l", "a")),
    (("BLMPOP", 0, 2, "x", "l", "RIGHT", "COUNT", 5), ("RPUSH", "l", "a", "b", "c")),
    (("BLMOVE", "l", "m", "LEFT", "Right", 0), ("RPUSH", "l", "a")),
    (("BRPOPLPUSH", "l", "m", 0), ("RPUSH", "l", "a")),
    (("BZPOPMIN", "z", 0), ("ZADD", "z", 1, "a", 2, "b")),
    (("BZMPOP", 0, 1, "z", "MAX", "COUNT", 10), ("ZADD", "z", 1, "a", 2, "b")),
]


@pytest.mark.parametrize("cmd,push", SERVED, ids=[c[0] for c, _ in SERVED])
def test_served_blocked_client(cmd, push):
    want, got = compare(blocked_pop(cmd, push))
    assert got == want


def test_served_clients_in_another_db_and_inside_exec():
    def run(s):
        s.on(1).call("SELECT", 4)
        s.block(1, "BLPOP", "l", 0)
        s.on(2).call("SELECT", 4)
        s.block(2, "BRPOP", "l", 0)
        s.call("SELECT", 4)
        s.call("MULTI")
        s.call("RPUSH", "l", "a")
        s.call("RPUSH", "l", "b", "c")
        s.call("EXEC")
        s.read(1)
        s.read(2)
        s.call("SELECT", 0)
        s.call("SET", "k", 1)
    want, got = compare(run)
    assert got == want


def test_served_blmove_finds_its_destination_expired():
    # Serving is its own unit: the lazy DEL of the destination and the
    # LMOVE go out together, wrapped.
    def run(s):
        s.block(1, "BLMOVE", "l", "m", "LEFT", "LEFT", 0)
        s.pipe(("SET", "m", "x", "PXAT", 1), ("RPUSH", "l", "a"))
        s.read(1)
    want, got = compare(run)
    assert got == want
    assert ("MULTI",) in want


def test_timed_out_and_unblocked_clients_propagate_nothing():
    def run(s):
        s.block(1, "BLPOP", "l", "0.05")
        s.read(1)
        s.block(2, "BZPOPMIN", "z", 0)
        s.on(3).call("CLIENT", "UNBLOCK", str(s_id(s, 2)))
        s.read(2)
        s.call("SET", "k", 1)
    want, got = compare(run)
    assert got == want


def s_id(s, i):
    """CLIENT ID of connection i, read from CLIENT LIST (it is blocked)."""
    port = s.on(i).sock.getsockname()[1]
    for line in s.on("info").call("CLIENT", "LIST").splitlines():
        fields = dict(f.split("=", 1) for f in line.split(" ") if "=" in f)
        if fields.get("addr", "").endswith(":%d" % port):
            return int(fields["id"])
    raise KeyError(port)


def test_lazy_expiry_inside_a_write_wraps_the_del():
    # Pipelined so no cron runs between the two: the key is already dead
    # (PXAT 1), so the second command's lookup deletes it.
    def run(s):
        s.pipe(("SET", "k", "v", "PXAT", 1), ("SET", "k", "v2"))
        s.pipe(("SET", "r", "v", "PXAT", 1), ("GET", "r"))
        s.pipe(("RPUSH", "l", "a"), ("PEXPIREAT", "l", 1), ("LPUSH", "l", "b"))
        s.pipe(("SET", "m", "1", "PXAT", 1), ("MULTI",), ("INCR", "m"), ("EXEC",))
        s.pipe(("SET", "d", "1", "PXAT", 1), ("DEL", "d"))
    want, got = compare(run)
    assert got == want


def test_lazy_expiry_with_lazyfree_is_unlink():
    def run(s):
        s.call("CONFIG", "SET", "lazyfree-lazy-expire", "yes")
        s.pipe(("SET", "k", "v", "PXAT", 1), ("GET", "k"))
    want, got = compare(run)
    assert got == want


def test_scan_and_randomkey_expiries_are_not_wrapped():
    def run(s):
        s.pipe(*[("SET", "k%d" % i, "v", "PXAT", 1) for i in range(4)], ("SCAN", 0, "COUNT", 100))
        # Only dead keys: RANDOMKEY deletes every one it draws until none is left.
        s.pipe(*[("SET", "r%d" % i, "v", "PXAT", 1) for i in range(3)], ("RANDOMKEY",))
    want, got = compare(run, sort_runs=("DEL",))
    assert got == want
    assert ("MULTI",) not in want


def test_active_expiry_dels():
    def run(s):
        for i in range(3):
            s.call("SET", "k%d" % i, "v", "PX", 20)
        s.call("SET", "stays", "v")
        s.wait_for("expired_keys", 3)
        s.call("SET", "after", 1)
    want, got = compare(run, sort_runs=("DEL",))
    assert got == want
    assert ("MULTI",) not in want


def test_eviction_dels_come_bare_before_the_refused_write():
    def run(s):
        for i in range(5):
            s.call("SET", "k%d" % i, "v" * 100)
        s.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
        s.call("CONFIG", "SET", "maxmemory", 1)
        s.wait_for("evicted_keys", 5)
        s.call("SET", "x", "y")  # refused: OOM, not propagated
        s.call("CONFIG", "SET", "maxmemory", 0)
        s.call("SET", "z", "1")
    want, got = compare(run, sort_runs=("DEL",))
    assert got == want
    assert ("MULTI",) not in want

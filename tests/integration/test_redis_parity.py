"""test_redis_parity.py -- vigil-node against redis-server 7.0.15, reply for reply.

Owns: one Debian redis-server (/usr/bin/redis-server) and one vigil-node per
module, plus a password-protected pair, on free loopback ports; all are killed
by pid at teardown. Each case sends the same commands to both servers from the
same state and compares the raw reply bytes, error strings included.

The cases are divergences that differential fuzzing found (issue 13) and their
neighbours: score-range parsing (Redis reads bounds with strtod), which check
Redis makes first (WRONGTYPE before options in ZUNION and friends; range before
WRONGTYPE in ZCOUNT and the BYSCORE forms), ZINCRBY taking ZADD's options, -0
scores, CR/LF trimmed from formatted errors, ACL LOG contexts, the HELLO NOAUTH
text and protocol errors. A missing redis-server fails the module: the point of
these tests is the comparison.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import Node, free_port

REDIS_SERVER = "/usr/bin/redis-server"


class RedisServer:
    """A stock redis-server on a free loopback port, no persistence."""

    def __init__(self, password=None):
        if not os.path.exists(REDIS_SERVER):
            pytest.fail("%s is missing: install Debian's redis-server" % REDIS_SERVER)
        self.dir = tempfile.mkdtemp(prefix="vigil-parity-")
        self.port = free_port()
        cmd = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--daemonize", "no", "--dir", self.dir,
               "--logfile", os.path.join(self.dir, "redis.log")]
        if password:
            cmd += ["--requirepass", password]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            if self.proc.poll() is not None:
                pytest.fail("redis-server exited at start")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.02)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class RawConn:
    """One connection; call() returns a whole reply as the raw bytes sent."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def _reply(self, out):
        line = self._line()
        out.append(line)
        kind, n = line[:1], line[1:-2]
        if kind in (b"$", b"=", b"!") and int(n) >= 0:
            while len(self.buf) < int(n) + 2:
                self._fill()
            out.append(self.buf[:int(n) + 2])
            self.buf = self.buf[int(n) + 2:]
        elif kind in (b"*", b"~", b">", b"%", b"|"):
            count = int(n) * (2 if kind in (b"%", b"|") else 1)
            for _ in range(max(count, 0)):
                self._reply(out)

    def call(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(parts))
        out = []
        self._reply(out)
        return b"".join(out)


class Pair:
    """The same commands to redis (r) and vigil (v); mismatches are collected."""

    def __init__(self, rport, vport):
        self.r = RawConn(rport)
        self.v = RawConn(vport)
        self.diffs = []

    def __call__(self, *args):
        a, b = self.r.call(*args), self.v.call(*args)
        if a != b:
            self.diffs.append("%r\n  redis: %r\n  vigil: %r" % (args, a, b))
        return a

    def both(self, *args):
        """Send without comparing (set-up whose reply may differ, e.g. ids)."""
        return self.r.call(*args), self.v.call(*args)

    def check(self):
        assert not self.diffs, "%d replies differ:\n%s" % (len(self.diffs),
                                                           "\n".join(self.diffs[:40]))

    def close(self):
        self.r.close()
        self.v.close()


@pytest.fixture(scope="module")
def servers():
    redis_srv = RedisServer()
    vigil = Node()
    try:
        probe = RawConn(redis_srv.port)
        version = probe.call("info", "server")
        probe.close()
        assert b"redis_version:7.0." in version, "the reference must be redis-server 7.0"
        yield redis_srv.port, vigil.port
    finally:
        alive = vigil.alive()
        vigil.stop()
        redis_srv.stop()
    assert alive, "vigil-node died during the parity tests"


@pytest.fixture
def p(servers):
    pair = Pair(*servers)
    pair("flushall")
    yield pair
    pair.both("config", "set", "zset-max-listpack-entries", "128")
    pair.close()


# ---- score ranges: Redis' zslParseRange is strtod over a C string ----

BOUNDS = ["", " 1", "\t2", "\n1", "\v1", "1\x00junk", "\x001", "(", "( 1", "(\x00", "(1", "inf",
          "-inf", "+inf", "(inf", "(-inf", "(+inf", "infinity", "-Infinity", "INF", "1e400",
          "-1e400", "(1e400", "1e-400", "0x10", "(0x10", "0x1p1", "1.", ".5", "+1", "-0", "(-0",
          "1 ", " 1 ", "nan", "(nan", "-nan", "NaN", "((1", "[1", "x", "1e", "0x", "--1"]


def seed_zset(p, key="z"):
    p("zadd", key, "1", "a", "2", "b", "3", "c", "-5", "d", "inf", "e", "-inf", "f", "16", "g")


@pytest.mark.parametrize("bound", BOUNDS)
def test_score_bounds_parse_like_redis(p, bound):
    seed_zset(p)
    p("config", "set", "zset-max-listpack-entries", "0")
    seed_zset(p, "big")
    for key in ("z", "big", "nokey"):
        p("zcount", key, bound, "+inf")
        p("zcount", key, "-inf", bound)
        p("zrangebyscore", key, bound, "+inf", "withscores")
        p("zrangebyscore", key, "-inf", bound)
        p("zrevrangebyscore", key, "+inf", bound)
        p("zrevrangebyscore", key, bound, "-inf", "limit", "0", "2")
        p("zrange", key, bound, "+inf", "byscore")
        p("zrange", key, "+inf", bound, "byscore", "rev", "withscores")
        p("zrangestore", "dst", key, bound, "inf", "byscore")
        p("zrange", "dst", "0", "-1", "withscores")
    p("zremrangebyscore", "z", bound, bound)
    p("zremrangebyscore", "big", "-inf", bound)
    p("zrange", "z", "0", "-1", "withscores")
    p("zrange", "big", "0", "-1", "withscores")
    p.check()


SCORES = ["0x10", "0X1A", "1e400", "-1e400", "1e-400", "5e-324", " 1", "1 ", "", "1\x00", "\x001",
          "inf", "-infinity", "nan", "+1", ".5", "1.", "1e", "1" + "0" * 6000,
          "0." + "0" * 6000 + "1", "1." + "0" * 6000, "9007199254740993", "0.1", "1e21", "1e17"]


@pytest.mark.parametrize("score", SCORES, ids=lambda s: repr(s)[:20])
def test_zadd_scores_and_weights_parse_like_redis(p, score):
    p("zadd", "z", score, "m")
    p("zscore", "z", "m")
    p("zadd", "z", "incr", score, "m")
    p("zincrby", "z", score, "n")
    p("zrange", "z", "0", "-1", "withscores")
    p("zadd", "w", "2", "x")
    p("zunion", "2", "w", "w", "weights", score, "1", "withscores")
    p("zinterstore", "dst", "1", "w", "weights", score)
    p("zrange", "dst", "0", "-1", "withscores")
    p.check()


# ---- which error Redis reports first ----

SETOP_OPTIONS = [["weights", "x", "1"], ["weights", "1", "nan"], ["weights", "2"], ["weights"],
                 ["aggregate", "foo"], ["aggregate"], ["withscores"], ["limit", "-1"],
                 ["limit", "x"], ["foo"], ["aggregate", "min", "aggregate", "max", "withscores"],
                 ["limit", "1", "limit", "0"]]


@pytest.mark.parametrize("cmd", ["zunion", "zinter", "zdiff", "zintercard", "zunionstore",
                                 "zinterstore", "zdiffstore"])
def test_set_operations_report_wrongtype_before_options(p, cmd):
    p("zadd", "z", "1", "a", "2", "b")
    p("set", "str", "v")
    p("sadd", "s", "a", "c")
    head = [cmd, "dst"] if cmd.endswith("store") else [cmd]
    for keys in (["z", "str"], ["str", "z"], ["z", "s"], ["nokey", "z"]):
        for opts in SETOP_OPTIONS + [[]]:
            p(*head, str(len(keys)), *keys, *opts)
    for numkeys in ("0", "-1", "x", "3", "99999999999999999999"):
        p(*head, numkeys, "str", "z")
    if cmd.endswith("store"):
        p(cmd, "str", "1", "z")
        p("type", "str")
    p.check()


def test_range_errors_come_before_wrongtype_in_byscore_and_zcount(p):
    p("set", "str", "v")
    for lo, hi in (("x", "1"), ("1", "x"), ("(", "1"), ("", ""), (" 1", "2"), ("nan", "1")):
        p("zcount", "str", lo, hi)
        p("zrangebyscore", "str", lo, hi)
        p("zrevrangebyscore", "str", hi, lo)
        p("zremrangebyscore", "str", lo, hi)
        p("zrange", "str", lo, hi, "byscore")
        p("zrangestore", "dst", "str", lo, hi, "byscore")
    p("zrangebyscore", "str", "0", "1", "limit", "x", "1")
    p("zrangebyscore", "str", "0", "1", "foo")
    p("zcount", "str", "-inf", "+inf")
    p.check()


# ---- ZINCRBY is ZADD INCR, options included ----

def test_zincrby_takes_zadd_options(p):
    p("zadd", "z", "1", "m")
    for word in ("CH", "ch", "NX", "XX", "GT", "LT", "INCR", "nx"):
        p("zincrby", "z", word, "m")
        p("zincrby", "nokey", word, "m")
    p("zincrby", "z", "0", "m")  # unchanged score: still the score, not nil
    p("zadd", "z", "incr", "0", "m")
    p("zadd", "z", "xx", "incr", "1", "absent")
    p("zadd", "z", "gt", "incr", "-1", "m")
    p("zadd", "z", "lt", "incr", "0", "m")
    p("zadd", "z", "nx", "incr", "1", "m")
    p("zrange", "z", "0", "-1", "withscores")
    p.check()


# ---- -0 ----

def test_negative_zero_scores(p):
    for proto in ("2", "3"):
        p.both("hello", proto)
        p("del", "lp", "sl", "u", "f", "h")
        p("zadd", "lp", "-0", "m")  # a listpack stores -0 as the integer 0
        p("zscore", "lp", "m")
        p("zrange", "lp", "0", "-1", "withscores")
        p("zincrby", "lp", "-0", "n")  # new member: the reply is the -0 added
        p("zincrby", "lp", "-0", "n")  # read back as 0 from the listpack
        p("zmscore", "lp", "m", "n")
        p("config", "set", "zset-max-listpack-entries", "0")
        p("zadd", "sl", "-0", "m")  # a skiplist keeps -0
        p("zscore", "sl", "m")
        p("zincrby", "sl", "0", "m")  # -0 + 0 == 0: the reply is 0, the stored -0 stays
        p("zscore", "sl", "m")
        p("zrange", "sl", "0", "-1", "withscores")
        p("zunion", "2", "sl", "lp", "withscores")
        p("zunion", "2", "sl", "lp", "weights", "-0", "0", "aggregate", "min", "withscores")
        p("zunion", "2", "sl", "lp", "weights", "0", "-0", "aggregate", "max", "withscores")
        p("zdiff", "1", "sl", "withscores")
        p("config", "set", "zset-max-listpack-entries", "128")
        p("zunionstore", "u", "2", "sl", "sl")
        p("zrange", "u", "0", "-1", "withscores")
        p("set", "f", "-0")
        p("incrbyfloat", "f", "-0")
        p("incrbyfloat", "nf", "-0.0")
        p("hincrbyfloat", "h", "a", "-0")
        p("hset", "h", "b", "-0")
        p("hincrbyfloat", "h", "b", "-0")
    p.both("hello", "2")
    p.check()


def test_set_operation_aggregates_follow_redis(p):
    p("config", "set", "zset-max-listpack-entries", "2")
    p("zadd", "a", "1", "x", "inf", "y", "-0", "z", "0", "w")
    p("zadd", "b", "-inf", "y", "0", "z", "-0", "w")
    p("zadd", "c", "0.1", "x", "0.2", "y", "0.3", "z")
    p("sadd", "s", "x", "z", "q")
    for agg in ("sum", "min", "max"):
        for w in (["1", "1", "1"], ["0", "inf", "1"], ["-0", "0", "-1"], ["inf", "-inf", "0"]):
            for op in ("zunion", "zinter"):
                p(op, "3", "a", "b", "c", "weights", *w, "aggregate", agg, "withscores")
                p(op, "3", "c", "s", "a", "weights", *w, "aggregate", agg, "withscores")
            p("zunionstore", "dst", "3", "a", "b", "s", "weights", *w, "aggregate", agg)
            p("zrange", "dst", "0", "-1", "withscores")
            p("object", "encoding", "dst")
    p("zdiff", "2", "a", "b", "withscores")
    p("zintercard", "2", "a", "b", "limit", "1")
    p.check()


# ---- options and argument order in the ZRANGE family and friends ----

RANGE_OPTIONS = [[], ["withscores"], ["withscores", "withscores"], ["rev"], ["rev", "rev"],
                 ["byscore"], ["byscore", "byscore"], ["bylex", "byscore"], ["bylex"],
                 ["limit", "0", "1"], ["limit", "0", "-1"], ["limit", "5", "-1"], ["limit", "x", "1"],
                 ["limit", "1"], ["byscore", "limit", "-1", "2"], ["byscore", "limit", "1", "-5"],
                 ["bylex", "withscores"], ["limit", "1", "1", "limit", "0", "2", "byscore"], ["foo"]]


def test_zrange_family_option_rules(p):
    p("zadd", "z", "1", "a", "2", "b", "2", "bb", "3", "c")
    for opts in RANGE_OPTIONS:
        for lo, hi in (("0", "-1"), ("-inf", "+inf"), ("-", "+"), ("[a", "(c")):
            p("zrange", "z", lo, hi, *opts)
            p("zrangestore", "dst", "z", lo, hi, *opts)
            for cmd in ("zrevrange", "zrangebyscore", "zrevrangebyscore", "zrangebylex",
                        "zrevrangebylex"):
                p(cmd, "z", lo, hi, *opts)
    p.check()


def test_lex_ranges_on_mixed_scores_follow_the_listpack_walk(p):
    p("zadd", "z", "1", "a", "2", "b", "3", "c", "-5", "d", "9", "e", "-9", "f", "2", "bb")
    for lo, hi in (("[a", "(c"), ("-", "[c"), ("[b", "+"), ("(a", "[e"), ("[c", "[a"), ("-", "+")):
        p("zrangebylex", "z", lo, hi)
        p("zrevrangebylex", "z", hi, lo)
        p("zrevrangebylex", "z", hi, lo, "limit", "1", "2")
        p("zrange", "z", lo, hi, "bylex", "limit", "0", "3")
        p("zlexcount", "z", lo, hi)
    p("zremrangebylex", "z", "[b", "[c")
    p("zrange", "z", "0", "-1")
    p.check()


def test_zscan_zrandmember_and_bzmpop_argument_order(p):
    p("zadd", "z", "1", "a", "2", "b", "3", "c")
    p("set", "str", "v")
    for key in ("z", "str", "nokey"):
        for cursor in ("0", "", "-1", "+0", "0\x00x", " 0", "x", "18446744073709551616",
                       "0" * 30):
            p("zscan", key, cursor)
            p("zscan", key, cursor, "count")
            p("zscan", key, cursor, "count", "0")
            p("zscan", key, cursor, "match", "*", "count", "5", "count", "1")
        for count in ("-9223372036854775808", "9223372036854775807", "4611686018427387904",
                      "x", "0", "3", "10"):
            p("zrandmember", key, count)
            p("zrandmember", key, count, "withscores")
            p("zrandmember", key, count, "foo")
    for timeout in ("x", "-1", "nan", "1e400"):
        p("bzmpop", timeout, "1", "z", "foo")
        p("bzmpop", timeout, "2", "z", "str", "min", "count", "0")
        p("bzmpop", timeout, "1", "str", "min")
    p("bzmpop", "0", "2", "z", "str", "max", "count", "2")
    p.check()


def test_mpop_argument_order(p):
    p("rpush", "l", "a", "b")
    p("zadd", "z", "1", "a", "2", "b")
    for cmd, where in (("lmpop", "left"), ("zmpop", "max")):
        block = "b" + cmd
        for args in (["-1", "k", where], ["1", "k", where, "count", "0"],
                     ["1", "k", where, "count", "px", ""], ["1", "k", where, "count", "1", "x"],
                     ["1", "k", where, "count", "1", "count", "1"], ["1", "k", "foo"],
                     ["3", "k", where], ["1", "k", where, "count"]):
            p(cmd, *args)
            p(block, "-1", *args)
            p(block, "x", *args)
        p(block, "-1", "1", "k", where)
    p("set", "k:a", "x")
    p("zadd", "k:b", "1", "e")
    p("rpush", "k:c", "e")
    p("multi")
    p("bzmpop", "0.001", "3", "k:b", "k:d", "k:a", "max")
    p("zmpop", "3", "k:b", "k:d", "k:a", "min")
    p("blmpop", "0.001", "3", "k:c", "k:d", "k:a", "left")
    p("exec")
    p.check()


SCAN_OPTIONS = ([], ["count", "0"], ["count", "abc"], ["count", "1", "count", "2"], ["match"],
                ["foo", "1"])


def test_scan_cursor_and_option_order(p):
    # Only cursors whose walk does not depend on the hash table's layout.
    for cursor in ("", "0", "18446744073709551616", "18446744073709551615", "-1", "x"):
        for opts in SCAN_OPTIONS:
            p("scan", cursor, *opts)
    p("hset", "h", "f", "v")
    p("sadd", "s", "m")
    p("zadd", "z", "1", "a")
    p("set", "str", "v")
    for cursor in ("", "0", "18446744073709551616", "18446744073709551615", "-1", "x"):
        for opts in SCAN_OPTIONS:
            for cmd in ("hscan", "sscan", "zscan"):
                for key in ("h", "s", "z", "str", "nokey"):
                    if key in ("str", "nokey") or cursor in ("", "0", "18446744073709551616", "x"):
                        p(cmd, key, cursor, *opts)
    p("zadd", "zl", "-2e17", "a", "1.5", "b", "3e5", "c", "4611686018427387904", "d", "9.3e18",
      "e", "-4611686018427387904", "f", "1e15", "g", "-0", "h")
    p("zscan", "zl", "0")
    p.both("config", "set", "zset-max-listpack-entries", "0")
    p("zadd", "zs", "-2e17", "a")  # one member: the hash table order is not compared
    p("zscan", "zs", "0")
    p.check()


def test_randmember_count_order(p):
    p("hset", "h", "f", "v")
    p("sadd", "s", "m")
    p("zadd", "z", "1", "a")
    p("set", "str", "v")
    for cmd in ("zrandmember", "hrandfield", "srandmember"):
        for key in ("h", "s", "z", "str", "nokey"):
            for count in ("9223372036854775807", "-9223372036854775808", "-9223372036854775807",
                          "-4611686018427387904", "x", "0", "-3"):
                if count.startswith("-9") or count.startswith("-4"):
                    if key not in ("str", "nokey"):
                        continue  # redis would really send that many
                p(cmd, key, count)
                p(cmd, key, count, "withscores" if cmd == "zrandmember" else "withvalues")
    p.check()


def test_zrange_option_combinations(p):
    p("zadd", "k", "1", "a", "2", "b")
    p("zrange", "k", "-2", "1", "limit", "0", "-1")
    for opts in (["rev", "rev"], ["bylex", "bylex"], ["bylex", "byscore"], ["byscore", "bylex"],
                 ["bylex", "withscores"], ["withscores", "bylex"]):
        p("zrange", "k", "-", "+", *opts)
        p("zrange", "k", "0", "1", *opts)
    p("zrevrange", "k", "0", "1", "withscores", "withscores")
    p("zrangebylex", "k", "-", "+", "withscores")
    p.check()


def test_lex_ranges_stop_at_the_first_element_outside(p):
    p("zadd", "k", "10", "x y", "inf", "-1")
    p("zremrangebylex", "k", "-", "[1")
    p("zadd", "j", "10", "x y", "inf", "-1", "-3", "b", "5", "a")
    for lo, hi in (("-", "[1"), ("(", "+"), ("[a", "[z"), ("-", "+"), ("[-1", "[x y")):
        p("zrangebylex", "j", lo, hi)
        p("zrevrangebylex", "j", hi, lo)
        p("zlexcount", "j", lo, hi)
        p("zrangestore", "d", "j", lo, hi, "bylex")
    p("zremrangebylex", "j", "-", "[1")
    p("zrange", "j", "0", "-1")
    p.check()


# ---- formatted errors lose a trailing CR/LF ----

def test_unsupported_option_trims_line_ends(p):
    p("set", "k", "v")
    for opt in ("foo\r\n", "foo\n", "\r\n", "a\rb\r\r", "\nfoo", "x" * 600):
        for cmd in ("expire", "pexpire", "expireat", "pexpireat"):
            p(cmd, "k", "100", opt)
    p.check()


# ---- ACL LOG ----

def acl_log_normalised(raw):
    """ACL LOG without the fields that differ by nature (age, client ids)."""
    raw = re.sub(rb"\$11\r\nage-seconds\r\n[^\r]*\r\n[^\r]*\r\n", b"", raw)
    return re.sub(rb"\$11\r\nclient-info\r\n\$\d+\r\n[^\r]*\r\n", b"", raw)


def test_acl_log_context_inside_multi(servers):
    admin = Pair(*servers)
    admin.both("acl", "log", "reset")
    admin.both("acl", "setuser", "pu", "reset", "on", ">pw", "+@all", "-set", "~k*", "&ch*")
    user = Pair(*servers)
    user("auth", "pu", "pw")
    user("multi")
    user("set", "k1", "v")  # denied when queued: context "multi"
    user("get", "other")
    user("publish", "zz", "m")
    user("exec")
    user("multi")
    user("auth", "pu", "bad")  # AUTH run by EXEC: context "multi", object "auth"
    user("AUTH", "nouser", "bad")
    user("exec")
    user("auth", "bad", "bad")  # toplevel
    user("set", "k2", "v")
    user("multi")
    user("get", "k2")
    admin.both("acl", "setuser", "pu", "-get")
    user("exec")  # rules changed since queuing: EXEC's own NOPERM text
    logs = admin.both("acl", "log")
    user.check()
    assert acl_log_normalised(logs[0]) == acl_log_normalised(logs[1]), logs
    admin.both("acl", "deluser", "pu")
    admin.close()
    user.close()


# ---- HELLO without AUTH ----

@pytest.fixture(scope="module")
def auth_servers():
    redis_srv = RedisServer(password="pw")
    vigil = Node(password="pw")
    try:
        yield redis_srv.port, vigil.port
    finally:
        vigil.stop()
        redis_srv.stop()


def test_hello_noauth_wording(auth_servers):
    p = Pair(*auth_servers)
    for args in (("hello",), ("hello", "3"), ("hello", "2"), ("hello", "3", "setname", "x"),
                 ("hello", "4"), ("hello", "3", "auth", "default", "bad"), ("ping",)):
        p(*args)
    p.check()
    p.close()


# ---- protocol errors (each ends with the server closing the connection) ----

def raw_exchange(port, payload):
    """Send payload on a new connection; everything until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(payload)
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)


def past_line_limit(prefix):
    """prefix padded just past Redis' 64 KB limit for a line still waiting for
    its end. Only just past: the server has then read every byte before it
    closes, so the close is a FIN and the error reply is never lost to a RST."""
    return prefix + b"1" * (65536 + 16 - len(prefix))


PROTOCOL_PAYLOADS = [
    b"*1048577\r\nx\r\n",  # a count Redis accepts (<= INT_MAX), then a bad bulk header
    b"*9999999999\r\n",
    b"*2147483648\r\n",
    b"*2147483647\r\n:1\r\n",
    b"*1\r\n$9999999999999\r\n",
    b"*1\r\n$536870913\r\n",
    b"*1\r\n$-1\r\n",
    b"*1\r\n$x\r\n",
    b"*1\r\n\r\n",
    b"*x\r\n",
    b"*+1\r\n",
    past_line_limit(b"*"),
    past_line_limit(b"*1\r\n$"),
    past_line_limit(b"PING"),
    b"PING \"a\r\n",
    b"PING 'a\r\n",
    b"PING \"a\"b\r\n",
    past_line_limit(b"*1\x00\r\n"),  # a NUL hides the line end from Redis' strchr()
    past_line_limit(b"*1\r\n$4\x00\r\nPING\r\n"),
    past_line_limit(b"PI\x00NG\r\nPING\r\n"),
    b"PING\r\n*1\r\n$4\r\nPING\r\n*1\r\nfoo\r\n",
]


@pytest.mark.parametrize("payload", PROTOCOL_PAYLOADS, ids=lambda b: repr(b[:24]))
def test_protocol_errors(servers, payload):
    rport, vport = servers
    assert raw_exchange(rport, payload) == raw_exchange(vport, payload)


# Each ends in a protocol error, so the server closes: limits at the edge are
# shown to pass by reaching the bad header after them.
UNAUTH_PAYLOADS = [b"*11\r\n", b"*10\r\n$1\r\nx\r\n:\r\n", b"*1\r\n$16385\r\n",
                   b"*2\r\n$16384\r\n" + b"x" * 16384 + b"\r\n:\r\n", b"*99999999999\r\n"]


@pytest.mark.parametrize("payload", UNAUTH_PAYLOADS, ids=lambda b: repr(b[:24]))
def test_unauthenticated_protocol_limits(auth_servers, payload):
    rport, vport = auth_servers
    assert raw_exchange(rport, payload) == raw_exchange(vport, payload)


# ---- DB indexes: Redis reads them as C ints, SWAPDB parses both first ----

def test_db_index_errors(p):
    for a, b in (("-1", "abc"), ("abc", "-1"), ("1", "99"), ("99", "x"), ("4294967296", "0"),
                 ("0", "4294967296"), ("0", "1")):
        p("swapdb", a, b)
    for idx in ("4294967296", "-4294967296", "2147483648", "abc", "99", "-1", "0"):
        p("select", idx)
    p("set", "x", "1")
    p("move", "x", "4294967296")
    p("swapdb", "0", "1")
    p("swapdb", "0", "1")
    p.check()


# ---- PUBSUB introspection: flat arrays in RESP3, at most one pattern ----

def test_pubsub_introspection_replies(p):
    for proto in ("2", "3"):
        p.both("hello", proto)
        p("pubsub", "numsub", "a", "b")
        p("pubsub", "shardnumsub", "a", "b")
        p("pubsub", "numsub")
        p("pubsub", "CHANNELS", "a", "b")
        p("pubsub", "shardchannels", "a", "b", "c")
        p("pubsub", "channels", "nomatch*")
        p("pubsub", "shardchannels", "x")
    p.both("hello", "2")
    p.check()


# ---- string encodings survive RENAME, COPY and MOVE as in Redis ----

def test_string_encodings_survive_rename_copy_move(p):
    p("incrbyfloat", "f", "9223372036854775807")
    p("set", "big", "12345678901234567890")
    p("set", "i", "123")
    p("setrange", "r", "0", "42")
    for key in ("f", "big", "i", "r"):
        p("object", "encoding", key)
        p("copy", key, key + ":c")
        p("object", "encoding", key + ":c")
        p("rename", key, key + ":n")
        p("object", "encoding", key + ":n")
        p("move", key + ":n", "1")
    p("select", "1")
    for key in ("f", "big", "i", "r"):
        p("object", "encoding", key + ":n")
    p("select", "0")
    p.check()


# ---- WATCH: flush/swap touch only keys that exist; expired keys ----

def watch_then(p, db, setup, *change):
    p("select", db)
    for cmd in setup:
        p(*cmd)
    if any(c[3:5] == ("px", "1") for c in setup if c[0] == "set"):
        time.sleep(0.01)  # let it be logically expired (either reply agrees)
    p("watch", "k:c")
    p(*change)
    p("multi")
    p("ping")
    p("exec")
    p("flushall")
    p("select", "0")


def test_watch_survives_changes_that_leave_the_key_alone(p):
    expired = [("set", "k:c", "v", "px", "1")]
    watch_then(p, "3", [], "swapdb", "1", "3")
    watch_then(p, "3", [("select", "1"), ("set", "k:c", "1"), ("select", "3")], "swapdb", "1", "3")
    watch_then(p, "3", [("set", "other", "1")], "swapdb", "1", "3")
    watch_then(p, "3", [("set", "k:c", "1")], "swapdb", "1", "3")
    watch_then(p, "0", [], "flushdb")
    watch_then(p, "0", [("set", "other", "1")], "flushall")
    watch_then(p, "0", [("set", "k:c", "1")], "flushdb")
    watch_then(p, "0", expired, "get", "k:c")
    watch_then(p, "0", expired, "del", "k:c")
    watch_then(p, "0", expired, "set", "k:c", "x")
    watch_then(p, "0", expired, "swapdb", "0", "1")
    p.check()


# ---- HELLO acts on each option as it reads it ----

def test_hello_option_order(p):
    p("hello", "2", "setname", "a b", "LEN")
    p("hello", "3", "auth", "u1", "x", "x")
    p("hello", "2", "setname", "ok", "x")
    p("client", "getname")
    p("hello", "2", "auth", "default", "nopass", "bogus")
    p("hello", "2", "setname", "", "setname", "n2", "auth", "u", "p")
    p("client", "getname")
    p.check()


# ---- CONFIG SET: a name and its alias are two entries in Redis 7.0 ----

def test_config_set_name_and_alias_are_no_duplicate(p):
    p("config", "set", "zset-max-listpack-value", "32", "zset-max-ziplist-value", "70")
    p("config", "get", "zset-max-listpack-value")
    p("config", "set", "zset-max-ziplist-value", "64", "ZSET-max-ziplist-value", "64")
    p("config", "set", "zset-max-listpack-value", "64", "zset-max-listpack-value", "64")
    p("config", "set", "zset-max-listpack-value", "64")
    p.check()


def test_config_set_memory_values_without_digits(p):
    for v in ("", "k", "kb", "-", "x", "1k"):
        p("config", "set", "zset-max-listpack-value", v)
        p("config", "get", "zset-max-listpack-value")
        p("config", "set", "maxmemory", v)
        p("config", "get", "maxmemory")
    p("config", "set", "maxmemory", "0")
    p("config", "set", "zset-max-listpack-value", "64")
    p.check()


# ---- ACL: rules, their descriptions and the ACL subcommands' arities ----

def acl_rules_sorted(raw):
    """Sort the single-command rules (+get, -config|set) of an ACL reply:
    Redis emits them in its command table's hash order, which varies."""
    def fix(m):
        words = m.group(0).split(b" ")
        idx = [i for i, w in enumerate(words) if w[:1] in (b"+", b"-") and w[1:2] != b"@"]
        for i, w in zip(idx, sorted(words[i] for i in idx)):
            words[i] = w
        return b" ".join(words)
    return re.sub(rb"[^\r\n]*[+-]@all[^\r\n]*", fix, raw)


ACL_RULE_SETS = [
    ["+select|0"], ["-@all", "-set"], ["+@all", "-get", "+get"], ["+get", "-get"],
    ["+@read", "-@read"], ["allcommands", "-get", "nocommands", "+set"],
    ["+config|get", "+config"], ["+config", "-config|get"], ["-@all", "+@string", "-get", "+get"],
    ["+@all", "-@string", "+get"], ["+@read", "-@string", "+@hash", "-@dangerous", "+select|0",
                                    "+select|1", "+get|x"],
    ["+@all", "-@dangerous", "+@read", "-@hash", "-set", "+config|get"],
    ["-@all", "+@read", "+@write", "-@dangerous", "+acl|whoami"], ["+@all", "-@read", "-@write"],
    ["+xadd", "-cluster|info", "skip-sanitize-payload"], ["reset"], ["sanitize-payload", "on"],
    ["+@all", "-@string", "-@hash", "-@read", "+get", "+config|get", "-config"],
    ["-@all", "+@dangerous", "-@hash", "+@read"], ["", "on", "+select|0", "-select"],
]


@pytest.mark.parametrize("rules", ACL_RULE_SETS, ids=lambda r: " ".join(r) or "empty")
def test_acl_rule_descriptions_reduce_like_redis(p, rules):
    p.both("acl", "deluser", "du")
    p("acl", "setuser", "du", *rules)
    a, b = p.both("acl", "getuser", "du")
    assert acl_rules_sorted(a) == acl_rules_sorted(b)
    a, b = p.both("acl", "list")
    assert acl_rules_sorted(a) == acl_rules_sorted(b)
    p.both("acl", "deluser", "du")
    p.check()


ACL_BAD_RULES = ["+config|get|x", "+select|", "+", "-", "+@", "+get|x|y", "-get|x", "-config|",
                 "+|x", "+nosuchcmd", "~a b", "&a\tb", "%X~z", "%RR~z", "(on)", "bogus", "<nopw",
                 "#abc", "!" + "a" * 64]


@pytest.mark.parametrize("rule", ACL_BAD_RULES)
def test_acl_setuser_rule_errors(p, rule):
    p.both("acl", "deluser", "de")
    p("acl", "setuser", "de", rule)
    p("acl", "setuser", "de", "~*", "~x")
    p("acl", "setuser", "de", "&*", "&x")
    p("acl", "setuser", "de", "allkeys", "~*", "resetkeys", "~y", "allchannels", "resetchannels")
    p("acl", "getuser", "de")
    p.both("acl", "deluser", "de")
    p.check()


@pytest.mark.parametrize("name", ["1 ", "a\tb", "a\x00b", "\n", "", "ok"])
def test_acl_setuser_refuses_names_with_spaces(p, name):
    p("acl", "setuser", name, "on")
    p("acl", "users")
    p.both("acl", "deluser", name)
    p.check()


def test_acl_first_args_allow_a_denied_command(servers):
    admin = Pair(*servers)
    admin.both("acl", "setuser", "fa", "reset", "on", ">pw", "~*", "+select|0", "+select|3")
    user = Pair(*servers)
    user("auth", "fa", "pw")
    for db in ("0", "3", "1", "SELECT"):
        user("select", db)
    user("acl", "dryrun", "fa", "select", "0")  # not allowed to run ACL itself
    admin("acl", "dryrun", "fa", "select", "3")
    admin("acl", "dryrun", "fa", "select", "2")
    admin.both("acl", "deluser", "fa")
    user.check()
    admin.check()
    admin.close()
    user.close()


def test_acl_subcommand_arities_and_texts(p):
    for args in (("log", "-1"), ("log", "0"), ("log", "GET", "-1"), ("log", "RESET", "x"),
                 ("log", "x"), ("cat", "x"), ("cat", "a", "b"), ("genpass", "0"),
                 ("genpass", "-1"), ("genpass", "4097"), ("genpass", "a"), ("genpass", "1", "2"),
                 ("dryrun", "default", "CONFIG"), ("dryrun", "default", "CONFIG", "x"),
                 ("dryrun", "default", "config", "get", "maxmemory"),
                 ("dryrun", "nouser", "get", "x"), ("dryrun", "default", "nocmd"),
                 ("dryrun", "default", "get")):
        p("acl", *args)
    p.check()


# ---- CONFIG SET: numeric and memory values, Redis' parsing and bounds ----

NUMERIC_VALUES = ["-1", "-0", "0", "1", "abc", "", "1k", "-1k", "99999999999999999999",
                  "9223372036854775807", "9223372036854775808", "18446744073709551615",
                  "18446744073709551616", "4294967295", "4294967296", "2147483647", "2147483648",
                  "-2147483648", "-2147483649", "1.5", " 1", "0x10", "1gb", "20000000000gb",
                  "9999999999g", "65", "1048576", "-100", "0777", "0778", "1kb", "01k"]
NUMERIC_PARAMS = ["timeout", "tcp-keepalive", "acllog-max-len", "auto-aof-rewrite-percentage",
                  "auto-aof-rewrite-min-size", "hz", "proto-max-bulk-len",
                  "client-query-buffer-limit", "maxmemory", "maxmemory-samples", "lfu-log-factor",
                  "lfu-decay-time", "active-expire-effort", "zset-max-listpack-entries",
                  "zset-max-listpack-value", "slowlog-log-slower-than", "slowlog-max-len",
                  "latency-monitor-threshold", "hash-max-listpack-entries",
                  "hash-max-listpack-value", "set-max-intset-entries", "list-max-listpack-size",
                  "list-compress-depth"]


@pytest.mark.parametrize("param", NUMERIC_PARAMS)
def test_config_set_numeric_values_parse_like_redis(p, param):
    orig = p.both("config", "get", param)
    value = re.findall(rb"\r\n([^\r\n$*]*)\r\n", orig[0])[-1]
    try:
        for v in NUMERIC_VALUES:
            p("config", "set", param, v)
            p("config", "get", param)
    finally:
        p.both("config", "set", param, value)
    p("config", "set", "maxclients", "-1")
    p("config", "set", "maxclients", "0")
    p.check()


# ---- SLOWLOG: a blocked command is logged when it is served ----

def slowlog_commands(raw):
    """The argument vectors of a raw SLOWLOG GET reply, newest first, without
    the INFO polls (their number depends on timing)."""
    found = re.findall(rb"\*\d+\r\n((?:\$\d+\r\n[^\r]*\r\n)+)\$\d+\r\n127\.0\.0\.1", raw)
    return [e for e in found if not e.startswith(b"$4\r\ninfo\r\n")]


def test_slowlog_logs_blocked_commands_when_served(servers):
    admin = Pair(*servers)
    admin.both("config", "set", "slowlog-log-slower-than", "0")
    admin.both("slowlog", "reset")
    blocker = Pair(*servers)
    try:
        for conn in (blocker.r, blocker.v):
            conn.sock.sendall(b"*3\r\n$5\r\nBLPOP\r\n$2\r\nbk\r\n$1\r\n0\r\n")
        for conn in (admin.r, admin.v):  # wait until both are blocked
            while b"blocked_clients:1\r\n" not in conn.call("info", "clients"):
                time.sleep(0.01)
        first = admin.both("slowlog", "get", "-1")
        admin("lpush", "bk", "v")
        for conn in (blocker.r, blocker.v):
            out = []
            conn._reply(out)
            assert b"".join(out) == b"*2\r\n$2\r\nbk\r\n$1\r\nv\r\n"
        admin("rpush", "bk2", "a", "b")
        blocker("blpop", "bk2", "0")  # served at once: logged by the call itself
        second = admin.both("slowlog", "get", "-1")
        admin.check()
        blocker.check()
        assert slowlog_commands(first[0]) == slowlog_commands(first[1])
        assert slowlog_commands(second[0]) == slowlog_commands(second[1])
        assert any(b"BLPOP" in e and b"bk\r\n" in e for e in slowlog_commands(second[0]))
    finally:
        admin.both("config", "set", "slowlog-log-slower-than", "10000")
        admin.both("del", "bk", "bk2")
        admin.close()
        blocker.close()


def test_slowlog_trims_only_when_a_command_runs(p):
    p.both("config", "set", "slowlog-log-slower-than", "0")
    p.both("slowlog", "reset")
    for i in range(5):
        p("set", "k%d" % i, "v")
    p("config", "set", "slowlog-max-len", "2")
    p("slowlog", "len")  # Redis trims when a command is logged, not on SET
    p("slowlog", "len")
    p("config", "set", "slowlog-max-len", "0")
    p("slowlog", "len")
    p.both("config", "set", "slowlog-max-len", "128")
    p.both("config", "set", "slowlog-log-slower-than", "10000")
    p.check()


# ---- COMMAND GETKEYS: Redis' getkeys fallback and commands vigil lacks ----

def test_command_getkeys_numkeys_fallback_and_keyless_commands(p):
    for args in (("zdiffstore", "k", "1e400", "k2"), ("zunionstore", "k", "1.5", "a", "b"),
                 ("zunionstore", "k", " 2", "a", "b"), ("zunionstore", "k", "+2", "a", "b"),
                 ("zunionstore", "k", "99999999999999999999", "a", "b"),
                 ("zunionstore", "k", "0x1", "a", "b"), ("zunionstore", "k", "3abc", "a", "b"),
                 ("zunionstore", "k", "0", "a"), ("zunionstore", "k", "2", "a", "b"),
                 ("zintercard", "1e400", "a"), ("lmpop", "1e400", "a", "left"),
                 ("blmpop", "0", "1e400", "a", "left"), ("bzmpop", "0", "2.5", "a", "b", "min"),
                 ("zmpop", "2.5", "a", "b", "min"), ("sintercard", "1e3", "a"),
                 ("zunion", "2x", "a", "b"), ("zinter", "1e400", "a", "b"), ("sync", "a"),
                 ("psync", "a", "b"), ("cluster", "info"), ("client", "tracking", "on"),
                 ("client", "nosuch"), ("nosuch", "a"), ("config", "get", "x")):
        p("command", "getkeys", *args)
    p.check()


def test_acl_key_checks_use_the_getkeys_fallback(servers):
    admin = Pair(*servers)
    admin.both("acl", "setuser", "gk", "reset", "on", ">pw", "+@all", "~a*")
    for args in (("zunionstore", "b", "1.5", "a1", "a2"), ("zunionstore", "a", "1.5", "b", "a"),
                 ("zunionstore", "a0", "1.5", "a1", "b"), ("zinter", "1e400", "b")):
        admin("acl", "dryrun", "gk", *args)
    admin.both("acl", "deluser", "gk")
    admin.check()
    admin.close()


# ---- EXEC refused before it runs: EXECABORT, the transaction discarded ----

def test_exec_rejections_abort_the_transaction(servers):
    admin = Pair(*servers)
    admin.both("acl", "setuser", "eu", "reset", "on", ">pw", "+@all", "-exec", "~*")
    p = Pair(*servers)
    for args in (("exec", "x"), ("multi",), ("exec", "x"), ("exec",), ("auth", "eu", "pw"),
                 ("multi",), ("set", "a", "b"), ("exec",), ("exec",), ("get", "a"),
                 ("auth", "default", "x"), ("subscribe", "ch"), ("exec",), ("unsubscribe",)):
        p(*args)
    logs = admin.both("acl", "log", "1")
    assert acl_log_normalised(logs[0]) == acl_log_normalised(logs[1]), logs
    admin.both("acl", "deluser", "eu")
    p.check()
    admin.check()
    p.close()
    admin.close()


def test_exec_without_auth_aborts(auth_servers):
    p = Pair(*auth_servers)
    p("exec")
    p("multi")
    p("auth", "pw")
    p("exec")
    p.check()
    p.close()


def test_lex_range_on_listpack_with_mixed_scores_brief_case(p):
    p("zadd", "k", ".5", "9223372036854775807", "-0.0", "x", "-0.0", b"\x00\xff", "10", "abc")
    p("zrevrangebylex", "k", "[x y", "(a")
    p("zrangebylex", "k", "(a", "[x y")
    p("zlexcount", "k", "(a", "[x y")
    p("zrevrangebylex", "k", "+", "-", "limit", "1", "2")
    p("zrange", "k", "[x y", "(a", "bylex", "rev")
    p.check()


def test_client_output_buffer_limit_default_is_redis(servers):
    fresh = Pair(*servers)
    fresh("config", "get", "client-output-buffer-limit")
    fresh.check()
    fresh.close()

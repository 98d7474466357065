"""dfz_exec.py -- run one step on a redis/vigil pair and collect comparable parts.

Owns: a Pair (one redis-server and one vigil-node, each with client
connections A, B, S and a hidden connection H that is never part of the
command stream), the MULTI queue bookkeeping used to compare EXEC replies
element by element, the S drain (after every step while S is in use, a
"PING dfz-sync" on S collects the pub/sub messages that step caused), the
blocking macro (A blocks, H polls INFO until A is blocked, B feeds the key)
and keyspace snapshots used for state checks and resynchronisation.

A step produces a list of Part(label, name, mode, redis_reply, vigil_reply).
VigilDown is raised when vigil dies, hangs or trips a sanitizer; a closed
connection with vigil alive becomes the pseudo-reply ("!", b"connection
closed") and is compared like any other reply.
"""
import time

from dfz_compare import NEAR_TOLERANCE, command_name, first_difference, mode_for
from dfz_grammar import CONFIG_SETTABLE, USERS, Step
from dfz_resp import Conn, ConnLost, Server

SYNC = [b"PING", b"dfz-sync"]
SYNC_REPLIES = (("*", [("$", b"pong"), ("$", b"dfz-sync")]), ("$", b"dfz-sync"),
                (">", [("$", b"pong"), ("$", b"dfz-sync")]))
CLOSED = ("!", b"connection closed")
DATABASES = 16
SUBSCRIBE_FAMILY = {"subscribe", "psubscribe", "unsubscribe", "punsubscribe"}


class VigilDown(Exception):
    def __init__(self, kind, detail):
        Exception.__init__(self, "%s: %s" % (kind, detail))
        self.kind = kind          # "crash", "sanitizer" or "hang"
        self.detail = detail


class RedisDown(Exception):
    pass


class Part:
    __slots__ = ("label", "name", "mode", "r", "v")

    def __init__(self, label, name, mode, r, v):
        self.label, self.name, self.mode, self.r, self.v = label, name, mode, r, v


class Side:
    """One server with its client connections."""

    def __init__(self, server, timeout):
        self.server = server
        self.timeout = timeout
        self.conns = {}
        self.hidden = None
        self.multi = {}   # conn label -> list of queued (name, args), absent if not in MULTI
        self.db = {}      # conn label -> selected database, absent means 0
        self.initial_config = {}

    def conn(self, label):
        c = self.conns.get(label)
        if c is None:
            c = self.conns[label] = Conn(self.server.port, self.timeout)
        return c

    def h(self):
        if self.hidden is None:
            self.hidden = Conn(self.server.port, self.timeout)
        return self.hidden

    def drop(self, label):
        c = self.conns.pop(label, None)
        if c:
            c.close()
        self.multi.pop(label, None)
        self.db.pop(label, None)

    def close_all(self):
        for label in list(self.conns):
            self.drop(label)
        if self.hidden:
            self.hidden.close()
            self.hidden = None


class Pair:
    def __init__(self, redis_bin, vigil_bin, settings, vigil_extra=(), timeout=10.0):
        self.settings = list(settings)
        self.vigil_extra = list(vigil_extra)
        self.timeout = timeout
        self.redis_bin, self.vigil_bin = redis_bin, vigil_bin
        self.containers = set()
        self.r = self.v = None
        self.start()

    def start(self):
        kind = "redis" if "redis" in self.vigil_bin.split("/")[-1] else "vigil"
        self.r = Side(Server("redis", self.redis_bin, self.settings), self.timeout)
        try:
            self.v = Side(Server(kind, self.vigil_bin, self.settings + self.vigil_extra),
                          self.timeout)
        except Exception:
            self.r.server.cleanup()
            raise
        for side in (self.r, self.v):
            flat = side.h().call([b"CONFIG", b"GET", b"*"])[1] or []
            all_cfg = {flat[i][1]: flat[i + 1][1] for i in range(0, len(flat) - 1, 2)}
            side.initial_config = {k: all_cfg[k] for k in CONFIG_SETTABLE if k in all_cfg}

    def stop(self):
        """Stop both servers; returns (vigil exit status, sanitizer text or None)."""
        status = report = None
        for side in (self.r, self.v):
            if side is None:
                continue
            side.close_all()
            st = side.server.stop()
            if side is self.v:
                status, report = st, side.server.sanitizer_report()
            side.server.cleanup()
        return status, report

    def restart(self):
        self.stop()
        self.start()

    # ---- health ----------------------------------------------------------
    def vigil_down(self, why):
        srv = self.v.server
        deadline = time.time() + 2
        while srv.alive() and time.time() < deadline and why != "hang":
            time.sleep(0.02)
        report = srv.sanitizer_report()
        if report:
            return VigilDown("sanitizer", report)
        if not srv.alive():
            return VigilDown("crash", "vigil-node exited with status %s" % srv.exit_status())
        if why == "hang":
            return VigilDown("hang", "no reply within %.0fs" % self.timeout)
        return None

    def check_vigil(self):
        if not self.v.server.alive() or self.v.server.sanitizer_report():
            raise self.vigil_down("crash") or VigilDown("crash", "vigil-node is gone")

    # ---- reading with crash detection ----------------------------------
    def _read(self, side, label):
        c = side.conns[label]
        try:
            return c.read()
        except ConnLost as e:
            if side is self.r:
                raise RedisDown("redis-server: %s" % e)
            down = self.vigil_down("hang" if "timeout" in str(e) else "closed")
            if down:
                raise down
            side.drop(label)
            return CLOSED

    def _send(self, side, label, args):
        try:
            side.conn(label).send(list(args))
            return True
        except (ConnLost, OSError) as e:
            if side is self.r:
                raise RedisDown("redis-server: %s" % e)
            down = self.vigil_down("closed")
            if down:
                raise down
            side.drop(label)
            return False

    # ---- steps -----------------------------------------------------------
    def run(self, step):
        """Execute step on both servers; returns its list of Parts."""
        if step.unblock:
            parts = self._run_blocking(step)
        elif step.conn == "S":
            parts = self._run_subscriber(step)
        else:
            parts = self._run_plain(step)
        if step.conn != "S" and "S" in self.r.conns:
            parts.append(self._drain_part())
        return parts

    def _run_plain(self, step):
        name = command_name(step.args, self.containers)
        sent = [self._send(s, step.conn, step.args) for s in (self.r, self.v)]
        rr = self._read(self.r, step.conn)
        vr = self._read(self.v, step.conn) if sent[1] else CLOSED
        queue = self._track(self.r, step.conn, name, step.args, rr)
        self._track(self.v, step.conn, name, step.args, vr)
        return self._parts("reply", name, step.args, rr, vr, queue)

    def _track(self, side, label, name, args, reply):
        """Follow MULTI and SELECT on a connection; returns the queue EXEC ran."""
        queue = self._track_multi(side, label, name, args, reply)
        done = [(name, args, reply)]
        if name == "exec" and queue is not None and reply[0] == "*" and reply[1] is not None:
            done = [(qn, qa, rep) for (qn, qa), rep in zip(queue, reply[1])]
        for n, a, rep in done:
            if n == "select" and rep == ("+", b"OK"):
                side.db[label] = int(a[1])
            elif n == "reset" and rep == ("+", b"RESET"):
                side.db.pop(label, None)
        return queue

    def _parts(self, label, name, args, rr, vr, queue):
        if name == "exec" and queue is not None and rr[0] == vr[0] == "*" \
                and rr[1] is not None and vr[1] is not None \
                and len(rr[1]) == len(vr[1]) == len(queue):
            return [Part(label, qn + " (in MULTI)", mode_for(qn, qa), a, b)
                    for (qn, qa), a, b in zip(queue, rr[1], vr[1])]
        mode = "exact" if name == "exec" else mode_for(name, args)
        return [Part(label, name, mode, rr, vr)]

    def _track_multi(self, side, label, name, args, reply):
        """Update the MULTI queue; returns the finished queue on EXEC."""
        q = side.multi.get(label)
        if name == "multi" and reply == ("+", b"OK"):
            side.multi[label] = []
            return None
        if q is None:
            return None
        if name in ("exec", "discard", "reset"):
            del side.multi[label]
            return q
        if reply == ("+", b"QUEUED"):
            q.append((name, args))
        return None

    def _sync_read(self, side, label):
        out = []
        for _ in range(10000):
            rep = self._read(side, label)
            if rep == CLOSED or rep in SYNC_REPLIES:
                if rep == CLOSED:
                    out.append(rep)
                return out
            out.append(rep)
        return out

    def _run_subscriber(self, step):
        name = command_name(step.args, self.containers)
        sent = [self._send(s, "S", step.args) and self._send(s, "S", SYNC) for s in (self.r, self.v)]
        rr = self._sync_read(self.r, "S")
        vr = self._sync_read(self.v, "S") if sent[1] else [CLOSED]
        if len(rr) == len(vr) == 1 and name not in SUBSCRIBE_FAMILY:
            # One reply each: an ordinary command, compared as such.
            return [Part("S", name, mode_for(name, step.args), rr[0], vr[0])]
        mode = "unsub" if name in ("unsubscribe", "punsubscribe") and len(step.args) == 1 else "exact"
        return [Part("S", name + " (subscriber)", mode, ("*", rr), ("*", vr))]

    def _drain_part(self):
        sent = [self._send(s, "S", SYNC) for s in (self.r, self.v)]
        rr = self._sync_read(self.r, "S")
        vr = self._sync_read(self.v, "S") if sent[1] else [CLOSED]
        return Part("S", "pubsub messages", "set", ("*", rr), ("*", vr))

    def _run_blocking(self, step):
        name = command_name(step.args, self.containers)
        fname = command_name(step.unblock, self.containers)
        got = []
        for side in (self.r, self.v):
            if not self._send(side, "A", step.args):
                got.append((CLOSED, CLOSED))
                continue
            self._wait_blocked(side)
            # The feed goes through H, switched to A's database for it.
            db = str(side.db.get("A", 0)).encode()
            self._hidden_call(side, [b"SELECT", db])
            b = self._hidden_call(side, list(step.unblock))
            self._hidden_call(side, [b"SELECT", b"0"])
            a = self._read(side, "A") if "A" in side.conns else CLOSED
            got.append((a, b))
        (ra, rb), (va, vb) = got
        queue = self._track(self.r, "A", name, step.args, ra)
        self._track(self.v, "A", name, step.args, va)
        parts = self._parts("A (blocking)", name, step.args, ra, va, queue)
        parts.append(Part("feed", fname, mode_for(fname, step.unblock), rb, vb))
        return parts

    def _wait_blocked(self, side):
        c = side.conns["A"]
        deadline = time.time() + 5
        while time.time() < deadline:
            if c.pending(0.002):
                return
            info = self._hidden_call(side, [b"INFO", b"clients"])
            if info[0] == "$" and info[1] and b"blocked_clients:0\r" not in info[1]:
                return

    def _hidden_call(self, side, args):
        try:
            return side.h().call(args)
        except ConnLost as e:
            if side is self.r:
                raise RedisDown("redis-server: %s" % e)
            raise self.vigil_down("hang" if "timeout" in str(e) else "closed") or \
                VigilDown("crash", "hidden connection lost: %s" % e)

    # ---- state -------------------------------------------------------------
    def snapshot(self, side):
        """{(db, key): (type, content, pexpiretime, encoding)} read via H."""
        snap = {}
        for db in range(DATABASES):
            self._hidden_call(side, [b"SELECT", str(db).encode()])
            keys = self._hidden_call(side, [b"KEYS", b"*"])
            for kt in sorted(k for _, k in (keys[1] or [])):
                snap[(db, kt)] = self._read_key(side, kt)
        self._hidden_call(side, [b"SELECT", b"0"])
        return snap

    def _read_key(self, side, k):
        call = lambda *a: self._hidden_call(side, list(a))
        t = call(b"TYPE", k)[1]
        if t == b"string":
            content = call(b"GET", k)[1]
        elif t == b"list":
            content = tuple(x[1] for x in call(b"LRANGE", k, b"0", b"-1")[1] or [])
        elif t == b"hash":
            flat = [x[1] for x in call(b"HGETALL", k)[1] or []]
            content = tuple(sorted(zip(flat[0::2], flat[1::2])))
        elif t == b"set":
            content = tuple(sorted(x[1] for x in call(b"SMEMBERS", k)[1] or []))
        elif t == b"zset":
            flat = [x[1] for x in call(b"ZRANGE", k, b"0", b"-1", b"WITHSCORES")[1] or []]
            content = tuple(zip(flat[0::2], flat[1::2]))
        else:
            content = None
        exp = call(b"PEXPIRETIME", k)
        enc = call(b"OBJECT", b"ENCODING", k)
        return (t, content, exp[1] if exp[0] == ":" else None, enc[1] if enc[0] == "$" else None)

    def reset(self):
        """Back to a just-started state: no clients, no keys, initial config, no users."""
        for side in (self.r, self.v):
            side.close_all()
            self._hidden_call(side, [b"FLUSHALL"])
            for k, val in side.initial_config.items():
                self._hidden_call(side, [b"CONFIG", b"SET", k, val])
            users = self._hidden_call(side, [b"ACL", b"USERS"])
            others = [u for _, u in users[1] or [] if u != b"default"] if users[0] == "*" else USERS
            if others:
                self._hidden_call(side, [b"ACL", b"DELUSER"] + others)
            self._hidden_call(side, [b"ACL", b"LOG", b"RESET"])
        self.check_vigil()


def diff_snapshots(rs, vs):
    """[(signature, where, key)] for every key whose state differs."""
    out = []
    for key in sorted(set(rs) | set(vs)):
        a, b = rs.get(key), vs.get(key)
        db, k = key
        where = "db %d key %s" % (db, k.decode(errors="replace"))
        if a is None or b is None:
            t = (a or b)[0].decode()
            side = "only in redis" if b is None else "only in vigil"
            out.append(("state: %s key %s" % (t, side), where, k))
            continue
        if a[0] != b[0]:
            out.append(("state: type differs (redis %s / vigil %s)" % (a[0].decode(), b[0].decode()),
                        where, k))
            continue
        t = a[0].decode()
        if a[1] != b[1]:
            hint = first_difference(a[1], b[1])
            out.append(("state: %s content differs%s" % (t, " (%s)" % hint if hint else ""),
                        where, k))
        if a[3] != b[3]:
            out.append(("state: %s encoding differs (redis %s / vigil %s)" % (
                t, (a[3] or b"?").decode(), (b[3] or b"?").decode()), where, k))
        ea, eb = a[2], b[2]
        if ea != eb and not (ea and eb and ea > 0 and eb > 0
                             and abs(ea - eb) <= NEAR_TOLERANCE["pexpiretime"]):
            out.append(("state: %s expiry differs" % t, where, k))
    return out


def recreate_steps(snap):
    """Steps on A that rebuild snap on empty servers (SELECT, writes, PEXPIREAT)."""
    steps = []
    cur_db = 0
    for (db, k), (t, content, exp, _) in sorted(snap.items()):
        if db != cur_db:
            steps.append(Step("A", [b"SELECT", str(db).encode()]))
            cur_db = db
        if t == b"string":
            steps.append(Step("A", [b"SET", k, content]))
        else:
            cmd = {b"list": b"RPUSH", b"hash": b"HSET", b"set": b"SADD", b"zset": b"ZADD"}.get(t)
            if cmd is None:
                continue
            items = []
            for c in content:
                if t == b"zset":
                    items += [c[1], c[0]]
                elif t == b"hash":
                    items += [c[0], c[1]]
                else:
                    items.append(c)
            for i in range(0, len(items), 128):
                steps.append(Step("A", [cmd, k] + items[i:i + 128]))
        if exp is not None and exp > 0:
            steps.append(Step("A", [b"PEXPIREAT", k, str(exp).encode()]))
    if cur_db != 0:
        steps.append(Step("A", [b"SELECT", b"0"]))
    return steps

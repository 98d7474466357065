"""dfz_grammar.py -- seeded, grammar-aware command generator for the differential fuzzer.

Owns: the random number generator and the value pools. The grammar comes from
the reference server itself: COMMAND INFO (arity, flags, tips) and COMMAND
DOCS (the argument tree: types, tokens, optional/multiple/oneof/block) of
redis-server, walked by a generic generator whose leaves are drawn from small
pools chosen by the argument's type and name (so keys collide across types
and numbers hit their edges). Families whose arguments depend on each other
(ZRANGE's BYSCORE/BYLEX ranges, numkeys, SCAN cursors, random-count
commands, blocking timeouts, CONFIG, ACL, HELLO, pub/sub) have hand-written
generators. Macros emit several steps: MULTI ... EXEC with WATCH from a
second connection, and a blocking pop served by a push from another client.

The generator never looks at replies, so a seed fixes the command stream.
A step is Step(conn, args[, unblock]); conn "A" and "B" are two ordinary
clients, "S" a client used for SUBSCRIBE and friends; unblock is the write
that feeds a blocked A (see dfz_exec.py).
"""
import random

KEYS = [b"k:a", b"k:b", b"k:c", b"k:d", b"k:e", b"{t}f"]
MEMBERS = [b"a", b"b", b"c", b"d", b"e", b"1", b"2", b"10", b"-1", b"1.5", b"", b"x y",
           b"\x00\xff", b"m" * 20, b"z" * 70, b"abc", b"9223372036854775807"]
VALUES = MEMBERS + [b"0", b"-0", b"123", b"-42", b"3.14", b"1e3", b"hello world",
                    b"12345678901234567890", b"v" * 50, b"0x10", b" 7", b"inf", b"nan"]
INTS = [b"0", b"-0", b"1", b"-1", b"2", b"3", b"-2", b"5", b"10", b"100", b"-100",
        b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
        b"-9223372036854775809", b"2147483647", b"2147483648", b"-2147483649",
        b"4294967296", b" 1", b"1 ", b"+1", b"01", b"0x10", b"1.5", b"1e3", b"", b"abc",
        b"inf", b"nan"]
FLOATS = [b"0", b"-0", b"1", b"-1", b"1.5", b"-2.5", b"0.1", b"3", b"10", b"1e3", b"1e-3",
          b"inf", b"-inf", b"+inf", b"Inf", b"nan", b"NaN", b"1e400", b"-1e400",
          b"1.7976931348623157e308", b"5e-324", b"1e-320", b" 1", b"1 ", b"0x10", b".5",
          b"5.", b"+1.5", b"", b"abc", b"9223372036854775807", b"-9223372036854775808",
          b"123456789012345678", b"0.30000000000000004", b"1e17", b"-0.0", b"2e-5"]
INDEXES = [b"0", b"1", b"2", b"-1", b"-2", b"3", b"5", b"100", b"-100",
           b"9223372036854775807", b"-9223372036854775808", b"abc", b"1.5", b""]
COUNTS = [b"0", b"1", b"2", b"3", b"5", b"100", b"-1", b"-5", b"9223372036854775807",
          b"-9223372036854775808", b"abc", b""]
SCORE_ENDS = [b"-inf", b"+inf", b"inf", b"-Inf", b"0", b"1", b"2", b"-1", b"1.5", b"(1", b"(2",
              b"(-1", b"(0", b"(-0", b"-0", b"(1.5", b"(inf", b"(-inf", b"(+inf", b"nan",
              b"(nan", b"(", b"((1", b"[1", b"1e400", b"(1e400", b" 1", b"(1 ", b"0x1",
              b"abc", b"", b"10", b"(10", b"5e-324"]
LEX_ENDS = [b"-", b"+", b"[a", b"(a", b"[b", b"(c", b"[", b"(", b"a", b"[z", b"(\x00",
            b"[1", b"(10", b"", b"[" + b"z" * 70, b"-inf", b"++", b"[x y"]
PATTERNS = [b"*", b"k:*", b"k:[ab]", b"k:?", b"*a*", b"[", b"k:[^a]*", b"\\*", b"{t}*",
            b"k:\\a", b"nomatch", b"", b"*[", b"k:[a-c]"]
CHANNELS = [b"ch1", b"ch2", b"ch3", b"__keyspace@0__:k:a", b"__keyevent@0__:set"]
CHANNEL_PATTERNS = [b"ch*", b"c?1", b"ch[12]", b"*", b"__key*@0__:*", b"__keyspace@*__:k:*"]
UNIX_S = [b"0", b"1", b"-1", b"1000000000", b"4102444800", b"32503680000",
          b"9223372036854775807", b"9223372036854775", b"abc", b"1.5"]
UNIX_MS = [b"0", b"1", b"-1", b"1000000000000", b"4102444800000", b"32503680000000",
           b"9223372036854775807", b"abc"]
# Relative times are either already past (<= 0) or far away, never close
# enough that the two servers could disagree on whether a key has expired.
EXPIRE_S = [b"0", b"-1", b"-100", b"1000", b"100000", b"9223372036854775807",
            b"9223372036854775", b"-9223372036854775808", b"abc", b"1.5", b""]
EXPIRE_MS = [b"0", b"-1", b"1000000", b"100000000", b"9223372036854775807", b"abc", b"-5"]
TIMEOUTS = [b"0.01", b"0.001", b"-1", b"abc", b"1e400", b"inf"]
DBS = [b"0", b"1", b"2", b"3", b"15", b"16", b"-1", b"abc", b"1.5"]
USERS = [b"u1", b"u2"]
ACL_RULES = [b"on", b"off", b">pw", b"<pw", b">other", b"nopass", b"resetpass", b"~k:*",
             b"%R~k:*", b"%W~{t}*", b"allkeys", b"resetkeys", b"&ch*", b"allchannels",
             b"resetchannels", b"+@all", b"-@all", b"+get", b"-set", b"+@string", b"-@dangerous",
             b"+config|get", b"-config", b"+acl|whoami", b"reset", b"(~x* +get)", b"clearselectors",
             b"+nosuchcmd", b"~", b"bogus", b"#" + b"a" * 64, b"allcommands", b"nocommands",
             b"+select|0", b"-@hash", b"+@read"]
CONFIG_SETTABLE = {
    b"hash-max-listpack-entries": [b"0", b"1", b"2", b"4", b"128", b"-1", b"abc"],
    b"hash-max-listpack-value": [b"0", b"1", b"8", b"64", b"-1"],
    b"hash-max-ziplist-entries": [b"2", b"8"],
    b"set-max-intset-entries": [b"0", b"1", b"4", b"512", b"abc"],
    b"zset-max-listpack-entries": [b"0", b"1", b"4", b"128", b"-5"],
    b"zset-max-listpack-value": [b"0", b"4", b"64"],
    b"zset-max-ziplist-entries": [b"2", b"16"],
    b"list-max-listpack-size": [b"-1", b"-2", b"-5", b"-6", b"1", b"2", b"4", b"0", b"abc"],
    b"list-compress-depth": [b"0", b"1", b"2", b"-1"],
    b"notify-keyspace-events": [b"", b"KEA", b"Kl", b"Eg$", b"Ez", b"Kh", b"x", b"AKE", b"Ex"],
    b"lazyfree-lazy-user-del": [b"yes", b"no", b"maybe"],
    b"acllog-max-len": [b"0", b"5", b"128", b"-1"],
}
CONFIG_GETTABLE = list(CONFIG_SETTABLE) + [
    b"databases", b"maxmemory-policy", b"maxmemory", b"*max-*-entries*", b"hash-*",
    b"nosuch-param", b"HASH-MAX-LISTPACK-ENTRIES", b"zset-max-*", b"lfu-*", b"timeout"]
TYPES = [b"string", b"list", b"hash", b"set", b"zset", b"stream", b"bogus", b"STRING"]
BITOPS = [b"AND", b"OR", b"XOR", b"NOT", b"and", b"NAND", b""]
OPTION_WORDS = [b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR", b"WITHSCORES", b"LIMIT", b"REV",
                b"BYSCORE", b"BYLEX", b"COUNT", b"MATCH", b"TYPE", b"EX", b"PX", b"KEEPTTL",
                b"GET", b"WEIGHTS", b"AGGREGATE", b"SUM", b"MIN", b"MAX", b"LEFT", b"RIGHT",
                b"BEFORE", b"AFTER", b"RANK", b"MAXLEN", b"IDX", b"LEN", b"MINMATCHLEN",
                b"WITHMATCHLEN", b"WITHVALUES", b"PERSIST", b"EXAT", b"PXAT", b"REPLACE", b"DB",
                b"ASYNC", b"SYNC", b"FIELDS"]

# Commands the generic generator never emits on A/B: dangerous, inherently
# nondeterministic, connection-changing, or generated by a hand grammar or
# macro below instead.
NEVER = {
    "shutdown", "monitor", "quit", "debug", "sync", "psync", "replicaof", "slaveof",
    "failover", "wait", "migrate", "save", "bgsave", "bgrewriteaof", "lolwut", "module",
    "cluster", "readonly", "readwrite", "asking", "replconf", "restore-asking", "role",
    "randomkey", "time", "lastsave", "info", "spublish", "ssubscribe", "sunsubscribe",
    "subscribe", "psubscribe", "unsubscribe", "punsubscribe", "multi", "exec", "discard",
    "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop",
    "object|idletime", "object|refcount", "client", "latency", "slowlog", "memory",
    "command", "command|count", "command|docs", "command|info", "command|list",
    "command|getkeysandflags", "config|rewrite", "acl|load", "acl|save",
    "pfselftest", "pfdebug", "sort", "sort_ro", "xread", "xreadgroup", "xadd", "xautoclaim", "xclaim",
}
GROUPS = {"string", "generic", "list", "hash", "set", "sorted-set", "bitmap", "hyperloglog",
          "transactions", "pubsub", "server", "connection"}
# In the server and connection groups only these are fuzzed.
ADMIN_OK = {"acl", "command|getkeys", "config|get", "config|set", "config|resetstat", "dbsize",
            "flushall", "flushdb", "swapdb", "echo", "ping", "select", "hello", "auth", "reset",
            "client|setname", "client|getname", "object|encoding", "object|freq", "publish",
            "pubsub|channels", "pubsub|numsub", "pubsub|numpat", "pubsub|shardchannels",
            "pubsub|shardnumsub"}
LOW_WEIGHT = {"flushall": 0.08, "flushdb": 0.15, "swapdb": 0.2, "hello": 0.15, "reset": 0.05,
              "auth": 0.15, "config|set": 0.4, "config|get": 0.3, "config|resetstat": 0.05,
              "select": 0.5, "echo": 0.2, "ping": 0.2, "dbsize": 0.3, "command|getkeys": 0.5,
              "client|setname": 0.1, "client|getname": 0.1, "object|freq": 0.1, "move": 0.4,
              "copy": 0.5, "acl|genpass": 0.05, "acl|log": 0.2, "acl|list": 0.2, "acl|cat": 0.1,
              "acl|users": 0.1, "acl|whoami": 0.1, "pubsub|shardchannels": 0.1,
              "pubsub|shardnumsub": 0.1, "restore": 0.1, "dump": 0.2, "unwatch": 0.3}
# Tipped nondeterministic_output by redis, but deterministic for our settings.
LOOSE_OK = {"object|encoding", "object|freq"}
# A mutated count or cursor would make these random.
NO_MUTATION = {"spop", "srandmember", "hrandfield", "zrandmember", "scan", "sscan", "hscan",
               "zscan"}
# Relative expiry times: a mutation must not bring in a small positive
# number, or whether the key still exists would depend on timing.
TIME_SENSITIVE = {"set", "setex", "psetex", "expire", "pexpire", "getex", "restore"}
SAFE_NUMBERS = [b"0", b"-1", b"-0", b"abc", b"1.5", b"", b"9223372036854775807",
                b"-9223372036854775808", b"inf", b"1e400"]
BLOCKING = ["blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop"]


class Step:
    """One command on one connection; unblock: args sent on B while A blocks."""
    __slots__ = ("conn", "args", "unblock")

    def __init__(self, conn, args, unblock=None):
        self.conn = conn
        self.args = tuple(args)
        self.unblock = tuple(unblock) if unblock else None

    def __repr__(self):
        return "Step(%r, %r%s)" % (self.conn, self.args,
                                   ", unblock=%r" % (self.unblock,) if self.unblock else "")

    def __eq__(self, other):
        return (isinstance(other, Step) and self.conn == other.conn and self.args == other.args
                and self.unblock == other.unblock)

    def __hash__(self):
        return hash((self.conn, self.args, self.unblock))


def _pairs(flat):
    return {flat[i]: flat[i + 1] for i in range(0, len(flat) - 1, 2)}


def _val(rep):
    """Plain Python value of a reply tuple (bytes decoded for names)."""
    t, v = rep
    if isinstance(v, list):
        return [_val(x) for x in v]
    if isinstance(v, bytes):
        return v.decode(errors="replace")
    return v


def _arg_tree(raw):
    a = _pairs(raw)
    node = {"name": a.get("name", ""), "type": a.get("type", ""), "token": a.get("token"),
            "flags": set(a.get("flags", []) or [])}
    if "arguments" in a:
        node["args"] = [_arg_tree(x) for x in a["arguments"]]
    return node


class Spec:
    """What the reference says about one command (or container|sub)."""

    def __init__(self, name, info, docs):
        self.name = name
        self.arity = info[1] if info else 0
        self.flags = set(info[2]) if info else set()
        self.tips = set(info[7]) if info and len(info) > 7 and isinstance(info[7], list) else set()
        self.group = docs.get("group", "")
        self.args = [_arg_tree(a) for a in docs.get("arguments", [])]


def load_specs(conn):
    """Specs for every command and subcommand, from COMMAND INFO + DOCS."""
    info = {}
    for entry in _val(conn.call([b"COMMAND", b"INFO"])):
        if not entry:
            continue
        info[entry[0]] = entry
        for sub in entry[9] if len(entry) > 9 and entry[9] else []:
            info[sub[0]] = sub
    docs_flat = _val(conn.call([b"COMMAND", b"DOCS"]))
    specs = {}

    def visit(name, raw):
        d = _pairs(raw)
        specs[name] = Spec(name, info.get(name), d)
        for sub, sraw in _pairs(d.get("subcommands", []) or []).items():
            visit(sub, sraw)

    for name, raw in _pairs(docs_flat).items():
        visit(name, raw)
    return specs


class Generator:
    """The seeded command stream. next_steps() returns a list of Steps."""

    def __init__(self, seed, specs, implemented):
        self.rng = random.Random(seed)
        self.specs = specs
        self.fuzzed = sorted(n for n in implemented if self._fuzzable(n))
        self.weights = [self._weight(n) for n in self.fuzzed]
        self.blocking = [n for n in BLOCKING if n in implemented]
        self.subscribe_ok = [n for n in ("subscribe", "psubscribe", "unsubscribe", "punsubscribe")
                             if n in implemented]
        self.has_multi = "multi" in implemented and "exec" in implemented
        self.has_watch = "watch" in implemented

    def _fuzzable(self, name):
        spec = self.specs.get(name)
        if spec is None or name in NEVER or name.endswith("|help"):
            return False
        if spec.group not in GROUPS:
            return False
        base = name.split("|")[0]
        if spec.group in ("server", "connection") and name not in ADMIN_OK and base != "acl":
            return False
        if base in ("acl",) and name in ("acl",):
            return False
        if name in ("object", "config", "pubsub", "client", "acl"):
            return False  # containers: their subcommands are fuzzed
        if "nondeterministic_output" in spec.tips and name not in HAND and name not in LOOSE_OK:
            return False
        return True

    def _weight(self, name):
        if name in LOW_WEIGHT:
            return LOW_WEIGHT[name]
        spec = self.specs[name]
        if spec.group in ("string", "list", "hash", "set", "sorted-set", "generic", "bitmap"):
            return 2.0
        return 0.5

    # ---- pools -------------------------------------------------------------
    def pick(self, pool):
        return self.rng.choice(pool)

    def key(self):
        return self.rng.choice(KEYS)

    def keys(self, lo=1, hi=3):
        return [self.key() for _ in range(self.rng.randint(lo, hi))]

    def token(self, tok):
        t = tok.encode()
        return t.lower() if self.rng.random() < 0.15 else t

    # ---- top level ---------------------------------------------------------
    def next_steps(self):
        r = self.rng.random()
        if r < 0.06 and self.has_multi:
            return self.transaction()
        if r < 0.07 and self.blocking:
            return [self.blocking_step()]
        if r < 0.11 and self.subscribe_ok:
            return [self.subscriber_step()]
        conn = "B" if self.rng.random() < 0.05 else "A"
        return [Step(conn, self.command())]

    def command(self, name=None):
        if name is None:
            name = self.rng.choices(self.fuzzed, self.weights)[0]
        hand = HAND.get(name)
        args = hand(self) if hand else self.generic(name)
        if self.rng.random() < 0.05 and name not in NO_MUTATION:
            args = self.mutate(args, name)
        return args

    def command_name_args(self, name):
        parts = name.split("|")
        return [self.token(p.upper()) for p in parts]

    def generic(self, name):
        spec = self.specs[name]
        out = self.command_name_args(name)
        self.gen_list(spec.args, out, name)
        return out

    def mutate(self, args, name=""):
        args = list(args)
        numbers = SAFE_NUMBERS if name in TIME_SENSITIVE else INTS + FLOATS
        kind = self.rng.randrange(5)
        if kind == 0 and len(args) > 1:
            del args[self.rng.randrange(1, len(args))]
        elif kind == 1:
            args.insert(self.rng.randint(1, len(args)), self.pick(OPTION_WORDS))
        elif kind == 2:
            args.append(args[-1])
        elif kind == 3 and len(args) > 1:
            args[self.rng.randrange(1, len(args))] = self.pick(numbers)
        else:
            args.append(self.pick(OPTION_WORDS + numbers))
        return args

    # ---- the generic walk over COMMAND DOCS arguments ----------------------
    def gen_list(self, arglist, out, cmd):
        i = 0
        while i < len(arglist):
            a = arglist[i]
            nxt = arglist[i + 1] if i + 1 < len(arglist) else None
            if a["name"] == "numkeys" and nxt is not None and nxt["type"] == "key":
                ks = self.keys(1, 3)
                out.append(self.numkeys(len(ks)))
                out.extend(ks)
                i += 2
                continue
            self.gen_arg(a, out, cmd)
            i += 1

    def numkeys(self, n):
        if self.rng.random() < 0.1:
            return self.pick([b"0", b"-1", str(n + 1).encode(), b"abc", b"9223372036854775807"])
        return str(n).encode()

    def gen_arg(self, a, out, cmd):
        flags = a["flags"]
        if "optional" in flags and self.rng.random() < 0.55:
            return
        reps = self.rng.choice([1, 1, 1, 2, 2, 3, 4]) if "multiple" in flags else 1
        for i in range(reps):
            if a["token"] and a["type"] != "pure-token" and (i == 0 or "multiple_token" in flags):
                out.append(self.token(a["token"]))
            self.gen_one(a, out, cmd)

    def gen_one(self, a, out, cmd):
        t = a["type"]
        if t == "pure-token":
            out.append(self.token(a["token"]))
        elif t == "oneof":
            self.gen_arg(dict(self.rng.choice(a["args"]), flags=set()), out, cmd)
        elif t == "block":
            self.gen_list(a["args"], out, cmd)
        elif t == "key":
            out.append(self.key())
        else:
            out.append(self.leaf(t, a["name"], cmd))

    def leaf(self, t, name, cmd):
        r = self.rng
        if t == "integer":
            pool = {"count": COUNTS, "limit": COUNTS, "len": COUNTS, "num-matches": COUNTS,
                    "rank": INDEXES, "start": INDEXES, "stop": INDEXES, "end": INDEXES,
                    "index": DBS if cmd == "select" else INDEXES, "offset": INDEXES,
                    "db": DBS, "destination-db": DBS, "index1": DBS, "index2": DBS,
                    "seconds": EXPIRE_S, "milliseconds": EXPIRE_MS, "cursor": [b"0"],
                    "bit": [b"0", b"1", b"2", b"-1"], "value": [b"0", b"1", b"2", b"-1"],
                    "weight": FLOATS, "protover": [b"2", b"3", b"1", b"4", b"abc"],
                    "bits": [b"1", b"64", b"0", b"4097", b"-1"], "timeout": TIMEOUTS}.get(name, INTS)
            if name == "offset" and cmd in ("setbit", "getbit", "setrange"):
                # Valid offsets stay small (both servers would allocate up to
                # 512 MB for the largest legal one); the limits are probed
                # just past the edge, where both must refuse.
                pool = [b"0", b"1", b"7", b"8", b"63", b"100", b"-1", b"1000", b"65536",
                        b"4294967296" if cmd != "setrange" else b"536870912", b"abc",
                        b"9223372036854775807"]
            return r.choice(pool)
        if t == "double":
            if name in ("min", "max"):
                return r.choice(SCORE_ENDS)
            if name == "timeout":
                return r.choice(TIMEOUTS)
            return r.choice(FLOATS)
        if t == "unix-time":
            return r.choice(UNIX_MS if "milli" in name else UNIX_S)
        if t == "pattern":
            if cmd in ("psubscribe", "punsubscribe", "pubsub|channels"):
                return r.choice(CHANNEL_PATTERNS)
            return r.choice(PATTERNS)
        pools = {"member": MEMBERS, "field": MEMBERS, "element": MEMBERS, "pivot": MEMBERS,
                 "value": VALUES, "message": VALUES, "channel": CHANNELS,
                 "shardchannel": CHANNELS, "type": TYPES, "operation": BITOPS,
                 "username": USERS, "password": [b"pw", b"wrong", b""], "rule": ACL_RULES,
                 "parameter": CONFIG_GETTABLE, "categoryname": [b"string", b"hash", b"bogus"],
                 "connection-name": [b"conn1", b"", b"a b", b"x\n"],
                 "clientname": [b"conn1", b"a b"], "min": LEX_ENDS, "max": LEX_ENDS,
                 "start": INDEXES, "stop": INDEXES}
        return r.choice(pools.get(name, VALUES))

    # ---- macros --------------------------------------------------------------
    def transaction(self):
        steps = []
        watched = []
        if self.has_watch and self.rng.random() < 0.4:
            watched = self.keys(1, 2)
            steps.append(Step("A", [b"WATCH"] + watched))
            if self.rng.random() < 0.5:
                steps.append(Step("B", self.command()))
        steps.append(Step("A", [b"MULTI"]))
        for _ in range(self.rng.randint(0, 4)):
            if self.rng.random() < 0.1 and self.blocking:
                steps.append(Step("A", self.command(self.rng.choice(self.blocking))))
            else:
                steps.append(Step("A", self.command()))
        end = self.rng.random()
        if end < 0.82:
            steps.append(Step("A", [b"EXEC"]))
        elif end < 0.95:
            steps.append(Step("A", [b"DISCARD"]))
        elif end < 0.98:
            steps.append(Step("A", [b"MULTI"]))
            steps.append(Step("A", [b"EXEC"]))
        return steps

    def blocking_step(self):
        """A blocks on one key with a short timeout; the key is then fed (unblock)."""
        name = self.rng.choice(self.blocking)
        k = self.key()
        to = self.pick([b"0.3", b"0.4"])
        dst = self.key()
        if name in ("blpop", "brpop", "bzpopmin", "bzpopmax"):
            args = [name.upper().encode(), k] + (self.keys(0, 1)) + [to]
        elif name == "brpoplpush":
            args = [b"BRPOPLPUSH", k, dst, to]
        elif name == "blmove":
            args = [b"BLMOVE", k, dst, self.pick([b"LEFT", b"RIGHT"]), self.pick([b"LEFT", b"RIGHT"]),
                    to]
        elif name == "blmpop":
            args = [b"BLMPOP", to, b"1", k, self.pick([b"LEFT", b"RIGHT"])]
        else:
            args = [b"BZMPOP", to, b"1", k, self.pick([b"MIN", b"MAX"])]
        if self.rng.random() < 0.3 and name in ("blmpop", "bzmpop"):
            args += [b"COUNT", self.pick([b"1", b"2", b"10"])]
        if name.startswith("bz"):
            feed = [b"ZADD", k, self.pick(FLOATS[:12]), self.pick(MEMBERS)]
        else:
            feed = [self.pick([b"LPUSH", b"RPUSH"]), k] + [self.pick(MEMBERS)
                                                           for _ in range(self.rng.randint(1, 3))]
        return Step("A", args, unblock=feed)

    def subscriber_step(self):
        r = self.rng.random()
        if r < 0.35 and "subscribe" in self.subscribe_ok:
            return Step("S", [b"SUBSCRIBE"] + [self.pick(CHANNELS) for _ in range(self.rng.randint(1, 2))])
        if r < 0.6 and "psubscribe" in self.subscribe_ok:
            return Step("S", [b"PSUBSCRIBE"] + [self.pick(CHANNEL_PATTERNS)
                                                for _ in range(self.rng.randint(1, 2))])
        if r < 0.75:
            return Step("S", [b"UNSUBSCRIBE"] + [self.pick(CHANNELS) for _ in range(self.rng.randint(0, 2))])
        if r < 0.85:
            return Step("S", [b"PUNSUBSCRIBE"] + [self.pick(CHANNEL_PATTERNS)
                                                  for _ in range(self.rng.randint(0, 1))])
        if r < 0.93:
            return Step("S", [b"PING"] + ([self.pick(VALUES)] if self.rng.random() < 0.5 else []))
        return Step("S", self.command())


# ---- hand-written families ---------------------------------------------------
def _zrange(g, store=False):
    r = g.rng
    out = [b"ZRANGESTORE", g.key(), g.key()] if store else [b"ZRANGE", g.key()]
    by = r.random()
    if by < 0.35:
        out += [g.pick(SCORE_ENDS), g.pick(SCORE_ENDS), g.token("BYSCORE")]
    elif by < 0.6:
        out += [g.pick(LEX_ENDS), g.pick(LEX_ENDS), g.token("BYLEX")]
    else:
        out += [g.pick(INDEXES), g.pick(INDEXES)]
    if r.random() < 0.3:
        out.append(g.token("REV"))
    if r.random() < 0.3:
        out += [g.token("LIMIT"), g.pick(INDEXES), g.pick(COUNTS)]
    if not store and r.random() < 0.4:
        out.append(g.token("WITHSCORES"))
    if r.random() < 0.1:
        r.shuffle(out[3 if store else 2:])
    return out


def _scan(g, name):
    out = [name.upper().encode()]
    if name != "scan":
        out.append(g.key())
    out.append(b"0" if g.rng.random() < 0.9 else g.pick([b"abc", b"18446744073709551616", b""]))
    out += [g.token("COUNT"), g.pick([b"1000", b"100000"])]
    if g.rng.random() < 0.4:
        out += [g.token("MATCH"), g.pick(PATTERNS + MEMBERS[:5])]
    if name == "scan" and g.rng.random() < 0.3:
        out += [g.token("TYPE"), g.pick(TYPES)]
    if g.rng.random() < 0.05:
        out += [g.token("COUNT"), g.pick([b"0", b"-1", b"abc"])]
    return out


def _random_count(g, name):
    """Counts whose result is the whole collection or only has a fixed length."""
    out = [name.upper().encode(), g.key()]
    r = g.rng.random()
    if name == "spop":
        out.append(g.pick([b"1000", b"0", b"-1", b"abc", b"9223372036854775807"]))
        return out
    if r < 0.2:
        return out
    out.append(g.pick([b"1000", b"0", b"-3", b"-1000", b"abc", b"-9223372036854775808",
                       b"9223372036854775807"]))
    if name in ("hrandfield", "zrandmember") and g.rng.random() < 0.5:
        out.append(g.token("WITHSCORES" if name == "zrandmember" else "WITHVALUES"))
    return out


def _config_set(g):
    out = [b"CONFIG", b"SET"]
    names = list(CONFIG_SETTABLE)
    for _ in range(g.rng.choice([1, 1, 1, 2])):
        p = g.pick(names)
        out += [p, g.pick(CONFIG_SETTABLE[p])]
    if g.rng.random() < 0.05:
        out += [b"nosuch-param", b"1"]
    return out


def _acl(g, sub):
    if sub == "setuser":
        return [b"ACL", b"SETUSER", g.pick(USERS)] + [g.pick(ACL_RULES)
                                                      for _ in range(g.rng.randint(0, 4))]
    if sub in ("getuser", "deluser"):
        return [b"ACL", sub.upper().encode()] + [g.pick(USERS + [b"default", b"nosuch"])
                                                 for _ in range(1 if sub == "getuser" else g.rng.randint(1, 2))]
    if sub == "dryrun":
        cmd = g.command(g.rng.choice(["get", "set", "hset", "config|get", "ping", "zadd"]))
        return [b"ACL", b"DRYRUN", g.pick(USERS + [b"default", b"nosuch"])] + cmd
    if sub == "log":
        return [b"ACL", b"LOG"] + ([g.pick([b"RESET", b"10", b"-1", b"abc"])]
                                   if g.rng.random() < 0.6 else [])
    if sub == "cat":
        return [b"ACL", b"CAT"] + ([g.pick([b"string", b"hash", b"bogus", b"dangerous"])]
                                   if g.rng.random() < 0.6 else [])
    if sub == "genpass":
        return [b"ACL", b"GENPASS"] + ([g.pick([b"1", b"64", b"0", b"4097"])]
                                       if g.rng.random() < 0.5 else [])
    return [b"ACL", sub.upper().encode()]


def _hello(g):
    out = [b"HELLO"]
    if g.rng.random() < 0.9:
        out.append(g.pick([b"3", b"2", b"3", b"2", b"1", b"4", b"abc"]))
        if g.rng.random() < 0.2:
            out += [g.token("AUTH"), g.pick([b"default", b"u1", b"nosuch"]), g.pick([b"pw", b"x"])]
        if g.rng.random() < 0.2:
            out += [g.token("SETNAME"), g.pick([b"n1", b"a b"])]
    return out


def _auth(g):
    if g.rng.random() < 0.4:
        return [b"AUTH", g.pick([b"pw", b"x"])]
    return [b"AUTH", g.pick(USERS + [b"default", b"nosuch"]), g.pick([b"pw", b"x", b"other"])]


def _getkeys(g):
    name = g.rng.choice([n for n in g.fuzzed if n not in HAND_NO_GETKEYS])
    return [b"COMMAND", b"GETKEYS"] + g.command(name)


def _publish(g):
    return [b"PUBLISH", g.pick(CHANNELS), g.pick(VALUES)]


# DUMP payloads redis-server 7.0.15 returned (rdbcompression yes): a string,
# an int, an LZF string, a list, a listpack hash, an intset, a hashtable
# set of one and a listpack zset; then a bad CRC and a newer RDB version.
DUMP_PAYLOADS = [
    b"\x00\x05hello\n\x00cr\xdfve4 \n",
    b"\x00\xc190\n\x00\x9d\x94\xea'\x93\xfc\x08\xb9",
    b"\x00\xc3\x0b\x1e\x03abca\xe0\x0f\x02\x01bc\n\x00\x88t\xbemg\xe5\x9d*",
    b"\x12\x01\x02\x0f\x0f\x00\x00\x00\x03\x00\x81a\x02\x81b\x02\x01\x01\xff\n\x00\xe0\x1b"
    b"\xabJG\xceY\"",
    b"\x10\r\r\x00\x00\x00\x02\x00\x81f\x02\x81v\x02\xff\n\x00 \xf1=D#T\x08\x9d",
    b"\x0b\x0e\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\x03\x00\n\x00\xa5\x02\\\xe2mnM\x1b",
    b"\x02\x01\x01a\n\x00b\x96\xe9~D\xd2\x1am",
    b"\x11\x14\x14\x00\x00\x00\x04\x00\x81a\x02\x01\x01\x81b\x02\x832.5\x04\xff\n\x00\xd4Ln"
    b"\xa4\xf6D\xd9\xd7",
    b"\x00\x05hello\n\x00cr\xdfve4 \x0b",
    b"\x00\x05hello\x0b\x00cr\xdfve4 \n",
]


def _restore(g):
    """RESTORE with a real payload: TTLs that cannot race the clock."""
    out = [b"RESTORE", g.key(), g.pick([b"0", b"0", b"0", b"100000000", b"-1", b"x"]),
           g.pick(DUMP_PAYLOADS)]
    if g.rng.random() < 0.3:
        out[2] = g.pick([b"1", b"4102444800000"])
        out.append(g.token("ABSTTL"))
    if g.rng.random() < 0.6:  # most keys exist: without it, mostly -BUSYKEY
        out.append(g.token("REPLACE"))
    for _ in range(g.rng.choice([0, 0, 1, 2])):
        opt = g.rng.choice(["REPLACE", "IDLETIME", "FREQ"])
        out.append(g.token(opt))
        if opt != "REPLACE":
            out.append(g.pick([b"0", b"10", b"255", b"256", b"-1"]))
    return out


HAND_NO_GETKEYS = {"command|getkeys", "acl|dryrun"}
HAND = {
    "restore": _restore,
    "zrange": lambda g: _zrange(g),
    "zrangestore": lambda g: _zrange(g, store=True),
    "scan": lambda g: _scan(g, "scan"),
    "sscan": lambda g: _scan(g, "sscan"),
    "hscan": lambda g: _scan(g, "hscan"),
    "zscan": lambda g: _scan(g, "zscan"),
    "spop": lambda g: _random_count(g, "spop"),
    "srandmember": lambda g: _random_count(g, "srandmember"),
    "hrandfield": lambda g: _random_count(g, "hrandfield"),
    "zrandmember": lambda g: _random_count(g, "zrandmember"),
    "config|set": _config_set,
    "config|get": lambda g: [b"CONFIG", b"GET"] + [g.pick(CONFIG_GETTABLE)
                                                   for _ in range(g.rng.choice([1, 1, 2]))],
    "hello": _hello,
    "auth": _auth,
    "reset": lambda g: [b"RESET"],
    "command|getkeys": _getkeys,
    "publish": _publish,
    "client|setname": lambda g: [b"CLIENT", b"SETNAME", g.pick([b"n1", b"", b"a b", b"x\n"])],
    "client|getname": lambda g: [b"CLIENT", b"GETNAME"],
    "ttl": lambda g: [b"TTL", g.key()],
    "pttl": lambda g: [b"PTTL", g.key()],
    "expiretime": lambda g: [b"EXPIRETIME", g.key()],
    "pexpiretime": lambda g: [b"PEXPIRETIME", g.key()],
}
for _sub in ("setuser", "getuser", "deluser", "dryrun", "log", "cat", "genpass", "list", "users",
             "whoami"):
    HAND["acl|" + _sub] = (lambda s: lambda g: _acl(g, s))(_sub)

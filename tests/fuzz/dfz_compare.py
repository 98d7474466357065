"""dfz_compare.py -- how two replies to the same command are compared and named.

Owns: the comparison modes, the canonical form of replies, divergence
signatures (used to group identical divergences) and redis-cli style
printing. Replies are compared by type and value exactly, errors by their
full text, doubles textually; only these relaxations exist:
  set      aggregate whose order is unspecified (SMEMBERS, KEYS, ...): sorted
  pairs    field/value aggregate in unspecified order (HGETALL, CONFIG GET)
  scan     [cursor, elements]: cursor exact, elements as set (pairs for H/ZSCAN)
  len      random elements, fixed count (SRANDMEMBER key -3): type + length
  type     a random element (SRANDMEMBER key): reply type only
  near     TTL-like integers: negative values exact, positive within 2 s
  hello    HELLO's map: the field names and proto/mode/role values
  acllog   ACL LOG entries: count, reason, context, object, username
  strlen   random string of fixed size (ACL GENPASS): type + length
  unsub    (P)UNSUBSCRIBE without names: names as set, counts in order
  commands ACL CAT <category>: as set, restricted to commands both servers have
  aclrules ACL LIST/GETUSER: single-command rules (+get -set) sorted, since
           redis emits them in command-table hash order; ACL LIST as set
Pub/sub messages collected after a step are compared as a set (patterns
matching the same channel are delivered in hash-table order).
"""
import re

NEAR_TOLERANCE = {"ttl": 2, "expiretime": 2, "pttl": 2000, "pexpiretime": 2000}
# Command names both servers have (set by the fuzzer); replies that list
# command names (ACL CAT category) are compared on these only.
COMMON_COMMANDS = set()


def command_name(args, containers):
    """'set', or 'config|get' for a container command."""
    if not args:
        return ""
    name = args[0].decode(errors="replace").lower()
    if name in containers and len(args) > 1:
        return name + "|" + args[1].decode(errors="replace").lower()
    return name


def _int(b):
    try:
        return int(b)
    except (TypeError, ValueError):
        return None


def mode_for(name, args):
    if name == "acl|cat" and len(args) > 2:
        return "commands"
    if name in ("smembers", "sinter", "sunion", "sdiff", "keys", "hkeys", "hvals",
                "pubsub|channels", "pubsub|shardchannels", "acl|users", "acl|cat"):
        return "set"
    if name in ("hgetall", "config|get"):
        return "pairs"
    if name in ("scan", "sscan", "hscan", "zscan"):
        cursor = args[1] if name == "scan" and len(args) > 1 else args[2] if len(args) > 2 else b"0"
        if cursor != b"0" and cursor.isdigit():
            return "type"   # a cursor from nowhere: where it lands is unspecified
        return "scanpairs" if name in ("hscan", "zscan") else "scan"
    if name in NEAR_TOLERANCE:
        return "near:" + name
    if name in ("spop", "srandmember", "hrandfield", "zrandmember"):
        if len(args) < 3:
            return "exact" if name == "spop" else "type"
        n = _int(args[2])
        if n is None or n == 0:
            return "exact"
        if n < 0:
            return "len"
        if n < 1000:
            return "len"    # a random subset of fixed size
        withvals = len(args) > 3 and args[3].upper() in (b"WITHVALUES", b"WITHSCORES")
        return "pairs" if withvals else "set"
    if name in ("acl|list", "acl|getuser"):
        return "aclrules"
    if name == "hello":
        return "hello"
    if name == "acl|log":
        return "acllog"
    if name == "acl|genpass":
        return "strlen"
    return "exact"


def _canon(rep):
    t, v = rep
    if isinstance(v, list):
        return (t, tuple(_canon(x) for x in v))
    return (t, v)


def _sort_key(c):
    return repr(c)


def _pair_up(items):
    """Sort a flat k1, v1, k2, v2 list by pair, or a list of [k, v] arrays."""
    if len(items) % 2 == 0 and not any(c[0] == "*" for c in items):
        pairs = ((items[i], items[i + 1]) for i in range(0, len(items), 2))
        return tuple(sorted(pairs, key=_sort_key))
    return tuple(sorted(items, key=_sort_key))


def _map_fields(c):
    """dict name -> canonical value for a map-ish reply (RESP3 map or flat array)."""
    t, v = c
    if not isinstance(v, tuple) or len(v) % 2:
        return None
    return {v[i][1]: v[i + 1] for i in range(0, len(v), 2)}


def _acl_rules(c):
    """Sort the single-command rules (+get, -config|set) inside ACL descriptions."""
    t, v = c
    if isinstance(v, tuple):
        items = tuple(_acl_rules(x) for x in v)
        return (t, tuple(sorted(items, key=_sort_key)) if t in "*~" and all(
            x[0] == "$" for x in items) else items)
    if not isinstance(v, bytes):
        return c
    words = v.split(b" ")
    idx = [i for i, w in enumerate(words) if w[:1] in (b"+", b"-") and w[1:2] != b"@"]
    for i, w in zip(idx, sorted(words[i] for i in idx)):
        words[i] = w
    return (t, b" ".join(words))


def canonical(rep, mode):
    """A hashable form of rep; equal forms mean the replies agree under mode."""
    c = _canon(rep)
    t, v = c
    if t == "-" or v is None:
        return c
    if mode == "set" and isinstance(v, tuple):
        return (t, tuple(sorted(v, key=_sort_key)))
    if mode == "pairs" and isinstance(v, tuple):
        return (t, _pair_up(v))
    if mode in ("scan", "scanpairs") and isinstance(v, tuple) and len(v) == 2 \
            and isinstance(v[1][1], tuple):
        inner = v[1][1]
        inner = _pair_up(inner) if mode == "scanpairs" else tuple(sorted(inner, key=_sort_key))
        return (t, (v[0], (v[1][0], inner)))
    if mode == "unsub" and isinstance(v, tuple):
        # Unsubscribing from everything walks a hash table: names in any
        # order, the remaining-count sequence is still fixed.
        counts = tuple(e[1][2] for e in v if isinstance(e[1], tuple) and len(e[1]) == 3)
        names = tuple(sorted((e[1][:2] if isinstance(e[1], tuple) else e for e in v),
                             key=_sort_key))
        return (t, names, counts)
    if mode == "commands" and isinstance(v, tuple):
        known = tuple(x for x in v if x[1].decode(errors="replace").lower() in COMMON_COMMANDS)
        return (t, tuple(sorted(known, key=_sort_key)))
    if mode == "aclrules":
        return _acl_rules(c)
    if mode == "len":
        return (t, len(v) if isinstance(v, tuple) else "?")
    if mode == "type":
        return (t,)
    if mode == "strlen":
        return (t, len(v) if isinstance(v, bytes) else v)
    if mode == "hello":
        f = _map_fields(c)
        if f is None:
            return c
        return (t, tuple(sorted(f)), tuple(f.get(k) for k in (b"proto", b"mode", b"role")))
    if mode == "acllog" and isinstance(v, tuple):
        out = []
        for e in v:
            f = _map_fields(e) or {}
            out.append(tuple(f.get(k) for k in (b"count", b"reason", b"context", b"object",
                                                 b"username")))
        return (t, tuple(out))
    return c


def agree(r, v, mode):
    """True if redis' reply r and vigil's reply v agree under mode."""
    if mode.startswith("near:"):
        tol = NEAR_TOLERANCE[mode[5:]]
        if r[0] == v[0] == ":" and r[1] > 0 and v[1] > 0:
            return abs(r[1] - v[1]) <= tol
    return canonical(r, mode) == canonical(v, mode)


_QUOTED = re.compile(r"'[^']*'")
_NUM = re.compile(r"-?\d+")


def reply_class(rep):
    """Short class of a reply for grouping: error text (numbers masked) or type."""
    t, v = rep
    if t == "-":
        text = v.decode(errors="replace")
        text = _QUOTED.sub("'...'", text)
        text = _NUM.sub("N", text)
        return "error(" + text[:90] + ")"
    if v is None:
        return "nil"
    names = {"+": "status", ":": "integer", "$": "bulk", "*": "array", "%": "map", "~": "set",
             ">": "push", "_": "null", ",": "double", "#": "boolean", "(": "bignum",
             "=": "verbatim", "!": "connection closed"}
    return names.get(t, t)


_NUMERIC = re.compile(rb"^[-+]?(\d[\d.]*(e[-+]?\d+)?|inf|nan)$", re.I)
ACLLOG_FIELDS = ("count", "reason", "context", "object", "username")


def _is_node(x):
    return isinstance(x, tuple) and bool(x) and isinstance(x[0], str)


def _first_diff(a, b):
    """What tells two unequal canonical forms apart, in a few stable words."""
    if _is_node(a) and _is_node(b):
        if a[0] != b[0]:
            return "types differ"
        a, b = a[1:], b[1:]
        if len(a) == len(b) == 1:
            a, b = a[0], b[0]
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) != len(b):
            return "lengths differ"
        for x, y in zip(a, b):
            if x != y:
                return _first_diff(x, y)
        return None
    if isinstance(a, bytes) and isinstance(b, bytes):
        if len(a) <= 24 and len(b) <= 24 and _NUMERIC.match(a) and _NUMERIC.match(b):
            # Same number, other spelling (0 / -0, 1e3 / 1000): show both;
            # different numbers would split the group endlessly.
            same = float(a) == float(b) or a.lower() == b.lower()
            return "%s / %s" % (a.decode(), b.decode()) if same else "numbers differ"
        return "element differs"
    return None


def first_difference(a, b):
    """_first_diff for plain nested tuples of bytes (keyspace snapshots)."""
    if isinstance(a, bytes) and isinstance(b, bytes):
        return _first_diff(a, b)
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) != len(b):
            return "lengths differ"
        for x, y in zip(a, b):
            if x != y:
                return first_difference(x, y)
    return None


def value_hint(r, v, mode):
    """A short, stable note on where equal-class replies differ, or None."""
    a, b = canonical(r, mode), canonical(v, mode)
    if mode == "acllog" and a[0] == b[0] and len(a[1]) == len(b[1]):
        for x, y in zip(a[1], b[1]):
            for i, (p, q) in enumerate(zip(x, y)):
                if p != q:
                    return "field " + ACLLOG_FIELDS[i]
    return _first_diff(a, b)


def signature(name, r, v, mode="exact"):
    """Group key: command name (without " (in MULTI)"), both reply classes and,
    when the classes agree, a hint at the difference (e.g. "0 / -0")."""
    name = name.replace(" (in MULTI)", "")
    cr, cv = reply_class(r), reply_class(v)
    if cr == cv:
        hint = value_hint(r, v, mode) if r[0] != ":" else None
        if hint == "element differs" and not isinstance(r[1], list):
            hint = None
        return "%s: %s value differs%s" % (name, cr, " (%s)" % hint if hint else "")
    return "%s: redis %s / vigil %s" % (name, cr, cv)


def _cli_quote(a):
    if a and all(32 < c < 127 and c not in b"\"'\\" for c in a):
        return a.decode()
    out = []
    for c in a:
        ch = chr(c)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 32 <= c < 127:
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        else:
            out.append("\\x%02x" % c)
    return '"' + "".join(out) + '"'


def cli_line(args, limit=None):
    """args as one line redis-cli accepts; with limit, longer arguments are
    abbreviated as <N bytes: "start...">, which redis-cli does not accept."""
    out = []
    for a in args:
        if limit and len(a) > limit:
            out.append("<%d bytes: %s...>" % (len(a), _cli_quote(a[:24])))
        else:
            out.append(_cli_quote(a))
    return " ".join(out)


def show(rep):
    """A reply in redis-cli's display style, possibly several lines."""
    return "\n".join(_show_lines(rep))


def _show_lines(rep):
    t, v = rep
    if t == "-":
        return ["(error) " + v.decode(errors="replace")]
    if v is None:
        return ["(nil)"]
    if t == "+":
        return [v.decode(errors="replace")]
    if t in ":(":
        return ["(integer) %s" % (v if t == ":" else v.decode())]
    if t in "$=":
        if len(v) > 300:
            return ["<%d bytes: %s...>" % (len(v), _cli_quote(v[:24]))]
        return [_cli_quote(v) if v else '""']
    if t == ",":
        return ["(double) " + v.decode()]
    if t == "#":
        return ["(true)" if v else "(false)"]
    if not isinstance(v, list):
        return [repr(v)]
    if not v:
        return ["(empty %s)" % {"%": "map", "~": "set"}.get(t, "array")]
    lines = []
    for i, x in enumerate(v):
        prefix = "%d) " % (i + 1)
        sub = _show_lines(x)
        lines.append(prefix + sub[0])
        lines += [" " * len(prefix) + s for s in sub[1:]]
    return lines

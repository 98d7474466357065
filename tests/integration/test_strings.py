"""String and bitmap commands over a real socket, replies compared exactly.

Expected values and error texts were taken from Redis 7.0.15 (Debian's
redis-server) by running the same commands side by side.
"""
import time

import pytest

from resp import RespConn, RespError

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INT = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
SYNTAX = "ERR syntax error"


@pytest.fixture
def c(node):
    conn = RespConn(node.port)
    yield conn
    conn.close()


@pytest.fixture
def rb(node):
    cl = node.client(decode_responses=False)
    yield cl
    cl.close()


def err(c, *args):
    """The exact error text of a command that must fail."""
    reply = c.call(*args)
    assert isinstance(reply, RespError), "expected an error, got %r" % (reply,)
    return str(reply)


def has_command(c, *args):
    reply = c.call(*args)
    return not (isinstance(reply, RespError) and str(reply).startswith("ERR unknown command"))


def make_nonstring(c, key):
    """Store a value of another type (a list) at key."""
    assert c.call("LPUSH", key, "x") == 1


def need(c, *probe):
    """The commands these tests lean on must exist: a missing one is a failure."""
    assert has_command(c, *probe), "%s is missing" % probe[0]


def encoding(c, key):
    need(c, "OBJECT", "ENCODING", "__probe__")
    return c.call("OBJECT", "ENCODING", key)


# --- GET / SET ------------------------------------------------------------

def test_get_set_roundtrip(r):
    assert r.get("k") is None
    assert r.set("k", "hello") is True
    assert r.get("k") == "hello"
    assert r.set("k", "world") is True
    assert r.get("k") == "world"


@pytest.mark.parametrize("args,name", [
    (("GET",), "get"), (("GET", "a", "b"), "get"), (("SET", "k"), "set"),
    (("SETNX", "k"), "setnx"), (("SETEX", "k", "1"), "setex"), (("PSETEX", "k", "1"), "psetex"),
    (("GETSET", "k"), "getset"), (("GETDEL",), "getdel"), (("GETEX",), "getex"),
    (("MGET",), "mget"), (("MSET", "k"), "mset"), (("MSET", "a", "1", "b"), "mset"),
    (("MSETNX", "a", "1", "b"), "msetnx"), (("APPEND", "k"), "append"), (("STRLEN",), "strlen"),
    (("INCR",), "incr"), (("DECR", "a", "b"), "decr"), (("INCRBY", "k"), "incrby"),
    (("DECRBY", "k"), "decrby"), (("INCRBYFLOAT", "k"), "incrbyfloat"),
    (("GETRANGE", "k", "0"), "getrange"), (("SUBSTR", "k", "0"), "substr"),
    (("SETRANGE", "k", "0"), "setrange"), (("LCS", "a"), "lcs"), (("SETBIT", "k", "0"), "setbit"),
    (("GETBIT", "k"), "getbit"), (("BITCOUNT",), "bitcount"), (("BITPOS", "k"), "bitpos"),
    (("BITOP", "AND", "d"), "bitop"),
])
def test_wrong_arity(c, args, name):
    assert err(c, *args) == "ERR wrong number of arguments for '%s' command" % name


def test_set_nx_xx(r):
    assert r.set("k", "a", xx=True) is None
    assert r.get("k") is None
    assert r.set("k", "a", nx=True) is True
    assert r.set("k", "b", nx=True) is None
    assert r.get("k") == "a"
    assert r.set("k", "c", xx=True) is True
    assert r.get("k") == "c"


def test_set_get_option(c):
    assert c.call("SET", "k", "v1", "GET") is None
    assert c.call("SET", "k", "v2", "GET") == "v1"
    assert c.call("GET", "k") == "v2"
    # NX + GET on an existing key: reply the old value, store nothing.
    assert c.call("SET", "k", "v3", "NX", "GET") == "v2"
    assert c.call("GET", "k") == "v2"
    # XX + GET on a missing key: null, store nothing.
    assert c.call("SET", "nokey", "v", "XX", "GET") is None
    assert c.call("GET", "nokey") is None
    assert c.call("SET", "k", "v4", "GET", "GET", "XX") == "v2"
    assert c.call("GET", "k") == "v4"


@pytest.mark.parametrize("opts", [
    ("NX", "XX"), ("XX", "NX"), ("EX", "10", "PX", "100"), ("PX", "100", "EXAT", "99999999999"),
    ("EX", "10", "KEEPTTL"), ("KEEPTTL", "PXAT", "99999999999999"), ("EX",), ("PX",), ("EXAT",),
    ("PXAT",), ("FOO",), ("NXX",), ("PERSIST",), ("GET", "FOO"), ("EX", "10", "10"),
])
def test_set_syntax_errors(c, opts):
    assert err(c, "SET", "k", "v", *opts) == SYNTAX
    assert c.call("GET", "k") is None


def test_set_repeated_options_are_accepted(c):
    assert c.call("SET", "k", "v", "NX", "NX") == "OK"
    assert c.call("SET", "k", "w", "EX", "10", "EX", "20") == "OK"
    assert c.call("SET", "k", "x", "KEEPTTL", "KEEPTTL", "XX") == "OK"
    assert c.call("GET", "k") == "x"


@pytest.mark.parametrize("opts", [
    ("EX", "0"), ("EX", "-1"), ("PX", "0"), ("PX", "-100"), ("EXAT", "0"), ("PXAT", "-5"),
    ("EX", "9223372036854775807"), ("PX", "9223372036854775807"),
    ("EXAT", "9223372036854775807"), ("EX", "9223372036854775"),
])
def test_set_invalid_expire(c, opts):
    assert err(c, "SET", "k", "v", *opts) == "ERR invalid expire time in 'set' command"
    assert c.call("GET", "k") is None


@pytest.mark.parametrize("opts", [("EX", "abc"), ("PX", "1.5"), ("EXAT", ""), ("PXAT", "9223372036854775808")])
def test_set_expire_not_integer(c, opts):
    assert err(c, "SET", "k", "v", *opts) == NOT_INT


def test_set_wrongtype_only_with_get(c):
    make_nonstring(c, "l")
    assert err(c, "SET", "l", "v", "GET") == WRONGTYPE
    assert err(c, "SET", "l", "v", "NX", "GET") == WRONGTYPE
    # The expire is validated before the type.
    assert err(c, "SET", "l", "v", "GET", "EX", "0") == "ERR invalid expire time in 'set' command"
    assert err(c, "GET", "l") == WRONGTYPE
    assert c.call("SET", "l", "v") == "OK"  # plain SET replaces any type
    assert c.call("GET", "l") == "v"


def test_set_px_expires(r):
    assert r.set("k", "v", px=100) is True
    assert r.get("k") == "v"
    time.sleep(0.3)
    assert r.get("k") is None


def test_set_exat_pxat_in_the_past(c):
    assert c.call("SET", "k", "v", "EXAT", "1") == "OK"
    assert c.call("GET", "k") is None
    assert c.call("SET", "k", "v", "PXAT", "1", "GET") is None
    assert c.call("GET", "k") is None


def test_set_exat_pxat_future(c):
    now = int(time.time())
    assert c.call("SET", "k", "v", "EXAT", str(now + 100)) == "OK"
    assert c.call("SET", "k2", "v", "PXAT", str(now * 1000 + 150)) == "OK"
    assert c.call("GET", "k") == "v"
    time.sleep(0.5)
    assert c.call("GET", "k") == "v"
    assert c.call("GET", "k2") is None


def test_set_without_keepttl_clears_ttl(r):
    r.set("k", "v", px=150)
    r.set("k", "v2")
    time.sleep(0.35)
    assert r.get("k") == "v2"


def test_set_keepttl_keeps_ttl(r):
    r.set("k", "v", px=150)
    r.set("k", "v2", keepttl=True)
    assert r.get("k") == "v2"
    time.sleep(0.35)
    assert r.get("k") is None


def test_ttl_after_set_options(c):
    need(c, "PTTL", "__probe__")
    assert c.call("SET", "k", "v", "EX", "100") == "OK"
    assert 99000 < c.call("PTTL", "k") <= 100000
    assert c.call("SET", "k", "v", "PX", "5000") == "OK"
    assert 4000 < c.call("PTTL", "k") <= 5000
    now_ms = int(time.time() * 1000)
    assert c.call("SET", "k", "v", "PXAT", str(now_ms + 60000)) == "OK"
    assert 55000 < c.call("PTTL", "k") <= 60000
    assert c.call("SET", "k", "v", "EXAT", str(now_ms // 1000 + 200)) == "OK"
    assert 190 <= c.call("TTL", "k") <= 200
    assert c.call("SET", "k", "v2", "KEEPTTL") == "OK"
    assert 190 <= c.call("TTL", "k") <= 200
    assert c.call("SET", "k", "v3") == "OK"
    assert c.call("TTL", "k") == -1
    assert c.call("SETEX", "k", "30", "v") == "OK"
    assert 29 <= c.call("TTL", "k") <= 30
    assert c.call("GETSET", "k", "v") == "v"
    assert c.call("TTL", "k") == -1
    assert c.call("PSETEX", "k", "30000", "0") == "OK"
    assert 29000 < c.call("PTTL", "k") <= 30000
    assert c.call("INCRBYFLOAT", "k", "1") == "1"
    assert c.call("TTL", "k") > 0, "INCRBYFLOAT keeps the TTL"
    assert c.call("APPEND", "k", "x") == 2
    assert c.call("TTL", "k") > 0
    c.call("MSET", "k", "1")
    assert c.call("TTL", "k") == -1


# --- SETNX SETEX PSETEX GETSET GETDEL ------------------------------------

def test_setnx(c):
    assert c.call("SETNX", "k", "a") == 1
    assert c.call("SETNX", "k", "b") == 0
    assert c.call("GET", "k") == "a"


def test_setex_psetex(c):
    assert c.call("SETEX", "k", "100", "v") == "OK"
    assert c.call("GET", "k") == "v"
    assert c.call("PSETEX", "p", "100", "v") == "OK"
    assert c.call("GET", "p") == "v"
    time.sleep(0.3)
    assert c.call("GET", "p") is None
    assert c.call("GET", "k") == "v"


@pytest.mark.parametrize("cmd", ["SETEX", "PSETEX"])
def test_setex_errors(c, cmd):
    name = cmd.lower()
    for t in ("0", "-5"):
        assert err(c, cmd, "k", t, "v") == "ERR invalid expire time in '%s' command" % name
    assert err(c, cmd, "k", "x", "v") == NOT_INT
    assert err(c, cmd, "k", "1.5", "v") == NOT_INT
    assert c.call("GET", "k") is None


def test_setex_seconds_overflow(c):
    assert err(c, "SETEX", "k", "9223372036854775", "v") == \
        "ERR invalid expire time in 'setex' command"
    assert err(c, "PSETEX", "k", "9223372036854775807", "v") == \
        "ERR invalid expire time in 'psetex' command"


def test_getset(c):
    assert c.call("GETSET", "k", "a") is None
    assert c.call("GETSET", "k", "b") == "a"
    assert c.call("GET", "k") == "b"
    make_nonstring(c, "l")
    assert err(c, "GETSET", "l", "x") == WRONGTYPE


def test_getdel(c):
    assert c.call("GETDEL", "k") is None
    c.call("SET", "k", "12")
    assert c.call("GETDEL", "k") == "12"
    assert c.call("GET", "k") is None
    make_nonstring(c, "l")
    assert err(c, "GETDEL", "l") == WRONGTYPE


# --- GETEX ----------------------------------------------------------------

def test_getex_plain_and_missing(c):
    assert c.call("GETEX", "nokey") is None
    assert c.call("GETEX", "nokey", "EX", "10") is None
    c.call("SET", "k", "v")
    assert c.call("GETEX", "k") == "v"


def test_getex_px_expires(c):
    c.call("SET", "k", "v")
    assert c.call("GETEX", "k", "PX", "100") == "v"
    assert c.call("GET", "k") == "v"
    time.sleep(0.3)
    assert c.call("GET", "k") is None


def test_getex_persist(c):
    c.call("SET", "k", "v", "PX", "150")
    assert c.call("GETEX", "k", "PERSIST") == "v"
    time.sleep(0.35)
    assert c.call("GET", "k") == "v"


def test_getex_exat_past_deletes(c):
    c.call("SET", "k", "v")
    assert c.call("GETEX", "k", "EXAT", "1") == "v"
    assert c.call("GET", "k") is None
    c.call("SET", "k", "v")
    assert c.call("GETEX", "k", "PXAT", "1") == "v"
    assert c.call("GET", "k") is None


def test_getex_ttl(c):
    need(c, "TTL", "__probe__")
    c.call("SET", "k", "v")
    assert c.call("GETEX", "k", "EX", "100") == "v"
    assert 99 <= c.call("TTL", "k") <= 100
    assert c.call("GETEX", "k") == "v"
    assert 99 <= c.call("TTL", "k") <= 100
    assert c.call("GETEX", "k", "PERSIST") == "v"
    assert c.call("TTL", "k") == -1
    now = int(time.time())
    assert c.call("GETEX", "k", "EXAT", str(now + 50)) == "v"
    assert 45 <= c.call("TTL", "k") <= 50


@pytest.mark.parametrize("opts", [
    ("NX",), ("XX",), ("GET",), ("KEEPTTL",), ("EX",), ("PERSIST", "EX", "10"),
    ("EX", "10", "PERSIST"), ("EX", "10", "PX", "10"), ("FOO",),
])
def test_getex_syntax_errors(c, opts):
    c.call("SET", "k", "v")
    assert err(c, "GETEX", "k", *opts) == SYNTAX
    # Syntax is checked before the key: even a missing key errors.
    assert err(c, "GETEX", "nokey", *opts) == SYNTAX


def test_getex_invalid_expire_and_wrongtype(c):
    c.call("SET", "k", "v")
    assert err(c, "GETEX", "k", "EX", "0") == "ERR invalid expire time in 'getex' command"
    assert err(c, "GETEX", "k", "PX", "x") == NOT_INT
    # A missing key answers null before the expire is validated.
    assert c.call("GETEX", "nokey", "EX", "0") is None
    make_nonstring(c, "l")
    assert err(c, "GETEX", "l", "EX", "0") == WRONGTYPE


# --- MGET MSET MSETNX -----------------------------------------------------

def test_mget_mset(c):
    assert c.call("MSET", "a", "1", "b", "2") == "OK"
    assert c.call("MGET", "a", "b", "nokey") == ["1", "2", None]
    make_nonstring(c, "l")
    assert c.call("MGET", "l", "a") == [None, "1"]
    assert c.call("MSET", "a", "x", "a", "y") == "OK"
    assert c.call("GET", "a") == "y"


def test_msetnx(c):
    assert c.call("MSETNX", "a", "1", "b", "2") == 1
    assert c.call("MSETNX", "b", "3", "c", "4") == 0
    assert c.call("MGET", "a", "b", "c") == ["1", "2", None]
    assert c.call("MSETNX", "d", "1", "d", "2") == 1
    assert c.call("GET", "d") == "2"


# --- APPEND STRLEN --------------------------------------------------------

def test_append_strlen(c):
    assert c.call("STRLEN", "k") == 0
    assert c.call("APPEND", "k", "Hello") == 5
    assert c.call("APPEND", "k", " World") == 11
    assert c.call("GET", "k") == "Hello World"
    assert c.call("STRLEN", "k") == 11
    c.call("SET", "n", "123")
    assert c.call("APPEND", "n", "45") == 5
    assert c.call("GET", "n") == "12345"
    assert c.call("STRLEN", "n") == 5
    assert c.call("INCR", "n") == 12346
    make_nonstring(c, "l")
    assert err(c, "APPEND", "l", "x") == WRONGTYPE
    assert err(c, "STRLEN", "l") == WRONGTYPE


def test_append_many_small_pieces(rb):
    for i in range(2000):
        rb.append("k", b"%04d" % i)
    assert rb.strlen("k") == 8000
    assert rb.get("k") == b"".join(b"%04d" % i for i in range(2000))


# --- INCR family ----------------------------------------------------------

def test_incr_decr(c):
    assert c.call("INCR", "k") == 1
    assert c.call("INCR", "k") == 2
    assert c.call("DECR", "k") == 1
    assert c.call("INCRBY", "k", "10") == 11
    assert c.call("DECRBY", "k", "20") == -9
    assert c.call("INCRBY", "k", "-1") == -10
    assert c.call("GET", "k") == "-10"
    assert c.call("DECR", "nokey") == -1


def test_incr_on_appended_string(c):
    c.call("SET", "k", "1")
    c.call("APPEND", "k", "0")
    assert c.call("INCR", "k") == 11
    assert c.call("GET", "k") == "11"


def test_incr_overflow(c):
    c.call("SET", "k", "9223372036854775807")
    assert err(c, "INCR", "k") == "ERR increment or decrement would overflow"
    assert c.call("INCRBY", "k", "0") == 9223372036854775807
    c.call("SET", "k", "-9223372036854775808")
    assert err(c, "DECR", "k") == "ERR increment or decrement would overflow"
    assert err(c, "INCRBY", "k", "-1") == "ERR increment or decrement would overflow"
    assert c.call("INCRBY", "k", "9223372036854775807") == -1
    assert err(c, "DECRBY", "k", "-9223372036854775808") == "ERR decrement would overflow"
    assert c.call("GET", "k") == "-1"


@pytest.mark.parametrize("value", [
    "abc", "", "1.5", " 1", "1 ", "+1", "01", "-0", "9223372036854775808", "0x10",
    "12345678901234567890",
])
def test_incr_not_integer(c, value):
    c.call("SET", "k", value)
    assert err(c, "INCR", "k") == NOT_INT
    assert err(c, "DECRBY", "k", "1") == NOT_INT
    assert c.call("GET", "k") == value


def test_incrby_bad_increment(c):
    assert err(c, "INCRBY", "k", "x") == NOT_INT
    assert err(c, "DECRBY", "k", "1.0") == NOT_INT
    assert err(c, "INCRBY", "k", "9223372036854775808") == NOT_INT
    assert c.call("GET", "k") is None


def test_incr_wrongtype(c):
    make_nonstring(c, "l")
    for cmd in (("INCR", "l"), ("DECR", "l"), ("INCRBY", "l", "1"), ("DECRBY", "l", "1"),
                ("INCRBYFLOAT", "l", "1")):
        assert err(c, *cmd) == WRONGTYPE
    # The type is checked before the increment is parsed.
    assert err(c, "INCRBYFLOAT", "l", "x") == WRONGTYPE


@pytest.mark.parametrize("start,incr,want", [
    ("10", "0.5", "10.5"), ("10.5", "0.1", "10.6"), ("5.0e3", "0", "5000"),
    ("5.0e3", "200", "5200"), ("3", "0", "3"), (None, "3", "3"), ("1", "-1", "0"),
    ("-1", "0.5", "-0.5"), ("0.1", "0.2", "0.3"), ("3.0", "0", "3"), ("-0", "0", "0"),
    ("100", "-100.000", "0"), ("1", "1e-5", "1.00001"), (None, "10.50", "10.5"),
    ("1e10", "0", "10000000000"), (None, ".5", "0.5"), (None, "5.", "5"),
    ("1.23456789012345678901234567890", "0", "1.23456789012345679"),
])
def test_incrbyfloat_formatting(c, start, incr, want):
    if start is not None:
        c.call("SET", "k", start)
    assert c.call("INCRBYFLOAT", "k", incr) == want
    assert c.call("GET", "k") == want


def test_incrbyfloat_huge_value(c):
    c.call("SET", "k", "1e300")
    reply = c.call("INCRBYFLOAT", "k", "1e300")
    assert reply.startswith("2000000000000000000") and len(reply) == 301


@pytest.mark.parametrize("start,incr", [(None, "inf"), (None, "-inf"), ("1e4932", "1e4932"),
                                        ("1.1e4932", "1.1e4932")])
def test_incrbyfloat_nan_or_infinity(c, start, incr):
    if start is not None:
        c.call("SET", "k", start)
    assert err(c, "INCRBYFLOAT", "k", incr) == "ERR increment would produce NaN or Infinity"
    assert c.call("GET", "k") == start


@pytest.mark.parametrize("start,incr", [(None, "abc"), (None, "nan"), (None, ""), (None, " 1"),
                                        ("abc", "1"), ("1.5x", "1"), (None, "1e400000")])
def test_incrbyfloat_not_float(c, start, incr):
    if start is not None:
        c.call("SET", "k", start)
    assert err(c, "INCRBYFLOAT", "k", incr) == NOT_FLOAT


# --- GETRANGE SUBSTR SETRANGE ---------------------------------------------

@pytest.mark.parametrize("start,end,want", [
    (0, 3, "This"), (-3, -1, "ing"), (0, -1, "This is a string"), (10, 100, "string"),
    (5, 3, ""), (-1, -5, ""), (-100, 2, "Thi"), (100, 200, ""), (-100, -50, "T"),
])
def test_getrange(c, start, end, want):
    c.call("SET", "k", "This is a string")
    assert c.call("GETRANGE", "k", str(start), str(end)) == want
    assert c.call("SUBSTR", "k", str(start), str(end)) == want


def test_getrange_edge_cases(c):
    assert c.call("GETRANGE", "nokey", "0", "-1") == ""
    c.call("SET", "k", "")
    assert c.call("GETRANGE", "k", "0", "-1") == ""
    c.call("SET", "n", "12345")
    assert c.call("GETRANGE", "n", "1", "2") == "23"
    assert err(c, "GETRANGE", "k", "a", "1") == NOT_INT
    assert err(c, "GETRANGE", "nokey", "0", "b") == NOT_INT
    make_nonstring(c, "l")
    assert err(c, "GETRANGE", "l", "0", "1") == WRONGTYPE


def test_setrange(rb):
    rb.set("k", b"Hello World")
    assert rb.setrange("k", 6, b"Redis") == 11
    assert rb.get("k") == b"Hello Redis"
    assert rb.setrange("k", 20, b"!") == 21
    assert rb.get("k") == b"Hello Redis" + b"\x00" * 9 + b"!"
    assert rb.setrange("new", 3, b"ab") == 5
    assert rb.get("new") == b"\x00\x00\x00ab"
    assert rb.setrange("empty", 5, b"") == 0
    assert rb.get("empty") is None
    assert rb.setrange("k", 100, b"") == 21
    rb.set("n", b"12345")
    assert rb.setrange("n", 1, b"x") == 5
    assert rb.get("n") == b"1x345"


def test_setrange_errors(c):
    assert err(c, "SETRANGE", "k", "-1", "x") == "ERR offset is out of range"
    assert err(c, "SETRANGE", "k", "x", "x") == NOT_INT
    big = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    assert err(c, "SETRANGE", "k", "536870912", "x") == big
    assert err(c, "SETRANGE", "k", "536870911", "ab") == big
    c.call("SET", "k", "v")
    assert err(c, "SETRANGE", "k", "536870912", "x") == big
    assert err(c, "SETRANGE", "k", "9223372036854775807", "x") == big
    assert c.call("GET", "k") == "v"
    make_nonstring(c, "l")
    assert err(c, "SETRANGE", "l", "0", "x") == WRONGTYPE
    assert err(c, "SETRANGE", "l", "0", "") == WRONGTYPE


def test_append_limit_follows_proto_max_bulk_len(make_node):
    n = make_node(args=["--proto-max-bulk-len", "1mb"])
    c = RespConn(n.port)
    c.call("SET", "k", "x" * (1024 * 1024 - 1))
    assert c.call("APPEND", "k", "y") == 1024 * 1024
    assert err(c, "APPEND", "k", "z") == \
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    assert err(c, "SETRANGE", "k2", "1048576", "a") == \
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    assert err(c, "SETBIT", "k3", str(8 * 1024 * 1024), "1") == \
        "ERR bit offset is not an integer or out of range"
    assert c.call("SETBIT", "k3", str(8 * 1024 * 1024 - 1), "1") == 0
    c.close()


# --- Binary safety and big values -----------------------------------------

BINARY = [b"\x00", b"a\x00b", b"\r\n", b"x\r\n$3\r\nfoo\r\n", b"\xff\xfe\x00\r\n\x80", bytes(range(256))]


@pytest.mark.parametrize("value", BINARY)
def test_binary_values(rb, value):
    assert rb.set(b"k\x00\r\n", value) is True
    assert rb.get(b"k\x00\r\n") == value
    assert rb.strlen(b"k\x00\r\n") == len(value)
    assert rb.append(b"k\x00\r\n", value) == 2 * len(value)
    assert rb.getrange(b"k\x00\r\n", len(value), -1) == value
    assert rb.mget([b"k\x00\r\n", b"nokey"]) == [value * 2, None]
    assert rb.getset(b"k\x00\r\n", value) == value * 2
    assert rb.execute_command("LCS", b"k\x00\r\n", b"k\x00\r\n") == value


def test_big_values(rb):
    mb = bytes(range(256)) * 4096  # 1 MB
    assert rb.set("big", mb) is True
    assert rb.get("big") == mb
    assert rb.strlen("big") == len(mb)
    assert rb.append("big", mb) == 2 * len(mb)
    assert rb.get("big") == mb + mb
    assert rb.setrange("big", len(mb) - 1, b"XY") == 2 * len(mb)
    assert rb.getrange("big", len(mb) - 2, len(mb) + 1) == mb[-2:-1] + b"XY" + mb[1:2]
    want = mb[:-1] + b"XY" + mb[1:]
    assert rb.get("big") == want
    assert rb.bitcount("big") == sum(bin(b).count("1") for b in want)
    rb.mset({"m1": mb, "m2": b"small"})
    assert rb.mget("m1", "m2") == [mb, b"small"]


# --- Encodings (OBJECT ENCODING, when available) --------------------------

def test_object_encodings(c):
    c.call("SET", "i", "123")
    assert encoding(c, "i") == "int"
    c.call("SET", "e", "hello")
    assert encoding(c, "e") == "embstr"
    c.call("SET", "e44", "x" * 44)
    assert encoding(c, "e44") == "embstr"
    c.call("SET", "r", "x" * 45)
    assert encoding(c, "r") == "raw"
    c.call("SET", "big", "12345678901234567890")
    assert encoding(c, "big") == "embstr"
    c.call("APPEND", "e", "!")
    assert encoding(c, "e") == "raw"
    c.call("APPEND", "new", "abc")
    assert encoding(c, "new") == "embstr"
    c.call("INCR", "e44x")
    assert encoding(c, "e44x") == "int"
    c.call("SET", "ri", "1")
    c.call("APPEND", "ri", "0")
    assert encoding(c, "ri") == "raw"
    c.call("INCR", "ri")
    assert encoding(c, "ri") == "int"
    c.call("INCRBYFLOAT", "f", "3")
    assert encoding(c, "f") == "embstr"
    c.call("SETBIT", "b", "1", "1")
    assert encoding(c, "b") == "raw"
    c.call("SET", "sr", "5")
    c.call("SETRANGE", "sr", "0", "6")
    assert encoding(c, "sr") == "raw"
    c.call("BITOP", "NOT", "bo", "i")
    assert encoding(c, "bo") == "raw"


# --- Bitmaps --------------------------------------------------------------

def test_setbit_getbit(rb):
    assert rb.setbit("k", 7, 1) == 0
    assert rb.get("k") == b"\x01"
    assert rb.setbit("k", 7, 1) == 1
    assert rb.setbit("k", 7, 0) == 1
    assert rb.setbit("k", 100, 1) == 0
    assert rb.strlen("k") == 13
    assert rb.getbit("k", 100) == 1
    assert rb.getbit("k", 99) == 0
    assert rb.getbit("k", 10000) == 0
    assert rb.getbit("nokey", 3) == 0
    rb.set("n", "123")  # '1' = 0x31
    assert [rb.getbit("n", i) for i in range(8)] == [0, 0, 1, 1, 0, 0, 0, 1]
    assert rb.setbit("n", 6, 1) == 0
    assert rb.get("n") == b"323"


@pytest.mark.parametrize("off", ["-1", "x", "4294967296", "9223372036854775807", "1.5"])
def test_bit_offset_errors(c, off):
    assert err(c, "SETBIT", "k", off, "1") == "ERR bit offset is not an integer or out of range"
    assert err(c, "GETBIT", "k", off) == "ERR bit offset is not an integer or out of range"


@pytest.mark.parametrize("val", ["2", "-1", "x", ""])
def test_setbit_value_errors(c, val):
    assert err(c, "SETBIT", "k", "0", val) == "ERR bit is not an integer or out of range"


def test_bit_wrongtype(c):
    make_nonstring(c, "l")
    assert err(c, "SETBIT", "l", "0", "1") == WRONGTYPE
    assert err(c, "GETBIT", "l", "0") == WRONGTYPE
    assert err(c, "BITCOUNT", "l") == WRONGTYPE
    assert err(c, "BITPOS", "l", "1") == WRONGTYPE
    assert err(c, "BITOP", "AND", "d", "l") == WRONGTYPE
    assert err(c, "BITOP", "OR", "l", "nokey", "l") == WRONGTYPE


def test_bitcount(c):
    c.call("SET", "k", "foobar")
    assert c.call("BITCOUNT", "k") == 26
    assert c.call("BITCOUNT", "k", "0", "0") == 4
    assert c.call("BITCOUNT", "k", "1", "1") == 6
    assert c.call("BITCOUNT", "k", "1", "1", "BYTE") == 6
    assert c.call("BITCOUNT", "k", "5", "30", "BIT") == 17
    assert c.call("BITCOUNT", "k", "-2", "-1") == 7
    assert c.call("BITCOUNT", "k", "-1", "-2") == 0
    assert c.call("BITCOUNT", "k", "-1", "-2", "FOO") == 0
    assert c.call("BITCOUNT", "k", "0", "-1", "bit") == 26
    assert c.call("BITCOUNT", "nokey") == 0
    assert c.call("BITCOUNT", "nokey", "0") == 0
    assert err(c, "BITCOUNT", "k", "0") == SYNTAX
    assert err(c, "BITCOUNT", "k", "0", "1", "FOO") == SYNTAX
    assert err(c, "BITCOUNT", "k", "0", "1", "BIT", "x") == SYNTAX
    assert err(c, "BITCOUNT", "k", "a", "1") == NOT_INT
    c.call("SET", "n", "123")
    assert c.call("BITCOUNT", "n") == 10


def test_bitpos(rb):
    rb.set("k", b"\xff\xf0\x00")
    assert rb.bitpos("k", 0) == 12
    rb.set("k", b"\x00\xff\xf0")
    assert rb.bitpos("k", 1, 0) == 8
    assert rb.bitpos("k", 1, 2) == 16
    assert rb.execute_command("BITPOS", "k", "1", "2", "-1", "BYTE") == 16
    assert rb.execute_command("BITPOS", "k", "1", "7", "15", "BIT") == 8
    assert rb.execute_command("BITPOS", "k", "1", "7", "-3", "BIT") == 8
    rb.set("ones", b"\xff\xff\xff")
    assert rb.bitpos("ones", 0) == 24, "no end: the string continues with zeros"
    assert rb.bitpos("ones", 0, 1) == 24
    assert rb.bitpos("ones", 0, 0, -1) == -1, "explicit end: no clear bit"
    assert rb.execute_command("BITPOS", "ones", "0", "0", "-1", "BIT") == -1
    rb.set("zeros", b"\x00\x00")
    assert rb.bitpos("zeros", 1) == -1
    assert rb.bitpos("nokey", 1) == -1
    assert rb.bitpos("nokey", 0) == 0
    rb.set("empty", b"")
    assert rb.bitpos("empty", 0) == -1
    assert rb.bitpos("empty", 1) == -1
    assert rb.bitpos("k", 1, 5, 2) == -1


def test_bitpos_errors(c):
    c.call("SET", "k", "abc")
    assert err(c, "BITPOS", "k", "2") == "ERR The bit argument must be 1 or 0."
    assert err(c, "BITPOS", "nokey", "-1") == "ERR The bit argument must be 1 or 0."
    assert err(c, "BITPOS", "k", "x") == NOT_INT
    assert err(c, "BITPOS", "k", "0", "x") == NOT_INT
    assert err(c, "BITPOS", "k", "0", "0", "x") == NOT_INT
    assert err(c, "BITPOS", "k", "0", "0", "1", "FOO") == SYNTAX
    assert err(c, "BITPOS", "k", "0", "0", "x", "FOO") == SYNTAX
    assert err(c, "BITPOS", "k", "0", "0", "1", "BIT", "x") == SYNTAX


def test_bitop(rb):
    rb.set("a", b"\xff\x0f")
    rb.set("b", b"\x0f")
    assert rb.bitop("AND", "d", "a", "b") == 2
    assert rb.get("d") == b"\x0f\x00"
    assert rb.bitop("OR", "d", "a", "b") == 2
    assert rb.get("d") == b"\xff\x0f"
    assert rb.bitop("XOR", "d", "a", "b", "nokey") == 2
    assert rb.get("d") == b"\xf0\x0f"
    assert rb.bitop("NOT", "d", "a") == 2
    assert rb.get("d") == b"\x00\xf0"
    assert rb.execute_command("BITOP", "and", "d", "a", "nokey") == 2
    assert rb.get("d") == b"\x00\x00"
    # The target may be a source.
    assert rb.bitop("XOR", "a", "a", "b") == 2
    assert rb.get("a") == b"\xf0\x0f"
    # An empty result deletes the target.
    assert rb.bitop("OR", "a", "nokey", "nokey2") == 0
    assert rb.get("a") is None
    rb.set("n", "12")
    assert rb.bitop("NOT", "d", "n") == 2
    assert rb.get("d") == bytes([0xff ^ ord("1"), 0xff ^ ord("2")])
    long_a, long_b = bytes(range(256)) * 3, bytes(range(255, -1, -1)) * 2
    rb.mset({"la": long_a, "lb": long_b})
    assert rb.bitop("AND", "d", "la", "lb") == len(long_a)
    want = bytes(x & y for x, y in zip(long_a, long_b + b"\x00" * 256))
    assert rb.get("d") == want


def test_bitop_errors(c):
    assert err(c, "BITOP", "FOO", "d", "a") == SYNTAX
    assert err(c, "BITOP", "NOT", "d", "a", "b") == \
        "ERR BITOP NOT must be called with a single source key."


def test_bitop_clears_target_ttl(r):
    r.set("src", "x")
    r.set("d", "old", px=150)
    r.bitop("OR", "d", "src")
    time.sleep(0.35)
    assert r.get("d") == "x"


# --- LCS ------------------------------------------------------------------

def test_lcs(c):
    c.call("MSET", "a", "ohmytext", "b", "mynewtext")
    assert c.call("LCS", "a", "b") == "mytext"
    assert c.call("LCS", "a", "b", "LEN") == 6
    assert c.call("LCS", "a", "b", "IDX") == ["matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len", 6]
    assert c.call("LCS", "a", "b", "IDX", "MINMATCHLEN", "4") == ["matches", [[[4, 7], [5, 8]]], "len", 6]
    assert c.call("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN") == \
        ["matches", [[[4, 7], [5, 8], 4]], "len", 6]
    assert c.call("LCS", "a", "nokey") == ""
    assert c.call("LCS", "a", "nokey", "IDX") == ["matches", [], "len", 0]
    assert err(c, "LCS", "a", "b", "LEN", "IDX") == \
        "ERR If you want both the length and indexes, please just use IDX."
    assert err(c, "LCS", "a", "b", "FOO") == SYNTAX
    assert err(c, "LCS", "a", "b", "MINMATCHLEN") == SYNTAX
    assert err(c, "LCS", "a", "b", "MINMATCHLEN", "x") == NOT_INT
    make_nonstring(c, "l")
    assert err(c, "LCS", "a", "l") == "ERR The specified keys must contain string values"


def test_lcs_resp3_map(node):
    c = RespConn(node.port)
    c.call("HELLO", "3")
    c.call("MSET", "a", "ohmytext", "b", "mynewtext")
    assert c.call("LCS", "a", "b", "IDX", "MINMATCHLEN", "3") == {"matches": [[[4, 7], [5, 8]]], "len": 6}
    assert c.call("GET", "nokey") is None
    c.close()


def test_resp3_null_replies(node):
    c = RespConn(node.port)
    c.call("HELLO", "3")
    c.sock.sendall(b"*2\r\n$3\r\nGET\r\n$5\r\nnokey\r\n")
    assert c._line() == b"_"
    c.sock.sendall(b"*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nXX\r\n")
    assert c._line() == b"_"
    c.close()


# --- Notifications --------------------------------------------------------

def test_keyspace_events(make_node):
    n = make_node(args=["--notify-keyspace-events", "KEA"])
    sub = RespConn(n.port)
    sub.call("PSUBSCRIBE", "__keyevent@0__:*")
    c = RespConn(n.port)
    cmds = [
        (("SET", "k", "1", "EX", "100"), [("set", "k"), ("expire", "k")]),
        (("INCR", "k"), [("incrby", "k")]),
        (("INCRBYFLOAT", "k", "1.5"), [("incrbyfloat", "k")]),
        (("APPEND", "k", "x"), [("append", "k")]),
        (("SETRANGE", "k", "0", "y"), [("setrange", "k")]),
        (("SETBIT", "k", "1", "1"), []),  # bit already set: no event
        (("SETBIT", "k", "0", "1"), [("setbit", "k")]),
        (("GETEX", "k", "PERSIST"), [("persist", "k")]),
        (("GETEX", "k", "PX", "100000"), [("expire", "k")]),
        (("GETDEL", "k"), [("del", "k")]),
        (("MSET", "a", "1", "b", "2"), [("set", "a"), ("set", "b")]),
        (("BITOP", "NOT", "d", "a"), [("set", "d")]),
        (("BITOP", "NOT", "d", "nokey"), [("del", "d")]),
        (("GETSET", "a", "3"), [("set", "a")]),
    ]
    for cmd, events in cmds:
        c.call(*cmd)
        for ev, key in events:
            msg = sub.read()
            assert list(msg)[2:] == ["__keyevent@0__:" + ev, key], (cmd, msg)
    sub.close()
    c.close()


# --- Command metadata -----------------------------------------------------

def test_command_info(c):
    need(c, "COMMAND", "COUNT")
    get, mset, bitop, setbit = c.call("COMMAND", "INFO", "get", "mset", "bitop", "setbit")
    assert get[:6] == ["get", 2, ["readonly", "fast"], 1, 1, 1]
    assert mset[:6] == ["mset", -3, ["write", "denyoom"], 1, -1, 2]
    assert bitop[:6] == ["bitop", -4, ["write", "denyoom"], 2, -1, 1]
    assert setbit[:6] == ["setbit", 4, ["write", "denyoom"], 1, 1, 1]
    assert set(get[6]) == {"@read", "@string", "@fast"}
    assert set(setbit[6]) == {"@write", "@bitmap", "@slow"}

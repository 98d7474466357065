"""test_hash.py -- hash commands over a real socket, compared with Redis 7.0.15 replies.

Owns: nothing beyond the nodes its fixtures start. Covers every hash
command and option, error words, WRONGTYPE, listpack -> hashtable
conversion points (OBJECT ENCODING), binary safety, RESP3 shapes, and
HSCAN/HRANDFIELD completeness.
"""
import pytest
import redis

from resp import RespConn


def err(fn, *args):
    with pytest.raises(redis.ResponseError) as e:
        fn(*args)
    return str(e.value)


def cmd(r, *args):
    """Send a command and return the reply without redis-py's reply callbacks."""
    conn = r.connection_pool.get_connection(args[0])
    try:
        conn.send_command(*args)
        return conn.read_response()
    finally:
        r.connection_pool.release(conn)


def enc(r, key):
    return cmd(r, "OBJECT", "ENCODING", key)


# ---- HSET HSETNX HMSET HGET HMGET --------------------------------------------------------


def test_hset_counts_new_fields_only(r):
    assert cmd(r, "HSET", "h", "a", "1", "b", "2") == 2
    assert cmd(r, "HSET", "h", "a", "x", "c", "3") == 1
    assert r.hget("h", "a") == "x"
    assert r.hget("h", "c") == "3"
    assert r.hget("h", "nope") is None
    assert r.hget("nokey", "a") is None
    assert r.hlen("h") == 3


def test_hset_same_field_twice_in_one_call(r):
    assert cmd(r, "HSET", "h", "a", "1", "a", "2") == 1
    assert r.hgetall("h") == {"a": "2"}


def test_hset_hmset_arity(r):
    assert err(cmd, r, "HSET", "h", "a") == \
        "wrong number of arguments for 'hset' command"
    assert err(cmd, r, "HSET", "h", "a", "b", "c") == \
        "wrong number of arguments for 'hset' command"
    assert err(cmd, r, "HMSET", "h", "a") == \
        "wrong number of arguments for 'hmset' command"
    assert err(cmd, r, "HMSET", "h", "a", "b", "c") == \
        "wrong number of arguments for 'hmset' command"
    assert r.exists("h") == 0


def test_hmset_replies_ok(r):
    assert cmd(r, "HMSET", "h", "a", "1", "b", "2") == "OK"
    assert r.hmget("h", "a", "b", "zz") == ["1", "2", None]
    assert r.hmget("nokey", "a", "b") == [None, None]


def test_hsetnx(r):
    assert r.hsetnx("h", "a", "1") == 1
    assert r.hsetnx("h", "a", "2") == 0
    assert r.hget("h", "a") == "1"


# ---- HDEL HLEN HSTRLEN HEXISTS ------------------------------------------------------------


def test_hdel_counts_and_deletes_empty_key(r):
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
    assert r.hdel("h", "nope", "a", "a") == 1
    assert r.hlen("h") == 2
    assert r.hdel("h", "b", "c", "d") == 2
    assert r.exists("h") == 0
    assert r.hdel("h", "x") == 0
    assert r.hlen("h") == 0


def test_hdel_last_field_of_hashtable_deletes_key(r):
    r.hset("h", "big", "x" * 100)
    assert enc(r, "h") == "hashtable"
    assert r.hdel("h", "big") == 1
    assert r.exists("h") == 0


def test_hstrlen_hexists(r):
    r.hset("h", mapping={"s": "hello", "n": "12345", "neg": "-7", "e": ""})
    assert r.hstrlen("h", "s") == 5
    assert r.hstrlen("h", "n") == 5
    assert r.hstrlen("h", "neg") == 2
    assert r.hstrlen("h", "e") == 0
    assert r.hstrlen("h", "missing") == 0
    assert r.hstrlen("nokey", "s") == 0
    assert r.hexists("h", "s") is True
    assert r.hexists("h", "missing") is False
    assert r.hexists("nokey", "s") is False


# ---- HKEYS HVALS HGETALL ------------------------------------------------------------------


def test_listpack_keeps_insertion_order(r):
    cmd(r, "HSET", "h", "z", "1", "a", "2", "m", "3")
    assert r.hkeys("h") == ["z", "a", "m"]
    assert r.hvals("h") == ["1", "2", "3"]
    assert cmd(r, "HGETALL", "h") == ["z", "1", "a", "2", "m", "3"]
    assert r.hkeys("nokey") == []
    assert r.hvals("nokey") == []
    assert r.hgetall("nokey") == {}


def test_integer_like_strings_round_trip(r):
    vals = ["012", "-0", "+1", " 1", "1 ", "9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "0", "-1", "127", "128", "4096", "-4097", "1.5", ""]
    for i, v in enumerate(vals):
        r.hset("h", "f%d" % i, v)
        r.hset("h", v, "k%d" % i)
    for i, v in enumerate(vals):
        assert r.hget("h", "f%d" % i) == v
        assert r.hget("h", v) == "k%d" % i
    assert enc(r, "h") == "listpack"


def test_binary_safe_fields_and_values(node):
    r = node.client(decode_responses=False)
    f = b"\x00\xff\r\n\x01"
    v = b"a\x00b\r\n"
    r.hset("h", f, v)
    r.hset("h", b"", b"\x00")
    assert r.hget("h", f) == v
    assert r.hget("h", b"") == b"\x00"
    assert r.hgetall("h") == {f: v, b"": b"\x00"}
    big = bytes(range(256)) * 4
    r.hset("h", big, big)
    assert r.hget("h", big) == big
    assert cmd(r, "OBJECT", "ENCODING", "h") == b"hashtable"
    assert r.hget("h", f) == v


# ---- HINCRBY HINCRBYFLOAT -----------------------------------------------------------------


def test_hincrby(r):
    assert r.hincrby("h", "n", 5) == 5
    assert r.hincrby("h", "n", -12) == -7
    assert r.hget("h", "n") == "-7"
    r.hset("h", "max", "9223372036854775807")
    assert err(r.hincrby, "h", "max", 1) == "increment or decrement would overflow"
    assert r.hincrby("h", "min", -9223372036854775808) == -9223372036854775808
    assert err(r.hincrby, "h", "min", -1) == "increment or decrement would overflow"
    r.hset("h", "s", "abc")
    assert err(r.hincrby, "h", "s", 1) == "hash value is not an integer"
    r.hset("h", "sp", " 1")
    assert err(r.hincrby, "h", "sp", 1) == "hash value is not an integer"
    assert err(cmd, r, "HINCRBY", "h", "n", "x") == \
        "value is not an integer or out of range"
    assert err(cmd, r, "HINCRBY", "h", "n", " 1") == \
        "value is not an integer or out of range"
    assert r.hget("h", "n") == "-7"


def test_hincrby_error_on_missing_key_creates_nothing(r):
    assert err(cmd, r, "HINCRBY", "nokey", "n", "x") == \
        "value is not an integer or out of range"
    assert r.exists("nokey") == 0


def test_hincrbyfloat(r):
    r.hset("h", "g", "10.5")
    assert cmd(r, "HINCRBYFLOAT", "h", "g", "0.1") == "10.6"
    assert cmd(r, "HINCRBYFLOAT", "h", "g", "-5.6") == "5"
    assert cmd(r, "HINCRBYFLOAT", "h", "n", "5.0e3") == "5000"
    assert cmd(r, "HINCRBYFLOAT", "h", "n", "1e-5") == "5000.00001000000000007"
    assert r.hget("h", "n") == "5000.00001000000000007"
    r.hset("h", "i", "3")
    assert cmd(r, "HINCRBYFLOAT", "h", "i", "1.5") == "4.5"


def test_hincrbyfloat_errors(r):
    r.hset("h", "s", "abc")
    r.hset("h", "inf", "inf")
    assert err(cmd, r, "HINCRBYFLOAT", "h", "s", "1") == "hash value is not a float"
    assert err(cmd, r, "HINCRBYFLOAT", "h", "x", "abc") == \
        "value is not a valid float"
    assert err(cmd, r, "HINCRBYFLOAT", "h", "x", " 1") == \
        "value is not a valid float"
    assert err(cmd, r, "HINCRBYFLOAT", "h", "x", "1e5000") == \
        "value is not a valid float"
    assert err(cmd, r, "HINCRBYFLOAT", "h", "x", "inf") == \
        "value is NaN or Infinity"
    assert err(cmd, r, "HINCRBYFLOAT", "h", "inf", "1") == \
        "increment would produce NaN or Infinity"
    assert r.hexists("h", "x") is False


def test_hincrbyfloat_long_result_converts_to_hashtable(r):
    r.hset("h", "f", "1")
    out = cmd(r, "HINCRBYFLOAT", "h", "f", "1e200")
    assert out.startswith("1000000000000000000") and len(out) == 201
    assert r.hstrlen("h", "f") == 201
    assert enc(r, "h") == "hashtable"


# ---- wrong type -----------------------------------------------------------------------------

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


@pytest.mark.parametrize("args", [
    ("HSET", "s", "a", "1"), ("HSETNX", "s", "a", "1"), ("HMSET", "s", "a", "1"),
    ("HGET", "s", "a"), ("HMGET", "s", "a"), ("HDEL", "s", "a"), ("HLEN", "s"),
    ("HSTRLEN", "s", "a"), ("HEXISTS", "s", "a"), ("HKEYS", "s"), ("HVALS", "s"),
    ("HGETALL", "s"), ("HINCRBY", "s", "a", "1"), ("HINCRBYFLOAT", "s", "a", "1"),
    ("HRANDFIELD", "s"), ("HRANDFIELD", "s", "2"), ("HRANDFIELD", "s", "-2", "WITHVALUES"),
    ("HSCAN", "s", "0"), ("HSCAN", "s", "0", "BADOPT"),
])
def test_wrong_type(r, args):
    r.sadd("s", "x")
    assert err(cmd, r, *args) == WRONGTYPE
    assert r.smembers("s") == {"x"}


@pytest.mark.parametrize("args,arity", [
    (("HSET", "h", "a"), "hset"), (("HGET", "h"), "hget"), (("HLEN",), "hlen"),
    (("HSETNX", "h", "a"), "hsetnx"), (("HMGET", "h"), "hmget"), (("HDEL", "h"), "hdel"),
    (("HINCRBY", "h", "a"), "hincrby"), (("HRANDFIELD",), "hrandfield"),
    (("HSCAN", "h"), "hscan"), (("HSTRLEN", "h"), "hstrlen"),
])
def test_arity_errors(r, args, arity):
    assert err(cmd, r, *args) == \
        "wrong number of arguments for '%s' command" % arity


# ---- encodings ------------------------------------------------------------------------------


def test_entries_limit_converts_at_513(r):
    # Redis 7.0.15's compiled-in default is 512 (its sample redis.conf says 128).
    pipe = r.pipeline(transaction=False)
    for i in range(512):
        pipe.hset("h", "f%d" % i, i)
    pipe.execute()
    assert enc(r, "h") == "listpack"
    r.hset("h", "f0", "again")
    assert enc(r, "h") == "listpack"
    r.hset("h", "f512", 512)
    assert enc(r, "h") == "hashtable"
    assert r.hlen("h") == 513
    assert r.hget("h", "f0") == "again"
    assert r.hget("h", "f511") == "511"


def test_value_and_field_length_limit(r):
    r.hset("h", "v", "x" * 64)
    r.hset("h", "f" * 64, "y")
    assert enc(r, "h") == "listpack"
    r.hset("h2", "v", "x" * 65)
    assert enc(r, "h2") == "hashtable"
    r.hset("h3", "f" * 65, "y")
    assert enc(r, "h3") == "hashtable"
    assert r.hget("h3", "f" * 65) == "y"
    cmd(r, "HSETNX", "h4", "a", "z" * 65)
    assert enc(r, "h4") == "hashtable"


def test_hashtable_never_converts_back(r):
    r.hset("h", "big", "x" * 100)
    r.hset("h", "small", "1")
    r.hdel("h", "big")
    assert enc(r, "h") == "hashtable"
    assert r.hgetall("h") == {"small": "1"}


def test_limits_from_command_line(make_node):
    n = make_node(["--hash-max-listpack-entries", "2", "--hash-max-listpack-value", "4"])
    r = n.client()
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert enc(r, "h") == "listpack"
    r.hset("h", "c", "3")
    assert enc(r, "h") == "hashtable"
    r.hset("v", "a", "1234")
    assert enc(r, "v") == "listpack"
    r.hset("v", "a", "12345")
    assert enc(r, "v") == "hashtable"
    assert r.hget("v", "a") == "12345"


def test_ziplist_aliases_in_config_file(make_node):
    n = make_node(config_text="[node]\nhash-max-ziplist-entries = 1\nhash-max-ziplist-value = 3\n")
    r = n.client()
    r.hset("h", "a", "1")
    assert enc(r, "h") == "listpack"
    r.hset("h", "b", "2")
    assert enc(r, "h") == "hashtable"


def test_zero_entries_limit_means_hashtable(make_node):
    r = make_node(["--hash-max-listpack-entries", "0"]).client()
    r.hset("h", "a", "1")
    assert enc(r, "h") == "hashtable"
    assert r.hgetall("h") == {"a": "1"}


def test_big_hash(r):
    pipe = r.pipeline(transaction=False)
    for i in range(10000):
        pipe.hset("h", "field:%d" % i, "value:%d" % i)
    pipe.execute()
    assert r.hlen("h") == 10000
    assert enc(r, "h") == "hashtable"
    all_ = r.hgetall("h")
    assert len(all_) == 10000
    assert all_["field:9999"] == "value:9999"
    assert len(r.hkeys("h")) == 10000
    assert r.hdel("h", *["field:%d" % i for i in range(5000)]) == 5000
    assert r.hlen("h") == 5000
    assert r.hget("h", "field:4999") is None
    assert r.hget("h", "field:5000") == "value:5000"


def test_copy_and_memory_usage_of_both_encodings(r):
    r.hset("small", mapping={"a": "1", "b": "2"})
    r.hset("big", mapping={"f%d" % i: "x" * 70 for i in range(300)})
    assert enc(r, "big") == "hashtable"
    for key in ("small", "big"):
        assert cmd(r, "COPY", key, key + "2") == 1
        assert r.hgetall(key + "2") == r.hgetall(key)
        assert enc(r, key + "2") == enc(r, key)
    r.hset("big2", "f0", "changed")
    assert r.hget("big", "f0") == "x" * 70


def test_memory_usage_counts_fields(r):
    r.hset("big", mapping={"f%d" % i: "x" * 70 for i in range(300)})
    r.hset("small", mapping={"f%d" % i: "x" * 10 for i in range(10)})
    big = cmd(r, "MEMORY", "USAGE", "big")
    assert big > 300 * 70
    assert 10 * 12 < cmd(r, "MEMORY", "USAGE", "small") < 1000


# ---- HRANDFIELD -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 300])
def test_hrandfield_shapes(r, size):
    fields = {"f%d" % i: "v%d" % i for i in range(size)}
    r.hset("h", mapping=fields)
    assert cmd(r, "HRANDFIELD", "h") in fields
    got = cmd(r, "HRANDFIELD", "h", "3")
    assert len(got) == 3 and len(set(got)) == 3 and set(got) <= set(fields)
    got = cmd(r, "HRANDFIELD", "h", str(size + 10))
    assert sorted(got) == sorted(fields)
    got = cmd(r, "HRANDFIELD", "h", "-20")
    assert len(got) == 20 and set(got) <= set(fields)
    got = cmd(r, "HRANDFIELD", "h", "-7", "WITHVALUES")
    assert len(got) == 14
    for f, v in zip(got[::2], got[1::2]):
        assert fields[f] == v
    got = cmd(r, "HRANDFIELD", "h", "4", "withvalues")
    assert len(got) == 8 and len(set(got[::2])) == 4
    for f, v in zip(got[::2], got[1::2]):
        assert fields[f] == v
    assert cmd(r, "HRANDFIELD", "h", "0") == []
    assert cmd(r, "HRANDFIELD", "h", "0", "WITHVALUES") == []


def test_hrandfield_missing_key(r):
    assert cmd(r, "HRANDFIELD", "nokey") is None
    assert cmd(r, "HRANDFIELD", "nokey", "5") == []
    assert cmd(r, "HRANDFIELD", "nokey", "-5", "WITHVALUES") == []


def test_hrandfield_errors(r):
    r.hset("h", "a", "1")
    assert err(cmd, r, "HRANDFIELD", "h", "x") == \
        "value is not an integer or out of range"
    assert err(cmd, r, "HRANDFIELD", "h", "-9223372036854775808") == \
        "value is out of range, value must between -9223372036854775807 and 9223372036854775807"
    assert err(cmd, r, "HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES") == \
        "value is out of range"
    assert err(cmd, r, "HRANDFIELD", "h", "4611686018427387904", "WITHVALUES") == \
        "value is out of range"
    assert err(cmd, r, "HRANDFIELD", "h", "1", "foo") == "syntax error"
    assert err(cmd, r, "HRANDFIELD", "h", "1", "WITHVALUES", "x") == "syntax error"
    assert err(cmd, r, "HRANDFIELD", "nokey", "1", "foo") == "syntax error"


@pytest.mark.parametrize("size", [10, 200])
def test_hrandfield_eventually_returns_every_field(r, size):
    fields = {"f%d" % i for i in range(size)}
    r.hset("h", mapping={f: "v" for f in fields})
    seen = set()
    for _ in range(200):
        seen.add(cmd(r, "HRANDFIELD", "h"))
        seen.update(cmd(r, "HRANDFIELD", "h", "-5"))
        seen.update(cmd(r, "HRANDFIELD", "h", "5"))
        if seen == fields:
            break
    assert seen == fields


def test_resp3_shapes(node):
    c = RespConn(node.port)
    c.call("HELLO", "3")
    c.call("HSET", "h", "f", "v")
    assert c.call("HGETALL", "h") == {"f": "v"}
    assert c.call("HGETALL", "nokey") == {}
    assert c.call("HRANDFIELD", "h", "1", "WITHVALUES") == [["f", "v"]]
    assert c.call("HRANDFIELD", "h", "-2", "WITHVALUES") == [["f", "v"], ["f", "v"]]
    assert c.call("HRANDFIELD", "h", "-2") == ["f", "f"]
    assert c.call("HRANDFIELD", "nokey") is None
    c.close()


# ---- HSCAN ----------------------------------------------------------------------------------


def test_hscan_listpack_returns_everything_at_once(r):
    r.hset("h", mapping={"f%d" % i: str(i) for i in range(50)})
    cur, items = r.hscan("h", 0, count=2)
    assert cur == 0
    assert len(items) == 50 and items["f7"] == "7"
    cur, items = r.hscan("h", 0, match="f1*")
    assert cur == 0
    assert set(items) == {"f1"} | {"f1%d" % i for i in range(10)}
    assert r.hscan("nokey", 0) == (0, {})


def test_hscan_hashtable_iterates_every_field(r):
    fields = {"field:%d" % i: str(i) for i in range(1000)}
    r.hset("h", mapping=fields)
    assert enc(r, "h") == "hashtable"
    got, cur, calls = {}, 0, 0
    while True:
        cur, items = r.hscan("h", cur, count=20)
        got.update(items)
        calls += 1
        if cur == 0:
            break
    assert got == fields
    assert calls > 5
    got, cur = {}, 0
    while True:
        cur, items = r.hscan("h", cur, match="field:99*", count=100)
        got.update(items)
        if cur == 0:
            break
    assert set(got) == {"field:99"} | {"field:99%d" % i for i in range(10)}


def test_hscan_errors(r):
    r.hset("h", "a", "1")
    assert err(cmd, r, "HSCAN", "h", "abc") == "invalid cursor"
    assert err(cmd, r, "HSCAN", "nokey", "abc") == "invalid cursor"
    assert err(cmd, r, "HSCAN", "h", "0", "COUNT", "0") == "syntax error"
    assert err(cmd, r, "HSCAN", "h", "0", "COUNT", "x") == \
        "value is not an integer or out of range"
    assert err(cmd, r, "HSCAN", "h", "0", "TYPE", "string") == "syntax error"
    assert err(cmd, r, "HSCAN", "h", "0", "MATCH") == "syntax error"
    # Options of a missing key are not checked, as in Redis.
    assert cmd(r, "HSCAN", "nokey", "0", "foo", "bar") == ["0", []]


def test_hscan_cursor_parsed_as_scan_parses_it(r):
    # One parser (scan.c) for every *SCAN: strtoul semantics, as Redis 7.0.15
    # answers, so an empty cursor is 0 and "-1" wraps around.
    r.hset("h", "a", "1")
    assert cmd(r, "HSCAN", "h", "") == ["0", ["a", "1"]]
    assert cmd(r, "HSCAN", "h", "-1") == ["0", ["a", "1"]]
    assert err(cmd, r, "HSCAN", "h", " 0") == "invalid cursor"
    assert err(cmd, r, "HSCAN", "h", "18446744073709551616") == "invalid cursor"


def test_writes_signal_watch(node):
    r = node.client()
    r.hset("h", "a", "1")
    for args in (("HSET", "h", "a", "2"), ("HDEL", "h", "a"), ("HINCRBY", "h", "n", "1"),
                ("HINCRBYFLOAT", "h", "n", "1.5"), ("HSETNX", "h", "new", "1")):
        p = r.pipeline(transaction=True)
        p.watch("h")
        other = node.client()
        other.execute_command(*args)
        other.close()
        p.multi()
        p.hlen("h")
        with pytest.raises(redis.WatchError):
            p.execute()
        p.reset()


def test_hscan_largest_count_on_a_hashtable(node, r):
    # COUNT near LLONG_MAX once overflowed the count*10 bucket bound (undefined
    # behaviour; the sanitizer build aborted). Redis 7.0.15 returns everything.
    r.hset("h", mapping={"f%d" % i: i for i in range(600)})
    assert r.object("encoding", "h") == "hashtable"
    cursor, got = r.hscan("h", 0, count=9223372036854775807)
    assert cursor == 0
    assert got == {"f%d" % i: str(i) for i in range(600)}
    assert node.alive()

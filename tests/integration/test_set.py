"""test_set.py -- set commands over a real socket, compared with Redis 7.0.15 replies.

Owns: nothing beyond the nodes its fixtures start. Covers every set
command and option, error words, WRONGTYPE, intset -> hashtable conversion
points (OBJECT ENCODING), binary safety, RESP3 shapes, big sets, and
SSCAN/SPOP/SRANDMEMBER completeness.
"""
import pytest
import redis

from resp import RespConn

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def cmd(r, *args):
    """Send a command and return the reply without redis-py's reply callbacks."""
    conn = r.connection_pool.get_connection(args[0])
    try:
        conn.send_command(*args)
        return conn.read_response()
    finally:
        r.connection_pool.release(conn)


def err(*args):
    with pytest.raises(redis.ResponseError) as e:
        cmd(*args)
    return str(e.value)


def enc(r, key):
    return cmd(r, "OBJECT", "ENCODING", key)


# ---- SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS --------------------------------------


def test_sadd_srem_scard(r):
    assert r.sadd("s", "a", "b", "a") == 2
    assert r.sadd("s", "b", "c") == 1
    assert r.scard("s") == 3
    assert r.smembers("s") == {"a", "b", "c"}
    assert r.srem("s", "a", "zz", "a") == 1
    assert r.scard("s") == 2
    assert r.srem("s", "b", "c") == 2
    assert r.exists("s") == 0
    assert r.srem("s", "x") == 0
    assert r.scard("s") == 0
    assert r.smembers("nokey") == set()


def test_srem_last_intset_member_deletes_key(r):
    r.sadd("s", 1, 2)
    assert enc(r, "s") == "intset"
    assert r.srem("s", 1, 2, 3) == 2
    assert r.exists("s") == 0


def test_sismember_smismember(r):
    r.sadd("s", "a", "1")
    assert r.sismember("s", "a") is True
    assert r.sismember("s", "1") is True
    assert r.sismember("s", "01") is False
    assert r.sismember("nokey", "a") is False
    assert cmd(r, "SMISMEMBER", "s", "a", "x", "1") == [1, 0, 1]
    assert cmd(r, "SMISMEMBER", "nokey", "a", "b") == [0, 0]


@pytest.mark.parametrize("args", [
    ("SADD", "str", "a"), ("SREM", "str", "a"), ("SCARD", "str"), ("SISMEMBER", "str", "a"),
    ("SMISMEMBER", "str", "a"), ("SMEMBERS", "str"), ("SPOP", "str"), ("SPOP", "str", "2"),
    ("SRANDMEMBER", "str"), ("SRANDMEMBER", "str", "-2"), ("SMOVE", "str", "s", "a"),
    ("SMOVE", "s", "str", "a"), ("SINTER", "s", "str"), ("SINTER", "nokey", "str"),
    ("SUNION", "s", "str"), ("SDIFF", "s", "str"), ("SDIFF", "nokey", "str"),
    ("SINTERSTORE", "d", "nokey", "str"), ("SUNIONSTORE", "d", "s", "str"),
    ("SDIFFSTORE", "d", "s", "str"), ("SINTERCARD", "2", "nokey", "str"), ("SSCAN", "str", "0"),
])
def test_wrong_type(r, args):
    r.set("str", "v")
    r.sadd("s", "a")
    assert err(r, *args) == WRONGTYPE
    assert r.get("str") == "v"
    assert r.exists("d") == 0


@pytest.mark.parametrize("args,name", [
    (("SADD", "s"), "sadd"), (("SREM", "s"), "srem"), (("SCARD",), "scard"),
    (("SISMEMBER", "s"), "sismember"), (("SMOVE", "a", "b"), "smove"),
    (("SINTER",), "sinter"), (("SINTERSTORE", "d"), "sinterstore"),
    (("SINTERCARD", "1"), "sintercard"), (("SSCAN", "s"), "sscan"), (("SPOP",), "spop"),
])
def test_arity_errors(r, args, name):
    assert err(r, *args) == "wrong number of arguments for '%s' command" % name


# ---- encodings ------------------------------------------------------------------------------


def test_intset_until_a_non_integer(r):
    r.sadd("s", 1, 2, 3)
    assert enc(r, "s") == "intset"
    r.sadd("s", "-5", "9223372036854775807", "-9223372036854775808")
    assert enc(r, "s") == "intset"
    r.sadd("s", "x")
    assert enc(r, "s") == "hashtable"
    assert r.smembers("s") == {"1", "2", "3", "-5", "9223372036854775807",
                               "-9223372036854775808", "x"}
    r.srem("s", "x")
    assert enc(r, "s") == "hashtable"


@pytest.mark.parametrize("member", ["012", "-0", "+1", " 1", "1.0", "9223372036854775808", ""])
def test_non_canonical_numbers_are_strings(r, member):
    r.sadd("s", 1)
    r.sadd("s", member)
    assert enc(r, "s") == "hashtable"
    assert r.sismember("s", member) is True
    assert r.smembers("s") == {"1", member}


def test_first_member_picks_encoding(r):
    r.sadd("a", "x", 1)
    assert enc(r, "a") == "hashtable"
    r.sadd("b", 7)
    assert enc(r, "b") == "intset"


def test_intset_widths(r):
    vals = [0, 1, -1, 32767, -32768, 32768, 2 ** 31 - 1, -2 ** 31, 2 ** 31, 2 ** 63 - 1, -2 ** 63]
    for v in vals:
        r.sadd("s", v)
        assert enc(r, "s") == "intset"
    assert r.smembers("s") == {str(v) for v in vals}
    for v in vals:
        assert r.sismember("s", v) is True
    assert r.sismember("s", 12345) is False
    cur, items = r.sscan("s", 0)
    assert cur == 0
    assert [int(x) for x in items] == sorted(vals)


def test_intset_limit_converts_at_513(r):
    r.sadd("s", *range(512))
    assert enc(r, "s") == "intset"
    r.sadd("s", 5)
    assert enc(r, "s") == "intset"
    r.sadd("s", 512)
    assert enc(r, "s") == "hashtable"
    assert r.scard("s") == 513


def test_intset_limit_from_command_line(make_node):
    r = make_node(["--set-max-intset-entries", "3"]).client()
    r.sadd("s", 1, 2, 3)
    assert enc(r, "s") == "intset"
    r.sadd("s", 4)
    assert enc(r, "s") == "hashtable"
    r.sadd("t", 1, 2, 3, 4)
    assert enc(r, "t") == "hashtable"


def test_store_results_start_as_intset(r):
    r.sadd("a", "x", 1, 2, 3)
    r.sadd("b", 1, 2, 9)
    assert r.sinterstore("d", "a", "b") == 2
    assert enc(r, "d") == "intset"
    assert r.sunionstore("u", "a", "b") == 5
    assert enc(r, "u") == "hashtable"


def test_binary_safe_members(node):
    r = node.client(decode_responses=False)
    ms = [b"\x00", b"\xff\xfe", b"a\r\nb", b"", b"1\x00"]
    assert r.sadd("s", *ms) == 5
    assert r.smembers("s") == set(ms)
    for m in ms:
        assert r.sismember("s", m)
    assert r.srem("s", b"\x00") == 1
    assert r.sismember("s", b"1\x00")
    assert not r.sismember("s", b"1")


def test_big_set(r):
    members = ["m%d" % i for i in range(10000)]
    for i in range(0, 10000, 1000):
        r.sadd("s", *members[i:i + 1000])
    assert r.scard("s") == 10000
    assert r.smembers("s") == set(members)
    got, cur = set(), 0
    while True:
        cur, items = r.sscan("s", cur, count=100)
        got.update(items)
        if cur == 0:
            break
    assert got == set(members)
    r.sadd("n", *range(10000))
    assert enc(r, "n") == "hashtable"
    assert r.sinterstore("d", "s", "n") == 0
    assert r.sunionstore("d", "s", "n") == 20000
    assert r.sdiffstore("d", "s", "nokey") == 10000
    assert len(r.spop("d", 9990)) == 9990
    assert r.scard("d") == 10


def test_copy_keeps_encoding(r):
    r.sadd("i", 1, 2, 3)
    r.sadd("h", "a", "b")
    for k in ("i", "h"):
        assert cmd(r, "COPY", k, k + "2") == 1
        assert r.smembers(k + "2") == r.smembers(k)
        assert enc(r, k + "2") == enc(r, k)
    r.sadd("h2", "c")
    assert r.smembers("h") == {"a", "b"}


# ---- SPOP SRANDMEMBER -----------------------------------------------------------------------


@pytest.mark.parametrize("members", [list(range(20)), ["m%d" % i for i in range(20)]])
def test_spop(r, members):
    r.sadd("s", *members)
    want = {str(m) for m in members}
    got = set()
    one = r.spop("s")
    assert one in want
    got.add(one)
    more = r.spop("s", 5)
    assert len(more) == 5 and len(set(more)) == 5
    got.update(more)
    assert r.scard("s") == 14
    assert r.spop("s", 0) == []
    rest = r.spop("s", 100)
    assert len(rest) == 14
    got.update(rest)
    assert got == want
    assert r.exists("s") == 0
    assert r.spop("s") is None
    assert r.spop("s", 3) == []


def test_spop_errors(r):
    r.sadd("s", "a")
    assert err(r, "SPOP", "s", "-1") == "value is out of range, must be positive"
    assert err(r, "SPOP", "s", "x") == "value is out of range, must be positive"
    assert err(r, "SPOP", "s", "1", "2") == "syntax error"
    assert r.smembers("s") == {"a"}


def test_spop_last_member_deletes_key(r):
    r.sadd("s", "only")
    assert r.spop("s") == "only"
    assert r.exists("s") == 0


@pytest.mark.parametrize("members", [list(range(30)), ["m%d" % i for i in range(30)]])
def test_srandmember(r, members):
    r.sadd("s", *members)
    want = {str(m) for m in members}
    assert r.srandmember("s") in want
    got = r.srandmember("s", 10)
    assert len(got) == 10 and len(set(got)) == 10 and set(got) <= want
    assert sorted(r.srandmember("s", 100)) == sorted(want)
    got = r.srandmember("s", -100)
    assert len(got) == 100 and set(got) <= want
    assert r.srandmember("s", 0) == []
    assert r.scard("s") == 30
    assert r.srandmember("nokey") is None
    assert r.srandmember("nokey", 5) == []
    assert r.srandmember("nokey", -5) == []


def test_srandmember_errors(r):
    r.sadd("s", "a")
    assert err(r, "SRANDMEMBER", "s", "x") == "value is not an integer or out of range"
    assert err(r, "SRANDMEMBER", "s", "-9223372036854775808") == \
        "value is out of range, value must between -9223372036854775807 and 9223372036854775807"
    assert err(r, "SRANDMEMBER", "s", "1", "2") == "syntax error"


@pytest.mark.parametrize("members", [list(range(50)), ["m%d" % i for i in range(300)]])
def test_random_picks_eventually_cover_every_member(r, members):
    r.sadd("s", *members)
    want = {str(m) for m in members}
    seen = set()
    for _ in range(500):
        seen.add(r.srandmember("s"))
        seen.update(r.srandmember("s", -5))
        seen.update(r.srandmember("s", 5))
        if seen == want:
            break
    assert seen == want
    popped = set()
    for _ in range(len(members) + 5):
        m = r.spop("s")
        if m is None:
            break
        popped.add(m)
    assert popped == want


# ---- SMOVE ----------------------------------------------------------------------------------


def test_smove(r):
    r.sadd("a", "x", "y")
    r.sadd("b", "z")
    assert r.smove("a", "b", "x") is True
    assert r.smembers("a") == {"y"}
    assert r.smembers("b") == {"x", "z"}
    assert r.smove("a", "b", "nope") is False
    assert r.smove("a", "c", "y") is True
    assert r.exists("a") == 0
    assert r.smembers("c") == {"y"}
    assert r.smove("nokey", "c", "y") is False
    r.sadd("c", "z")
    assert r.smove("c", "b", "z") is True
    assert r.smembers("b") == {"x", "z"}


def test_smove_same_key_and_types(r):
    r.sadd("s", 1, 2)
    assert r.smove("s", "s", 1) is True
    assert r.smove("s", "s", 9) is False
    assert r.smembers("s") == {"1", "2"}
    r.set("str", "v")
    assert cmd(r, "SMOVE", "nokey", "str", "1") == 0
    assert err(r, "SMOVE", "s", "str", "1") == WRONGTYPE
    assert r.smembers("s") == {"1", "2"}
    r.sadd("t", "text")
    assert r.smove("s", "t", 1) is True
    assert enc(r, "t") == "hashtable"
    r.smove("t", "n", "text")
    assert enc(r, "n") == "hashtable"
    r.smove("s", "n2", 2)
    assert enc(r, "n2") == "intset"


# ---- SINTER SUNION SDIFF and STORE ----------------------------------------------------------


def test_algebra(r):
    r.sadd("a", 1, 2, 3, "x")
    r.sadd("b", 2, 3, 4)
    r.sadd("c", 3, "x", 5)
    assert r.sinter("a", "b") == {"2", "3"}
    assert r.sinter("a", "b", "c") == {"3"}
    assert r.sinter("a") == {"1", "2", "3", "x"}
    assert r.sinter("a", "nokey") == set()
    assert r.sunion("a", "b", "c") == {"1", "2", "3", "4", "5", "x"}
    assert r.sunion("nokey", "b") == {"2", "3", "4"}
    assert r.sdiff("a", "b") == {"1", "x"}
    assert r.sdiff("a", "b", "c") == {"1"}
    assert r.sdiff("a", "a") == set()
    assert r.sdiff("nokey", "a") == set()
    assert r.sdiff("a", "nokey") == {"1", "2", "3", "x"}


def test_store_variants(r):
    r.sadd("a", 1, 2, 3)
    r.sadd("b", 2, 3, 4)
    assert r.sinterstore("d", "a", "b") == 2
    assert r.smembers("d") == {"2", "3"}
    assert r.sunionstore("d", "a", "b") == 4
    assert r.smembers("d") == {"1", "2", "3", "4"}
    assert r.sdiffstore("d", "a", "b") == 1
    assert r.smembers("d") == {"1"}
    # The destination may be one of the sources.
    assert r.sunionstore("a", "a", "b") == 4
    assert r.smembers("a") == {"1", "2", "3", "4"}


def test_store_empty_result_deletes_destination(r):
    r.sadd("a", 1)
    r.sadd("b", 2)
    r.set("d", "string")
    assert r.sinterstore("d", "a", "b") == 0
    assert r.exists("d") == 0
    r.sadd("d", 5)
    assert r.sinterstore("d", "a", "nokey") == 0
    assert r.exists("d") == 0
    r.sadd("d", 5)
    assert r.sdiffstore("d", "a", "a") == 0
    assert r.exists("d") == 0
    assert r.sunionstore("d", "nokey") == 0


def test_store_replaces_other_types_and_clears_ttl(r):
    r.sadd("a", 1, 2)
    r.set("d", "string")
    assert r.sinterstore("d", "a", "a") == 2
    assert r.type("d") == "set"
    r.expire("d", 100)
    assert r.sunionstore("d", "a") == 2
    assert r.ttl("d") == -1


def test_sintercard(r):
    r.sadd("a", *range(10))
    r.sadd("b", *range(5, 20))
    assert cmd(r, "SINTERCARD", "2", "a", "b") == 5
    assert cmd(r, "SINTERCARD", "2", "a", "b", "LIMIT", "3") == 3
    assert cmd(r, "SINTERCARD", "2", "a", "b", "limit", "0") == 5
    assert cmd(r, "SINTERCARD", "2", "a", "b", "LIMIT", "100") == 5
    assert cmd(r, "SINTERCARD", "1", "a") == 10
    assert cmd(r, "SINTERCARD", "2", "a", "nokey") == 0
    assert cmd(r, "SINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "4") == 4


def test_sintercard_errors(r):
    r.sadd("s", 1)
    assert err(r, "SINTERCARD", "0", "s") == "numkeys should be greater than 0"
    assert err(r, "SINTERCARD", "-1", "s") == "numkeys should be greater than 0"
    assert err(r, "SINTERCARD", "x", "s") == "numkeys should be greater than 0"
    assert err(r, "SINTERCARD", "3", "s", "s") == \
        "Number of keys can't be greater than number of args"
    assert err(r, "SINTERCARD", "1", "s", "LIMIT", "-1") == "LIMIT can't be negative"
    assert err(r, "SINTERCARD", "1", "s", "LIMIT", "x") == "LIMIT can't be negative"
    assert err(r, "SINTERCARD", "1", "s", "FOO", "1") == "syntax error"
    assert err(r, "SINTERCARD", "1", "s", "LIMIT") == "syntax error"


# ---- SSCAN ----------------------------------------------------------------------------------


def test_sscan_intset_in_one_call(r):
    r.sadd("s", *range(100))
    assert r.sscan("s", 0, count=5) == (0, [str(i) for i in range(100)])
    assert r.sscan("s", 0, match="9*") == (0, ["9"] + [str(i) for i in range(90, 100)])
    assert r.sscan("nokey", 0) == (0, [])


def test_sscan_hashtable_with_match(r):
    members = {"user:%d" % i for i in range(2000)} | {"other:%d" % i for i in range(100)}
    r.sadd("s", *members)
    got, cur, calls = set(), 0, 0
    while True:
        cur, items = r.sscan("s", cur, match="other:*", count=50)
        got.update(items)
        calls += 1
        if cur == 0:
            break
    assert got == {"other:%d" % i for i in range(100)}
    assert calls > 10


def test_sscan_errors(r):
    r.sadd("s", "a")
    assert err(r, "SSCAN", "s", "abc") == "invalid cursor"
    assert err(r, "SSCAN", "s", "0", "COUNT", "0") == "syntax error"
    assert err(r, "SSCAN", "s", "0", "MATCH") == "syntax error"
    assert err(r, "SSCAN", "s", "0", "TYPE", "set") == "syntax error"
    assert cmd(r, "SSCAN", "nokey", "0", "MATCH") == ["0", []]


def test_sscan_cursor_parsed_as_scan_parses_it(r):
    # Redis 7.0.15 takes an empty cursor as 0 (strtoul), for SSCAN as for SCAN.
    r.sadd("s", "a")
    assert cmd(r, "SSCAN", "s", "") == ["0", ["a"]]
    assert cmd(r, "SCAN", "") == ["0", ["s"]]
    assert err(r, "SSCAN", "s", "1x") == "invalid cursor"


# ---- RESP3 and change signals ---------------------------------------------------------------


def test_resp3_set_replies(node):
    c = RespConn(node.port)
    c.call("HELLO", "3")
    c.call("SADD", "s", "a")
    for args in (("SMEMBERS", "s"), ("SINTER", "s"), ("SUNION", "s"), ("SDIFF", "s"),
                 ("SPOP", "s", "0")):
        type_name = type(c.call(*args)).__name__
        assert type_name == "RespSet", args
    assert type(c.call("SRANDMEMBER", "s", "1")).__name__ == "list"
    assert c.call("SMEMBERS", "nokey") == []
    assert c.call("SPOP", "nokey") is None
    got = c.call("SPOP", "s", "1")
    assert type(got).__name__ == "RespSet" and list(got) == ["a"]
    c.close()


def test_writes_signal_watch(node):
    r = node.client()
    for args in (("SADD", "s", "new"), ("SREM", "s", "a"), ("SPOP", "s"),
                 ("SMOVE", "s", "t", "a"), ("SINTERSTORE", "s", "s", "s")):
        r.delete("s")
        r.sadd("s", "a", "b")
        p = r.pipeline(transaction=True)
        p.watch("s")
        other = node.client()
        other.execute_command(*args)
        other.close()
        p.multi()
        p.scard("s")
        with pytest.raises(redis.WatchError):
            p.execute()
        p.reset()


def test_sscan_largest_count_on_a_hashtable(node, r):
    # COUNT near LLONG_MAX once overflowed the count*10 bucket bound (undefined
    # behaviour; the sanitizer build aborted). Redis 7.0.15 returns everything.
    r.sadd("s", *["m%d" % i for i in range(300)])
    assert r.object("encoding", "s") == "hashtable"
    cursor, got = r.sscan("s", 0, count=9223372036854775807)
    assert cursor == 0
    assert sorted(got) == sorted("m%d" % i for i in range(300))
    assert node.alive()

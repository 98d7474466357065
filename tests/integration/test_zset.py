"""Sorted sets: every command and option, errors, encodings, RESP3 shapes."""
import pytest
import redis

from resp import RespConn


def err(r, *args):
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def test_zadd_basic_and_options(r):
    assert r.zadd("z", {"a": 1, "b": 2, "c": 3}) == 3
    assert r.zadd("z", {"a": 10}, nx=True) == 0
    assert r.zscore("z", "a") == 1.0
    assert r.zadd("z", {"a": 5, "d": 4}, xx=True) == 0
    assert r.zscore("z", "a") == 5.0 and r.zscore("z", "d") is None
    assert r.zadd("z", {"a": 6, "e": 1}, ch=True) == 2
    assert r.execute_command("ZADD", "z", "GT", "CH", "1", "a") == 0
    assert r.execute_command("ZADD", "z", "GT", "CH", "7", "a") == 1
    assert r.execute_command("ZADD", "z", "LT", "CH", "8", "a") == 0
    assert r.execute_command("ZADD", "z", "INCR", "2", "a") == 9.0
    assert r.execute_command("ZADD", "z", "INCR", "NX", "2", "a") is None
    assert r.execute_command("ZADD", "nokey", "XX", "1", "a") == 0
    assert r.exists("nokey") == 0


def test_zadd_errors(r):
    assert err(r, "ZADD", "z", "NX", "XX", "1", "a") == "XX and NX options at the same time are not compatible"
    assert err(r, "ZADD", "z", "GT", "NX", "1", "a") == "GT, LT, and/or NX options at the same time are not compatible"
    assert err(r, "ZADD", "z", "GT", "LT", "1", "a") == "GT, LT, and/or NX options at the same time are not compatible"
    assert err(r, "ZADD", "z", "INCR", "1", "a", "2", "b") == "INCR option supports a single increment-element pair"
    assert err(r, "ZADD", "z", "1", "a", "2") == "syntax error"
    assert err(r, "ZADD", "z", "abc", "a") == "value is not a valid float"
    assert err(r, "ZADD", "z", "nan", "a") == "value is not a valid float"
    assert r.exists("z") == 0
    r.zadd("inf", {"x": float("inf")})
    assert err(r, "ZINCRBY", "inf", "-inf", "x") == "resulting score is not a number (NaN)"
    r.set("s", "v")
    assert err(r, "ZADD", "s", "1", "a").startswith("WRONGTYPE")
    assert err(r, "ZADD", "z") == "wrong number of arguments for 'zadd' command"


def test_scores_format_like_redis_7_0(r):
    r.zadd("z", {"f": 1.1, "i": 3, "n": -0.5, "big": 1e20, "inf": float("inf")})
    raw = RespConn(r.connection_pool.connection_kwargs["port"])
    assert raw.call("ZSCORE", "z", "f") == "1.1000000000000001"
    assert raw.call("ZSCORE", "z", "i") == "3"
    assert raw.call("ZSCORE", "z", "big") == "1e+20"
    assert raw.call("ZSCORE", "z", "inf") == "inf"
    raw.call("HELLO", "3")
    assert raw.call("ZSCORE", "z", "n") == -0.5
    raw.close()


def test_zincrby_zrem_zcard_zmscore(r):
    assert r.zincrby("z", 2.5, "a") == 2.5
    assert r.zincrby("z", 1, "a") == 3.5
    r.zadd("z", {"b": 1})
    assert r.zcard("z") == 2
    assert r.zmscore("z", ["a", "x", "b"]) == [3.5, None, 1.0]
    assert r.zrem("z", "a", "x") == 1
    assert r.zrem("z", "b") == 1
    assert r.exists("z") == 0
    assert r.zcard("z") == 0
    assert err(r, "ZINCRBY", "z", "abc", "a") == "value is not a valid float"


def test_rank_and_revrank(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zrank("z", "a") == 0
    assert r.zrevrank("z", "a") == 2
    assert r.zrank("z", "zz") is None
    assert r.zrank("missing", "a") is None


def test_zrange_by_rank_score_lex(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert r.zrange("z", 0, -1) == ["a", "b", "c", "d"]
    assert r.zrange("z", -2, -1, withscores=True) == [("c", 3.0), ("d", 4.0)]
    assert r.zrange("z", 2, 1) == []
    assert r.zrange("z", 0, 100) == ["a", "b", "c", "d"]
    assert r.zrevrange("z", 0, 1) == ["d", "c"]
    assert r.execute_command("ZRANGE", "z", "(1", "3", "BYSCORE") == ["b", "c"]
    assert r.execute_command("ZRANGE", "z", "+inf", "2", "BYSCORE", "REV", "LIMIT", "1", "2") == ["c", "b"]
    assert r.execute_command("ZRANGE", "z", "0", "-1", "REV") == ["d", "c", "b", "a"]
    assert r.zrangebyscore("z", "-inf", "+inf", start=1, num=2) == ["b", "c"]
    assert r.zrangebyscore("z", 2, 3, withscores=True) == [("b", 2.0), ("c", 3.0)]
    assert r.zrevrangebyscore("z", 3, "(1") == ["c", "b"]
    assert r.zrangebyscore("z", 5, 1) == []
    assert r.zrangebyscore("z", "(2", "(2") == []
    r.zadd("lex", {"a": 0, "b": 0, "c": 0, "d": 0})
    assert r.zrangebylex("lex", "[b", "+") == ["b", "c", "d"]
    assert r.zrangebylex("lex", "-", "(c") == ["a", "b"]
    assert r.zrevrangebylex("lex", "+", "[b", start=0, num=2) == ["d", "c"]
    assert r.execute_command("ZRANGE", "lex", "[a", "[b", "BYLEX") == ["a", "b"]
    assert r.zrangebylex("lex", "[z", "[a") == []


def test_zrange_errors(r):
    r.zadd("z", {"a": 1})
    assert err(r, "ZRANGE", "z", "0", "1", "LIMIT", "0", "1") == \
        "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
    assert err(r, "ZRANGE", "z", "a", "b", "BYLEX", "WITHSCORES") == \
        "syntax error, WITHSCORES not supported in combination with BYLEX"
    assert err(r, "ZRANGEBYSCORE", "z", "a", "b") == "min or max is not a float"
    assert err(r, "ZRANGEBYLEX", "z", "a", "b") == "min or max not valid string range item"
    assert err(r, "ZRANGE", "z", "x", "1") == "value is not an integer or out of range"
    assert err(r, "ZRANGEBYSCORE", "missing", "a", "b") == "min or max is not a float"


def test_resp3_withscores_nested(node, r):
    r.zadd("z", {"a": 1, "b": 2})
    c = RespConn(node.port)
    assert c.call("ZRANGE", "z", "0", "-1", "WITHSCORES") == ["a", "1", "b", "2"]
    c.call("HELLO", "3")
    assert c.call("ZRANGE", "z", "0", "-1", "WITHSCORES") == [["a", 1.0], ["b", 2.0]]
    assert c.call("ZPOPMIN", "z") == ["a", 1.0]
    r.zadd("z", {"a": 1, "c": 3})
    assert c.call("ZPOPMIN", "z", "2") == [["a", 1.0], ["b", 2.0]]
    c.close()


def test_zrangestore_count_lexcount(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.execute_command("ZRANGESTORE", "dst", "z", "1", "-1") == 2
    assert r.zrange("dst", 0, -1, withscores=True) == [("b", 2.0), ("c", 3.0)]
    assert r.execute_command("ZRANGESTORE", "dst", "z", "10", "20") == 0
    assert r.exists("dst") == 0
    assert r.zcount("z", "(1", "+inf") == 2
    assert r.zcount("z", 5, 10) == 0
    r.zadd("lex", {"a": 0, "b": 0, "c": 0})
    assert r.zlexcount("lex", "-", "+") == 3
    assert r.zlexcount("lex", "(a", "[b") == 1


def test_zremrange(r):
    r.zadd("z", {m: i for i, m in enumerate("abcdef")})
    assert r.zremrangebyrank("z", 0, 1) == 2
    assert r.zremrangebyscore("z", "(2", 4) == 2
    assert r.zrange("z", 0, -1) == ["c", "f"]
    r.zadd("lex", {m: 0 for m in "abcd"})
    assert r.zremrangebylex("lex", "[b", "[c") == 2
    assert r.zremrangebylex("lex", "-", "+") == 2
    assert r.exists("lex") == 0


def test_zpop_and_zmpop(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zpopmin("z") == [("a", 1.0)]
    assert r.zpopmax("z", 5) == [("c", 3.0), ("b", 2.0)]
    assert r.exists("z") == 0
    assert r.zpopmin("z") == []
    assert err(r, "ZPOPMIN", "z", "-1") == "value is out of range, must be positive"
    r.zadd("z2", {"x": 1, "y": 2})
    assert r.execute_command("ZMPOP", "2", "none", "z2", "MAX", "COUNT", "5") == ["z2", [["y", "2"], ["x", "1"]]]
    assert r.execute_command("ZMPOP", "1", "none", "MIN") is None
    assert err(r, "ZMPOP", "0", "z", "MIN") == "numkeys should be greater than 0"
    assert err(r, "ZMPOP", "1", "z", "FOO") == "syntax error"
    assert err(r, "ZMPOP", "1", "z", "MIN", "COUNT", "0") == "count should be greater than 0"


def test_union_inter_diff(r):
    r.zadd("a", {"x": 1, "y": 2})
    r.zadd("b", {"y": 3, "z": 4})
    r.sadd("s", "y", "w")
    assert r.zunion(["a", "b"], withscores=True) == [("x", 1.0), ("z", 4.0), ("y", 5.0)]
    assert r.zinter(["a", "b"], withscores=True) == [("y", 5.0)]
    assert r.zinter(["a", "b"], aggregate="MAX", withscores=True) == [("y", 3.0)]
    assert r.execute_command("ZUNION", "2", "a", "b", "WEIGHTS", "2", "0", "WITHSCORES") == \
        ["z", "0", "x", "2", "y", "4"]
    assert r.zdiff(["a", "b"]) == ["x"]
    assert r.zinter(["a", "s"], withscores=True) == [("y", 3.0)]
    assert r.zunionstore("u", ["a", "b"]) == 3
    assert r.zinterstore("i", ["a", "b"], aggregate="MIN") == 1
    assert r.zscore("i", "y") == 2.0
    assert r.zdiffstore("d", ["a", "b"]) == 1
    assert r.zinterstore("empty", ["a", "nosuch"]) == 0 and not r.exists("empty")
    assert r.execute_command("ZINTERCARD", "2", "a", "b") == 1
    assert r.execute_command("ZINTERCARD", "1", "a", "LIMIT", "1") == 1
    assert err(r, "ZUNIONSTORE", "d", "0", "a") == "at least 1 input key is needed for 'zunionstore' command"
    assert err(r, "ZUNION", "3", "a", "b") == "syntax error"
    assert err(r, "ZINTERCARD", "1", "a", "LIMIT", "-1") == "LIMIT can't be negative"
    assert err(r, "ZUNION", "1", "a", "AGGREGATE", "foo") == "syntax error"
    assert err(r, "ZUNION", "1", "a", "WEIGHTS", "x") == "weight value is not a float"
    r.set("str", "1")
    assert err(r, "ZUNION", "2", "a", "str").startswith("WRONGTYPE")


def test_zrandmember(r):
    r.zadd("z", {m: i for i, m in enumerate("abcde")})
    assert r.zrandmember("z") in list("abcde")
    assert sorted(r.zrandmember("z", 10)) == list("abcde")
    assert len(set(r.zrandmember("z", 3))) == 3
    assert len(r.zrandmember("z", -20)) == 20
    assert r.zrandmember("z", 0) == []
    pairs = r.execute_command("ZRANDMEMBER", "z", "2", "WITHSCORES")
    assert len(pairs) == 4
    assert r.zrandmember("missing") is None
    seen = set()
    for _ in range(200):
        seen.add(r.zrandmember("z"))
    assert seen == set("abcde")


def test_zscan_both_encodings(r):
    r.zadd("small", {"a": 1, "b": 2})
    cur, items = r.zscan("small", 0)
    assert cur == 0 and sorted(items) == [("a", 1.0), ("b", 2.0)]
    big = {"m%d" % i: i for i in range(1000)}
    r.zadd("big", big)
    seen = {}
    cur = 0
    while True:
        cur, items = r.zscan("big", cur, count=50)
        seen.update(items)
        if cur == 0:
            break
    assert seen == {k: float(v) for k, v in big.items()}
    cur, items = r.zscan("small", 0, match="a*")
    assert items == [("a", 1.0)]
    assert err(r, "ZSCAN", "small", "abc") == "invalid cursor"


def test_zscan_arguments_parsed_as_scan_parses_them(r):
    # Redis 7.0.15: strtoul cursor ("-1" wraps, "" is 0), and the options of
    # a missing key are never looked at.
    r.zadd("z", {"a": 1})
    assert r.zscan("z", -1) == (0, [("a", 1.0)])
    assert r.zscan("z", "") == (0, [("a", 1.0)])
    assert err(r, "ZSCAN", "z", " 1") == "invalid cursor"
    assert err(r, "ZSCAN", "z", "0", "COUNT") == "syntax error"
    assert err(r, "ZSCAN", "z", "0", "TYPE", "zset") == "syntax error"
    assert r.zscan("nokey", 0, count=0) == (0, [])


def test_encoding_conversion_points(r):
    r.zadd("z", {"m%d" % i: i for i in range(128)})
    assert r.object("encoding", "z") == "listpack"
    r.zadd("z", {"one-more": 1000})
    assert r.object("encoding", "z") == "skiplist"
    r.zadd("long", {"x" * 64: 1})
    assert r.object("encoding", "long") == "listpack"
    r.zadd("long", {"y" * 65: 1})
    assert r.object("encoding", "long") == "skiplist"
    r.config_set("zset-max-listpack-entries", "0")
    r.zadd("zero", {"a": 1})
    assert r.object("encoding", "zero") == "skiplist"


def test_large_zset_order_and_ranks(r):
    import random
    rnd = random.Random(7)
    members = {"k%d" % i: rnd.uniform(-1000, 1000) for i in range(5000)}
    p = r.pipeline(transaction=False)
    for k, v in members.items():
        p.zadd("big", {k: v})
    p.execute()
    expected = sorted(members.items(), key=lambda kv: (kv[1], kv[0]))
    got = r.zrange("big", 0, -1, withscores=True)
    assert [m for m, _ in got] == [m for m, _ in expected]
    for i in (0, 1, 2500, 4999):
        assert r.zrank("big", expected[i][0]) == i
        assert r.zrevrank("big", expected[i][0]) == 4999 - i
    for k in list(members)[:2000]:
        p.zrem("big", k)
    p.execute()
    rest = [m for m, _ in expected if m not in set(list(members)[:2000])]
    assert r.zrange("big", 0, -1) == rest
    assert r.zcount("big", "-inf", "+inf") == 3000


def test_binary_members(node):
    r = node.client(decode_responses=False)
    r.zadd("bin", {b"\x00a\r\n": 1, b"\xff": 2})
    assert r.zrange("bin", 0, -1) == [b"\x00a\r\n", b"\xff"]


def test_bzpopmin_immediate_and_blocking(node, r):
    import threading
    import time
    r.zadd("q", {"a": 1, "b": 2})
    assert r.bzpopmin("q", timeout=1) == ("q", "a", 1.0)
    assert r.bzpopmax("q", timeout=1) == ("q", "b", 2.0)
    assert r.exists("q") == 0
    c = RespConn(node.port)
    c.send("BZPOPMIN", "none", "q", "5")

    def push():
        time.sleep(0.2)
        node.client().zadd("q", {"x": 7})

    t = threading.Thread(target=push)
    t.start()
    assert c.read() == ["q", "x", "7"]
    t.join()
    c.close()


def test_bzpop_timeout_and_resp3_shape(node):
    import time
    c = RespConn(node.port)
    t0 = time.time()
    assert c.call("BZPOPMIN", "nothing", "0.2") is None
    assert time.time() - t0 >= 0.15
    c.call("HELLO", "3")
    node.client().zadd("z3", {"m": 1.5})
    assert c.call("BZPOPMAX", "z3", "1") == ["z3", "m", 1.5]
    c.close()


def test_bzmpop_blocks_and_serves(node, r):
    import threading
    import time
    c = RespConn(node.port)
    c.send("BZMPOP", "5", "2", "k1", "k2", "MAX", "COUNT", "2")

    def push():
        time.sleep(0.2)
        node.client().zadd("k2", {"a": 1, "b": 2, "c": 3})

    t = threading.Thread(target=push)
    t.start()
    assert c.read() == ["k2", [["c", "3"], ["b", "2"]]]
    t.join()
    assert r.zrange("k2", 0, -1) == ["a"]
    assert err(r, "BZMPOP", "1", "0", "k", "MIN") == "numkeys should be greater than 0"
    assert err(r, "BZPOPMIN", "k", "-1") == "timeout is negative"
    c.close()


def test_bzpop_inside_multi_does_not_block(node):
    c = RespConn(node.port)
    c.call("MULTI")
    c.call("BZPOPMIN", "empty", "0")
    assert c.call("EXEC") == [None]
    c.close()


def test_bzpop_fifo_among_waiters(node, r):
    import time
    a, b = RespConn(node.port), RespConn(node.port)
    a.send("BZPOPMIN", "fifo", "5")
    time.sleep(0.05)
    b.send("BZPOPMIN", "fifo", "5")
    time.sleep(0.05)
    r.zadd("fifo", {"one": 1, "two": 2})
    assert a.read() == ["fifo", "one", "1"]
    assert b.read() == ["fifo", "two", "2"]
    a.close()
    b.close()


def test_one_command_growing_a_big_zset_does_not_stall(node):
    # Growing a listpack to n members inside one command used to cost O(n^2)
    # (each insert walks the pack); 100,000 members held the loop for many
    # minutes. The generous socket timeout only detects that stall.
    c = node.client(socket_timeout=60)
    n = 100000
    assert c.zadd("big", {"m%d" % i: i for i in range(n)}) == n
    assert c.object("encoding", "big") == "skiplist"
    assert c.zrange("big", 0, 2) == ["m0", "m1", "m2"]
    assert c.zrangestore("copy", "big", 0, -1) == n
    assert c.object("encoding", "copy") == "skiplist"
    assert c.zunionstore("u", ["big", "copy"]) == n
    assert c.zscore("u", "m99999") == 2 * 99999
    assert c.zinterstore("i", ["big", "copy"]) == n
    assert c.zdiffstore("d", ["big", "nothing"]) == n
    assert c.zrange("d", -1, -1, withscores=True) == [("m99999", 99999.0)]
    c.close()


def test_zscan_largest_count_on_a_skiplist(node, r):
    # COUNT near LLONG_MAX once overflowed the count*10 bucket bound (undefined
    # behaviour; the sanitizer build aborted). Redis 7.0.15 returns everything.
    r.zadd("z", {"m%d" % i: i for i in range(300)})
    assert r.object("encoding", "z") == "skiplist"
    cursor, got = r.zscan("z", 0, count=9223372036854775807)
    assert cursor == 0
    assert sorted(got) == sorted(("m%d" % i, float(i)) for i in range(300))
    assert node.alive()

"""List commands against a real vigil-node, replies checked as Redis 7.0.15 gives them.

Covers every list command and option, the error texts, WRONGTYPE, RESP2 and
RESP3 null forms, empty-list deletion, LRANGE over many ranges (negative
ones included) against a Python model, and lists of 100,000 elements.
"""
import pytest
import redis

from resp import RespConn, RespError

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INT = "value is not an integer or out of range"
RANK_ZERO = ("RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
             "or use negative to start from the end of the list")


def err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def first_line(conn, *args):
    """Send one command on a raw connection and return its first reply line."""
    conn.send(*args)
    line = conn._line()
    return line


# --- push / pop ---

def test_push_returns_length_and_order(r):
    assert r.rpush("l", "a", "b") == 2
    assert r.lpush("l", "x", "y") == 4
    assert r.lrange("l", 0, -1) == ["y", "x", "a", "b"]
    assert r.object("encoding", "l") == "quicklist"
    assert r.type("l") == "list"


def test_pushx_only_existing(r):
    assert r.lpushx("l", "a") == 0
    assert r.rpushx("l", "a") == 0
    assert r.exists("l") == 0
    r.rpush("l", "m")
    assert r.lpushx("l", "h1", "h2") == 3
    assert r.execute_command("RPUSHX", "l", "t1", "t2") == 5
    assert r.lrange("l", 0, -1) == ["h2", "h1", "m", "t1", "t2"]


def test_pop_single_and_count(r):
    r.rpush("l", "a", "b", "c", "d", "e")
    assert r.lpop("l") == "a"
    assert r.rpop("l") == "e"
    assert r.lpop("l", 2) == ["b", "c"]
    assert r.rpop("l", 10) == ["d"]
    assert r.exists("l") == 0
    assert r.lpop("l") is None
    assert r.rpop("l") is None


def test_pop_count_zero_and_errors(r):
    r.rpush("l", "a")
    assert r.execute_command("LPOP", "l", 0) == []
    assert r.llen("l") == 1
    assert err(r, "LPOP", "l", -1) == "value is out of range, must be positive"
    assert err(r, "RPOP", "l", "x") == "value is out of range, must be positive"
    assert err(r, "LPOP", "l", 1, 2) == "wrong number of arguments for 'lpop' command"
    assert err(r, "LPUSH", "l") == "wrong number of arguments for 'lpush' command"


def test_pop_null_forms_resp2(node):
    c = RespConn(node.port)
    assert first_line(c, "LPOP", "nokey") == b"$-1"
    assert first_line(c, "LPOP", "nokey", 2) == b"*-1"
    assert first_line(c, "RPOP", "nokey", 0) == b"*-1"
    assert first_line(c, "LMPOP", 1, "nokey", "LEFT") == b"*-1"
    assert first_line(c, "LINDEX", "nokey", 0) == b"$-1"
    assert first_line(c, "RPOPLPUSH", "nokey", "d") == b"$-1"
    c.close()


def test_pop_null_forms_resp3(node):
    c = RespConn(node.port)
    c.call("HELLO", "3")
    assert first_line(c, "LPOP", "nokey") == b"_"
    assert first_line(c, "LPOP", "nokey", 2) == b"_"
    assert first_line(c, "LMPOP", 1, "nokey", "LEFT") == b"_"
    assert first_line(c, "LPOS", "nokey", "a") == b"_"
    c.close()


def test_binary_and_integer_values(r):
    values = ["0", "-1", "007", "9223372036854775807", "-9223372036854775808",
              "18446744073709551616", "1.5", "", " 1"]
    r.rpush("l", *values)
    assert r.lrange("l", 0, -1) == values
    rb = redis.Redis(port=r.connection_pool.connection_kwargs["port"], host="127.0.0.1")
    rb.rpush("b", b"a\x00b\r\n", b"\xff")
    assert rb.lrange("b", 0, -1) == [b"a\x00b\r\n", b"\xff"]
    rb.close()


# --- reads ---

def test_llen(r):
    assert r.llen("l") == 0
    r.rpush("l", *range(10))
    assert r.llen("l") == 10


def test_lindex(r):
    r.rpush("l", "a", "b", "c")
    assert r.lindex("l", 0) == "a"
    assert r.lindex("l", -1) == "c"
    assert r.lindex("l", -3) == "a"
    assert r.lindex("l", 3) is None
    assert r.lindex("l", -4) is None
    assert err(r, "LINDEX", "l", "x") == NOT_INT
    assert r.lindex("nokey", "x") is None  # Redis looks the key up first


def test_lrange_many_ranges_match_model(r):
    model = [str(i) for i in range(23)]
    r.rpush("l", *model)
    for start in range(-30, 30, 3):
        for end in range(-30, 30, 4):
            s, e = start, end
            n = len(model)
            if s < 0:
                s += n
            if e < 0:
                e += n
            s = max(s, 0)
            expected = [] if s > e or s >= n else model[s:min(e, n - 1) + 1]
            assert r.lrange("l", start, end) == expected, (start, end)
    assert r.lrange("nokey", 0, -1) == []
    assert err(r, "LRANGE", "l", "a", 1) == NOT_INT
    assert err(r, "LRANGE", "nokey", 0, "b") == NOT_INT


# --- edits ---

def test_lset(r):
    assert err(r, "LSET", "nokey", 0, "x") == "no such key"
    assert err(r, "LSET", "nokey", "y", "x") == "no such key"
    r.rpush("l", "a", "b", "c")
    assert r.lset("l", 1, "B") is True
    assert r.lset("l", -1, "C") is True
    assert r.lrange("l", 0, -1) == ["a", "B", "C"]
    assert err(r, "LSET", "l", 3, "x") == "index out of range"
    assert err(r, "LSET", "l", -4, "x") == "index out of range"
    assert err(r, "LSET", "l", "z", "x") == NOT_INT


def test_lset_big_value_in_small_node_list(r):
    r.rpush("l", *["v%d" % i for i in range(300)])
    big = "x" * 20000
    r.lset("l", 150, big)
    assert r.lindex("l", 150) == big
    assert r.lindex("l", 151) == "v151"
    assert r.llen("l") == 300


def test_linsert(r):
    assert r.linsert("nokey", "BEFORE", "a", "b") == 0
    assert r.exists("nokey") == 0
    r.rpush("l", "a", "b", "c")
    assert r.linsert("l", "BEFORE", "b", "X") == 4
    assert r.linsert("l", "after", "c", "Y") == 5
    assert r.linsert("l", "AFTER", "zz", "Q") == -1
    assert r.lrange("l", 0, -1) == ["a", "X", "b", "c", "Y"]
    assert err(r, "LINSERT", "l", "MIDDLE", "a", "b") == "syntax error"
    assert err(r, "LINSERT", "nokey", "MIDDLE", "a", "b") == "syntax error"


def test_linsert_integer_pivot(r):
    r.rpush("l", "1", "2", "3")
    assert r.linsert("l", "AFTER", "2", "100") == 4
    assert r.lrange("l", 0, -1) == ["1", "2", "100", "3"]


def test_lrem(r):
    r.rpush("l", "a", "b", "a", "c", "a", "a")
    assert r.lrem("l", 2, "a") == 2
    assert r.lrange("l", 0, -1) == ["b", "c", "a", "a"]
    assert r.lrem("l", -1, "a") == 1
    assert r.lrange("l", 0, -1) == ["b", "c", "a"]
    assert r.lrem("l", 0, "zz") == 0
    assert r.lrem("l", 0, "a") == 1
    assert r.lrem("nokey", 0, "a") == 0
    assert err(r, "LREM", "l", "x", "a") == NOT_INT
    assert r.lrem("l", 0, "b") == 1
    assert r.lrem("l", 0, "c") == 1
    assert r.exists("l") == 0


def test_lrem_from_tail_removes_the_last_ones(r):
    r.rpush("l", "x", "1", "x", "2", "x", "3")
    assert r.lrem("l", -2, "x") == 2
    assert r.lrange("l", 0, -1) == ["x", "1", "2", "3"]


def test_ltrim(r):
    r.rpush("l", *"abcdefg")
    assert r.ltrim("l", 1, -2) is True
    assert r.lrange("l", 0, -1) == list("bcdef")
    assert r.ltrim("l", -3, 100) is True
    assert r.lrange("l", 0, -1) == list("def")
    assert r.ltrim("l", 5, 1) is True
    assert r.exists("l") == 0
    assert r.ltrim("nokey", 0, 1) is True
    assert err(r, "LTRIM", "l", "a", 1) == NOT_INT


def test_ltrim_model(r):
    n = 15
    for start in range(-18, 18, 5):
        for end in range(-18, 18, 5):
            r.delete("l")
            r.rpush("l", *range(n))
            r.ltrim("l", start, end)
            s, e = start, end
            if s < 0:
                s += n
            if e < 0:
                e += n
            s = max(s, 0)
            expected = [] if s > e or s >= n else [str(i) for i in range(s, min(e, n - 1) + 1)]
            assert r.lrange("l", 0, -1) == expected, (start, end)


# --- LPOS ---

def test_lpos(r):
    r.rpush("l", "a", "b", "a", "c", "a")
    assert r.lpos("l", "a") == 0
    assert r.lpos("l", "c") == 3
    assert r.lpos("l", "zz") is None
    assert r.lpos("l", "a", rank=2) == 2
    assert r.lpos("l", "a", rank=-1) == 4
    assert r.lpos("l", "a", rank=-2) == 2
    assert r.lpos("l", "a", count=0) == [0, 2, 4]
    assert r.lpos("l", "a", count=2) == [0, 2]
    assert r.lpos("l", "a", rank=-1, count=2) == [4, 2]
    assert r.lpos("l", "a", rank=2, count=0, maxlen=3) == [2]
    assert r.lpos("l", "a", rank=-2, maxlen=2) is None
    assert r.lpos("l", "zz", count=0) == []
    assert r.lpos("nokey", "a", count=0) == []
    assert r.lpos("nokey", "a") is None
    assert r.execute_command("LPOS", "l", "a", "RANK", "-9223372036854775808") == 4


def test_lpos_errors(r):
    r.rpush("l", "a")
    assert err(r, "LPOS", "l", "a", "RANK", 0) == RANK_ZERO
    assert err(r, "LPOS", "nokey", "a", "RANK", 0) == RANK_ZERO
    assert err(r, "LPOS", "l", "a", "RANK", "x") == NOT_INT
    assert err(r, "LPOS", "l", "a", "COUNT", -1) == "COUNT can't be negative"
    assert err(r, "LPOS", "l", "a", "COUNT", "x") == "COUNT can't be negative"
    assert err(r, "LPOS", "l", "a", "MAXLEN", -1) == "MAXLEN can't be negative"
    assert err(r, "LPOS", "l", "a", "RANK") == "syntax error"
    assert err(r, "LPOS", "l", "a", "FOO", 1) == "syntax error"


# --- LMOVE / RPOPLPUSH / LMPOP ---

def test_lmove_all_directions(r):
    r.rpush("src", "1", "2", "3", "4")
    assert r.lmove("src", "dst", "LEFT", "LEFT") == "1"
    assert r.lmove("src", "dst", "RIGHT", "LEFT") == "4"
    assert r.lmove("src", "dst", "LEFT", "RIGHT") == "2"
    assert r.lmove("src", "dst", "RIGHT", "RIGHT") == "3"
    assert r.exists("src") == 0
    assert r.lrange("dst", 0, -1) == ["4", "1", "2", "3"]
    assert r.lmove("src", "dst") is None
    assert err(r, "LMOVE", "dst", "x", "UP", "LEFT") == "syntax error"
    assert err(r, "LMOVE", "dst", "x", "LEFT", "DOWN") == "syntax error"


def test_lmove_rotate_same_key(r):
    r.rpush("l", "a", "b", "c")
    assert r.lmove("l", "l", "LEFT", "RIGHT") == "a"
    assert r.lrange("l", 0, -1) == ["b", "c", "a"]
    r.delete("l")
    r.rpush("l", "only")
    assert r.rpoplpush("l", "l") == "only"
    assert r.lrange("l", 0, -1) == ["only"]


def test_rpoplpush(r):
    r.rpush("src", "a", "b")
    assert r.rpoplpush("src", "dst") == "b"
    assert r.rpoplpush("src", "dst") == "a"
    assert r.lrange("dst", 0, -1) == ["a", "b"]
    assert r.rpoplpush("src", "dst") is None


def test_lmpop(r):
    r.rpush("b", "1", "2", "3")
    assert r.execute_command("LMPOP", 2, "a", "b", "LEFT") == ["b", ["1"]]
    assert r.execute_command("LMPOP", 2, "a", "b", "RIGHT", "COUNT", 5) == ["b", ["3", "2"]]
    assert r.exists("b") == 0
    assert r.execute_command("LMPOP", 2, "a", "b", "LEFT") is None


def test_lmpop_errors(r):
    r.rpush("l", "a")
    assert err(r, "LMPOP", 0, "l", "LEFT") == "numkeys should be greater than 0"
    assert err(r, "LMPOP", "x", "l", "LEFT") == "numkeys should be greater than 0"
    assert err(r, "LMPOP", 1, "l", "LEFT", "COUNT", 0) == "count should be greater than 0"
    assert err(r, "LMPOP", 1, "l", "UP") == "syntax error"
    assert err(r, "LMPOP", 2, "l", "LEFT") == "syntax error"
    assert err(r, "LMPOP", 5, "l", "LEFT") == "syntax error"
    assert err(r, "BLMPOP", 0, 2, "l", "LEFT") == "syntax error"
    assert err(r, "LMPOP", 9223372036854775807, "l", "LEFT") == "syntax error"
    assert err(r, "LMPOP", 1, "l", "LEFT", "COUNT", 1, "COUNT", 2) == "syntax error"
    assert err(r, "LMPOP", 1, "l", "LEFT", "COUNT") == "syntax error"
    assert r.llen("l") == 1


# --- wrong type ---

def test_wrong_type_everywhere(r):
    r.set("s", "v")
    r.rpush("l", "a")
    for args in [("LPUSH", "s", "x"), ("RPUSH", "s", "x"), ("LPUSHX", "s", "x"),
                 ("RPUSHX", "s", "x"), ("LPOP", "s"), ("RPOP", "s", 2), ("LLEN", "s"),
                 ("LRANGE", "s", 0, 1), ("LINDEX", "s", 0), ("LSET", "s", 0, "x"),
                 ("LINSERT", "s", "BEFORE", "a", "b"), ("LREM", "s", 0, "a"),
                 ("LTRIM", "s", 0, 1), ("LPOS", "s", "a"), ("LMOVE", "s", "l", "LEFT", "LEFT"),
                 ("LMOVE", "l", "s", "LEFT", "LEFT"), ("RPOPLPUSH", "l", "s"),
                 ("LMPOP", 2, "nokey", "s", "LEFT"), ("BLPOP", "nokey", "s", 0),
                 ("BRPOP", "s", 0), ("BLMOVE", "s", "l", "LEFT", "LEFT", 0),
                 ("BLMOVE", "l", "s", "LEFT", "LEFT", 0), ("BLMPOP", 0, 1, "s", "LEFT")]:
        assert err(r, *args) == WRONGTYPE, args
    assert r.lrange("l", 0, -1) == ["a"]
    assert r.get("s") == "v"


def test_first_list_served_before_a_later_wrong_type(r):
    r.set("s", "v")
    r.rpush("l", "a")
    assert r.execute_command("LMPOP", 2, "l", "s", "LEFT") == ["l", ["a"]]


# --- size ---

def test_big_list_100k(r):
    n = 100000
    pipe = r.pipeline(transaction=False)
    for i in range(0, n, 1000):
        pipe.rpush("big", *range(i, i + 1000))
    pipe.execute()
    assert r.llen("big") == n
    assert r.lindex("big", 0) == "0"
    assert r.lindex("big", n // 2) == str(n // 2)
    assert r.lindex("big", -1) == str(n - 1)
    assert r.lrange("big", 49995, 50004) == [str(i) for i in range(49995, 50005)]
    assert r.lrange("big", -3, -1) == [str(n - 3), str(n - 2), str(n - 1)]
    full = r.lrange("big", 0, -1)
    assert full == [str(i) for i in range(n)]
    assert r.lpos("big", str(n - 1)) == n - 1
    assert r.lset("big", 77777, "changed") is True
    assert r.lindex("big", 77777) == "changed"
    assert r.linsert("big", "BEFORE", "50000", "ins") == n + 1
    assert r.lindex("big", 50000) == "ins"
    assert r.lrem("big", 0, "ins") == 1
    assert r.ltrim("big", 1000, -1001) is True
    assert r.llen("big") == n - 2000
    assert r.lindex("big", 0) == "1000"
    assert r.lpop("big", 500) == [str(i) for i in range(1000, 1500)]
    assert r.object("encoding", "big") == "quicklist"


def test_list_max_listpack_size_config(r):
    assert r.config_get("list-max-listpack-size") == {"list-max-listpack-size": "-2"}
    assert r.config_set("list-max-ziplist-size", 3) is True
    assert r.config_get("list-max-listpack-size") == {"list-max-listpack-size": "3"}
    r.rpush("l", *range(50))
    assert r.lrange("l", 0, -1) == [str(i) for i in range(50)]
    r.linsert("l", "AFTER", "25", "x")
    assert r.lindex("l", 26) == "x"
    assert r.config_set("list-max-listpack-size", -5) is True
    r.rpush("m", *range(50))
    assert r.lrange("m", 10, 12) == ["10", "11", "12"]
    assert r.config_set("list-compress-depth", 2) is True
    assert r.config_get("list-compress-depth") == {"list-compress-depth": "2"}


def test_copy_and_memory_of_a_list(r):
    r.rpush("l", *range(1000))
    assert r.execute_command("COPY", "l", "l2") == 1
    r.lpop("l", 10)
    assert r.llen("l2") == 1000
    assert r.lrange("l2", 0, 2) == ["0", "1", "2"]
    assert r.memory_usage("l") > 1000


def test_lists_in_multi_exec(r):
    pipe = r.pipeline(transaction=True)
    pipe.rpush("l", "a", "b")
    pipe.lpop("l")
    pipe.llen("l")
    assert pipe.execute() == [2, "a", 1]


def test_resp3_lpos_and_lrange_shapes(node):
    c = RespConn(node.port)
    c.call("HELLO", "3")
    c.call("RPUSH", "l", "a", "b")
    assert c.call("LRANGE", "l", 0, -1) == ["a", "b"]
    assert c.call("LPOS", "l", "b", "COUNT", 0) == [1]
    assert c.call("LMPOP", 1, "l", "RIGHT", "COUNT", 2) == ["l", ["b", "a"]]
    assert isinstance(c.call("LSET", "l", 0, "x"), RespError)
    c.close()

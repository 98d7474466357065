"""test_keys.py -- the generic key commands over a real socket.

DEL UNLINK EXISTS TYPE KEYS SCAN RENAME RENAMENX MOVE COPY RANDOMKEY DBSIZE
SWAPDB FLUSHDB FLUSHALL TOUCH OBJECT and their errors, databases kept apart,
and SCAN's guarantee (every key present for the whole iteration is returned).
Expected replies and error texts are Redis 7.0.15's.
"""
import threading

import pytest
import redis

from resp import RespConn



def err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def full_scan(r, **kw):
    cursor, seen = "0", []
    while True:
        cursor, keys = r.execute_command("SCAN", cursor, *flatten(kw))
        seen.extend(keys)
        if int(cursor) == 0:
            return seen


def flatten(kw):
    out = []
    for k, v in kw.items():
        out += [k.upper(), v]
    return out


# ---- arity ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args,name", [
    (["DEL"], "del"), (["UNLINK"], "unlink"), (["EXISTS"], "exists"), (["TYPE"], "type"),
    (["TYPE", "a", "b"], "type"), (["KEYS"], "keys"), (["KEYS", "a", "b"], "keys"),
    (["SCAN"], "scan"), (["RENAME", "a"], "rename"), (["RENAMENX", "a", "b", "c"], "renamenx"),
    (["MOVE", "a"], "move"), (["COPY", "a"], "copy"), (["RANDOMKEY", "x"], "randomkey"),
    (["DBSIZE", "x"], "dbsize"), (["SWAPDB", "0"], "swapdb"), (["EXPIRE", "a"], "expire"),
    (["PEXPIRE", "a"], "pexpire"), (["EXPIREAT", "a"], "expireat"),
    (["PEXPIREAT", "a"], "pexpireat"), (["TTL"], "ttl"), (["PTTL", "a", "b"], "pttl"),
    (["EXPIRETIME"], "expiretime"), (["PEXPIRETIME"], "pexpiretime"), (["PERSIST"], "persist"),
    (["TOUCH"], "touch"), (["OBJECT"], "object"), (["OBJECT", "ENCODING"], "object|encoding"),
    (["OBJECT", "FREQ", "a", "b"], "object|freq"), (["OBJECT", "HELP", "x"], "object|help"),
])
def test_wrong_arity(r, args, name):
    assert err(r, *args) == "wrong number of arguments for '%s' command" % name


# ---- DEL UNLINK EXISTS TYPE TOUCH -----------------------------------------------------------

def test_del_counts_existing_keys(r):
    r.mset({"a": 1, "b": 2, "c": 3})
    assert r.execute_command("DEL", "a", "b", "nokey", "a") == 2
    assert r.exists("a", "b") == 0
    assert r.get("c") == "3"
    assert r.delete("nokey") == 0


def test_unlink_counts_and_frees(r):
    r.mset({"a": 1, "b": "x" * 1000})
    assert r.unlink("a", "b", "c") == 2
    assert r.dbsize() == 0


@pytest.mark.parametrize("flag", ["yes", "no"])
def test_del_with_lazyfree_user_del(make_node, flag):
    n = make_node(["--lazyfree-lazy-user-del", flag])
    c = n.client()
    c.set("a", "x" * 5000)
    c.set("b", "1")
    assert c.delete("a", "b") == 2
    assert c.dbsize() == 0


def test_exists_counts_repeats(r):
    r.set("a", "1")
    assert r.exists("a", "a", "nokey", "a") == 3
    assert r.exists("nokey") == 0


def test_type(node, r):
    r.set("s", "v")
    assert r.type("s") == "string"
    assert r.type("nokey") == "none"
    # A status reply, not a bulk string.
    assert node.raw(b"TYPE s\r\nTYPE nokey\r\n", 0.3) == b"+string\r\n+none\r\n"


def test_type_of_collections(r):
    for cmd, t in [(("RPUSH", "l", "a"), "list"), (("SADD", "st", "a"), "set"),
                   (("HSET", "h", "f", "v"), "hash"), (("ZADD", "z", "1", "a"), "zset")]:
        assert r.execute_command(*cmd) == 1
        assert r.type(cmd[1]) == t


def test_touch(r):
    r.mset({"a": 1, "b": 2})
    assert r.touch("a", "b", "c", "a") == 3


# ---- KEYS -----------------------------------------------------------------------------------

def test_keys_patterns(r):
    r.mset({"hello": 1, "hallo": 2, "hxllo": 3, "hllo": 4, "heeeello": 5, "h*llo": 6, "x": 7})
    assert sorted(r.keys("*")) == sorted(["hello", "hallo", "hxllo", "hllo", "heeeello",
                                          "h*llo", "x"])
    assert sorted(r.keys("h?llo")) == ["h*llo", "hallo", "hello", "hxllo"]
    assert sorted(r.keys("h*llo")) == ["h*llo", "hallo", "heeeello", "hello", "hllo", "hxllo"]
    assert sorted(r.keys("h[ae]llo")) == ["hallo", "hello"]
    assert sorted(r.keys("h[^e]llo")) == ["h*llo", "hallo", "hxllo"]
    assert sorted(r.keys("h[a-b]llo")) == ["hallo"]
    assert r.keys("h\\*llo") == ["h*llo"]
    assert r.keys("nomatch*") == []


def test_keys_empty_db(r):
    assert r.keys("*") == []


def test_keys_skips_expired(r):
    r.set("live", 1)
    r.set("dying", 1, px=1)
    import time
    time.sleep(0.02)
    assert r.keys("*") == ["live"]


# ---- SCAN -----------------------------------------------------------------------------------

def test_scan_returns_every_key_once(r):
    keys = {"key:%d" % i for i in range(1000)}
    r.mset({k: 1 for k in keys})
    seen = full_scan(r)
    assert set(seen) == keys
    assert len(seen) == len(keys)  # no rehash ran during this scan: no duplicates


@pytest.mark.parametrize("count", ["1", "7", "100", "5000"])
def test_scan_count(r, count):
    keys = {"k%d" % i for i in range(300)}
    r.mset({k: 1 for k in keys})
    assert set(full_scan(r, count=count)) == keys


def test_scan_huge_count(r):
    r.mset({"k%d" % i: 1 for i in range(100)})
    cursor, keys = r.execute_command("SCAN", "0", "COUNT", "9223372036854775807")
    assert int(cursor) == 0 and len(keys) == 100


def test_scan_count_bounds_batch(r):
    r.mset({"k%d" % i: 1 for i in range(500)})
    cursor, keys = r.execute_command("SCAN", "0", "COUNT", "5")
    assert int(cursor) != 0
    assert 1 <= len(keys) <= 20


def test_scan_match(r):
    r.mset({"user:%d" % i: 1 for i in range(200)})
    r.mset({"item:%d" % i: 1 for i in range(200)})
    assert set(full_scan(r, match="user:*")) == {"user:%d" % i for i in range(200)}
    assert set(full_scan(r, match="*:1?")) == {"%s:1%d" % (p, i) for p in ("user", "item")
                                              for i in range(10)}
    assert full_scan(r, match="nothing*") == []
    assert len(full_scan(r, match="*")) == 400


def test_scan_type(r):
    r.mset({"s%d" % i: 1 for i in range(50)})
    for i in range(20):
        r.rpush("l%d" % i, "x")
    assert set(full_scan(r, type="string")) == {"s%d" % i for i in range(50)}
    assert set(full_scan(r, type="STRING")) == {"s%d" % i for i in range(50)}
    assert full_scan(r, type="nosuchtype") == []
    assert set(full_scan(r, type="list")) == {"l%d" % i for i in range(20)}
    assert set(full_scan(r, type="string", match="s1*", count="3")) == \
        {"s1"} | {"s1%d" % i for i in range(10)}


def test_scan_skips_expired(r):
    r.mset({"k%d" % i: 1 for i in range(20)})
    for i in range(10):
        r.pexpire("k%d" % i, 1)
    import time
    time.sleep(0.02)
    assert set(full_scan(r)) == {"k%d" % i for i in range(10, 20)}


def test_scan_cursor_forms(node, r):
    r.set("a", 1)
    c = RespConn(node.port)
    try:
        # The cursor is a bulk string; "-1" wraps to 2^64-1 (strtoul), as in Redis.
        assert c.call("SCAN", "0") == ["0", ["a"]]
        assert c.call("SCAN", "-1")[0] == "0"
        assert c.call("SCAN", "18446744073709551615")[0] == "0"
        assert c.call("SCAN", "+0") == ["0", ["a"]]
    finally:
        c.close()


@pytest.mark.parametrize("args,msg", [
    (["abc"], "invalid cursor"), (["18446744073709551616"], "invalid cursor"),
    ([" 1"], "invalid cursor"), (["1x"], "invalid cursor"),
    (["0", "COUNT", "0"], "syntax error"), (["0", "COUNT", "-1"], "syntax error"),
    (["0", "COUNT", "abc"], "value is not an integer or out of range"),
    (["0", "MATCH"], "syntax error"), (["0", "foo", "bar"], "syntax error"),
    (["0", "TYPE"], "syntax error"),
])
def test_scan_errors(r, args, msg):
    assert err(r, "SCAN", *args) == msg


def test_scan_while_keys_are_added(node):
    """Keys present for the whole scan are all returned, though the table grows under it."""
    r = node.client()
    stable = {"stable:%d" % i for i in range(2000)}
    r.mset({k: 1 for k in stable})
    stop = threading.Event()

    def writer():
        w = node.client()
        i = 0
        while not stop.is_set():
            w.mset({"new:%d:%d" % (i, j): 1 for j in range(50)})
            i += 1
        w.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        cursor, seen = "0", set()
        while True:
            cursor, keys = r.execute_command("SCAN", cursor, "COUNT", "20")
            seen.update(keys)
            if int(cursor) == 0:
                break
    finally:
        stop.set()
        t.join()
    assert stable <= seen
    assert r.dbsize() > 2000  # the writer did run during the scan


def test_redis_cli_scan(node):
    r = node.client()
    r.mset({"foo:%d" % i: 1 for i in range(300)})
    r.mset({"bar:%d" % i: 1 for i in range(100)})
    out = node.cli("--scan", "--pattern", "bar:*").split("\n")
    assert sorted(out) == sorted("bar:%d" % i for i in range(100))
    out = node.cli("--scan").split("\n")
    assert len(out) == 400 and len(set(out)) == 400


# ---- RENAME RENAMENX --------------------------------------------------------------------------

def test_rename(r):
    r.set("a", "v")
    r.pexpire("a", 100000)
    assert r.rename("a", "b") is True
    assert r.get("a") is None
    assert r.get("b") == "v"
    assert 99000 < r.pttl("b") <= 100000


def test_rename_overwrites_and_drops_dest_ttl(r):
    r.set("a", "1")
    r.set("b", "2", ex=100)
    assert r.rename("a", "b")
    assert r.get("b") == "1"
    assert r.ttl("b") == -1


def test_rename_same_key(r):
    r.set("a", "1", ex=100)
    assert r.rename("a", "a")
    assert r.renamenx("a", "a") is False
    assert r.get("a") == "1" and r.ttl("a") > 0


def test_rename_large_value(r):
    r.set("a", "x" * 10000)
    assert r.rename("a", "b")
    assert r.get("b") == "x" * 10000
    r.set("n", 12345)
    assert r.rename("n", "m")
    assert r.get("m") == "12345"
    assert r.object("encoding", "m") == "int"


def test_renamenx(r):
    r.mset({"a": 1, "b": 2})
    assert r.renamenx("a", "b") is False
    assert r.get("a") == "1"
    assert r.renamenx("a", "c") is True
    assert r.get("c") == "1" and r.exists("a") == 0


@pytest.mark.parametrize("cmd", ["RENAME", "RENAMENX"])
def test_rename_missing(r, cmd):
    assert err(r, cmd, "nokey", "b") == "no such key"
    assert err(r, cmd, "nokey", "nokey") == "no such key"


# ---- databases ------------------------------------------------------------------------------

def test_sixteen_dbs_isolated(node):
    r = node.client()
    for i in range(16):
        r.execute_command("SELECT", i)
        r.set("k", "db%d" % i)
        for j in range(i):
            r.set("extra%d" % j, 1)
    for i in range(16):
        c = node.client(db=i)
        assert c.get("k") == "db%d" % i
        assert c.dbsize() == i + 1
        c.close()
    assert node.cli("-n", "7", "GET", "k") == "db7"
    assert node.cli("-n", "15", "DBSIZE") == "16"
    # redis-cli reports the failed SELECT on stderr and stays on db 0, as with Redis.
    assert node.cli("-n", "16", "GET", "k") == "db0"
    assert err(r, "SELECT", 16) == "DB index is out of range"


def test_move(node):
    r0, r1 = node.client(db=0), node.client(db=1)
    r0.set("a", "v", px=100000)
    assert r0.move("a", 1) is True
    assert r0.exists("a") == 0
    assert r1.get("a") == "v"
    assert 99000 < r1.pttl("a") <= 100000
    r0.set("a", "other")
    assert r0.move("a", 1) is False  # exists in the target
    assert r0.get("a") == "other" and r1.get("a") == "v"
    assert r0.move("nokey", 1) is False


@pytest.mark.parametrize("db,msg", [
    ("0", "source and destination objects are the same"), ("16", "DB index is out of range"),
    ("-1", "DB index is out of range"), ("abc", "value is not an integer or out of range"),
    ("99999999999", "value is out of range, value must between -2147483648 and 2147483647"),
])
def test_move_errors(r, db, msg):
    r.set("a", 1)
    assert err(r, "MOVE", "a", db) == msg


def test_copy_same_db(r):
    r.set("a", "x" * 100, ex=1000)
    assert r.copy("a", "b") is True
    assert r.get("b") == "x" * 100
    assert 990 < r.ttl("b") <= 1000
    r.append("a", "more")
    assert r.get("b") == "x" * 100  # a deep copy, not shared
    r.set("c", "1")
    assert r.copy("c", "b") is False
    assert r.copy("c", "b", replace=True) is True
    assert r.get("b") == "1" and r.ttl("b") == -1
    assert r.copy("nokey", "z") is False


def test_copy_other_db(node):
    r0, r3 = node.client(db=0), node.client(db=3)
    r0.set("a", "v")
    assert r0.copy("a", "a", destination_db=3) is True
    assert r3.get("a") == "v" and r0.get("a") == "v"
    r0.set("a", "w")
    assert r0.copy("a", "a", destination_db=3) is False
    assert r0.execute_command("COPY", "a", "a", "DB", "3", "REPLACE") == 1
    assert r3.get("a") == "w"


@pytest.mark.parametrize("args,msg", [
    (["a", "a"], "source and destination objects are the same"),
    (["a", "a", "DB", "0"], "source and destination objects are the same"),
    (["a", "b", "DB", "16"], "DB index is out of range"),
    (["a", "b", "DB", "abc"], "value is not an integer or out of range"),
    (["a", "b", "DB", "-2147483649"],
     "value is out of range, value must between -2147483648 and 2147483647"),
    (["a", "b", "foo"], "syntax error"), (["a", "b", "DB"], "syntax error"),
    (["a", "b", "REPLACE", "foo"], "syntax error"),
])
def test_copy_errors(r, args, msg):
    r.set("a", 1)
    assert err(r, "COPY", *args) == msg


def test_copy_collections(r):
    r.rpush("l", "a", "b", "c")
    assert r.copy("l", "l2")
    r.rpush("l", "d")
    assert r.lrange("l2", 0, -1) == ["a", "b", "c"]


def test_swapdb(node):
    r0, r1 = node.client(db=0), node.client(db=1)
    r0.set("a", "zero", ex=100)
    r1.set("b", "one")
    assert r0.swapdb(0, 1) is True
    assert r0.get("b") == "one" and r0.get("a") is None
    assert r1.get("a") == "zero" and 0 < r1.ttl("a") <= 100
    assert r0.swapdb(1, 1) is True
    assert r1.get("a") == "zero"


@pytest.mark.parametrize("args,msg", [
    (["0", "16"], "DB index is out of range"), (["-1", "0"], "DB index is out of range"),
    (["a", "1"], "invalid first DB index"), (["0", "a"], "invalid second DB index"),
    (["99999999999", "0"], "invalid first DB index"),
    (["0", "-99999999999"], "invalid second DB index"),
])
def test_swapdb_errors(r, args, msg):
    assert err(r, "SWAPDB", *args) == msg


def test_flushdb_only_current(node):
    r0, r1 = node.client(db=0), node.client(db=1)
    r0.mset({"a": 1, "b": 2})
    r1.set("c", 3)
    assert r0.flushdb() is True
    assert r0.dbsize() == 0 and r1.dbsize() == 1
    r0.set("a", 1)
    assert r0.execute_command("FLUSHDB", "ASYNC") is True
    assert r0.dbsize() == 0
    r0.set("a", 1)
    assert r0.execute_command("FLUSHDB", "sync") is True
    assert r0.dbsize() == 0 and r1.dbsize() == 1


def test_flushall(node):
    clients = [node.client(db=i) for i in range(16)]
    for i, c in enumerate(clients):
        c.set("k", i, ex=100)
    assert clients[0].flushall() is True
    assert all(c.dbsize() == 0 for c in clients)
    clients[5].set("k", 1)
    assert clients[0].execute_command("FLUSHALL", "ASYNC") is True
    assert clients[5].dbsize() == 0


@pytest.mark.parametrize("cmd", ["FLUSHDB", "FLUSHALL"])
@pytest.mark.parametrize("args", [["foo"], ["async", "sync"], ["ASYNC", "ASYNC"]])
def test_flush_errors(r, cmd, args):
    assert err(r, cmd, *args) == "syntax error"


def test_flush_with_lazyfree_user_flush(make_node):
    n = make_node(["--lazyfree-lazy-user-flush", "yes"])
    c = n.client()
    c.mset({"k%d" % i: "x" * 100 for i in range(5000)})
    assert c.flushall() is True
    assert c.dbsize() == 0
    c.set("a", 1)
    assert c.get("a") == "1"


def test_randomkey(r):
    assert r.randomkey() is None
    r.mset({"a": 1, "b": 2, "c": 3})
    seen = {r.randomkey() for _ in range(200)}
    assert seen == {"a", "b", "c"}


def test_randomkey_skips_expired(r):
    import time
    r.set("live", 1)
    for i in range(20):
        r.set("dead%d" % i, 1, px=1)
    time.sleep(0.02)
    assert {r.randomkey() for _ in range(50)} == {"live"}
    r.delete("live")
    r.set("gone", 1, px=1)
    time.sleep(0.02)
    assert r.randomkey() is None


def test_dbsize(r):
    assert r.dbsize() == 0
    r.mset({"k%d" % i: i for i in range(123)})
    assert r.dbsize() == 123


# ---- OBJECT ---------------------------------------------------------------------------------

def test_object_encoding(r):
    r.set("i", "123")
    r.set("e", "hello")
    r.set("raw", "x" * 45)
    assert r.object("encoding", "i") == "int"
    assert r.object("encoding", "e") == "embstr"
    assert r.object("encoding", "raw") == "raw"
    assert r.object("encoding", "nokey") is None


def test_object_refcount(r):
    r.set("small", "5")
    r.set("big", "123456")
    r.set("s", "hello")
    assert r.object("refcount", "small") == 2147483647  # Redis' shared integers
    assert r.object("refcount", "big") == 1
    assert r.object("refcount", "s") == 1
    assert r.object("refcount", "nokey") is None


def test_object_refcount_lru_policy(make_node):
    n = make_node(["--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"])
    c = n.client()
    c.set("small", "5")
    assert c.object("refcount", "small") == 1


def test_object_idletime(r):
    r.set("a", 1)
    assert r.object("idletime", "a") == 0
    assert r.object("idletime", "nokey") is None


LFU_MSG = ("An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
           "that when switching between policies at runtime LRU and LFU data will take some "
           "time to adjust.")
LFU_IDLE_MSG = ("An LFU maxmemory policy is selected, idle time not tracked. Please note that "
                "when switching between policies at runtime LRU and LFU data will take some "
                "time to adjust.")


def test_object_freq_needs_lfu(r):
    r.set("a", 1)
    assert err(r, "OBJECT", "FREQ", "a") == LFU_MSG


@pytest.mark.parametrize("policy", ["allkeys-lfu", "volatile-lfu"])
def test_object_freq_with_lfu(make_node, policy):
    n = make_node(["--maxmemory-policy", policy])
    c = n.client()
    c.set("f", "x")
    assert c.object("freq", "f") == 5  # LFU_INIT_VAL
    c.get("f")
    assert c.object("freq", "f") == 6  # first increments always count
    assert err(c, "OBJECT", "IDLETIME", "f") == LFU_IDLE_MSG
    assert c.object("freq", "nokey") is None
    # An overwrite keeps the counter (SET's own lookup may bump it, with p = 1/11).
    c.set("f", "y")
    freq = c.object("freq", "f")
    assert freq in (6, 7)
    # The value moves with its counter (again maybe bumped by the lookup).
    assert c.rename("f", "g") and c.object("freq", "g") in (freq, freq + 1)
    c.set("h", "v")
    assert c.copy("g", "h", replace=True) and c.object("freq", "h") == 5  # a fresh key


def test_object_help(node):
    c = RespConn(node.port)
    try:
        lines = c.call("OBJECT", "HELP")
        assert lines[0] == "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
        assert lines[1] == "ENCODING <key>"
        assert lines[-1] == "    Prints this help."
        assert len(lines) == 15
        assert c.call("object", "help") == lines
    finally:
        c.close()
    # Each line is a status reply, as Redis' addReplyHelp sends them.
    assert node.raw(b"OBJECT HELP\r\n", 0.3).startswith(b"*15\r\n+OBJECT <subcommand>")


def test_object_unknown_sub(r):
    assert err(r, "OBJECT", "foo") == "unknown subcommand 'foo'. Try OBJECT HELP."
    assert err(r, "OBJECT", "foo", "bar") == "unknown subcommand 'foo'. Try OBJECT HELP."


# ---- COMMAND metadata -------------------------------------------------------------------------

def _info(r, name):
    return r.execute_command("COMMAND", "INFO", name)


@pytest.mark.parametrize("name,arity,first,last", [
    ("del", -2, 1, -1), ("exists", -2, 1, -1), ("rename", 3, 1, 2), ("copy", -3, 1, 2),
    ("keys", 2, 0, 0), ("scan", -2, 0, 0), ("expire", -3, 1, 1), ("touch", -2, 1, -1),
    ("swapdb", 3, 0, 0),
])
def test_command_info(r, name, arity, first, last):
    info = _info(r, name)
    assert info, "COMMAND INFO %s returned nothing" % name
    assert info[name]["arity"] == arity
    assert info[name]["first_key_pos"] == first
    assert info[name]["last_key_pos"] == last

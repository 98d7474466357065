"""test_debug_digest.py -- DEBUG DIGEST, DEBUG DIGEST-VALUE and DEBUG RELOAD.

Owns: one Debian redis-server (started on a free loopback port with
enable-debug-command, killed by pid) and the vigil-nodes the tests start.
The same commands go to both servers -- every type in every encoding,
several dbs, TTLs -- and the dataset digest and each key's value digest
must be equal, byte for byte, to redis-server 7.0.15's. DEBUG RELOAD must
keep the digest and the encodings, and answer its options and errors as
Redis does. A missing redis-server fails the module.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import Node, free_port

REDIS_SERVER = "/usr/bin/redis-server"
ZERO = "0" * 40
DBS = (0, 1, 7)


class RedisServer:
    def __init__(self):
        if not os.path.exists(REDIS_SERVER):
            pytest.fail("%s is missing: install Debian's redis-server" % REDIS_SERVER)
        self.dir = tempfile.mkdtemp(prefix="vigil-digest-redis-")
        self.port = free_port()
        cmd = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--daemonize", "no", "--dir", self.dir,
               "--enable-debug-command", "yes", "--logfile", os.path.join(self.dir, "log")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.time() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)

    def client(self, db=0):
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, decode_responses=True)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def ref():
    r = RedisServer()
    yield r
    r.stop()


@pytest.fixture
def pair(ref, make_node):
    """(redis-server, vigil-node), both emptied."""
    ref.client().flushall()
    n = make_node(args=("--enable-debug-command", "yes"))
    return ref, n


def vclient(n, db=0):
    return redis.Redis(host="127.0.0.1", port=n.port, db=db, decode_responses=True)


def fill(c0, c1, c7):
    """Every type in every encoding, mutated after creation, TTLs, three dbs."""
    c0.set("s:int", 12345)
    c0.set("s:neg", -9223372036854775808)
    c0.set("s:huge", "99999999999999999999")
    c0.set("s:lead0", "007")
    c0.set("s:empty", "")
    c0.set("s:embstr", "hello")
    c0.set("s:raw", "x" * 100)
    c0.set("s:bin", b"\x00\xff\x01bin")
    c0.set("s:float", "3.14")
    c0.incr("s:counter")
    c0.append("s:appended", "ab")
    c0.append("s:appended", "cd")
    c0.setrange("s:range", 5, "z")
    c0.incrbyfloat("s:ibf", "1.5")
    c0.set("s:ttl", "v", px=500000)
    c0.rpush("l:small", "a", "b", 1, 2, -3, "", "x" * 70)
    c0.rpush("l:big", *range(5000))
    c0.lpush("l:big", "head")
    c0.linsert("l:big", "BEFORE", 2500, "mid")
    c0.lset("l:big", 10, "ten")
    c0.rpush("l:longelem", "y" * 10000, "z")
    c0.rpush("l:ttl", "p")
    c0.expire("l:ttl", 1000)
    c0.hset("h:small", mapping={"f": "v", "n": 1, "neg": -99, "e": ""})
    c0.hset("h:big", mapping={"f%d" % i: i for i in range(300)})
    c0.hdel("h:big", "f7")
    c0.hincrby("h:big", "f8", 5)
    c0.hincrbyfloat("h:small", "fl", "2.5")
    c0.hset("h:longval", mapping={"f": "v" * 100, "g": 2})
    c0.sadd("set:int", 1, 2, 3, -5, 100000, 2 ** 40)
    c0.sadd("set:str", "a", "b", "c", "")
    c0.sadd("set:bigint", *range(1000))
    c0.srem("set:bigint", 500)
    c0.zadd("z:small", {"a": 1, "b": 2.5, "c": -3, "d": float("inf"), "e": float("-inf"),
                        "7": 0.1, "f": 1e300, "g": -0.0, "h": 123456789.125})
    c0.zincrby("z:small", 0.2, "a")
    c0.zadd("z:big", {"m%d" % i: i * 1.5 for i in range(300)})
    c0.zadd("z:big", {"n%d" % i: 1 / (i + 1) for i in range(50)})
    c0.zrem("z:big", "m3")
    c0.zadd("z:longmember", {"m" * 100: 1, "12": 2})
    c0.pexpire("h:small", 400000)
    c0.pexpire("z:big", 300000)
    c0.persist("z:big")
    c0.pexpire("set:str", 300000)
    c1.set("db1:key", "one")
    c1.sadd("db1:set", "q")
    c1.zadd("db1:z", {"x": 2})
    c7.set("db7:key", "seven", ex=1000)
    c7.rpush("db7:list", "e", 1)
    c7.hset("db7:h", "a", "b")


def fill_both(ref, n):
    fill(*(ref.client(d) for d in DBS))
    fill(*(vclient(n, d) for d in DBS))


def test_empty_dataset_digest_is_zeros(pair):
    ref, n = pair
    assert ref.client().execute_command("DEBUG", "DIGEST") == ZERO
    assert vclient(n).execute_command("DEBUG", "DIGEST") == ZERO
    assert vclient(n).execute_command("DEBUG", "DIGEST-VALUE", "nokey") == [ZERO]
    assert vclient(n).execute_command("DEBUG", "DIGEST-VALUE") == []


def test_digest_equals_redis(pair):
    ref, n = pair
    fill_both(ref, n)
    want = ref.client().execute_command("DEBUG", "DIGEST")
    assert want != ZERO
    assert vclient(n).execute_command("DEBUG", "DIGEST") == want


def test_digest_value_equals_redis_for_every_key(pair):
    ref, n = pair
    fill_both(ref, n)
    checked = 0
    for d in DBS:
        rc, vc = ref.client(d), vclient(n, d)
        keys = sorted(rc.keys("*"))
        assert sorted(vc.keys("*")) == keys
        for k in keys:
            assert rc.object("encoding", k) == vc.object("encoding", k), k
        want = rc.execute_command("DEBUG", "DIGEST-VALUE", *keys, "missing")
        got = vc.execute_command("DEBUG", "DIGEST-VALUE", *keys, "missing")
        assert got == want
        assert want[-1] == ZERO
        checked += len(keys)
    assert checked > 30


def test_digest_sees_order_db_and_ttl(make_node):
    n = make_node(args=("--enable-debug-command", "yes"))
    c = vclient(n)
    c.rpush("l", "a", "b")
    first = c.execute_command("DEBUG", "DIGEST")
    c.delete("l")
    c.rpush("l", "b", "a")
    assert c.execute_command("DEBUG", "DIGEST") != first
    c.delete("l")
    c.rpush("l", "a", "b")
    assert c.execute_command("DEBUG", "DIGEST") == first
    c.expire("l", 100)
    assert c.execute_command("DEBUG", "DIGEST") != first
    c.persist("l")
    c.move("l", 3)
    assert c.execute_command("DEBUG", "DIGEST") not in (first, ZERO)


def test_debug_digest_needs_enable_debug_command(node):
    with pytest.raises(redis.ResponseError) as e:
        vclient(node).execute_command("DEBUG", "DIGEST")
    assert "DEBUG command not allowed" in str(e.value)


def encodings(c_for):
    out = {}
    for d in DBS:
        c = c_for(d)
        for k in c.keys("*"):
            out[(d, k)] = (c.object("encoding", k), c.pttl(k) > 0)
    return out


def test_reload_keeps_digest_and_encodings(pair):
    """Encodings after the reload are redis-server's after its reload (a
    short string grown by APPEND comes back embstr on both)."""
    ref, n = pair
    fill_both(ref, n)
    c = vclient(n)
    before = c.execute_command("DEBUG", "DIGEST")
    assert before == ref.client().execute_command("DEBUG", "DIGEST")
    enc = encodings(lambda d: vclient(n, d))
    assert c.execute_command("DEBUG", "RELOAD") == "OK"
    assert ref.client().execute_command("DEBUG", "RELOAD") == "OK"
    assert c.execute_command("DEBUG", "DIGEST") == before
    assert ref.client().execute_command("DEBUG", "DIGEST") == before
    after = encodings(lambda d: vclient(n, d))
    assert after == encodings(ref.client)
    changed = {k for k in enc if enc[k] != after[k]}
    assert changed == {(0, "s:appended"), (0, "s:range")}
    assert "DB reloaded by DEBUG RELOAD" in n.log()
    assert os.path.exists(os.path.join(n.dir, "dump.rdb"))


def test_reload_nosave_replaces_with_the_file(make_node):
    n = make_node(args=("--enable-debug-command", "yes"))
    c = vclient(n)
    c.set("a", "1")
    c.save()
    saved = c.execute_command("DEBUG", "DIGEST")
    c.set("b", "2")
    c.set("a", "changed")
    assert c.execute_command("DEBUG", "RELOAD", "NOSAVE") == "OK"
    assert c.execute_command("DEBUG", "DIGEST") == saved
    assert c.keys("*") == ["a"]


def test_reload_nosave_noflush_merge_adds_the_file(make_node):
    n = make_node(args=("--enable-debug-command", "yes"))
    c = vclient(n)
    c.set("a", "from-file")
    c.save()
    c.set("a", "in-memory")
    c.set("b", "kept")
    assert c.execute_command("DEBUG", "RELOAD", "nosave", "noflush", "merge") == "OK"
    assert c.get("a") == "from-file"
    assert c.get("b") == "kept"


def test_reload_noflush_without_merge_is_an_error(make_node):
    """Redis panics on the duplicate key; Vigil refuses the load instead."""
    n = make_node(args=("--enable-debug-command", "yes"))
    c = vclient(n)
    c.set("a", "1")
    with pytest.raises(redis.ResponseError) as e:
        c.execute_command("DEBUG", "RELOAD", "NOFLUSH")
    assert str(e.value) == "Error trying to load the RDB dump"
    assert n.alive()


def test_reload_bad_option_and_missing_file(pair):
    ref, n = pair
    for c in (ref.client(), vclient(n)):
        with pytest.raises(redis.ResponseError) as e:
            c.execute_command("DEBUG", "RELOAD", "BOGUS")
        assert str(e.value) == "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."
    c = vclient(n)
    c.set("k", "v")
    with pytest.raises(redis.ResponseError) as e:
        c.execute_command("DEBUG", "RELOAD", "NOSAVE")
    assert str(e.value) == "Error trying to load the RDB dump"


def test_populate_matches_redis(pair):
    ref, n = pair
    for c in (ref.client(), vclient(n)):
        assert c.execute_command("DEBUG", "POPULATE", 100) == "OK"
        assert c.execute_command("DEBUG", "POPULATE", 10, "p", 3) == "OK"
        assert c.execute_command("DEBUG", "POPULATE", 10, "q", 20) == "OK"
        assert c.execute_command("DEBUG", "POPULATE", 2, "p" * 200) == "OK"
        c.set("key:5", "mine")
        assert c.execute_command("DEBUG", "POPULATE", 10) == "OK"
        assert c.get("key:5") == "mine"
    want = ref.client().execute_command("DEBUG", "DIGEST")
    assert vclient(n).execute_command("DEBUG", "DIGEST") == want
    assert sorted(vclient(n).keys("pppp*")) == sorted(ref.client().keys("pppp*"))
    assert [len(k) for k in vclient(n).keys("pppp*")] == [127]  # both cut the key, so one
    for c in (ref.client(), vclient(n)):
        with pytest.raises(redis.ResponseError) as e:
            c.execute_command("DEBUG", "POPULATE", -1)
        assert str(e.value) == "value is out of range, must be positive"

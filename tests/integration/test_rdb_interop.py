"""test_rdb_interop.py -- RDB files exchanged with redis-server 7.0.15.

Owns: one Debian redis-server and the vigil-nodes each test starts, each in
its own temporary directory, killed by pid. redis-server writes a dump with
every type in every encoding (small and past the thresholds), TTLs and
several dbs; vigil-node must load it with identical contents (type, OBJECT
ENCODING, value, TTL), and the reverse; redis-check-rdb must accept vigil's
file; a corrupt file must stop vigil at start with a clear log line. A
missing redis-server fails the module.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import Node, free_port, node_binary

REDIS_SERVER = "/usr/bin/redis-server"
REDIS_CHECK_RDB = "/usr/bin/redis-check-rdb"


class RedisServer:
    def __init__(self, workdir):
        if not os.path.exists(REDIS_SERVER):
            pytest.fail("%s is missing: install Debian's redis-server" % REDIS_SERVER)
        self.port = free_port()
        self.dir = workdir
        cmd = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--daemonize", "no", "--dir", workdir,
               "--logfile", os.path.join(workdir, "redis.log")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.time() > deadline:
                    pytest.fail("redis-server did not start: %s" % self.log())
                time.sleep(0.05)

    def log(self):
        try:
            with open(os.path.join(self.dir, "redis.log")) as f:
                return f.read()
        except OSError:
            return ""

    def client(self, db=0):
        return redis.Redis(port=self.port, db=db)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


def populate(r):
    """Every type in every encoding, with TTLs, over dbs 0, 1 and 5."""
    c = r.client(0)
    c.set("str:int", 12345)
    c.set("str:neg", -7)
    c.set("str:big-int", 123456789012345)
    c.set("str:embstr", "hello")
    c.set("str:raw", "x" * 100)
    c.set("str:compressible", "abc" * 500)
    c.set("str:bin", b"\x00\xff\x01binary")
    c.set("str:ttl", "v", px=500000)
    c.rpush("list:small", "a", "b", 1, 2, -3, "x" * 70)
    c.rpush("list:big", *range(20000))
    c.rpush("list:longelem", "y" * 10000, "z")
    c.hset("hash:small", mapping={"f": "v", "n": 1, "neg": -99})
    c.hset("hash:big", mapping={"f%d" % i: i for i in range(300)})
    c.hset("hash:longval", mapping={"f": "v" * 100})
    c.sadd("set:int", 1, 2, 3, -5, 100000, 2 ** 40)
    c.sadd("set:str", "a", "b", "c")
    c.sadd("set:bigint", *range(1000))
    c.zadd("zset:small", {"a": 1, "b": 2.5, "c": -3, "d": float("inf")})
    c.zadd("zset:big", {"m%d" % i: i * 1.5 for i in range(300)})
    c.zadd("zset:longmember", {"m" * 100: 1})
    c.pexpire("hash:small", 400000)
    c.pexpire("zset:big", 300000)
    d1 = r.client(1)
    d1.set("db1:key", "one")
    d1.sadd("db1:set", "q")
    d5 = r.client(5)
    d5.set("db5:key", "five", ex=1000)
    d5.rpush("db5:list", "e")


def snapshot(c):
    """type, encoding, value and TTL (rounded to tens of seconds) of every key."""
    out = {}
    for k in c.keys("*"):
        t = c.type(k)
        enc = c.object("encoding", k)
        t = t.decode() if isinstance(t, bytes) else t
        if t == "string":
            v = c.get(k)
        elif t == "list":
            v = c.lrange(k, 0, -1)
        elif t == "hash":
            v = c.hgetall(k)
        elif t == "set":
            v = sorted(c.smembers(k))
        elif t == "zset":
            v = c.zrange(k, 0, -1, withscores=True)
        pttl = c.pttl(k)
        out[k] = (t, enc, v, -1 if pttl < 0 else pttl // 10000)
    return out


def snapshot_all(client_for):
    return {db: snapshot(client_for(db)) for db in (0, 1, 5)}


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="vigil-rdb-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def redis_dump(workdir):
    r = RedisServer(workdir)
    try:
        populate(r)
        want = snapshot_all(lambda db: r.client(db))
        assert r.client().save()
    finally:
        r.stop()
    return want


def node_client(node, db):
    return redis.Redis(host="127.0.0.1", port=node.port, db=db)


def test_vigil_loads_redis_dump(workdir):
    want = redis_dump(workdir)
    n = Node(args=("--dir", workdir))
    try:
        got = snapshot_all(lambda db: node_client(n, db))
        assert got == want
        info = n.client().info("persistence")
        assert info["rdb_last_load_keys_loaded"] == sum(len(v) for v in want.values())
    finally:
        n.stop()


def test_redis_loads_vigil_dump(workdir):
    n = Node(args=("--dir", workdir))
    try:
        class Shim:
            def client(self, db=0):
                return node_client(n, db)
        populate(Shim())
        want = snapshot_all(lambda db: node_client(n, db))
        before = n.client().lastsave()
        assert n.client().save()
        assert n.client().lastsave() >= before
        assert n.client().info("persistence")["rdb_saves"] == 1
    finally:
        n.stop()
    check = subprocess.run([REDIS_CHECK_RDB, os.path.join(workdir, "dump.rdb")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "RDB looks OK!" in check.stdout
    r = RedisServer(workdir)
    try:
        got = snapshot_all(lambda db: r.client(db))
    finally:
        r.stop()
    assert got == want


def test_vigil_round_trip_uncompressed(workdir):
    n = Node(args=("--dir", workdir, "--rdbcompression", "no"))
    try:
        c = n.client()
        c.set("k", "abc" * 500)
        c.hset("h", mapping={"a": 1})
        want = snapshot(c)
        assert c.save()
    finally:
        n.stop()
    n = Node(args=("--dir", workdir))
    try:
        assert snapshot(n.client()) == want
    finally:
        n.stop()


def start_fails(workdir):
    port = free_port()
    log = os.path.join(workdir, "node.log")
    p = subprocess.run([node_binary(), "--bind", "127.0.0.1",
                        "--port", str(port), "--dir", workdir, "--logfile", log],
                       capture_output=True, text=True, timeout=30)
    with open(log) as f:
        text = f.read()
    return p.returncode, text + p.stderr


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_corrupt_dump_refused(workdir, damage):
    redis_dump(workdir)
    path = os.path.join(workdir, "dump.rdb")
    data = bytearray(open(path, "rb").read())
    if damage == "flip":
        data[len(data) // 2] ^= 0x40
    else:
        data = data[: len(data) - 20]
    open(path, "wb").write(bytes(data))
    rc, text = start_fails(workdir)
    assert rc != 0
    assert rc > 0, "vigil-node crashed (signal %d)" % -rc
    assert "corrupt RDB file" in text, text


def test_bgsave(workdir):
    n = Node(args=("--dir", workdir))
    try:
        c = n.client()
        c.set("a", "1")
        assert c.bgsave()
        deadline = time.time() + 10
        while c.info("persistence")["rdb_bgsave_in_progress"] or \
                c.info("persistence")["rdb_saves"] == 0:
            assert time.time() < deadline
            time.sleep(0.05)
        assert c.info("persistence")["rdb_last_bgsave_status"] == "ok"
        assert c.info("persistence")["rdb_changes_since_last_save"] == 0
    finally:
        n.stop()
    n = Node(args=("--dir", workdir))
    try:
        assert n.client().get("a") == "1"
    finally:
        n.stop()


def test_shutdown_save(workdir):
    n = Node(args=("--dir", workdir))
    try:
        n.client().set("k", "v")
        try:
            n.client().shutdown(save=True)
        except redis.ConnectionError:
            pass
        n.proc.wait(timeout=10)
    finally:
        n.stop()
    assert os.path.exists(os.path.join(workdir, "dump.rdb"))
    n = Node(args=("--dir", workdir))
    try:
        assert n.client().get("k") == "v"
    finally:
        n.stop()


def test_dbfilename_protected(workdir):
    n = Node(args=("--dir", workdir))
    try:
        with pytest.raises(redis.ResponseError) as e:
            n.client().config_set("dbfilename", "other.rdb")
        assert "protected" in str(e.value)
        assert n.client().config_get("dbfilename") == {"dbfilename": "dump.rdb"}
    finally:
        n.stop()


def wait_bgsave_done(c):
    deadline = time.time() + 10
    while c.info("persistence")["rdb_bgsave_in_progress"]:
        assert time.time() < deadline
        time.sleep(0.05)


def test_sigterm_saves_when_save_points_are_set(workdir):
    n = Node(args=("--dir", workdir, "--save", "3600 1"))
    try:
        n.client().set("k", "v")
        n.proc.send_signal(signal.SIGTERM)
        n.proc.wait(timeout=10)
    finally:
        n.stop()
    n = Node(args=("--dir", workdir))
    try:
        assert n.client().get("k") == "v"
    finally:
        n.stop()


MISCONF = ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
           "the RDB error.")


def test_failed_bgsave_refuses_writes_with_misconf(workdir):
    n = Node(args=("--dir", workdir, "--save", "3600 1000000"))
    # dump.rdb as a non-empty directory: the child's rename fails.
    os.makedirs(os.path.join(workdir, "dump.rdb", "x"))
    try:
        c = n.client()
        c.set("k", "v")
        assert c.bgsave()
        wait_bgsave_done(c)
        assert c.info("persistence")["rdb_last_bgsave_status"] == "err"
        with pytest.raises(redis.ResponseError) as e:
            c.set("k", "w")
        assert str(e.value) == MISCONF
        assert c.get("k") == "v"
        c.config_set("stop-writes-on-bgsave-error", "no")
        assert c.set("k", "w")
    finally:
        n.stop()


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu"])
def test_access_opcodes_readable_by_redis(workdir, policy):
    n = Node(args=("--dir", workdir, "--maxmemory-policy", policy))
    try:
        c = n.client()
        c.set("a", "1")
        c.hset("h", "f", "v")
        assert c.save()
    finally:
        n.stop()
    check = subprocess.run([REDIS_CHECK_RDB, os.path.join(workdir, "dump.rdb")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    n = Node(args=("--dir", workdir, "--maxmemory-policy", policy))
    try:
        assert n.client().get("a") == "1"
        assert n.client().hgetall("h") == {"f": "v"}
    finally:
        n.stop()

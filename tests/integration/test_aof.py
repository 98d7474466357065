"""test_aof.py -- the AOF writer: files on disk as Redis 7.0.15 lays them out.

A vigil-node with appendonly yes writes dir/appendonlydir/ (manifest, base,
incr files). These tests check, over real sockets:
  * the incr file holds the same bytes Redis' does for the same commands;
  * Debian's redis-check-aof accepts the directory, and Debian's redis-server
    started on a copy of it loads exactly the dataset Vigil had (every type,
    several dbs, TTLs), after writes, BGREWRITEAOF and more writes;
  * appendfsync always answers a write only once it is in the file;
  * BGREWRITEAOF under a write load loses nothing;
  * CONFIG SET appendonly yes / no at run time;
  * a write error (RLIMIT_FSIZE, lifted with prlimit) refuses writes with
    -MISCONF and recovers, without root.

Needs /usr/bin/redis-server and redis-check-aof (Debian's 7.0.15).
"""
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest
import redis

from conftest import Node, free_port

REDIS_SERVER = "/usr/bin/redis-server"
CHECK_AOF = shutil.which("redis-check-aof") or "/usr/bin/redis-check-aof"


@pytest.fixture(autouse=True)
def reference_tools_present():
    assert os.path.exists(REDIS_SERVER), "needs Debian's redis-server 7.0.15"
    assert os.path.exists(CHECK_AOF), "needs Debian's redis-check-aof"


# ---- helpers --------------------------------------------------------------------------------

def wait_for(pred, timeout=20.0, what="condition"):
    deadline = time.time() + timeout
    while not pred():
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


def info(r):
    return r.info("persistence")


def rewrite_done(r):
    i = info(r)
    return i["aof_rewrite_in_progress"] == 0 and i["aof_rewrite_scheduled"] == 0


def aof_dir(node):
    return os.path.join(node.dir, "appendonlydir")


def manifest(node):
    with open(os.path.join(aof_dir(node), "appendonly.aof.manifest")) as f:
        return f.read()


def incr_bytes(d):
    data = b""
    for name in sorted(os.listdir(d)):
        if name.endswith(".incr.aof"):
            with open(os.path.join(d, name), "rb") as f:
                data += f.read()
    return data


def check_aof(d):
    r = subprocess.run([CHECK_AOF, os.path.join(d, "appendonly.aof.manifest")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All AOF files and manifest are valid" in r.stdout, r.stdout


def snapshot(r):
    """Every key of every db: (db, key) -> (type, value, expire time)."""
    out = {}
    for db in range(16):
        c = redis.Redis(host="127.0.0.1", port=r.connection_pool.connection_kwargs["port"],
                        db=db, decode_responses=True)
        for k in c.scan_iter(count=1000):
            t = c.type(k)
            if t == "string":
                v = c.get(k)
            elif t == "list":
                v = c.lrange(k, 0, -1)
            elif t == "hash":
                v = sorted(c.hgetall(k).items())
            elif t == "set":
                v = sorted(c.smembers(k))
            elif t == "zset":
                v = c.zrange(k, 0, -1, withscores=True)
            else:
                v = None
            out[(db, k)] = (t, v, c.execute_command("PEXPIRETIME", k))
        c.close()
    return out


class RedisOn:
    """Debian's redis-server started on a copy of an appendonlydir."""

    def __init__(self, src_aof_dir, extra=()):
        self.dir = tempfile.mkdtemp(prefix="vigil-aof-redis-")
        if src_aof_dir:
            shutil.copytree(src_aof_dir, os.path.join(self.dir, "appendonlydir"))
        self.port = free_port()
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--dir", self.dir, "--daemonize", "no",
             "--logfile", os.path.join(self.dir, "redis.log")] + list(extra),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while True:
            assert self.proc.poll() is None, "redis-server exited: " + self.log()
            try:
                c = self.client()
                if c.info("persistence")["loading"] == 0:
                    c.close()
                    break
                c.close()
            except (redis.ConnectionError, redis.BusyLoadingError):
                pass
            assert time.time() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True)

    def log(self):
        try:
            with open(os.path.join(self.dir, "redis.log")) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def shutdown_and_copy(node):
    """Stop the node cleanly and keep a copy of its appendonlydir."""
    c = node.client()
    try:
        c.shutdown(nosave=True)
    except redis.ConnectionError:
        pass
    node.proc.wait(timeout=30)
    keep = tempfile.mkdtemp(prefix="vigil-aof-copy-")
    dst = os.path.join(keep, "appendonlydir")
    shutil.copytree(aof_dir(node), dst)
    node.expect_exit = True
    return keep, dst


def assert_redis_loads(src, expected):
    rs = RedisOn(src)
    try:
        got = snapshot(rs.client())
        assert got == expected
    finally:
        rs.stop()


FAR = 4102444800  # 2100-01-01: an absolute expiry both servers propagate alike


def populate(r, tag):
    for db in (0, 3, 9):
        c = redis.Redis(host="127.0.0.1", port=r.connection_pool.connection_kwargs["port"],
                        db=db, decode_responses=True)
        c.set(f"s:{tag}", "v" * 30)
        c.set(f"i:{tag}", 12345)
        c.incrbyfloat(f"f:{tag}", "1.5")
        c.rpush(f"l:{tag}", *[f"e{i}" for i in range(20)])
        c.lpush(f"big:{tag}", *["x" * 100 for _ in range(200)])
        c.hset(f"h:{tag}", mapping={f"f{i}": f"v{i}" for i in range(10)})
        c.hset(f"hb:{tag}", mapping={f"f{i}": "y" * 80 for i in range(200)})
        c.sadd(f"si:{tag}", *range(30))
        c.sadd(f"ss:{tag}", *[f"m{i}" for i in range(30)])
        c.zadd(f"z:{tag}", {f"m{i}": i * 1.5 for i in range(20)})
        c.zadd(f"zb:{tag}", {f"m{i}" * 10: i for i in range(200)})
        c.set(f"ttl:{tag}", "t")
        c.expireat(f"ttl:{tag}", FAR)
        c.set(f"px:{tag}", "p", exat=FAR + 7)
        c.hset(f"ttlh:{tag}", "a", "b")
        c.pexpireat(f"ttlh:{tag}", FAR * 1000 + 123)
        c.set(f"gone:{tag}", "1")
        c.delete(f"gone:{tag}")
        c.lpop(f"l:{tag}")
        c.srem(f"ss:{tag}", "m3")
        c.zincrby(f"z:{tag}", 2, "m1")
        c.hdel(f"h:{tag}", "f2")
        c.close()


# ---- the layout -----------------------------------------------------------------------------

def test_start_creates_base_incr_and_manifest(make_node):
    n = make_node(args=["--appendonly", "yes"])
    assert sorted(os.listdir(aof_dir(n))) == [
        "appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"]
    assert manifest(n) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                           "file appendonly.aof.1.incr.aof seq 1 type i\n")
    with open(os.path.join(aof_dir(n), "appendonly.aof.1.base.rdb"), "rb") as f:
        base = f.read()
    assert base.startswith(b"REDIS0010") and b"aof-base\xc0\x01" in base
    i = info(n.client())
    assert i["aof_enabled"] == 1 and i["aof_last_write_status"] == "ok"
    assert i["aof_current_size"] == len(base) == i["aof_base_size"]


def test_info_fields_in_redis_order(make_node):
    n = make_node(args=["--appendonly", "yes"])
    text = n.cli("INFO", "persistence")
    names = [line.split(":")[0] for line in text.splitlines() if line.startswith(("aof_", "mod"))]
    assert names == [
        "aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled",
        "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec",
        "aof_last_bgrewrite_status", "aof_rewrites", "aof_rewrites_consecutive_failures",
        "aof_last_write_status", "aof_last_cow_size", "module_fork_in_progress",
        "module_fork_last_cow_size", "aof_current_size", "aof_base_size",
        "aof_pending_rewrite", "aof_buffer_length", "aof_pending_bio_fsync",
        "aof_delayed_fsync"]
    off = make_node()
    text = off.cli("INFO", "persistence")
    assert "aof_enabled:0" in text and "aof_current_size" not in text


@pytest.mark.parametrize("fsync", ["always", "everysec", "no"])
def test_incr_file_same_bytes_as_redis(make_node, fsync):
    n = make_node(args=["--appendonly", "yes", "--appendfsync", fsync])
    rs = RedisOn(None, extra=["--appendfsync", fsync])
    try:
        populate(n.client(), "a")
        populate(rs.client(), "a")
        for c in (n.client(), rs.client()):
            p = c.pipeline(transaction=True)
            p.set("m1", "x")
            p.incr("m2")
            p.execute()
            c.flushdb()
        # everysec may postpone a write while an fsync runs (replies go out
        # first, as in Redis): wait until neither server buffers anything.
        for c in (n.client(), rs.client()):
            wait_for(lambda: info(c)["aof_buffer_length"] == 0, what="the buffer written")
        ours = incr_bytes(aof_dir(n))
        theirs = incr_bytes(os.path.join(rs.dir, "appendonlydir"))
        assert ours == theirs
    finally:
        rs.stop()


def test_timestamp_annotations_as_redis(make_node):
    n = make_node(args=["--appendonly", "yes", "--aof-timestamp-enabled", "yes"])
    rs = RedisOn(None, extra=["--aof-timestamp-enabled", "yes"])
    try:
        for c in (n.client(), rs.client()):
            c.set("a", "1")
            c.rpush("l", "x")
            wait_for(lambda: info(c)["aof_buffer_length"] == 0, what="the buffer written")
        ours = incr_bytes(aof_dir(n))
        theirs = incr_bytes(os.path.join(rs.dir, "appendonlydir"))
        assert re.match(rb"#TS:\d+\r\n\*2\r\n\$6\r\nSELECT", ours)
        # Which second each server's writes fell in may differ: compare the
        # commands and where the first annotation sits.
        strip = lambda b: re.sub(rb"#TS:\d+\r\n", b"", b)
        assert strip(ours) == strip(theirs)
        check_aof(aof_dir(n))
    finally:
        rs.stop()


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_redis_check_aof_and_redis_load_after_writes_and_rewrite(make_node, preamble):
    n = make_node(args=["--appendonly", "yes", "--aof-use-rdb-preamble", preamble])
    ext = "rdb" if preamble == "yes" else "aof"
    r = n.client()
    populate(r, "one")
    check_aof(aof_dir(n))
    assert r.bgrewriteaof() in (True, "Background append only file rewriting started")
    wait_for(lambda: rewrite_done(r), what="the rewrite")
    i = info(r)
    assert i["aof_rewrites"] == 1 and i["aof_last_bgrewrite_status"] == "ok"
    assert manifest(n) == (f"file appendonly.aof.2.base.{ext} seq 2 type b\n"
                           "file appendonly.aof.2.incr.aof seq 2 type i\n")
    assert sorted(os.listdir(aof_dir(n))) == [
        f"appendonly.aof.2.base.{ext}", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]
    with open(os.path.join(aof_dir(n), f"appendonly.aof.2.base.{ext}"), "rb") as f:
        head = f.read(16)
    assert head.startswith(b"REDIS0010" if preamble == "yes" else b"*2\r\n$6\r\nSELECT")
    populate(r, "two")
    r.delete("s:one")
    check_aof(aof_dir(n))
    expected = snapshot(r)
    assert len(expected) > 40
    keep, d = shutdown_and_copy(n)
    try:
        check_aof(d)
        assert_redis_loads(d, expected)
    finally:
        shutil.rmtree(keep, ignore_errors=True)


def test_restart_appends_to_the_last_incr(make_node):
    n = make_node(args=["--appendonly", "yes"])
    n.client().set("a", "1")
    keep, d = shutdown_and_copy(n)
    try:
        before = incr_bytes(d)
        # A node on the copy (the later --dir wins): it appends to the same
        # incr file; loading the dataset back is the loader's business.
        m = make_node(args=["--appendonly", "yes", "--dir", keep])
        m.client().set("b", "2")
        wait_for(lambda: info(m.client())["aof_buffer_length"] == 0, what="the buffer written")
        got = incr_bytes(d)
        assert got.startswith(before) and got.endswith(b"$1\r\nb\r\n$1\r\n2\r\n")
        with open(os.path.join(d, "appendonly.aof.manifest")) as f:
            assert f.read() == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                                "file appendonly.aof.1.incr.aof seq 1 type i\n")
        check_aof(d)
    finally:
        shutil.rmtree(keep, ignore_errors=True)


def test_start_with_appendonly_yes_ignores_dump_rdb(make_node):
    """As Redis 7.0.15: with appendonly yes and no AOF the node starts empty
    (dump.rdb is not the dataset) and writes an empty base."""
    n = make_node()
    r = n.client()
    r.set("in-dump", "1")
    r.save()
    keep = tempfile.mkdtemp(prefix="vigil-aof-dump-")
    try:
        shutil.copy(os.path.join(n.dir, "dump.rdb"), keep)
        m = make_node(args=["--appendonly", "yes", "--dir", keep])
        assert m.client().dbsize() == 0
        assert os.path.exists(os.path.join(keep, "appendonlydir", "appendonly.aof.1.base.rdb"))
        check_aof(os.path.join(keep, "appendonlydir"))
    finally:
        shutil.rmtree(keep, ignore_errors=True)


# ---- appendfsync always ---------------------------------------------------------------------

def test_always_reply_comes_after_the_write_reached_the_file(make_node):
    n = make_node(args=["--appendonly", "yes", "--appendfsync", "always"])
    path = os.path.join(aof_dir(n), "appendonly.aof.1.incr.aof")
    errors = []

    def writer(w):
        c = n.client()
        for i in range(150):
            val = f"w{w}-{i}"
            c.set(f"k{w}", val)
            with open(path, "rb") as f:
                data = f.read()
            if val.encode() not in data:
                errors.append(val)
        c.close()

    def reader():
        c = n.client()
        for _ in range(300):
            c.get("k0")
        c.close()

    ts = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    ts.append(threading.Thread(target=reader))
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
    i = info(n.client())
    assert i["aof_buffer_length"] == 0 and i["aof_pending_bio_fsync"] == 0
    assert i["aof_last_write_status"] == "ok"


def test_always_pipeline_and_transaction_replies(make_node):
    n = make_node(args=["--appendonly", "yes", "--appendfsync", "always"])
    r = n.client()
    p = r.pipeline(transaction=False)
    for i in range(500):
        p.incr("c")
        p.get("c")
    res = p.execute()
    assert res[-1] == "500"
    p = r.pipeline(transaction=True)
    p.rpush("l", "a")
    p.rpush("l", "b")
    assert p.execute() == [1, 2]
    data = incr_bytes(aof_dir(n))
    assert data.count(b"INCRBY") == 500  # redis-py sends INCR as INCRBY
    assert b"*1\r\n$5\r\nMULTI\r\n" in data


def test_appendfsync_switch_at_runtime(make_node):
    n = make_node(args=["--appendonly", "yes", "--appendfsync", "always"])
    r = n.client()
    for policy in ("everysec", "always", "no", "always"):
        r.config_set("appendfsync", policy)
        for i in range(50):
            r.set("k", f"{policy}{i}")
        assert r.get("k") == f"{policy}49"
    assert b"always49" in incr_bytes(aof_dir(n))


# ---- BGREWRITEAOF ---------------------------------------------------------------------------

@pytest.mark.parametrize("fsync", ["always", "everysec"])
def test_bgrewriteaof_under_write_load_loses_nothing(make_node, fsync):
    n = make_node(args=["--appendonly", "yes", "--appendfsync", fsync])
    r = n.client()
    for i in range(2000):
        r.set(f"pre{i}", "x" * 50)
    stop = threading.Event()
    acked = [0, 0]

    def load(w):
        c = n.client(db=w)
        while not stop.is_set():
            c.incr("counter")
            c.rpush("log", acked[w])
            acked[w] += 1
        c.close()

    ts = [threading.Thread(target=load, args=(w,)) for w in range(2)]
    for t in ts:
        t.start()
    for _ in range(3):
        wait_for(lambda: rewrite_done(r), what="the rewrite")
        r.bgrewriteaof()
        wait_for(lambda: rewrite_done(r), what="the rewrite")
    stop.set()
    for t in ts:
        t.join()
    assert info(r)["aof_rewrites"] == 3
    for w in range(2):
        c = n.client(db=w)
        assert int(c.get("counter")) == acked[w]
        c.close()
    expected = snapshot(r)
    keep, d = shutdown_and_copy(n)
    try:
        check_aof(d)
        assert_redis_loads(d, expected)
    finally:
        shutil.rmtree(keep, ignore_errors=True)


def test_bgrewriteaof_replies(make_node):
    n = make_node()
    r = n.client()
    r.set("a", "1")
    # With appendonly no a rewrite still writes a base, as Redis.
    assert n.cli("BGREWRITEAOF") == "Background append only file rewriting started"
    wait_for(lambda: rewrite_done(r), what="the rewrite")
    assert info(r)["aof_last_bgrewrite_status"] == "ok"
    assert manifest(n) == "file appendonly.aof.1.base.rdb seq 1 type b\n"
    with pytest.raises(redis.ResponseError, match="wrong number of arguments"):
        r.execute_command("BGREWRITEAOF", "x")


def test_bgrewriteaof_inside_exec_is_scheduled(make_node):
    n = make_node(args=["--appendonly", "yes"])
    out = n.cli(stdin="MULTI\nSET a 1\nBGREWRITEAOF\nEXEC\n")
    assert "Background append only file rewriting scheduled" in out
    r = n.client()
    wait_for(lambda: info(r)["aof_rewrites"] == 1 and rewrite_done(r), what="the rewrite")
    assert info(r)["aof_last_bgrewrite_status"] == "ok"


def test_auto_rewrite_on_growth(make_node):
    n = make_node(args=["--appendonly", "yes", "--auto-aof-rewrite-min-size", "1",
                        "--auto-aof-rewrite-percentage", "100"])
    r = n.client()
    for i in range(100):
        r.set(f"k{i}", "v" * 100)
    wait_for(lambda: info(r)["aof_rewrites"] >= 1, what="the automatic rewrite")
    wait_for(lambda: rewrite_done(r), what="the rewrite")
    assert n.wait_log("Starting automatic rewriting of AOF on")
    check_aof(aof_dir(n))


# ---- CONFIG SET appendonly ------------------------------------------------------------------

def test_config_set_appendonly_yes_then_no(make_node):
    n = make_node()
    r = n.client()
    populate(r, "before")
    assert not os.path.exists(aof_dir(n))
    r.config_set("appendonly", "yes")
    wait_for(lambda: info(r)["aof_enabled"] == 1 and rewrite_done(r), what="AOF on")
    assert manifest(n) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                           "file appendonly.aof.1.incr.aof seq 1 type i\n")
    populate(r, "after")
    check_aof(aof_dir(n))
    expected = snapshot(r)
    r.config_set("appendonly", "no")
    assert info(r)["aof_enabled"] == 0
    size = len(incr_bytes(aof_dir(n)))
    r.set("not-in-aof", "1")
    assert len(incr_bytes(aof_dir(n))) == size
    d = tempfile.mkdtemp(prefix="vigil-aof-copy-")
    try:
        shutil.copytree(aof_dir(n), os.path.join(d, "appendonlydir"))
        assert_redis_loads(os.path.join(d, "appendonlydir"), expected)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    # On again: a new rewrite, a new base and incr.
    r.config_set("appendonly", "yes")
    wait_for(lambda: info(r)["aof_enabled"] == 1 and rewrite_done(r), what="AOF on again")
    r.set("again", "1")
    check_aof(aof_dir(n))
    assert "seq 2 type b" in manifest(n)


def child_of(pid):
    """The pid of pid's one child process (the rewrite or BGSAVE fork)."""
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(d))
    assert len(found) == 1, found
    return found[0]


def test_bgsave_and_bgrewriteaof_exclusion(make_node):
    """rdb-key-save-delay (a Redis parameter for tests) keeps the child at
    its first key until SIGSTOP holds it, so it is running for sure while
    the other requests arrive."""
    n = make_node(args=["--appendonly", "yes", "--rdb-key-save-delay", "500000"])
    r = n.client()
    r.set("a", "1")
    assert n.cli("BGREWRITEAOF") == "Background append only file rewriting started"
    child = child_of(n.proc.pid)
    os.kill(child, signal.SIGSTOP)
    try:
        i = info(r)
        assert i["aof_rewrite_in_progress"] == 1 and i["aof_current_rewrite_time_sec"] >= 0
        assert n.cli("BGREWRITEAOF") == \
            "ERR Background append only file rewriting already in progress"
        assert n.cli("BGSAVE") == ("ERR Another child process is active (AOF?): can't BGSAVE "
                                   "right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE "
                                   "whenever possible.")
        assert n.cli("BGSAVE", "SCHEDULE") == "Background saving scheduled"
        # Writes during the rewrite go to the incr file opened at the fork.
        r.set("during", "1")
        wait_for(lambda: info(r)["aof_buffer_length"] == 0, what="the buffer written")
        with open(os.path.join(aof_dir(n), "appendonly.aof.2.incr.aof"), "rb") as f:
            assert b"during" in f.read()
        assert manifest(n) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                               "file appendonly.aof.1.incr.aof seq 1 type i\n"
                               "file appendonly.aof.2.incr.aof seq 2 type i\n")
    finally:
        os.kill(child, signal.SIGCONT)
    wait_for(lambda: rewrite_done(r), what="the rewrite")
    wait_for(lambda: info(r)["rdb_saves"] >= 1 and info(r)["rdb_bgsave_in_progress"] == 0,
             what="the scheduled BGSAVE")
    assert info(r)["aof_last_bgrewrite_status"] == "ok"
    # And the other way round: a BGSAVE running schedules the rewrite.
    wait_for(lambda: info(r)["rdb_bgsave_in_progress"] == 0, what="no child")
    assert n.cli("BGSAVE") == "Background saving started"
    child = child_of(n.proc.pid)
    os.kill(child, signal.SIGSTOP)
    try:
        assert n.cli("BGREWRITEAOF") == "Background append only file rewriting scheduled"
        assert info(r)["aof_rewrite_scheduled"] == 1
    finally:
        os.kill(child, signal.SIGCONT)
    wait_for(lambda: info(r)["aof_rewrites"] == 2 and rewrite_done(r), what="the rewrite")


def test_killed_rewrite_keeps_the_old_files(make_node):
    n = make_node(args=["--appendonly", "yes", "--rdb-key-save-delay", "100000"])
    r = n.client()
    populate(r, "a")
    assert n.cli("BGREWRITEAOF") == "Background append only file rewriting started"
    child = child_of(n.proc.pid)
    os.kill(child, signal.SIGSTOP)
    r.set("during", "1")
    os.kill(child, signal.SIGKILL)
    wait_for(lambda: rewrite_done(r), what="the rewrite reaped")
    i = info(r)
    assert i["aof_last_bgrewrite_status"] == "err"
    assert i["aof_rewrites_consecutive_failures"] == 1
    assert manifest(n) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                           "file appendonly.aof.1.incr.aof seq 1 type i\n"
                           "file appendonly.aof.2.incr.aof seq 2 type i\n")
    assert not [f for f in os.listdir(n.dir) if f.startswith("temp-rewriteaof")]
    r.set("after", "1")
    expected = snapshot(r)
    keep, d = shutdown_and_copy(n)
    try:
        check_aof(d)
        assert_redis_loads(d, expected)
    finally:
        shutil.rmtree(keep, ignore_errors=True)


# ---- write errors ---------------------------------------------------------------------------

def limited_node(make_node, limit, *args):
    """A node whose files may not grow past limit bytes until prlimit lifts it."""
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    n = make_node(args=["--appendonly", "yes"] + list(args))
    # Restart it under the limit: Node has no preexec hook, so start by hand.
    n.client().shutdown(nosave=True)
    n.proc.wait(timeout=30)
    cmd = n.base_cmd + ["--bind", "127.0.0.1", "--port", str(n.port), "--dir", n.dir,
                        "--logfile", n.log_path] + n.extra_args
    with open(n.stdout_path, "ab") as out, open(n.stderr_path, "ab") as err:
        n.proc = subprocess.Popen(cmd, stdout=out, stderr=err, preexec_fn=pre)
    def up():
        try:
            return n.client().ping()
        except redis.ConnectionError:
            return False
    wait_for(up, what="the node under RLIMIT_FSIZE")
    return n


def lift(n):
    resource.prlimit(n.proc.pid, resource.RLIMIT_FSIZE,
                     (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def test_write_error_refuses_writes_then_recovers_everysec(make_node):
    n = limited_node(make_node, 64 * 1024, "--appendfsync", "everysec")
    r = n.client()
    acked = []
    with pytest.raises(redis.ResponseError) as e:
        for i in range(1000):
            r.set(f"k{i}", "x" * 1000)
            acked.append(i)
    assert "MISCONF Errors writing to the AOF file: File too large" in str(e.value)
    assert info(r)["aof_last_write_status"] == "err"
    with pytest.raises(redis.ResponseError, match="MISCONF"):
        r.execute_command("PING")
    assert r.get("k0") == "x" * 1000  # reads still served
    lift(n)
    wait_for(lambda: info(r)["aof_last_write_status"] == "ok", what="recovery")
    r.set("after", "1")
    expected = snapshot(r)
    keep, d = shutdown_and_copy(n)
    try:
        check_aof(d)
        assert_redis_loads(d, expected)
    finally:
        shutil.rmtree(keep, ignore_errors=True)


def test_write_error_holds_always_reply_until_recovered(make_node):
    n = limited_node(make_node, 64 * 1024, "--appendfsync", "always")
    r = n.client()
    s = socket.create_connection(("127.0.0.1", n.port), timeout=20)
    try:
        big = "y" * 100000
        cmd = ("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n%s\r\n" % (len(big), big)).encode()
        s.sendall(cmd)
        wait_for(lambda: info(r)["aof_last_write_status"] == "err", what="the write error")
        with pytest.raises(redis.ResponseError, match="MISCONF Errors writing to the AOF file"):
            r.set("other", "1")
        assert r.exists("big") == 1  # applied in memory, its reply held
        # Other clients' reads are not delayed behind the held write.
        reader = n.client()
        assert reader.get("big") == big and reader.dbsize() == 1
        reader.close()
        s.setblocking(False)
        with pytest.raises(BlockingIOError):
            s.recv(100)
        s.setblocking(True)
        lift(n)
        assert s.recv(100) == b"+OK\r\n"
        wait_for(lambda: info(r)["aof_last_write_status"] == "ok", what="recovery")
        r.set("other", "1")
    finally:
        s.close()
    assert big.encode() in incr_bytes(aof_dir(n))
    check_aof(aof_dir(n))


def test_command_base_same_bytes_as_redis(make_node):
    """aof-use-rdb-preamble no: one key per db (dict order is each server's
    own), every encoding whose item order both servers keep."""
    n = make_node(args=["--appendonly", "yes", "--aof-use-rdb-preamble", "no"])
    rs = RedisOn(None, extra=["--aof-use-rdb-preamble", "no"])
    try:
        bases = []
        for c, d in ((n.client(), aof_dir(n)), (rs.client(), os.path.join(rs.dir, "appendonlydir"))):
            port = c.connection_pool.connection_kwargs["port"]
            dbs = [redis.Redis(host="127.0.0.1", port=port, db=i) for i in range(8)]
            dbs[0].set("s", "hello")
            dbs[1].set("i", 42)
            dbs[2].rpush("l", *range(150))  # 3 RPUSH of 64, 64, 22
            dbs[3].hset("h", mapping={"a": "1", "b": "2"})
            dbs[4].sadd("si", 5, 3, 1)
            dbs[5].zadd("z", {"a": 1.5, "b": 0.1, "c": 1e300})
            dbs[6].set("t", "x")
            dbs[6].pexpireat("t", FAR * 1000 + 5)
            dbs[7].zadd("zl", {f"m{i}": i / 3 for i in range(70)})
            c.bgrewriteaof()
            wait_for(lambda: rewrite_done(c), what="the rewrite")
            with open(os.path.join(d, "appendonly.aof.2.base.aof"), "rb") as f:
                bases.append(f.read())
        assert bases[0] == bases[1]
    finally:
        rs.stop()


def test_held_client_closing_before_the_disk_recovers(make_node):
    n = limited_node(make_node, 64 * 1024, "--appendfsync", "always")
    r = n.client()
    s = socket.create_connection(("127.0.0.1", n.port), timeout=20)
    big = "z" * 100000
    s.sendall(("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n%s\r\n" % (len(big), big)).encode())
    wait_for(lambda: info(r)["aof_last_write_status"] == "err", what="the write error")
    s.close()
    wait_for(lambda: r.client_list().__len__() == 1, what="the held client gone")
    lift(n)
    wait_for(lambda: info(r)["aof_last_write_status"] == "ok", what="recovery")
    assert r.set("after", "1")
    assert big.encode() in incr_bytes(aof_dir(n))


@pytest.mark.parametrize("command", ["BGSAVE", "BGREWRITEAOF"])
def test_sigterm_to_a_child_does_not_stop_the_node(make_node, command):
    """The fork inherits libuv's signal pipe: the child must not pass its
    SIGTERM on to the parent's loop."""
    n = make_node(args=["--appendonly", "yes", "--rdb-key-save-delay", "1000000"])
    r = n.client()
    r.set("a", "1")
    assert n.cli(command).startswith("Background")
    os.kill(child_of(n.proc.pid), signal.SIGTERM)
    field = "rdb_last_bgsave_status" if command == "BGSAVE" else "aof_last_bgrewrite_status"
    wait_for(lambda: info(r)[field] == "err", what="the child reaped")
    assert r.ping() and n.alive()

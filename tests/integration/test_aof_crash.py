"""test_aof_crash.py -- kill -9 and a full disk against the append-only file.

Owns: the servers each test starts (vigil-node, and Debian's redis-server
7.0.15 as the control that shows each scenario is meaningful), each in its
own temporary directory, killed by pid, restarted on the same directory.

What must hold, as the persistence issue states it:
  * appendfsync always: after kill -9 during a concurrent write load,
    every acknowledged write is there after the restart;
  * appendfsync everysec: what is missing was acknowledged in about the
    last second before the kill (we allow a window of a few seconds for a
    loaded machine; anything older missing is a failure);
  * kill -9 during BGREWRITEAOF: the previous files are intact, the node
    starts with all acknowledged data, redis-check-aof accepts the dir;
  * a full disk (a small tmpfs, root only): writes are refused with
    -MISCONF, nothing acknowledged is lost, and writes resume once space
    returns.
Each writer records invoke -> ok | fail per operation; only "ok" counts as
acknowledged.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest
import redis

from conftest import free_port, node_binary, sanitizer_report

REDIS_SERVER = "/usr/bin/redis-server"
REDIS_CHECK_AOF = "/usr/bin/redis-check-aof"
IMPLS = ["vigil", "redis"]


class Server:
    """One server process on a directory that outlives it (restart keeps it)."""

    def __init__(self, impl, workdir, args):
        self.impl = impl
        self.dir = workdir
        self.args = list(args)
        self.port = free_port()
        self.proc = None
        self.outputs = []
        self.start()

    def _cmd(self):
        log = os.path.join(self.dir, "server.log")
        if self.impl == "vigil":
            base = [node_binary()]
        else:
            if not os.path.exists(REDIS_SERVER):
                pytest.fail("%s is missing: install Debian's redis-server" % REDIS_SERVER)
            base = [REDIS_SERVER, "--daemonize", "no"]
        return base + ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir,
                       "--logfile", log, "--save", ""] + self.args

    def start(self):
        err = open(os.path.join(self.dir, "server.stderr"), "ab")
        self.proc = subprocess.Popen(self._cmd(), stdout=subprocess.DEVNULL, stderr=err)
        err.close()
        deadline = time.time() + 60
        while True:
            try:
                if redis.Redis(port=self.port, socket_timeout=1).ping():
                    return
            except redis.exceptions.BusyLoadingError:
                pass
            except (redis.ConnectionError, redis.TimeoutError):
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                pytest.fail("%s did not start: %s" % (self.impl, self.log()))
            time.sleep(0.05)

    def log(self):
        text = ""
        for name in ("server.stderr", "server.log"):
            try:
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text

    def client(self, **kw):
        return redis.Redis(port=self.port, decode_responses=True, **kw)

    def kill9(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()
        report = sanitizer_report(self.log())
        assert not report, "sanitizer report:\n" + report


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="vigil-aofcrash-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


class Writer(threading.Thread):
    """INCR on its own counter and SADD of unique members, one at a time,
    recording which were acknowledged and when."""

    def __init__(self, port, wid):
        super().__init__(daemon=True)
        self.port = port
        self.wid = wid
        self.acked_incr = 0       # highest counter value acknowledged
        self.attempted_incr = 0   # INCRs sent
        self.acked_members = []   # (member, ack time)
        self.stop_flag = False

    def run(self):
        c = redis.Redis(port=self.port, socket_timeout=5)
        i = 0
        while not self.stop_flag:
            i += 1
            try:
                self.attempted_incr += 1
                v = c.incr("counter:%d" % self.wid)
                self.acked_incr = v
                m = "%d:%d" % (self.wid, i)
                c.sadd("members:%d" % self.wid, m)
                self.acked_members.append((m, time.time()))
            except redis.RedisError:
                return  # the server went away: no more acknowledgements


def run_load_then_kill(srv, seconds, nwriters=4):
    writers = [Writer(srv.port, w) for w in range(nwriters)]
    for w in writers:
        w.start()
    time.sleep(seconds)
    kill_time = time.time()
    srv.kill9()
    for w in writers:
        w.stop_flag = True
        w.join(10)
    return writers, kill_time


def missing_after_restart(srv, writers):
    """Per writer: (counter on disk, acked counter, members missing with ack time)."""
    c = srv.client()
    out = []
    for w in writers:
        got = int(c.get("counter:%d" % w.wid) or 0)
        present = c.smembers("members:%d" % w.wid)
        missing = [(m, t) for m, t in w.acked_members if m not in present]
        out.append((got, w.acked_incr, w.attempted_incr, missing))
    return out


@pytest.mark.parametrize("impl", IMPLS)
def test_always_keeps_every_acknowledged_write(impl, workdir):
    srv = Server(impl, workdir, ["--appendonly", "yes", "--appendfsync", "always"])
    try:
        writers, _ = run_load_then_kill(srv, 1.5)
        assert sum(len(w.acked_members) for w in writers) > 100, "the load did not run"
        srv.start()
        for got, acked, attempted, missing in missing_after_restart(srv, writers):
            assert acked <= got <= attempted
            assert not missing, "%d acknowledged SADDs lost, e.g. %s" % (len(missing), missing[:3])
    finally:
        srv.stop()


@pytest.mark.parametrize("impl", IMPLS)
def test_everysec_loses_at_most_the_last_second(impl, workdir):
    srv = Server(impl, workdir, ["--appendonly", "yes", "--appendfsync", "everysec"])
    try:
        writers, kill_time = run_load_then_kill(srv, 3.0)
        assert sum(len(w.acked_members) for w in writers) > 100, "the load did not run"
        srv.start()
        for got, acked, attempted, missing in missing_after_restart(srv, writers):
            assert got <= attempted
            old = [m for m, t in missing if t < kill_time - 3.0]
            assert not old, "writes acknowledged more than 3 s before the kill are lost: %s" % old[:3]
    finally:
        srv.stop()


def populate(c, n):
    pipe = c.pipeline(transaction=False)
    for i in range(n):
        pipe.set("key:%d" % i, "v" * 64 + str(i))
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()


def aof_dir_accepted(workdir):
    if not os.path.exists(REDIS_CHECK_AOF):
        pytest.fail("%s is missing: install Debian's redis-tools" % REDIS_CHECK_AOF)
    manifest = os.path.join(workdir, "appendonlydir", "appendonly.aof.manifest")
    p = subprocess.run([REDIS_CHECK_AOF, manifest], capture_output=True, text=True, timeout=60)
    return p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("impl", IMPLS)
def test_kill_during_bgrewriteaof_keeps_previous_files(impl, workdir):
    # rdb-key-save-delay keeps the rewrite child busy (seconds) past the
    # kill: a child that outlived its node would hold the port and the
    # restart would fail with "address already in use".
    srv = Server(impl, workdir, ["--appendonly", "yes", "--appendfsync", "always",
                                 "--rdbcompression", "no", "--rdb-key-save-delay", "20"])
    try:
        c = srv.client()
        populate(c, 200000)
        c.set("last", "before-rewrite")
        c.bgrewriteaof()
        # Kill while the child writes the new base.
        deadline = time.time() + 10
        while c.info("persistence")["aof_rewrite_in_progress"] != 1:
            assert time.time() < deadline, "no rewrite started"
        srv.kill9()
        ok, text = aof_dir_accepted(workdir)
        assert ok, text
        srv.start()
        c = srv.client()
        assert c.dbsize() == 200001
        assert c.get("last") == "before-rewrite"
        assert c.get("key:199999") == "v" * 64 + "199999"
        # The node goes on: a rewrite now completes and the data stays.
        c.config_set("rdb-key-save-delay", "0")
        c.bgrewriteaof()
        deadline = time.time() + 60
        while True:
            info = c.info("persistence")
            if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
                break
            assert time.time() < deadline
            time.sleep(0.05)
        assert info["aof_last_bgrewrite_status"] == "ok"
    finally:
        srv.stop()


def mount_tmpfs(path, size):
    if os.geteuid() != 0:
        pytest.skip("a full disk needs root to mount a small tmpfs")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: %s" % p.stderr.strip())


@pytest.fixture
def full_disk(workdir):
    """A 4 MB tmpfs to fill (root only, else the test skips); unmounted after."""
    disk = os.path.join(workdir, "disk")
    os.mkdir(disk)
    mount_tmpfs(disk, "4m")
    yield disk
    subprocess.run(["umount", disk], capture_output=True)


def fill(disk):
    filler = os.path.join(disk, "filler")
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    # Leave room for a few hundred writes, so some are acknowledged first.
    os.truncate(filler, max(0, os.path.getsize(filler) - 128 * 1024))
    return filler


@pytest.mark.parametrize("impl", IMPLS)
def test_full_disk_refuses_writes_then_recovers(impl, full_disk):
    """everysec: a failed write is refused with -MISCONF until one succeeds."""
    disk = full_disk
    srv = None
    try:
        srv = Server(impl, disk, ["--appendonly", "yes", "--appendfsync", "everysec",
                                  "--auto-aof-rewrite-percentage", "0"])
        c = srv.client()
        filler = fill(disk)
        acked = []
        refused = None
        for i in range(20000):
            try:
                c.set("k:%d" % i, "x" * 200)
                acked.append(i)
            except redis.ResponseError as e:
                refused = str(e)
                break
        assert refused is not None, "writes never failed on a full disk"
        assert refused.startswith("MISCONF"), refused
        assert len(acked) > 10, "the disk was full before any write"
        # Reads still work while writes are refused.
        if acked:
            assert c.get("k:%d" % acked[0]) == "x" * 200
        os.unlink(filler)
        deadline = time.time() + 10
        while True:
            try:
                c.set("after", "space")
                break
            except redis.ResponseError as e:
                assert str(e).startswith("MISCONF"), str(e)
                assert time.time() < deadline, "writes did not resume once space returned"
                time.sleep(0.1)
        srv.kill9()
        srv.start()
        c = srv.client()
        assert c.get("after") == "space"
        lost = [i for i in acked if c.get("k:%d" % i) is None]
        assert not lost, "%d acknowledged writes lost, e.g. %s" % (len(lost), lost[:3])
    finally:
        if srv is not None:
            srv.stop()


@pytest.mark.parametrize("impl", IMPLS)
def test_full_disk_with_always_acknowledges_nothing_it_lost(impl, full_disk):
    """always: Redis exits on an AOF write error (it cannot take back a write
    already applied in memory); Vigil holds the write's reply and refuses
    further writes until the disk takes it. Whatever the node does, no
    write acknowledged to a client may be missing after a restart."""
    disk = full_disk
    srv = None
    try:
        srv = Server(impl, disk, ["--appendonly", "yes", "--appendfsync", "always",
                                  "--auto-aof-rewrite-percentage", "0"])
        # A node may hold the reply of a write it could not make durable
        # until the disk takes it: a timeout is a write not acknowledged.
        c = srv.client(socket_timeout=5)
        filler = fill(disk)
        acked = []
        failed = False
        for i in range(20000):
            try:
                c.set("k:%d" % i, "x" * 200)
                acked.append(i)
            except redis.RedisError:
                failed = True
                break
        assert failed, "writes never failed on a full disk"
        os.unlink(filler)
        srv.kill9()
        srv.start()
        c = srv.client()
        lost = [i for i in acked if c.get("k:%d" % i) is None]
        assert not lost, "%d acknowledged writes lost, e.g. %s" % (len(lost), lost[:3])
    finally:
        if srv is not None:
            srv.stop()

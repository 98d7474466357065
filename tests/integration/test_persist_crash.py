"""test_persist_crash.py -- RDB snapshots under kill -9 and a full disk.

Owns: the vigil-node and redis-server processes each scenario starts (free
loopback ports, killed by pid, their BGSAVE children too), their data
directories, and, when running as root, one small tmpfs per full-disk
scenario (always unmounted). Each scenario runs against Debian's
redis-server 7.0.15 and against vigil-node and records what it saw; the
test asserts the expected outcome on both and that the two records are
equal, so Vigil behaves as Redis does in the same situation:

- kill -9 of the node and its child during BGSAVE: the previous dump.rdb
  is byte for byte intact, redis-check-rdb accepts it, the partial
  temp-<child>.rdb is left behind (Redis does not remove it either; it is
  harmless: nothing reads it), and a restart loads the previous data;
- kill -9 of the node alone: the orphaned child stops too (Redis' exits
  at its next progress report, ours at once), leaving the previous dump;
- kill -9 of the child: rdb_last_bgsave_status:err, -MISCONF for writes
  and PING (save points set), reads still served, a transaction with a
  refused write aborts, and so does EXEC of writes queued before; a
  successful BGSAVE lifts it (and reports the child's copy-on-write as
  rdb_last_cow_size);
- a full disk (2 MB tmpfs): BGSAVE fails, -MISCONF, the old dump intact and
  no temp file left; with space back BGSAVE succeeds, writes resume, and
  after kill -9 a restart has every key the last snapshot acknowledged.
"""
import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import free_port, node_binary

REDIS_SERVER = "/usr/bin/redis-server"
REDIS_CHECK_RDB = "/usr/bin/redis-check-rdb"
MISCONF = ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details "
           "about the RDB error.")
# Big enough that the BGSAVE child runs for a good fraction of a second.
POPULATE = 100000


class Srv:
    """redis-server or vigil-node in dir d (log kept outside it in logdir)."""

    def __init__(self, kind, d, logdir, *args):
        self.kind = kind
        self.dir = d
        self.log_path = os.path.join(logdir, "%s-%d.log" % (kind, time.monotonic_ns()))
        binary = node_binary() if kind == "vigil" else REDIS_SERVER
        self.port = free_port()
        cmd = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", d,
               "--logfile", self.log_path, "--enable-debug-command", "yes"]
        if kind == "redis":
            # rdb-key-save-delay (a Redis test knob) keeps its BGSAVE child
            # busy past its first progress report to the parent (after 1 s),
            # which is where it notices a dead parent; vigil's child learns
            # at once (PR_SET_PDEATHSIG), so it needs no such knob.
            cmd += ["--daemonize", "no", "--appendonly", "no", "--rdb-key-save-delay", "20"]
        cmd += list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.kill()
                    pytest.fail("%s did not start:\n%s" % (kind, self.log()))
                time.sleep(0.05)
            except redis.ResponseError:
                return  # -MISCONF to PING: up, but refusing

    def client(self, db=0, **kw):
        kw.setdefault("decode_responses", True)
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, **kw)

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def child_pid(self):
        """The pid of the last BGSAVE child, from the log line both servers write."""
        pids = [int(l.rsplit(" ", 1)[1]) for l in self.log().splitlines()
                if "Background saving started by pid" in l]
        assert pids, self.log()
        return pids[-1]

    def info(self):
        return self.client().info("persistence")

    def wait_bgsave_done(self):
        deadline = time.time() + 60
        while self.info()["rdb_bgsave_in_progress"]:
            assert time.time() < deadline, "BGSAVE did not finish"
            time.sleep(0.02)
        return self.info()["rdb_last_bgsave_status"]

    def digest(self):
        return self.client().execute_command("DEBUG", "DIGEST")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


def proc_state(pid):
    """The /proc state letter of pid, or None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def wait_exists(path):
    deadline = time.time() + 10
    while not os.path.exists(path):
        if time.time() > deadline:
            return False
        time.sleep(0.002)
    return True


def wait_stopped(pid):
    """True once pid is stopped (SIGSTOP lands asynchronously); False if it
    had exited before the signal came."""
    deadline = time.time() + 10
    while time.time() < deadline:
        state = proc_state(pid)
        if state in (None, "Z", "T", "t"):
            return state in ("T", "t")
        time.sleep(0.005)
    return False


PR_SET_CHILD_SUBREAPER = 36


@pytest.fixture(autouse=True)
def subreaper():
    """Adopt orphans while a scenario runs: a BGSAVE child whose node was
    killed becomes ours, as it would become init's, so we can wait for it
    and read how it ended (and no init of the test machine's own interferes)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        pytest.fail("prctl(PR_SET_CHILD_SUBREAPER) failed")
    yield
    libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def wait_gone(pid):
    """Wait for an adopted (or killed) child; its exit status, or a
    negative signal number, or None when it was not ours to wait for."""
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            got, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if got == pid:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    pytest.fail("process %d did not exit" % pid)


def check_rdb(path):
    p = subprocess.run([REDIS_CHECK_RDB, path], capture_output=True, text=True)
    return p.returncode == 0 and "RDB looks OK!" in p.stdout


def small_dataset(c):
    c.set("s", "v")
    c.rpush("l", 1, 2, "three")
    c.hset("h", mapping={"f": "v"})
    c.sadd("set", "a", 1)
    c.zadd("z", {"m": 1.5})
    c.set("ttl", "x", ex=10000)


@pytest.fixture
def dirs():
    made = []

    def make():
        d = tempfile.mkdtemp(prefix="vigil-crash-")
        made.append(d)
        return d
    yield make
    for d in made:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(autouse=True)
def reference():
    if not os.path.exists(REDIS_SERVER):
        pytest.fail("%s is missing: install Debian's redis-server" % REDIS_SERVER)


def both(scenario, dirs):
    """Run scenario for redis-server and vigil-node; their records must agree."""
    seen = {kind: scenario(kind, dirs) for kind in ("redis", "vigil")}
    assert seen["vigil"] == seen["redis"]
    return seen["vigil"]


# ------------------------------------------------------- kill -9 during BGSAVE

def kill_node_and_child(kind, dirs):
    d, logs = dirs(), dirs()
    s = Srv(kind, d, logs, "--save", "")
    rec = {}
    try:
        small_dataset(s.client())
        assert s.client().save()
        before = open(os.path.join(d, "dump.rdb"), "rb").read()
        small = s.digest()
        s.client().execute_command("DEBUG", "POPULATE", POPULATE, "key", 100)
        assert s.client().bgsave()
        child = s.child_pid()
        temp = os.path.join(d, "temp-%d.rdb" % child)
        rec["temp_while_running"] = wait_exists(temp)
        os.kill(child, signal.SIGSTOP)
        rec["child_was_running"] = wait_stopped(child)
        s.kill()
        os.kill(child, signal.SIGKILL)
        wait_gone(child)
    finally:
        s.kill()
    rec["dump_intact"] = open(os.path.join(d, "dump.rdb"), "rb").read() == before
    rec["check_rdb"] = check_rdb(os.path.join(d, "dump.rdb"))
    s = Srv(kind, d, logs, "--save", "")
    try:
        rec["restart_has_previous"] = s.digest() == small
        rec["keys"] = s.client().dbsize()
        rec["temp_after_restart"] = os.path.exists(temp)
        assert s.client().bgsave()
        rec["next_bgsave"] = s.wait_bgsave_done()
    finally:
        s.kill()
    return rec


def test_kill9_node_and_child_during_bgsave_keeps_previous_dump(dirs):
    rec = both(kill_node_and_child, dirs)
    assert rec == {"child_was_running": True, "temp_while_running": True, "dump_intact": True,
                   "check_rdb": True, "restart_has_previous": True, "keys": 6,
                   "temp_after_restart": True, "next_bgsave": "ok"}


def kill_node_only(kind, dirs):
    d, logs = dirs(), dirs()
    s = Srv(kind, d, logs, "--save", "")
    rec = {}
    try:
        small_dataset(s.client())
        assert s.client().save()
        before = open(os.path.join(d, "dump.rdb"), "rb").read()
        small = s.digest()
        s.client().execute_command("DEBUG", "POPULATE", POPULATE, "key", 100)
        assert s.client().bgsave()
        child = s.child_pid()
        rec["temp_while_running"] = wait_exists(os.path.join(d, "temp-%d.rdb" % child))
        s.kill()
        rec["child_completed"] = wait_gone(child) == 0
    finally:
        s.kill()
    rec["dump_intact"] = open(os.path.join(d, "dump.rdb"), "rb").read() == before
    rec["check_rdb"] = check_rdb(os.path.join(d, "dump.rdb"))
    rec["temps"] = [f for f in os.listdir(d) if f.startswith("temp-")] == ["temp-%d.rdb" % child]
    s = Srv(kind, d, logs, "--save", "")
    try:
        rec["restart_has_previous"] = s.digest() == small
    finally:
        s.kill()
    return rec


def test_kill9_node_only_stops_the_child(dirs):
    """The orphaned child does not finish: a node restarted meanwhile must
    not find an older snapshot renamed over its own dump later."""
    rec = both(kill_node_only, dirs)
    assert rec == {"temp_while_running": True, "child_completed": False, "dump_intact": True,
                   "check_rdb": True, "temps": True, "restart_has_previous": True}


# ----------------------------------------------------- kill -9 of the child

def error_text(fn):
    try:
        return ("ok", fn())
    except redis.ResponseError as e:
        return ("err", str(e))


def kill_child(kind, dirs):
    d, logs = dirs(), dirs()
    s = Srv(kind, d, logs, "--save", "3600 1")
    rec = {}
    try:
        c = s.client()
        c.set("before", "1")
        c.execute_command("DEBUG", "POPULATE", POPULATE, "key", 100)
        queued = redis.Connection(host="127.0.0.1", port=s.port, decode_responses=True)
        queued.send_command("MULTI")
        queued.read_response()
        queued.send_command("SET", "queued", "1")
        rec["queued_before"] = queued.read_response()
        assert c.bgsave()
        child = s.child_pid()
        os.kill(child, signal.SIGKILL)
        rec["status"] = s.wait_bgsave_done()
        queued.send_command("EXEC")
        rec["exec_of_queued_write"] = error_text(queued.read_response)
        queued.disconnect()
        rec["log"] = "Background saving terminated by signal 9" in s.log()
        rec["set"] = error_text(lambda: c.set("k", "v"))
        rec["ping"] = error_text(lambda: c.ping())
        rec["get"] = error_text(lambda: c.get("before"))
        rec["dbsize"] = c.dbsize()
        p = c.pipeline(transaction=True)
        p.get("before")
        p.set("k", "v")
        rec["multi"] = error_text(lambda: p.execute(raise_on_error=False))
        rec["temps"] = [f for f in os.listdir(d) if f.startswith("temp-")]
        # Without save points the same failure refuses nothing.
        c.config_set("save", "")
        rec["set_without_points"] = error_text(lambda: c.set("k", "v"))
        c.config_set("save", "3600 1")
        rec["set_with_points_again"] = error_text(lambda: c.set("k", "v"))[0]
        assert c.bgsave()
        rec["status_after"] = s.wait_bgsave_done()
        rec["cow_reported"] = s.info()["rdb_last_cow_size"] > 0
        rec["set_after"] = error_text(lambda: c.set("k2", "v"))
        rec["ping_after"] = error_text(lambda: c.ping())
    finally:
        s.kill()
    return rec


def test_kill9_of_the_child_refuses_writes_until_a_good_bgsave(dirs):
    rec = both(kill_child, dirs)
    assert rec["status"] == "err" and rec["log"]
    assert rec["set"] == ("err", MISCONF)
    assert rec["ping"] == ("err", MISCONF)
    assert rec["get"] == ("ok", "1")
    assert rec["multi"][0] == "err" and MISCONF in rec["multi"][1]
    assert rec["queued_before"] == "QUEUED"
    # redis-py strips the EXECABORT code from "-EXECABORT Transaction discarded ..."
    assert rec["exec_of_queued_write"] == ("err", "Transaction discarded because of: " + MISCONF)
    assert rec["temps"] == []
    assert rec["set_without_points"] == ("ok", True)
    assert rec["set_with_points_again"] == "err"
    assert rec["status_after"] == "ok" and rec["cow_reported"]
    assert rec["set_after"] == ("ok", True)
    assert rec["ping_after"] == ("ok", True)


def wait_log(s, text, count=1):
    deadline = time.time() + 30
    while s.log().count(text) < count:
        assert time.time() < deadline, "no %r in the log:\n%s" % (text, s.log())
        time.sleep(0.005)


def save_point_retry(kind, dirs):
    d, logs = dirs(), dirs()
    s = Srv(kind, d, logs, "--save", "1 1")
    rec = {}
    try:
        c = s.client()
        c.execute_command("DEBUG", "POPULATE", POPULATE, "key", 100)
        c.set("dirty", "1")
        wait_log(s, "Background saving started by pid")
        rec["log_line"] = "1 changes in 1 seconds. Saving..." in s.log()
        os.kill(s.child_pid(), signal.SIGKILL)
        rec["status"] = s.wait_bgsave_done()
        started = s.log().count("Background saving started by pid")
        # The retry delay is 5 s: in the next 2 s the cron must not fork again,
        # although the save point stays reached.
        time.sleep(2)
        rec["forks_within_2s"] = s.log().count("Background saving started by pid") - started
        wait_log(s, "Background saving started by pid", started + 1)
        rec["retried"] = True
    finally:
        s.kill()
    return rec


def test_failed_bgsave_is_retried_after_the_delay_only(dirs):
    rec = both(save_point_retry, dirs)
    assert rec == {"log_line": True, "status": "err", "forks_within_2s": 0, "retried": True}


# ----------------------------------------------------------------- full disk

@pytest.fixture
def tmpfs(dirs):
    """A 2 MB tmpfs, or a clean skip when we cannot mount one."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = []

    def make():
        d = dirs()
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", d],
                           capture_output=True, text=True)
        if p.returncode != 0:
            pytest.skip("cannot mount a tmpfs: %s" % p.stderr.strip())
        mounted.append(d)
        return d
    yield make
    for d in mounted:
        if subprocess.run(["umount", d], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", d], capture_output=True)


def fill_disk(d, leave):
    st = os.statvfs(d)
    free = st.f_bavail * st.f_frsize
    path = os.path.join(d, "filler")
    with open(path, "wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return path


def full_disk(kind, dirs, tmpfs):
    d, logs = tmpfs(), dirs()
    s = Srv(kind, d, logs, "--save", "3600 1")
    rec = {}
    try:
        c = s.client()
        cb = s.client(decode_responses=False)
        small_dataset(c)
        assert c.save()
        before = open(os.path.join(d, "dump.rdb"), "rb").read()
        filler = fill_disk(d, 64 * 1024)
        rng = __import__("random").Random(7)
        pipe = cb.pipeline(transaction=False)
        for i in range(6000):
            pipe.set("k:%d" % i, rng.randbytes(100))
        acked = sum(1 for x in pipe.execute() if x is True)
        rec["acked"] = acked
        rec["save"] = error_text(lambda: c.save())
        rec["status_after_save"] = s.info()["rdb_last_bgsave_status"]
        assert c.bgsave()
        rec["status"] = s.wait_bgsave_done()
        rec["set"] = error_text(lambda: c.set("x", "y"))
        rec["dump_intact"] = open(os.path.join(d, "dump.rdb"), "rb").read() == before
        rec["temps"] = sorted(f for f in os.listdir(d) if f.startswith("temp-"))
        rec["dbsize_while_full"] = c.dbsize()
        os.unlink(filler)
        rec["set_with_space_before_bgsave"] = error_text(lambda: c.set("x", "y"))[0]
        assert c.bgsave()
        rec["status_with_space"] = s.wait_bgsave_done()
        rec["set_after"] = error_text(lambda: c.set("x", "y"))
        assert c.bgsave()
        assert s.wait_bgsave_done() == "ok"
        want = s.digest()
    finally:
        s.kill()
    rec["check_rdb"] = check_rdb(os.path.join(d, "dump.rdb"))
    s = Srv(kind, d, logs, "--save", "")
    try:
        rec["restart_keeps_everything"] = s.digest() == want
        rec["dbsize_after_restart"] = s.client().dbsize()
    finally:
        s.kill()
    return rec


def test_full_disk_refuses_writes_and_recovers(dirs, tmpfs):
    rec = both(lambda kind, dirs: full_disk(kind, dirs, tmpfs), dirs)
    assert rec["acked"] == 6000
    assert rec["save"] == ("err", "")  # a bare "-ERR"
    assert rec["status_after_save"] == "ok"  # a failed SAVE alone refuses nothing
    assert rec["status"] == "err"
    assert rec["set"] == ("err", MISCONF)
    assert rec["dump_intact"] and rec["temps"] == []
    assert rec["dbsize_while_full"] == 6006
    assert rec["set_with_space_before_bgsave"] == "err"
    assert rec["status_with_space"] == "ok"
    assert rec["set_after"] == ("ok", True)
    assert rec["check_rdb"]
    assert rec["restart_keeps_everything"] and rec["dbsize_after_restart"] == 6007

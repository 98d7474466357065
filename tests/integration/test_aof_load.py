"""test_aof_load.py -- loading the append-only files at start, and -LOADING.

Owns: the Debian redis-server 7.0.15 processes that write the AOF
directories (each in its own temporary directory, killed by pid) and the
vigil-nodes started on copies of them. A directory written by redis-server
(RDB-preamble base, or a command-format base, plus incr files with
MULTI/EXEC and TTLs over several dbs) must load into vigil-node with the
contents redis-server itself loads from the same files; an old single
appendonly.aof is moved into a new appendonlydir with the manifest Redis
writes for it; a torn tail is trimmed (aof-load-truncated yes) or refused;
a bad line in the middle, a torn non-last file and a corrupt manifest stop
the start with the file, the offset or Redis' sentence in the log; while a
big dataset loads, clients get -LOADING and INFO shows loading:1; a dir
that cannot be written stops the start. A missing redis-server fails the
module.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import free_port, node_binary, sanitizer_report
from test_rdb_interop import populate, snapshot

REDIS_SERVER = "/usr/bin/redis-server"
DBS = (0, 1, 5)


class Proc:
    """redis-server or vigil-node on a directory, killed by pid."""

    def __init__(self, binary, workdir, args, ready="Ready to accept connections"):
        if binary == REDIS_SERVER and not os.path.exists(REDIS_SERVER):
            pytest.fail("%s is missing: install Debian's redis-server" % REDIS_SERVER)
        self.dir = workdir
        self.is_redis = binary == REDIS_SERVER
        self.port = free_port()
        tag = "%s-%d" % (os.path.basename(binary), self.port)
        self.logfile = os.path.join(workdir, tag + ".log")
        self.errfile = os.path.join(workdir, tag + ".stderr")
        cmd = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", workdir,
               "--logfile", self.logfile, "--save", ""]
        if binary == REDIS_SERVER:
            cmd += ["--daemonize", "no"]
        with open(self.errfile, "ab") as err:
            self.proc = subprocess.Popen(cmd + list(args), stdout=subprocess.DEVNULL, stderr=err)
        self.ready = ready

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.ready in self.log():
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.02)
        raise AssertionError("no ready line:\n" + self.log())

    def wait_exit(self, timeout=30):
        return self.proc.wait(timeout=timeout)

    def log(self):
        text = ""
        for path in (self.errfile, self.logfile):
            try:
                with open(path, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text

    def client(self, db=0, **kw):
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, **kw)

    def stop(self):
        """vigil-node gets SIGTERM (so a sanitizer build reports leaks at
        exit), redis-server SIGKILL."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if self.is_redis else signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        report = sanitizer_report(self.log())
        assert not report, "sanitizer report:\n" + report


def start_vigil(workdir, *args):
    return Proc(node_binary(), workdir, ("--appendonly", "yes") + args)


@pytest.fixture
def tmp():
    dirs = []

    def make():
        d = tempfile.mkdtemp(prefix="vigil-aof-")
        dirs.append(d)
        return d

    yield make
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def procs():
    started = []
    yield started
    for p in started:
        p.stop()


def wait_rewrite_done(c):
    deadline = time.time() + 20
    while time.time() < deadline:
        info = c.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
            return
        time.sleep(0.05)
    raise AssertionError("BGREWRITEAOF did not finish")


def more_writes(r):
    c = r.client(0)
    with c.pipeline(transaction=True) as p:
        p.set("tx:a", "1")
        p.incr("tx:a")
        p.rpush("tx:list", "x", "y")
        p.execute()
    c.set("after:str", "v2", ex=2000)
    c.expire("str:raw", 700)
    c.delete("list:longelem")
    c.zincrby("zset:small", 10, "a")
    c.hincrbyfloat("hash:small", "n", 1.5)
    c.srem("set:str", "a")
    c.lpop("list:big")
    d1 = r.client(1)
    d1.set("db1:after", "x")
    with d1.pipeline(transaction=True) as p:
        p.sadd("db1:set", "r")
        p.set("db1:key", "uno")
        p.execute()


def redis_aof_dir(workdir, *args):
    """A redis-server appendonlydir: base (after BGREWRITEAOF) + incr."""
    r = Proc(REDIS_SERVER, workdir, ("--appendonly", "yes") + args)
    try:
        assert r.wait_ready(), r.log()
        populate(r)
        r.client().bgrewriteaof()
        wait_rewrite_done(r.client())
        more_writes(r)
        r.client().shutdown(nosave=True)
    except redis.ConnectionError:
        pass
    finally:
        r.proc.wait(timeout=20)
    return os.path.join(workdir, "appendonlydir")


def manifest(aofdir):
    with open(os.path.join(aofdir, "appendonly.aof.manifest")) as f:
        return f.read()


def split_incr(aofdir):
    """Split the last incr file in two at a command boundary (as a failed
    rewrite leaves them), so the load crosses several incr files."""
    lines = manifest(aofdir).splitlines()
    last = lines[-1].split()
    name, seq = last[1], int(last[3])
    path = os.path.join(aofdir, name)
    with open(path, "rb") as f:
        data = f.read()
    cut = data.index(b"*", len(data) // 2)
    while data[cut - 2:cut] != b"\r\n" or not data[cut + 1:cut + 2].isdigit():
        cut = data.index(b"*", cut + 1)
    new_name = "appendonly.aof.%d.incr.aof" % (seq + 1)
    with open(path, "wb") as f:
        f.write(data[:cut])
    with open(os.path.join(aofdir, new_name), "wb") as f:
        f.write(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + data[cut:])
    lines.append("file %s seq %d type i" % (new_name, seq + 1))
    with open(os.path.join(aofdir, "appendonly.aof.manifest"), "w") as f:
        f.write("\n".join(lines) + "\n")


def snapshot_of(p):
    return {db: snapshot(p.client(db)) for db in DBS}


def loaded_by(binary_start, src, tmp, procs):
    d = tmp()
    shutil.copytree(src, os.path.join(d, "appendonlydir"))
    p = binary_start(d)
    procs.append(p)
    assert p.wait_ready(), p.log()
    return p


def redis_start(d):
    return Proc(REDIS_SERVER, d, ("--appendonly", "yes"))


def vigil_start(d):
    return start_vigil(d)


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_redis_appendonlydir_loads_identically(tmp, procs, preamble):
    aofdir = redis_aof_dir(tmp(), "--aof-use-rdb-preamble", preamble)
    split_incr(aofdir)
    m = manifest(aofdir)
    assert (".base.rdb" if preamble == "yes" else ".base.aof") in m
    assert m.count("type i") == 2
    want = snapshot_of(loaded_by(redis_start, aofdir, tmp, procs))
    v = loaded_by(vigil_start, aofdir, tmp, procs)
    assert snapshot_of(v) == want
    assert want[0][b"tx:a"][2] == b"2" and want[1][b"db1:key"][2] == b"uno"
    assert "DB loaded from append only file" in v.log()
    assert "DB loaded from incr file appendonly.aof." in v.log()
    if preamble == "yes":
        assert "Reading RDB base file on AOF loading..." in v.log()
        assert v.client().info("persistence")["rdb_last_load_keys_loaded"] > 0


def test_appendonly_yes_ignores_the_rdb(tmp, procs):
    """loadDataFromDisk: with appendonly yes only the AOF counts."""
    src = tmp()
    r = Proc(REDIS_SERVER, src, ())
    try:
        assert r.wait_ready()
        r.client().set("only-in-rdb", "1")
        r.client().save()
    finally:
        r.stop()
    d = tmp()
    shutil.copy(os.path.join(src, "dump.rdb"), d)
    v = start_vigil(d)
    procs.append(v)
    assert v.wait_ready(), v.log()
    assert v.client().dbsize() == 0


RESP_FILE = (b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n"
             b"*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n"
             b"*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$1\r\nv\r\n")


def test_old_single_file_upgrades_as_redis_does(tmp, procs):
    dirs = {}
    for who, start in (("redis", redis_start), ("vigil", vigil_start)):
        d = tmp()
        with open(os.path.join(d, "appendonly.aof"), "wb") as f:
            f.write(RESP_FILE)
        p = start(d)
        procs.append(p)
        assert p.wait_ready(), p.log()
        assert p.client().get("old") == b"style"
        assert p.client(2).get("k2") == b"v"
        assert "Successfully migrated an old-style AOF file (appendonly.aof) into the AOF " \
               "directory (appendonlydir)." in p.log()
        assert not os.path.exists(os.path.join(d, "appendonly.aof"))
        dirs[who] = os.path.join(d, "appendonlydir")
    with open(os.path.join(dirs["vigil"], "appendonly.aof"), "rb") as f:
        assert f.read() == RESP_FILE
    # Both go on to open an incr file for appending after the old base.
    assert manifest(dirs["vigil"]) == manifest(dirs["redis"]) == \
        "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"


def aof_dir_with(d, base, incrs):
    """A hand-made appendonlydir: a command-format base and incr files."""
    aofdir = os.path.join(d, "appendonlydir")
    os.mkdir(aofdir)
    lines = ["file appendonly.aof.1.base.aof seq 1 type b"]
    with open(os.path.join(aofdir, "appendonly.aof.1.base.aof"), "wb") as f:
        f.write(base)
    for i, data in enumerate(incrs, start=1):
        name = "appendonly.aof.%d.incr.aof" % i
        with open(os.path.join(aofdir, name), "wb") as f:
            f.write(data)
        lines.append("file %s seq %d type i" % (name, i))
    with open(os.path.join(aofdir, "appendonly.aof.manifest"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return aofdir


GOOD = b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
MULTI = b"*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*1\r\n$4\r\nEXEC\r\n"
TORN = b"*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$5\r\nabc"


@pytest.mark.parametrize("tail", [TORN, b"*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n"],
                         ids=["torn-command", "open-multi"])
def test_torn_tail_trimmed_when_load_truncated(tmp, procs, tail):
    d = tmp()
    aofdir = aof_dir_with(d, GOOD, [MULTI, MULTI + tail])
    v = start_vigil(d, "--aof-load-truncated", "yes")
    procs.append(v)
    assert v.wait_ready(), v.log()
    assert v.client().get("a") == b"3"  # the open MULTI's INCR is not applied
    name = "appendonly.aof.2.incr.aof"
    assert "!!! Warning: short read while loading the AOF file %s!!!" % name in v.log()
    assert "!!! Truncating the AOF %s at offset %d !!!" % (name, len(MULTI)) in v.log()
    assert "AOF %s loaded anyway because aof-load-truncated is enabled" % name in v.log()
    assert os.path.getsize(os.path.join(aofdir, name)) == len(MULTI)


def test_torn_tail_refused_without_load_truncated(tmp, procs):
    d = tmp()
    aofdir = aof_dir_with(d, GOOD, [MULTI + TORN])
    v = start_vigil(d, "--aof-load-truncated", "no")
    procs.append(v)
    assert v.wait_exit() != 0
    assert "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof" \
        in v.log()
    assert os.path.getsize(os.path.join(aofdir, "appendonly.aof.1.incr.aof")) == \
        len(MULTI + TORN)


def test_torn_non_last_file_refused(tmp, procs):
    d = tmp()
    aof_dir_with(d, GOOD + TORN, [MULTI])
    v = start_vigil(d, "--aof-load-truncated", "yes")
    procs.append(v)
    assert v.wait_exit() != 0
    assert "Fatal error: the truncated file is not the last file" in v.log()


@pytest.mark.parametrize("bad", [b"hello\r\n", b"*2\r\n$3\r\nGET\r\nk\r\n", b"*0\r\n"],
                         ids=["no-star", "no-dollar", "zero-argc"])
def test_corruption_in_the_middle_refused_with_file_and_offset(tmp, procs, bad):
    d = tmp()
    aof_dir_with(d, GOOD, [MULTI + bad + GOOD])
    v = start_vigil(d)
    procs.append(v)
    assert v.wait_exit() != 0
    log = v.log()
    name = "appendonly.aof.1.incr.aof"
    assert "Bad file format reading the append only file %s" % name in log
    where = len(MULTI) + (bad.index(b"k") if b"$3" in bad else 0)
    assert "%s at offset %d" % (name, where) in log, log
    assert "Ready to accept connections" not in log


def test_unknown_command_refused(tmp, procs):
    d = tmp()
    aof_dir_with(d, GOOD, [b"*1\r\n$7\r\nNOSUCHC\r\n"])
    v = start_vigil(d)
    procs.append(v)
    assert v.wait_exit() != 0
    assert "Unknown command 'NOSUCHC' reading the append only file appendonly.aof.1.incr.aof" \
        in v.log()


def test_missing_file_named_by_manifest_refused(tmp, procs):
    d = tmp()
    aofdir = aof_dir_with(d, GOOD, [MULTI])
    os.unlink(os.path.join(aofdir, "appendonly.aof.1.incr.aof"))
    v = start_vigil(d)
    procs.append(v)
    assert v.wait_exit() != 0
    assert "Unable to obtain the AOF file appendonly.aof.1.incr.aof length. stat: " \
           "No such file or directory" in v.log()


@pytest.mark.parametrize("text,sentence", [
    ("file a seq 1 type b\nfile a seq 1 type b\n", "Found duplicate base file information"),
    ("file a seq 1 type x\n", "Unknown AOF file type"),
    ("garbage\n", "Invalid AOF manifest file format"),
    ("", "Found an empty AOF manifest"),
])
def test_corrupt_manifest_refused_with_redis_sentence(tmp, procs, text, sentence):
    logs = []
    for start in (redis_start, vigil_start):
        d = tmp()
        os.mkdir(os.path.join(d, "appendonlydir"))
        with open(os.path.join(d, "appendonlydir", "appendonly.aof.manifest"), "w") as f:
            f.write(text)
        p = start(d)
        procs.append(p)
        assert p.wait_exit() != 0
        logs.append(p.log())
    assert sentence in logs[0], logs[0]  # the reference says it
    assert sentence in logs[1], logs[1]
    assert "*** FATAL AOF MANIFEST FILE ERROR ***" in logs[1]


def big_dataset(workdir, appendonly, keys):
    """A dump.rdb, or an appendonlydir whose base is commands (replayed on
    the loop in chunks, not on the loading thread)."""
    r = Proc(REDIS_SERVER, workdir, ("--enable-debug-command", "yes", "--appendonly", appendonly,
                                     "--aof-use-rdb-preamble", "no"))
    try:
        assert r.wait_ready(), r.log()
        c = r.client()
        c.execute_command("DEBUG", "POPULATE", keys)
        if appendonly == "yes":
            c.bgrewriteaof()
            wait_rewrite_done(c)
            c.set("last", "one")
        else:
            c.save()
    finally:
        r.stop()


def read_line(f):
    line = f.readline()
    assert line.endswith(b"\r\n"), line
    return line


def connect_while_loading(p):
    """Connect as soon as the listener is up; send PING, SET and INFO."""
    deadline = time.time() + 20
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", p.port), timeout=10)
            break
        except OSError:
            if p.proc.poll() is not None or time.time() > deadline:
                raise AssertionError(p.log())
            time.sleep(0.002)
    with s, s.makefile("rb") as f:
        s.sendall(b"*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n"
                  b"*2\r\n$4\r\nINFO\r\n$11\r\npersistence\r\n")
        replies = [read_line(f), read_line(f)]
        head = read_line(f)
        assert head.startswith(b"$"), head
        replies.append(f.read(int(head[1:]) + 2))
    return replies


def info_fields(info):
    return [line.split(b":")[0] for line in info.split(b"\r\n") if b":" in line]


def test_loading_replies_match_redis(tmp, procs):
    """What a client sees while a dump loads, next to redis-server's:
    the same error lines and the same INFO persistence field names."""
    d = tmp()
    big_dataset(d, "no", 2000000)
    seen = []
    for binary in (REDIS_SERVER, node_binary()):
        p = Proc(binary, d, ("--appendonly", "no"))
        procs.append(p)
        seen.append(connect_while_loading(p))
        assert p.wait_ready(timeout=600), p.log()
        p.stop()
    (rping, rset, rinfo), (vping, vset, vinfo) = seen
    assert (vping, vset) == (rping, rset)
    assert b"loading:1\r\n" in rinfo
    assert info_fields(vinfo) == info_fields(rinfo)


@pytest.mark.parametrize("appendonly", ["no", "yes"], ids=["rdb", "aofcmds"])
def test_loading_reply_and_info_while_a_big_dataset_loads(tmp, procs, appendonly):
    d = tmp()
    keys = 2000000
    big_dataset(d, appendonly, keys)
    p = Proc(node_binary(), d, ("--appendonly", appendonly))
    procs.append(p)
    ping, set_reply, info = connect_while_loading(p)
    err = b"-LOADING Redis is loading the dataset in memory\r\n"
    assert ping == err and set_reply == err
    assert b"loading:1\r\n" in info
    for field in (b"loading_start_time:", b"loading_total_bytes:", b"loading_rdb_used_mem:",
                  b"loading_loaded_bytes:", b"loading_loaded_perc:", b"loading_eta_seconds:"):
        assert field in info, field
    assert p.wait_ready(timeout=600), p.log()  # sanitizer builds replay slowly
    c = p.client()
    assert c.ping()
    got = c.info("persistence")
    assert got["loading"] == 0 and "loading_total_bytes" not in got
    if appendonly == "no":
        assert got["rdb_last_load_keys_loaded"] == keys
    assert c.dbsize() == keys + (1 if appendonly == "yes" else 0)
    assert c.get("key:12345") == b"value:12345"


def test_unwritable_dir_refused_at_start(tmp):
    d = tmp()
    if os.geteuid() == 0:
        target = "/sys"  # root writes anywhere else; sysfs refuses new files
    else:
        target = os.path.join(d, "ro")
        os.mkdir(target, 0o555)
    p = Proc(node_binary(), d, ("--dir", target, "--appendonly", "no"))
    assert p.wait_exit() != 0
    assert "Can't write to the working directory '%s'" % target in p.log()


def test_sigterm_while_loading_exits_without_saving(tmp, procs):
    """Shutdown during a load stops the loading thread and never saves:
    the dump on disk would be replaced by part of itself."""
    d = tmp()
    big_dataset(d, "no", 2000000)
    dump = os.path.join(d, "dump.rdb")
    with open(dump, "rb") as f:
        before = f.read()
    p = Proc(node_binary(), d, ("--save", "900 1"))
    procs.append(p)
    ping, _, _ = connect_while_loading(p)
    assert ping.startswith(b"-LOADING")
    p.proc.send_signal(signal.SIGTERM)
    assert p.wait_exit() == 0, p.log()
    with open(dump, "rb") as f:
        assert f.read() == before
    assert "Ready to accept connections" not in p.log()


def test_corrupt_rdb_base_refused(tmp, procs):
    aofdir = redis_aof_dir(tmp())
    base = [l.split()[1] for l in manifest(aofdir).splitlines() if l.endswith("type b")][0]
    path = os.path.join(aofdir, base)
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        data[len(data) // 2] ^= 0xFF
        f.seek(0)
        f.write(data)
    d = tmp()
    shutil.copytree(aofdir, os.path.join(d, "appendonlydir"))
    v = start_vigil(d)
    procs.append(v)
    assert v.wait_exit() != 0
    assert "Error reading the RDB base file %s, AOF loading aborted" % base in v.log()
    assert "at offset" in v.log()


def test_debug_reload_goes_through_the_loader(tmp, procs):
    d = tmp()
    p = Proc(node_binary(), d, ("--enable-debug-command", "yes"))
    procs.append(p)
    assert p.wait_ready(), p.log()
    c = p.client()
    c.set("k", "v")
    c.rpush("l", *range(200))
    c.set("t", "x", px=900000)
    assert c.execute_command("DEBUG", "RELOAD") == b"OK"
    assert c.get("k") == b"v" and c.llen("l") == 200 and 0 < c.pttl("t") <= 900000
    assert c.info("persistence")["rdb_last_load_keys_loaded"] == 3
    c.set("after", "1")
    assert c.execute_command("DEBUG", "RELOAD", "NOSAVE") == b"OK"
    assert c.get("after") is None and c.get("k") == b"v"
    with pytest.raises(redis.ResponseError, match="only supports the MERGE, NOFLUSH and NOSAVE"):
        c.execute_command("DEBUG", "RELOAD", "BOGUS")
    os.unlink(os.path.join(d, "dump.rdb"))
    with pytest.raises(redis.ResponseError, match="Error trying to load the RDB dump"):
        c.execute_command("DEBUG", "RELOAD", "NOSAVE")
    assert c.get("k") == b"v"  # a failed load leaves the dataset as it was
    assert "DB reloaded by DEBUG RELOAD" in p.log()

#!/usr/bin/env python3
"""persistence.py -- RDB snapshots: vigil-node against redis-server, side by side.

Owns: the servers it starts (each on a free 127.0.0.1 port in its own
temporary directory, killed by pid in a finally block), the load-generator
thread it runs during BGSAVE, and the tables it prints. Never part of the
test command: numbers are reported, not asserted.

Both servers get the same settings (defaults, rdbcompression yes, --save ""
so nothing snapshots behind the measurement) and exactly the same keys
through pipelined RESP2 over a plain socket. For each dataset -- 1,000,000
string keys, and 1,000,000 keys mixing every type and encoding -- we
measure, RUNS times alternating the servers:

- SAVE: wall time of the SAVE command as the client sees it;
- load: a fresh server started on the dump, from exec until PING answers
  PONG (so -LOADING replies count as not ready), and the "DB loaded from
  disk: N seconds" line both servers log;
- copy-on-write: on the string dataset, BGSAVE while a writer thread
  overwrites random existing keys at a fixed rate (the same rate for both,
  so both see the same number of dirtied keys); a sampler reads the
  parent's VmRSS and the child's Private_Dirty (smaps_rollup: the pages the
  child copied) every 10 ms; we report the peaks, the parent's RSS before,
  and rdb_last_cow_size from INFO persistence.

Ratios are vigil/redis: below 1 means vigil is faster (times) or smaller
(memory). The machine this runs on may be shared: repeat before believing
a difference of a few percent.

Usage: /usr/bin/python3 tests/bench/persistence.py [--vigil PATH] [--redis PATH]
       [--keys N] [--runs N] [--write-rate N] [--only strings,mixed,cow]
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import benchlib
from benchlib import encode, free_port, info, log, rss_bytes, stop_server

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BATCH_BYTES = 1 << 20


class Conn(benchlib.Conn):
    def send_all(self, payloads):
        """Send pre-encoded commands in ~1 MB batches; raise on an error reply."""
        batch, size = [], 0
        for p in payloads:
            batch.append(p)
            size += len(p)
            if size >= BATCH_BYTES:
                self._flush(batch)
                batch, size = [], 0
        if batch:
            self._flush(batch)

    def _flush(self, batch):
        self.sock.sendall(b"".join(batch))
        for _ in batch:
            r = self.reply()
            if isinstance(r, Exception):
                raise r


# ------------------------------------------------------------- datasets

def strings_dataset(n, rng):
    """n SETs of 16..31-byte values that LZF can hardly shrink."""
    out = []
    for i in range(n):
        v = b"%x" % rng.getrandbits(64 + (i % 60))
        out.append(encode(b"SET", b"key:%d" % i, v))
    return out


def mixed_dataset(n, rng):
    """n keys of every type in every encoding, in fixed proportions:
    strings (int, embstr, raw), small listpack and big hashtable hashes,
    intset / listpack... sets, listpack and skiplist zsets, lists, TTLs."""
    out = []
    i = 0
    while i < n:
        kind = i % 20
        k = b"k:%d" % i
        if kind < 6:
            v = b"%d" % i if kind == 0 else b"%x" % rng.getrandbits(96 if kind < 5 else 400)
            out.append(encode(b"SET", k, v))
        elif kind < 9:
            args = [b"HSET", k]
            for f in range(5):
                args += [b"f%d" % f, b"%x" % rng.getrandbits(40)]
            out.append(encode(*args))
        elif kind < 12:
            out.append(encode(b"RPUSH", k, *[b"%x" % rng.getrandbits(48) for _ in range(6)]))
        elif kind < 14:
            out.append(encode(b"SADD", k, *[b"%d" % rng.randrange(10 ** 9) for _ in range(5)]))
        elif kind < 15:
            out.append(encode(b"SADD", k, *[b"m%x" % rng.getrandbits(40) for _ in range(5)]))
        elif kind < 18:
            args = [b"ZADD", k]
            for m in range(5):
                args += [b"%d.%d" % (rng.randrange(1000), m), b"m%d" % m]
            out.append(encode(*args))
        elif kind < 19:
            out.append(encode(b"SET", k, b"%x" % rng.getrandbits(64), b"EX", b"100000"))
        else:
            # every thousandth key is big: hashtable hash, skiplist zset, long list
            if i % 1000 == 19:
                args = [b"HSET", k]
                for f in range(300):
                    args += [b"field:%d" % f, b"%x" % rng.getrandbits(64)]
                out.append(encode(*args))
            elif i % 1000 == 39:
                args = [b"ZADD", k]
                for m in range(300):
                    args += [b"%d" % rng.randrange(10 ** 6), b"member:%d" % m]
                out.append(encode(*args))
            elif i % 1000 == 59:
                out.append(encode(b"RPUSH", k, *[b"%d" % x for x in range(1000)]))
            else:
                out.append(encode(b"INCRBY", k, b"%d" % rng.randrange(10 ** 6)))
        i += 1
    return out


# --------------------------------------------------------------- servers

def start(kind, path, d, extra=()):
    """A server in directory d (started from scratch or on d/dump.rdb).
    Returns (proc, port, conn, seconds from exec to the first PONG)."""
    port = free_port()
    args = [path, "--bind", "127.0.0.1", "--port", str(port), "--dir", d,
            "--logfile", os.path.join(d, "log"), "--save", ""] + list(extra)
    if kind == "redis":
        args += ["--appendonly", "no", "--daemonize", "no"]
    t0 = time.monotonic()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
    deadline = t0 + 600
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            c = Conn(port)
        except OSError:
            time.sleep(0.002)
            continue
        try:
            while True:
                try:
                    if c.call("PING") == b"PONG":
                        return proc, port, c, time.monotonic() - t0
                except RuntimeError:  # -LOADING
                    time.sleep(0.002)
        except (OSError, ConnectionError):
            c.close()
            time.sleep(0.002)
    stop_server(proc)
    raise RuntimeError("%s did not start on port %d" % (kind, port))


def logged_load_seconds(d):
    """The load time both servers log: "DB loaded from disk: 1.234 seconds"."""
    try:
        with open(os.path.join(d, "log")) as f:
            found = re.findall(r"DB loaded from disk: ([0-9.]+) seconds", f.read())
    except OSError:
        return None
    return float(found[-1]) if found else None


def save_and_load(kind, path, workdir, payloads, runs):
    """SAVE times and load times (exec..PONG, logged) over runs."""
    d = tempfile.mkdtemp(prefix=kind + "-", dir=workdir)
    proc, _, c, _ = start(kind, path, d)
    try:
        c.send_all(payloads)
        keys = c.call("DBSIZE")
        used = int(info(c, "memory")["used_memory"])
        saves = []
        for _ in range(runs):
            t0 = time.monotonic()
            c.call("SAVE")
            saves.append(time.monotonic() - t0)
    finally:
        c.close()
        stop_server(proc)
    size = os.path.getsize(os.path.join(d, "dump.rdb"))
    loads, logged = [], []
    for _ in range(runs):
        os.unlink(os.path.join(d, "log"))
        proc, _, c, secs = start(kind, path, d)
        try:
            assert c.call("DBSIZE") == keys, "%s loaded a different key count" % kind
        finally:
            c.close()
            stop_server(proc)
        loads.append(secs)
        logged.append(logged_load_seconds(d))
    shutil.rmtree(d, ignore_errors=True)
    return {"keys": keys, "used": used, "rdb": size, "save": saves, "load": loads,
            "logged": [x for x in logged if x is not None]}


# ------------------------------------------------------- copy-on-write

def private_dirty(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def child_pid(d, after):
    with open(os.path.join(d, "log")) as f:
        pids = re.findall(r"Background saving started by pid (\d+)", f.read())
    return int(pids[-1]) if len(pids) > after else None


def writer(port, nkeys, rate, stop, counter):
    """Overwrite random existing keys at about `rate` SETs a second."""
    c = Conn(port)
    rng = random.Random(11)
    batch = max(1, rate // 100)
    t0 = time.monotonic()
    sent = 0
    while not stop.is_set():
        cmds = [encode(b"SET", b"key:%d" % rng.randrange(nkeys), b"%x" % rng.getrandbits(80))
                for _ in range(batch)]
        c._flush(cmds)
        sent += batch
        counter[0] = sent
        ahead = sent / rate - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
    c.close()


def cow(kind, path, workdir, payloads, nkeys, rate):
    d = tempfile.mkdtemp(prefix=kind + "-cow-", dir=workdir)
    proc, port, c, _ = start(kind, path, d)
    try:
        c.send_all(payloads)
        time.sleep(0.5)
        before = rss_bytes(proc.pid)
        stop, counter = threading.Event(), [0]
        w = threading.Thread(target=writer, args=(port, nkeys, rate, stop, counter))
        w.start()
        time.sleep(0.3)  # the writer is at speed before the fork
        started_writes = counter[0]
        c.call("BGSAVE")
        t0 = time.monotonic()
        child = None
        peak_parent, peak_child = 0, 0
        while True:
            child = child or child_pid(d, 0)
            peak_parent = max(peak_parent, rss_bytes(proc.pid))
            if child:
                peak_child = max(peak_child, private_dirty(child))
            if info(c, "persistence")["rdb_bgsave_in_progress"] == "0":
                break
            time.sleep(0.01)
        secs = time.monotonic() - t0
        writes = counter[0] - started_writes
        stop.set()
        w.join()
        pers = info(c, "persistence")
    finally:
        c.close()
        stop_server(proc)
        shutil.rmtree(d, ignore_errors=True)
    return {"before": before, "peak_parent": peak_parent, "peak_child_dirty": peak_child,
            "cow_info": int(pers.get("rdb_last_cow_size", "0")), "secs": secs,
            "writes": writes, "status": pers["rdb_last_bgsave_status"]}


# ---------------------------------------------------------------- report

def ratio(v, r):
    return "%.2f" % (v / r) if r else "-"


def med(xs):
    return statistics.median(xs) if xs else 0.0


def mb(x):
    return "%.1f" % (x / 1048576.0)


def print_times(name, r, v):
    print("\n### %s: %s keys (RDB %s MB redis, %s MB vigil)\n"
          % (name, "{:,}".format(r["keys"]), mb(r["rdb"]), mb(v["rdb"])))
    print("| measure (median of %d) | redis-server | vigil-node | vigil/redis |" % len(r["save"]))
    print("|---|---:|---:|---:|")
    print("| SAVE (s) | %.3f | %.3f | %s |" % (med(r["save"]), med(v["save"]),
                                                ratio(med(v["save"]), med(r["save"]))))
    print("| start-up until PONG (s) | %.3f | %.3f | %s |"
          % (med(r["load"]), med(v["load"]), ratio(med(v["load"]), med(r["load"]))))
    if r["logged"] and v["logged"]:
        print("| logged \"DB loaded from disk\" (s) | %.3f | %.3f | %s |"
              % (med(r["logged"]), med(v["logged"]), ratio(med(v["logged"]), med(r["logged"]))))
    print("| used_memory (MB) | %s | %s | %s |" % (mb(r["used"]), mb(v["used"]),
                                                   ratio(v["used"], r["used"])))


def print_cow(nkeys, rate, r, v):
    print("\n### Copy-on-write: BGSAVE of %s string keys, %s SET/s overwriting random keys\n"
          % ("{:,}".format(nkeys), "{:,}".format(rate)))
    print("| measure | redis-server | vigil-node | vigil/redis |")
    print("|---|---:|---:|---:|")
    rows = [("parent VmRSS before (MB)", "before"), ("parent VmRSS peak (MB)", "peak_parent"),
            ("child Private_Dirty peak (MB)", "peak_child_dirty"),
            ("rdb_last_cow_size (MB)", "cow_info")]
    for label, k in rows:
        print("| %s | %s | %s | %s |" % (label, mb(r[k]), mb(v[k]), ratio(v[k], r[k])))
    rt, vt = r["peak_parent"] + r["peak_child_dirty"], v["peak_parent"] + v["peak_child_dirty"]
    print("| parent peak + child dirty peak (MB) | %s | %s | %s |" % (mb(rt), mb(vt), ratio(vt, rt)))
    print("| BGSAVE duration (s) | %.2f | %.2f | %s |" % (r["secs"], v["secs"],
                                                         ratio(v["secs"], r["secs"])))
    print("| writes during BGSAVE | %d | %d | %s |" % (r["writes"], v["writes"],
                                                      ratio(v["writes"], r["writes"])))
    rw = r["peak_child_dirty"] / max(1, r["writes"])
    vw = v["peak_child_dirty"] / max(1, v["writes"])
    print("| child dirty per write (bytes) | %.0f | %.0f | %s |" % (rw, vw, ratio(vw, rw)))
    print("| status | %s | %s | - |" % (r["status"], v["status"]))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vigil", default=os.path.join(ROOT, "build", "vigil-node"))
    ap.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write-rate", type=int, default=20000,
                    help="SETs per second during the copy-on-write BGSAVE")
    ap.add_argument("--only", default="strings,mixed,cow")
    cfg = ap.parse_args()
    cfg.only = set(x for x in cfg.only.split(",") if x)
    if not cfg.only <= {"strings", "mixed", "cow"}:
        ap.error("--only takes strings, mixed, cow")
    return cfg


def main():
    cfg = parse_args()
    for kind, path in (("redis", cfg.redis), ("vigil", cfg.vigil)):
        if not os.access(path, os.X_OK):
            sys.exit("no executable %s at %s" % (kind, path))
    workdir = tempfile.mkdtemp(prefix="vigil-persistbench-")
    results = []
    try:
        for name, build in (("strings", strings_dataset), ("mixed", mixed_dataset)):
            if name not in cfg.only and not (name == "strings" and "cow" in cfg.only):
                continue
            log("building the %s dataset (%d keys)" % (name, cfg.keys))
            payloads = build(cfg.keys, random.Random(7))
            if name in cfg.only:
                got = {}
                for kind, path in (("redis", cfg.redis), ("vigil", cfg.vigil)):
                    log("%s: %s SAVE and load" % (name, kind))
                    got[kind] = save_and_load(kind, path, workdir, payloads, cfg.runs)
                results.append(("times", name, got["redis"], got["vigil"]))
            if name == "strings" and "cow" in cfg.only:
                got = {}
                for kind, path in (("redis", cfg.redis), ("vigil", cfg.vigil)):
                    log("copy-on-write: %s" % kind)
                    got[kind] = cow(kind, path, workdir, payloads, cfg.keys, cfg.write_rate)
                results.append(("cow", name, got["redis"], got["vigil"]))
        for kind, name, r, v in results:
            if kind == "times":
                print_times(name, r, v)
            else:
                print_cow(cfg.keys, cfg.write_rate, r, v)
        print()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

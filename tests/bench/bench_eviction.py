#!/usr/bin/env python3
"""bench_eviction.py -- a cache under eviction: vigil-node against redis-server.

Owns: the two servers it starts (each on a free 127.0.0.1 port, in a temporary
directory, killed by pid in a finally block) and the table it prints. Never
part of the test command: numbers are reported, not asserted.

Both servers get maxmemory 64mb and allkeys-lru (redis-server also --save ""
--appendonly no) and, one after the other, the same workload: a key space
about ten times larger than fits (650,000 keys of 1,000-byte values), read
cache-aside style -- GET, and on a miss SET -- with keys drawn from a Zipf
distribution (s = 1.0) from a fixed seed, so every run and both servers see
the same request streams. PROCS client processes each own one connection and
send pipelines of PIPELINE GETs (then one pipeline of the SETs for the
misses). A warm-up of WARMUP lookups fills the cache; then OPS lookups are
measured. The whole run is repeated RUNS times with fresh servers,
alternating redis and vigil, and the table shows medians. Reported per
server: hit rate (client side, checked against INFO keyspace_hits/misses),
lookups/s and commands/s (GET + SET), the server's own CPU time per command
(utime + stime from /proc, steadier than throughput on a busy machine since
the Python clients are usually the bottleneck), keys held, evicted_keys,
used_memory and VmRSS at the end, and the vigil/redis ratios.

The client speaks RESP2 over plain sockets (standard library only) because
redis-py's per-command cost would dominate the measurement.

Usage: /usr/bin/python3 tests/bench/bench_eviction.py [--vigil PATH] [--redis PATH]
       [--keys N] [--value-size B] [--ops N] [--warmup N] [--procs N]
       [--pipeline N] [--zipf S] [--seed N] [--maxmemory 64mb] [--runs N] [--quick]
"""
import argparse
import bisect
import itertools
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import threading
import time

import benchlib
from benchlib import info, log, rss_bytes, stop_server

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PHASE_TIMEOUT = 600.0  # one server's warm-up + measurement, at most


class Conn(benchlib.Conn):
    """The shared client plus the cache-aside reads and writes of this workload."""

    def get_hits(self, n, value_size):
        """Read n GET replies; returns a list of booleans (hit or miss).
        A hit must carry value_size bytes."""
        hits = []
        for _ in range(n):
            r = self.reply()
            if isinstance(r, Exception):
                raise r
            if r is not None and len(r) != value_size:
                raise RuntimeError("GET returned %d bytes, expected %d" % (len(r), value_size))
            hits.append(r is not None)
        return hits

    def expect_ok(self, n):
        for _ in range(n):
            r = self.reply()
            if r != b"OK":
                raise RuntimeError("SET replied %r" % (r,))


def start_server(kind, path, workdir, maxmemory):
    return benchlib.start_server(kind, path, workdir, kind,
                                 ["--maxmemory", maxmemory, "--maxmemory-policy", "allkeys-lru"])


def cpu_seconds(pid):
    """User + system CPU time of a process (all its threads), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def zipf_cum_weights(n, s):
    return list(itertools.accumulate(1.0 / (r ** s) for r in range(1, n + 1)))


def key_names(cfg):
    # Rank r (0 = hottest) maps to a shuffled key id, so hot keys are
    # spread over the key space rather than being key:0, key:1, ...
    ids = list(range(cfg.keys))
    random.Random(cfg.seed).shuffle(ids)
    return [b"key:%d" % i for i in ids]


def run_lookups(conn, cfg, rng, names, cum, total, nops, stats):
    """Cache-aside: pipelines of GETs, then one pipeline of SETs for misses."""
    value = (b"v" * cfg.value_size)
    done = 0
    while done < nops:
        n = min(cfg.pipeline, nops - done)
        ranks = [bisect.bisect(cum, rng.random() * total) for _ in range(n)]
        keys = [names[min(r, cfg.keys - 1)] for r in ranks]
        conn.sock.sendall(b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k)
                                   for k in keys))
        hits = conn.get_hits(n, cfg.value_size)
        missed = [k for k, h in zip(keys, hits) if not h]
        if missed:
            conn.sock.sendall(b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                                       % (len(k), k, len(value), value) for k in missed))
            conn.expect_ok(len(missed))
        stats["gets"] += n
        stats["hits"] += n - len(missed)
        stats["sets"] += len(missed)
        done += n


def worker(wid, port, cfg, barrier, results):
    try:
        names = key_names(cfg)
        cum = zipf_cum_weights(cfg.keys, cfg.zipf)
        total = cum[-1]
        rng = random.Random(cfg.seed * 1000 + wid)
        conn = Conn(port)
        warm = {"gets": 0, "hits": 0, "sets": 0}
        run_lookups(conn, cfg, rng, names, cum, total, cfg.warmup // cfg.procs, warm)
        barrier.wait(timeout=PHASE_TIMEOUT)  # warm-up done everywhere
        barrier.wait(timeout=PHASE_TIMEOUT)  # the parent has read INFO
        stats = {"gets": 0, "hits": 0, "sets": 0}
        t0 = time.monotonic()
        run_lookups(conn, cfg, rng, names, cum, total, cfg.ops // cfg.procs, stats)
        stats["t0"], stats["t1"] = t0, time.monotonic()
        conn.close()
        results.put((wid, stats, None))
    except Exception as e:  # reported by the parent
        barrier.abort()
        results.put((wid, None, "%s: %s" % (type(e).__name__, e)))


def bench_server(kind, path, cfg, workdir):
    proc = None
    procs = []
    try:
        proc, port, ctl = start_server(kind, path, workdir, cfg.maxmemory)
        log("%s: pid %d port %d, warm-up %d lookups" % (kind, proc.pid, port, cfg.warmup))
        ctx = multiprocessing.get_context("fork")
        barrier = ctx.Barrier(cfg.procs + 1)
        results = ctx.Queue()
        procs = [ctx.Process(target=worker, args=(w, port, cfg, barrier, results))
                 for w in range(cfg.procs)]
        for p in procs:
            p.start()
        try:
            barrier.wait(timeout=PHASE_TIMEOUT)
            before = info(ctl, "stats")
            cpu0 = cpu_seconds(proc.pid)
            log("%s: measuring %d lookups" % (kind, cfg.ops))
            barrier.wait(timeout=PHASE_TIMEOUT)
        except threading.BrokenBarrierError:
            _, _, err = results.get(timeout=30)
            raise RuntimeError("%s: client failed: %s" % (kind, err))
        got = [results.get(timeout=PHASE_TIMEOUT) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        errors = [e for _, _, e in got if e]
        if errors:
            raise RuntimeError("%s: client failed: %s" % (kind, errors[0]))
        cpu = cpu_seconds(proc.pid) - cpu0
        after = info(ctl, "stats")
        mem = info(ctl, "memory")
        stats = [s for _, s, _ in got]
        gets = sum(s["gets"] for s in stats)
        hits = sum(s["hits"] for s in stats)
        sets = sum(s["sets"] for s in stats)
        elapsed = max(s["t1"] for s in stats) - min(s["t0"] for s in stats)
        d_hits = int(after["keyspace_hits"]) - int(before["keyspace_hits"])
        d_miss = int(after["keyspace_misses"]) - int(before["keyspace_misses"])
        if d_hits != hits or d_hits + d_miss != gets:
            log("%s: INFO says %d hits / %d lookups, the clients saw %d / %d"
                % (kind, d_hits, d_hits + d_miss, hits, gets))
        res = {
            "hit_rate": 100.0 * hits / gets,
            "lookups_s": gets / elapsed,
            "ops_s": (gets + sets) / elapsed,
            "cpu_us_op": cpu * 1e6 / (gets + sets),
            "keys": ctl.call("DBSIZE"),
            "evicted": int(after["evicted_keys"]),
            "evicted_run": int(after["evicted_keys"]) - int(before["evicted_keys"]),
            "used_memory": int(mem["used_memory"]),
            "rss": rss_bytes(proc.pid),
            "elapsed": elapsed,
        }
        ctl.close()
        return res
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
            p.join(timeout=5)
        stop_server(proc)


def fmt_int(v):
    return "{:,}".format(int(v))


def ratio(v, r):
    return "%.2f" % (v / r) if r else "-"


def median_result(runs):
    """Per metric, the median over runs (the middle run for odd counts)."""
    out = {}
    for k in runs[0]:
        vals = sorted(run[k] for run in runs)
        n = len(vals)
        out[k] = vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2
    return out


def print_table(cfg, res):
    r, v = median_result(res["redis"]), median_result(res["vigil"])
    print("\n### Eviction: %s keys x %d-byte values, Zipf s=%.2f, maxmemory %s allkeys-lru"
          % (fmt_int(cfg.keys), cfg.value_size, cfg.zipf, cfg.maxmemory))
    print("\n%d processes x pipelines of %d; %s warm-up lookups, then %s measured "
          "(cache-aside: GET, on miss SET); median of %d runs per server, fresh "
          "servers, alternating redis/vigil\n"
          % (cfg.procs, cfg.pipeline, fmt_int(cfg.warmup), fmt_int(cfg.ops), cfg.runs))
    print("| metric | redis-server | vigil-node | vigil/redis |")
    print("|--------|-------------:|-----------:|------------:|")
    rows = [
        ("hit rate (%)", "%.2f" % r["hit_rate"], "%.2f" % v["hit_rate"],
         ratio(v["hit_rate"], r["hit_rate"])),
        ("lookups/s (GET)", fmt_int(r["lookups_s"]), fmt_int(v["lookups_s"]),
         ratio(v["lookups_s"], r["lookups_s"])),
        ("ops/s (GET+SET)", fmt_int(r["ops_s"]), fmt_int(v["ops_s"]),
         ratio(v["ops_s"], r["ops_s"])),
        ("server CPU us per op (GET+SET)", "%.2f" % r["cpu_us_op"], "%.2f" % v["cpu_us_op"],
         ratio(v["cpu_us_op"], r["cpu_us_op"])),
        ("keys held at the end", fmt_int(r["keys"]), fmt_int(v["keys"]),
         ratio(v["keys"], r["keys"])),
        ("evicted_keys (total)", fmt_int(r["evicted"]), fmt_int(v["evicted"]),
         ratio(v["evicted"], r["evicted"])),
        ("evicted_keys (measured part)", fmt_int(r["evicted_run"]), fmt_int(v["evicted_run"]),
         ratio(v["evicted_run"], r["evicted_run"])),
        ("used_memory (bytes)", fmt_int(r["used_memory"]), fmt_int(v["used_memory"]),
         ratio(v["used_memory"], r["used_memory"])),
        ("VmRSS (bytes)", fmt_int(r["rss"]), fmt_int(v["rss"]), ratio(v["rss"], r["rss"])),
    ]
    for row in rows:
        print("| %s | %s | %s | %s |" % row)
    print("\nPer run (hit rate %, ops/s, server CPU us/op):")
    for kind in ("redis", "vigil"):
        print("- %s: %s" % (kind, "; ".join("%.2f%% %s %.2f" % (x["hit_rate"], fmt_int(x["ops_s"]),
                                                               x["cpu_us_op"])
                                           for x in res[kind])))
    print()


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vigil", default=os.path.join(ROOT, "build", "vigil-node"))
    ap.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--keys", type=int, default=650000)
    ap.add_argument("--value-size", type=int, default=1000)
    ap.add_argument("--ops", type=int, default=2000000)
    ap.add_argument("--warmup", type=int, default=500000)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--pipeline", type=int, default=100)
    ap.add_argument("--zipf", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--maxmemory", default="64mb")
    ap.add_argument("--runs", type=int, default=3, help="runs per server, alternating")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 200,000 warm-up and measured lookups, 1 run")
    cfg = ap.parse_args()
    if cfg.quick:
        cfg.ops, cfg.warmup, cfg.runs = 200000, 200000, 1
    if cfg.runs < 1 or cfg.procs < 1 or cfg.pipeline < 1 or cfg.keys < 1 or cfg.value_size < 1:
        ap.error("--runs, --procs, --pipeline, --keys and --value-size must be positive")
    return cfg


def main():
    cfg = parse_args()
    for kind, path in (("redis", cfg.redis), ("vigil", cfg.vigil)):
        if not os.access(path, os.X_OK):
            sys.exit("no executable %s at %s" % (kind, path))
    workdir = tempfile.mkdtemp(prefix="vigil-evbench-")
    try:
        res = {"redis": [], "vigil": []}
        load0 = os.getloadavg()[0]
        for run in range(cfg.runs):
            for kind, path in (("redis", cfg.redis), ("vigil", cfg.vigil)):
                log("run %d/%d" % (run + 1, cfg.runs))
                out = bench_server(kind, path, cfg, workdir)
                res[kind].append(out)
                log("%s: %.1f s measured, hit rate %.2f%%, %s ops/s"
                    % (kind, out["elapsed"], out["hit_rate"], fmt_int(out["ops_s"])))
        print_table(cfg, res)
        print("Load average (1 min) at start %.2f, at end %.2f on %d CPUs.\n"
              % (load0, os.getloadavg()[0], os.cpu_count()))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""bench_memory_types.py -- memory per element for each data type, side by side.

Owns: the servers it starts (one fresh redis-server and one fresh vigil-node
per shape, each on a free 127.0.0.1 port in a temporary directory, killed by
pid in a finally block) and the table it prints. Never part of the test
command: numbers are reported, not asserted.

For each shape, both servers (redis-server with --save "" --appendonly no,
both with default encodings thresholds) get exactly the same keys through
pipelined RESP2 over a plain socket. We read used_memory (INFO memory) and
VmRSS before and after, each time from a fresh connection once the loading
connection is closed, and report the deltas per key and per element (one
element = one string, hash field, set/zset member or list entry), with the
vigil/redis ratio. OBJECT ENCODING of one key shows that both servers chose
the same encoding. A shape whose command vigil does not know yet is
skipped with a note.

Usage: /usr/bin/python3 tests/bench/bench_memory_types.py [--vigil PATH]
       [--redis PATH] [--scale F] [--only NAME[,NAME...]]
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

import benchlib
from benchlib import encode, log, rss_bytes, stop_server

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BATCH_BYTES = 1 << 20  # send this much, then read the replies


class Conn(benchlib.Conn):
    """The shared client plus batched loading."""

    def pipeline(self, commands):
        """Send commands (lists of args) in batches; returns the first error or None."""
        first_err = None
        batch, size, pending = [], 0, 0
        for cmd in commands:
            b = encode(*cmd)
            batch.append(b)
            size += len(b)
            pending += 1
            if size >= BATCH_BYTES:
                first_err = self._flush(batch, pending) or first_err
                batch, size, pending = [], 0, 0
        if batch:
            first_err = self._flush(batch, pending) or first_err
        return first_err

    def _flush(self, batch, pending):
        self.sock.sendall(b"".join(batch))
        err = None
        for _ in range(pending):
            r = self.reply()
            if isinstance(r, Exception) and err is None:
                err = r
        return err


# Shapes: name, description, keys, elements per key, the command builder
# (key index -> list of commands), and the probe command that tells whether
# the server knows the command at all.
def str_cmds(i):
    return [[b"str:%d" % i, b"v-%08d" % i]]  # 10 bytes, never an integer


def hash_cmds(fields):
    def build(i):
        args = [b"HSET", b"hash:%d" % i]
        for f in range(fields):
            args += [b"field:%d" % f, b"value:%06d" % (f + i)]
        return [args]
    return build


def set_int_cmds(members):
    def build(i):
        return [[b"SADD", b"iset:%d" % i] + [b"%d" % (i * members + m) for m in range(members)]]
    return build


def set_str_cmds(members):
    def build(i):
        return [[b"SADD", b"sset:%d" % i] + [b"member:%d" % (i * members + m)
                                            for m in range(members)]]
    return build


def zset_cmds(members):
    def build(i):
        args = [b"ZADD", b"zset:%d" % i]
        for m in range(members):
            args += [b"%d" % (m * 7 + i), b"member:%d" % m]
        return [args]
    return build


def list_cmds(elements, name=b"list", per_cmd=1000):
    def build(i):
        key = b"%s:%d" % (name, i)
        return [[b"LPUSH", key] + [b"element:%d" % e for e in range(start, min(start + per_cmd,
                                                                             elements))]
                for start in range(0, elements, per_cmd)]
    return build


SHAPES = [
    # name, what, keys, elements/key, builder
    ("string", "strings, 10-byte values", 1000000, 1, lambda i: [[b"SET"] + str_cmds(i)[0]]),
    ("hash-small", "hashes of 10 fields", 100000, 10, hash_cmds(10)),
    ("hash-big", "hashes of 1,000 fields", 1000, 1000, hash_cmds(1000)),
    ("set-int-small", "sets of 10 integers", 100000, 10, set_int_cmds(10)),
    ("set-str-small", "sets of 10 strings", 100000, 10, set_str_cmds(10)),
    ("set-str-big", "sets of 1,000 strings", 1000, 1000, set_str_cmds(1000)),
    ("zset-small", "sorted sets of 10 members", 100000, 10, zset_cmds(10)),
    ("zset-big", "sorted sets of 1,000 members", 1000, 1000, zset_cmds(1000)),
    ("list", "lists of 100 elements (LPUSH)", 10000, 100, list_cmds(100)),
    ("list-big", "lists of 10,000 elements (LPUSH)", 100, 10000, list_cmds(10000, b"lbig")),
]


def info_memory(port):
    c = Conn(port)
    try:
        text = c.call("INFO", "memory").decode()
    finally:
        c.close()
    for line in text.split("\r\n"):
        if line.startswith("used_memory:"):
            return int(line.split(":", 1)[1])
    raise RuntimeError("no used_memory in INFO memory")


def start_server(kind, path, workdir, name):
    proc, port, conn = benchlib.start_server(kind, path, workdir, "%s-%s" % (kind, name))
    conn.close()
    return proc, port


def settle(port):
    """Let the server finish background work (lazy frees, cron shrinking)."""
    time.sleep(0.3)
    return info_memory(port)


def measure(kind, path, workdir, shape, nkeys):
    name, _, _, per_key, build = shape
    proc = None
    try:
        proc, port = start_server(kind, path, workdir, name)
        first = build(0)[0]
        probe = Conn(port)
        try:
            known = probe.call("COMMAND", "INFO", first[0])
        finally:
            probe.close()
        if not known or known[0] is None:
            return {"skipped": "%s does not know %s" % (kind, first[0].decode())}
        mem0, rss0 = settle(port), rss_bytes(proc.pid)
        loader = Conn(port)
        try:
            err = loader.pipeline(cmd for i in range(nkeys) for cmd in build(i))
            enc = loader.call("OBJECT", "ENCODING", first[1])
            dbsize = loader.call("DBSIZE")
        finally:
            loader.close()
        if err is not None:
            return {"skipped": "%s replied %s" % (kind, err)}
        if dbsize != nkeys:
            raise RuntimeError("%s holds %d keys, expected %d" % (kind, dbsize, nkeys))
        mem1, rss1 = settle(port), rss_bytes(proc.pid)
        elements = nkeys * per_key
        return {"encoding": enc.decode(), "used": mem1 - mem0, "rss": rss1 - rss0,
                "per_key": (mem1 - mem0) / nkeys, "per_elem": (mem1 - mem0) / elements,
                "rss_per_elem": (rss1 - rss0) / elements}
    finally:
        stop_server(proc)


def ratio(v, r):
    return "%.2f" % (v / r) if r else "-"


def print_tables(rows, scale):
    print("\n### Memory per element: used_memory delta (INFO memory)%s\n"
          % ("" if scale == 1 else ", scale %g" % scale))
    print("| shape | keys x elements | encoding (redis / vigil) | redis B/elem | vigil B/elem "
          "| vigil/redis | redis B/key | vigil B/key |")
    print("|-------|-----------------|--------------------------|-------------:|-------------:"
          "|------------:|------------:|------------:|")
    notes = []
    for shape, nkeys, r, v in rows:
        name, what, _, per_key, _ = shape
        label = "%s (%s)" % (name, what)
        size = "{:,} x {:,}".format(nkeys, per_key)
        if "skipped" in r or "skipped" in v:
            notes.append("- %s: skipped, %s" % (name, r.get("skipped") or v.get("skipped")))
            print("| %s | %s | - | - | - | skipped | - | - |" % (label, size))
            continue
        print("| %s | %s | %s / %s | %.1f | %.1f | %s | %.1f | %.1f |"
              % (label, size, r["encoding"], v["encoding"], r["per_elem"], v["per_elem"],
                 ratio(v["per_elem"], r["per_elem"]), r["per_key"], v["per_key"]))
    print("\n### Memory per element: VmRSS delta\n")
    print("| shape | redis B/elem | vigil B/elem | vigil/redis |")
    print("|-------|-------------:|-------------:|------------:|")
    for shape, _, r, v in rows:
        if "skipped" in r or "skipped" in v:
            continue
        print("| %s | %.1f | %.1f | %s |" % (shape[0], r["rss_per_elem"], v["rss_per_elem"],
                                            ratio(v["rss_per_elem"], r["rss_per_elem"])))
    if notes:
        print("\nSkipped:\n" + "\n".join(notes))
    print()


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vigil", default=os.path.join(ROOT, "build", "vigil-node"))
    ap.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every shape's key count (e.g. 0.1 for a smoke run)")
    ap.add_argument("--only", default="", help="comma-separated shape names")
    cfg = ap.parse_args()
    names = [s[0] for s in SHAPES]
    cfg.only = [n for n in cfg.only.split(",") if n]
    for n in cfg.only:
        if n not in names:
            ap.error("unknown shape %s (known: %s)" % (n, ", ".join(names)))
    if cfg.scale <= 0:
        ap.error("--scale must be positive")
    return cfg


def main():
    cfg = parse_args()
    for kind, path in (("redis", cfg.redis), ("vigil", cfg.vigil)):
        if not os.access(path, os.X_OK):
            sys.exit("no executable %s at %s" % (kind, path))
    workdir = tempfile.mkdtemp(prefix="vigil-membench-")
    try:
        rows = []
        for shape in SHAPES:
            if cfg.only and shape[0] not in cfg.only:
                continue
            nkeys = max(1, int(shape[2] * cfg.scale))
            log("%s: %d keys" % (shape[0], nkeys))
            r = measure("redis", cfg.redis, workdir, shape, nkeys)
            v = measure("vigil", cfg.vigil, workdir, shape, nkeys)
            rows.append((shape, nkeys, r, v))
        print_tables(rows, cfg.scale)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

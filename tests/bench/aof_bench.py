#!/usr/bin/env python3
"""aof_bench.py -- the append-only file's cost, vigil-node beside redis-server.

Owns: the servers it starts (each on a free loopback port, in its own
temporary directory, killed by pid on exit even after a failure) and the
table it prints. Never part of the test command: numbers are reported, not
asserted.

What it measures, for each server in the same run, alternating the servers
run by run and reporting medians and the vigil/redis ratio:
  * SET throughput with appendonly yes and appendfsync always, and with
    everysec (redis-benchmark -t set);
  * with appendfsync always and writers running (a redis-benchmark SET
    load in the background), GET throughput and the p99 latency of the
    readers -- the case where a server that fsyncs on its loop thread makes
    its readers wait behind the disk.

Usage: tests/bench/aof_bench.py [--vigil PATH] [--runs N] [--requests N]
                                [--clients N] [--quick]
"""
import argparse
import csv
import io
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
BENCH = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, kind, binary, fsync):
        self.kind = kind
        self.dir = tempfile.mkdtemp(prefix="aofbench-%s-" % kind)
        self.port = free_port()
        cmd = [binary]
        if kind == "redis":
            cmd += ["--daemonize", "no"]
        cmd += ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir,
                "--save", "", "--appendonly", "yes", "--appendfsync", fsync,
                "--logfile", os.path.join(self.dir, "server.log")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                out = subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                                     capture_output=True, text=True, timeout=5).stdout
                if out.strip() == "PONG":
                    return
            except subprocess.TimeoutExpired:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit("%s did not start (see %s)" % (kind, self.dir))
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def bench(port, test, requests, clients, extra=()):
    """One redis-benchmark run: (requests per second, p99 ms)."""
    out = subprocess.run([BENCH, "-p", str(port), "-t", test, "-n", str(requests),
                          "-c", str(clients), "-r", "100000", "--csv"] + list(extra),
                         capture_output=True, text=True, timeout=600).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    if not rows:
        return float("nan"), float("nan")
    return float(rows[0]["rps"]), float(rows[0]["p99_latency_ms"])


def set_throughput(kind, binary, fsync, a):
    srv = Server(kind, binary, fsync)
    try:
        return bench(srv.port, "set", a.requests, a.clients)
    finally:
        srv.stop()


def get_under_writes(kind, binary, a):
    """GET rps and p99 while a SET load runs with appendfsync always."""
    srv = Server(kind, binary, "always")
    try:
        subprocess.run([BENCH, "-p", str(srv.port), "-t", "set", "-n", "10000", "-q"],
                       capture_output=True, timeout=300)  # keys to read
        writers = subprocess.Popen([BENCH, "-p", str(srv.port), "-t", "set", "-n", "100000000",
                                    "-c", "10", "-r", "100000", "-q"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            return bench(srv.port, "get", a.requests, a.clients)
        finally:
            writers.kill()
            writers.wait()
    finally:
        srv.stop()


def build_vigil():
    build = os.path.join(ROOT, "build")
    subprocess.run(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build, "-j2", "--target", "vigil-node"],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(build, "vigil-node")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vigil", help="vigil-node to test (default: build build/ in Release)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--requests", type=int, default=100000)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--quick", action="store_true", help="smoke run: 10000 requests, 1 run")
    a = p.parse_args()
    if a.quick:
        a.requests, a.runs = 10000, 1
    vigil = a.vigil or build_vigil()
    binaries = {"vigil": vigil, "redis": REDIS}
    cells = [("SET, appendfsync always", lambda k: set_throughput(k, binaries[k], "always", a)),
             ("SET, appendfsync everysec", lambda k: set_throughput(k, binaries[k], "everysec", a)),
             ("GET while SET writers run, always", lambda k: get_under_writes(k, binaries[k], a))]
    print("| workload | vigil rps | redis rps | ratio | vigil p99 ms | redis p99 ms |")
    print("|---|---|---|---|---|---|")
    for name, run in cells:
        res = {"vigil": [], "redis": []}
        for i in range(a.runs):
            order = ["vigil", "redis"] if i % 2 == 0 else ["redis", "vigil"]
            for kind in order:
                res[kind].append(run(kind))
        med = {k: (statistics.median(r for r, _ in v), statistics.median(q for _, q in v))
               for k, v in res.items()}
        ratio = med["vigil"][0] / med["redis"][0] if med["redis"][0] else float("nan")
        print("| %s | %.0f | %.0f | %.2f | %.2f | %.2f |" % (
            name, med["vigil"][0], med["redis"][0], ratio, med["vigil"][1], med["redis"][1]))
        sys.stdout.flush()


if __name__ == "__main__":
    main()

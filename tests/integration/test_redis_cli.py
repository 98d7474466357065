"""redis-cli's operator modes against a real node: --scan, --bigkeys, --memkeys,
--stat, --latency, -n, --rdb-free modes, and the interactive hints."""
import subprocess

import pytest


def cli(node, *args, timeout=30):
    cmd = ["redis-cli", "-h", "127.0.0.1", "-p", str(node.port)] + [str(a) for a in args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def populate(r):
    r.set("str:small", "x")
    r.set("str:big", "y" * 5000)
    r.rpush("list:big", *range(300))
    r.sadd("set:big", *range(200))
    r.hset("hash:big", mapping={"f%d" % i: i for i in range(100)})
    r.zadd("zset:big", {"m%d" % i: i for i in range(150)})


def test_scan_pattern(node, r):
    for i in range(300):
        r.set("user:%d" % i, i)
        r.set("other:%d" % i, i)
    rc, out, _ = cli(node, "--scan", "--pattern", "user:*")
    assert rc == 0
    keys = out.split()
    assert len(keys) == 300 and all(k.startswith("user:") for k in keys)


def test_bigkeys(node, r):
    populate(r)
    rc, out, err = cli(node, "--bigkeys")
    assert rc == 0, err
    assert "Biggest string found '\"str:big\"' has 5000 bytes" in out
    assert "Biggest   list found '\"list:big\"' has 300 items" in out
    assert "Biggest    set found '\"set:big\"' has 200 members" in out
    assert "Biggest   hash found '\"hash:big\"' has 100 fields" in out
    assert "Biggest   zset found '\"zset:big\"' has 150 members" in out


def test_memkeys(node, r):
    populate(r)
    rc, out, err = cli(node, "--memkeys")
    assert rc == 0, err
    assert "Biggest string found '\"str:big\"'" in out
    assert "Biggest   list found '\"list:big\"'" in out


def run_for(node, seconds, *args):
    """Run a never-ending redis-cli mode for a while; stdbuf keeps its output unbuffered."""
    p = subprocess.Popen(["stdbuf", "-o0", "redis-cli", "-h", "127.0.0.1", "-p", str(node.port)] + list(args),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return out, err


def test_stat_mode(node, r):
    r.set("k", "v")
    out, err = run_for(node, 1.0, "--stat", "-i", "0.1")
    assert "keys" in out and "mem" in out and "clients" in out, err
    assert "\n1 " in out or " 1 " in out  # one key shows up in the keys column


def test_latency_mode(node):
    out, err = run_for(node, 1.0, "--latency-history", "-i", "1")
    # without a terminal redis-cli prints raw "min max avg samples" lines
    lines = [l.split() for l in out.splitlines() if l.strip()]
    assert lines, err
    mn, mx, avg, samples = lines[-1]
    assert int(samples) > 5 and float(avg) <= float(mx) and int(mn) <= int(mx)


def test_database_selection_with_n(node, r):
    rc, out, _ = cli(node, "-n", "2", "SET", "k", "in-db-2")
    assert out.strip() == "OK"
    assert r.get("k") is None
    rc, out, _ = cli(node, "-n", "2", "GET", "k")
    assert out.strip() == "in-db-2"
    rc, out, _ = cli(node, "-n", "2", "DBSIZE")
    assert out.strip() == "1"


def test_info_sections_through_cli(node):
    for section in ("memory", "keyspace", "replication", "stats"):
        rc, out, err = cli(node, "INFO", section)
        assert rc == 0 and out.startswith("# "), (section, out, err)


def test_pipe_mode(node, r):
    payload = "".join("SET pipe:%d %d\r\n" % (i, i) for i in range(1000))
    res = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(node.port), "--pipe"],
                         input=payload, capture_output=True, text=True, timeout=30)
    assert "errors: 0, replies: 1000" in res.stdout, res.stdout + res.stderr
    assert r.get("pipe:999") == "999"


def test_interactive_hints_do_not_error(node):
    # redis-cli fetches COMMAND DOCS for hints when run interactively; feed it commands on stdin.
    res = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(node.port)],
                         input="SET a 1\nGET a\n", capture_output=True, text=True, timeout=10)
    assert res.stdout.split() == ["OK", "1"], res.stdout + res.stderr

"""test_difffuzz_selftest.py -- checks of the differential fuzzer itself (tests/fuzz/difffuzz.py).

Owns: the redis-server processes the fuzzer starts for these runs (the
fuzzer kills them by pid) and a planted-crash fake server written to a
temporary directory. vigil-node is not involved: redis-server is compared
with itself, identically configured (no divergence allowed), with one
setting changed on one side (the shrinker must boil the planted divergence
down to two commands), and behind a proxy that "crashes" on LLEN of a key
pushed to before (crash detection plus shrinking through state).
"""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUZZ = os.path.join(ROOT, "tests", "fuzz")
REDIS = "/usr/bin/redis-server"
sys.path.insert(0, FUZZ)

import dfz_shrink  # noqa: E402
from dfz_grammar import Generator, Step, load_specs  # noqa: E402
from dfz_resp import Conn, Server  # noqa: E402

pytestmark = pytest.mark.skipif(not os.access(REDIS, os.X_OK), reason="needs " + REDIS)


def run_fuzzer(tmp_path, *args):
    out = tmp_path / "report.json"
    cmd = [sys.executable, os.path.join(FUZZ, "difffuzz.py"), "--redis", REDIS,
           "--known", os.devnull, "--json", str(out)] + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    report = json.loads(out.read_text()) if out.exists() else None
    return r, report


def test_ddmin_finds_the_two_needed_items():
    items = list(range(200))
    need = {17, 142}
    tests = []

    def test(xs):
        tests.append(1)
        return need <= set(xs)

    out = dfz_shrink.ddmin(items, test, dfz_shrink.Budget(30))
    assert out == [17, 142]
    assert len(tests) < 200


def test_shrink_keeps_final_step_slices_by_key_and_shortens_args():
    steps = [Step("A", [b"SET", b"k:%s" % bytes([97 + i % 5]), b"v" * 40]) for i in range(50)]
    final = Step("A", [b"GET", b"k:c"])
    seen = []

    def test(candidate):
        seen.append(candidate)
        return any(s.args[:2] == (b"SET", b"k:c") for s in candidate[:-1])

    out, _ = dfz_shrink.shrink(steps, final, test, dfz_shrink.Budget(30))
    assert out[-1] == final
    assert len(out) == 2 and out[0].args[1] == b"k:c"
    assert out[0].args[2] == b"x"  # the long value did not matter
    # The key slice came first: only steps on k:c were tried after the empty prefix.
    assert all(s.args[1] == b"k:c" for s in seen[1][:-1])


def test_generator_is_deterministic_for_a_seed():
    srv = Server("redis", REDIS, [])
    try:
        c = Conn(srv.port)
        specs = load_specs(c)
        c.close()
    finally:
        srv.cleanup()
    names = set(specs)
    a = Generator(1234, specs, names)
    b = Generator(1234, specs, names)
    c = Generator(1235, specs, names)
    sa = [s for _ in range(2000) for s in a.next_steps()]
    sb = [s for _ in range(2000) for s in b.next_steps()]
    sc = [s for _ in range(2000) for s in c.next_steps()]
    assert sa == sb
    assert sa != sc
    # The stream exercises the macros too.
    assert any(s.unblock for s in sa) and any(s.conn == "S" for s in sa)
    assert any(s.args[0] == b"MULTI" for s in sa)


def test_identical_servers_produce_no_divergence(tmp_path):
    r, report = run_fuzzer(tmp_path, "--vigil", REDIS, "--commands", "3000", "--seed", "11")
    assert report is not None, r.stderr
    assert report["findings"] == [], r.stdout
    assert report["missing"] == []
    assert r.returncode == 0, r.stdout + r.stderr


def test_planted_divergence_is_shrunk_to_two_commands(tmp_path):
    # Hashes are born "hashtable" on the vigil side, "listpack" on the other.
    r, report = run_fuzzer(tmp_path, "--vigil", REDIS, "--vigil-arg", "hash-max-listpack-entries=0",
                           "--commands", "3000", "--seed", "3", "--shrink-seconds", "60")
    assert r.returncode == 3, r.stdout + r.stderr
    groups = {f["signature"]: f for f in report["findings"]}
    enc = groups.get("object|encoding: bulk value differs")
    assert enc is not None, sorted(groups)
    assert enc["verified"] is True
    repro = enc["repro"]
    assert len(repro) == 2, repro
    assert repro[0]["args"][0].upper() in ("HSET", "HMSET", "HSETNX", "HINCRBY", "HINCRBYFLOAT")
    assert [a.upper() for a in repro[1]["args"][:2]] == ["OBJECT", "ENCODING"]
    assert repro[1]["args"][2] == repro[0]["args"][1]
    assert enc["detail"] == ["listpack", "hashtable"]
    state = [f for f in report["findings"] if f["kind"] == "state"]
    assert state and all("hash encoding differs" in f["signature"] for f in state)
    # Only the planted difference shows up (its config, encoding and state).
    assert all("hash" in s or "object|encoding" in s for s in groups), sorted(groups)
    assert "reproduction (2 steps" in r.stdout


FAKE = r'''#!/usr/bin/python3
# A "vigil-node" that is redis-server behind a byte-copying proxy; it dies
# like a sanitizer abort on LLEN of a key some client pushed to since the
# last FLUSHALL.
import os, signal, socket, subprocess, sys, threading, time
args = sys.argv[1:]
opts = dict(zip(args[0::2], args[1::2]))
port = int(opts.pop("--port"))
s = socket.socket(); s.bind(("127.0.0.1", 0)); back = s.getsockname()[1]; s.close()
argv = ["REDIS", "--port", str(back), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
for k, v in opts.items():
    if k not in ("--logfile", "--bind"):
        argv += [k, v]
child = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
pushed = set()
def die(code):
    child.kill(); child.wait(); os._exit(code)
signal.signal(signal.SIGTERM, lambda *a: die(0))
for _ in range(500):
    try:
        socket.create_connection(("127.0.0.1", back)).close(); break
    except OSError:
        time.sleep(0.02)
def copy(src, dst):
    while True:
        data = src.recv(65536)
        if not data:
            dst.close(); return
        dst.sendall(data)
def commands(buf):
    # Yield whole multibulk commands from the front of buf; return the rest.
    out = []
    while buf.startswith(b"*") and b"\r\n" in buf:
        head, rest = buf.split(b"\r\n", 1)
        parts = []
        for _ in range(int(head[1:])):
            if b"\r\n" not in rest:
                return out, buf
            ln, rest = rest.split(b"\r\n", 1)
            size = int(ln[1:])
            if len(rest) < size + 2:
                return out, buf
            parts.append(rest[:size]); rest = rest[size + 2:]
        out.append(parts); buf = rest
    return out, buf
def serve(cli):
    up = socket.create_connection(("127.0.0.1", back))
    threading.Thread(target=copy, args=(up, cli), daemon=True).start()
    buf = b""
    while True:
        data = cli.recv(65536)
        if not data:
            up.close(); return
        buf += data
        cmds, buf = commands(buf)
        for parts in cmds:
            name = parts[0].upper() if parts else b""
            if name == b"FLUSHALL":
                pushed.clear()
            elif name in (b"LPUSH", b"RPUSH") and len(parts) > 2:
                pushed.add(parts[1])
            elif name == b"LLEN" and len(parts) == 2 and parts[1] in pushed:
                sys.stderr.write("==1==ERROR: AddressSanitizer: planted crash in LLEN\n")
                sys.stderr.flush()
                die(1)
        up.sendall(data)
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(64)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'''


def test_crash_is_detected_and_shrunk(tmp_path):
    fake = tmp_path / "fake-vigil"
    fake.write_text(FAKE.replace("REDIS", REDIS))
    fake.chmod(0o755)
    r, report = run_fuzzer(tmp_path, "--vigil", str(fake), "--commands", "3000", "--seed", "5",
                           "--shrink-seconds", "60")
    assert r.returncode == 1, r.stdout + r.stderr
    crashes = [f for f in report["findings"] if f["kind"] == "crash"]
    assert len(crashes) == 1, [f["signature"] for f in report["findings"]]
    c = crashes[0]
    assert "planted crash in LLEN" in c["signature"]
    assert c["verified"] is True
    repro = c["repro"]
    assert len(repro) == 2, repro
    assert repro[0]["args"][0].upper() in ("LPUSH", "RPUSH")
    assert repro[1]["args"][0].upper() == "LLEN"
    assert repro[1]["args"][1] == repro[0]["args"][1]
    assert "Crashes, hangs, sanitizer reports: 1" in r.stdout

#!/usr/bin/python3
"""difffuzz.py -- differential fuzzer: vigil-node against redis-server 7.0.

Usage:
  tests/fuzz/difffuzz.py --vigil build-asan/vigil-node [--redis /usr/bin/redis-server]
                         [--seconds N | --commands N] [--seed S] [--report FILE]
                         [--json FILE] [--fail-on-divergence] [--known FILE]
                         [--shrink-seconds N] [--vigil-arg NAME=VALUE ...]

What it does: starts one redis-server and one vigil-node on free 127.0.0.1
ports with the same settings (no persistence, 16 databases, small encoding
thresholds so conversions happen), reads the grammar from redis' COMMAND
INFO/DOCS, and drives the same seeded random command stream into both
(dfz_grammar.py). Every reply pair is compared (dfz_compare.py: exact type
and value, errors by full text, unordered replies sorted, floats as text);
every 500 steps the whole keyspace is compared too. After a mismatch both
servers are resynchronised: redis' keyspace is read back, both are flushed
and rebuilt from it with ordinary commands, which start the new history.
Commands vigil lacks (from its COMMAND LIST) are reported as "missing" and
never sent; commands whose output is inherently random are skipped or
compared loosely (see dfz_compare.py).

When the run ends, one finding per group (command + reply classes) is
shrunk (dfz_shrink.py) on a second pair of servers, reset between tries,
and the result is replayed once on freshly started servers; the report
prints it as redis-cli lines with both replies.

A vigil crash, hang or sanitizer report (run an ASan+UBSan build; the
fuzzer sets ASAN_OPTIONS/UBSAN_OPTIONS to halt and print, and checks stderr
and the log, including LeakSanitizer at shutdown) is a finding too: vigil is
restarted and the run goes on.

Exit status: 1 on any crash/hang/sanitizer report; 3 on a divergence that
is not in the allow-list (tests/fuzz/difffuzz_known.txt, "glob -- reason"
per line) or on any divergence with --fail-on-divergence; 2 on usage or
setup errors; else 0. The command stream is a function of --seed alone
(it never depends on replies); --commands N makes a run fully repeatable.

Run for about a minute, as the test step does (a fixed seed and count, so
the run is the same on every machine; the shrinking after it is bounded by
--shrink-seconds):
  tests/fuzz/difffuzz.py --vigil build-asan/vigil-node --commands 30000 --seed 1 --shrink-seconds 30
Run for as long as you like, with fresh seeds (the seed is printed first):
  tests/fuzz/difffuzz.py --vigil build-asan/vigil-node --seconds 3600 --report fuzz.txt
"""
import argparse
import fnmatch
import json
import os
import random
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dfz_compare  # noqa: E402
from dfz_compare import agree, cli_line, command_name, show, signature  # noqa: E402
from dfz_exec import (Pair, RedisDown, VigilDown, diff_snapshots,  # noqa: E402
                      recreate_steps)
from dfz_grammar import Generator, Step, load_specs  # noqa: E402
from dfz_shrink import Budget, shrink  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_KNOWN = os.path.join(HERE, "difffuzz_known.txt")
# Same for both servers. Small encoding limits make the fuzzer's small
# collections cross them; both servers accept these names on the command line.
SETTINGS = [("databases", "16"), ("hash-max-listpack-entries", "8"),
            ("hash-max-listpack-value", "16"), ("set-max-intset-entries", "8"),
            ("zset-max-listpack-entries", "8"), ("zset-max-listpack-value", "16"),
            ("list-max-listpack-size", "4")]
# Parameters whose values legitimately differ between the two processes.
CONFIG_IGNORED = {"port", "bind", "dir", "logfile", "pidfile", "unixsocket", "daemonize",
                  "save", "appendonly", "protected-mode"}
CHECK_EVERY = 500          # steps between keyspace comparisons
HISTORY_MAX = 1500         # rebuild both servers when the history gets this long
PRINT_MAX = 40             # steps of an unshrunk reproduction printed in the text report
ARG_PRINT_MAX = 200        # longer arguments are abbreviated there (--json has them whole)


# Commands whose divergence may leave a connection in a different state.
CONNECTION_STATE = {"multi", "exec", "discard", "watch", "unwatch", "select", "hello", "auth",
                    "reset", "client", "acl", "config", "subscribe", "psubscribe",
                    "unsubscribe", "punsubscribe", "swapdb", "flushall", "flushdb"}


class Finding:
    def __init__(self, kind, sig, steps, detail):
        self.kind = kind          # "reply", "state", "crash", "config"
        self.sig = sig
        self.count = 1
        self.steps = steps        # history, last step is the failing one
        self.detail = detail      # (redis text, vigil text) or crash text
        self.repro = None
        self.repro_detail = None
        self.verified = None
        self.tests = 0
        self.known = None


def load_known(path):
    entries = []
    if not path or not os.path.exists(path):
        return entries
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if " -- " not in line:
                raise SystemExit("%s:%d: entry needs ' -- reason'" % (path, n))
            pat, reason = line.split(" -- ", 1)
            if not reason.strip():
                raise SystemExit("%s:%d: empty reason" % (path, n))
            entries.append((pat.strip(), reason.strip()))
    return entries


def first_disagreement(parts):
    for p in parts:
        if not agree(p.r, p.v, p.mode):
            return p
    return None


class Fuzzer:
    def __init__(self, opts):
        self.opts = opts
        self.findings = {}
        self.history = []
        self.steps_run = 0
        self.commands = 0
        self.resyncs = 0
        vigil_extra = [tuple(a.split("=", 1)) for a in opts.vigil_arg]
        self.pair_args = (opts.redis, opts.vigil, SETTINGS, vigil_extra)
        self.pair = Pair(*self.pair_args)
        try:
            self.setup()
        except BaseException:
            self.pair.stop()
            raise

    def setup(self):
        opts = self.opts
        self.specs = load_specs(self.pair.r.h())
        containers = {n.split("|")[0] for n in self.specs if "|" in n}
        self.pair.containers = containers
        self.containers = containers
        vlist = self.pair.v.h().call([b"COMMAND", b"LIST"])
        self.vigil_cmds = {x[1].decode().lower() for x in vlist[1] or []} if vlist[0] == "*" else set()
        self.missing = sorted(n for n in self.specs if n not in self.vigil_cmds)
        self.extra = sorted(n for n in self.vigil_cmds if n not in self.specs)
        implemented = {n for n in self.specs if n in self.vigil_cmds}
        dfz_compare.COMMON_COMMANDS.clear()
        dfz_compare.COMMON_COMMANDS.update(implemented)
        self.gen = Generator(opts.seed, self.specs, implemented)
        containers_or_macros = containers | {"multi", "exec", "discard"} | set(
            self.gen.blocking) | set(self.gen.subscribe_ok)
        self.skipped = sorted(n for n in implemented if n not in self.gen.fuzzed
                              and n not in containers_or_macros and not n.endswith("|help"))
        self.compare_config()

    # ---- findings --------------------------------------------------------
    def record(self, kind, sig, steps, detail):
        f = self.findings.get(sig)
        if f is None:
            self.findings[sig] = Finding(kind, sig, list(steps), detail)
            if self.opts.verbose:
                print("difffuzz: new finding after %d steps: %s" % (self.steps_run, sig),
                      file=sys.stderr)
        else:
            f.count += 1
            if len(steps) < len(f.steps):
                f.steps, f.detail = list(steps), detail

    def compare_config(self):
        vals = []
        for side in (self.pair.r, self.pair.v):
            flat = side.h().call([b"CONFIG", b"GET", b"*"])[1] or []
            vals.append({flat[i][1].decode(): flat[i + 1][1].decode(errors="replace")
                         for i in range(0, len(flat) - 1, 2)})
        for name in sorted(set(vals[0]) & set(vals[1]) - CONFIG_IGNORED):
            if vals[0][name] != vals[1][name]:
                self.record("config", "config default: %s" % name, [],
                            ("%s %s" % (name, vals[0][name]), "%s %s" % (name, vals[1][name])))

    # ---- the run -----------------------------------------------------------
    def execute(self, step, resyncing=False):
        """Run one step on the main pair; returns False if it diverged."""
        self.history.append(step)
        self.steps_run += 1
        try:
            parts = self.pair.run(step)
        except VigilDown as e:
            self.crashed(e)
            return False
        except RedisDown as e:
            raise RedisDown("%s; last steps:\n%s" % (e, "\n".join(
                "  " + l for l in step_lines(self.history[-8:]))))
        p = first_disagreement(parts)
        if p is None:
            return True
        sig = signature(p.name, p.r, p.v, p.mode)
        self.record("reply", sig, self.history, (show(p.r), show(p.v)))
        if not resyncing and self.may_change_state(step, p):
            self.resync()
        return False

    def may_change_state(self, step, part):
        """False when the diverging command cannot have left the servers apart:
        a plain (non-transaction, non-connection) command that both refused or
        that is read-only. The keyspace checks catch anything this misses."""
        if part.label != "reply" or part.name != command_name(step.args, self.containers):
            return True
        if part.name in CONNECTION_STATE or part.name.split("|")[0] in CONNECTION_STATE:
            return True
        if part.r[0] == part.v[0] == "-":
            return False
        spec = self.specs.get(part.name)
        return not (spec and "readonly" in spec.flags)

    def crashed(self, e):
        sig = "%s: %s" % (e.kind, crash_summary(e.detail))
        self.record("crash", sig, self.history, e.detail)
        print("difffuzz: vigil %s after %d steps; restarting both servers" % (e.kind, self.steps_run),
              file=sys.stderr)
        self.pair.restart()
        self.pair.containers = self.containers
        self.history = []

    def resync(self):
        """Rebuild both servers from redis' keyspace; that rebuild starts the history."""
        self.resyncs += 1
        try:
            snap = self.pair.snapshot(self.pair.r)
            self.pair.reset()
        except VigilDown as e:
            self.crashed(e)
            return
        self.history = []
        for step in recreate_steps(snap):
            if not self.execute(step, resyncing=True) and not self.history:
                return

    def check_state(self):
        try:
            self.pair.check_vigil()
            diffs = diff_snapshots(self.pair.snapshot(self.pair.r), self.pair.snapshot(self.pair.v))
        except VigilDown as e:
            self.crashed(e)
            return
        for sig, where, key in diffs:
            self.record("state", sig, self.history + [StateCheck(key)], where)
        if diffs or len(self.history) > HISTORY_MAX:
            self.resync()

    def run(self):
        opts = self.opts
        start = time.time()
        deadline = start + opts.seconds if opts.commands is None else float("inf")
        last_check = 0
        while time.time() < deadline and (opts.commands is None or self.commands < opts.commands):
            for step in self.gen.next_steps():
                self.commands += 1
                self.execute(step)
            if self.steps_run - last_check >= CHECK_EVERY:
                last_check = self.steps_run
                self.check_state()
        self.check_state()
        self.elapsed = time.time() - start
        status, report = self.pair.stop()
        if report:
            self.record("crash", "sanitizer at shutdown: %s" % crash_summary(report), [], report)
        elif status not in (0, None):
            self.record("crash", "shutdown: vigil-node exited with status %s" % status, [],
                        "exit status %s after SIGTERM" % status)

    # ---- shrinking -------------------------------------------------------------
    def shrink_all(self, known):
        for f in self.findings.values():
            f.known = match_known(f.sig, known)
        todo = [f for f in self.findings.values() if f.steps]
        todo.sort(key=lambda f: ({"crash": 0, "reply": 1, "state": 2}.get(f.kind, 3),
                                 f.known is not None, len(f.steps)))
        if not todo or self.opts.shrink_seconds <= 0:
            return
        end = time.time() + self.opts.shrink_seconds
        pair = None
        try:
            pair = Pair(*self.pair_args)
            pair.containers = self.containers
            for i, f in enumerate(todo):
                left = end - time.time()
                if left <= 0:
                    break
                per = max(3.0, min(60.0, left / (len(todo) - i)))
                pair = self.shrink_one(pair, f, Budget(per, 2000))
        finally:
            if pair:
                pair.stop()

    def shrink_one(self, pair, f, budget):
        holder = [pair]
        test = lambda steps: self.reproduces(holder, f, steps)
        f.repro, f.tests = shrink(f.steps[:-1], f.steps[-1], test, budget)
        # One replay on freshly started servers, to print its replies.
        holder[0].restart()
        holder[0].containers = self.containers
        f.verified = self.reproduces(holder, f, f.repro, fresh=True)
        return holder[0]

    def reproduces(self, holder, f, steps, fresh=False):
        pair = holder[0]
        try:
            if not fresh:
                pair.reset()
            final = None
            for step in steps:
                if isinstance(step, StateCheck):
                    diffs = diff_snapshots(pair.snapshot(pair.r), pair.snapshot(pair.v))
                    hits = [where for sig, where, _ in diffs if sig == f.sig]
                    if hits:
                        f.repro_detail = hits[0]
                    return bool(hits)
                final = pair.run(step)
        except VigilDown as e:
            holder[0].restart()
            holder[0].containers = self.containers
            if f.kind == "crash":
                f.repro_detail = e.detail
                return True
            return False
        except RedisDown:
            holder[0].restart()
            holder[0].containers = self.containers
            return False
        if f.kind != "reply" or final is None:
            return False
        p = first_disagreement(final)
        if p is not None and signature(p.name, p.r, p.v, p.mode) == f.sig:
            f.repro_detail = (show(p.r), show(p.v))
            return True
        return False


class StateCheck(Step):
    """Pseudo-step ending a state finding: compare the keyspaces (key: for slicing)."""

    def __init__(self, key):
        Step.__init__(self, "=", [b"#compare-keyspaces", key])


def crash_summary(text):
    """One line naming a crash: the sanitizer's SUMMARY or first error line."""
    lines = text.splitlines()
    for mark in ("runtime error:", "SUMMARY:", "ERROR:"):
        for line in lines:
            if mark in line:
                # Directories differ between checkouts; file:line is enough.
                return re.sub(r"/[^\s:]*/(?=[^/\s]+:\d+)", "", line.strip())[:160]
    lines = [l for l in text.splitlines() if l.strip()]
    return (lines[0] if lines else text)[:160]


def match_known(sig, known):
    for pat, reason in known:
        if fnmatch.fnmatchcase(sig, pat):
            return reason
    return None


def step_lines(steps):
    multi_conn = any(s.conn not in ("A", "=") or s.unblock for s in steps)
    out = []
    for s in steps:
        if isinstance(s, StateCheck):
            out.append("# then compare the keyspaces: %s differs" % s.args[1].decode(errors="replace"))
            continue
        prefix = s.conn + ": " if multi_conn else ""
        line = prefix + cli_line(s.args, ARG_PRINT_MAX)
        if s.unblock:
            line += "   # blocks; then another client: " + cli_line(s.unblock, ARG_PRINT_MAX)
        out.append(line)
    return out


def indent(text, pad):
    return "\n".join(pad + l for l in text.splitlines()) if text else pad


def report_text(fz, opts):
    L = []
    fs = list(fz.findings.values())
    crashes = [f for f in fs if f.kind == "crash"]
    divs = [f for f in fs if f.kind != "crash"]
    new = [f for f in divs if f.known is None]
    L.append("difffuzz: seed %d, %d commands (%d steps with rebuilds) in %.1fs, %d resyncs" % (
        opts.seed, fz.commands, fz.steps_run, fz.elapsed, fz.resyncs))
    L.append("  redis: %s   vigil: %s" % (opts.redis, opts.vigil))
    L.append("")
    L.append("Crashes, hangs, sanitizer reports: %d" % len(crashes))
    for f in crashes:
        L += finding_lines(f)
    L.append("")
    L.append("Divergences: %d groups (%d new, %d known), %d occurrences" % (
        len(divs), len(new), len(divs) - len(new), sum(f.count for f in divs)))
    order = sorted(divs, key=lambda f: (f.known is not None, f.kind, f.sig))
    for f in order:
        L += finding_lines(f)
    L.append("")
    L.append("Missing in vigil (in redis' COMMAND INFO, not in vigil's COMMAND LIST; never sent):")
    L.append(indent(wrap(" ".join(fz.missing), 96), "  "))
    if fz.extra:
        L.append("Only in vigil: " + " ".join(fz.extra))
    L.append("In both but not fuzzed (unsafe or inherently random; HELP subcommands neither):")
    L.append(indent(wrap(" ".join(fz.skipped), 96), "  "))
    return "\n".join(L) + "\n"


def wrap(text, width):
    lines, cur = [], ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = cur + " " + w if cur else w
    if cur:
        lines.append(cur)
    return "\n".join(lines)


def finding_lines(f):
    tag = "[KNOWN: %s]" % f.known if f.known else "[NEW]"
    L = ["", "%s %s  (%d occurrence%s)" % (tag, f.sig, f.count, "" if f.count == 1 else "s")]
    steps = f.repro if f.repro is not None else f.steps
    if steps:
        how = "shrunk from %d in %d replays" % (len(f.steps), f.tests) if f.repro is not None \
            else "not shrunk"
        if f.verified is not None:
            how += ", %s on fresh servers" % ("reproduces" if f.verified else "DOES NOT reproduce")
        L.append("  reproduction (%d steps, %s):" % (len(steps), how))
        lines = step_lines(steps)
        if len(lines) > PRINT_MAX:
            L.append("    # ... %d earlier steps left out (all of them are in --json)" % (
                len(lines) - PRINT_MAX))
            lines = lines[-PRINT_MAX:]
        L += ["    " + l for l in lines]
    detail = f.repro_detail if f.repro_detail is not None and f.verified else f.detail
    if isinstance(detail, tuple):
        L.append("  redis: " + indent(detail[0], "         ").lstrip())
        L.append("  vigil: " + indent(detail[1], "         ").lstrip())
    elif detail:
        L.append(indent(str(detail)[:3000], "  | "))
    return L


def report_json(fz, opts):
    out = {"seed": opts.seed, "commands": fz.commands, "steps": fz.steps_run,
           "seconds": round(fz.elapsed, 1), "missing": fz.missing, "findings": []}
    for f in fz.findings.values():
        steps = f.repro if f.repro is not None else f.steps
        out["findings"].append({
            "kind": f.kind, "signature": f.sig, "count": f.count, "known": f.known,
            "verified": f.verified, "original_steps": len(f.steps),
            "repro": [{"conn": s.conn, "args": [a.decode("latin-1") for a in s.args],
                       "unblock": [a.decode("latin-1") for a in s.unblock] if s.unblock else None}
                      for s in steps],
            "detail": list(f.detail) if isinstance(f.detail, tuple) else f.detail})
    return out


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Differential fuzzer: vigil-node vs redis-server.")
    ap.add_argument("--vigil", required=True, help="vigil-node binary (an ASan+UBSan build is best)")
    ap.add_argument("--redis", default="/usr/bin/redis-server", help="reference redis-server 7.0")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--seconds", type=float, default=60.0, help="fuzzing time (default 60)")
    g.add_argument("--commands", type=int, help="number of generated commands instead of a time")
    ap.add_argument("--seed", type=int, help="seed of the command stream (default: random, printed)")
    ap.add_argument("--report", help="also write the text report here")
    ap.add_argument("--json", help="write a machine-readable report here")
    ap.add_argument("--fail-on-divergence", action="store_true",
                    help="exit 3 on any divergence, known ones included")
    ap.add_argument("--known", default=DEFAULT_KNOWN, help="allow-list (default %(default)s)")
    ap.add_argument("--shrink-seconds", type=float,
                    help="total time for shrinking after the run (default: the fuzzing time, "
                         "at least 30, at most 300)")
    ap.add_argument("--vigil-arg", action="append", default=[], metavar="NAME=VALUE",
                    help="extra setting for the vigil side only (self-tests plant differences)")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args(argv)
    if opts.seed is None:
        opts.seed = random.SystemRandom().randrange(1 << 31)
    if opts.shrink_seconds is None:
        budget = opts.seconds if opts.commands is None else 60.0
        opts.shrink_seconds = min(300.0, max(30.0, budget))
    for a in opts.vigil_arg:
        if "=" not in a:
            ap.error("--vigil-arg wants NAME=VALUE")
    for path in (opts.vigil, opts.redis):
        if not os.access(path, os.X_OK):
            ap.error("not an executable: %s" % path)
    return opts


def main(argv=None):
    opts = parse_args(argv)
    # SIGTERM (e.g. from timeout(1)) unwinds like an exception, so the
    # servers are still stopped and their directories removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    known = load_known(opts.known)
    print("difffuzz: seed %d" % opts.seed, file=sys.stderr)
    try:
        fz = Fuzzer(opts)
    except (RuntimeError, RedisDown, VigilDown) as e:
        print("difffuzz: setup failed: %s" % e, file=sys.stderr)
        return 2
    try:
        fz.run()
        fz.shrink_all(known)
    except RedisDown as e:
        print("difffuzz: the reference server failed (a fuzzer bug): %s" % e, file=sys.stderr)
        fz.pair.stop()
        return 2
    except BaseException:
        fz.pair.stop()
        raise
    text = report_text(fz, opts)
    sys.stdout.write(text)
    if opts.report:
        with open(opts.report, "w") as f:
            f.write(text)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(report_json(fz, opts), f, indent=1)
    fs = list(fz.findings.values())
    if any(f.kind == "crash" for f in fs):
        return 1
    if any(f.kind != "crash" and (f.known is None or opts.fail_on_divergence) for f in fs):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())

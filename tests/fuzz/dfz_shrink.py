"""dfz_shrink.py -- minimise a command history that reproduces a finding.

Owns: nothing but the search. First a backward slice keeps the steps that
touch the keys of the failing step (transitively) plus the steps with a
connection- or server-wide effect; then delta debugging (Zeller's ddmin)
removes chunks of the prefix, then single steps, as long as the test still
reproduces; last, long arguments are replaced by "x" where that still
reproduces. The failing (last) step is always kept. All bounded by a Budget.
"""
import time

from dfz_grammar import KEYS, Step

GLOBAL = {b"flushall", b"flushdb", b"select", b"swapdb", b"multi", b"exec", b"discard",
          b"watch", b"unwatch", b"hello", b"reset", b"config", b"acl", b"auth", b"subscribe",
          b"psubscribe", b"unsubscribe", b"punsubscribe", b"client"}
POOL = set(KEYS)


class Budget:
    def __init__(self, seconds, max_tests=10000):
        self.deadline = time.time() + seconds
        self.tests_left = max_tests
        self.tests = 0

    def spend(self):
        if self.tests_left <= 0 or time.time() >= self.deadline:
            return False
        self.tests_left -= 1
        self.tests += 1
        return True


def step_keys(step):
    args = list(step.args) + list(step.unblock or ())
    return {a for a in args if a in POOL}


def is_global(step):
    return step.args and step.args[0].lower() in GLOBAL or step.conn == "S"


def key_slice(prefix, final):
    """The steps of prefix the final step can depend on through keys."""
    wanted = set(step_keys(final))
    keep = []
    for step in reversed(prefix):
        ks = step_keys(step)
        if is_global(step) or ks & wanted:
            keep.append(step)
            wanted |= ks
    keep.reverse()
    return keep


def ddmin(items, test, budget):
    """Smallest sublist of items (order kept) for which test() holds, within budget.

    test(items) is assumed true. Chunks are removed first, then single items."""
    items = list(items)
    n = 2
    while len(items) >= 2:
        size = (len(items) + n - 1) // n
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        reduced = False
        for i in range(len(chunks)):
            rest = [x for j, c in enumerate(chunks) if j != i for x in c]
            if not budget.spend():
                return items
            if test(rest):
                items = rest
                n = max(n - 1, 2)
                reduced = True
                break
        if reduced:
            continue
        if n >= len(items):
            break
        n = min(len(items), n * 2)
    return items


def simplify_args(steps, test, budget):
    """Replace long arguments (not keys) by b"x" where the test still holds."""
    steps = list(steps)
    for i, step in enumerate(steps):
        if type(step) is not Step:
            continue
        for field in ("args", "unblock"):
            args = getattr(step, field)
            for j in range(1, len(args or ())):
                if len(args[j]) <= 16 or args[j] in POOL:
                    continue
                new = list(args)
                new[j] = b"x"
                cand = Step(step.conn, new if field == "args" else step.args,
                            new if field == "unblock" else step.unblock)
                if not budget.spend():
                    return steps
                if test(steps[:i] + [cand] + steps[i + 1:]):
                    steps[i] = step = cand
                    args = getattr(step, field)
    return steps


def shrink(prefix, final, test, budget):
    """Minimal prefix p with test(p + [final]), long arguments shortened where
    possible; returns (steps, tests used)."""
    run = lambda p: test(list(p) + [final])
    if budget.spend() and run([]):
        return simplify_args([final], test, budget), budget.tests
    sliced = key_slice(prefix, final)
    start = prefix
    if len(sliced) < len(prefix) and budget.spend() and run(sliced):
        start = sliced
    best = ddmin(start, run, budget)
    return simplify_args(list(best) + [final], test, budget), budget.tests

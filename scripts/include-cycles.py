#!/usr/bin/env python3
"""include-cycles.py -- report the include cycles between Vigil's modules.

Owns: nothing but its output. A module is a file stem (db.c and db.h are
module "db"); module a depends on module b when a.c or a.h says
`#include "b.h"` (a path such as "keyspace/db.h" counts by its stem).
Sources are the .c and .h files under proto/, node/ (all the way down,
so node/keyspace/ counts) and sentinel/ when it exists.

Prints every strongly connected component with more than one module,
largest first: each is a set of modules that all reach each other through
includes, so none of them can be understood, tested or linked without the
rest. With --edges it also lists the includes inside each component, the
places to cut.

Exit status: 0 unless a limit is given and broken: --max-scc N fails when a
component has more than N modules, --forbid a,b fails when any component
of more than one module contains one of those modules. Without limits the
script only reports (scripts/test.sh runs it that way).
"""
import argparse
import os
import re
import sys
from collections import defaultdict

SOURCE_DIRS = ("proto", "node", "sentinel")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def source_files(root):
    for top in SOURCE_DIRS:
        base = os.path.join(root, top)
        if not os.path.isdir(base):
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith((".c", ".h")):
                    yield os.path.join(dirpath, name)


def build_graph(root):
    """Returns (modules, edges, where, homes): edges[a] is the set of modules a
    includes, where[(a, b)] the files of a that include b, homes[m] the
    directories module m has files in."""
    files = list(source_files(root))
    modules = {stem(f) for f in files}
    homes = defaultdict(set)
    edges = defaultdict(set)
    where = defaultdict(list)
    for path in files:
        a = stem(path)
        homes[a].add(os.path.relpath(os.path.dirname(path), root))
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for target in INCLUDE.findall(text):
            b = stem(target)
            if b == a or b not in modules:
                continue  # own header, or a header that is no module of ours
            edges[a].add(b)
            where[(a, b)].append(os.path.relpath(path, root))
    return modules, edges, where, homes


def strongly_connected(modules, edges):
    """Tarjan's algorithm, iterative (no recursion limit on deep graphs)."""
    index, low, on_stack = {}, {}, set()
    stack, components = [], []
    counter = 0
    for start in sorted(modules):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def parse_args(argv):
    p = argparse.ArgumentParser(description="Report include cycles between Vigil's modules.")
    p.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   help="repository root (default: the one holding this script)")
    p.add_argument("--max-scc", type=int, metavar="N",
                   help="fail when a component has more than N modules")
    p.add_argument("--forbid", default="", metavar="a,b,c",
                   help="fail when a cycle contains any of these modules")
    p.add_argument("--edges", action="store_true",
                   help="also list the includes inside each component")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    modules, edges, where, homes = build_graph(args.root)
    if not modules:
        print("include-cycles: no sources under %s" % ", ".join(SOURCE_DIRS), file=sys.stderr)
        return 2
    for m in sorted(modules):
        if len(homes[m]) > 1:
            print("note: module %s has files in %s; counted as one"
                  % (m, ", ".join(sorted(homes[m]))), file=sys.stderr)
    cycles = [c for c in strongly_connected(modules, edges) if len(c) > 1]
    cycles.sort(key=lambda c: (-len(c), c))
    print("include cycles: %d among %d modules" % (len(cycles), len(modules)))
    for c in cycles:
        print("%4d modules: %s" % (len(c), " ".join(c)))
        if args.edges:
            members = set(c)
            for a in c:
                for b in sorted(edges[a] & members):
                    print("        %s -> %s  (%s)" % (a, b, ", ".join(where[(a, b)])))
    failed = False
    if args.max_scc is not None and cycles and len(cycles[0]) > args.max_scc:
        print("FAIL: a cycle of %d modules is larger than --max-scc %d"
              % (len(cycles[0]), args.max_scc))
        failed = True
    forbidden = {m.strip() for m in args.forbid.split(",") if m.strip()}
    for c in cycles:
        caught = sorted(forbidden & set(c))
        if caught:
            print("FAIL: forbidden in a cycle: %s" % " ".join(caught))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

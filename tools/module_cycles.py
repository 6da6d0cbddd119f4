#!/usr/bin/env python3
"""Lists module dependency cycles in the workspace's Rust crates (a rough, text-based reading of
`use`/paths: `crate::a::b`, `super::x`, and `mod` children). Exit 1 when a cycle is found.

Usage: tools/module_cycles.py [crate-src-dir ...]   (default: src and every crates/*/src)
"""
import collections, glob, os, re, sys

def modules(src):
    out = {}
    for p in glob.glob(os.path.join(src, '**/*.rs'), recursive=True):
        rel = os.path.relpath(p, src)[:-3].split(os.sep)
        if rel[-1] in ('mod', 'lib', 'main'):
            rel = rel[:-1]
        if 'tests' in rel or rel[-1:] == ['tests']:
            continue
        out[tuple(rel)] = p
    return out

def strip_tests(text):
    i = text.find('#[cfg(test)]')
    return text if i < 0 else text[:i]

def expand_braces(text):
    """`use a::{b, c::D}` -> `use a::b; use a::c::D;` (one level of nesting is enough here)."""
    def one(m):
        prefix, inner = m.group(1), m.group(2)
        parts = [x.strip() for x in inner.split(',') if x.strip()]
        return ' '.join(f'{prefix}{x};' for x in parts)
    for _ in range(3):
        text = re.sub(r'((?:crate|super)(?:::[a-z_][a-z0-9_]*)*::)\{([^{}]*)\}', one, text)
    return text

def resolve(mods, path):
    while path and tuple(path) not in mods:
        path = path[:-1]
    return tuple(path)

def graph(src):
    mods = modules(src)
    edges = collections.defaultdict(set)
    for m, p in mods.items():
        text = re.sub(r'//[^\n]*', '', strip_tests(open(p).read()))
        text = expand_braces(text)
        for g in re.finditer(r'\bcrate((?:::[a-z_][a-z0-9_]*)+)', text):
            target = resolve(mods, g.group(1).split('::')[1:])
            if target and target != m and not m[:len(target)] == target:
                edges[m].add(target)
        for g in re.finditer(r'\b((?:super::)+)((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)', text):
            up = g.group(1).count('super::')
            base = list(m[:-up]) if up <= len(m) else []
            target = resolve(mods, base + g.group(2).split('::'))
            if target != m and not m[:len(target)] == target and target:
                edges[m].add(target)
    return mods, edges

def cycles(edges):
    found = set()
    def dfs(n, stack):
        for t in edges.get(n, ()):
            # a module depending on its own ancestor (parent re-exports) is not a cycle
            if t in stack:
                cyc = stack[stack.index(t):]
                if len(cyc) > 1:
                    k = min(range(len(cyc)), key=lambda i: cyc[i])
                    found.add(tuple(cyc[k:] + cyc[:k]))
            elif len(stack) < 12:
                dfs(t, stack + [t])
    for n in list(edges):
        dfs(n, [n])
    return found

srcs = sys.argv[1:] or ['src'] + sorted(glob.glob('crates/*/src'))
bad = 0
for src in srcs:
    mods, edges = graph(src)
    for c in sorted(cycles(edges)):
        bad += 1
        print(f"{src}: cycle: " + ' -> '.join('::'.join(x) or 'crate' for x in c + (c[0],)))
print('no cycles' if not bad else f'{bad} cycles')
sys.exit(1 if bad else 0)

#!/usr/bin/env python3
"""Fail when the modules under src/ import each other in a cycle.

Praxis is layered (README, "Architecture"): a module may use modules below it, never above, so
that a reader can tell which layer owns what. The compiler accepts cycles between modules of one
crate, so this check keeps them out: it reads every `crate::`, `super::` and `self::` path in the
library's non-test code, resolves each to the module that defines the item (following `pub use`
re-exports, so `crate::index::FacetGroup` counts as a use of the module that declares it), and
reports every strongly connected group of more than one module. Paths that start with a module
in scope count too: a child module (`encoding::Texts` in the module declaring `mod encoding;`)
or a module imported by `use` (`use crate::index;` then `index::search::Hit`).
A glob (`use crate::x::*;`) counts as a use of `x` itself: the names it brings in are not
followed, so prefer naming items (the crate has no glob import outside tests).

A parent module declaring its children (`mod search;`) is not a use; a child naming an item its
parent defines is. Test modules (`#[cfg(test)] mod tests { ... }` at the end of a file) are left
out: tests may reach across layers.

Usage: python3 scripts/check_module_cycles.py [SRC_DIR] [--graph]
Exit status 0 when acyclic, 1 with the cycles printed otherwise.
"""

import re
import sys
from pathlib import Path


def module_path(src: Path, file: Path) -> tuple:
    """`src/index/search.rs` → ("index", "search"); `src/index/mod.rs` → ("index",); lib.rs → ()."""
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts in (["lib"], ["main"]):
        return ()
    if parts[-1] == "mod":
        parts = parts[:-1]
    return tuple(parts)


def strip_comments_and_tests(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    # Drop string literals so a path inside a message is not taken for a use.
    text = re.sub(r'r#*"(?:.|\n)*?"#*', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    cut = re.search(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{", text)
    if cut:
        text = text[: cut.start()]
    return text


def expand_use_tree(tree: str) -> list:
    """`a::{b::C, d}` → ["a::b::C", "a::d"] (one level of nesting at a time, recursively)."""
    tree = re.sub(r"\s+", "", tree)
    brace = tree.find("{")
    if brace < 0:
        return [re.sub(r"\bas\w+$", "", tree.split(" as ")[0])]
    prefix, inner = tree[:brace], tree[brace + 1 : tree.rfind("}")]
    items, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(inner[start:i])
            start = i + 1
    items.append(inner[start:])
    paths = []
    for item in filter(None, items):
        for sub in expand_use_tree(item):
            paths.append(prefix + sub if sub != "self" else prefix.rstrip(":"))
    return paths


USE = re.compile(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);")
INLINE = re.compile(r"\b((?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+)")
# A path that starts with a plain name (not after `::`, `.` or a letter): `name::Item...`.
RELATIVE = re.compile(r"(?<![\w:.])([a-z_][a-z0-9_]*)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")


def absolute(path: str, current: tuple, is_dir_module: bool) -> list:
    """A `crate::`/`super::`/`self::` path as segments from the crate root, or None."""
    segs = [s for s in path.split("::") if s]
    if not segs:
        return None
    # Inside a directory module's mod.rs, `self` is that module; in a file module, `super` is
    # the parent directory's module.
    base = list(current)
    if segs[0] == "crate":
        return segs[1:]
    if segs[0] == "self":
        return base + segs[1:]
    if segs[0] == "super":
        while segs and segs[0] == "super":
            base = base[:-1]
            segs = segs[1:]
        return base + segs
    return None


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    src = Path(args[0] if args else "src")
    files = sorted(p for p in src.rglob("*.rs") if p.name != "main.rs" and "bin" not in p.parts)
    modules = {module_path(src, f): f for f in files}
    texts = {m: strip_comments_and_tests(f.read_text()) for m, f in modules.items()}

    def longest_module(segs):
        for n in range(len(segs), -1, -1):
            if tuple(segs[:n]) in modules:
                return tuple(segs[:n]), segs[n:]
        return (), segs

    # Re-exports: (module, name) → absolute path of what it names.
    reexports = {}
    for m, text in texts.items():
        for vis, tree in USE.findall(text):
            if not vis:
                continue
            for p in expand_use_tree(tree):
                segs = absolute(p, m, True)
                if segs is None:
                    # `pub use search::{...}` inside a mod.rs: relative to this module.
                    segs = list(m) + p.split("::")
                if segs:
                    reexports[(m, segs[-1])] = segs

    def resolve(segs, depth=0):
        target, rest = longest_module(segs)
        if rest and (target, rest[0]) in reexports and depth < 16:
            via = reexports[(target, rest[0])]
            if via != segs:
                return resolve(via + rest[1:], depth + 1)
        return target

    edges = {m: set() for m in modules}
    for m, text in texts.items():
        paths = []
        for _vis, tree in USE.findall(text):
            for p in expand_use_tree(tree):
                segs = absolute(p, m, True)
                if segs is None and m:
                    # A relative `use child::Item;` in a directory module.
                    head = p.split("::")[0]
                    if tuple(list(m) + [head]) in modules:
                        segs = list(m) + p.split("::")
                if segs is not None:
                    paths.append(segs)
        for p in INLINE.findall(text):
            segs = absolute(p, m, True)
            if segs is not None:
                paths.append(segs)
        # Paths that start with a module name in scope rather than `crate`/`super`/`self`: a
        # child module (`encoding::Texts` where `mod encoding;` is declared) or a module brought
        # in by `use` (`use crate::index;` then `index::search::Hit`).
        in_scope = {child[-1]: list(child) for child in modules if child[:-1] == m and child}
        for segs in paths:
            target = resolve(segs)
            if target and list(target) == segs:
                in_scope[segs[-1]] = segs
        for head, rest in RELATIVE.findall(USE.sub("", text)):
            if head in in_scope:
                paths.append(in_scope[head] + rest.split("::")[1:])
        for segs in paths:
            target = resolve(segs)
            if target != m and target != ():
                edges[m].add(target)

    if "--graph" in sys.argv:
        for m in sorted(edges):
            print("::".join(m) or "crate", "->", ", ".join(sorted("::".join(t) for t in edges[m])))

    # Tarjan's strongly connected components.
    index, low, stack, on_stack, components = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)

    if not components:
        print(f"module cycles: none among {len(modules)} modules")
        return 0
    print(f"module cycles: {len(components)} group(s) of modules that use each other:")
    for component in components:
        names = sorted("::".join(m) for m in component)
        print("  - " + ", ".join(names))
        members = set(component)
        for m in sorted(component):
            for t in sorted(edges[m] & members):
                print(f"      {'::'.join(m)} -> {'::'.join(t)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())

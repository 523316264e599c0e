"""Count internal imports of src/analysis: module-level vs function-level; find cycles (SCCs)."""

import ast
import sys
import pathlib

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src/analysis")
mods = {}
for p in root.rglob("*.py"):
    rel = p.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    mods[".".join(parts)] = p


def resolve(mod, node, is_pkg):
    out = []
    if isinstance(node, ast.Import):
        for a in node.names:
            if a.name.startswith("analysis"):
                out.append(a.name)
    else:
        if node.level:
            base = mod.split(".")
            if not is_pkg:
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            tgt = ".".join(base + ([node.module] if node.module else []))
        else:
            tgt = node.module or ""
        if not tgt.startswith("analysis"):
            return out
        for a in node.names:
            cand = tgt + "." + a.name
            out.append(cand if cand in mods else tgt)
    return [o for o in out if o in mods] or ([o.rsplit(".", 1)[0] for o in out if o.rsplit(".", 1)[0] in mods])


edges = {}
total = 0
infunc = 0
tc = 0
for mod, p in mods.items():
    tree = ast.parse(p.read_text())
    is_pkg = p.name == "__init__.py"
    top = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            tg = resolve(mod, node, is_pkg)
            if not tg:
                continue
            total += 1
            # function-level?
            fl = node.col_offset > 0
            if fl:
                infunc += 1
            for t in tg:
                if t != mod:
                    edges.setdefault(mod, set()).add(t)
print(
    f"internal import statements: {total}, indented (function/conditional): {infunc} ({100 * infunc / max(total, 1):.1f} %)"
)
# SCC (Tarjan)
idx = {}
low = {}
st = []
on = set()
sccs = []
c = [0]
sys.setrecursionlimit(10000)


def sc(v):
    idx[v] = low[v] = c[0]
    c[0] += 1
    st.append(v)
    on.add(v)
    for w in edges.get(v, ()):
        if w not in idx:
            sc(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        comp = []
        while True:
            w = st.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


for v in mods:
    if v not in idx:
        sc(v)
print("cycles (strongly connected components):", len(sccs))
for s in sccs:
    print(" ", len(s), s)

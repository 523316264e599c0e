"""The package's floors hold: import-linter's contracts (pyproject ``[tool.importlinter]``), no import
circle between modules, and internal imports at the top of modules (issue 23).

``tools/import_graph.py`` prints the same counts by hand."""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
# Internal imports inside functions, as a share of all internal import statements (issue 23: at most
# 5 %). Those left keep a heavy dependency (pandas, papermill, the models) off the light path of the
# unchanged rerun and of the CLI, or run inside a kernel; each says why. The ceiling only goes down.
MAX_FUNCTION_LEVEL_SHARE = 0.05


def _lint_imports(config: Path | None = None) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    args = [str(lint)] + ([str(config)] if config else [])
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(SRC)})


def test_the_import_contracts_are_kept():
    proc = _lint_imports()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_a_back_import_breaks_a_contract(tmp_path):
    """The contract can fail: a model module importing the runner is reported."""
    package = tmp_path / "src" / "analysis"
    (package / "run").mkdir(parents=True)
    (package / "services").mkdir()
    for init in (package / "__init__.py", package / "run" / "__init__.py", package / "services" / "__init__.py"):
        init.write_text("", encoding="utf-8")
    (package / "run" / "runner.py").write_text("X = 1\n", encoding="utf-8")
    (package / "services" / "beds.py").write_text("from ..run.runner import X\n", encoding="utf-8")
    config = tmp_path / "contracts.ini"
    config.write_text(
        "[importlinter]\nroot_package = analysis\n\n[importlinter:contract:1]\nname = runner on top\n"
        "type = forbidden\nsource_modules =\n    analysis.services\nforbidden_modules =\n"
        "    analysis.run\n",
        encoding="utf-8",
    )
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run(
        [str(lint), str(config)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "src")},
    )
    assert proc.returncode != 0 and "analysis.services.beds -> analysis.run.runner" in proc.stdout


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter[0]
                counter[0] += 1
                stack.append(node)
                on_stack.add(node)
            children = edges.get(node, [])
            if i < len(children):
                work.append((node, i + 1))
                child = children[i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            for child in children:
                if child in on_stack:
                    low[node] = min(low[node], low[child])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_no_import_circle_between_modules():
    sys.path.insert(0, str(SRC))
    try:
        graph = grimp.build_graph("analysis", include_external_packages=False)
    finally:
        sys.path.remove(str(SRC))
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph) == [["p.a", "p.b"]]


def _internal(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").startswith("analysis")
    return isinstance(node, ast.Import) and any(a.name.startswith("analysis") for a in node.names)


def test_internal_imports_sit_at_the_top_of_modules():
    total = inside = 0
    for path in (SRC / "analysis").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and _internal(node):
                total += 1
                inside += node.col_offset > 0
    assert total > 300
    assert inside / total <= MAX_FUNCTION_LEVEL_SHARE, f"{inside} of {total} internal imports inside functions"


def _uncommented(source: str) -> list[int]:
    """First lines of the function-level internal imports with no comment saying why (three words
    or more) on their lines or the line above, or above the run of import lines they stand in."""
    tree = ast.parse(source)
    commented = {
        tok.start[0]
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT and len(tok.string.lstrip("#").split()) >= 3
    }
    import_lines = {
        line
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)
    }
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and _internal(node) and node.col_offset > 0:
            first = node.lineno
            while first - 1 in import_lines:  # a block of imports under one comment
                first -= 1
            if not commented & set(range(first - 1, (node.end_lineno or node.lineno) + 1)):
                missing.append(node.lineno)
    return sorted(missing)


def test_every_import_left_inside_a_function_says_why():
    missing = []
    for path in sorted((SRC / "analysis").rglob("*.py")):
        missing += [f"{path.relative_to(SRC)}:{line}" for line in _uncommented(path.read_text(encoding="utf-8"))]
    assert missing == [], "function-level imports without a comment saying why: " + ", ".join(missing)


def test_the_comment_check_finds_a_bare_import():
    source = (
        "def a():\n    from . import x\n\n"
        "def b():\n    # heavy (pandas): kept off the light path\n    from . import y\n\n"
        "def c():\n    from .z import (\n        w,  # imports pandas: only when asked\n    )\n\n"
        "def d():\n    import json\n    from . import v  # ok\n"  # too short to say why
        "def e():\n    # heavy (pandas): kept off the light path\n    import json\n    from . import u\n"
    )
    assert _uncommented(source) == [2, 15]


#: Functions in the models whose names sound like reader text but stay, with why.
READER_TEXT_ALLOWED = {
    # Writes a way as ``scale × a ÷ b``; the model's tracker uses it with the ids themselves for the
    # developer column ``computed_from`` (page 05 passes catalogue names).
    "analysis/services/indicators.py::way_text",
}


#: Tables for people that left the models (issue 23): their names may not come back under demography/ or
#: services/ (page 05's tracker with Chinese heads, page 91's calibration table).
READER_TABLES = {"tracker_table", "calibration_table"}


def _reader_text_functions(root: Path) -> list[str]:
    """``path::name`` of each function under ``demography/`` and ``services/`` of ``root`` (the
    package folder) named like text or a table for people: ``*_zh``, ``*_en``, ``*_text``, ``readable``,
    ``style_*`` (a Styler) and the moved reader tables (:data:`READER_TABLES`)."""
    found = []
    for folder in ("demography", "services"):
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    node.name.endswith(("_zh", "_en", "_text"))
                    or node.name == "readable"
                    or node.name.startswith("style_")  # a pandas Styler: colours for people
                    or node.name in READER_TABLES
                ):
                    found.append(f"{path.relative_to(root.parent).as_posix()}::{node.name}")
    return found


def test_the_models_write_no_reader_text():
    """Issue 23: text and tables for people live in the presentation wing (analysis.present), not in
    the models; a model keeps numbers and note records. Before the moves this listed eight functions
    (workforce.summary_zh, workforce_check.check_text_zh, backtest.calibration_text, outturn.readable, …);
    before the last moves it listed indicators.tracker_table, indicators.style_tracker and
    backtest.calibration_table."""
    assert sorted(set(_reader_text_functions(SRC / "analysis")) - READER_TEXT_ALLOWED) == []


def test_the_input_floor_has_no_exception_and_imports_no_model():
    """Issue 23: ``validate`` and ``ingest`` build the base populations before they accept a table, so
    they live in :mod:`analysis.intake`, above the models; the contract "Inputs import no model and no
    cache" needs no ``ignore_imports`` and no module under ``analysis.data`` imports a model (on the old
    code ``data/checks.py`` and ``data/ingest.py`` imported ``analysis.demography`` under three ignores)."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    inputs = next(c for c in contracts["contracts"] if c["name"].startswith("Inputs import no model"))
    assert not inputs.get("ignore_imports")
    ignored = [line for c in contracts["contracts"] for line in c.get("ignore_imports", [])]
    assert not [line for line in ignored if line.startswith("analysis.data.")]
    graph = grimp.build_graph("analysis")
    upward = [
        (module, imported)
        for module in graph.find_descendants("analysis.data")
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith(("analysis.demography", "analysis.services", "analysis.intake", "analysis.run"))
    ]
    assert upward == []


def test_every_environment_variable_is_in_the_table():
    """Issue 23: a run's context travels in a known, short list of variables, listed in one place
    (docs/architecture.md, "The environment variables a run hands its jobs"): every ``QZ_*`` name the
    package reads or sets is in that table, and the table lists none the package no longer uses."""
    import re

    used = set()
    for path in (SRC / "analysis").rglob("*.py"):
        used |= set(re.findall(r"QZ_[A-Z0-9_]*[A-Z0-9]", path.read_text(encoding="utf-8")))
    used = {"QZ_VINTAGE_<TABLE>" if name.startswith("QZ_VINTAGE") else name for name in used}
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = doc.split("The environment variables a run hands its jobs", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(QZ_[A-Z0-9_<>]+)`", table, flags=re.M))
    assert used - listed == set(), f"not in docs/architecture.md's table: {sorted(used - listed)}"
    assert listed - used == set(), f"listed but unused: {sorted(listed - used)}"

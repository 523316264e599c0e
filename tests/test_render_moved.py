"""Issue 23 item 1: the reader-facing renderers (index page, notebook pages, workbook, briefs,
one-pagers, citation block, SVG chart, chart files) live in the presentation wing,
``analysis.present``, and the wing imports nothing of the runner.

(a) Each old path ``analysis.run.X`` is the very module ``analysis.present.X`` (a shim: old imports,
tests' monkeypatches and notebooks in users' hands reach the same object), and no module of the
package imports a shim. (b) No module under ``src/analysis/present`` imports ``analysis.run``
(lint-imports enforces it too). On the code before the move (a) fails (there is no
``analysis.present.html``), and the ten modules, then under ``run/``, imported the runner: html →
run.changes, run.manifest, run.runs_index; brief and citation → run.manifest; onepager → run.origin
(:func:`imported_modules` over that tree lists exactly these); the self-test below shows the scan of
the wing sees such an import.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import analysis

PACKAGE = Path(analysis.__file__).parent
MOVED = (
    "html",
    "notebook_html",
    "plan_html",
    "onepager",
    "brief",
    "excel",
    "excel_summary",
    "citation",
    "svgchart",
    "chart_files",
)
SHIMS = {f"analysis.run.{name}" for name in MOVED}


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(root: Path) -> dict[str, set[str]]:
    """``{module: names it imports}`` for every module of the package folder ``root``, relative
    imports resolved; ``from a import b`` counts as importing ``a`` and ``a.b``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        name = _module_name(root, path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                found.add(target)
                found |= {f"{target}.{alias.name}" for alias in node.names}
        out[name] = found
    return out


def runner_imports(root: Path) -> list[str]:
    """``module -> imported`` for each import of ``analysis.run`` by a module of ``analysis.present``."""
    return sorted(
        f"{module} -> {target}"
        for module, targets in imported_modules(root).items()
        if module.startswith("analysis.present")
        for target in targets
        if target == "analysis.run" or target.startswith("analysis.run.")
    )


@pytest.mark.parametrize("name", MOVED)
def test_the_old_path_is_the_moved_module(name):
    moved = importlib.import_module(f"analysis.present.{name}")
    assert importlib.import_module(f"analysis.run.{name}") is moved
    from analysis import run

    assert getattr(run, name) is moved
    assert moved.__name__ == f"analysis.present.{name}"
    assert not (PACKAGE / "present" / name).exists()  # a module, not a folder of the same name
    shim = (PACKAGE / "run" / f"{name}.py").read_text(encoding="utf-8")
    assert f"from ..present import {name} as _moved" in shim and len(shim.splitlines()) < 10


def test_no_module_of_the_package_imports_a_shim():
    users = sorted(
        f"{module} -> {target}"
        for module, targets in imported_modules(PACKAGE).items()
        if module not in SHIMS
        for target in targets & SHIMS
    )
    assert users == []


def test_the_presentation_wing_imports_nothing_of_the_runner():
    assert runner_imports(PACKAGE) == []


def test_the_scan_sees_a_runner_import(tmp_path):
    """The scan can fail: the old html.py's imports, placed in the wing, are reported."""
    root = tmp_path / "analysis"
    (root / "present").mkdir(parents=True)
    (root / "run").mkdir()
    for init in (root / "__init__.py", root / "present" / "__init__.py", root / "run" / "__init__.py"):
        init.write_text("", encoding="utf-8")
    (root / "present" / "html.py").write_text(
        "from ..present.labels import base_label\nfrom .changes import render_changes\n"
        "from ..run.manifest import beijing_time\nfrom .. import run\n\n"
        "def f():\n    import analysis.run.runs_index\n",
        encoding="utf-8",
    )
    assert runner_imports(root) == [
        "analysis.present.html -> analysis.run",
        "analysis.present.html -> analysis.run.manifest",
        "analysis.present.html -> analysis.run.manifest.beijing_time",
        "analysis.present.html -> analysis.run.runs_index",
    ]

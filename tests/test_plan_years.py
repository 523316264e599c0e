"""Issue 23, "plans as data": no year of a plan period is welded into code or notebook code.

A whole number 2021–2035 (the last and the next plan period, and the default horizon) in the
package's source or in a notebook's code cell outside its ``parameters`` cell is a plan year
welded in: a new plan would have to find and change it. The years a run leads with come from the
plan files (``data/raw/plans``) and the ``plan`` / ``report_year`` parameters. What may remain is
listed below by name, each a data year or the default horizon, with why — not a plan year.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from analysis import config
from analysis.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"
PLAN_YEARS = range(2021, 2036)

#: (file, name assigned) → why the year is not a plan year.
ALLOWED = {
    ("data/loaders.py", "RESIDENT_TABLE_YEAR"): "the year of the county figures in resident2021.csv (a data year)",
    ("config.py", "DEFAULT_END_YEAR"): "the default projection horizon, kept equal to the baseline scenario's",
    ("services/assistance.py", "PARAMETER_RULES"): (
        "assistance.wage_fit_from_year may start the wage fit no later than 2022, the last adjustment with "
        "published tiers before the estimated 2025 one (a data year)"
    ),
}


def _assigned_name(tree: ast.Module) -> dict[int, str]:
    """id of every node → the module-level name its statement assigns (or '')."""
    names = {}
    for stmt in tree.body:
        targets = (
            stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        )
        label = ",".join(t.id for t in targets if isinstance(t, ast.Name))
        for node in ast.walk(stmt):
            names[id(node)] = label
    return names


def year_literals(source: str) -> list[tuple[int, int, str]]:
    """(line, year, module-level name assigned or '') of every int literal 2021–2035 in ``source``."""
    tree = ast.parse(source)
    names = _assigned_name(tree)
    return [
        (node.lineno, node.value, names.get(id(node), ""))
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value in PLAN_YEARS
    ]


def welded_in_package() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for line, year, name in year_literals(path.read_text(encoding="utf-8")):
            if (rel, name) not in ALLOWED:
                found.append(f"{rel}:{line} {year}")
    return found


def welded_in_notebooks() -> list[str]:
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
                continue
            source = "".join(cell["source"])
            found += [
                f"{path.name} cell {cell.get('id', '?')} line {line}: {year}" for line, year, _ in year_literals(source)
            ]
    return found


def test_no_plan_year_in_the_package():
    assert welded_in_package() == [], "plan years welded into code (take them from the plan or a parameter)"


def test_no_plan_year_in_notebook_code_outside_parameters():
    assert welded_in_notebooks() == []


def test_the_allowed_years_are_few_and_each_still_there():
    assert len(ALLOWED) <= 3
    seen = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        seen |= {(rel, name) for _, _, name in year_literals(path.read_text(encoding="utf-8"))}
    assert set(ALLOWED) <= seen, "an allowance no longer needed: remove it"


def test_the_scan_finds_a_welded_year():
    assert year_literals("def f(year=2025):\n    return year\n") == [(1, 2025, "")]
    assert year_literals("X = (2021, 2025)\n") == [(1, 2021, "X"), (1, 2025, "X")]


def test_the_default_horizon_is_the_baseline_scenarios():
    assert config.DEFAULT_END_YEAR == load_scenario("baseline")["demography.horizon"]

"""``-p NAME=VALUE`` and ``--params-file``: scenario overrides and notebook extras, told apart.

* A **dotted name** (``beds.occupancy_pct``) overrides a scenario parameter; it is validated like
  a scenario file (unknown names suggest the closest one).
* A **plain name** is an extra notebook parameter; it must be declared in the parameters cell of
  at least one notebook of the run (``save_as`` …), or it is an error — never
  an unused variable.
* The **standard parameters** (:data:`STANDARD`: unit, scenario, base, years, draws, seed,
  overrides, plan, report year, origin) are set by the runner from its own options and can never be set through ``-p``;
  the error names the option to use instead.

A params file may use dotted names or sections, with plain values or ``{value, source}``::

    beds:
      occupancy_pct: 75          # same as -p beds.occupancy_pct=75
    demography.tfr_multiplier: {value: 1.1, source: "my reasoning"}
"""

from __future__ import annotations

import ast
import difflib
import json
from pathlib import Path
from typing import Any, Iterable

from .. import scenarios, yamlio  # scenarios through the module: tests replace parameter_rules
from ..errors import AnalysisError, short

STANDARD = {
    "unit": "--units",
    "scenario": "--scenario",
    "base": "--base",
    "start_year": "--start-year",
    "end_year": "--end-year",
    "draws": "--draws",
    "seed": "--seed",
    "overrides": "-p SECTION.NAME=VALUE",
    "plan": "--plan",
    "report_year": "--report-year",
    "origin": "--origin",
}


def split_parameters(pairs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(notebook extras, scenario overrides): dotted names (``beds.occupancy_pct``) are overrides."""
    extras = {k: v for k, v in pairs.items() if "." not in k}
    overrides = {k: v for k, v in pairs.items() if "." in k}
    return extras, overrides


def _sections() -> set[str]:
    return {name.split(".", 1)[0] for name in scenarios.parameter_rules()}


def read_params_file(path: str) -> dict[str, Any]:
    """A YAML mapping of parameters; sections (``beds: {occupancy_pct: 75}``) become dotted names."""
    what = f"--params-file {path}"
    tree = yamlio.read_mapping(path, what)
    sections, rules = _sections(), scenarios.parameter_rules()  # the value / {value, source} rules of scenarios
    out: dict[str, Any] = {}
    for key, node in tree.items():
        if key in sections:
            if not isinstance(node, dict):
                raise AnalysisError(
                    f"{what}: '{key}' is a scenario section; expected a mapping of its parameters, found {short(node)}"
                )
            out.update(scenarios._flatten(node, key + ".", rules, what)[0])
        else:
            out.update(scenarios._flatten({key: node}, "", rules, what)[0])
    return out


def notebook_parameter_names(notebook: Path) -> set[str]:
    """Names assigned in the cell tagged ``parameters`` of ``notebook``."""
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AnalysisError(f"{notebook}: cannot read the notebook: {exc}") from None
    names: set[str] = set()
    for cell in nb.get("cells", []):
        if "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell.get("source", []))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def check_parameters(extras: dict[str, Any], overrides: dict[str, Any], notebooks: Iterable[Path]) -> None:
    """Refuse standard names, and plain names no notebook of the run declares (with a suggestion)."""
    for name in list(extras) + [k for k in overrides if k in STANDARD]:
        if name in STANDARD:
            raise AnalysisError(
                f"-p {name}=…: '{name}' is a standard parameter set by the runner; use {STANDARD[name]} instead"
            )
    declared = set().union(*[notebook_parameter_names(nb) for nb in notebooks]) - set(STANDARD)
    for name in extras:
        if not name.isidentifier():
            raise AnalysisError(f"-p {short(name)[1:-1]}: notebook parameter names must be Python identifiers")
        if name not in declared:
            candidates = sorted(declared) + sorted(scenarios.parameter_rules())
            close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known = ", ".join(sorted(declared)) or "(none)"
            raise AnalysisError(
                f"-p {name}: no notebook of this run has a parameter '{name}'{hint} "
                f"(notebook parameters: {known}; scenario parameters are dotted, e.g. "
                "beds.occupancy_pct)"
            )


def check_year_parameters(extras: dict[str, Any], start_year: int, end_year: int) -> None:
    """A notebook year (``report_year``, ``plan_year``: every plain ``*_year``) is a whole year the
    run projects, ``start_year`` … ``end_year`` (issue 27: ``-p plan_year=2100`` published
    "nan%" as complete). Checked before a run folder exists."""
    for name, value in extras.items():
        if not name.endswith("_year"):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not start_year <= value <= end_year:
            raise AnalysisError(
                f"-p {name}={short(value)}: expected a whole year from the run's --start-year "
                f"{start_year} to its --end-year {end_year}"
            )

"""Every notebook imports one page module of the presentation wing, and the logic the notebooks
held inline lives in their pages, tested (issue 23 build item 1)."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from analysis.present.pages import backtest as backtest_page
from analysis.present.pages import beds as beds_page
from analysis.scenarios import load_scenario
from analysis.services import care_users, prevalence

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def analysis_imports(notebook: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``analysis`` import in the notebook's code cells."""
    found = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "analysis":
                found.append((node.module, [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                found += [(a.name, []) for a in node.names if a.name.split(".")[0] == "analysis"]
    return found


def test_the_notebooks_are_found():
    assert len(NOTEBOOKS) == 9


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_imports_exactly_one_analysis_module_its_page_in_the_wing(notebook):
    modules = {module for module, _ in analysis_imports(notebook)}
    assert len(modules) == 1, f"{notebook.name} imports {sorted(modules)}"
    (page,) = modules
    assert page.startswith("analysis.present.pages."), page


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_page_has_every_name_its_notebook_imports(notebook):
    for module, names in analysis_imports(notebook):
        page = importlib.import_module(module)
        missing = [n for n in names if n not in page.__all__ or not hasattr(page, n)]
        assert missing == [], f"{notebook.name}: {module} lacks {missing}"


def test_each_notebook_has_its_own_page():
    pages = [analysis_imports(nb)[0][0] for nb in NOTEBOOKS]
    assert len(set(pages)) == len(pages)


def test_the_lead_rows_are_the_resident_60_plus_rows_in_table_order():
    table = pd.DataFrame(
        {
            "geography": ["quanzhou", "quanzhou", "jinjiang", "quanzhou", "jinjiang"],
            "indicator": ["pop_60plus", "pop_total", "pop_60plus", "pop_60plus", "pop_60plus"],
            "base": ["resident", "resident", "resident", "registered", "resident"],
            "method": ["suite", "suite", "suite", "suite_registered", "constant_shares"],
        }
    )
    lead = backtest_page.lead_rows(table)
    assert lead.index.tolist() == [0, 2, 4]
    assert set(lead["indicator"]) == {"pop_60plus"} and set(lead["base"]) == {"resident"}
    assert backtest_page.lead_rows(table.iloc[[1, 3]]).empty


def test_the_grouped_schedule_follows_the_scenario_choice():
    pd.testing.assert_frame_equal(care_users.grouped_schedule("adl_chns2006"), prevalence.adl_schedule())
    pd.testing.assert_frame_equal(care_users.grouped_schedule("sex_severity"), prevalence.schedule_by_sex())


@pytest.mark.parametrize("schedule", ["adl_chns2006", "sex_severity"])
def test_the_prevalence_table_shows_the_schedule_the_bed_model_uses(schedule):
    scenario = load_scenario("baseline", {"beds.prevalence_schedule": schedule})
    table = beds_page.prevalence_table(scenario)
    source = care_users.grouped_schedule(schedule)
    assert table.index.name == "年龄组（岁）" and table.index.tolist() == sorted(source["age_group"].unique())
    assert "男·重度（生活不能自理） %" in table.columns and "女·轻中度（不健康但能自理） %" in table.columns
    row = source[(source["sex"] == "female") & (source["severity"] == "severe")].iloc[-1]
    assert table.loc[row["age_group"], "女·重度（生活不能自理） %"] == pytest.approx(row["prevalence_pct"])


def test_the_observed_adl_line_names_each_age_group():
    text = beds_page.observed_adl_text()
    assert text.startswith("CHNS 2006 ADL失能率（观测）observed: ")
    assert all(f"{g}岁 " in text for g in prevalence.ADL_GROUPS)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_module_attribute_a_notebook_reads_exists(notebook):
    """``charts.pyramid``, ``workforce.summary_zh``: a module the page hands over has what the cells
    read from it (a function moved to the wing leaves no name behind in its model module)."""
    ((module, _), *_) = analysis_imports(notebook)
    page = importlib.import_module(module)
    missing = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                held = getattr(page, node.value.id, None)
                if isinstance(held, ModuleType) and not hasattr(held, node.attr):
                    missing.append(f"{node.value.id}.{node.attr}")
    assert missing == [], f"{notebook.name}: {missing}"

"""One home for every printed name (issue 23 item 2, issue 28 item 2).

An indicator's name, table head and unit come from the catalogue (``analysis.catalogue``); a
population base's and a plan comparator's from ``analysis.labels``; a registry figure's from
``analysis.data.schemas.REGISTRY_INDICATOR_ZH``. The scan fails if a module writes its own map
from those ids to Chinese text again (``beds.INDICATOR_ZH``, ``people.COLUMN_ZH``'s indicator
rows, ``BASE_ZH`` ×4, ``COMPARATOR_ZH`` ×3 stood in the code before this test).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd

import analysis
from analysis import catalogue, people
from analysis.data.schemas import REGISTRY_INDICATORS
from analysis.labels import BASES, COMPARATORS, base_label, comparator_label

PACKAGE = Path(analysis.__file__).parent
PRINTED = re.compile(r"[^\x00-\x7f]")  # Chinese, or a sign such as ≥ (an English-only map is a dev's)
# The homes themselves.
HOMES = {("present/labels.py", "COMPARATORS"), ("data/schemas.py", "REGISTRY_INDICATOR_ZH")}
# Maps keyed by these ids that are not a second name of the same thing, or not yet moved.
EXCEPTIONS = {
    # the names of the three staffing rules (每千名老年人1名社工 …), not of the requirements they give
    ("services/workforce.py", "BINDING_CANDIDATES"),
    # the method notes' base wording moves with the notes-as-data work (issue 23 item 4, its own branch)
    ("present/method_notes.py", "BASE_ZH"),
    ("present/method_notes.py", "BASE_PREFIX"),
}


def _printed_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(PRINTED.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_printed_text(part) for part in node.values)
    return False


def label_maps(package: Path) -> list[tuple[str, str, int]]:
    """(file, name, line) of every dict literal with two or more entries from a catalogue id, a base
    or a comparator (or a registry figure) to printed text (Chinese, ≥); ``name`` is the variable it is assigned to."""
    ids = set(catalogue.catalogue()) | set(BASES) | set(COMPARATORS) | set(REGISTRY_INDICATORS)
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names[id(node.value)] = ",".join(t.id for t in targets if isinstance(t, ast.Name))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            hits = sum(
                1
                for k, v in zip(node.keys, node.values)
                if isinstance(k, ast.Constant) and k.value in ids and _printed_text(v)
            )
            if hits >= 2:
                found.append((path.relative_to(package).as_posix(), names.get(id(node), ""), node.lineno))
    return found


def test_no_module_keeps_its_own_indicator_base_or_comparator_names():
    stray = [(f, n, line) for f, n, line in label_maps(PACKAGE) if (f, n) not in HOMES | EXCEPTIONS]
    assert not stray, (
        "a second label map; take the name from analysis.catalogue (indicators) or "
        f"analysis.labels (bases, comparators): {stray}"
    )


def test_the_homes_are_found_by_the_scan():
    """The scan sees a map where there is one (so an empty answer above means something)."""
    found = {(f, n) for f, n, _ in label_maps(PACKAGE)}
    assert HOMES <= found


def test_base_and_comparator_names():
    assert (
        base_label("registered") == "户籍人口口径" and base_label("resident", english=True) == "常住人口口径 resident"
    )
    assert base_label("registered", short=True, english=True) == "户籍 registered"
    assert base_label("elsewhere") == "elsewhere" and base_label("") == ""
    assert [comparator_label(c) for c in (">=", "<=", "=", "about", None, float("nan"))] == [
        "≥",
        "≤",
        "=",
        "约",
        "",
        "",
    ]


def test_table_heads_carry_the_catalogue_name_and_unit():
    assert catalogue.heading("dibao_monthly") == "低保标准（元/人·月）"
    assert catalogue.heading("dibao_recipients") == "低保人数（估算，人）"
    assert catalogue.heading("share_60plus") == "60岁及以上人口占比（%）"
    assert catalogue.heading("pop_60plus") == "60岁及以上人口"  # persons: the table says 人 or 万人
    page = people.people_table_html(pd.DataFrame({"dibao_monthly": [1020.0], "bed_stock_scheduled": [5.0]}))
    assert "低保标准（元/人·月） dibao_monthly" in page
    assert f"{catalogue.heading('bed_stock_scheduled')} bed_stock_scheduled" in page


def test_one_stock_name_on_every_page():
    """The planned stock is named as the catalogue names it in the build table and the charts."""
    from analysis.scenarios import load_scenario
    from analysis.services import beds, beds_report, charts_beds_workforce, charts_care
    from test_beds import synthetic_result

    frame = beds.bed_requirements(synthetic_result(), load_scenario("baseline"))
    build = beds_report.build_table(frame, "jinjiang")
    assert catalogue.label("bed_stock_scheduled") in build.columns
    assert catalogue.label("nursing_bed_stock_scheduled") in build.columns
    _, ax = charts_beds_workforce.plot_beds_vs_stock(frame, "jinjiang")
    assert catalogue.label("bed_stock") in [t.get_text() for t in ax.get_legend().get_texts()]
    fig, axes = charts_care.plot_build_schedule(frame, "jinjiang")
    legends = [
        t.get_text()
        for legend in fig.legends + [a.get_legend() for a in fig.axes if a.get_legend()]
        for t in legend.get_texts()
    ]
    assert catalogue.heading("bed_stock_scheduled") in legends
    assert not any("按计划建设后" in text for text in legends)


def wan_formatters(package: Path) -> list[tuple[str, int]]:
    """(file, line) of every f-string that prints a number divided by 10,000 (a 万 formatter)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FormattedValue) and any(
                isinstance(n, ast.BinOp)
                and isinstance(n.op, ast.Div)
                and isinstance(n.right, ast.Constant)
                and n.right.value in (1e4, 10_000)
                for n in ast.walk(node.value)
            ):
                found.append((path.relative_to(package).as_posix(), node.lineno))
    return found


def test_one_wan_formatter():
    """Numbers in 万 are printed by catalogue.wan only (main 6c98fa7 had them in eight files)."""
    assert [f for f, _ in wan_formatters(PACKAGE)] == ["catalogue/__init__.py"]
    assert catalogue.wan(1_478_000) == "147.8" and catalogue.wan(12_345_678, 2) == "1,234.57"
    assert catalogue.wan(-1) == "0.0" and catalogue.wan(float("nan")) == "—" and catalogue.wan(None) == "—"
    assert catalogue.format_number(1_478_000, "wan", "人") == "147.8万人"
    assert people.format_value(15_000, "wan") == "1.5"

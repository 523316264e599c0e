"""The county one-pager, the brief's chart and the 如何引用/版本 block (issue 28, items 1 and 6a).

Unit tests on hand-made tables (marks, years, labels from the catalogue) and one fake run
(tests/runner_fixtures.py) for the wiring: the index links each unit's name to its one-pager and
every HTML page the runner writes carries the citation block.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import catalogue, cli
from analysis.present import citation, onepager, svgchart
from analysis.sanitiser import sanitise_page


def _rows(unit="dehua", years=(2020, 2025, 2030)):
    rows = []
    for year in years:
        spread = 0.0 if year == years[0] else 1000.0
        for ind, v in (
            ("pop_60plus", 62_000.0),
            ("pop_80plus", 9_000.0),
            ("share_60plus", 18.25),
            ("beds_required", 2_356.0),
            ("dibao_monthly", 880.0),
        ):
            rows.append(
                {
                    "unit_id": unit,
                    "base": "registered",
                    "year": year,
                    "indicator": ind,
                    "value": v,
                    "p10": v - spread if ind.startswith("pop") else None,
                    "p90": v + spread if ind.startswith("pop") else None,
                }
            )
    return pd.DataFrame(rows)


MANIFEST = {
    "run_id": "r9",
    "started": "2026-12-05T12:00:00+00:00",
    "scenario": {"name": "baseline"},
    "parameters": {"units": ["dehua", "quanzhou"], "start_year": 2020, "end_year": 2035, "base": "registered"},
    "plan": {"status": "draft", "closed": {"period": [2021, 2025]}},
    "key_results": {"year": 2030, "base": "registered"},
    "unit_names": {"dehua": "德化县", "quanzhou": "泉州市"},
    "vintages": {"census2020": "raw", "outturns": "2026-06"},
    "code": {"commit": "abcdef1234567", "dirty": False},
}


def test_years_are_base_closed_plan_end_and_report_year():
    assert onepager.page_years(MANIFEST) == [2020, 2025, 2030]
    # a run ending before the report year keeps only the years it projects
    short = {**MANIFEST, "parameters": {**MANIFEST["parameters"], "end_year": 2026}, "key_results": {"year": 2026}}
    assert onepager.page_years(short) == [2020, 2025, 2026]


def test_marks_and_labels_come_from_the_catalogue():
    city = _rows("quanzhou")
    rows = onepager.cells(city, "quanzhou", "registered", [2020, 2025, 2030])
    by = {r["indicator"]: r for r in rows}
    assert by["pop_60plus"]["label"] == catalogue.label("pop_60plus") and by["pop_60plus"]["unit"] == "万人"
    # the city's base-year 60+ has no spread and no estimated input: 公布; later years: a projection
    assert by["pop_60plus"]["years"][2020]["mark"] == "公布"
    assert by["pop_60plus"]["years"][2030]["mark"] == "" and by["pop_60plus"]["years"][2030]["p10"] == 61_000.0
    assert by["dibao_monthly"]["years"][2020]["mark"] == "估"  # the 2025 wage tiers are estimated
    county = {r["indicator"]: r for r in onepager.cells(_rows("dehua"), "dehua", "registered", [2020, 2030])}
    assert {c["mark"] for r in county.values() for c in r["years"].values()} == {"估"}
    assert "share_80plus" not in by  # absent from the table: left out, not invented


def test_number_formats_follow_the_catalogue():
    assert onepager.number(62_000.0, "wan") == "6.2"
    assert onepager.number(18.25, "pct1") == "18.2" or onepager.number(18.25, "pct1") == "18.3"
    assert onepager.number(2356.4, "int") == "2,356" and onepager.number(None, "int") == "—"


def test_page_is_escaped_sanitised_and_cites_the_run():
    manifest = {**MANIFEST, "unit_names": {"dehua": "德化<script>alert(1)</script>县"}}
    page = onepager.render_onepager(manifest, _rows("dehua"), "dehua")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert sanitise_page(page).count('<div class="cite">') == 1
    assert "2025年" in page and "2030年" in page and "2020年" in page
    assert "<svg" in page and "80岁及以上人口" in page
    text = re.sub(r"<[^>]+>", "", page)
    assert "比例法" in text and "需求法" in text  # both bed views explained
    assert "r9" in text and "outturns 2026-06" in text and "北京时间" in text


def test_citation_block_replaces_an_old_one():
    info = citation.citation_info(MANIFEST)
    assert info["date"].startswith("2026-12-05 20:00") and "abcdef1234" in info["version"]
    assert info["version"].startswith(citation.suite_version())
    block = citation.citation_html(info)
    page = "<html><body><p>x</p></body></html>"
    once = citation.with_citation(page, block)
    twice = citation.with_citation(sanitise_page(once), citation.citation_html({**info, "run": "r10"}))
    assert twice.count('class="cite"') == 1 and "r10" in twice and "r9" not in twice
    assert citation.without_citation(once) == page


def test_chart_has_integer_year_ticks_and_both_series():
    svg = svgchart.elderly_chart(_rows("dehua"), [2025], "德化县")
    years = re.findall(r">(\d{4}(?:\.\d+)?)</text>", svg)
    assert years and all("." not in y for y in years)
    assert catalogue.label("pop_60plus") in svg and catalogue.label("pop_80plus") in svg
    assert svgchart.elderly_chart(_rows("dehua").iloc[0:0], [], "x") == ""
    assert svgchart.nice_ticks(0, 7.3) == [0, 2, 4, 6, 8]


def run_cli(*args: str) -> int:
    return cli.main(["run", "--quiet", "--publish", "--draws", "3", "--end-year", "2030", *args])


@pytest.fixture
def small_run(runner_project):
    assert run_cli("--units", "dehua", "quanzhou", "--run-id", "c1") == 0
    return runner_project / "reports" / "runs" / "c1"


def test_index_links_each_unit_name_to_its_one_pager(small_run):
    index = (small_run / "index.html").read_text(encoding="utf-8")
    for uid, name in (("dehua", "德化县"), ("quanzhou", "泉州市")):
        assert re.search(rf'<a href="{uid}/onepager.html"[^>]*>{name}</a>', index), uid
        page = (small_run / uid / "onepager.html").read_text(encoding="utf-8")
        assert f"{name}民政事业预测一页表" in page and "<svg" in page
        assert "2025年" in page and "2030年" in page
    brief = (small_run / "dehua" / "brief.html").read_text(encoding="utf-8")
    assert "<svg" in brief  # the brief gains the chart


def test_every_html_page_of_a_run_carries_the_citation_block(small_run):
    pages = sorted(small_run.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.count('<div class="cite">') == 1, page.relative_to(small_run)
        assert "c1" in re.sub(r"<[^>]+>", "", text.split('<div class="cite">')[1])


def test_a_missing_figure_carries_no_mark():
    frame = _rows("dehua")
    frame.loc[(frame["indicator"] == "beds_required") & (frame["year"] == 2020), "value"] = None
    by = {r["indicator"]: r for r in onepager.cells(frame, "dehua", "registered", [2020, 2030])}
    assert by["beds_required"]["years"][2020]["mark"] == "" and by["beds_required"]["years"][2030]["mark"] == "估"


def test_plan_odds_table_links_unit_names_to_one_pagers():
    from analysis.present.plan_html import render_plan_odds

    odds = [
        {
            "unit_id": u,
            "unit_name": n,
            "indicator": "nursing_bed_share",
            "indicator_zh": "护理型床位占比",
            "year": 2030,
            "target": 73.0,
            "comparator": ">=",
            "p_meet": 0.5,
            "value_p50": 60.0,
            "action_value": 0,
        }
        for u, n in (("quanzhou", "泉州市"), ("dehua", "德化县"), ("anxi", "安溪县"))
    ]
    manifest = {
        "plan": {"id": "p", "status": "draft", "period": [2026, 2030]},
        "key_results": {"odds": odds},
        "onepagers": {"dehua": "dehua/onepager.html", "quanzhou": "quanzhou/onepager.html"},
    }
    page = render_plan_odds(manifest)
    assert '<a href="dehua/onepager.html" title="一页表 one-pager">德化县</a>' in page
    assert "<th>安溪县</th>" in page  # not in this run: no one-pager, no link


def test_a_band_with_a_negative_end_reads_as_a_range():
    assert onepager.band_text(-43.0, -11.0, "int") == "−43 至 −11"
    assert onepager.band_text(-358.0, 326.0, "int") == "−358 至 326"
    assert onepager.band_text(48_000.0, 92_000.0, "wan") == "4.8–9.2"
    assert onepager.band_text(None, 3.0, "int") == "—"


def test_the_first_column_is_the_origin_of_the_registered_base():
    """Issue 25's later origin: the registered projection starts at the origin, so the one-pager's
    first column is that year (a 2020 column would be empty), labelled as a start, not a census."""
    later = {**MANIFEST, "parameters": {**MANIFEST["parameters"], "origin": 2024}}
    assert onepager.page_years(later, "registered") == [2024, 2025, 2030]
    assert onepager.page_years(later, "resident") == [2020, 2025, 2030]
    assert onepager.year_labels(later, [2024, 2025, 2030])[2024] == "起点（年末估计）"
    assert onepager.year_labels(MANIFEST, [2020, 2025, 2030])[2020] == "基年"

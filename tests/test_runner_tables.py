"""``analysis.run.tables``: the run's tables assembled from (fake) models; the plan's targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import geography
from analysis.errors import AnalysisError
from analysis.run import tables
from analysis.present.html import render_index
from analysis.present.notebook_html import strip_cdn
from analysis.scenarios import Scenario


@pytest.fixture
def scenario():
    return Scenario("baseline", "test", {})


def test_tables_cover_every_unit_year_base_and_indicator(project_copy, fake_models, scenario):
    out = tables.build_tables(scenario, 2020, 2027, draws=1, seed=1)
    ind = out.indicators
    assert list(ind.columns) == tables.INDICATOR_COLUMNS
    units = geography.county_ids() + ["quanzhou"]
    expected = pd.MultiIndex.from_product(
        [["registered", "resident"], units, tables.REQUIRED_INDICATORS, range(2020, 2028)]
    )
    got = pd.MultiIndex.from_frame(
        ind[ind["indicator"].isin(tables.REQUIRED_INDICATORS)][["base", "unit_id", "indicator", "year"]]
    )
    assert got.sort_values().equals(expected.sort_values())
    assert ind.loc[ind["unit_id"] == "jinjiang", "unit_name"].unique().tolist() == ["晋江市"]
    # One draw: no uncertainty, p10/p90 empty; value = p50.
    assert ind["p10"].isna().all() and ind["p90"].isna().all()
    assert ind.loc[ind["indicator"] == "share_60plus", "measure"].unique().tolist() == ["percent"]


def test_population_table_adds_up_to_pop_total(project_copy, fake_models, scenario):
    out = tables.build_tables(scenario, 2020, 2022, draws=1, seed=1)
    pop = out.population
    assert list(pop.columns) == tables.POPULATION_COLUMNS
    assert set(pop["age"]) == set(range(101)) and set(pop["sex"]) == {"male", "female"}
    sums = pop.groupby(["base", "unit_id", "year"])["population"].sum()
    totals = out.indicators[out.indicators["indicator"] == "pop_total"].set_index(["base", "unit_id", "year"])["value"]
    pd.testing.assert_series_equal(sums.sort_index(), totals.sort_index(), check_names=False)
    # The city is the sum of the 13 units.
    city = sums.xs("quanzhou", level="unit_id")
    counties = sums.drop("quanzhou", level="unit_id").groupby(level=["base", "year"]).sum()
    np.testing.assert_allclose(city.sort_index(), counties.sort_index())


def test_draws_give_p10_below_p90(project_copy, fake_models, scenario):
    ind = tables.build_tables(scenario, 2020, 2021, draws=5, seed=3).indicators
    pop = ind[ind["indicator"] == "pop_total"]
    assert (pop["p10"] < pop["p90"]).all() and pop["p10"].le(pop["value"]).all()


def test_plan_targets_land_on_the_right_rows(project_copy, fake_models, scenario):
    ind = tables.build_tables(scenario, 2020, 2030, draws=1, seed=1).indicators.set_index(
        ["base", "unit_id", "year", "indicator"]
    )["target"]
    # 专栏2 ratio path applies to every county (both bases); plan text figures are city-wide.
    assert ind[("resident", "jinjiang", 2022, "dibao_to_min_wage_ratio")] == 45.0
    assert ind[("registered", "quanzhou", 2025, "dibao_to_min_wage_ratio")] == 47.5
    assert ind[("registered", "quanzhou", 2025, "pop_60plus")] == 1_600_000  # the plan's 2025 expectation
    assert np.isnan(ind[("resident", "quanzhou", 2025, "pop_60plus")])  # the plan counts 户籍 only
    # A need computed from a ratio is never given a target (it is not a performance measure).
    assert np.isnan(ind[("resident", "quanzhou", 2025, "certified_social_workers_required")])
    assert np.isnan(ind[("resident", "quanzhou", 2026, "dibao_to_min_wage_ratio")])
    # The draft 2026–2030 plan (the city's current plan) holds the ratio at 47.5 in 2030.
    assert ind[("resident", "jinjiang", 2030, "dibao_to_min_wage_ratio")] == 47.5


def test_a_missing_required_indicator_is_an_error_and_gaps_are_noted(project_copy, fake_models, monkeypatch, scenario):
    import runner_fixtures as rf

    def no_nursing(result, sc):
        frame = rf.fake_beds(result, sc)
        return frame[frame["indicator"] != "nursing_beds_required"]

    def no_city_talent(result, sc):
        frame = rf.fake_workforce(result, sc)
        return frame[~((frame["unit_id"] == "quanzhou") & (frame["indicator"] == "social_work_talent_required"))]

    from analysis.services import beds, workforce

    monkeypatch.setattr(beds, "bed_requirements", no_nursing)
    with pytest.raises(AnalysisError, match="nursing_beds_required"):
        tables.build_tables(scenario, 2020, 2021, draws=1, seed=1)
    monkeypatch.setattr(beds, "bed_requirements", rf.fake_beds)
    monkeypatch.setattr(workforce, "workforce_requirements", no_city_talent)
    out = tables.build_tables(scenario, 2020, 2021, draws=1, seed=1)
    assert any("social_work_talent_required for quanzhou" in str(n) for n in out.notes)


def test_strip_cdn_removes_remote_scripts_only():
    page = (
        '<script src="https://cdnjs.cloudflare.com/x.js"></script><script>var a = 1;</script>'
        '<script type="module">await import("https://cdn.jsdelivr.net/m.mjs")</script>'
    )
    assert strip_cdn(page) == "<script>var a = 1;</script>"


def test_index_lists_units_and_failures_chinese_first():
    manifest = {
        "run_id": "x",
        "status": "partial",
        "unit_names": {"jinjiang": "晋江市"},
        "parameters": {"base": "registered"},
        "scenario": {"name": "baseline"},
        "jobs": [
            {
                "unit": "jinjiang",
                "notebook": "01_a",
                "status": "ok",
                "seconds": 1.0,
                "output": "jinjiang/01_a.ipynb",
                "html": "jinjiang/01_a.html",
            },
            {
                "unit": "jinjiang",
                "notebook": "02_b",
                "status": "failed",
                "seconds": 1.0,
                "output": "jinjiang/02_b.ipynb",
                "html": "jinjiang/02_b.html",
                "error_name": "ValueError",
                "error_message": "x < 0",
            },
        ],
    }
    page = render_index(manifest)
    assert "晋江市" in page and 'href="jinjiang/02_b.html"' in page and "x &lt; 0" in page
    assert "部分失败 partial" in page and "http" not in page.split("<body>")[1]


def test_key_results_of_the_index(project_copy, fake_models, scenario):
    from analysis.present.html import render_key_results

    ind = tables.build_tables(scenario, 2020, 2026, draws=1, seed=1).indicators
    rows = tables.key_results(ind, "registered", 2025)
    assert [r["unit_id"] for r in rows] == geography.county_ids() + ["quanzhou"]
    expected = ind.query(
        "base == 'registered' and year == 2025 and unit_id == 'jinjiang' and indicator == 'beds_required'"
    )["value"].item()
    assert rows[5]["unit_id"] == "jinjiang" and rows[5]["beds_required"] == expected
    page = render_key_results({"base": "registered", "year": 2025, "rows": rows})
    assert "主要结果 Key results" in page and "晋江市" in page and f"{expected:,.0f}" in page


def test_backtest_table_is_written_with_the_tables(project_copy, fake_models, scenario, tmp_path):
    built = tables.build_tables(scenario, 2020, 2022, 1, 1)
    paths = built.write(tmp_path)
    written = pd.read_csv(paths["backtest"])
    assert list(written.columns) == [
        "geography",
        "indicator",
        "year",
        "base",
        "method",
        "tests",
        "projected",
        "observed",
        "error_pct",
    ]

"""Plans as data (analysis.data.plans) and the indicator catalogue (analysis.catalogue).

The acceptance test of the house issue: a made-up 2026–2030 plan with two targets, dropped into
``data/raw/plans``, is tracked in the tables, the 要点 box, the odds and the workbook with no code
change. With the fake models' stock of exactly 10 nursing-type beds per 1,000 persons 60+, the
odds are known by hand: a target of 9 is met in every draw (p = 1, no action), 11 in none (p = 0).
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from analysis import catalogue, geography
from analysis.data import loaders, plans
from analysis.errors import AnalysisError, DataValidationError
from analysis.scenarios import Scenario

HEADER = [
    "plan_id",
    "plan_name_zh",
    "level",
    "status",
    "period_start",
    "period_end",
    "indicator_id",
    "unit_id",
    "base",
    "year",
    "target",
    "comparator",
    "binding",
    "base_year",
    "base_value",
    "source",
    "clause",
    "quote",
]


def _write_plan(folder, plan_id, rows, status="adopted", period=(2026, 2030), level="city"):
    path = folder / "data" / "raw" / "plans" / f"{plan_id}.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for indicator, unit, base, year, target, comparator in rows:
            w.writerow(
                [
                    plan_id,
                    "测试规划（虚构）",
                    level,
                    status,
                    *period,
                    indicator,
                    unit,
                    base,
                    year,
                    target,
                    comparator,
                    "预期性",
                    "",
                    "",
                    "made-up fixture for the tests",
                    "第1条",
                    "虚构",
                ]
            )
    return path


def test_bundled_plans_load_and_name_catalogue_indicators():
    found = {p.id: p for p in plans.load_plans()}
    assert {"qz_civil_affairs_14th", "national_15th", "qz_civil_affairs_15th_draft"} <= set(found)
    for plan in found.values():
        assert all(catalogue.known(i) for i in plan.targets["indicator_id"])
    assert found["qz_civil_affairs_15th_draft"].is_draft and "草案" in found["qz_civil_affairs_15th_draft"].label_zh
    assert plans.default_plan_id() == "qz_civil_affairs_15th_draft"
    assert plans.previous_plan_id(found["qz_civil_affairs_15th_draft"]) == "qz_civil_affairs_14th"
    national = found["national_15th"].targets.set_index("indicator_id")
    assert national.at["nursing_bed_share", "target"] == 73 and national.at["nursing_bed_share", "year"] == 2030


def test_the_14th_plan_file_agrees_with_the_transcribed_tables():
    plan = plans.load_plan("qz_civil_affairs_14th").targets
    zl2 = loaders.load_plan_zl2()
    zl2 = zl2[(zl2["year"] > 2020) & zl2["value"].notna()]
    merged = zl2.merge(plan, on=["indicator_id", "year"], how="left", suffixes=("_zl2", "_plan"))
    assert merged["target"].notna().all(), "a 专栏2 target is missing from the plan file"
    np.testing.assert_allclose(merged["value"], merged["target"])
    assert (merged["attribute"] == merged["binding"]).all()
    prose = loaders.load_plan_targets().set_index(["target_id", "year"])["value"]
    rows = plan.set_index(["indicator_id", "year"])["target"]
    assert rows[("certified_social_workers", 2025)] == prose[("certified_social_workers", 2025)] == 8000
    assert rows[("pop_60plus", 2025)] == prose[("registered_pop_60plus", 2025)]
    assert rows[("new_elderly_care_beds", 2025)] == prose[("new_elderly_care_beds_2021_2025", 2025)]


@pytest.mark.parametrize(
    "change, column, line",
    [
        ({"indicator": "no_such_indicator"}, "indicator_id", 2),
        ({"unit": "atlantis"}, "unit_id", 2),
        ({"year": 2035}, "year_within_period", 2),
        ({"comparator": ">"}, "comparator", 2),
    ],
)
def test_a_bad_plan_row_names_file_line_and_column(project_copy, change, column, line):
    row = {"indicator": "nursing_bed_share", "unit": "*", "base": "", "year": 2030, "target": 73, "comparator": ">="}
    row.update(change)
    path = _write_plan(project_copy, "bad_plan", [tuple(row.values())])
    with pytest.raises(DataValidationError) as info:
        plans.load_plan("bad_plan")
    text = str(info.value)
    assert path.name in text and (column in text or "year" in text) and f"line {line}" in text


def test_an_unknown_plan_lists_the_known_ones(project_copy):
    with pytest.raises(AnalysisError, match="known plans: .*qz_civil_affairs_14th"):
        plans.load_plan("no_such_plan")


def test_every_published_indicator_has_a_catalogue_entry():
    from analysis.pipeline import run_models

    projected = run_models("baseline", base="registered", end_year=2022, draws=1).projected
    missing = sorted(set(projected["indicator"]) - set(catalogue.catalogue()))
    assert not missing, f"indicators without a catalogue entry: {missing}"


def test_catalogue_formats_numbers_for_people():
    assert catalogue.indicator("pop_60plus").format_value(1_478_000) == "147.8万人"
    assert catalogue.indicator("nursing_bed_share").format_value(73) == "73.0%"
    assert catalogue.indicator("beds_required").format_value(56156.4) == "56,156 张"
    assert catalogue.indicator("beds_required").format_value(float("nan")) == "—"
    assert catalogue.format_number(None, "int") == "—"
    with pytest.raises(AnalysisError, match="not in the catalogue"):
        catalogue.indicator("no_such_indicator")


def test_a_new_plan_is_tracked_with_no_code_change(project_copy, fake_models, tmp_path):
    from analysis.keypoints import key_points
    from analysis.run import tables
    from analysis.present.excel import write_unit_workbook

    _write_plan(
        project_copy,
        "fixture_2026_2030",
        [
            ("nursing_beds_per_1000_elderly", "*", "registered", 2030, 9, ">="),
            ("pop_60plus", "quanzhou", "registered", 2030, 1234, "about"),
        ],
    )
    scenario = Scenario("baseline", "test", {})
    built = tables.build_tables(scenario, 2020, 2031, draws=5, seed=1, plan_id="fixture_2026_2030")
    assert built.plan["id"] == "fixture_2026_2030"
    # the odds: 10 beds per 1,000 in every draw against a target of 9 → met in every draw, nothing to add
    odds = built.plan_odds[built.plan_odds["indicator"] == "nursing_beds_per_1000_elderly"]
    assert set(odds["unit_id"]) == set(geography.county_ids() + ["quanzhou"])
    assert (odds["p_meet"] == 1.0).all() and (odds["action_value"] == 0).all()
    np.testing.assert_allclose(odds["value_p50"], 10.0)
    # the tables: the target lands on the registered city row of 2030
    ind = built.indicators.set_index(["base", "unit_id", "year", "indicator"])["target"]
    assert ind[("registered", "quanzhou", 2030, "pop_60plus")] == 1234
    # the 要点 box
    rows = {r["indicator"]: r for r in key_points(built.indicators, "quanzhou", "registered", 2030)}
    assert rows["pop_60plus"]["target"] == 1234
    # the workbook
    path = write_unit_workbook(
        tmp_path / "q.xlsx", "quanzhou", built.indicators, built.population, {}, built.plan_odds, built.plan_ledger
    )
    sheet = pd.read_excel(path, sheet_name="规划目标达成概率")
    assert "每千名老年人拥有养老机构护理型床位数" in set(sheet["指标 indicator"])
    assert "100%" in set(sheet["达成概率 p(meet)"])


def test_a_target_no_draw_meets_has_probability_zero(project_copy, fake_models):
    from analysis.run import tables

    _write_plan(
        project_copy, "fixture_2026_2030", [("nursing_beds_per_1000_elderly", "*", "registered", 2030, 11, ">=")]
    )
    built = tables.build_tables(
        Scenario("baseline", "test", {}), 2020, 2031, draws=5, seed=1, plan_id="fixture_2026_2030"
    )
    odds = built.plan_odds
    assert (odds["p_meet"] == 0.0).all()
    # the action at 80 %: 11 per 1,000 of the 80th percentile of persons 60+, less the 2025 stock, over 5 years
    assert (odds["action_value"] > 0).all()

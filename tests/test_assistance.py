"""低保 linked to the minimum wage: hand-checked standards, thresholds, backtest, cost, bad input."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.data import loaders
from analysis.data.base_tables import BasePopulation
from analysis.demography.result import N_AGES, ProjectionResult
from analysis.errors import DataValidationError, ParameterError
from analysis.geography import county_ids
from analysis.scenarios import load_scenario
from analysis.services import assistance as a
from analysis.services import assistance_text as at
from analysis.tidy import COLUMNS

TIER3 = {"anxi", "yongchun", "dehua"}


@pytest.fixture(scope="module")
def path_q():
    return a.dibao_path("baseline", 2020, 2030, draws=1)


def value(frame, unit, year, indicator, stat="p50"):
    sel = frame[(frame.unit_id == unit) & (frame.year == year) & (frame.indicator == indicator)]
    assert len(sel) == 1
    return float(sel[stat].iloc[0])


def synthetic_projection(years, persons_per_unit, draws=1):
    """A tiny ProjectionResult: every person aged 40, male; persons_per_unit (unit -> persons)."""
    ids = county_ids()
    pop = np.zeros((draws, len(years), len(ids), 2, N_AGES))
    for u, uid in enumerate(ids):
        pop[:, :, u, 0, 40] = persons_per_unit[uid]
    return ProjectionResult(pop, np.asarray(years), ids, "registered", "test", seed=1)


def test_tidy_format_and_indicators(path_q):
    assert list(path_q.columns) == COLUMNS
    need = {
        "min_wage_monthly",
        "dibao_monthly",
        "dibao_annual",
        "dibao_to_min_wage_ratio",
        "tekun_monthly",
        "low_income_upper_monthly",
        "dibao_cost_annual",
    }
    assert need <= set(path_q.indicator)
    assert set(path_q.unit_id) == set(county_ids()) | {"quanzhou"}


def test_ratio_times_wage_is_the_standard_by_hand(path_q):
    # 2023: ratio 45.6 % (专栏2), tier 2 wage 1960 all year -> 893.76 yuan/month
    assert value(path_q, "jinjiang", 2023, "dibao_monthly") == pytest.approx(0.456 * 1960)
    assert value(path_q, "anxi", 2021, "dibao_monthly") == pytest.approx(0.445 * 1570)
    assert value(path_q, "anxi", 2021, "dibao_annual") == pytest.approx(12 * 0.445 * 1570)
    # 2022: wage 1720 Jan-Mar, 1960 Apr-Dec; ratio 45 %
    assert value(path_q, "licheng", 2022, "dibao_monthly") == pytest.approx(0.45 * (3 * 1720 + 9 * 1960) / 12)
    for year in (2021, 2026, 2030):
        for stat in ("p10", "p50", "p90"):
            ratio = value(path_q, "dehua", year, "dibao_to_min_wage_ratio") / 100
            assert value(path_q, "dehua", year, "dibao_monthly", stat) == pytest.approx(
                ratio * value(path_q, "dehua", year, "min_wage_monthly", stat)
            )


def test_tekun_and_low_income_multiples(path_q):
    for unit in ("nanan", "yongchun", "quanzhou"):
        for year in (2020, 2028):
            d = value(path_q, unit, year, "dibao_monthly")
            assert value(path_q, unit, year, "tekun_monthly") == pytest.approx(1.3 * d)
            assert value(path_q, unit, year, "low_income_upper_monthly") == pytest.approx(2 * d)
    assert a.low_income_multiples() == (1.0, 2.0)


def test_ratio_path_plan_then_hold():
    r = a.ratio_path(range(2020, 2029), "baseline")
    np.testing.assert_allclose(r, [44.5, 44.5, 45, 45.6, 46.4, 47.5, 47.5, 47.5, 47.5])
    sc = load_scenario("baseline", {"assistance.ratio_change_after_plan": 0.6})
    assert a.ratio_path([2030], sc)[0] == pytest.approx(47.5 + 5 * 0.6)


def test_ratio_leaving_0_100_is_rejected():
    sc = load_scenario("baseline", {"assistance.ratio_change_after_plan": 5})
    with pytest.raises(ParameterError, match="ratio_change_after_plan"):
        a.ratio_path(range(2020, 2037), sc)  # 47.5 + 5 x 11 > 100
    with pytest.raises(ParameterError, match="ratio_change_after_plan"):
        load_scenario("baseline", {"assistance.ratio_change_after_plan": 9})
    with pytest.raises(ParameterError, match="wage_step_floor_pct"):
        load_scenario("baseline", {"assistance.wage_step_floor_pct": -2})
    with pytest.raises(ParameterError, match="tekun_multiple"):
        load_scenario("baseline", {"assistance.tekun_multiple": 0.8})


def test_plan_ratio_above_100_is_rejected(tmp_path):
    src = config.raw_dir() / "plan_zl2_14th_fyp_targets.csv"
    text = src.read_text(encoding="utf-8").replace(",%,2024,46.4,", ",%,2024,146.4,")
    bad = tmp_path / "zl2.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        loaders.load("plan_zl2", bad)
    assert "zl2.csv" in str(err.value) and err.value.row == 6
    frame = loaders.load_plan_zl2()
    frame.loc[(frame.indicator_id == a.RATIO_ID) & (frame.year == 2024), "value"] = 0
    with pytest.raises(ParameterError, match="2024"):
        a.plan_ratio_path(frame)


def test_city_is_weighted_mean_of_units():
    weights = {uid: (3.0 if uid in TIER3 else 1.0) for uid in county_ids()}
    f = a.dibao_path("baseline", 2020, 2022, weights=weights)
    w = np.array([weights[u] for u in county_ids()])
    units = np.array([value(f, u, 2021, "dibao_monthly") for u in county_ids()])
    assert value(f, "quanzhou", 2021, "dibao_monthly") == pytest.approx(np.sum(w * units) / w.sum())
    # by hand: 10 units at 1720, 3 at 1570 with weight 3 -> (10*1720 + 9*1570)/19
    assert value(f, "quanzhou", 2021, "min_wage_monthly") == pytest.approx((10 * 1720 + 9 * 1570) / 19)
    assert "equal weights" in str(a.dibao_path("baseline", 2020, 2021).attrs["notes"][0])


def test_bad_weights_are_rejected():
    with pytest.raises(ParameterError, match="missing"):
        a.dibao_path("baseline", 2020, 2021, weights={"jinjiang": 1.0})
    bad = {uid: 1.0 for uid in county_ids()} | {"atlantis": 1.0}
    with pytest.raises(ParameterError, match="atlantis"):
        a.dibao_path("baseline", 2020, 2021, weights=bad)
    with pytest.raises(ParameterError, match="non-negative"):
        a.dibao_path("baseline", 2020, 2021, weights={uid: -1.0 for uid in county_ids()})


def test_backtest_2020_by_hand():
    weights = {uid: (100.0 if uid in TIER3 else 300.0) for uid in county_ids()}
    bt = a.backtest_link(weights).set_index(["indicator", "year"])
    wage = (10 * 300 * 1720 + 3 * 100 * 1570) / (10 * 300 + 3 * 100)
    row = bt.loc[("urban_dibao_standard", 2020)]
    assert row.weighted_min_wage == pytest.approx(wage)
    assert row.model_standard == pytest.approx(0.445 * 12 * wage)
    assert row.gap == pytest.approx(0.445 * 12 * wage - 9005)
    assert row.implied_ratio == pytest.approx(100 * 9005 / (12 * wage))
    row15 = bt.loc[("urban_dibao_standard", 2015)]
    wage15 = (10 * 300 * 1260 + 3 * 100 * 1140) / 3300  # 2015: 2013 wages Jan-Jun, 2015 wages Jul-Dec
    assert row15.implied_ratio == pytest.approx(100 * 5924 / (12 * wage15))
    assert np.isnan(row15.plan_ratio)


def test_cost_by_hand_with_synthetic_population():
    persons = {uid: 100_000.0 for uid in county_ids()}
    result = synthetic_projection(range(2020, 2026), persons)
    f = a.dibao_path("baseline", 2020, 2025, population=result)
    recipients = 0.0115 * 100_000
    assert value(f, "anxi", 2021, "dibao_recipients") == pytest.approx(recipients)
    assert value(f, "anxi", 2021, "dibao_cost_annual") == pytest.approx(recipients * 0.6 * 0.445 * 1570 * 12)
    units = sum(value(f, u, 2024, "dibao_cost_annual") for u in county_ids())
    assert value(f, "quanzhou", 2024, "dibao_cost_annual") == pytest.approx(units)
    assert any("ESTIMATES" in str(n) for n in f.attrs["notes"])


def test_cost_is_missing_without_population(path_q):
    cost = path_q[path_q.indicator == "dibao_cost_annual"]
    assert cost.p50.isna().all() and (cost.measure == "yuan per year").all()


def test_draws_reproducible_and_consistent():
    persons = {uid: 50_000.0 for uid in county_ids()}
    result = synthetic_projection(range(2020, 2031), persons)
    f1 = a.dibao_path("baseline", 2020, 2030, draws=200, seed=5, population=result)
    f2 = a.dibao_path("baseline", 2020, 2030, draws=200, seed=5, population=result)
    pd.testing.assert_frame_equal(f1, f2)
    f3 = a.dibao_path("baseline", 2020, 2030, draws=200, seed=6, population=result)
    assert not np.allclose(f1.p50.fillna(0), f3.p50.fillna(0))
    w = value(f1, "jinjiang", 2030, "min_wage_monthly", "p90") - value(f1, "jinjiang", 2030, "min_wage_monthly", "p10")
    w0 = value(f1, "jinjiang", 2028, "min_wage_monthly", "p90") - value(f1, "jinjiang", 2028, "min_wage_monthly", "p10")
    assert w > w0 > 0
    # 2026: the 2025-04 (estimated) wage is in force on every path: no band before the next decree
    assert value(f1, "jinjiang", 2026, "min_wage_monthly", "p90") == value(
        f1, "jinjiang", 2026, "min_wage_monthly", "p10"
    )


def test_recipient_share_estimate_matches_scenario():
    est = a.recipient_share_estimate()
    assert est == pytest.approx(100 * (61_900 + 414_500) / 41_540_086)
    sc = load_scenario("baseline")
    assert sc["assistance.recipient_share"] == pytest.approx(est, abs=0.005)
    assert "NOT IN THE PLAN TEXT" in sc.source("assistance.tekun_multiple")


def test_bad_years_and_draws():
    with pytest.raises(ParameterError, match="start_year"):
        a.dibao_path("baseline", 2015, 2030)
    with pytest.raises(ParameterError, match="draws"):
        a.dibao_path("baseline", 2020, 2030, draws=0)


def test_missing_parameter_is_an_error_not_a_default():
    sc = load_scenario("baseline")
    for key in ("assistance.recipient_share", "assistance.average_gap_share", "assistance.tekun_multiple"):
        values = {k: v for k, v in sc.values.items() if k != key}
        with pytest.raises(ParameterError, match=key.replace(".", r"\.")):
            a.dibao_path(replace(sc, values=values), 2020, 2022)
    with pytest.raises(ParameterError, match="ratio_change_after_plan"):
        a.ratio_path([2030], {k: v for k, v in sc.values.items() if k != "assistance.ratio_change_after_plan"})
    with pytest.raises(ParameterError, match=r"assistance\."):
        a.wage_schedule({}, 2030)
    without = {k: v for k, v in sc.values.items() if k != "assistance.wage_adjustment_interval_years"}
    with pytest.raises(ParameterError, match="wage_adjustment_interval_years"):
        a.wage_schedule(without, 2030)


def test_only_the_wage_growth_override_is_optional():
    sc = load_scenario("baseline")
    assert "assistance.wage_growth_override_pct" not in sc.values
    p = a.assistance_parameters(sc)
    assert p["assistance.wage_growth_override_pct"] is None
    assert set(p) == set(a.PARAMETER_RULES)
    assert p["assistance.recipient_share"] == sc["assistance.recipient_share"]
    # a plain mapping (tests, custom runs) is checked against the same rules
    values = dict(sc.values) | {"assistance.wage_growth_override_pct": 4.0}
    assert a.assistance_parameters(values)["assistance.wage_growth_override_pct"] == 4.0
    with pytest.raises(ParameterError, match="wage_growth_override_pct"):
        a.assistance_parameters(dict(sc.values) | {"assistance.wage_growth_override_pct": 50.0})
    f = a.dibao_path(values, 2020, 2030, units=["jinjiang"])
    assert f.attrs["scenario"] == "custom" and any("4 % a year" in str(n) for n in f.attrs["notes"])


def test_cost_follows_the_scenario_shares():
    persons = {uid: 100_000.0 for uid in county_ids()}
    result = synthetic_projection(range(2020, 2023), persons)
    sc = load_scenario("baseline", {"assistance.recipient_share": 2.0, "assistance.average_gap_share": 0.5})
    f = a.dibao_path(sc, 2020, 2022, population=result)
    assert value(f, "anxi", 2021, "dibao_recipients") == pytest.approx(2000)
    assert value(f, "anxi", 2021, "dibao_cost_annual") == pytest.approx(2000 * 0.5 * 0.445 * 1570 * 12)


def test_population_weights_from_projection_by_hand():
    ids = county_ids()
    pop = np.zeros((3, 2, len(ids), 2, N_AGES))
    for d, scale in enumerate([1.0, 2.0, 10.0]):  # median across draws = the 2.0 draw
        pop[d, 1, :, 0, 30] = scale * (np.arange(len(ids)) + 1) * 1000
        pop[d, 1, :, 1, 70] = scale * 500
    result = ProjectionResult(pop, np.array([2019, 2020]), ids, "resident", "test", seed=1)
    w = a.population_weights(result, 2020)
    assert list(w) == ids
    assert w[ids[0]] == pytest.approx(2.0 * (1000 + 500))
    assert w[ids[12]] == pytest.approx(2.0 * (13_000 + 500))
    with pytest.raises(ParameterError, match="year"):
        a.population_weights(result, 2021)


def test_population_weights_from_base_population():
    ids = county_ids()
    base_pop = np.zeros((len(ids), 2, N_AGES))
    base_pop[:, 0, 5] = np.arange(len(ids)) + 1.0
    base_pop[:, 1, 80] = 10.0
    bp = BasePopulation(base_pop, ids, 2020, "resident")
    w = a.population_weights(bp, 2020)
    assert [w[u] for u in ids] == pytest.approx(list(np.arange(len(ids)) + 11.0))
    with pytest.raises(ParameterError, match="year"):
        a.population_weights(bp, 2021)
    # the same persons as a one-year projection give the same weights
    result = ProjectionResult(base_pop[None, None], np.array([2020]), ids, "resident", "test")
    assert a.population_weights(result, 2020) == w


def test_summary_text_follows_the_scenario():
    sc = load_scenario(
        "baseline",
        {"assistance.tekun_multiple": 1.5, "assistance.recipient_share": 2.0, "assistance.average_gap_share": 0.55},
    )
    persons = {uid: 100_000.0 for uid in county_ids()}
    f = a.dibao_path(sc, 2020, 2026, population=synthetic_projection(range(2020, 2027), persons))
    zh = at.summary_zh(f, sc, "anxi", 2021)
    en = at.summary_en(f, sc, "anxi", 2021)
    assert "低保的1.5倍" in zh and "1.3" not in zh and "1.5 × 低保" in en
    assert f"{0.445 * 1570:,.0f}元" in zh and f"{1.5 * 0.445 * 1570:,.0f}元" in zh  # 699 and 1,048 yuan
    assert "人口的2%" in zh and "标准的55%" in zh and "60%" not in zh
    cost = 2000 * 0.55 * 0.445 * 1570 * 12 / 1e8
    assert f"{cost:,.2f}亿元" in zh and f"{cost:,.2f} 亿 yuan" in en
    assert "保持2025年的47.5%" in at.summary_zh(f, sc, "anxi", 2026)
    changed = load_scenario("baseline", {"assistance.ratio_change_after_plan": 0.5})
    g = a.dibao_path(changed, 2020, 2027)
    text = at.summary_zh(g, changed, "quanzhou", 2027)
    assert "每年变化+0.5个百分点" in text and "2027年为48.5%" in text and "缺失" in text


def test_summary_rejects_a_mismatched_path(path_q):
    with pytest.raises(ParameterError, match="year"):
        at.summary_zh(path_q, "baseline", "anxi", 2040)
    with pytest.raises(ParameterError, match="scenario"):
        at.summary_zh(path_q, "high", "anxi", 2025)


def test_backtest_summary_quotes_the_backtest():
    weights = {uid: (100.0 if uid in TIER3 else 300.0) for uid in county_ids()}
    bt = a.backtest_link(weights)
    text = at.backtest_summary_zh(bt)
    wage = (10 * 300 * 1720 + 3 * 100 * 1570) / 3300
    assert f"{wage:,.0f}元/月" in text and "44.5%" in text and "9,005元/年" in text
    assert f"{0.445 * 12 * wage - 9005:+,.0f}元" in text


def test_an_old_parameter_name_is_refused_with_its_new_name():
    """Issue 23: the plan year left the parameter names; a scenario file written before is told the new name."""
    with pytest.raises(ParameterError, match="ratio_change_after_plan"):
        load_scenario("baseline", {"assistance.ratio_change_after_2025": 0.5})

"""Backtest 2010 → 2020: forward method (calibrated fertility and migration), same engine,
only data dated ≤ 2011 for the calibration, errors against the 2020 census."""

import numpy as np
import pytest

from analysis import geography
from analysis.data import loaders
from analysis.demography import projection
from analysis.demography.backtest import (
    CALIBRATION_MAX_YEAR,
    MAPE_TOTALS_BOUND,
    compare_methods,
    early_fact,
    error_table,
    implied_cbr_age_0_4,
    run_backtest,
)
from analysis.demography.result import N_AGES, ProjectionResult
from analysis.errors import AnalysisError, ParameterError
from analysis.present import backtest_report

from demography_helpers import demography_scenario


@pytest.fixture(scope="module")
def bt():
    return run_backtest(demography_scenario())


def test_backtest_table(bt):
    table = bt.table
    assert list(bt.result.years) == list(range(2010, 2021))
    city = table[(table.unit_id == "quanzhou") & (table.quantity.str.startswith("resident population 常住"))].iloc[0]
    assert city.observed == 8_782_285
    assert city.error == pytest.approx(city.projected - city.observed)
    assert city.percent_error == pytest.approx(100 * city.error / city.observed)
    assert {"jinjiang", "nanan", "huian", "taishang"} <= set(table.unit_id)
    counts = table[table.measure == "persons"]
    assert bt.mape == pytest.approx(counts.percent_error.abs().mean())
    assert bt.mpe == pytest.approx(counts.percent_error.mean())
    assert np.isfinite(table[["projected", "error"]].to_numpy()).all()


def test_backtest_is_a_plausible_projection(bt):
    # not a fit to 2020: the city total must still be within 10 % of the census after ten years
    assert abs(bt.table.percent_error.iloc[0]) < 10
    assert bt.result.population[0, 0].sum() == pytest.approx(8_128_530, abs=1)


def test_mape_of_totals_within_documented_bound(bt):
    assert bt.mape_totals < MAPE_TOTALS_BOUND
    totals = bt.table[bt.table.quantity.str.startswith("resident population 常住人口")]
    assert len(totals) == 5
    assert bt.mape_totals == pytest.approx(totals.percent_error.abs().mean())


def test_fertility_is_calibrated_to_the_registered_cbr_2010(bt):
    # first step births = 17.41 ‰ × (P2010 + half the mean change 2000–2010), a factor above 1
    growth = (8_128_530 - 7_283_040) / 10
    births = bt.result.births[0, 1].sum()
    assert births == pytest.approx(17.41e-3 * (8_128_530 + growth / 2), rel=1e-9)
    assert bt.calibration["factor"] > 1
    assert set(bt.result.calibration["fertility_factor"].values()) == {bt.calibration["factor"]}


def test_migration_uses_the_engines_own_births_and_deaths(bt):
    # births − deaths + net migration (applied) = observed mean change 2000–2010, first step
    r = bt.result
    b, d, m = r.births[0, 1].sum(), r.deaths[0, 1].sum(), r.net_migration[0, 1].sum()
    change = r.population[0, 1].sum() - r.population[0, 0].sum()
    assert change == pytest.approx(b - d + m, abs=1e-3)
    intended = sum(r.calibration["net_migration_per_year"].values())
    assert b - d + intended == pytest.approx((8_128_530 - 7_283_040) / 10, abs=0.05)
    # the same totals are asked for in every year (applied = asked + the out-migration cut, persons)
    assert np.allclose(
        r.net_migration[0, 1:].sum(axis=(1, 2)) - np.nansum(r.migration_clipped[0, 1:], axis=(1, 2)), intended
    )


def test_runs_through_the_projection_engine(monkeypatch):
    calls = []
    real = projection.project_arrays

    def spy(*args, **kwargs):
        calls.append(args[0].shape)
        return real(*args, **kwargs)

    monkeypatch.setattr(projection, "project_arrays", spy)
    out = run_backtest(demography_scenario())
    assert calls and calls[-1] == out.result.population.shape[2:]
    assert out.result.population.shape[1] == 11  # the full run went through the spy


def _perturbed(loader, years_after, column="value", factor=2.0):
    frame = loader()

    def load():
        f = frame.copy()
        later = f["year"] > years_after
        f.loc[later, column] = f.loc[later, column] * factor
        return f

    return load


def test_calibration_ignores_data_after_2011(monkeypatch, bt):
    # doubling every later figure of the tables the calibration reads changes nothing
    for name in ("load_registered", "load_age_structure_yearbook", "load_census2010"):
        monkeypatch.setattr(loaders, name, _perturbed(getattr(loaders, name), CALIBRATION_MAX_YEAR))
    again = run_backtest(demography_scenario())
    np.testing.assert_array_equal(again.result.population, bt.result.population)


def test_calibration_responds_to_the_2010_datum(monkeypatch, bt):
    # the guard above can fail: the 2010 registered CBR does move the projection
    monkeypatch.setattr(loaders, "load_registered", _perturbed(loaders.load_registered, 2009, factor=0.9))
    again = run_backtest(demography_scenario())
    assert again.result.births[0, 1].sum() == pytest.approx(0.9 * bt.result.births[0, 1].sum(), rel=1e-9)


def test_early_fact_refuses_later_years():
    with pytest.raises(AnalysisError, match="2011"):
        early_fact(loaders.load_registered(), "泉州市", "registered_crude_birth_rate", 2015)


def test_implied_cbr_from_the_0_4_share_by_hand():
    cbr, d = implied_cbr_age_0_4()
    children = 0.0576 * 8_128_530  # 468,203 persons aged 0–4 in 2010
    assert d["children_0_4"] == pytest.approx(children)
    assert 0.97 < d["mean_survival"] < 1.0
    r = np.log(8_128_530 / 7_283_040) / 10
    mean_pop = 8_128_530 * (1 - np.exp(-5 * r)) / (5 * r)
    assert 7_283_040 < mean_pop < 8_128_530
    assert cbr == pytest.approx(1000 * children / d["mean_survival"] / 5 / mean_pop)
    assert 11 < cbr < 13


def test_error_table_arithmetic_hand_checked():
    # synthetic result: every unit 100 000 persons spread evenly over sex × age
    units = [u.id for u in geography.county_units()]
    pop = np.full((1, 11, 13, 2, N_AGES), 100_000 / (2 * N_AGES))
    result = ProjectionResult(pop, np.arange(2010, 2021), units, "resident", "synthetic")
    table = error_table(result).set_index(["quantity", "unit_id"])
    city = table.loc[("resident population 常住人口", "quanzhou")]
    assert city.projected == pytest.approx(1_300_000)
    assert city.error == pytest.approx(1_300_000 - 8_782_285)
    assert city.percent_error == pytest.approx(100 * (1_300_000 - 8_782_285) / 8_782_285)  # −85.197 %
    assert city.percent_error == pytest.approx(-85.1974, abs=1e-4)
    jin = table.loc[("resident population 常住人口", "jinjiang")]
    assert jin.error == pytest.approx(100_000 - 2_061_551)
    share = table.loc[("share of ages 60+", "quanzhou")]
    assert share.projected == pytest.approx(100 * 41 / 101)  # ages 60…100 of 0…100
    assert share.error == pytest.approx(100 * 41 / 101 - 13.21)  # percentage points


def test_compare_methods_before_and_after():
    wide, runs = compare_methods(demography_scenario(), ("national", "registered_cbr_2010"))
    assert list(wide.quantity[-3:]) == [
        "MPE 平均百分比误差 (counts)",
        "MAPE 平均绝对百分比误差 (counts)",
        "MAPE 平均绝对百分比误差 (city + county totals)",
    ]
    for m, b in runs.items():
        assert wide[f"percent_error_{m}"].iloc[-2] == pytest.approx(b.mape)
        assert wide[f"projected_{m}"].iloc[:-3].tolist() == pytest.approx(b.table.projected.tolist())
    # the calibration moves the 0–14 share towards the census (before: −4.4 points)
    row = wide[wide.quantity == "share of ages 0–14"].iloc[0]
    assert abs(row.error_registered_cbr_2010) < abs(row.error_national)
    assert runs["national"].calibration["factor"] == 1.0


def test_bad_fertility_method():
    with pytest.raises(ParameterError, match="fertility"):
        run_backtest(demography_scenario(), fertility="wpp")


def test_notebook_texts_state_the_computed_numbers():
    from analysis.demography import backtest as bt_module

    _, runs = bt_module.compare_methods("baseline")
    text = backtest_report.interpretation_text(runs)
    after = runs[bt_module.DEFAULT_FERTILITY].table
    error_0_14 = after.loc[after["quantity"] == "share of ages 0–14", "error"].item()
    assert f"{error_0_14:+.1f}" in text
    old_error = after.loc[after["quantity"] == "share of ages 60+", "error"].item()
    assert ("偏高" in text.split("60岁及以上比重仍")[1][:3]) == (old_error > 0)
    calibration = backtest_report.calibration_text()
    assert "17.41‰" in calibration and "5.76%" in calibration  # read from registered_elderly / yearbook


def test_negative_net_migration_is_explained_with_its_components():
    """Issue 26 item 4: the calibrated net migration is about −13,000/year while residents grew by
    65,376/year 2010 → 2020. Not a sign error: change − (births − deaths) with the registered
    birth rate as proxy. Reference figures (run 2026-12-05, baseline, default fertility):
    change 84,549 = (8,128,530 − 7,283,040)/10; births 142,254; deaths 44,691 → −13,013;
    with the 0–4-share birth rate 11.98 ‰: births 97,886, deaths 44,433 → +31,096."""
    from analysis.demography import backtest as bt_module

    _, runs = bt_module.compare_methods("baseline")
    cal = runs[bt_module.DEFAULT_FERTILITY].calibration
    assert cal["change_first_step"] == pytest.approx(84_549, abs=1)
    assert cal["births_first_step"] - cal["deaths_first_step"] > cal["change_first_step"]  # natural increase > change
    assert cal["net_migration_city_per_year"] == pytest.approx(
        cal["change_first_step"] - cal["births_first_step"] + cal["deaths_first_step"], abs=1
    )
    assert cal["net_migration_city_per_year"] == pytest.approx(-13_013, abs=500)
    alt = runs["age_0_4_2010"].calibration
    assert alt["net_migration_city_per_year"] == pytest.approx(31_096, abs=500)  # the sign follows the birth proxy
    text = backtest_report.interpretation_text(runs)
    for figure in (cal["births_first_step"], cal["deaths_first_step"], alt["net_migration_city_per_year"]):
        assert f"{figure:,.0f}".lstrip("+") in text or f"{figure:+,.0f}" in text
    assert "不是符号错误" in text and "not a sign error" in text

"""Minimum-wage path: the 2025 estimate, drift windows, sampled decree dates; 低保 standard setting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.geography import CITY_ID, county_ids
from analysis.scenarios import load_scenario
from analysis.services import assistance as a
from analysis.services import min_wage as mw
from analysis.services import wage_timing as wt


@pytest.fixture(scope="module")
def history():
    return mw.load_wage_history()


def test_2025_tier_values_are_estimated_from_the_published_mean(history):
    est = mw.with_estimated_pending(history)
    m = pd.Period("2025-04", "M")
    factor = 2100 / np.mean([2030, 1960, 1810, 1660])  # 2,100 / 1,865
    assert est.series(2).loc[m] == pytest.approx(1960 * factor)
    assert est.series(3).loc[m] == pytest.approx(1810 * factor)
    assert np.mean([est.series(t).loc[m] for t in (1, 2, 3, 4)]) == pytest.approx(2100)
    assert est.values[est.values["month"] == m]["derived"].all()
    assert m not in est.unknown_events() and m in history.unknown_events()  # the raw history is untouched


def test_observed_intervals_by_hand(history):
    np.testing.assert_allclose(wt.adjustment_intervals(history), [23 / 12, 24 / 12, 30 / 12, 27 / 12, 36 / 12])


def test_drift_windows_by_hand(history):
    est = mw.with_estimated_pending(history)
    table = wt.drift_windows(est).set_index(["window_from", "tier"])
    t2015, t2025 = 2015 + 6 / 12, 2025 + 3 / 12
    w2025 = 1960 * 2100 / 1865
    assert table.loc[(2015, 2), "growth_pct"] == pytest.approx(
        100 * (np.exp(np.log(w2025 / 1350) / (t2025 - t2015)) - 1)
    )
    assert table.loc[(2020, 2), "growth_pct"] < table.loc[(2015, 2), "growth_pct"] < table.loc[(2013, 2), "growth_pct"]
    assert load_scenario("baseline")["assistance.wage_fit_from_year"] == 2015


def test_sampled_dates_follow_the_observed_intervals(history):
    est = mw.with_estimated_pending(history)
    rng = np.random.default_rng(1)
    anchor = pd.Period("2025-04", "M")
    sched = wt.sampled_schedules(est, anchor, 2035, wt.adjustment_intervals(history), 500, rng)
    gaps = np.diff(np.concatenate([np.full((500, 1), anchor.ordinal), sched], axis=1), axis=1)
    assert set(np.unique(gaps)) <= {23, 24, 30, 27, 36}
    band = wt.next_adjustment_band(sched)
    assert band["p10"] < band["p90"]  # the date of the next step is uncertain
    assert pd.Period("2027-03", "M") <= band["p10"] and band["p90"] <= pd.Period("2028-04", "M")


def test_a_pending_decree_keeps_its_known_date(history):
    sched = wt.sampled_schedules(history, pd.Period("2022-04", "M"), 2030, [2.0, 3.0], 50, np.random.default_rng(2))
    assert (sched[:, 0] == pd.Period("2025-04", "M").ordinal).all()


def test_sampled_band_covers_size_and_date(history):
    est = mw.with_estimated_pending(history)
    fixed = mw.forecast_frame(mw.forecast(est, 2020, 2035, fit_from_year=2015, timing="fixed", draws=1))
    sampled = mw.forecast_frame(mw.forecast(est, 2020, 2035, fit_from_year=2015, timing="sampled", draws=1))
    f = fixed[fixed.tier == 2].set_index("year")
    s = sampled[sampled.tier == 2].set_index("year")
    # 2027: under fixed timing no path has adjusted before 2027-08; sampled paths may adjust from 2027-03
    assert s.loc[2027, "p90"] > f.loc[2027, "p90"]
    assert (s.loc[2026:, "p10"] <= s.loc[2026:, "p50"]).all() and (s.loc[2026:, "p50"] <= s.loc[2026:, "p90"]).all()
    assert s.loc[2030, "p50"] < 3094  # below the earlier 2013-window forecast (3,094 yuan)


def test_statsmodels_fit_is_kept(history):
    fit = mw.fit_tier(mw.with_estimated_pending(history), 2, 2015)
    assert fit.result is not None and fit.df == 2 and fit.n_points == 4


def test_dibao_2020_check_against_the_plans_9005_still_holds():
    weights = {u: 1.0 for u in county_ids()}
    bt = a.backtest_link(weights).set_index(["indicator", "year"])
    row = bt.loc[("urban_dibao_standard", 2020)]
    assert row["published_standard"] == 9005
    assert abs(row["gap_pct"]) < 5  # ratio × weighted 2020 wage × 12 is within 5 % of 9,005


def test_city_wide_standard_alternative_gives_every_unit_the_same_standard():
    sc = load_scenario("baseline", {"assistance.standard_setting": "city"})
    path = a.dibao_path(sc, 2020, 2026)
    d = path[(path.indicator == "dibao_monthly") & (path.year == 2026)].set_index("unit_id")["p50"]
    assert d.nunique() == 1 and d[CITY_ID] == d["anxi"]
    county = a.dibao_path("baseline", 2020, 2026)
    c = county[(county.indicator == "dibao_monthly") & (county.year == 2026)].set_index("unit_id")["p50"]
    assert c["anxi"] < c["jinjiang"]  # by county: tier 3 is lower (the sources' reading)

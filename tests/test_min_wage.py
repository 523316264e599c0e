"""Minimum-wage history (step function, validation) and its statsmodels forecast."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import config
from analysis.errors import AnalysisError, DataValidationError
from analysis.geography import county_units
from analysis.services import min_wage as mw

RAW = config.raw_dir() / "min_wage_fujian.csv"
HEADER = RAW.read_text(encoding="utf-8").splitlines()[0]
SRC = "https://example.org/test-source"


def write(tmp_path, rows: list[str], name="min_wage.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def row(tier, date, value, indicator="monthly_min_wage"):
    return f"福建省,{tier},{date},{indicator},{value},CNY/month,,{SRC},test"


GOOD = [
    row(t, d, v)
    for d, vals in [
        ("2013-08-01", (1320, 1170, 1050, 950)),
        ("2015-07-01", (1500, 1350, 1230, 1130)),
        ("2020-01-01", (1800, 1720, 1570, 1420)),
        ("2022-04-01", (2030, 1960, 1810, 1660)),
    ]
    for t, v in zip((1, 2, 3, 4), vals)
]


@pytest.fixture(scope="module")
def history():
    return mw.load_wage_history()


def test_history_has_published_values_and_gap_events(history):
    assert history.series(2).loc[pd.Period("2022-04", "M")] == 1960
    assert history.series(3).loc[pd.Period("2015-07", "M")] == 1230
    assert pd.Period("2017-07", "M") in history.unknown_events()
    assert pd.Period("2025-04", "M") in history.unknown_events()


def test_step_function_flat_between_adjustments_and_missing_after_unknown_event(history):
    monthly = mw.in_force_monthly(history, 2015, 2025)
    assert monthly.loc[pd.Period("2015-06", "M"), 2] == 1170  # 2013 value still in force
    assert monthly.loc[pd.Period("2015-07", "M"), 2] == 1350
    assert monthly.loc[pd.Period("2017-06", "M"), 2] == 1350
    assert np.isnan(monthly.loc[pd.Period("2017-07", "M"), 2])  # 2017 values unknown: missing
    assert np.isnan(monthly.loc[pd.Period("2019-12", "M"), 2])
    assert monthly.loc[pd.Period("2022-03", "M"), 3] == 1570
    assert np.isnan(monthly.loc[pd.Period("2025-04", "M"), 2])


def test_annual_average_in_force_by_hand(history):
    annual = mw.annual_average_in_force(history, 2015, 2022)
    assert annual.loc[2015, 2] == pytest.approx((6 * 1170 + 6 * 1350) / 12)
    assert annual.loc[2022, 2] == pytest.approx((3 * 1720 + 9 * 1960) / 12)
    assert annual.loc[2020, 3] == 1570
    assert np.isnan(annual.loc[2018, 2])


def test_every_unit_has_a_tier(history):
    tiers = {u.id: mw.unit_tier(u, history) for u in county_units()}
    assert len(tiers) == 13
    assert {k for k, v in tiers.items() if v == 3} == {"anxi", "yongchun", "dehua"}
    assert all(v == 2 for k, v in tiers.items() if k not in {"anxi", "yongchun", "dehua"})


def test_city_has_no_tier(history):
    with pytest.raises(AnalysisError, match="no minimum-wage tier"):
        mw.unit_tier("quanzhou", history)
    with pytest.raises(AnalysisError, match="tier 7"):
        mw.check_tier(7, history)


def test_drift_equals_hand_formula(history):
    fit = mw.fit_tier(history, 2, fit_from_year=2013)
    t0, t1 = 2013 + 7 / 12, 2022 + 3 / 12
    assert fit.drift == pytest.approx(np.log(1960 / 1170) / (t1 - t0))
    assert fit.df == 2 and fit.anchor == pd.Period("2022-04", "M") and fit.anchor_wage == 1960


def test_forecast_quantiles_match_student_t(history):
    fc = mw.forecast(history, 2020, 2030, interval_years=2.5, draws=1)
    fit = fc.fits[2]
    first = fc.adjustments[0]
    assert first == pd.Period("2025-04", "M")
    col = list(fc.months).index(first)
    h = 3.0
    se = np.sqrt(h**2 * fit.drift_se**2 + fit.sigma2 * h)
    expected = 1960 * np.exp(fit.drift * h + stats.t.ppf([0.1, 0.5, 0.9], fit.df) * se)
    np.testing.assert_allclose(fc.monthly[2][:, col], expected, rtol=1e-12)


def test_forecast_is_reproducible_and_intervals_widen(history):
    a = mw.forecast_frame(mw.forecast(history, 2020, 2035, draws=300, seed=7))
    b = mw.forecast_frame(mw.forecast(history, 2020, 2035, draws=300, seed=7))
    pd.testing.assert_frame_equal(a, b)
    for fc in (mw.forecast(history, 2020, 2035, draws=1), mw.forecast(history, 2020, 2035, draws=2000, seed=1)):
        frame = mw.forecast_frame(fc)
        for tier in (2, 3):
            f = frame[(frame.tier == tier) & (frame.year >= 2026)]
            width = np.log(f.p90.to_numpy()) - np.log(f.p10.to_numpy())
            assert np.all(np.diff(width) >= -1e-9) and width[-1] > width[0]
            assert np.all(f.p10 <= f.p50) and np.all(f.p50 <= f.p90)


def test_monte_carlo_agrees_with_analytic_band(history):
    q = mw.forecast_frame(mw.forecast(history, 2020, 2035, draws=1)).set_index(["tier", "year"])
    d = mw.forecast_frame(mw.forecast(history, 2020, 2035, draws=20000, seed=3)).set_index(["tier", "year"])
    np.testing.assert_allclose(d.loc[(2, 2030)].to_numpy(), q.loc[(2, 2030)].to_numpy(), rtol=0.03)


def test_known_years_are_not_forecast(history):
    frame = mw.forecast_frame(mw.forecast(history, 2020, 2030, draws=50, seed=1))
    row23 = frame[(frame.tier == 2) & (frame.year == 2023)].iloc[0]
    assert row23.p10 == row23.p50 == row23.p90 == 1960


def test_forecast_never_falls_between_steps(history):
    fc = mw.forecast(history, 2022, 2035, draws=500, seed=11)
    assert np.all(np.diff(fc.monthly[3], axis=1) >= -1e-9)


def test_observed_interval_matches_scenario(history):
    from analysis.scenarios import load_scenario

    observed = mw.observed_adjustment_interval(history)
    assert observed == pytest.approx((2025 + 3 / 12 - (2013 + 7 / 12)) / 5)
    assert load_scenario("baseline")["assistance.wage_adjustment_interval_years"] == pytest.approx(observed, abs=0.005)


def test_copes_with_irregular_spacing_and_missing_adjustment(tmp_path):
    # drop 2015: 2013 -> 2020 spans the missing adjustments; the fit still works
    path = write(tmp_path, [r for r in GOOD if "2015-07" not in r])
    hist = mw.load_wage_history(path)
    fit = mw.fit_tier(hist, 2)
    assert fit.n_points == 3 and fit.df == 1


# --- broken files ---------------------------------------------------------------------------------


def test_gap_is_rejected(tmp_path):
    rows = [r for r in GOOD if not r.startswith("福建省,3,2020-01-01")]
    with pytest.raises(DataValidationError) as err:
        mw.load_wage_history(write(tmp_path, rows))
    assert err.value.column == "tier" and "tier 3 at 2020-01" in str(err.value)
    assert "min_wage.csv" in str(err.value)


def test_decrease_is_rejected(tmp_path):
    rows = [r.replace(",1720,", ",1300,") for r in GOOD]
    with pytest.raises(DataValidationError) as err:
        mw.load_wage_history(write(tmp_path, rows))
    assert err.value.column == "value" and err.value.row == 11 and "never cut" in str(err.value)


def test_unknown_tier_is_rejected(tmp_path):
    rows = GOOD + [row(5, "2022-04-01", 1500)]
    with pytest.raises(DataValidationError) as err:
        mw.load_wage_history(write(tmp_path, rows))
    assert err.value.column == "tier" and err.value.row == len(rows) + 1 and "'5'" in str(err.value)


def test_word_in_value_is_rejected(tmp_path):
    rows = [r.replace(",1960,", ",about 1960,") for r in GOOD]
    with pytest.raises(DataValidationError) as err:
        mw.load_wage_history(write(tmp_path, rows))
    assert err.value.column == "value"


def test_too_few_points_for_forecast(tmp_path):
    rows = [r for r in GOOD if "2013-08" not in r and "2015-07" not in r]
    hist = mw.load_wage_history(write(tmp_path, rows))
    with pytest.raises(AnalysisError, match="at least 3"):
        mw.forecast(hist, 2020, 2030)

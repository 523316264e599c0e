"""The trend of a published stock is chosen by a measured backtest (analysis.services.stock_trend),
and the odds' stock draws follow the chosen trend with a spread no smaller than its measured error.

Hand-checked: a series growing 10 % a year (2016, 2018, 2019, 2020) has one split (k = 2: fit 2016
and 2018, hold out 2019 and 2020; k = 3…5 leave one count to fit); the exponential trend forecasts
the held-out counts exactly, the linear one (10.5 a year from 121) misses by 1.6 and 4.41.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import pipeline
from analysis.services import plan_odds as po
from analysis.services import stock_trend as st

GROWING_10PCT = ([2016, 2018, 2019, 2020], [100.0, 121.0, 133.1, 146.41])


def test_backtest_by_hand_on_a_series_growing_ten_percent_a_year():
    table = st.backtest(*GROWING_10PCT)
    assert set(table["k"]) == {2} and set(table["fit_years"]) == {"2016、2018"}  # k = 3…5: one count to fit
    assert table.groupby("method").size().to_dict() == dict.fromkeys(st.METHODS, 2)
    exp = table[table.method == "exponential"]
    np.testing.assert_allclose(exp.forecast, [133.1, 146.41])
    np.testing.assert_allclose(exp.ape_pct, 0, atol=1e-9)
    lin = table[table.method == "linear"]
    assert lin.horizon.tolist() == [1, 2] and set(lin.fit_span) == {2}
    np.testing.assert_allclose(lin.forecast, [121 + 10.5, 121 + 2 * 10.5])  # (121 − 100) ÷ 2 = 10.5 a year
    np.testing.assert_allclose(lin.ape_pct, [100 * 1.6 / 133.1, 100 * 4.41 / 146.41])
    scores = st.scores(table).set_index("method")
    assert scores.loc["linear", "mape_pct"] == pytest.approx((100 * 1.6 / 133.1 + 100 * 4.41 / 146.41) / 2)
    # s² = mean e² ÷ (h + h²/n), n = 2 years fitted: h = 1 → 1.5, h = 2 → 4
    e1, e2 = math.log(133.1 / 131.5), math.log(146.41 / 142.0)
    assert scores.loc["linear", "error_scale"] == pytest.approx(math.sqrt((e1**2 / 1.5 + e2**2 / 4) / 2))
    assert scores.loc["exponential", "error_scale"] == pytest.approx(0, abs=1e-12)
    assert st.choose(table) == "exponential"


def test_a_straight_line_is_drawn_by_the_linear_trend():
    years, values = [2016, 2018, 2019, 2020], [100.0, 120.0, 130.0, 140.0]
    table = st.backtest(years, values)
    assert st.choose(table) == "linear"
    draws = po.stock_draws(years, values, 2020, [2020, 2025], 20_001, seed=3)
    np.testing.assert_allclose(draws[:, 0], 140.0)
    # 10 a year from 140 (the exponential trend, 1.4^(1/4) a year, would give 140 × 1.4^(5/4) ≈ 213)
    assert np.median(draws[:, 1]) == pytest.approx(140.0 + 5 * 10.0, rel=2e-3)


def test_no_split_keeps_the_exponential_trend():
    assert st.choose(st.backtest([2019, 2020], [100.0, 110.0])) == "exponential"
    assert st.backtest([2019, 2020], [100.0, 110.0]).empty


@pytest.fixture(scope="module")
def social_workers():
    series = pipeline.observed_stocks()["certified_social_workers"]
    return series["year"].tolist(), series["value"].tolist()


def test_the_chosen_trend_has_the_lowest_measured_error(social_workers):
    years, values = social_workers
    assert years == [2015, 2018, 2019, 2020, 2023]  # the published city counts the odds draw
    table = st.backtest(years, values)
    # k = 2 and k = 3 hold out the same count (2023): one split; k = 4 holds out 2020 and 2023; k = 5 three
    assert sorted(set(table["k"])) == [2, 4, 5]
    by_hand = {
        m: np.mean([rows.ape_pct.mean() for _, rows in table[table.method == m].groupby("k")]) for m in st.METHODS
    }
    chosen = st.choose(table)
    assert chosen == min(by_hand, key=by_hand.get)
    assert st.selection(tuple(years), tuple(values))[0] == chosen
    # the exponential trend fitted 2015–2020 forecasts 2023 as 2620 × (2620 ÷ 1021)^(3/5)
    k2 = table[(table.k == 2) & (table.method == "exponential")]
    assert k2.forecast.item() == pytest.approx(2620 * (2620 / 1021) ** 0.6)
    assert k2.ape_pct.item() == pytest.approx(100 * (6555 - 2620 * (2620 / 1021) ** 0.6) / 6555)


def test_the_draws_spread_includes_the_measured_backtest_error(social_workers):
    years, values = social_workers
    chosen, measured = st.selection(tuple(years), tuple(values))
    growth = np.diff(np.log(values)) / np.diff(years)
    gaps = np.diff(years)
    mu = np.log(values[-1] / values[0]) / 8
    sigma = math.sqrt(np.sum(gaps * (growth - mu) ** 2) / 3)
    assert measured > sigma  # the backtest missed by more than the published growth varies
    draws = po.stock_draws(years, values, 2023, [2030], 200_000, seed=5)[:, 0]
    h, n = 7, 8
    assert np.log(draws).std() == pytest.approx(measured * math.sqrt(h + h**2 / n), rel=1e-2)
    assert np.median(draws) == pytest.approx(st.forecast(chosen, years, values, [h])[0], rel=1e-2)

"""The odds of meeting a plan target and the action that would meet it (analysis.services.plan_odds).

Hand-checked cases: a target every draw meets has probability 1, one no draw meets 0; meeting the
computed action meets the target in at least the stated share of draws; the stock path's spread
is the random walk with drift's, computed by hand for a three-point series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.services import plan_odds as po


def test_p_meet_is_one_when_every_draw_meets_and_zero_when_none_does():
    draws = np.array([10.0, 11.0, 12.0, 13.0])
    assert po.p_meet(draws, 9.0, ">=") == 1.0
    assert po.p_meet(draws, 14.0, ">=") == 0.0
    assert po.p_meet(draws, 11.5, ">=") == 0.5
    assert po.p_meet(draws, 11.5, "<=") == 0.5
    assert po.p_meet(np.array([95.0, 100.0, 106.0]), 100.0, "about") == pytest.approx(2 / 3)
    assert po.p_meet(np.array([np.nan, 20.0]), 10.0, ">=") == 0.5  # a missing draw never meets


def test_meeting_the_required_stock_meets_the_target_at_the_stated_confidence():
    rng = np.random.default_rng(7)
    population = rng.normal(1_500_000, 60_000, 2_000)  # persons 60+ in the target year, per draw
    for confidence in (0.5, 0.8, 0.95):
        stock = po.required_stock(population, 12.0, 1000.0, confidence)  # 12 beds per 1,000 elderly
        share_met = np.mean(1000.0 * stock / population >= 12.0)
        assert share_met >= confidence - 1e-9
        assert share_met <= confidence + 0.01  # and no more than needed (the smallest such stock)


def test_stock_draws_follow_the_random_walk_with_drift():
    # log growth 2017→2018: ln 1.1; 2018→2020 (two years): ln 1.21 / 2 = ln 1.1 each → σ = 0
    years, values = [2017, 2018, 2020], [100.0, 110.0, 133.1]
    d = po.stock_draws(years, values, 2020, [2020, 2022], 50, seed=1)
    assert d.shape == (50, 2)
    np.testing.assert_allclose(d[:, 0], 133.1)
    np.testing.assert_allclose(d[:, 1], 133.1 * 1.1**2)
    # growth 10 %, then 30 %: μ = (ln 1.1 + ln 1.3) / 2, σ² = Σ (g − μ)² / (2 − 1); at h = 1, n = 2:
    # sd = σ √(1 + 1/2)
    d = po.stock_draws([2018, 2019, 2020], [100.0, 110.0, 143.0], 2020, [2021], 200_000, seed=2)
    g = np.log([1.1, 1.3])
    mu, sigma = g.mean(), np.sqrt(((g - g.mean()) ** 2).sum())
    logs = np.log(d[:, 0])
    assert logs.mean() == pytest.approx(np.log(143.0) + mu, abs=2e-3)
    assert logs.std() == pytest.approx(sigma * np.sqrt(1.5), rel=1e-2)


def test_gap_opens_where_the_path_falls_behind_the_straight_line():
    # from 100 in 2025 to 150 in 2030: the line is 110, 120, 130, 140, 150
    assert po.gap_opens([2026, 2027, 2028], [112, 119, 140], 100, 150, 2025, 2030) == 2027
    assert po.gap_opens([2026, 2027], [115, 125], 100, 150, 2025, 2030) is None
    assert po.gap_opens([2026], [90], 100, 80, 2025, 2030) is None  # nothing needed


def test_unknown_comparator_and_bad_confidence_are_errors():
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="comparator"):
        po.meets([1.0], 1.0, ">")


def test_odds_rows_are_json_ready_and_leave_out_what_is_not_computed():
    frame = pd.DataFrame(
        [
            {
                **{c: None for c in po.ODDS_COLUMNS},
                "indicator": "a",
                "computed": True,
                "p_meet": np.float64(0.25),
                "year": np.int64(2030),
                "gap_opens": np.nan,
            },
            {**{c: None for c in po.ODDS_COLUMNS}, "indicator": "b", "computed": False},
        ]
    )
    rows = po.odds_rows(frame)
    assert [r["indicator"] for r in rows] == ["a"]
    assert rows[0]["p_meet"] == 0.25 and type(rows[0]["p_meet"]) is float and rows[0]["gap_opens"] is None
    assert type(rows[0]["year"]) is int


def test_a_stock_count_after_the_origin_never_calibrates_the_odds():
    """Review of issue 25/28: the certified social-worker count of 2023 evaluates a 2020-origin
    forecast, it does not feed its trend; a 2024 origin may use it."""
    from analysis.pipeline import observed_stocks

    later = observed_stocks()["certified_social_workers"]
    assert later["year"].max() > 2020
    assert observed_stocks(up_to=2020)["certified_social_workers"]["year"].max() <= 2020
    assert observed_stocks(up_to=2024)["certified_social_workers"].equals(
        later[later["year"] <= 2024].reset_index(drop=True)
    )


def test_a_share_target_reads_its_named_base_not_whichever_frame_comes_first():
    """The nursing-type share target names no base; its paths come from the resident frame (as the
    run's tables), whatever order the frames are given in. The old code took the first frame."""
    from analysis.data import plans

    plan = plans.load_plan("national_15th")

    def frame(stock):
        years = range(2024, 2031)
        rows = [("nursing_bed_stock", y, stock) for y in years] + [("nursing_bed_share_target", y, 60.0) for y in years]
        return pd.DataFrame([{"unit_id": "dehua", "indicator": i, "year": y, "p50": v} for i, y, v in rows])

    projected = {"registered": frame(999.0), "resident": frame(600.0)}  # registered first
    odds = po.plan_odds(plan, {"resident": None, "registered": None}, projected, 2024, unit_ids=["dehua"])
    share = odds[odds["indicator"] == "nursing_bed_share"].iloc[0]
    assert share["base"] == "resident"
    # 73 % of (600 / 0.60) institutional beds = 730 nursing-type beds: 130 more over the plan's 2026–2030
    assert share["action_value"] == pytest.approx((730.0 - 600.0) / 5)
    only_registered = po.plan_odds(plan, {"registered": None}, {"registered": frame(999.0)}, 2024, unit_ids=["dehua"])
    row = only_registered[only_registered["indicator"] == "nursing_bed_share"].iloc[0]
    assert not row["computed"] and "resident" in row["rests_on"]

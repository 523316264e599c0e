"""Build schedule and gap signs: hand-checked on small arrays and on the bed model."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.geography import CITY_ID
from analysis.scenarios import load_scenario
from analysis.services import beds, build_schedule

from test_beds import synthetic_result, value

YEARS = np.arange(2020, 2031)


def arr(values):
    return np.asarray(values, dtype=float)[None, :, None]  # (draw, year, unit)


def test_schedule_by_hand_spreads_the_target_year_shortfall_evenly():
    stock = arr([100] * 11)
    required = arr([100, 104, 108, 112, 116, 120, 122, 124, 126, 128, 130])
    out = build_schedule.schedule(required, stock, YEARS, 2025)
    # shortfall 2025 = 20, built up by 4 a year 2021–2025; after 2025 the stock follows the requirement
    np.testing.assert_allclose(out["scheduled_stock"][0, :, 0], [100, 104, 108, 112, 116, 120, 122, 124, 126, 128, 130])
    assert np.isnan(out["to_add"][0, 0, 0])
    np.testing.assert_allclose(out["to_add"][0, 1:, 0], [4, 4, 4, 4, 4, 2, 2, 2, 2, 2])


def test_schedule_meets_the_ratio_in_the_target_year_and_after():
    rng = np.random.default_rng(3)
    stock = np.cumsum(rng.uniform(0, 5, (4, 11, 6)), axis=1) + 100
    required = np.cumsum(rng.uniform(0, 12, (4, 11, 6)), axis=1) + 90
    out = build_schedule.schedule(required, stock, YEARS, 2025)
    ti = list(YEARS).index(2025)
    assert (out["scheduled_stock"][:, ti:] >= required[:, ti:] - 1e-9).all()
    assert (out["scheduled_stock"] >= stock).all()  # only adds to the scenario's stock
    assert (out["to_add"][:, 1:] >= -1e-9).all()  # never demolishes


def test_no_extra_beds_when_the_stock_is_enough():
    stock = arr(np.linspace(100, 150, 11))
    out = build_schedule.schedule(arr([90] * 11), stock, YEARS, 2025)
    np.testing.assert_allclose(out["scheduled_stock"], stock)
    np.testing.assert_allclose(out["to_add"][0, 1:, 0], 5.0)  # the scenario's planned additions only


def test_target_in_the_base_year_applies_at_once():
    out = build_schedule.schedule(arr([100, 130, 130]), arr([100, 100, 100]), np.arange(2020, 2023), 2020)
    np.testing.assert_allclose(out["to_add"][0, 1:, 0], [30, 0])


def test_bed_model_build_schedule_meets_the_plan_ratios_in_2025():
    sc = load_scenario("baseline")
    arrays = beds.bed_arrays(synthetic_result(draws=4), sc)
    t = 5  # 2025
    assert (arrays["bed_stock_scheduled"][:, t:] >= arrays["beds_required"][:, t:] - 1e-6).all()
    assert (arrays["nursing_bed_stock_scheduled"][:, t:] >= arrays["nursing_beds_required"][:, t:] - 1e-6).all()


def test_gap_signs():
    assert beds.gap(120.0, 100.0) == 20.0  # more required than built: a shortfall, positive
    assert beds.gap(80.0, 100.0) == -20.0  # surplus, negative
    frame = beds.bed_requirements(synthetic_result(), load_scenario("baseline"))
    for gap, req, stock in [
        ("bed_gap", "beds_required", "bed_stock"),
        ("nursing_bed_gap", "nursing_beds_required", "nursing_bed_stock"),
        ("nursing_bed_gap_need_view", "nursing_beds_need_view", "nursing_bed_stock"),
        ("bed_gap_need_view", "beds_need_view", "bed_stock"),
    ]:
        assert value(frame, "jinjiang", 2025, gap) == pytest.approx(
            value(frame, "jinjiang", 2025, req) - value(frame, "jinjiang", 2025, stock)
        )
    prob = value(frame, CITY_ID, 2025, "nursing_bed_shortfall_probability")
    assert prob == (100.0 if value(frame, CITY_ID, 2025, "nursing_bed_gap") > 0 else 0.0)


def test_nursing_stock_by_hand():
    frame = beds.bed_requirements(synthetic_result(), load_scenario("baseline"))
    share = beds.institutional_share_proxy()
    assert share == pytest.approx(100 * 518.3 / 829.4)
    assert value(frame, CITY_ID, 2020, "nursing_bed_stock") == pytest.approx(42_180 * 0.625 * 0.548)
    assert value(frame, CITY_ID, 2025, "nursing_bed_stock") == pytest.approx(47_180 * 0.625 * 0.60)


def test_scenario_institutional_share_is_the_national_proxy_rounded():
    assert load_scenario("baseline")["beds.institutional_bed_share_pct"] == round(beds.institutional_share_proxy(), 1)

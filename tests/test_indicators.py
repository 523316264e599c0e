"""Plan-indicator tracker: plan tables, target values, status thresholds, computed indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data import loaders
from analysis.errors import AnalysisError
from analysis.services import indicators as ind
from analysis.tidy import COLUMNS


def frame(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture(scope="module")
def projected():
    rows = []
    for unit in ("jinjiang", "quanzhou"):
        for year in range(2020, 2026):
            rows.append((unit, year, "dibao_to_min_wage_ratio", np.nan,
                         loaders.load_plan_zl2().query("indicator_id == 'dibao_to_min_wage_ratio' and year == @year")
                         .value.item(), np.nan, "percent"))
            rows.append((unit, year, "social_work_talent", 900.0, 1000.0, 1100.0, "persons"))
            rows.append((unit, year, "pop_total", np.nan, 500_000.0, np.nan, "persons"))
            rows.append((unit, year, "bed_stock", np.nan, 4000.0, np.nan, "beds"))
            rows.append((unit, year, "nursing_bed_share_target", np.nan, 60.0, np.nan, "percent"))
            rows.append((unit, year, "pop_60plus", np.nan, 200_000.0, np.nan, "persons"))
    return frame(rows)


@pytest.fixture(scope="module")
def tracker(projected):
    return ind.track(projected)


def test_every_zl2_value_is_in_the_tracker(tracker):
    zl2 = loaders.load_plan_zl2()
    for unit in ("jinjiang", "quanzhou"):
        t = tracker[(tracker.unit_id == unit) & (tracker.source == "专栏2")]
        merged = zl2.merge(t, on=["indicator_id", "year"], how="left", validate="one_to_one")
        assert len(merged) == len(zl2) == 90
        both_nan = merged["value"].isna() & merged["target"].isna()
        assert (both_nan | (merged["value"] == merged["target"])).all()
        assert (merged["indicator_zh_x"] == merged["indicator_zh_y"]).all()


def test_zl2_and_zl1_tables():
    zl2 = ind.zl2_table()
    assert zl2.query("indicator_id == 'nursing_bed_share' and year == 2025").target.item() == 60
    assert zl2.seq.nunique() == 15
    zl1 = ind.zl1_table()
    assert zl1.query("indicator_id == 'urban_dibao_standard' and column == '2020年完成情况'").value.item() == 9005


def test_ratio_indicator_by_hand(tracker):
    row = tracker.query("unit_id == 'jinjiang' and indicator_id == 'social_work_talent_per_mille' and year == 2025")
    assert row.p50.item() == pytest.approx(1000 / 500_000 * 1000)  # 2.0 per mille vs target 2.1
    assert row.p10.item() == pytest.approx(900 / 500_000 * 1000)
    assert row.target.item() == 2.1
    # 2.0 vs 2.1: short by 4.8 % (<= 5 %) -> at risk; 2024: 2.0 vs 2.0 -> on track unless p10 too low
    assert row.status.item() == ind.AT_RISK and row.status_zh.item() == "有风险"
    row24 = tracker.query("unit_id == 'jinjiang' and indicator_id == 'social_work_talent_per_mille' and year == 2024")
    assert row24.status.item() == ind.AT_RISK  # p10 = 1.8 < 2.0 x 0.95
    nb = tracker.query("unit_id == 'jinjiang' and indicator_id == 'nursing_beds_per_1000_elderly' and year == 2025")
    assert nb.p50.item() == pytest.approx(0.60 * 4000 / 200_000 * 1000)  # 12.0 per 1,000
    assert nb.status.item() == ind.ON_TRACK
    assert "bed_stock" in nb.computed_from.item()


def test_uncomputed_and_untargeted_are_missing_not_zero(tracker):
    lottery = tracker.query("indicator_id == 'welfare_lottery_outlets'")
    assert lottery.p50.isna().all() and (lottery.status == ind.NOT_COMPUTED).all()
    no_target = tracker.query("indicator_id == 'nursing_beds_per_1000_elderly' and year == 2020")
    assert (no_target.status == ind.NO_TARGET).all()


@pytest.mark.parametrize("p10, p50, p90, expected", [
    (np.nan, 100.0, np.nan, ind.ON_TRACK),
    (np.nan, 99.5, np.nan, ind.ON_TRACK),      # within the 1 % tolerance
    (np.nan, 97.0, np.nan, ind.AT_RISK),       # short by 3 %
    (np.nan, 90.0, np.nan, ind.OFF_TRACK),     # short by 10 %
    (80.0, 90.0, 101.0, ind.AT_RISK),          # target inside the band
    (80.0, 90.0, 99.0, ind.OFF_TRACK),
    (90.0, 101.0, 110.0, ind.AT_RISK),         # median fine, p10 far below
    (96.0, 101.0, 110.0, ind.ON_TRACK),
])
def test_status_thresholds(p10, p50, p90, expected):
    assert ind.status([100.0], [p10], [p50], [p90])[0] == expected


def test_status_lower_is_better_mirrors():
    assert ind.status([100.0], [np.nan], [95.0], [np.nan], "lower")[0] == ind.ON_TRACK
    assert ind.status([100.0], [np.nan], [110.0], [np.nan], "lower")[0] == ind.OFF_TRACK
    with pytest.raises(AnalysisError):
        ind.status([1.0], [1.0], [1.0], [1.0], "sideways")


def test_tracker_rejects_bad_frames():
    with pytest.raises(AnalysisError, match="columns"):
        ind.track(pd.DataFrame({"unit_id": ["x"]}))


def test_extra_targets_from_plan_text(tracker):
    row = tracker.query("unit_id == 'quanzhou' and indicator_id == 'certified_social_workers_per_10k'")
    assert row.target.item() == 10 and row.year.item() == 2025


def test_population_frame_and_dibao_path_feed_the_tracker():
    from analysis.services import assistance
    f = assistance.dibao_path("baseline", 2020, 2025, units=["anxi"])
    t = ind.track(f, units=["anxi"])
    ratio = t.query("indicator_id == 'dibao_to_min_wage_ratio'")
    assert (ratio.status == ind.ON_TRACK).all() and len(ratio) == 6
    table = ind.tracker_table(t, "anxi")
    assert list(table["状态 status"].unique()) == ["达标"]
    html = ind.style_tracker(table).to_html()
    assert "background-color" in html

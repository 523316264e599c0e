"""Plan-indicator tracker: plan tables, targets vs base-year references, status thresholds, bands,
which indicators are computed (and that none is computed from its own target)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.data import loaders
from analysis.errors import AnalysisError
from analysis.people import people_table_html
from analysis.present import indicator_notes, tracker_table
from analysis.services import indicators as ind
from analysis.tidy import COLUMNS

# A hypothetical projection of the social-work talent stock: no model has one, so the ratio
# machinery is checked by hand on a tracked mapping that adds the route.
WITH_TALENT = {
    **ind.DEFAULT_TRACKED,
    "social_work_talent_per_mille": ind.Tracked(
        "social_work_talent_per_mille", "zl2", ((1000.0, ("social_work_talent",), "pop_total"),)
    ),
}


def frame(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture(scope="module")
def projected():
    rows = []
    for unit in ("jinjiang", "quanzhou"):
        for year in range(2020, 2026):
            rows.append(
                (
                    unit,
                    year,
                    "dibao_to_min_wage_ratio",
                    np.nan,
                    loaders.load_plan_zl2()
                    .query("indicator_id == 'dibao_to_min_wage_ratio' and year == @year")
                    .value.item(),
                    np.nan,
                    "percent",
                )
            )
            rows.append((unit, year, "social_work_talent", 900.0, 1000.0, 1100.0, "persons"))
            rows.append((unit, year, "pop_total", np.nan, 500_000.0, np.nan, "persons"))
            rows.append((unit, year, "bed_stock", np.nan, 4000.0, np.nan, "beds"))
            rows.append((unit, year, "nursing_bed_share_target", np.nan, 60.0, np.nan, "percent"))
            rows.append((unit, year, "pop_60plus", np.nan, 200_000.0, np.nan, "persons"))
            rows.append((unit, year, "certified_social_workers_path", np.nan, 500.0, np.nan, "persons"))
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


def test_ratio_indicator_by_hand(projected):
    t = ind.track(projected, WITH_TALENT)
    row = t.query("unit_id == 'jinjiang' and indicator_id == 'social_work_talent_per_mille' and year == 2025")
    assert row.p50.item() == pytest.approx(1000 / 500_000 * 1000)  # 2.0 per mille vs target 2.1
    assert row.p10.item() == pytest.approx(900 / 500_000 * 1000)  # fixed denominator: exact
    assert row.target.item() == 2.1 and row.role.item() == ind.TARGET
    # 2.0 vs 2.1: short by 4.8 % (<= 5 %) -> at risk; 2024: 2.0 vs 2.0 -> on track unless p10 too low
    assert row.status.item() == ind.AT_RISK and row.status_zh.item() == "有风险"
    row24 = t.query("unit_id == 'jinjiang' and indicator_id == 'social_work_talent_per_mille' and year == 2024")
    assert row24.status.item() == ind.AT_RISK  # p10 = 1.8 < 2.0 x 0.95
    assert row.computed_from.item() == "1000 × social_work_talent ÷ pop_total"


def test_nursing_beds_per_1000_is_not_computed_from_the_all_beds_stock(tracker):
    # bed_stock, nursing_bed_share_target and pop_60plus are all in the frame, yet the row stays
    # missing: share of institutional beds × stock of all beds is not a nursing-bed count.
    nb = tracker.query("indicator_id == 'nursing_beds_per_1000_elderly'")
    assert nb.p50.isna().all() and (nb.computed_from == "").all()
    assert (nb.query("year > 2020").status == ind.NOT_COMPUTED).all()
    assert "institutional" in nb.note.iloc[0] and "bed_stock" in nb.note.iloc[0]
    assert tracker.query("indicator_id == 'nursing_bed_share'").p50.isna().all()


def test_certified_social_workers_are_not_compared_with_their_own_target(tracker):
    row = tracker.query("unit_id == 'quanzhou' and indicator_id == 'certified_social_workers_per_10k'")
    assert row.target.item() == 10 and row.year.item() == 2025  # the plan-text target is still listed
    assert np.isnan(row.p50.item()) and row.status.item() == ind.NOT_COMPUTED
    assert "certified_social_workers_path" in row.note.item() and "not computed" in row.note.item()


def test_a_route_through_a_target_is_refused():
    with pytest.raises(AnalysisError, match="target with itself"):
        ind.Tracked(
            "nursing_beds_per_1000_elderly", "zl2", ((10.0, ("nursing_bed_share_target", "bed_stock"), "pop_60plus"),)
        )
    with pytest.raises(AnalysisError, match="target with itself"):
        ind.Tracked(
            "certified_social_workers_per_10k",
            "plan_targets",
            ((1e4, ("certified_social_workers_path",), "pop_total"),),
        )
    with pytest.raises(AnalysisError, match="target with itself"):
        ind.Tracked("x", "zl2", ((1.0, ("x",), None),))
    ind.Tracked("x", "zl2", ((1.0, ("x",), None),), target_applied=True)  # declared: allowed
    with pytest.raises(AnalysisError, match="table"):
        ind.Tracked("x", "zl3", ())


def test_default_routes_read_no_target_derived_output():
    for spec in ind.DEFAULT_TRACKED.values():
        if not spec.target_applied:
            assert not any(ind.is_target_derived(n) or n == spec.target_id for n in spec.inputs()), spec


def test_base_year_figures_are_references_not_scored(tracker):
    beds = tracker.query("unit_id == 'quanzhou' and indicator_id == 'beds_per_1000_elderly'")
    assert beds.year.tolist() == [2020] and beds.target.item() == 38
    assert beds.p50.item() == pytest.approx(1000 * 4000 / 200_000)  # 20 vs 38 would be "off track"
    assert beds.status.item() == ind.REFERENCE and beds.status_zh.item() == "基期参考"
    assert beds.role.item() == ind.BASE_REFERENCE
    base = tracker.query("year == 2020")
    assert (base.role == ind.BASE_REFERENCE).all()
    assert not base.status.isin(ind.SCORED).any()
    assert (base[base.target.notna()].status == ind.REFERENCE).all()
    assert (tracker.query("year > 2020").role != ind.BASE_REFERENCE).all()


def test_uncomputed_and_untargeted_are_missing_not_zero(tracker):
    lottery = tracker.query("indicator_id == 'welfare_lottery_outlets'")
    assert lottery.p50.isna().all()
    assert (lottery.query("year > 2020").status == ind.NOT_COMPUTED).all()
    assert (lottery.note == ind.NO_MODEL_NOTE).all()
    no_target = tracker.query("indicator_id == 'nursing_beds_per_1000_elderly' and year == 2020")
    assert (no_target.status == ind.NO_TARGET).all()  # 专栏2 gives —— for 2020


@pytest.mark.parametrize(
    "p10, p50, p90, expected",
    [
        (np.nan, 100.0, np.nan, ind.ON_TRACK),
        (np.nan, 99.5, np.nan, ind.ON_TRACK),  # within the 1 % tolerance
        (np.nan, 97.0, np.nan, ind.AT_RISK),  # short by 3 %
        (np.nan, 90.0, np.nan, ind.OFF_TRACK),  # short by 10 %
        (80.0, 90.0, 101.0, ind.AT_RISK),  # target inside the band
        (80.0, 90.0, 99.0, ind.OFF_TRACK),
        (90.0, 101.0, 110.0, ind.AT_RISK),  # median fine, p10 far below
        (96.0, 101.0, 110.0, ind.ON_TRACK),
    ],
)
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


# --- bands -----------------------------------------------------------------------------------------


def a(*x):
    return np.array(x, dtype=float)


def test_band_fixed_numerator_varying_denominator_by_hand():
    # 1000 × 4000 beds ÷ (180k, 200k, 250k) persons: p10 from the denominator's p90 and vice versa
    p10, p50, p90 = ind.ratio_band(1000.0, [(a(np.nan), a(4000), a(np.nan))], (a(180_000), a(200_000), a(250_000)))
    assert p10[0] == pytest.approx(16.0) and p50[0] == pytest.approx(20.0) and p90[0] == pytest.approx(4e6 / 180_000)
    # a numerator band of zero width counts as fixed
    q10, _, q90 = ind.ratio_band(1000.0, [(a(4000), a(4000), a(4000))], (a(180_000), a(200_000), a(250_000)))
    assert (q10[0], q90[0]) == (p10[0], p90[0])


def test_band_without_any_uncertainty_is_missing_and_sign_is_handled():
    p10, p50, p90 = ind.ratio_band(2.0, [(a(np.nan), a(3.0), a(np.nan))], (a(np.nan), a(4.0), a(np.nan)))
    assert np.isnan(p10[0]) and np.isnan(p90[0]) and p50[0] == 1.5
    p10, p50, p90 = ind.ratio_band(-1.0, [(a(1.0), a(2.0), a(3.0))], None)
    assert (p10[0], p50[0], p90[0]) == (-3.0, -2.0, -1.0)


def test_band_both_varying_is_the_documented_approximation():
    p10, p50, p90 = ind.ratio_band(1.0, [(a(90.0), a(100.0), a(110.0))], (a(8.0), a(10.0), a(12.0)))
    assert (p10[0], p50[0], p90[0]) == pytest.approx((9.0, 10.0, 11.0))  # numerator percentiles ÷ median


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(1, 6),
    numerator=st.floats(1.0, 1e5),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([1.0, 10.0, 1000.0]),
)
def test_band_fixed_numerator_matches_the_draws(k, numerator, seed, scale):
    # With 10k + 1 draws numpy's p10/p90 fall on draws, so the percentiles of the ratio over the
    # draws must equal the tracker's band exactly.
    draws = np.random.default_rng(seed).uniform(1e3, 1e6, size=10 * k + 1)
    d10, d50, d90 = np.percentile(draws, [10, 50, 90])
    r10, r50, r90 = np.percentile(scale * numerator / draws, [10, 50, 90])
    p10, p50, p90 = ind.ratio_band(scale, [(a(np.nan), a(numerator), a(np.nan))], (a(d10), a(d50), a(d90)))
    assert p10[0] == pytest.approx(r10, rel=1e-12) and p90[0] == pytest.approx(r90, rel=1e-12)
    assert p50[0] == pytest.approx(r50, rel=1e-12)


def test_a_varying_denominator_reaches_the_tracker(projected):
    varied = projected.copy()
    sel = varied.indicator == "pop_60plus"
    varied.loc[sel, ["p10", "p90"]] = [160_000.0, 250_000.0]
    row = ind.track(varied).query("unit_id == 'jinjiang' and indicator_id == 'beds_per_1000_elderly'")
    assert row.p10.item() == pytest.approx(1000 * 4000 / 250_000) and row.p90.item() == pytest.approx(25.0)


# --- with the real models ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_tracker():
    from analysis import pipeline

    run = pipeline.run_models("baseline", base="registered", end_year=2026, draws=3, seed=1)
    return ind.track(run.projected)


def test_real_models_compute_exactly_these_plan_indicators(real_tracker):
    assert set(ind.computed_indicators(real_tracker)) == {"dibao_to_min_wage_ratio", "beds_per_1000_elderly"}
    # no status is shown: the 低保 ratio is the plan's target applied (按规划设定), not scored
    assert ind.scored_indicators(real_tracker) == []
    assert ind.scored_indicators(real_tracker, evidence_only=True) == []
    beds = real_tracker.query("indicator_id == 'beds_per_1000_elderly'")
    assert (beds.status == ind.REFERENCE).all() and (beds.year == 2020).all()
    ratio = real_tracker.query("indicator_id == 'dibao_to_min_wage_ratio' and year > 2020")
    assert (ratio.role == ind.TARGET_APPLIED).all() and ratio.note.str.contains("not evidence").all()
    for name in (
        "nursing_beds_per_1000_elderly",
        "nursing_bed_share",
        "social_work_talent_per_mille",
        "certified_social_workers_per_10k",
    ):
        rows = real_tracker.query("indicator_id == @name")
        assert rows.p50.isna().all() and rows.note.str.startswith(("not computed", "plan text")).all(), name


def test_real_models_compute_nothing_from_its_own_target(real_tracker):
    computed = real_tracker[real_tracker.p50.notna()]
    assert len(computed)
    for ind_id, how, role in (
        computed[["indicator_id", "computed_from", "role"]].drop_duplicates().itertuples(index=False)
    ):
        inputs = [w for w in how.replace("×", " ").replace("÷", " ").split() if not w.replace(".", "").isdigit()]
        own = [n for n in inputs if ind.is_target_derived(n) or n == ind_id]
        assert not own or role != ind.TARGET, (ind_id, how, role)
        if own:
            assert role in (ind.TARGET_APPLIED, ind.BASE_REFERENCE) and ind.DEFAULT_TRACKED[ind_id].target_applied


def test_a_value_set_from_the_plan_is_labelled_so_and_never_coloured(tracker):
    """Issue 28: the 05 tracker coloured the 低保/minimum-wage ratio green (达标) in 2021–2025
    although the model sets it from the plan: green by construction."""
    from analysis.services import charts_assistance

    ratio = tracker.query("indicator_id == 'dibao_to_min_wage_ratio' and year > 2020 and unit_id == 'jinjiang'")
    assert (ratio.status == ind.SET_FROM_PLAN).all() and (ratio.status_zh == "按规划设定").all()
    table = tracker_table.tracker_table(tracker, "jinjiang")
    styler = tracker_table.style_tracker(table)
    styler._compute()  # the cell styles pandas would write (ctx: (row, column) -> CSS pairs)
    col = list(table.columns).index("状态 status")
    set_rows = [i for i, v in enumerate(table["状态 status"]) if v == "按规划设定"]
    assert set_rows and all(not styler.ctx.get((i, col)) for i in set_rows)
    assert ind.SET_FROM_PLAN not in tracker_table.STATUS_COLOURS
    fig, ax = charts_assistance.indicator_chart(tracker, "jinjiang", "dibao_to_min_wage_ratio")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("达标" in t for t in labels) and any("按规划设定值" in t for t in labels), labels


def test_the_brief_names_the_assumed_stock_and_plan_expectations_as_such():
    from analysis.present.brief import findings

    def point(name, p50, target=None, status=""):
        return {"indicator": name, "p50": p50, "p10": None, "p90": None, "target": target, "status": status}

    text = "".join(
        findings(
            [
                point("pop_60plus", 2.0e5, 1.9e5, "高于规划预期 above expectation"),
                point("beds_required", 9000.0),
                point("bed_gap", 1200.0),
                point("certified_social_workers_required", 300.0, 320.0, "低于规划预期 below"),
            ],
            "德化县",
            2025,
        )
    )
    assert "现有存量" not in text and "规划新增" in text and "估" in text
    assert "规划目标" not in text and "规划预期19.0万人" in text and "规划预期320人" in text  # needs, not targets


def test_run_tables_do_not_score_the_bed_stock_against_itself():
    from analysis.run import tables

    assert "bed_stock" not in set(tables.plan_targets_frame(range(2020, 2031))["indicator"])


def test_population_frame_and_dibao_path_feed_the_tracker():
    from analysis.services import assistance, charts_assistance

    f = assistance.dibao_path("baseline", 2020, 2025, units=["anxi"])
    t = ind.track(f, units=["anxi"])
    ratio = t.query("indicator_id == 'dibao_to_min_wage_ratio'")
    assert len(ratio) == 6
    assert (ratio.query("year > 2020").status == ind.SET_FROM_PLAN).all()  # set from the plan: not scored
    assert ratio.query("year == 2020").status.item() == ind.REFERENCE
    table = tracker_table.tracker_table(t, "anxi")
    assert set(table["状态 status"]) == {"按规划设定", "基期参考"}
    assert set(table["口径 role"]) == {"目标代入", "基期参考"}
    html = tracker_table.style_tracker(table).to_html()
    assert "background-color" in html
    notes = indicator_notes.tracker_notes(t)
    assert list(notes.indicator_id) == list(ind.DEFAULT_TRACKED)
    fig, ax = charts_assistance.indicator_chart(t, "anxi", "dibao_to_min_wage_ratio")
    assert "基期公布值（不评分）" in ax.get_legend_handles_labels()[1]
    import matplotlib.pyplot as plt

    plt.close(fig)


CJK = re.compile(r"[\u4e00-\u9fff]")
SNAKE_CASE = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")


def test_page_05_method_table_is_in_chinese_for_readers(real_tracker):
    """Issue 28/25: page 05's table 计算方法与未计算原因 printed the tracker's developer prose
    ("not computed: … (nursing_bed_share_target)", "1000 × bed_stock ÷ pop_60plus"). Every row's
    说明 and 计算方式 now carry Chinese (from catalogue/notes.yaml and the indicator catalogue) and
    no code id; the tracker's own columns keep the developer wording."""
    notes = indicator_notes.tracker_notes(real_tracker)
    assert list(notes.indicator_id) == list(ind.DEFAULT_TRACKED)
    for column in ("note", "computed_from"):
        for text in notes[column]:
            assert CJK.search(text) and not SNAKE_CASE.search(text), (column, text)
            first_word = re.search(r"[A-Za-z\u4e00-\u9fff]", text).group()
            assert CJK.match(first_word), (column, text)  # Chinese first, English (if any) after " · "
    beds = notes.query("indicator_id == 'beds_per_1000_elderly'")
    assert beds.computed_from.item() == "1000 × 养老床位存量（县级为估算） ÷ 60岁及以上人口"
    assert notes.query("indicator_id == 'nursing_bed_share'").computed_from.item() == "未计算"
    page = people_table_html(
        notes.drop(columns="indicator_id"), labels={"indicator_zh": "指标", "computed_from": "计算方式", "note": "说明"}
    )
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page, flags=re.S)
    assert len(cells) == 3 * len(notes) and not any(SNAKE_CASE.search(c) for c in cells)
    developer = real_tracker.query("indicator_id == 'beds_per_1000_elderly'").computed_from.iloc[0]
    assert developer == "1000 × bed_stock ÷ pop_60plus"  # the developers' wording is kept in the tracker


def test_the_zl2_transcription_for_readers_has_no_code_identifier_and_no_english_blank():
    """Page 05 on screen (issue 28 item 4): the 专栏2 transcription shows Chinese names, not ids."""
    from analysis.present.pages.indicators import BLANK_IN_PLAN_ZH, zl2_for_people

    table = zl2_for_people()
    assert "indicator_id" not in table.columns and table["indicator_zh"].notna().all()
    assert "(blank in plan)" not in set(table["value_text"].dropna())
    assert BLANK_IN_PLAN_ZH in set(table["value_text"].dropna())

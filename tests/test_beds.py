"""Elder-care beds: hand-checked ratios, need view, stock, gap, accounting identities, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import catalogue
from analysis.data.loaders import load_plan_targets, load_plan_zl2
from analysis.data.plans import load_plan
from analysis.demography.result import N_AGES, ProjectionResult
from analysis.errors import ParameterError
from analysis.geography import CITY_ID, county_units
from analysis.scenarios import load_scenario
from analysis.services import beds, beds_report, prevalence
from analysis.services.unit_arrays import ratio_path

UNIT_IDS = [u.id for u in county_units()]
ADDITIVE_BEDS = [
    "beds_required",
    "nursing_beds_required",
    "institutional_beds_implied",
    "disabled_elderly",
    "beds_need_view",
    "bed_stock",
    "bed_gap",
    "bed_gap_need_view",
    "care_users",
    "care_users_severe",
    "nursing_beds_need_view",
    "nursing_bed_stock",
    "nursing_bed_gap",
    "beds_to_add",
    "nursing_beds_to_add",
]


def synthetic_result(
    draws: int = 1, years=range(2020, 2031), seed: int = 7, base: str = "registered", scale: float = 1.0
) -> ProjectionResult:
    """A small made-up projection: random persons by unit, sex and age, growing over the years."""
    rng = np.random.default_rng(seed)
    years = np.asarray(list(years))
    shape = (len(UNIT_IDS), 2, N_AGES)
    ages = np.arange(N_AGES)
    age_shape = np.exp(-0.03 * ages)  # fewer persons at older ages
    start = rng.uniform(0.5, 1.5, shape) * 20_000 * age_shape * scale
    growth = 1 + 0.02 * (years - years[0])
    draws_factor = 1 + 0.05 * rng.standard_normal(draws)
    pop = start[None, None] * growth[None, :, None, None, None] * draws_factor[:, None, None, None, None]
    return ProjectionResult(pop, years, list(UNIT_IDS), base, "test")


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("baseline")


def value(frame, unit, year, indicator, stat="p50"):
    sel = frame[(frame.unit_id == unit) & (frame.year == year) & (frame.indicator == indicator)]
    assert len(sel) == 1, (unit, year, indicator)
    return float(sel[stat].iloc[0])


def persons_60(result, t):
    return float(result.population[0, t, :, :, 60:].sum())


def elderly_by_hand(result, unit, year):
    u = UNIT_IDS.index(unit)
    t = list(result.years).index(year)
    return float(sum(result.population[0, t, u, s, a] for s in (0, 1) for a in range(60, N_AGES)))


# --- hand-checked ratios -------------------------------------------------------------------


def test_nursing_beds_2025_are_12_per_1000_elderly(scenario):
    result = synthetic_result()
    frame = beds.bed_requirements(result, scenario)
    for unit in ("jinjiang", "dehua"):
        elderly = elderly_by_hand(result, unit, 2025)
        assert value(frame, unit, 2025, "nursing_beds_required") == pytest.approx(12 * elderly / 1000)
        assert value(frame, unit, 2022, "nursing_beds_required") == pytest.approx(
            10.5 * elderly_by_hand(result, unit, 2022) / 1000
        )
        # held at the 2025 value afterwards (the plan stops in 2025)
        assert value(frame, unit, 2030, "nursing_beds_required") == pytest.approx(
            12 * elderly_by_hand(result, unit, 2030) / 1000
        )


def test_total_beds_38_per_1000_and_implied_institutional_beds(scenario):
    result = synthetic_result()
    frame = beds.bed_requirements(result, scenario)
    elderly = elderly_by_hand(result, "nanan", 2020)
    assert value(frame, "nanan", 2020, "beds_required") == pytest.approx(38 * elderly / 1000)
    e25 = elderly_by_hand(result, "nanan", 2025)
    # 12 nursing beds per 1,000 at a 60 % nursing share -> 20 institutional beds per 1,000
    assert value(frame, "nanan", 2025, "institutional_beds_implied") == pytest.approx(20 * e25 / 1000)
    assert value(frame, "nanan", 2023, "nursing_bed_share_target") == 58
    assert value(frame, CITY_ID, 2020, "nursing_bed_share_target") == 54.8


def test_no_2020_nursing_ratio_is_reported_missing(scenario):
    frame = beds.bed_requirements(synthetic_result(), scenario)
    assert np.isnan(value(frame, "licheng", 2020, "nursing_beds_required"))
    assert np.isnan(value(frame, "licheng", 2020, "nursing_beds_per_1000_elderly_target"))


def test_ratio_path_interpolates_holds_and_is_missing_before():
    path = ratio_path("x", {2021: 10, 2025: 12}, np.arange(2019, 2028))
    assert np.isnan(path[:2]).all()
    np.testing.assert_allclose(path[2:], [10, 10.5, 11, 11.5, 12, 12, 12])
    with pytest.raises(ParameterError, match="'x'.*calendar year"):
        ratio_path("x", {"soon": 1}, [2020])


# --- need view ------------------------------------------------------------------------------


def test_need_view_by_hand(scenario):
    """Users = k × w(s) × prevalent(s); k reproduces the 2020 residents; beds = users ÷ target occupancy."""
    result = synthetic_result()
    frame = beds.bed_requirements(result, scenario)
    u = UNIT_IDS.index("anxi")
    sched = prevalence.adl_schedule().set_index(["sex", "severity", "age_group"])["prevalence_pct"]
    labels = prevalence.group_labels(6)

    def prevalent(t, severity):
        total = 0.0
        for x, sex in enumerate(("male", "female")):
            for a in range(60, N_AGES):
                total += sched[(sex, severity, labels[min((a - 60) // 5, 5)])] / 100 * result.population[0, t, u, x, a]
        return total

    weighted = [prevalent(t, "severe") + 0.25 * prevalent(t, "moderate") for t in (0, 5)]
    residents = value(frame, "anxi", 2020, "bed_stock") * 0.53
    users_2025 = residents * weighted[1] / weighted[0]
    assert value(frame, "anxi", 2020, "care_users") == pytest.approx(residents, rel=1e-12)
    assert value(frame, "anxi", 2025, "care_users") == pytest.approx(users_2025, rel=1e-9)
    assert value(frame, "anxi", 2025, "beds_need_view") == pytest.approx(users_2025 / 0.85, rel=1e-9)
    severe = residents * prevalent(5, "severe") / weighted[0]
    assert value(frame, "anxi", 2025, "nursing_beds_need_view") == pytest.approx(severe / 0.85, rel=1e-9)
    assert value(frame, "anxi", 2025, "disabled_elderly") == pytest.approx(
        prevalent(5, "severe") + prevalent(5, "moderate"), rel=1e-9
    )


def test_base_year_calibration_reproduces_todays_residents_exactly(scenario):
    """Every unit and the city: 2020 users = 2020 stock × observed occupancy (53 %)."""
    frame = beds.bed_requirements(synthetic_result(draws=3), scenario)
    rows = frame[frame.year == 2020].pivot(index="unit_id", columns="indicator", values="p50")
    np.testing.assert_allclose(rows["care_users"], rows["bed_stock"] * 0.53, rtol=1e-12)
    assert rows.loc[CITY_ID, "care_users"] == pytest.approx(42_180 * 0.53, rel=1e-12)  # 22,355.4 by hand


def test_adl_schedule_by_hand():
    """CHNS 2006 counts → log-linear fit; severe share of each group from the Shanghai census proxy."""
    adl = prevalence.adl_table()
    np.testing.assert_allclose(adl["prevalence_pct"], [100 * 62 / 1341, 100 * 105 / 799, 100 * 67 / 212])
    a, b = prevalence.fit_log_linear([64.5, 74.5, 85.0], [62, 105, 67], [1341, 799, 212])
    sched = prevalence.adl_schedule().set_index(["sex", "severity", "age_group"])["prevalence_pct"]
    sh = prevalence.schedule_by_sex().set_index(["sex", "severity", "age_group"])["prevalence_pct"]
    total = 100 * np.exp(a + b * 72.5)  # 70-74
    share = sh[("female", "severe", "70-74")] / (
        sh[("female", "severe", "70-74")] + sh[("female", "moderate", "70-74")]
    )
    assert sched[("female", "severe", "70-74")] == pytest.approx(total * share)
    assert sched[("female", "moderate", "70-74")] == pytest.approx(total * (1 - share))
    assert sched[("male", "severe", "70-74")] + sched[("male", "moderate", "70-74")] == pytest.approx(total)


def test_shanghai_alternative_is_still_available(scenario):
    s = scenario.with_overrides({"beds.prevalence_schedule": "sex_severity"})
    frame = beds.bed_requirements(synthetic_result(), s)
    rows = frame[frame.year == 2020].pivot(index="unit_id", columns="indicator", values="p50")
    np.testing.assert_allclose(rows["care_users"], rows["bed_stock"] * 0.53, rtol=1e-12)


def test_single_schedule_alternative_uses_the_shanghai_proxy_for_severe_only(scenario):
    s = scenario.with_overrides({"beds.prevalence_schedule": "single"})
    frame = beds.bed_requirements(synthetic_result(), s)
    assert value(frame, "anxi", 2025, "care_users") == pytest.approx(value(frame, "anxi", 2025, "care_users_severe"))
    rows = frame[frame.year == 2020].pivot(index="unit_id", columns="indicator", values="p50")
    np.testing.assert_allclose(rows["care_users"], rows["bed_stock"] * 0.53, rtol=1e-12)


def test_zero_prevalence_gives_zero_need(scenario):
    s = scenario.with_overrides({"beds.disability_prevalence_pct": [0, 0, 0], "beds.prevalence_schedule": "single"})
    frame = beds.bed_requirements(synthetic_result(), s)
    need = frame[frame.indicator == "beds_need_view"]
    assert (need["p50"] == 0).all()


@settings(max_examples=25, deadline=None)
@given(target=st.floats(1, 50), occupancy=st.floats(1, 100))
def test_doubling_target_occupancy_halves_the_need(target, occupancy):
    result = synthetic_result(years=range(2020, 2023))
    base = load_scenario("baseline").values
    one = beds.bed_arrays(result, {**base, "beds.target_occupancy_pct": target, "beds.occupancy_pct": occupancy})
    two = beds.bed_arrays(result, {**base, "beds.target_occupancy_pct": 2 * target, "beds.occupancy_pct": occupancy})
    np.testing.assert_allclose(two["beds_need_view"], one["beds_need_view"] / 2, rtol=1e-12)


# --- prevalence proxy and its extension -----------------------------------------------------


def test_proxy_observed_groups_match_the_raw_table():
    table = prevalence.proxy_table()
    assert list(table["age_group"]) == ["60-64", "65-69", "70-74"]
    np.testing.assert_allclose(table["prevalence_pct"], [100 * 81 / 11210, 100 * 79 / 7614, 100 * 136 / 5348])


@pytest.mark.filterwarnings("ignore:Perfect separation")  # exact data: statsmodels flags the perfect fit
def test_log_linear_fit_recovers_an_exact_exponential():
    ages = np.array([62.0, 67.0, 72.0])
    persons = np.array([10_000.0, 8_000.0, 6_000.0])
    unable = persons * np.exp(-12.0 + 0.11 * ages)
    a, b = prevalence.fit_log_linear(ages, unable, persons)
    assert a == pytest.approx(-12.0, abs=1e-6) and b == pytest.approx(0.11, abs=1e-8)


def test_extended_schedule_rises_with_age_and_is_labelled_estimated():
    sched = prevalence.proxy_schedule()
    assert list(sched["age_group"]) == ["60-64", "65-69", "70-74", "75-79", "80-84", "85+"]
    assert (np.diff(sched["prevalence_pct"].iloc[2:]) > 0).all()
    assert sched["basis"].iloc[3:].str.startswith("estimated").all()
    assert sched["basis"].iloc[:3].str.contains("proxy").all()


def test_baseline_prevalence_parameter_is_the_fitted_schedule(scenario):
    fitted = prevalence.proxy_schedule()["prevalence_pct"].to_numpy()
    np.testing.assert_allclose(scenario["beds.disability_prevalence_pct"], fitted, atol=0.006)


def test_single_age_schedule_open_last_group():
    rates = prevalence.by_single_age([1, 2], n_ages=101)
    assert rates[59] == 0 and rates[60] == rates[64] == 0.01 and rates[65] == rates[100] == 0.02


# --- stock and gap --------------------------------------------------------------------------


def test_city_stock_known_points_interpolation_additions_and_missing():
    stock = beds.city_bed_stock(np.arange(2015, 2031), (2021, 2025))
    by_year = dict(zip(range(2015, 2031), stock))
    assert np.isnan(by_year[2015]) and np.isnan(by_year[2016])  # missing, never zero
    assert by_year[2017] == 30_023
    assert by_year[2019] == pytest.approx(30_023 + (42_180 - 30_023) * 2 / 3)
    assert by_year[2020] == pytest.approx(42_180)  # 38 per 1,000 × 1,110,000 registered elderly
    assert by_year[2021] == pytest.approx(43_180) and by_year[2025] == pytest.approx(47_180)
    assert by_year[2030] == pytest.approx(47_180)
    later = beds.city_bed_stock([2026, 2030], (2021, 2025), after_per_year=100)
    np.testing.assert_allclose(later, [47_280, 47_680])


def test_base_year_stock_is_consistent_with_the_plan():
    """The plan's 2020 figures: 突破4万张, 38 per 1,000 and 111多万 registered elderly — one stock fits all three."""
    stock = beds.plan_stock_2020()
    assert stock == pytest.approx(42_180)
    assert stock > 40_000
    assert 1000 * stock / 1_110_000 == pytest.approx(38)


def test_registered_2020_gap_is_zero_when_the_projection_has_the_plans_elderly(scenario):
    result = synthetic_result()
    result.population[...] *= 1_110_000 / persons_60(result, 0)
    frame = beds.bed_requirements(result, scenario)
    assert value(frame, CITY_ID, 2020, "bed_gap") == pytest.approx(0, abs=1e-6)


def test_unit_stock_is_allocated_by_2020_elderly_share(scenario):
    result = synthetic_result()
    frame = beds.bed_requirements(result, scenario)
    share = elderly_by_hand(result, "shishi", 2020) / sum(elderly_by_hand(result, u, 2020) for u in UNIT_IDS)
    assert value(frame, "shishi", 2024, "bed_stock") == pytest.approx(46_180 * share)
    gap = value(frame, "shishi", 2024, "beds_required") - value(frame, "shishi", 2024, "bed_stock")
    assert value(frame, "shishi", 2024, "bed_gap") == pytest.approx(gap)


def test_missing_stock_before_2017_is_nan_in_the_output(scenario):
    frame = beds.bed_requirements(synthetic_result(years=range(2015, 2022)), scenario)
    stock = frame[(frame.indicator == "bed_stock") & (frame.year == 2016)]
    assert stock["p50"].isna().all()
    assert frame[(frame.indicator == "bed_gap") & (frame.year == 2016)]["p50"].isna().all()


def test_shortfall_year():
    frame = pd.DataFrame(
        {
            "unit_id": ["a"] * 3 + ["b"] * 3,
            "year": [2020, 2021, 2022] * 2,
            "indicator": "bed_gap",
            "p10": np.nan,
            "p50": [-5, 3, 4, -1, -2, -3],
            "p90": np.nan,
            "measure": "beds",
        }
    )
    out = beds.shortfall_year(frame).set_index("unit_id")["first_shortfall_year"]
    assert out["a"] == 2021 and pd.isna(out["b"])


# --- identities and properties -------------------------------------------------------------


def test_units_add_up_to_the_city_draw_by_draw(scenario):
    arrays = beds.bed_arrays(synthetic_result(draws=5), scenario)
    for name in ADDITIVE_BEDS:
        np.testing.assert_allclose(arrays[name][..., -1], arrays[name][..., :-1].sum(axis=-1), rtol=1e-12)


def test_single_draw_frame_adds_up_and_has_no_interval(scenario):
    frame = beds.bed_requirements(synthetic_result(draws=1), scenario)
    for name in ADDITIVE_BEDS:
        rows = frame[frame.indicator == name]
        units = rows[rows.unit_id != CITY_ID].groupby("year")["p50"].sum(min_count=1)
        city = rows[rows.unit_id == CITY_ID].set_index("year")["p50"]
        pd.testing.assert_series_equal(units, city, check_names=False)
    assert frame["p10"].isna().all() and frame.attrs["base"] == "registered"


def test_many_draws_give_ordered_percentiles(scenario):
    frame = beds.bed_requirements(synthetic_result(draws=20, base="resident"), scenario)
    rows = frame[frame.indicator == "beds_required"]
    assert (rows["p10"] <= rows["p50"]).all() and (rows["p50"] <= rows["p90"]).all()
    assert frame.attrs["base"] == "resident"
    assert set(frame.columns) == {"unit_id", "year", "indicator", "p10", "p50", "p90", "measure"}
    assert len(frame["unit_id"].unique()) == 14


def test_zero_elderly_unit_needs_zero_beds(scenario):
    result = synthetic_result()
    result.population[:, :, UNIT_IDS.index("dehua"), :, 60:] = 0
    frame = beds.bed_requirements(result, scenario)
    for name in (
        "beds_required",
        "nursing_beds_required",
        "beds_need_view",
        "nursing_beds_need_view",
        "care_users",
        "bed_stock",
        "nursing_bed_stock",
        "beds_to_add",
        "nursing_beds_to_add",
    ):
        rows = frame[(frame.unit_id == "dehua") & (frame.indicator == name)]["p50"].dropna()
        assert len(rows) and (rows == 0).all(), name


@settings(max_examples=20, deadline=None)
@given(scale=st.floats(0, 5), seed=st.integers(0, 1000), occupancy=st.floats(1, 100), ratio=st.floats(0, 100))
def test_no_negative_requirement(scale, seed, occupancy, ratio):
    result = synthetic_result(years=range(2020, 2024), seed=seed, scale=scale)
    base = load_scenario("baseline").values
    arrays = beds.bed_arrays(
        result, {**base, "beds.occupancy_pct": occupancy, "beds.beds_per_1000_elderly": {2020: ratio}}
    )
    for name in ("beds_required", "nursing_beds_required", "beds_need_view", "bed_stock", "disabled_elderly"):
        values = arrays[name]
        assert not (values[np.isfinite(values)] < 0).any(), name


# --- scenario values agree with the plan tables ----------------------------------------------


def test_yaml_ratios_equal_the_plan_tables(scenario):
    zl2 = load_plan_zl2()
    share = zl2[zl2.indicator_id == "nursing_bed_share"].set_index("year")["value"]
    nursing = (
        zl2[zl2.indicator_id == "nursing_beds_per_1000_elderly"].dropna(subset=["value"]).set_index("year")["value"]
    )
    assert {int(k): v for k, v in scenario["beds.nursing_share_pct"].items()} == share.to_dict()
    assert {int(k): v for k, v in scenario["beds.nursing_beds_per_1000_elderly"].items()} == nursing.to_dict()
    targets = load_plan_targets().set_index(["target_id", "year"])["value"]
    assert scenario["beds.beds_per_1000_elderly"] == {2020: targets[("beds_per_1000_elderly", 2020)]}
    assert scenario["beds.planned_new_beds"] == targets[("new_elderly_care_beds_2021_2025", 2025)]
    period = load_plan("qz_civil_affairs_14th")
    assert scenario["beds.planned_new_beds_years"] == [period.period_start, period.period_end]


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, bad, allowed",
    [
        ("beds.occupancy_pct", 0, "between 1 and 100"),
        ("beds.target_occupancy_pct", 120, "between 1 and 100"),
        ("beds.institutional_bed_share_pct", 120, "between 0 and 100"),
        ("beds.prevalence_schedule", "adl", "one of"),
        ("beds.nursing_share_pct", {2025: 101}, "between 0 and 100"),
        ("beds.beds_per_1000_elderly", {2020: -1}, "between 0 and 1000"),
        ("beds.disability_prevalence_pct", [1, -2], "between 0 and 100"),
        ("beds.planned_new_beds", -5000, ">= 0|between 0"),
        ("beds.planned_new_beds_years", [2021, 1800], "between"),
    ],
)
def test_bad_parameters_are_rejected_naming_the_parameter(key, bad, allowed):
    with pytest.raises(ParameterError, match=key.replace(".", r"\.")) as info:
        load_scenario("baseline", {key: bad})
    assert info.value.name.startswith(key)
    base = load_scenario("baseline").values
    with pytest.raises(ParameterError, match=allowed):
        beds.bed_requirements(synthetic_result(years=[2020]), {**base, key: bad})


def test_mapping_keyed_by_non_years_is_rejected():
    base = load_scenario("baseline").values
    # refused where the parameter is read (issue 27: mapping keys checked against the known keys)
    with pytest.raises(ParameterError, match="beds.beds_per_1000_elderly.*(calendar year|a year 1990–2100)"):
        beds.bed_requirements(synthetic_result(years=[2020]), {**base, "beds.beds_per_1000_elderly": {"x": 38}})


def test_missing_parameter_is_named():
    base = dict(load_scenario("baseline").values)
    del base["beds.occupancy_pct"]
    with pytest.raises(ParameterError, match="beds.occupancy_pct"):
        beds.bed_requirements(synthetic_result(years=[2020]), base)


def test_table_and_summary_text(scenario):
    frame = beds.bed_requirements(synthetic_result(), scenario)
    table = beds_report.bed_table(frame, "jinjiang")
    assert list(table.index) == list(range(2020, 2031))
    assert table.loc[2025, catalogue.label("nursing_beds_required")] == round(
        value(frame, "jinjiang", 2025, "nursing_beds_required")
    )
    text = beds_report.summary_zh(frame, "jinjiang", 2025)
    assert f"{value(frame, 'jinjiang', 2025, 'nursing_beds_required'):,.0f}" in text and "2025" in text
    assert text.index("护理型床位") < text.index("建设计划") < text.index("两种口径")  # the nursing gap leads
    assert beds.GAP_DEFINITION_ZH in text and "nan" not in text.lower()
    build = beds_report.build_table(frame, "jinjiang")
    assert pd.isna(build.iloc[0, 0]) and build.loc[2025].notna().all()
    with pytest.raises(ParameterError, match="unit"):
        beds_report.bed_table(frame, "nowhere")


def test_tables_for_people_have_separators_and_no_nan_or_negative_zero():
    table = pd.DataFrame(
        {"床位": [1234.4, -0.3, np.nan], catalogue.label("nursing_bed_share_target"): [54.8, 60, np.nan]}
    )
    out = beds_report.for_people(table)
    assert list(out["床位"]) == ["1,234", "0", "—"]
    assert list(out[catalogue.label("nursing_bed_share_target")]) == ["54.8%", "60.0%", "—"]


def test_alternatives_table_changes_one_assumption_at_a_time(scenario):
    result = synthetic_result(draws=2)
    table = beds_report.alternatives_table(result, scenario, "jinjiang", 2025)
    need = catalogue.label("beds_need_view")
    base = table.iloc[0][need]
    assert base == pytest.approx(
        np.median(beds.bed_arrays(result, scenario)["beds_need_view"][:, 5, UNIT_IDS.index("jinjiang")])
    )
    assert table.loc["目标入住率90% target occupancy 90 %", need] == pytest.approx(base * 85 / 90)
    assert table.loc["基期实际入住率70% observed occupancy 70 %", need] == pytest.approx(base * 70 / 53)


@pytest.mark.parametrize("period", [[2021], [2021, 2023, 2025], [2021.5, 2025], [2025, 2021]])
def test_the_planned_period_is_two_whole_years_in_order(period):
    """Review of issue 23: a period of one or three years, a fraction or the wrong order is refused by name."""
    with pytest.raises(ParameterError, match=r"beds\.planned_new_beds_years"):
        beds.bed_parameters(load_scenario("baseline", {"beds.planned_new_beds_years": period}))

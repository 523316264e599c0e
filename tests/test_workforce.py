"""Social-work workforce: hand-checked ratios, township bands, path, binding ratio, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import catalogue
from analysis.data.loaders import load_plan_targets, load_plan_zl2
from analysis.errors import ParameterError
from analysis.geography import CITY_ID
from analysis.scenarios import load_scenario
from analysis.present import workforce_report
from analysis.services import townships, workforce
from test_beds import UNIT_IDS, synthetic_result, value

ADDITIVE = [
    "certified_social_workers_required",
    "certified_social_workers_path",
    "certified_social_workers_additions",
    "social_work_talent_required",
    "social_workers_for_elderly_required",
    "social_workers_for_beds_required",
    "social_workers_binding_required",
    "assistance_coordinators_required",
    "volunteers_required",
]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("baseline")


def total_by_hand(result, unit, year, first_age=0):
    u, t = UNIT_IDS.index(unit), list(result.years).index(year)
    return float(result.population[0, t, u, :, first_age:].sum())


# --- hand-checked ratios -------------------------------------------------------------------


def test_certified_social_workers_2025_are_10_per_10000(scenario):
    result = synthetic_result()
    frame = workforce.workforce_requirements(result, scenario)
    for unit in ("licheng", "yongchun"):
        assert value(frame, unit, 2025, "certified_social_workers_required") == pytest.approx(
            10 * total_by_hand(result, unit, 2025) / 10_000
        )
        assert np.isnan(value(frame, unit, 2024, "certified_social_workers_required"))  # no target before 2025


def test_talent_volunteers_elderly_and_bed_ratios(scenario):
    result = synthetic_result()
    frame = workforce.workforce_requirements(result, scenario)
    pop25 = total_by_hand(result, "huian", 2025)
    assert value(frame, "huian", 2025, "social_work_talent_required") == pytest.approx(2.1 * pop25 / 1000)
    assert value(frame, "huian", 2020, "social_work_talent_required") == pytest.approx(
        1.6 * total_by_hand(result, "huian", 2020) / 1000
    )
    assert value(frame, "huian", 2025, "volunteers_required") == pytest.approx(0.18 * pop25)
    assert np.isnan(value(frame, "huian", 2024, "volunteers_required"))
    assert value(frame, "huian", 2025, "social_workers_for_elderly_required") == pytest.approx(
        total_by_hand(result, "huian", 2025, 60) / 1000
    )
    from analysis.services import beds

    bed_frame = beds.bed_requirements(result, scenario)
    assert value(frame, "huian", 2025, "social_workers_for_beds_required") == pytest.approx(
        value(bed_frame, "huian", 2025, "bed_stock") / 100
    )


@pytest.mark.parametrize(
    "persons, expected",
    [(0, 1), (19_999, 1), (20_000, 2), (49_999, 2), (50_000, 3), (99_999, 3), (100_000, 4), (1_000_000, 4)],
)
def test_coordinators_per_township_bands(persons, expected):
    assert townships.coordinators_per_township(persons) == expected


def test_coordinators_per_township_vectorised():
    out = townships.coordinators_per_township(np.array([[19_999, 20_000], [100_000, 50_000]]))
    np.testing.assert_array_equal(out, [[1, 2], [4, 3]])


def test_township_allocation_largest_remainder():
    np.testing.assert_array_equal(townships.allocate_townships([1, 1, 2], 8), [2, 2, 4])
    counts = townships.allocate_townships(np.r_[np.ones(12), 1e6], 163)
    assert counts.sum() == 163 and counts.min() == 1 and counts[-1] == 163 - 12
    with pytest.raises(ParameterError, match="at least 1 per unit"):
        townships.allocate_townships([1, 2, 3], 2)


def test_coordinators_of_a_unit_by_hand():
    # 300,000 persons in 4 townships of 75,000 -> 3 each -> 12; 39,000 in 2 -> 19,500 each -> 1 each
    np.testing.assert_array_equal(townships.coordinators_required([300_000, 39_000], [4, 2]), [12, 2])


def test_townships_sum_to_163_and_coordinators_add_up(scenario):
    frame = workforce.workforce_requirements(synthetic_result(), scenario)
    towns = frame[(frame.indicator == "townships_estimated") & (frame.year == 2020)].set_index("unit_id")["p50"]
    assert towns[CITY_ID] == 163 and towns.drop(CITY_ID).sum() == 163 and towns.drop(CITY_ID).min() >= 1


# --- path from the 2020 count -------------------------------------------------------------


def test_certified_path_from_2620_to_the_2025_requirement(scenario):
    result = synthetic_result()
    frame = workforce.workforce_requirements(result, scenario)
    assert value(frame, CITY_ID, 2020, "certified_social_workers_path") == pytest.approx(2620)
    for unit in ("jinjiang", CITY_ID):
        start = value(frame, unit, 2020, "certified_social_workers_path")
        end = value(frame, unit, 2025, "certified_social_workers_required")
        assert value(frame, unit, 2025, "certified_social_workers_path") == pytest.approx(end)
        assert value(frame, unit, 2023, "certified_social_workers_path") == pytest.approx(start + 0.6 * (end - start))
        adds = sum(value(frame, unit, y, "certified_social_workers_additions") for y in range(2021, 2026))
        assert adds == pytest.approx(end - start)
    share = total_by_hand(result, "jinjiang", 2020) / sum(total_by_hand(result, u, 2020) for u in UNIT_IDS)
    assert value(frame, "jinjiang", 2020, "certified_social_workers_path") == pytest.approx(2620 * share)


def test_path_missing_when_2020_is_not_projected(scenario):
    frame = workforce.workforce_requirements(synthetic_result(years=range(2022, 2027)), scenario)
    assert frame[frame.indicator == "certified_social_workers_path"]["p50"].isna().all()


# --- binding ratio ------------------------------------------------------------------------


def test_binding_ratio_by_hand():
    rows = []
    for ind, vals in {
        "certified_social_workers_path": [5, 1],
        "social_workers_for_elderly_required": [3, 2],
        "social_workers_for_beds_required": [1, np.nan],
    }.items():
        rows += [
            {"unit_id": "a", "year": y, "indicator": ind, "p10": np.nan, "p50": v, "p90": np.nan, "measure": "persons"}
            for y, v in zip((2020, 2021), vals)
        ]
    out = workforce.binding_ratio(pd.DataFrame(rows)).set_index("year")
    assert out.loc[2020, "binding"] == "certified_social_workers_path" and out.loc[2020, "required"] == 5
    assert out.loc[2021, "binding"] == "social_workers_for_elderly_required" and out.loc[2021, "required"] == 2


def test_binding_requirement_is_the_largest_and_switching_off(scenario):
    result = synthetic_result(draws=3)
    arrays = workforce.workforce_arrays(result, scenario)
    top = np.fmax(
        np.fmax(
            arrays["certified_social_workers_path"][..., :-1], arrays["social_workers_for_elderly_required"][..., :-1]
        ),
        arrays["social_workers_for_beds_required"][..., :-1],
    )
    np.testing.assert_allclose(arrays["social_workers_binding_required"][..., :-1], top)
    off = workforce.workforce_arrays(
        result,
        scenario.with_overrides(
            {"workforce.social_workers_per_1000_elderly": 0, "workforce.social_workers_per_100_beds": 0}
        ),
    )
    assert (off["social_workers_for_elderly_required"] == 0).all()
    assert (off["social_workers_for_beds_required"][np.isfinite(off["social_workers_for_beds_required"])] == 0).all()
    required = workforce.workforce_arrays(result, scenario.with_overrides({"workforce.beds_basis": "required"}))
    from analysis.services import beds

    np.testing.assert_allclose(
        required["social_workers_for_beds_required"], beds.bed_arrays(result, scenario)["beds_required"] / 100
    )


# --- identities and properties -------------------------------------------------------------


def test_units_add_up_to_the_city_draw_by_draw(scenario):
    arrays = workforce.workforce_arrays(synthetic_result(draws=4), scenario)
    for name in ADDITIVE:
        np.testing.assert_allclose(arrays[name][..., -1], arrays[name][..., :-1].sum(axis=-1), rtol=1e-12)


def test_single_draw_frame_adds_up(scenario):
    frame = workforce.workforce_requirements(synthetic_result(base="resident"), scenario)
    for name in ADDITIVE:
        rows = frame[frame.indicator == name]
        units = rows[rows.unit_id != CITY_ID].groupby("year")["p50"].sum(min_count=1)
        city = rows[rows.unit_id == CITY_ID].set_index("year")["p50"]
        pd.testing.assert_series_equal(units, city, check_names=False)
    assert frame.attrs["base"] == "resident" and any("RESIDENT" in str(n) for n in frame.attrs["notes"])


@settings(max_examples=20, deadline=None)
@given(scale=st.floats(0, 20), seed=st.integers(0, 1000), per10k=st.floats(0, 50))
def test_no_negative_requirement(scale, seed, per10k):
    result = synthetic_result(years=range(2020, 2027), seed=seed, scale=scale)
    base = load_scenario("baseline").values
    arrays = workforce.workforce_arrays(result, {**base, "workforce.certified_per_10k": {2025: per10k}})
    for name in ADDITIVE:
        if name == "certified_social_workers_additions":
            continue  # a shrinking population can need fewer workers: additions may be negative
        values = arrays[name]
        assert not (values[np.isfinite(values)] < 0).any(), name
    assert (arrays["assistance_coordinators_required"][..., :-1] >= 1).all()  # every township keeps one


# --- scenario values agree with the plan tables ----------------------------------------------


def test_yaml_values_equal_the_plan(scenario):
    targets = load_plan_targets().set_index(["target_id", "year"])["value"]
    bands = [
        "coordinators_per_township_below_20k",
        "coordinators_per_township_20k_50k",
        "coordinators_per_township_50k_100k",
        "coordinators_per_township_100k_plus",
    ]
    assert scenario["workforce.coordinators_per_band"] == [targets[(b, 2021)] for b in bands]
    assert scenario["workforce.certified_per_10k"] == {2025: targets[("certified_social_workers_per_10k", 2025)]}
    assert scenario["workforce.volunteer_share_pct"] == {2025: targets[("registered_volunteer_share", 2025)]}
    zl2 = load_plan_zl2()
    talent = zl2[zl2.indicator_id == "social_work_talent_per_mille"].set_index("year")["value"].to_dict()
    assert {int(k): v for k, v in scenario["workforce.talent_per_mille"].items()} == talent


def test_plan_clause_for_elderly_and_bed_ratio_is_cited(scenario):
    assert "每千名老年人、每百张养老床位配备1名社会工作者" in scenario.source(
        "workforce.social_workers_per_1000_elderly"
    )


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, bad, allowed",
    [
        ("workforce.certified_per_10k", {2025: -1}, "between 0 and 10000"),
        ("workforce.social_workers_per_1000_elderly", -1, "between 0 and 1000"),
        ("workforce.volunteer_share_pct", {2025: 118}, "between 0 and 100"),
        ("workforce.beds_basis", "planned", "one of"),
        ("workforce.coordinators_per_band", [1, -2, 3, 4], "between 0 and 100"),
    ],
)
def test_bad_parameters_are_rejected_naming_the_parameter(key, bad, allowed):
    with pytest.raises(ParameterError, match=key.replace(".", r"\.")):
        load_scenario("baseline", {key: bad})
    base = load_scenario("baseline").values
    with pytest.raises(ParameterError, match=allowed):
        workforce.workforce_requirements(synthetic_result(years=[2020]), {**base, key: bad})


def test_band_counts_must_match_limits():
    base = load_scenario("baseline").values
    with pytest.raises(ParameterError, match="workforce.coordinators_per_band.*one more"):
        workforce.workforce_requirements(
            synthetic_result(years=[2020]), {**base, "workforce.coordinators_per_band": [1, 2, 3]}
        )


def test_table_and_summary_text(scenario):
    frame = workforce.workforce_requirements(synthetic_result(), scenario)
    table = workforce_report.workforce_table(frame, "anxi")
    assert table.loc[2025, catalogue.label("certified_social_workers_required")] == round(
        value(frame, "anxi", 2025, "certified_social_workers_required")
    )
    assert table["约束性比例 binding ratio"].notna().all()
    text = workforce_report.summary_zh(frame, "anxi", 2025)
    assert f"{value(frame, 'anxi', 2025, 'certified_social_workers_required'):,.0f}" in text

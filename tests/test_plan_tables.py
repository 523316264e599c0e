"""The transcribed plan tables match the plan text to the digit."""

import pytest

from analysis.data import loaders


def zl2(indicator_id, year):
    frame = loaders.load_plan_zl2()
    row = frame[(frame.indicator_id == indicator_id) & (frame.year == year)]
    assert len(row) == 1
    return row.iloc[0]


@pytest.mark.parametrize(
    "indicator_id, year, value",
    [
        ("nursing_bed_share", 2025, 60),
        ("nursing_bed_share", 2020, 54.8),
        ("nursing_bed_share", 2021, 56),
        ("dibao_to_min_wage_ratio", 2025, 47.5),
        ("dibao_to_min_wage_ratio", 2023, 45.6),
        ("dibao_to_min_wage_ratio", 2020, 44.5),
        ("social_organisations", 2025, 7300),
        ("nursing_beds_per_1000_elderly", 2025, 12),
        ("nursing_beds_per_1000_elderly", 2022, 10.5),
        ("social_work_talent_per_mille", 2025, 2.1),
        ("social_work_talent_per_mille", 2020, 1.6),
        ("welfare_lottery_outlets", 2024, 1168),
        ("community_facility_area_per_100_households", 2022, 36.5),
        ("county_minor_protection_coverage", 2022, 91.7),
        ("identified_vagrant_return_rate", 2023, 97),
        ("cross_province_marriage_registration_rate", 2025, 100),
    ],
)
def test_zl2_values(indicator_id, year, value):
    assert zl2(indicator_id, year).value == pytest.approx(value)


def test_zl2_shape_and_attributes():
    frame = loaders.load_plan_zl2()
    assert frame.seq.nunique() == 15
    assert set(frame.year) == set(range(2020, 2026))
    assert zl2("nursing_bed_share", 2025).attribute == "约束性"
    assert zl2("dibao_to_min_wage_ratio", 2025).attribute == "预期性"
    assert zl2("nursing_beds_per_1000_elderly", 2020).value_text == "——"


@pytest.mark.parametrize(
    "indicator_id, column, value",
    [
        ("urban_dibao_standard", "2015年", 5924),
        ("urban_dibao_standard", "2020年完成情况", 9005),
        ("rural_dibao_standard", "2020年完成情况", 8840),
        ("beds_per_1000_elderly", "2020年完成情况", 38),
        ("beds_per_1000_elderly", "2015年", 30.94),
        ("nursing_bed_share", "2020年完成情况", 54.8),
        ("certified_social_workers", "2020年完成情况", 2620),
        ("certified_social_workers", "2020年目标值", 1800),
        ("urban_sanwu_support_standard", "2020年完成情况", 18591.7),
        ("welfare_lottery_5yr_sales", "2015年", 57.34),
    ],
)
def test_zl1_values(indicator_id, column, value):
    frame = loaders.load_plan_zl1()
    row = frame[(frame.indicator_id == indicator_id) & (frame.column == column)]
    assert row.value.item() == pytest.approx(value)


@pytest.mark.parametrize(
    "target_id, year, value",
    [
        ("registered_pop_60plus", 2020, 1_110_000),
        ("registered_pop_60plus", 2025, 1_600_000),
        ("registered_share_60plus", 2020, 14.6),
        ("certified_social_workers_per_10k", 2025, 10),
        ("registered_volunteer_share", 2025, 18),
        ("new_elderly_care_beds_2021_2025", 2025, 5000),
        ("coordinators_per_township_100k_plus", 2021, 4),
        ("elderly_care_beds", 2020, 40000),
    ],
)
def test_plan_targets(target_id, year, value):
    assert loaders.plan_target(target_id, year) == pytest.approx(value)


def test_every_plan_target_quote_is_in_the_plan_text():
    """Each quote in plan_targets.csv appears verbatim in the plan (guards against paraphrase)."""
    from analysis import config

    text = (config.raw_dir() / "plan_quanzhou_civil_affairs_2021_2025.txt").read_text(encoding="utf-8")
    for quote in loaders.load_plan_targets()["quote"]:
        assert quote in text, quote

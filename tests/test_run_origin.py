"""The manifest's origin record (analysis.run.origin) agrees with the estimates' latest year."""

from __future__ import annotations

from analysis.demography import estimates
from analysis.run.html import origin_rows
from analysis.run.origin import origin_summary


def test_origin_summary_of_the_census_origin():
    record = origin_summary(2020)
    assert record["year"] == 2020 and record["basis"] == "census base"
    assert record["latest_possible"] == estimates.latest_data_year() >= 2022


def test_origin_summary_of_a_later_origin_names_the_data_cut():
    record = origin_summary(2022)
    assert "figures dated up to 2022-12-31" in record["data_vintage"]
    assert "registry_annual" in record["data_vintage"]


def test_the_index_says_where_the_forecast_starts_and_how_far_the_data_reach():
    rows = origin_rows(origin_summary(2020))
    assert rows[0][0] == "起点 Origin"
    assert "2020年末" in rows[0][1] and "data reach" in rows[0][1]
    assert origin_rows(None) == []

"""tables/backtest.csv: the 2010 → 2020 backtest beside naive benchmarks."""

import pytest

from analysis.demography import backtest_benchmarks as bb
from analysis.demography.backtest import run_backtest


@pytest.fixture(scope="module")
def table():
    return run_backtest("baseline").benchmarks


def test_columns_and_rows(table):
    assert list(table.columns) == bb.COLUMNS
    for indicator in ("pop_total", "pop_0_14", "pop_60plus", "pop_65plus"):
        assert ((table["geography"] == "quanzhou") & (table["indicator"] == indicator)
                & (table["method"] == "suite")).any(), indicator
    assert {"suite", "constant_shares", "linear_trend"} <= set(table["method"])
    assert table["error_pct"].notna().all() and table["observed"].gt(0).all()


def test_error_arithmetic_and_observations(table):
    row = table[(table["geography"] == "quanzhou") & (table["indicator"] == "pop_60plus")
                & (table["method"] == "suite")].iloc[0]
    assert row["observed"] == pytest.approx(8_782_285 * 0.1321)               # census 2020: 13.21 %
    assert row["error_pct"] == pytest.approx(100 * (row["projected"] / row["observed"] - 1))


def test_constant_shares_hand_check(table):
    """2010 60+ share (711,804 / 8,128,530) × the suite's projected 2020 city total."""
    total = table[(table["geography"] == "quanzhou") & (table["indicator"] == "pop_total")
                  & (table["method"] == "suite")]["projected"].iloc[0]
    row = table[(table["geography"] == "quanzhou") & (table["indicator"] == "pop_60plus")
                & (table["method"] == "constant_shares")].iloc[0]
    assert row["projected"] == pytest.approx(total * 711_804 / 8_128_530)


def test_linear_trend_hand_check(table):
    row = table[(table["method"] == "linear_trend") & (table["indicator"] == "pop_total")].iloc[0]
    assert row["projected"] == pytest.approx(2 * 8_128_530 - 7_283_040)


def test_headline_leads_with_the_60plus_error(table):
    text = bb.headline_text(table)
    assert "60岁及以上" in text and "%" in text and "Hamilton–Perry" in text
    shown = bb.readable(table)
    assert not shown.isin(["nan", "NaN"]).any().any()


def test_suite_beats_constant_shares_on_shared_rows(table):
    s = bb.summary(table)
    assert s.loc["suite", "mape_shared_rows"] < s.loc["constant_shares", "mape_shared_rows"]


def test_every_row_names_its_base_and_the_method_it_tests(table):
    # issue 26 item 3: all rows today are on the resident base; the suite rows test the resident seed variant
    assert set(table["base"]) == {"resident"}
    assert table["tests"].notna().all()
    assert table.loc[table["method"] == "suite", "tests"].str.contains("resident seed variant").all()
    people = bb.readable(table)
    assert set(people["口径 base"]) == {"常住人口口径 resident"}


def test_ratio_to_national_is_reported_as_not_computable(table):
    # no national 2010 age shares in data/raw: said in the lead text, never invented as a row
    assert "ratio_to_national" not in set(table["method"])
    text = bb.headline_text(table)
    assert "全国比例法" in text and "China's 2010 age shares" in text

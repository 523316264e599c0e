"""tables/backtest.csv: the 2010 → 2020 backtest beside naive benchmarks."""

import re

import pytest

from analysis.demography import backtest_benchmarks as bb
from analysis.demography.backtest import run_backtest
from analysis.present import backtest_report


@pytest.fixture(scope="module")
def table():
    return run_backtest("baseline").benchmarks


def test_columns_and_rows(table):
    assert list(table.columns) == bb.COLUMNS
    for indicator in ("pop_total", "pop_0_14", "pop_60plus", "pop_65plus"):
        assert (
            (table["geography"] == "quanzhou") & (table["indicator"] == indicator) & (table["method"] == "suite")
        ).any(), indicator
    assert {"suite", "constant_shares", "linear_trend"} <= set(table["method"])
    assert table["error_pct"].notna().all() and table["observed"].gt(0).all()


def test_error_arithmetic_and_observations(table):
    row = table[
        (table["geography"] == "quanzhou") & (table["indicator"] == "pop_60plus") & (table["method"] == "suite")
    ].iloc[0]
    assert row["observed"] == pytest.approx(8_782_285 * 0.1321)  # census 2020: 13.21 %
    assert row["error_pct"] == pytest.approx(100 * (row["projected"] / row["observed"] - 1))


def test_constant_shares_hand_check(table):
    """2010 60+ share (711,804 / 8,128,530) × the suite's projected 2020 city total."""
    total = table[
        (table["geography"] == "quanzhou") & (table["indicator"] == "pop_total") & (table["method"] == "suite")
    ]["projected"].iloc[0]
    row = table[
        (table["geography"] == "quanzhou")
        & (table["indicator"] == "pop_60plus")
        & (table["method"] == "constant_shares")
    ].iloc[0]
    assert row["projected"] == pytest.approx(total * 711_804 / 8_128_530)


def test_linear_trend_hand_check(table):
    row = table[(table["method"] == "linear_trend") & (table["indicator"] == "pop_total")].iloc[0]
    assert row["projected"] == pytest.approx(2 * 8_128_530 - 7_283_040)


def test_headline_leads_with_the_60plus_error(table):
    text = backtest_report.headline_text(table)
    assert not re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text), "a method's code id is printed"
    assert "60岁及以上" in text and "%" in text and "Hamilton–Perry" in text
    shown = backtest_report.readable(table)
    assert not shown.isin(["nan", "NaN"]).any().any()


def test_suite_beats_constant_shares_on_paired_rows(table):
    s = bb.summary(table)
    row = s.loc["constant_shares"]
    assert row["suite_mape_paired_rows"] < row["mape_paired_rows"]
    assert s.loc["suite", "mape_paired_rows"] == pytest.approx(s.loc["suite", "mape_all_rows"])


def test_every_row_names_its_base_and_the_method_it_tests(table):
    # issue 26 items 3 and 7: resident rows test the resident seed variant, registered rows the registered method
    assert set(table["base"]) == {"resident", "registered"}
    assert table["tests"].notna().all()
    assert table.loc[table["method"] == "suite", "tests"].str.contains("resident seed variant").all()
    registered = table[table["base"] == "registered"]
    assert set(registered["method"]) == {"suite_registered"}
    assert registered["tests"].str.contains("registered").all() and registered["tests"].str.contains("2010").all()
    assert set(table.loc[table["base"] == "resident", "year"]) == {2020}
    people = backtest_report.readable(table)
    assert set(people["口径 base"]) == {"常住人口口径 resident", "户籍人口口径 registered"}
    assert "本模型（户籍法，正式预测所用）suite, registered method" in set(people["方法 method"])


def test_registered_rows_score_every_registered_figure_after_2010(table):
    reg = table[table["method"] == "suite_registered"].set_index(["geography", "indicator", "year"])
    assert reg.loc[("quanzhou", "pop_60plus", 2017), "observed"] == 1_015_000
    assert reg.loc[("quanzhou", "pop_80plus", 2017), "observed"] == 148_000
    assert reg.loc[("quanzhou", "pop_total", 2020), "observed"] == pytest.approx(7_661_400)
    assert reg.loc[("quanzhou", "pop_100plus", 2016), "observed"] == 337
    assert {2015, 2018, 2019, 2020} <= set(reg.xs(("quanzhou", "pop_total"), level=[0, 1]).index)
    assert (reg.index.get_level_values("year") > 2010).all()


def test_ratio_to_national_hand_check(table):
    """Issue 26 item 7: city 2010 60+ share 711,804 / 8,128,530 = 8.757 % × China 18.70 / 13.26 (6th and 7th
    census) = 12.35 %, against 13.21 % in 2020: −6.5 % on the share; × the suite's city total for the count."""
    total = table[
        (table["geography"] == "quanzhou") & (table["indicator"] == "pop_total") & (table["method"] == "suite")
    ]["projected"].iloc[0]
    row = table[
        (table["geography"] == "quanzhou")
        & (table["indicator"] == "pop_60plus")
        & (table["method"] == "ratio_to_national")
    ].iloc[0]
    assert row["projected"] == pytest.approx(total * 711_804 / 8_128_530 * 18.70 / 13.26)
    assert 100 * (711_804 / 8_128_530 * 18.70 / 13.26 / 0.1321 - 1) == pytest.approx(-6.52, abs=0.01)
    jj = table[(table["geography"] == "jinjiang") & (table["method"] == "ratio_to_national")].iloc[0]
    assert jj["projected"] == pytest.approx(total * 1_986_447 / 8_128_530 * 711_804 / 8_128_530 * 18.70 / 13.26)
    # no 65+ row (no 2010 65+ count) and no registered row; said in the lead text
    assert set(table.loc[table["method"] == "ratio_to_national", "indicator"]) == {"pop_60plus"}
    text = backtest_report.headline_text(table)
    assert "全国比例法" in text and "-6.5 % on the share" in text

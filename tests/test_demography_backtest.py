"""Backtest 2010 → 2020: runs with the same engine and reports errors against the 2020 census."""

import numpy as np
import pytest

from analysis.demography.backtest import run_backtest

from demography_helpers import demography_scenario


@pytest.fixture(scope="module")
def bt():
    return run_backtest(demography_scenario())


def test_backtest_table(bt):
    table = bt.table
    assert list(bt.result.years) == list(range(2010, 2021))
    city = table[(table.unit_id == "quanzhou") & (table.quantity.str.startswith("resident population 常住"))].iloc[0]
    assert city.observed == 8_782_285
    assert city.error == pytest.approx(city.projected - city.observed)
    assert city.percent_error == pytest.approx(100 * city.error / city.observed)
    assert {"jinjiang", "nanan", "huian", "taishang"} <= set(table.unit_id)
    counts = table[table.measure == "persons"]
    assert bt.mape == pytest.approx(counts.percent_error.abs().mean())
    assert bt.mpe == pytest.approx(counts.percent_error.mean())
    assert np.isfinite(table[["projected", "error"]].to_numpy()).all()


def test_backtest_is_a_plausible_projection(bt):
    # not a fit to 2020: the city total must still be within 10 % of the census after ten years
    assert abs(bt.table.percent_error.iloc[0]) < 10
    assert bt.result.population[0, 0].sum() == pytest.approx(8_128_530, abs=1)

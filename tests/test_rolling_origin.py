"""A rolling origin: the registered projection jumps off from a post-censal estimate year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import pipeline
from analysis.data import loaders
from analysis.demography import estimates, fertility, projection
from analysis.errors import ParameterError
from analysis.scenarios import load_scenario


@pytest.fixture(scope="module")
def later():
    return projection.project("baseline", base="registered", start_year=2022, end_year=2026, draws=1)


def test_a_later_origin_starts_from_the_estimate_of_its_year(later):
    est = estimates.registered_estimates(last_year=2022, data_up_to=2022)
    assert later.years[0] == 2022
    assert np.allclose(later.population[0, 0], est.population[-1])
    assert later.population[0, 0].sum() == pytest.approx(7738200, abs=1)
    origin = later.calibration["origin"]
    assert origin["year"] == 2022 and origin["last_reference_date"] <= "2022-12-31"
    assert "registry_annual" in origin["data_vintage"]


def test_the_2020_origin_records_itself():
    res = projection.project("baseline", base="registered", end_year=2022, draws=1)
    assert res.calibration["origin"]["year"] == 2020


def test_first_step_births_follow_the_estimated_births_and_the_tfr(later):
    est = estimates.registered_estimates(last_year=2022, data_up_to=2022)
    # China's births-implied TFR with the NBS births dated by end-2022 (issue 26 item 6)
    tfr = fertility.births_implied_tfr([2022, 2023], up_to=2022)
    assert np.nansum(later.births[0, 1]) == pytest.approx(est.births[-1].sum() * tfr[1] / tfr[0], rel=1e-9)


def test_figures_after_the_origin_never_move_its_forecast(later, monkeypatch):
    table = loaders.load_registry_annual()
    table.loc[table["year"] > 2022, "value"] *= 1.05  # every later figure changed
    table.loc[(table["geography"] == "China") & (table["year"] == 2023), "value"] = 500
    monkeypatch.setattr(loaders, "load_registry_annual", lambda: table)
    again = projection.project("baseline", base="registered", start_year=2022, end_year=2026, draws=1)
    assert np.array_equal(again.population, later.population)


def test_origins_outside_the_data_are_refused():
    with pytest.raises(ParameterError, match="registered"):
        projection.project("baseline", base="resident", start_year=2022, end_year=2026)
    with pytest.raises(ParameterError, match="registry series"):
        projection.project("baseline", base="registered", start_year=2029, end_year=2031)


def test_plan_models_of_a_later_origin_computes_what_the_tables_hand_it():
    """A kernel without the run's model cache (``--no-speed``, JupyterLab) computes the plan odds
    itself; they must be the tables' (which hand plan_models their runs, resident first): the
    resident runs start at 2020, not at the registered origin, and come first (the nursing-bed
    share's action is read from the first base's projection)."""
    sc = load_scenario("baseline")
    ledger, odds, info = pipeline.plan_models(sc, None, 2022, 2030, 2, 7)
    tables = {
        base: pipeline.run_models(sc, base=base, start_year=start, end_year=2030, draws=2, seed=7)
        for base, start in (("resident", 2020), ("registered", 2022))
    }
    ledger_t, odds_t, _ = pipeline.plan_models(sc, None, 2022, 2030, 2, 7, tables)
    assert info["origin"] == 2022 and "nursing_bed_share" in set(odds["indicator"])
    pd.testing.assert_frame_equal(odds, odds_t)
    pd.testing.assert_frame_equal(ledger, ledger_t)

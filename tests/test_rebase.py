"""Re-basing: a registered table by unit × sex × age with a later reference date (made up here)
becomes the base of the estimates; the run's origin record says what changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.data.base_tables import SEXES
from analysis.demography import estimates, projection

YEAR = 2025


@pytest.fixture(scope="module")
def fixture_table(tmp_path_factory):
    """A MADE-UP end-2025 registered table: the current estimate carried to 2025, with 60+ × 1.03
    (0–59 smaller by as many persons, unit by unit), so the revision is known by construction."""
    est = estimates.registered_estimates(last_year=YEAR)
    pop = est.population[-1].copy()
    old = pop[:, :, 60:].sum(axis=(1, 2))
    young = pop[:, :, :60].sum(axis=(1, 2))
    pop[:, :, 60:] *= 1.03
    pop[:, :, :60] *= ((young - 0.03 * old) / young)[:, None, None]
    U, _, A = pop.shape
    u, s, a = np.meshgrid(np.arange(U), np.arange(2), np.arange(A), indexing="ij")
    frame = pd.DataFrame(
        {
            "unit": np.asarray(est.unit_ids)[u.ravel()],
            "sex": np.asarray(SEXES)[s.ravel()],
            "age": a.ravel(),
            "population": pop.ravel(),
        }
    )
    path = tmp_path_factory.mktemp("rebase") / f"base_population_registered_{YEAR}.csv"
    frame.to_csv(path, index=False)
    return path, est, pop


@pytest.fixture
def rebased(fixture_table, monkeypatch):
    path, _, _ = fixture_table
    missing = Path("/nonexistent/none.csv")
    monkeypatch.setattr(
        estimates, "real_table_path", lambda base, year: path if (base, year) == ("registered", YEAR) else missing
    )
    return fixture_table


def test_the_new_table_becomes_the_base_of_the_estimates(rebased):
    path, old, table = rebased
    est = estimates.registered_estimates(last_year=YEAR)
    assert est.years[0] == YEAR and est.base.year == YEAR
    assert np.allclose(est.population[0], table)
    change = est.components["rebase"]["pop_60plus"]
    assert change["change_pct"] == pytest.approx(3.0, abs=1e-6)
    assert est.components["rebase"]["pop_total"]["change"] == pytest.approx(0.0, abs=1e-3)
    assert "Re-based at end-2025" in str(est.notes[0])


def test_a_run_from_the_new_base_says_what_changed(rebased):
    _, _, table = rebased
    res = projection.project("baseline", base="registered", start_year=YEAR, end_year=YEAR + 5, draws=1)
    assert np.allclose(res.population[0, 0], table)
    origin = res.calibration["origin"]
    assert origin["year"] == YEAR and origin["base_of_estimates"] == YEAR
    assert "Re-based at end-2025" in origin["rebase"] and "+3.00 %" in origin["rebase"]


def test_an_earlier_origin_ignores_the_later_table(rebased):
    est = estimates.registered_estimates(last_year=2022, data_up_to=2022)
    assert est.base.year == 2020 and "rebase" not in est.components

"""Vintages scored only against observations after their origin (demography.vintage_scores)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import cli
from analysis.demography import projection, vintage_scores


@pytest.fixture(scope="module")
def later():
    return projection.project("baseline", base="registered", start_year=2021, end_year=2025, draws=1)


def _obs(rows):
    return pd.DataFrame(
        [
            {
                "unit_id": u,
                "year": int(d[:4]),
                "reference_date": pd.Timestamp(d),
                "indicator": i,
                "value": v,
                "source": "test",
            }
            for u, d, i, v in rows
        ]
    )


def test_only_observations_after_the_origin_are_scored(later):
    obs = _obs(
        [
            ("quanzhou", "2021-12-31", "registered_population", 7712700.0),  # used by the vintage
            ("quanzhou", "2022-12-31", "registered_population", 7738200.0),
            ("quanzhou", "2030-12-31", "registered_population", 8.0e6),  # beyond its horizon
            ("quanzhou", "2022-12-31", "registered_crude_birth_rate", 9.0),
        ]
    )  # not a count
    table = vintage_scores.score(later, obs)
    assert list(table["year"]) == [2022]
    forecast = later.population[0, 1].sum()
    assert table["forecast"].iloc[0] == pytest.approx(forecast)
    assert table["error_pct"].iloc[0] == pytest.approx(100 * (forecast - 7738200) / 7738200)
    assert table["horizon_years"].iloc[0] == pytest.approx(1.0, abs=0.01)
    assert list(table.columns) == vintage_scores.COLUMNS


def test_a_date_inside_the_year_is_interpolated_between_year_ends(later):
    obs = _obs([("quangang", "2024-09-30", "registered_pop_60plus", 72155.0)])
    row = vintage_scores.score(later, obs).iloc[0]
    q = later.unit_ids.index("quangang")
    p23, p24 = (later.population[0, later.year_index(y), q, :, 60:].sum() for y in (2023, 2024))
    frac = 1 - 92 / 365
    assert row["forecast"] == pytest.approx(p23 + frac * (p24 - p23))


def test_sex_and_oldest_counts_are_scored(later):
    obs = _obs(
        [
            ("quanzhou", "2023-12-31", "registered_population_female", 3.7e6),
            ("quangang", "2024-12-31", "registered_pop_100plus", 55.0),
        ]
    )
    table = vintage_scores.score(later, obs)
    t = later.year_index(2023)
    assert table["forecast"].iloc[0] == pytest.approx(later.population[0, t, :, 1].sum())
    assert table["forecast"].iloc[1] == pytest.approx(
        later.population[0, later.year_index(2024), later.unit_ids.index("quangang"), :, 100].sum()
    )
    assert np.all(table["p10"] <= table["p90"])


def test_the_vintages_command_writes_the_table(tmp_path, monkeypatch, capsys):
    frame = pd.DataFrame([{c: 0 for c in vintage_scores.COLUMNS}]).assign(origin=2020, error_pct=-0.2, inside_band=True)
    monkeypatch.setattr(vintage_scores, "vintages", lambda origins, end_year, draws, seed: frame)
    out = tmp_path / "vintages.csv"
    assert cli.main(["vintages", "--origins", "2020", "--draws", "2", "--out", str(out)]) == 0
    assert list(pd.read_csv(out).columns) == vintage_scores.COLUMNS
    assert "origin 2020: 1 later observations" in capsys.readouterr().out

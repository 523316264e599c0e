"""Forecast vintages kept and scored: each origin's forecasts of the published registry counts
against every observation dated after its origin (never one it used).

A *vintage* is the registered projection from one origin (2020: the census-based base; a later
year: the post-censal estimate of that year-end, :mod:`.estimates`, built from the registry figures
dated up to the origin only). :func:`score` compares one vintage with the observations of
:func:`analysis.demography.registry.observations` dated **after** 31 December of its origin:
p10/p50/p90 of the forecast, ``error_pct`` = 100 × (p50 − observed) / observed and whether the
observation lies inside p10–p90. A figure dated inside a year (泉港区 30 September 2024) is compared
with the forecast interpolated linearly between the two year-ends around it.

:func:`score` is pure (a result and a table in, a table out); :func:`vintages` runs the projections.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import registry
from .projection import project
from .result import ProjectionResult

COLUMNS = [
    "vintage",
    "origin",
    "unit_id",
    "base",
    "indicator",
    "year",
    "reference_date",
    "horizon_years",
    "forecast",
    "p10",
    "p90",
    "observed",
    "observed_source",
    "error_pct",
    "inside_band",
]
#: Registry indicator → (first age, sex index or None for both).
SCORED = {
    "registered_population": (0, None),
    "registered_population_male": (0, 0),
    "registered_population_female": (0, 1),
    "registered_pop_60plus": (60, None),
    "registered_pop_65plus": (65, None),
    "registered_pop_80plus": (80, None),
    "registered_pop_100plus": (100, None),
}


def _counts(result: ProjectionResult, unit_id: str, first_age: int, sex) -> np.ndarray:
    """Persons (draw, year) of a unit (``quanzhou`` = all units) from ``first_age``, one or both sexes."""
    pop = result.population
    units = slice(None) if unit_id == registry.CITY else [result.unit_ids.index(unit_id)]
    part = pop[:, :, units] if sex is None else pop[:, :, units, sex : sex + 1]
    return part[..., first_age:].sum(axis=(2, 3, 4), dtype=float)


def score(result: ProjectionResult, observations: pd.DataFrame, vintage: str | None = None) -> pd.DataFrame:
    """One vintage (a registered :class:`ProjectionResult`) against the observations after its origin.

    ``observations``: columns as :func:`registry.observations` (persons; unit ids; reference dates).
    Observations on or before 31 December of the origin year, after the last projected year or of
    an indicator not in :data:`SCORED` are left out. Returns :data:`COLUMNS`, sorted by date.
    """
    origin = int(result.years[0])
    name = vintage or f"origin-{origin}"
    years = [int(y) for y in result.years]
    rows = []
    after = observations[observations["reference_date"] > pd.Timestamp(f"{origin}-12-31")]
    for o in after.itertuples(index=False):
        if o.indicator not in SCORED or o.year > years[-1]:
            continue
        first, sex = SCORED[o.indicator]
        values = _counts(result, o.unit_id, first, sex)
        end = pd.Timestamp(f"{o.year}-12-31")
        t = years.index(o.year)
        frac = 1.0 - (end - o.reference_date).days / 365.0
        at = values[:, t - 1] + frac * (values[:, t] - values[:, t - 1]) if frac < 1.0 else values[:, t]
        p10, p50, p90 = np.percentile(at, [10, 50, 90])
        rows.append(
            {
                "vintage": name,
                "origin": origin,
                "unit_id": o.unit_id,
                "base": result.base,
                "indicator": o.indicator,
                "year": int(o.year),
                "reference_date": f"{o.reference_date:%Y-%m-%d}",
                "horizon_years": round((o.reference_date - pd.Timestamp(f"{origin}-12-31")).days / 365.25, 2),
                "forecast": p50,
                "p10": p10,
                "p90": p90,
                "observed": float(o.value),
                "observed_source": o.source,
                "error_pct": 100.0 * (p50 - o.value) / o.value,
                "inside_band": bool(p10 <= o.value <= p90),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def vintages(origins, end_year: int, scenario="baseline", draws: int = 50, seed: int = 20201101) -> pd.DataFrame:
    """Every vintage in ``origins`` (year-ends; registered base) projected to ``end_year``, scored
    against all registry observations."""
    obs = registry.observations()
    tables = [
        score(project(scenario, base="registered", start_year=o, end_year=end_year, draws=draws, seed=seed), obs)
        for o in origins
    ]
    return pd.concat(tables, ignore_index=True)

"""The projection result every downstream model reads: persons by draw × year × unit × sex × age.

This is the contract between the population engine and the services (beds, workforce,
assistance), the indicator tracker and the runner's tables. The engine fills it; nobody else
needs to know how it was computed.

Conventions
-----------
- ``population[d, t, u, s, a]``: persons (float) in draw ``d``, year ``years[t]`` (population
  at the census reference date of that year, 1 November), unit ``unit_ids[u]`` (the 13
  county-level units; the city is their sum), sex ``s`` (0 = male, 1 = female), age ``a`` in
  completed years 0…100 where 100 means 100 and over.
- ``base`` is ``'resident'`` (常住, census) or ``'registered'`` (户籍, what the plan counts).
- Percentiles are taken across draws; with a single draw there is no uncertainty and p10/p90 are
  NaN (shown as empty in tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..geography import CITY_ID
from ..notes import Note, is_estimate

SEXES = ("male", "female")
SEX_ZH = {"male": "男", "female": "女"}
MAX_AGE = 100
N_AGES = MAX_AGE + 1
PERCENTILES = (10, 50, 90)

# Broad age groups reported everywhere: (label, first age, last age or None for open).
AGE_GROUPS = {
    "pop_0_14": (0, 14),
    "pop_15_59": (15, 59),
    "pop_15_64": (15, 64),
    "pop_60plus": (60, None),
    "pop_65plus": (65, None),
    "pop_80plus": (80, None),
}


def percentiles(values: np.ndarray, axis: int = 0) -> dict[str, np.ndarray]:
    """p10/p50/p90 across ``axis`` (draws). One draw → p50 is the value, p10/p90 are NaN."""
    values = np.asarray(values, dtype=float)
    if values.shape[axis] == 1:
        p50 = np.take(values, 0, axis=axis)
        nan = np.full_like(p50, np.nan)
        return {"p10": nan, "p50": p50, "p90": nan}
    p10, p50, p90 = np.percentile(values, PERCENTILES, axis=axis)
    return {"p10": p10, "p50": p50, "p90": p90}


@dataclass
class ProjectionResult:
    """Output of a cohort-component projection (see module docstring for the conventions)."""

    population: np.ndarray
    years: np.ndarray
    unit_ids: list[str]
    base: str
    scenario: str
    seed: int | None = None
    estimated_base: bool = True
    notes: list[Note] = field(default_factory=list)
    births: np.ndarray | None = None  # (draw, year, unit, sex): births during the year ending at years[t]
    deaths: np.ndarray | None = None  # (draw, year, unit, sex)
    net_migration: np.ndarray | None = None  # (draw, year, unit, sex)
    draw_parameters: pd.DataFrame | None = None  # one row per draw: tfr, e0 gain, migration…
    # Optional extras filled by the engine (analysis.demography.project):
    migration_clipped: np.ndarray | None = None  # (draw, year, unit, sex): out-migration cut, persons
    components: dict | None = None  # survival (step, draw, sex, age), birth_survival, migration_by_age
    calibration: dict | None = None  # fertility factors, net migration per unit, which totals are estimated

    def __post_init__(self):
        self.years = np.asarray(self.years, dtype=int)
        if self.population.ndim != 5 or self.population.shape[-1] != N_AGES or self.population.shape[-2] != 2:
            raise ValueError(f"population must be (draw, year, unit, 2, {N_AGES}); got {self.population.shape}")
        if self.population.shape[1] != len(self.years) or self.population.shape[2] != len(self.unit_ids):
            raise ValueError("population axes do not match years/unit_ids")
        if self.base not in ("resident", "registered"):
            raise ValueError(f"base must be 'resident' or 'registered', not {self.base!r}")

    @property
    def n_draws(self) -> int:
        return self.population.shape[0]

    def estimated_inputs(self) -> list[Note]:
        """The notes that describe estimated inputs (for the 'estimated inputs' box of a report): those
        whose id is marked ``estimated: true`` in ``catalogue/notes.yaml``."""
        return [n for n in self.notes if is_estimate(n)]

    def year_index(self, year: int) -> int:
        hits = np.flatnonzero(self.years == year)
        if not len(hits):
            raise KeyError(f"year {year} is outside the projection {self.years[0]}–{self.years[-1]}")
        return int(hits[0])

    def unit(self, unit_id: str) -> np.ndarray:
        """Persons of one unit (or the city, ``'quanzhou'``): array (draw, year, sex, age)."""
        if unit_id == CITY_ID:
            return self.population.sum(axis=2)
        try:
            return self.population[:, :, self.unit_ids.index(unit_id)]
        except ValueError:
            raise KeyError(f"unit {unit_id!r} not in this projection ({', '.join(self.unit_ids)})") from None

    def units_with_city(self) -> list[str]:
        return list(self.unit_ids) + [CITY_ID]

    def age_sum(self, unit_id: str, first: int = 0, last: int | None = None) -> np.ndarray:
        """Persons aged ``first``…``last`` (inclusive; ``None`` = open end): array (draw, year)."""
        stop = N_AGES if last is None else last + 1
        return self.unit(unit_id)[..., first:stop].sum(axis=(-1, -2))

    def indicators(self, unit_id: str) -> dict[str, np.ndarray]:
        """Headline quantities per (draw, year): counts in persons, shares in percent (0–100).

        ``old_age_dependency_ratio`` = persons 65+ per 100 persons aged 15–64.
        """
        total = self.age_sum(unit_id)
        out = {"pop_total": total}
        for name, (first, last) in AGE_GROUPS.items():
            out[name] = self.age_sum(unit_id, first, last)
        with np.errstate(divide="ignore", invalid="ignore"):
            for name in ("pop_0_14", "pop_15_59", "pop_60plus", "pop_65plus", "pop_80plus"):
                out["share_" + name[4:]] = np.where(total > 0, 100.0 * out[name] / total, np.nan)
            out["old_age_dependency_ratio"] = np.where(
                out["pop_15_64"] > 0, 100.0 * out["pop_65plus"] / out["pop_15_64"], np.nan
            )
        return out

    def summary(self, unit_id: str) -> pd.DataFrame:
        """Tidy table: year, indicator, p10, p50, p90 (counts in persons, shares in percent)."""
        frames = []
        for name, values in self.indicators(unit_id).items():
            pct = percentiles(values, axis=0)
            frames.append(pd.DataFrame({"year": self.years, "indicator": name, **pct}))
        return pd.concat(frames, ignore_index=True)

    def age_sex_table(self, unit_id: str, stat: str = "p50") -> pd.DataFrame:
        """Tidy table: year, sex, age, population (persons): the chosen percentile across draws
        (``p10``, ``p50``, ``p90``) or their ``mean`` (means add up across units and ages; medians
        do not once the county totals are drawn)."""
        values = self.unit(unit_id).mean(axis=0) if stat == "mean" else percentiles(self.unit(unit_id), axis=0)[stat]
        if stat != "p50" and self.n_draws == 1:
            values = self.unit(unit_id)[0]
        years, sexes, ages = np.meshgrid(self.years, np.arange(2), np.arange(N_AGES), indexing="ij")
        return pd.DataFrame(
            {
                "year": years.ravel(),
                "sex": np.asarray(SEXES)[sexes.ravel()],
                "age": ages.ravel(),
                "population": values.ravel(),
            }
        )

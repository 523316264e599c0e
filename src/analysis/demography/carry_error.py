"""The error a later origin's base carries: the years its registered total was only modelled.

A post-censal estimate (:mod:`.estimates`) is exact where a year-end total was observed and
*modelled* after it: births from China's births ratio, transfers at the mean rate of the observed
years. How wrong can a modelled year be? As wrong as one year's growth of the registered city total
differs from the average year's: the carry error per modelled year is estimated as the standard
deviation of the **annual growth rates of the observed registered city total** over consecutive
year-ends (``registered_population`` of ``registered.csv`` 2018–2020 and ``registry_annual.csv``
2021–2022: 755.12, 760.70, 766.14, 771.27, 773.82万 → growth 0.739, 0.715, 0.670, 0.331 %,
sd ≈ 0.19 % a year). Only totals dated up to the origin are used (a vintage never uses later data).

The years modelled add up as a random walk: a base ``k`` years after the last observed city total
has a total error of ``sd × √k`` (0 where the origin's own total is observed). The projection
(:func:`analysis.demography.projection.project`) multiplies every draw's base by one city-wide
factor ``1 + sd √k · z`` (its own generator, ``seed + 2``, so the other draws are unchanged); the
age structure's error stays with the base draws of :mod:`.base.uncertainty`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import loaders
from . import registry

CITY_NAME = "泉州市"


def city_totals(up_to: int) -> dict[int, float]:
    """Observed registered city totals at year-ends (persons) up to 31 December ``up_to``:
    the registered series (``registered.csv``) then the registry series (``registry_annual.csv``)."""
    reg = loaders.load_registered()
    sel = reg[(reg["geography"] == CITY_NAME) & (reg["indicator"] == "registered_population")]
    totals = {int(r.year): float(r.value) * 1e4 for r in sel.itertuples() if int(r.year) <= up_to}
    obs = registry.observations(up_to=up_to)
    obs = obs[
        (obs["unit_id"] == registry.CITY)
        & (obs["indicator"] == registry.TOTAL)
        & (obs["reference_date"].dt.strftime("%m-%d") == "12-31")
    ]
    totals.update({int(r.year): float(r.value) for r in obs.itertuples()})
    return dict(sorted(totals.items()))


def growth_rates(totals: dict[int, float]) -> list[float]:
    """Annual growth rates (fractions) between consecutive observed year-ends."""
    return [totals[y] / totals[y - 1] - 1.0 for y in totals if y - 1 in totals]


def carry_sd(up_to: int) -> float:
    """Carry error per modelled year (fraction of the total): the sd (n − 1) of :func:`growth_rates`
    of the totals dated up to ``up_to``; 0 with fewer than two rates."""
    rates = growth_rates(city_totals(up_to))
    return float(np.std(rates, ddof=1)) if len(rates) >= 2 else 0.0


def modelled_years(status: pd.DataFrame, origin: int, base_year: int) -> int:
    """Years from the last year-end whose city total is observed (or the base year) to ``origin``.

    ``status``: :attr:`analysis.demography.estimates.Estimates.status`."""
    seen = status[
        (status["unit_id"] == registry.CITY)
        & (status["count"] == "pop_total")
        & status["status"].str.startswith("observed")
        & (status["year"] <= origin)
    ]
    last = max([base_year] + [int(y) for y in seen["year"]])
    return int(origin) - last


def origin_sd(status: pd.DataFrame, origin: int, base_year: int) -> float:
    """The total error (fraction) of a base at ``origin``: ``carry_sd × √modelled_years``."""
    return carry_sd(origin) * float(np.sqrt(modelled_years(status, origin, base_year)))


def factors(draws: int, seed: int | None, sd: float) -> np.ndarray:
    """One city-wide base factor per draw, ``1 + sd · z`` (all ones for one draw or ``sd == 0``)."""
    if draws == 1 or sd == 0:
        return np.ones(draws)
    rng = np.random.default_rng(None if seed is None else seed + 2)
    return np.maximum(1.0 + sd * rng.standard_normal(draws), 0.5)

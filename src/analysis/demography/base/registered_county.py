"""County split of the registered (户籍) base.

Registered populations by county are not in the data pack for 2020. Where a unit's registered
total is published (``registered_by_county.csv``, the latest year up to 2020 — 晋江 2019, 南安 2016, 安溪 2018 — carried to 2020 by the
city's registered growth) it is used; the remaining units share the rest of the city total in
proportion to their *resident* population times the city's registered/resident ratio. That
proportional rule is weak: units that send migrants out (泉港, 安溪, 永春, 德化, 南安) have more
registered than resident people and the migrant-receiving ones (晋江, 石狮, 丰泽) fewer, which
is why every unit total that is not published is flagged as an estimate and carries the split
error in the uncertainty draws (:mod:`.uncertainty`).

Inside each unit the age-sex structure is the city's registered/resident ratio by sex and age
applied to the unit's resident structure, then scaled to the unit total; the city's registered
structure (:mod:`.registered`) is restored exactly by a final raking over units.
"""

from __future__ import annotations

import numpy as np

from ...data.base_tables import BasePopulation
from .fitting import ipf


def split_registered(city: np.ndarray, resident: BasePopulation,
                     unit_totals: dict[str, float] | None = None) -> tuple[np.ndarray, dict[str, bool]]:
    """Registered persons (U, 2, 101) by unit from the city's registered table ``city`` (2, 101).

    ``unit_totals`` (unit id → persons at the base date) are published totals to keep; the other
    units get the residual in proportion to resident × the city ratio. Returns the table and a flag
    per unit: True = the unit's registered total is estimated.
    """
    res = resident.population
    res_city = res.sum(axis=0)
    ratio = np.where(res_city > 0, city / np.where(res_city > 0, res_city, 1.0), 0.0)
    seed = res * ratio[None]
    empty = res_city <= 0
    if np.any(empty & (city > 0)):   # ages with no resident persons: spread by unit size
        w = res.sum(axis=(1, 2)) / res.sum()
        seed[:, empty] = w[:, None] * city[empty][None]
    known = dict(unit_totals or {})
    totals = seed.sum(axis=(1, 2))
    ids = list(resident.unit_ids)
    fixed = np.array([uid in known for uid in ids])
    if fixed.any():
        target = totals.copy()
        target[fixed] = [known[uid] for uid in np.asarray(ids)[fixed]]
        rest = city.sum() - target[fixed].sum()
        target[~fixed] = totals[~fixed] * rest / totals[~fixed].sum()
        seed = ipf(seed, [(np.arange(len(ids))[:, None, None], target),
                          (np.zeros((1, 2, city.shape[-1]), dtype=int) + np.arange(2 * city.shape[-1]).reshape(1, 2, -1),
                           city.ravel())], tol=1e-10)
    return seed, {uid: not fixed[i] for i, uid in enumerate(ids)}


def ratio_rule_errors(resident: BasePopulation, city: np.ndarray, published: dict[str, float]) -> dict[str, float]:
    """Log error of the resident × city-ratio rule on each published registered unit total."""
    pop, _ = split_registered(city, resident, {})
    ids = list(resident.unit_ids)
    return {uid: float(np.log(pop[ids.index(uid)].sum() / value)) for uid, value in published.items()}

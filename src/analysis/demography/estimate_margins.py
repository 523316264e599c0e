"""The margins a registered year-end estimate is raked to (:mod:`.estimates`, step 4).

From the registry observations of one year (:func:`analysis.demography.registry.observations`):
city total, sex split and age groups; unit totals (the units not observed share the rest of the
city); unit age groups. Each margin is an IPF constraint ``(labels, targets)`` with one class per
published age band, so nobody crosses a published age edge. A figure dated inside the year is
carried to 31 December by the modelled change over the rest of the year (persons at the date =
linear between the two year-ends of the component stock).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from . import registry


def margin_targets(
    obs: pd.DataFrame, year: int, stock: np.ndarray, prev: np.ndarray, unit_ids: list[str]
) -> tuple[list, dict]:
    """IPF constraints for the year-end stock (U, 2, A) and the (unit, count) → (value, how) met."""
    end = pd.Timestamp(f"{year}-12-31")
    uid = {u: i for i, u in enumerate(unit_ids)}
    U, _, A = stock.shape
    met = {}

    def year_end(row, first_age, units):
        value = float(row.value)
        if row.reference_date == end:
            return value, "observed"
        frac = (row.reference_date - pd.Timestamp(f"{year - 1}-12-31")).days / 365.0
        cur, old = stock[units, :, first_age:].sum(), prev[units, :, first_age:].sum()
        return value * cur / (old + frac * (cur - old)), f"observed (date-adjusted from {row.reference_date:%Y-%m-%d})"

    by_unit: dict[str, dict] = {}
    for r in obs.itertuples(index=False):
        first = 0 if r.indicator == registry.TOTAL else registry.FIRST_AGE.get(r.indicator)
        if r.indicator in registry.SEX:
            by_unit.setdefault(r.unit_id, {})[r.indicator] = (r, None)
        elif first is not None:
            units = list(range(U)) if r.unit_id == registry.CITY else [uid[r.unit_id]]
            by_unit.setdefault(r.unit_id, {})[first] = (r, year_end(r, first, units))
    constraints = []
    city = by_unit.get(registry.CITY, {})
    total = city[0][1][0] if 0 in city else stock.sum()
    if 0 in city:
        met[(registry.CITY, 0)] = city[0][1]
    if all(s in city for s in registry.SEX):
        sexes = np.array([city[s][0].value for s in registry.SEX])
        constraints.append((np.arange(2)[None, :, None], sexes / sexes.sum() * total))
    edges = sorted(a for a in city if isinstance(a, int) and a > 0)
    if edges:
        constraints.append(band_constraint(None, edges, [city[a][1][0] for a in edges], total, (U, 2, A)))
        met.update({(registry.CITY, a): city[a][1] for a in edges})
    known = {u: v[0][1][0] for u, v in by_unit.items() if u != registry.CITY and 0 in v}
    if known:
        labels = np.full(U, len(known))
        for k, u in enumerate(known):
            labels[uid[u]] = k
        rest = total - sum(known.values())
        if rest <= 0:
            raise AnalysisError(f"registered margins of end-{year}: the observed unit totals exceed the city total")
        constraints.append((labels[:, None, None], np.array(list(known.values()) + [rest])))
        met.update({(u, 0): by_unit[u][0][1] for u in known})
    for u, v in by_unit.items():
        ages = sorted(a for a in v if isinstance(a, int) and a > 0)
        if u == registry.CITY or not ages:
            continue
        unit_total = known.get(u, stock[uid[u]].sum())
        constraints.append(band_constraint(uid[u], ages, [v[a][1][0] for a in ages], unit_total, (U, 2, A)))
        met.update({(u, a): v[a][1] for a in ages})
    return constraints, met


def band_constraint(unit: int | None, edges: list[int], counts: list[float], total: float, shape):
    """Classes 0…len(edges) for the age bands [0, e1), [e1, e2), …, [e_last, 100+] (one unit or all)."""
    U, _, A = shape
    ages = np.searchsorted(np.asarray(edges), np.arange(A), side="right")
    counts = list(counts) + [0.0]
    targets = [total - counts[0]] + [counts[i] - counts[i + 1] for i in range(len(edges))]
    if min(targets) < 0:
        raise AnalysisError(f"registered age-group margins are not nested: {dict(zip(edges, counts))}")
    labels = np.broadcast_to(ages[None, None, :], (U, 1, A)).copy()
    if unit is not None:
        labels[np.arange(U) != unit] = -1
    return labels, np.array(targets)

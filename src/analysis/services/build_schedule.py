"""A build schedule: the beds to add each year so that a required path is met from a target year on.

Given the scenario's stock path ``B(t)`` (planned additions only) and a required path ``R(t)``
(the plan's ratio × elderly), per draw and unit:

- the extra beds beyond the scenario's additions, cumulative, ``E(t)``: zero in the base year
  ``t0``; the shortfall of the target year ``T``, ``max(0, R(T) − B(T))``, spread evenly over the
  years ``t0+1 … T`` (a straight-line build-up); after ``T`` the least that keeps the stock at
  or above the requirement, ``E(t) = max(E(t−1), R(t) − B(t))`` (beds are not demolished);
- the scheduled stock ``S(t) = B(t) + E(t)``, which meets the requirement in ``T`` and every
  later year;
- the beds to add in year ``t``: ``S(t) − S(t−1)`` (the scenario's planned additions plus the
  extra), missing (NaN) in the base year.

A target year at or before the base year means the requirement applies at once (``E`` follows
the after-``T`` rule from ``t0 + 1``); one beyond the projection is moved to its last year. A
missing requirement (NaN, e.g. no nursing-bed ratio in
2020) counts as no requirement.
"""

from __future__ import annotations

import numpy as np


def schedule(required: np.ndarray, stock: np.ndarray, years, target_year: int) -> dict[str, np.ndarray]:
    """Scheduled stock and beds to add, arrays (draw, year, unit) like ``required`` and ``stock``.

    Returns ``{"scheduled_stock", "to_add", "extra"}`` (beds; ``to_add`` NaN in the first year).
    """
    years = np.asarray(years, dtype=int)
    req = np.nan_to_num(np.asarray(required, dtype=float), nan=0.0)
    stock = np.asarray(stock, dtype=float)
    extra = np.zeros_like(stock)
    t0, last = int(years[0]), int(years[-1])
    target = min(int(target_year), last)  # a target beyond the horizon: build up to the last year
    first_after = 1
    if target > t0:
        ti = int(np.flatnonzero(years == target)[0])
        shortfall = np.maximum(req[:, ti] - stock[:, ti], 0.0)  # (d, u)
        steps = (years[: ti + 1] - t0) / (target - t0)
        extra[:, : ti + 1] = shortfall[:, None, :] * steps[None, :, None]
        first_after = ti + 1
    for t in range(first_after, len(years)):
        extra[:, t] = np.maximum(extra[:, t - 1], req[:, t] - stock[:, t])
    scheduled = stock + extra
    to_add = np.full_like(scheduled, np.nan)
    to_add[:, 1:] = np.diff(scheduled, axis=1)
    return {"scheduled_stock": scheduled, "to_add": to_add, "extra": extra}

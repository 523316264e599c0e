"""Small tables built from a :class:`ProjectionResult` for notebooks and reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import loaders
from .result import ProjectionResult, percentiles

KEY_INDICATORS = (
    "pop_total",
    "pop_0_14",
    "pop_15_59",
    "pop_60plus",
    "pop_65plus",
    "pop_80plus",
    "share_60plus",
    "share_65plus",
    "old_age_dependency_ratio",
)


def key_years(years) -> list[int]:
    """The base year, every year ending in 0 or 5 after it, and the last year (sorted, unique)."""
    years = [int(y) for y in years]
    return sorted({years[0], years[-1], *(y for y in years if y % 5 == 0)})


def key_years_table(result: ProjectionResult, unit_id: str, years=None, indicators=KEY_INDICATORS) -> pd.DataFrame:
    """Medians (p50 across draws) of headline indicators in key years, indicator × year.

    ``years`` defaults to :func:`key_years` of the projection (so the horizon is always shown).
    Counts in persons, shares in percent, dependency ratio per 100 persons aged 15–64.
    """
    summary = result.summary(unit_id)
    keep = key_years(result.years) if years is None else [y for y in years if y in set(result.years)]
    table = summary[summary["year"].isin(keep) & summary["indicator"].isin(indicators)]
    return table.pivot(index="indicator", columns="year", values="p50").loc[list(indicators)]


def plan_comparison(
    result: ProjectionResult, target_id: str, year: int, unit_id: str = "quanzhou", first_age: int = 60
) -> dict:
    """The plan's expectation for ``year`` against the projection (persons; p10/p50/p90).

    Returns a dict with ``target``, ``p10``, ``p50``, ``p90``, ``difference`` (p50 − target),
    ``percent`` (100 × difference / target), ``inside`` (target within p10–p90) and ``base``.
    """
    target = loaders.plan_target(target_id, year)
    values = result.age_sum(unit_id, first_age)[:, result.year_index(year)]
    pct = percentiles(values[:, None], axis=0)
    p10, p50, p90 = (float(np.ravel(pct[k])[0]) for k in ("p10", "p50", "p90"))
    inside = bool(np.isfinite(p10) and p10 <= target <= p90)
    return {
        "target": target,
        "p10": p10,
        "p50": p50,
        "p90": p90,
        "difference": p50 - target,
        "percent": 100.0 * (p50 - target) / target,
        "inside": inside,
        "base": result.base,
        "year": year,
    }

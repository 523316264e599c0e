"""Townships (乡镇（街道）) per unit and the social-assistance coordinators they need.

The plan (第二章第二节, line 349): every 乡镇（街道） has 社会救助协管员 by its household-registered
population: under 20,000 at least 1; 20,000–50,000 at least 2; 50,000–100,000 at least 3;
100,000 and over at least 4. The city has 163 乡镇（街道） (专栏7 item 2, line 414).

Per-county township counts and township populations are NOT in our data. They are ESTIMATED:
the 163 townships are allocated to the units in proportion to the unit's population in the
anchor year (largest-remainder rounding, at least one township per unit), and the townships of a
unit are assumed equal in size (unit population ÷ its townships). Replace the estimate with the
official 乡镇（街道） list when it is added to ``data/raw`` (not typed from memory here).
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError


def allocate_townships(weights, total: int, minimum: int = 1) -> np.ndarray:
    """Split ``total`` townships over units in proportion to ``weights`` (largest remainder).

    Every unit gets at least ``minimum``; the counts are whole numbers that sum to ``total``.
    """
    weights = np.asarray(weights, dtype=float)
    n = len(weights)
    if total < minimum * n:
        raise ParameterError("townships total", total, f"at least {minimum} per unit ({minimum * n})")
    if np.any(weights < 0) or not np.isfinite(weights).all():
        raise ParameterError("township weights", weights.tolist(), "finite numbers >= 0")
    counts = np.full(n, minimum, dtype=int)
    free = total - counts.sum()
    if weights.sum() <= 0:
        weights = np.ones(n)
    # Largest remainder on the townships left after the minimum, shared in proportion to weights.
    quota = free * weights / weights.sum()
    base = np.floor(quota).astype(int)
    counts += base
    left = free - base.sum()
    order = np.argsort(-(quota - base), kind="stable")
    counts[order[:left]] += 1
    return counts


def coordinators_per_township(
    registered_persons, limits=(20_000, 50_000, 100_000), per_band=(1, 2, 3, 4)
) -> np.ndarray:
    """Coordinators one township needs for its registered population (persons), any array shape.

    ``limits`` are the lower bounds of the 2nd… bands: a township of exactly 20,000 is in the
    20,000–50,000 band (the plan: "2万以下 … 1名，2～5万 … 2名").
    """
    limits = np.asarray(limits, dtype=float)
    per_band = np.asarray(per_band, dtype=float)
    if len(per_band) != len(limits) + 1:
        raise ParameterError(
            "workforce.coordinators_per_band",
            per_band.tolist(),
            f"{len(limits) + 1} values (one more than the band limits)",
        )
    if np.any(np.diff(limits) <= 0):
        raise ParameterError("workforce.coordinator_band_limits", limits.tolist(), "increasing limits")
    pop = np.asarray(registered_persons, dtype=float)
    return per_band[np.searchsorted(limits, pop, side="right")]


def coordinators_required(
    unit_persons, townships, limits=(20_000, 50_000, 100_000), per_band=(1, 2, 3, 4)
) -> np.ndarray:
    """Coordinators per unit: townships × coordinators of a township of average size.

    ``unit_persons`` is (..., unit) persons; ``townships`` is (unit,). A unit with no
    population still has its townships and their minimum staffing.
    """
    townships = np.asarray(townships, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        average = np.asarray(unit_persons, dtype=float) / townships
    return townships * coordinators_per_township(average, limits, per_band)

"""Quanzhou's oldest-old mortality factor, fitted on the centenarian counts published by the origin
(issue 26, item 5): ``demography.oldest_old_mortality_factor`` and ``oldest_old_mortality_sd``.

**Why.** With China's schedule (WPP 2022 and its Kannisto tail, :mod:`.oldest_old`) about 61 % of
the registered 100+ survive a year and about 61 % of the 99-year-olds reach 100; the engine's 100+
then grows by 2.0 % in the first year from the base (394 → 402) and falls to 371 by end-2024, while
the published counts rose by 3.6 % a year before the origin and kept rising after it.

**Which counts.** Only the city's two latest centenarian counts dated on or before the origin
(``registered_elderly.csv``: 303 at end-July 2013, 337 at end-July 2016 — the same two that set the
base's 100+, :func:`.oldest_old.city_centenarians_at`). Counts dated after the origin (536 at
end-2021; 泉港 55 in September 2024; 晋江 132 in October 2025) evaluate the forecast and never enter.

**Objective.** The engine's city registered 100+ grows in the first projected year (end-2020 →
end-2021; central values, the scenario's other parameters, its own calibration) at the trend's rate:
``ln(N₂₀₂₁ / N₂₀₂₀) = r = ln(337 / 303) / 3.0 years`` — one equation in one unknown, solved by the
secant method on ln(factor) (the growth falls monotonically in the factor). The factor multiplies the
hazards at ages 95+ (:func:`.oldest_old.scale_oldest_old_hazards`).

**Why the first year only.** The base's 100+ rests on the trend continuing to the base date; its slope
there is what the counts say about the flows at the base. Later years depend on the sizes of the
cohorts aged 90–99 in the base (the 99-year-olds shrink from 270 to 222 over 2020–2023), which no
pre-origin count measures: fitting them would make the factor absorb the base's cohort shape.
**Why not the 2010 backtest.** Its base takes China's census shape at the oldest ages: 1,235 aged
100+ at end-2010 against 303 counted in 2013, and its 100+ falls at every factor from 0.7 to 1
(ratio 2016 / 2013 of 0.59–0.79 against the published 1.11), so it cannot identify the factor.

**Error.** The two counts as Poisson realisations: sd(r) = √(1/303 + 1/337) / 3.0 = 0.026 a year,
carried to ln(factor) through the slope of the growth in ln(factor) (central difference):
``sd(ln factor) = sd(r) / |dr / d ln factor|``. The projection draws the factor log-normally with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import AnalysisError
from ..scenarios import Scenario, load_scenario
from .oldest_old import centenarian_trend
from .projection import project

#: Keys of the scenario parameters this module measures.
FACTOR_KEY, SD_KEY = "demography.oldest_old_mortality_factor", "demography.oldest_old_mortality_sd"
#: Step of ln(factor) for the slope of the growth (central difference).
SLOPE_STEP = 0.02


@dataclass(frozen=True)
class OldestOldFit:
    """The fitted factor and what it rests on (rates are log growth per year)."""

    factor: float  # multiplies the hazards at ages 95+
    sd_log: float  # sd of ln(factor) from the counts' Poisson error
    target_growth: float  # r of the published trend
    target_growth_sd: float  # its Poisson sd
    growth_at_one: float  # the engine's first-year log growth at factor 1
    slope: float  # d(log growth) / d ln(factor) at the fit
    counts: tuple  # ((year, time, count), (year, time, count)) used
    origin: int


def first_year_growth(factor: float, scenario: Scenario | str = "baseline", origin: int = 2020) -> float:
    """ln(N100(origin + 1) / N100(origin)) of the city's registered projection (central values) with
    the hazards at 95+ × ``factor`` and no spread."""
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    scn = scn.with_overrides({FACTOR_KEY: float(factor), SD_KEY: 0.0})
    result = project(scn, base="registered", start_year=origin, end_year=origin + 1, draws=1)
    c = result.unit("quanzhou")[0][:, :, 100:].sum(axis=(1, 2))
    return float(np.log(c[1] / c[0]))


def fit_oldest_old_factor(
    scenario: Scenario | str = "baseline", origin: int = 2020, tol: float = 1e-6, max_iter: int = 30
) -> OldestOldFit:
    """The factor on the hazards at 95+ that gives the engine's first-year 100+ growth the rate of the
    published pre-origin trend, and its sd (module docstring)."""
    trend = centenarian_trend(origin)
    if trend is None:
        raise AnalysisError(f"fewer than two city centenarian counts dated by {origin}: nothing to fit")
    (_, t0, c0), (_, t1, c1) = trend
    target = float(np.log(c1 / c0) / (t1 - t0))
    target_sd = float(np.sqrt(1.0 / c0 + 1.0 / c1) / (t1 - t0))

    def gap(log_f: float) -> float:
        return first_year_growth(float(np.exp(log_f)), scenario, origin) - target

    x0, x1 = 0.0, -0.05
    g0 = gap(x0)
    at_one = g0 + target
    g1 = gap(x1)
    for _ in range(max_iter):
        if abs(g1) < tol:
            break
        if g1 == g0:
            raise AnalysisError("oldest-old factor: the first-year growth does not move with the factor")
        x0, x1, g0 = x1, x1 - g1 * (x1 - x0) / (g1 - g0), g1
        g1 = gap(x1)
    else:
        raise AnalysisError(f"oldest-old factor: no convergence in {max_iter} steps (gap {g1:.2e})")
    slope = (gap(x1 + SLOPE_STEP) - gap(x1 - SLOPE_STEP)) / (2 * SLOPE_STEP)
    return OldestOldFit(
        float(np.exp(x1)), float(target_sd / abs(slope)), target, target_sd, at_one, float(slope), trend, int(origin)
    )

"""Death rates of the oldest old: a Kannisto tail instead of WPP's flat 95–99 and its 100+ rate.

WPP's abridged schedule gives one rate for 95–99 (spread log-linearly by
:func:`.graduation.log_linear_rates`, which leaves ages 97–99 flat) and a separate open rate for
100+. For China the 100+ rate is high (2021: 0.71 men, 0.49 women, against 0.48 / 0.33 at 97–99),
so the engine's 100+ stock fell each year (516 at end-2020 → 365 at end-2024 for the city's
registered people) while every published centenarian count of Quanzhou rose (303 in July 2013, 337
in July 2016; 泉港 36 → 55 from 2013 to 2024; 南安 75 → 85 from 2013 to 2016).

The Kannisto model (Thatcher, Kannisto & Vaupel 1998, *The Force of Mortality at Ages 80 to
120*; the default extrapolation of the oldest-old in the Human Mortality Database and in
``DemoTools::lt_rule_m_extrapolate``) is a logistic hazard

    m(x) = a·e^{b(x−80)} / (1 + a·e^{b(x−80)}),

fitted here by least squares on logit m(x) at ages 80–94 (:data:`FIT_AGES`) of each schedule and
used from age 95 on. The open interval 100+ gets the rate of a stationary population under that
hazard, ``m(100+) = l(100) / Σ_{x≥100} L(x)`` (ages to 130), i.e. 1 / e(100). For China 2021 it
gives 0.55 (men) and 0.45 (women) at 100+, and 95–99 within 10 % of WPP's.

The registered projection multiplies the hazards at 95+ by a Quanzhou factor
(:func:`scale_oldest_old_hazards`, ``demography.oldest_old_mortality_factor``) fitted on the
centenarian counts published by the origin (:mod:`.oldest_old_fit`).
"""

from __future__ import annotations

import numpy as np
from ..data import loaders
from ..notes import Note, note

#: Ages whose rates the logistic is fitted to, and the first age it replaces.
FIT_AGES = (80, 94)
FIRST_AGE = 95
#: Last age of the stationary population behind the open-interval rate.
OMEGA = 130


def kannisto_fit(mx: np.ndarray, fit_ages: tuple[int, int] = FIT_AGES) -> tuple[np.ndarray, np.ndarray]:
    """(log a, b) of the Kannisto hazard for every schedule in ``mx`` (…, 101), fitted by least
    squares on logit m(x) at ``fit_ages`` (inclusive)."""
    lo, hi = fit_ages
    x = np.arange(lo, hi + 1) - 80.0
    y = np.asarray(mx, dtype=float)[..., lo : hi + 1]
    logit = np.log(y / (1.0 - y))
    xm = x.mean()
    b = ((logit - logit.mean(axis=-1, keepdims=True)) * (x - xm)).sum(axis=-1) / ((x - xm) ** 2).sum()
    log_a = logit.mean(axis=-1) - b * xm
    return log_a, b


def kannisto_rates(log_a: np.ndarray, b: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """Kannisto hazard at ``ages`` for each (log a, b): shape (…, len(ages))."""
    z = np.exp(np.asarray(log_a)[..., None] + np.asarray(b)[..., None] * (np.asarray(ages, dtype=float) - 80.0))
    return z / (1.0 + z)


def open_interval_rate(log_a: np.ndarray, b: np.ndarray, first: int = 100, omega: int = OMEGA) -> np.ndarray:
    """Death rate of the open group ``first``+ in a stationary population under the hazard: 1 / e(first)."""
    m = kannisto_rates(log_a, b, np.arange(first, omega + 1))
    lx = np.exp(-np.concatenate([np.zeros(m.shape[:-1] + (1,)), np.cumsum(m[..., :-1], axis=-1)], axis=-1))
    Lx = lx * (1.0 - np.exp(-m)) / m
    return lx[..., 0] / Lx.sum(axis=-1)


def kannisto_tail(mx: np.ndarray, fit_ages: tuple[int, int] = FIT_AGES, first: int = FIRST_AGE) -> np.ndarray:
    """``mx`` (…, 101) with ages ``first``…99 and the open 100+ replaced by the Kannisto tail."""
    out = np.asarray(mx, dtype=float).copy()
    log_a, b = kannisto_fit(out, fit_ages)
    out[..., first:100] = kannisto_rates(log_a, b, np.arange(first, 100))
    out[..., 100] = open_interval_rate(log_a, b)
    return out


#: The forecast origin whose centenarian counts fit ``demography.oldest_old_mortality_factor``
#: (:mod:`.oldest_old_fit`): the counts dated on or before its end.
FIT_ORIGIN = 2020
#: The factor :func:`.oldest_old_fit.fit_oldest_old_factor` finds on those counts (0.966, rounded as
#: ``baseline.yaml`` gives it; tests/test_oldest_old.py holds the fit, this constant and the scenario
#: value equal). The registered projection's note compares a run's factor with it, so that a scenario
#: that sets another factor is not told it was fitted (a run's input snapshot holds only its own
#: scenario, so the model cannot read ``baseline.yaml`` to know).
FITTED_FACTOR = 0.966
#: Reference dates (year-end scale) of the city's published centenarian counts (end of July).
CENTENARIAN_COUNT_TIME = {2013: 2012 + 212 / 365, 2016: 2015 + 213 / 366}


def centenarian_trend(origin: int = 2020) -> tuple[tuple[int, float, float], tuple[int, float, float]] | None:
    """The two latest published city centenarian counts dated on or before ``origin``
    (``registered_elderly.csv``): ``((year, time, count), (year, time, count))`` with ``time`` on
    the year-end scale (end of July); None when fewer than two are published."""
    table = loaders.load_registered()
    rows = table[
        (table["geography"] == "泉州市") & (table["indicator"] == "centenarians") & (table["year"] <= origin)
    ].sort_values("year")
    if len(rows) < 2:
        return None
    (y0, c0), (y1, c1) = [(int(r.year), float(r.value)) for r in rows.tail(2).itertuples(index=False)]
    return ((y0, CENTENARIAN_COUNT_TIME.get(y0, y0 - 0.42), c0), (y1, CENTENARIAN_COUNT_TIME.get(y1, y1 - 0.42), c1))


def city_centenarians_at(time: float, origin: int = 2020) -> tuple[float, Note]:
    """The city's registered 100+ at ``time`` (year-end scale) on the exponential trend through its
    two latest published centenarian counts dated on or before the origin (``registered_elderly.csv``:
    303 in July 2013, 337 in July 2016 — +3.6 % a year), and a note. An estimate: the trend is assumed
    to continue to the base date."""

    trend = centenarian_trend(origin)
    if trend is None:
        return float("nan"), note("registered_100plus_missing")
    (y0, t0, c0), (y1, t1, c1) = trend
    rate = np.log(c1 / c0) / (t1 - t0)
    value = c1 * np.exp(rate * (time - t1))
    return float(value), note(
        "registered_100plus", y=origin, n=value, a=c0, ya=y0, b=c1, yb=y1, g=100 * (np.exp(rate) - 1)
    )


def scale_oldest_old_hazards(survival: np.ndarray, factor, first: int = FIRST_AGE) -> np.ndarray:
    """Projection survival ratios (T, D, 2, 101) with the hazards at ages ``first``+ multiplied by
    ``factor`` (scalar or one per draw, (D,)): ``S(a) ** factor`` for a ≥ ``first``.

    Exact for the open 100+ (``S = e^{−m}``) and for any constant hazard; for the single ages
    95–99 (``S = L(a+1)/L(a)``) it is the same to the first order in m. The e0 target is not
    re-solved: ages 95+ hold well under 0.1 year of e0 at the factors fitted here.
    """
    out = np.array(survival, dtype=float, copy=True)
    f = np.asarray(factor, dtype=float).reshape((1, -1, 1, 1)) if np.ndim(factor) else float(factor)
    out[..., first:] = out[..., first:] ** f
    return out


def anchor_open_age(pop: np.ndarray, target: float) -> np.ndarray:
    """City table (2, 101) with its 100+ scaled to ``target`` persons (sex split kept) and each sex's
    ages 80–99 scaled so that its 80+ is unchanged: the published registered totals by sex hold
    (one factor for both sexes moved 20 men into women at end-2020, off the published 396.60万)."""
    out = np.asarray(pop, dtype=float).copy()
    old100, p80_99 = out[:, 100].copy(), out[:, 80:100].sum(axis=1)
    if not (np.isfinite(target) and target > 0 and old100.sum() > 0):
        return out
    out[:, 100] *= target / old100.sum()
    out[:, 80:100] *= ((p80_99 + old100 - out[:, 100]) / p80_99)[:, None]
    return out

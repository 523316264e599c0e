"""Minimum-wage forecast when the *date* of each future decree is uncertain, and the drift windows.

Fujian decrees a new minimum wage every 2–3 years and holds it flat in between, so for a step
series the timing of the next step is as uncertain as its size. Here each Monte-Carlo path

1. draws the interval before every future decree from the intervals observed between Fujian's
   past decrees (:func:`adjustment_intervals`; a bootstrap of the history) — the first future
   decree keeps its known date if one is pending (an event whose values are unknown);
2. draws the drift and step variance from the fitted random walk with drift
   (:func:`analysis.services.min_wage.fit_tier`, statsmodels WLS): sigma² from its scaled-χ²
   posterior, mu given sigma, then independent increments over each path's own intervals.

The same random numbers (dates and shocks) serve every tier, because one decree adjusts all
tiers. :func:`drift_windows` fits the drift on the alternative windows the report shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from . import wage_fit


def adjustment_intervals(history, from_year: int = 2013) -> np.ndarray:
    """Years between consecutive Fujian decrees from ``from_year`` (every event, values known or not)."""
    t = np.array([wage_fit._years(m) for m in history.events if m.year >= from_year])
    if len(t) < 2:
        raise AnalysisError(f"fewer than two adjustment dates since {from_year} in {history.path.name}")
    return np.diff(t)


def sampled_schedules(
    history, anchor: pd.Period, last_year: int, intervals, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Future decree months per path: int ordinals (draws, n), enough to pass December of ``last_year``."""
    intervals = np.asarray(intervals, dtype=float)
    if len(intervals) == 0 or np.any(intervals <= 0):
        raise AnalysisError(f"adjustment intervals must be positive years, got {intervals.tolist()}")
    n = int(np.ceil((last_year + 1 - anchor.year) / intervals.min())) + 2
    gaps = np.rint(12 * rng.choice(intervals, size=(draws, n))).astype(np.int64)
    pending = [m for m in history.unknown_events() if m > anchor]
    if pending:
        start = np.full((draws, 1), pending[0].ordinal, dtype=np.int64)
        return np.concatenate([start, start + np.cumsum(gaps[:, :-1], axis=1)], axis=1)
    return anchor.ordinal + np.cumsum(gaps, axis=1)


def sampled_paths(
    fits: dict,
    anchor: pd.Period,
    months: pd.PeriodIndex,
    known: pd.DataFrame,
    history,
    last_year: int,
    intervals,
    draws: int,
    floor: float,
    rng: np.random.Generator,
) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Monthly wage paths per tier (draws, month) with sampled decree dates; and the schedules."""
    schedules = sampled_schedules(history, anchor, last_year, intervals, draws, rng)
    df = max(min(f.df for f in fits.values()), 1)
    chi2 = rng.chisquare(df=df, size=draws)
    z_mu = rng.standard_normal(draws)
    z_inc = rng.standard_normal(schedules.shape)
    horizons = (schedules - anchor.ordinal) / 12.0
    dh = np.diff(np.concatenate([np.zeros((draws, 1)), horizons], axis=1), axis=1)
    step_of_month = np.stack([np.searchsorted(schedules[d], months.asi8, side="right") - 1 for d in range(draws)])
    future = step_of_month >= 0
    rows = np.arange(draws)[:, None]
    out = {}
    for tier, fit in fits.items():
        sigma2_d = fit.sigma2 * fit.df / chi2 if fit.df > 0 and fit.sigma2 > 0 else np.full(draws, fit.sigma2)
        ratio = np.sqrt(sigma2_d / fit.sigma2) if fit.sigma2 > 0 else np.ones(draws)
        mu_d = fit.drift + ratio * fit.drift_se * z_mu
        inc = mu_d[:, None] * dh + np.sqrt(sigma2_d)[:, None] * np.sqrt(dh) * z_inc
        steps = np.log(fit.anchor_wage) + np.cumsum(np.maximum(inc, floor), axis=1)
        values = np.exp(steps)[rows, np.clip(step_of_month, 0, None)]
        out[tier] = np.where(future, values, known[tier].to_numpy()[None, :])
    return out, schedules


def sampled_forecast(
    fits, anchor, months, known, history, last_year, draws, seed, floor, intervals=None
) -> wage_fit.WageForecast:
    """The :class:`~analysis.services.min_wage.WageForecast` with sampled decree dates.

    ``draws == 1`` → p10/p50/p90 month by month of ``TIMING_DRAWS`` paths (mode 'quantiles');
    else the paths themselves. ``adjustments``: the median path's decree months.
    """
    for tier, fit in fits.items():
        if fit.anchor != anchor:
            raise AnalysisError(f"tier {tier}: last published wage {fit.anchor} differs from other tiers ({anchor})")
    intervals = adjustment_intervals(history) if intervals is None else np.asarray(intervals, float)
    rng = np.random.default_rng(seed)
    n = wage_fit.TIMING_DRAWS if draws == 1 else draws
    paths, schedules = sampled_paths(fits, anchor, months, known, history, last_year, intervals, n, floor, rng)
    if draws == 1:
        paths = {t: np.quantile(v, wage_fit.QUANTILES, axis=0) for t, v in paths.items()}
    median = [pd.Period(ordinal=int(round(m)), freq="M") for m in np.median(schedules, axis=0)]
    dates = [m for m in median if m.year <= last_year]
    return wage_fit.WageForecast(
        fits, dates, months, paths, "quantiles" if draws == 1 else "draws", float(np.mean(intervals)), seed, schedules
    )


def next_adjustment_band(schedules: np.ndarray, after: pd.Period | None = None) -> dict[str, pd.Period]:
    """p10/p50/p90 of the month of the first sampled decree after ``after`` (default: the first one)."""
    first = schedules[:, 0] if after is None else np.array([s[s > after.ordinal][0] for s in schedules])
    q = np.quantile(first, [0.1, 0.5, 0.9], method="nearest")
    return {k: pd.Period(ordinal=int(v), freq="M") for k, v in zip(("p10", "p50", "p90"), q)}


def drift_windows(history, windows=(2013, 2015, 2020), tiers=(2, 3)) -> pd.DataFrame:
    """Fitted drift (percent a year) of each tier on each window ``from year → last published``.

    Columns: window_from, tier, n_points, first, last, growth_pct, se_pct (the drift's standard
    error, log points ×100), df. Windows with fewer than three values are left out.
    """
    rows = []
    for start in windows:
        for tier in tiers:
            try:
                fit = wage_fit.fit_tier(history, tier, start)
            except AnalysisError:
                continue
            series = history.series(tier)
            series = series[series.index.year >= start]
            rows.append(
                {
                    "window_from": start,
                    "tier": tier,
                    "n_points": fit.n_points,
                    "first": str(series.index[0]),
                    "last": str(series.index[-1]),
                    "growth_pct": fit.annual_growth_pct,
                    "se_pct": 100 * fit.drift_se,
                    "df": fit.df,
                }
            )
    return pd.DataFrame(rows)

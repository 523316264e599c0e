"""Trend models for a published stock carried past its last count, chosen by a measured backtest.

A published stock (certified social workers, ``social_workers.csv`` and the outturns table: the city
counts of 2015, 2018, 2019, 2020 and 2023) is carried to the plan's target year by one of four trend
models, each fitted to the published counts only:

- ``exponential`` — constant growth rate: the log count moves by the mean annual log growth
  ``μ = (ln x_last − ln x_first) ÷ (years spanned)`` (a random walk with drift on the log count);
- ``linear`` — constant yearly addition: ``b = (x_last − x_first) ÷ (years spanned)`` persons a year;
- ``damped_linear`` — Holt's additive trend with a damped slope (statsmodels' state-space
  ``ExponentialSmoothing(trend=True, damped_trend=True)``) on the count;
- ``damped_exponential`` — the same on the log count (growth that slows down).

The damped models run on the annual grid with the unpublished years missing (the Kalman filter skips
them); they start from the exponential or linear drift of their window (``initialization_method=
"known"``) and estimate the smoothing and damping weights by maximum likelihood.

The backtest (:func:`backtest`): for k = 2…5 (as the data allow) the counts of the last k years are
held out, each model is fitted to the rest (at least two counts) and forecasts the held-out counts
from the last count kept. A k whose fitted counts equal a smaller k's (no count in the years between)
is the same split and is kept once. Each split's score is the mean absolute percentage error
(MAPE) over its held-out counts; a model's score is the mean over the splits, so each split counts
once however many counts it holds out. :func:`choose` takes the model with the lowest score. The
choice is made per series — the stocks differ in how they grow, and the module draws one series
(certified social workers), so per series and pooled are the same here.

The measured error enters the draws' spread (:func:`error_scale`): the chosen model's held-out log
errors ``e`` at ``h`` years ahead, fitted on ``n`` years, give the scale ``s² = mean e² ÷ (h + h²/n)``,
the random walk with drift's shape of the forecast variance; the draws use the larger of ``s`` and
the spread of the published annual growth (:func:`analysis.services.plan_odds.stock_draws`).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from ..errors import AnalysisError

METHODS = ("exponential", "linear", "damped_linear", "damped_exponential")
METHOD_ZH = {
    "exponential": "指数趋势（增长率不变）",
    "linear": "线性趋势（每年增量不变）",
    "damped_linear": "阻尼线性趋势",
    "damped_exponential": "阻尼指数趋势（增长率逐年放缓）",
}
HOLDOUT_YEARS = (2, 3, 4, 5)
MIN_FIT_COUNTS = 2
BACKTEST_COLUMNS = [
    "k",
    "origin",
    "fit_years",
    "year",
    "horizon",
    "fit_span",
    "method",
    "forecast",
    "observed",
    "ape_pct",
    "log_error",
]


def _sorted(years, values) -> tuple[np.ndarray, np.ndarray]:
    yrs, vals = np.asarray(years, dtype=int), np.asarray(values, dtype=float)
    order = np.argsort(yrs)
    yrs, vals = yrs[order], vals[order]
    if len(yrs) < MIN_FIT_COUNTS or np.any(vals <= 0) or len(set(yrs.tolist())) != len(yrs):
        raise AnalysisError("a stock trend needs at least two positive published values, one per year")
    return yrs, vals


def _damped(yrs: np.ndarray, series: np.ndarray, horizons: np.ndarray) -> np.ndarray:
    """Holt's damped additive trend on ``series`` (annual grid, unpublished years missing)."""
    # heavy (about 1 s): statsmodels is imported only when a damped trend is fitted
    from statsmodels.tsa.statespace.exponential_smoothing import ExponentialSmoothing

    grid = np.full(yrs[-1] - yrs[0] + 1, np.nan)
    grid[yrs - yrs[0]] = series
    drift = (series[-1] - series[0]) / (yrs[-1] - yrs[0])
    model = ExponentialSmoothing(
        grid,
        trend=True,
        damped_trend=True,
        initialization_method="known",
        initial_level=series[0] - drift,
        initial_trend=drift,
    )
    with warnings.catch_warnings():  # two to four counts: the optimiser often stops at a bound
        warnings.simplefilter("ignore")
        fitted = model.fit(disp=False)
    steps = int(max(horizons.max(), 1))
    path = np.asarray(fitted.forecast(steps), dtype=float)
    return np.array([series[-1] if h <= 0 else path[int(h) - 1] for h in horizons])


def forecast(method: str, years, values, horizons) -> np.ndarray:
    """Point forecasts of ``method`` fitted to the published ``years``/``values``, ``horizons``
    years after the last count (0 → the last count itself; whole years for the damped models)."""
    yrs, vals = _sorted(years, values)
    h = np.maximum(np.asarray(horizons, dtype=float), 0.0)
    span = float(yrs[-1] - yrs[0])
    if method == "exponential":
        return vals[-1] * np.exp(h * (np.log(vals[-1]) - np.log(vals[0])) / span)
    if method == "linear":
        return vals[-1] + h * (vals[-1] - vals[0]) / span
    if method == "damped_linear":
        return _damped(yrs, vals, np.round(h))
    if method == "damped_exponential":
        return np.exp(_damped(yrs, np.log(vals), np.round(h)))
    raise AnalysisError(f"unknown stock trend {method!r}; expected one of {', '.join(METHODS)}")


def backtest(years, values, holdouts=HOLDOUT_YEARS, methods=METHODS) -> pd.DataFrame:
    """Every model's forecast of every held-out count (see the module docstring): one row per
    split ``k``, model and held-out year, columns :data:`BACKTEST_COLUMNS` (``horizon``: years after
    the last fitted count; ``fit_span``: years the fitted counts span; ``log_error`` = ln observed −
    ln forecast). Empty when no split leaves two counts to fit and one to score."""
    yrs, vals = _sorted(years, values)
    rows, seen = [], set()
    for k in holdouts:
        origin = int(yrs[-1]) - k
        fit = yrs <= origin
        key = tuple(yrs[fit].tolist())
        if fit.sum() < MIN_FIT_COUNTS or fit.all() or key in seen:
            continue
        seen.add(key)
        horizon = yrs[~fit] - yrs[fit][-1]
        for method in methods:
            predicted = forecast(method, yrs[fit], vals[fit], horizon)
            for year, h, f, o in zip(yrs[~fit], horizon, predicted, vals[~fit]):
                rows.append(
                    {
                        "k": k,
                        "origin": origin,
                        "fit_years": "、".join(map(str, key)),
                        "year": int(year),
                        "horizon": int(h),
                        "fit_span": int(key[-1] - key[0]),
                        "method": method,
                        "forecast": float(f),
                        "observed": float(o),
                        "ape_pct": 100 * abs(f - o) / o,
                        "log_error": float(np.log(o / f)) if f > 0 else np.inf,
                    }
                )
    return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)


def scores(table: pd.DataFrame) -> pd.DataFrame:
    """Per model: ``mape_pct`` (mean over the splits of each split's MAPE), ``splits``, ``counts``
    (held-out counts scored) and ``error_scale`` (:func:`error_scale`), best first (ties: the
    order of :data:`METHODS`)."""
    per_split = table.groupby(["method", "k"], sort=False)["ape_pct"].mean().rename("split_mape").reset_index()
    out = per_split.groupby("method", sort=False).agg(mape_pct=("split_mape", "mean"), splits=("k", "size"))
    out["counts"] = table.groupby("method", sort=False).size()
    out["error_scale"] = [error_scale(table, m) for m in out.index]
    out["_order"] = [METHODS.index(m) if m in METHODS else len(METHODS) for m in out.index]
    return out.sort_values(["mape_pct", "_order"]).drop(columns="_order").reset_index()


def choose(table: pd.DataFrame, default: str = "exponential") -> str:
    """The model with the lowest backtest MAPE (:func:`scores`); ``default`` when nothing was scored."""
    return str(scores(table)["method"].iloc[0]) if len(table) else default


def error_scale(table: pd.DataFrame, method: str) -> float:
    """The measured log error of ``method`` per unit of the random walk's horizon shape:
    ``sqrt(mean e² ÷ (h + h²/n))`` over its held-out counts (0 when none; ``inf`` when a forecast
    was not positive)."""
    rows = table[table["method"] == method]
    if not len(rows):
        return 0.0
    h, n, e = (rows[c].to_numpy(dtype=float) for c in ("horizon", "fit_span", "log_error"))
    return float(np.sqrt(np.mean(e**2 / (h + h**2 / n))))


@lru_cache(maxsize=32)
def selection(years: tuple[int, ...], values: tuple[float, ...]) -> tuple[str, float]:
    """``(chosen model, its error scale)`` for a published series, computed once per process (the
    odds draw the same city series for every unit)."""
    table = backtest(years, values)
    method = choose(table)
    return method, error_scale(table, method)

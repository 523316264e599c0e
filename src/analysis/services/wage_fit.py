"""The minimum-wage model's fitted pieces: the random walk with drift of one tier and the forecast type.

Shared by :mod:`.min_wage` (the history, the fixed-timing forecast) and :mod:`.wage_timing` (sampled
decree dates), so neither imports the other's internals. The model and its statistics are described in
:mod:`.min_wage`'s docstring; wages are yuan per month, times are decimal years.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import AnalysisError

TIMING_DRAWS = 2000
QUANTILES = (0.10, 0.50, 0.90)


def _years(period: pd.Period) -> float:
    return period.year + (period.month - 1) / 12.0


@dataclass
class TierFit:
    """Random walk with drift in the log wage of one tier (see module docstring).

    ``drift``: log change per year; ``drift_se``: its standard error; ``sigma2``: variance of the
    log increment per year; ``df``: residual degrees of freedom; ``anchor``: last published
    adjustment month and ``anchor_wage`` its wage (yuan per month).
    """

    tier: int
    drift: float
    drift_se: float
    sigma2: float
    df: int
    anchor: pd.Period
    anchor_wage: float
    n_points: int
    result: object = field(repr=False, default=None)

    @property
    def annual_growth_pct(self) -> float:
        """Median annual growth implied by the drift, percent."""
        return 100.0 * (np.exp(self.drift) - 1.0)

    def log_scale(self, horizon_years: np.ndarray) -> np.ndarray:
        """Predictive standard error of ln w, ``horizon_years`` after the anchor."""
        h = np.asarray(horizon_years, dtype=float)
        return np.sqrt(h**2 * self.drift_se**2 + self.sigma2 * h)


def fit_tier(history, tier: int, fit_from_year: int = 2013) -> TierFit:
    """Fit the drift of one tier on its published values from ``fit_from_year`` on.

    Needs at least three published values (two increments, one residual degree of freedom).
    """
    series = history.series(tier)
    series = series[series.index.year >= fit_from_year]
    if len(series) < 3:
        raise AnalysisError(
            f"tier {tier}: {len(series)} published minimum wages since {fit_from_year} in "
            f"{history.path.name}; the forecast needs at least 3"
        )
    t = np.array([_years(p) for p in series.index])
    logw = np.log(series.to_numpy())
    dt = np.diff(t)
    rate = np.diff(logw) / dt
    import statsmodels.api as sm  # heavy (about 1 s): imported only when a tier is fitted

    result = sm.WLS(rate, np.ones((len(rate), 1)), weights=dt).fit()
    pred = result.get_prediction(np.ones((1, 1))).summary_frame(alpha=0.2)
    return TierFit(
        tier,
        float(pred["mean"].iloc[0]),
        float(pred["mean_se"].iloc[0]),
        float(result.scale),
        int(result.df_resid),
        series.index[-1],
        float(series.iloc[-1]),
        len(series),
        result,
    )


@dataclass
class WageForecast:
    """Forecast of every tier: fits, future adjustment months, and the monthly wage in force.

    ``monthly[tier]``: array (k, month) — k = 3 analytic quantiles (p10, p50, p90) when
    ``draws == 1``, else k = draws Monte-Carlo paths — yuan per month, from January of
    ``first_year`` to December of ``last_year``. Known history is used where published.
    """

    fits: dict[int, TierFit]
    adjustments: list[pd.Period]
    months: pd.PeriodIndex
    monthly: dict[int, np.ndarray]
    mode: str  # "quantiles" | "draws"
    interval_years: float
    seed: int | None
    schedules: np.ndarray | None = None  # sampled timing: decree months per path (ordinals)

    def annual(self, tier: int) -> tuple[np.ndarray, np.ndarray]:
        """(years, values (k, year)): annual average of the wage in force, yuan per month."""
        years = self.months.year.to_numpy()
        uniq = np.unique(years)
        vals = self.monthly[tier]
        out = np.stack([vals[:, years == y].mean(axis=1) for y in uniq], axis=1)
        return uniq, out

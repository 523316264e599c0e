"""Fujian minimum wage by tier: the validated history as a step function, and its forecast.

History
-------
``data/raw/min_wage_fujian.csv`` lists the monthly minimum wage (yuan per month) of each Fujian
tier at each adjustment date (rows ``geography = 福建省``, ``indicator = monthly_min_wage``) and
adjustment events whose values are not known (``indicator = adjustment_event``: 2017-07, whose
tier values are a known gap in our data, and 2025-04). Between adjustments the wage is flat, so
the wage *in force* in a month is the value of the latest adjustment on or before it; after an
adjustment whose values are unknown it is **missing** (NaN) — never carried forward silently.

Forecast (statsmodels)
----------------------
Model: a random walk with drift in the log wage, observed at irregular adjustment dates::

    ln w(t_i) - ln w(t_{i-1}) = mu * dt_i + sigma * sqrt(dt_i) * eps_i,   eps_i ~ N(0, 1)

fitted per tier by weighted least squares (``statsmodels.WLS`` of ``increment / dt`` on a
constant, weights ``dt``). Why this model rather than a trend line or ETS:

- Fujian sets the wage by decree every 2–3 years and holds it flat in between; the last
  published values (2022-04) are the law until the next decree, so the forecast must start
  *from* them (a fitted trend line would not pass through them);
- irregular spacing and the missing 2017 values are handled exactly: an increment spanning
  2015-07 → 2020-01 simply has ``dt = 4.5`` years;
- the drift estimate is ``ln(w_last / w_first) / (t_last - t_first)`` (hand-checkable), and the
  predictive variance of the log wage ``h`` years ahead, ``h² se(mu)² + sigma² h``, widens with
  the horizon; quantiles use Student's t with the residual degrees of freedom.

Timing. With ``timing="fixed"`` future adjustments happen at the pending event date (2025-04)
and then every ``interval_years``. With ``timing="sampled"`` each Monte-Carlo path draws the
interval before every future decree from the intervals observed between Fujian's decrees
(:func:`adjustment_intervals`: 1.9–3.0 years since 2013), so the band covers both the size and
the date of the next step; with ``draws == 1`` the p10/p50/p90 are then taken month by month
from ``TIMING_DRAWS`` such paths. The wage is flat between adjustments.

The 2025-04 decree: only the mean of the four tiers (2,100 yuan) is in the data.
:func:`with_estimated_pending` fills each tier with its 2022 value × (2,100 / the 2022 mean) —
an ESTIMATE (the tiers are assumed to rise by the same percentage), flagged ``derived``. Monte-Carlo draws simulate the same
predictive distribution (sigma² from its scaled-χ² posterior, mu given sigma, then independent
increments), using the **same random numbers for every tier** because the province adjusts all
tiers in one decree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import DEFAULT_END_YEAR
from ..data import loaders
from ..demography.result import percentiles
from ..errors import AnalysisError, DataValidationError
from ..geography import Unit, resolve
from . import wage_timing
from .wage_fit import QUANTILES, TIMING_DRAWS, TierFit, WageForecast, _years, fit_tier  # noqa: F401 - re-exported

PROVINCE = "福建省"
MONTHLY = "monthly_min_wage"
EVENT = "adjustment_event"
AVERAGE = "avg_monthly_min_wage_all_tiers"
KNOWN_TIERS = (1, 2, 3, 4)
CSV_HEADER_LINES = 2  # CSV line = frame index + 2 (header is line 1)


@dataclass(frozen=True)
class WageHistory:
    """Validated minimum-wage history of Fujian's tiers.

    ``values``: one row per (tier, adjustment month) with ``tier`` (int), ``month``
    (``pd.Period``, monthly), ``wage`` (yuan per month), ``line`` (CSV line) and ``derived``
    (True where the source says the figure is derived, e.g. 2013 = 2015 minus 180 yuan).
    ``events``: every adjustment month, with or without published values, sorted.
    """

    values: pd.DataFrame
    events: tuple[pd.Period, ...]
    path: Path
    averages: tuple[tuple[pd.Period, float], ...] = ()

    @property
    def tiers(self) -> list[int]:
        return sorted(int(t) for t in self.values["tier"].unique())

    def known_months(self) -> list[pd.Period]:
        """Adjustment months with published values, sorted."""
        return sorted(self.values["month"].unique())

    def unknown_events(self) -> list[pd.Period]:
        """Adjustment months whose tier values are not in the data (a known gap)."""
        known = set(self.known_months())
        return [m for m in self.events if m not in known]

    def series(self, tier: int) -> pd.Series:
        """Published wage of one tier by adjustment month (yuan per month)."""
        check_tier(tier, self)
        rows = self.values[self.values["tier"] == tier].sort_values("month")
        return pd.Series(rows["wage"].to_numpy(), index=pd.PeriodIndex(rows["month"], freq="M"), name=tier)


def _month(text: str) -> pd.Period:
    return pd.Period(str(text)[:7], freq="M")


def load_wage_history(path: Path | str | None = None) -> WageHistory:
    """Read and validate the minimum-wage table (``min_wage_fujian.csv`` or ``path``).

    Raises
    ------
    DataValidationError
        naming the file, CSV line and column for: a tier that is not 1–4, a tier missing at an
        adjustment date where other tiers have values (a gap), or a wage lower than the same
        tier's previous value (a decrease).
    """
    frame = loaders.load("min_wage", path)
    file = Path(path) if path is not None else loaders.table("min_wage").path()
    province = frame[frame["geography"] == PROVINCE]
    monthly = province[province["indicator"] == MONTHLY]
    rows = []
    for idx, row in monthly.iterrows():
        line = int(idx) + CSV_HEADER_LINES
        try:
            tier = int(str(row["tier"]).strip())
        except ValueError:
            tier = None
        if tier not in KNOWN_TIERS:
            raise DataValidationError(
                file, line, "tier", f"a Fujian tier, one of {list(KNOWN_TIERS)}", repr(row["tier"])
            )
        if pd.isna(row["value"]):
            raise DataValidationError(file, line, "value", "a monthly wage in yuan", "an empty cell")
        note = str(row.get("quote_or_note", "") or "")
        rows.append(
            {
                "tier": tier,
                "month": _month(row["effective_date"]),
                "wage": float(row["value"]),
                "line": line,
                "derived": note.upper().startswith("DERIVED"),
            }
        )
    if not rows:
        raise DataValidationError(file, None, "indicator", f"rows with indicator '{MONTHLY}' for {PROVINCE}", "none")
    values = pd.DataFrame(rows).sort_values(["tier", "month"], kind="stable").reset_index(drop=True)
    _check_no_gaps(values, file)
    _check_no_decrease(values, file)
    events = set(values["month"])
    for _, row in province[province["indicator"] == EVENT].iterrows():
        events.add(_month(row["effective_date"]))
    averages = tuple(
        sorted(
            (_month(r["effective_date"]), float(r["value"]))
            for _, r in province[province["indicator"] == AVERAGE].iterrows()
            if pd.notna(r["value"])
        )
    )
    return WageHistory(values, tuple(sorted(events)), file, averages)


def with_estimated_pending(history: WageHistory) -> WageHistory:
    """The history with each unknown event that has a published tier mean filled by tier (ESTIMATE).

    Tier value = the tier's previous published value × (published mean / previous mean of the
    tiers), i.e. every tier rises by the same percentage; rows are flagged ``derived``.
    """
    rows = [history.values]
    for month, mean in history.averages:
        if month not in history.unknown_events():
            continue
        before = history.values[history.values["month"] < month]
        last = before["month"].max()
        prev = before[before["month"] == last]
        factor = mean / prev["wage"].mean()
        rows.append(
            pd.DataFrame(
                {
                    "tier": prev["tier"].to_numpy(),
                    "month": month,
                    "wage": prev["wage"].to_numpy() * factor,
                    "line": -1,
                    "derived": True,
                }
            )
        )
    values = pd.concat(rows, ignore_index=True).sort_values(["tier", "month"], kind="stable").reset_index(drop=True)
    return replace(history, values=values)


def _check_no_gaps(values: pd.DataFrame, file: Path) -> None:
    tiers = set(values["tier"])
    for month, group in values.groupby("month", sort=True):
        missing = sorted(tiers - set(group["tier"]))
        if missing:
            raise DataValidationError(
                file,
                int(group["line"].min()),
                "tier",
                f"a {MONTHLY} row for tier {missing[0]} at {month} (other tiers have values on that date)",
                f"values only for tiers {sorted(group['tier'])}",
            )


def _check_no_decrease(values: pd.DataFrame, file: Path) -> None:
    for tier, group in values.groupby("tier"):
        wages = group["wage"].to_numpy()
        falls = np.flatnonzero(np.diff(wages) < 0)
        if len(falls):
            prev, bad = group.iloc[falls[0]], group.iloc[falls[0] + 1]
            raise DataValidationError(
                file,
                int(bad["line"]),
                "value",
                f"a wage >= {prev['wage']:g} (tier {tier} from {prev['month']}, line {prev['line']}); "
                "minimum wages are never cut",
                f"{bad['wage']:g} from {bad['month']}",
            )


def check_tier(tier: int, history: WageHistory) -> int:
    """``tier`` if the history has it, else an AnalysisError naming the known tiers."""
    if tier not in set(history.values["tier"]):
        raise AnalysisError(f"minimum-wage tier {tier!r} is not in {history.path.name}; known tiers: {history.tiers}")
    return int(tier)


def unit_tier(unit: str | Unit, history: WageHistory | None = None) -> int:
    """The Fujian minimum-wage tier of a county-level unit (``units.csv``, column ``wage_tier``).

    The city (``quanzhou``) has no tier of its own (it mixes tiers 2 and 3): an AnalysisError.
    """
    u = resolve(unit)
    if u.wage_tier is None:
        raise AnalysisError(
            f"unit {u.label} has no minimum-wage tier (units.csv, column wage_tier); "
            "city figures are population-weighted means of the 13 units"
        )
    return check_tier(u.wage_tier, history) if history is not None else int(u.wage_tier)


# --- the step function ------------------------------------------------------------------------


def in_force_monthly(history: WageHistory, first_year: int, last_year: int) -> pd.DataFrame:
    """Wage in force in each month (rows: monthly PeriodIndex; columns: tiers), yuan per month.

    Before the first adjustment, and from an adjustment with unknown values until the next
    known one, the wage is missing (NaN).
    """
    months = pd.period_range(f"{first_year}-01", f"{last_year}-12", freq="M")
    out = pd.DataFrame(index=months, columns=history.tiers, dtype=float)
    unknown = history.unknown_events()
    for tier in history.tiers:
        steps = history.series(tier)
        steps = pd.concat([steps, pd.Series(np.nan, index=pd.PeriodIndex(unknown, freq="M"))]).sort_index()
        steps = steps[~steps.index.duplicated(keep="first")]
        pos = np.searchsorted(steps.index.asi8, months.asi8, side="right") - 1
        vals = np.where(pos >= 0, steps.to_numpy()[np.clip(pos, 0, None)], np.nan)
        out[tier] = vals
    return out


def annual_average_in_force(history: WageHistory, first_year: int, last_year: int) -> pd.DataFrame:
    """Annual average of the wage in force (yuan per month), rows years, columns tiers.

    A year with any month of unknown wage is missing (NaN), not a partial average.
    """
    monthly = in_force_monthly(history, first_year, last_year)
    years = monthly.index.year
    return monthly.groupby(years).mean().where(monthly.notna().groupby(years).all())


# --- the forecast -------------------------------------------------------------------------------


def adjustment_schedule(
    history: WageHistory, anchor: pd.Period, last_year: int, interval_years: float
) -> list[pd.Period]:
    """Future adjustment months after ``anchor`` up to ``last_year``.

    The first is the earliest adjustment event after the anchor whose values are unknown (the
    2025-04 decree), else ``anchor + interval``; then one every ``interval_years``.
    """
    if interval_years <= 0:
        raise AnalysisError(f"interval_years must be > 0, got {interval_years}")
    pending = [m for m in history.unknown_events() if m > anchor]
    first = pending[0] if pending else anchor + int(round(12 * interval_years))
    months, k = [], 0
    while True:
        m = first + int(round(12 * interval_years * k))
        if m.year > last_year:
            return months
        months.append(m)
        k += 1


def forecast(
    history: WageHistory | None = None,
    first_year: int = 2020,
    last_year: int = DEFAULT_END_YEAR,
    interval_years: float = 2.33,
    fit_from_year: int = 2013,
    step_floor_pct: float = 0.0,
    draws: int = 1,
    seed: int | None = 20201101,
    tiers: list[int] | None = None,
    growth_override_pct: float | None = None,
    timing: str = "fixed",
    intervals=None,
) -> WageForecast:
    """Forecast the monthly minimum wage of each tier to December of ``last_year``.

    Parameters
    ----------
    interval_years
        Years between future adjustments (Fujian: every 2–3 years; see the scenario).
    fit_from_year
        First adjustment year used to fit the drift.
    step_floor_pct
        Smallest rise per adjustment, percent (0 = the wage is never cut). Applied to each
        Monte-Carlo increment, and to the analytic quantiles as a floor at the previous step.
    draws
        1 → analytic p10/p50/p90 from Student's t; > 1 → Monte-Carlo paths with ``seed``.
    growth_override_pct
        ``None`` (default) → the fitted drift. A number → the median growth of every tier is set
        to this many percent per year (drift = ln(1 + g/100)); the fitted uncertainty (drift
        standard error, step variance) is kept, so the band keeps its width. A scenario
        assumption (``assistance.wage_growth_override_pct``), not an estimate.
    timing, intervals
        ``"fixed"`` → decrees every ``interval_years``; ``"sampled"`` → each path draws the
        interval before every decree from ``intervals`` (default: the observed intervals since
        ``fit_from_year``'s era, :func:`analysis.services.wage_timing.adjustment_intervals`);
        with ``draws == 1`` the band is p10/p50/p90 month by month of ``TIMING_DRAWS`` paths.
        ``adjustments`` then holds the median path's dates.

    Returns
    -------
    WageForecast with wages in yuan per month.
    """
    history = history if history is not None else load_wage_history()
    tiers = tiers or history.tiers
    fits = {t: fit_tier(history, check_tier(t, history), fit_from_year) for t in tiers}
    if growth_override_pct is not None:
        if not np.isfinite(growth_override_pct) or growth_override_pct <= -100:
            raise AnalysisError(f"growth_override_pct must be a finite percent above -100, got {growth_override_pct}")
        fits = {t: replace(f, drift=float(np.log1p(growth_override_pct / 100.0))) for t, f in fits.items()}
    anchor = max(f.anchor for f in fits.values())
    schedule = adjustment_schedule(history, anchor, last_year, interval_years)
    months = pd.period_range(f"{first_year}-01", f"{last_year}-12", freq="M")
    known = in_force_monthly(history, first_year, last_year)
    if draws < 1:
        raise AnalysisError(f"draws must be >= 1, got {draws}")
    if timing not in ("fixed", "sampled"):
        raise AnalysisError(f"timing must be 'fixed' or 'sampled', got {timing!r}")
    if timing == "sampled":
        return wage_timing.sampled_forecast(
            fits, anchor, months, known, history, last_year, draws, seed, np.log1p(step_floor_pct / 100.0), intervals
        )
    # index of the adjustment in force in each month (-1 = before the first future adjustment)
    step_of_month = (
        np.searchsorted(np.asarray([m.ordinal for m in schedule], dtype=np.int64), months.asi8, side="right") - 1
    )
    horizons = np.array([(m.ordinal - anchor.ordinal) / 12.0 for m in schedule])
    floor = np.log1p(step_floor_pct / 100.0)
    rng = np.random.default_rng(seed)
    mode = "quantiles" if draws == 1 else "draws"
    if draws < 1:
        raise AnalysisError(f"draws must be >= 1, got {draws}")
    if mode == "draws":
        chi2 = rng.chisquare(df=max(min(f.df for f in fits.values()), 1), size=draws)
        z_mu = rng.standard_normal(draws)
        z_inc = rng.standard_normal((draws, len(schedule)))
    monthly = {}
    for tier, fit in fits.items():
        if fit.anchor != anchor:
            raise AnalysisError(f"tier {tier}: last published wage {fit.anchor} differs from other tiers ({anchor})")
        logw0 = np.log(fit.anchor_wage)
        if mode == "quantiles":
            from scipy import stats

            tq = stats.t.ppf(QUANTILES, df=fit.df)[:, None]
            steps = logw0 + fit.drift * horizons[None, :] + tq * fit.log_scale(horizons)[None, :]
            steps = (
                np.maximum.accumulate(np.maximum(steps, logw0 + floor * np.arange(1, len(schedule) + 1)), axis=1)
                if len(schedule)
                else steps
            )
        else:
            sigma2_d = fit.sigma2 * fit.df / chi2 if fit.df > 0 else np.full(draws, fit.sigma2)
            ratio = np.sqrt(sigma2_d / fit.sigma2)
            mu_d = fit.drift + ratio * fit.drift_se * z_mu
            dh = np.diff(np.concatenate([[0.0], horizons]))
            inc = mu_d[:, None] * dh[None, :] + np.sqrt(sigma2_d)[:, None] * np.sqrt(dh)[None, :] * z_inc
            steps = logw0 + np.cumsum(np.maximum(inc, floor), axis=1)
        k = steps.shape[0] if len(schedule) else (3 if mode == "quantiles" else draws)
        forecast_vals = (
            np.exp(steps)[:, np.clip(step_of_month, 0, None)] if len(schedule) else np.full((k, len(months)), np.nan)
        )
        known_vals = known[tier].to_numpy()
        future = step_of_month >= 0
        vals = np.where(future[None, :], forecast_vals, known_vals[None, :])
        monthly[tier] = vals
    return WageForecast(fits, schedule, months, monthly, mode, interval_years, seed)


def forecast_frame(fc: WageForecast) -> pd.DataFrame:
    """Tidy annual forecast per tier: ``tier, year, p10, p50, p90`` (yuan per month).

    With a single draw the band is the analytic 10–90 % predictive interval.
    """
    frames = []
    for tier in fc.monthly:
        years, vals = fc.annual(tier)
        pct = {"p10": vals[0], "p50": vals[1], "p90": vals[2]} if fc.mode == "quantiles" else percentiles(vals, axis=0)
        frames.append(pd.DataFrame({"tier": tier, "year": years, **pct}))
    return pd.concat(frames, ignore_index=True)


def observed_adjustment_interval(history: WageHistory | None = None, from_year: int = 2013) -> float:
    """Mean spacing of Fujian's adjustments (years), from ``from_year`` to the last event.

    Uses every adjustment date, including those whose values are unknown (2017-07, 2025-04).
    """
    history = history if history is not None else load_wage_history()
    t = np.array([_years(m) for m in history.events if m.year >= from_year])
    if len(t) < 2:
        raise AnalysisError(f"fewer than two adjustment dates since {from_year} in {history.path.name}")
    return float((t[-1] - t[0]) / (len(t) - 1))

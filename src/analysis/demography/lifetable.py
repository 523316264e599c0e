"""Single-year life tables and survival ratios, with the mortality level set to a target e0.

Standard schedule: UN WPP 2022 central death rates m(x) for China by sex and 5-year age group
(``life_table.csv``; periods 2010–15, 2015–20, 2020–25). For a calendar year the log-rates are
interpolated linearly between period mid-points (2012.5, 2017.5, 2022.5; constant outside),
then split to single ages by :func:`~analysis.demography.graduation.log_linear_rates`.

Level: the whole schedule is multiplied by a proportional-hazards factor ``k`` so that the life
expectancy at birth equals a target (found by a vectorized secant root search on ``log k``).
Quanzhou's own life expectancy is not published: the national WPP level is used, and a
scenario offset (``demography.e0_offset``) shifts it.

Life-table conventions (constant hazard within each single year of age):
``q(a) = 1 - exp(-m(a))``, ``L(a) = l(a) (1 - exp(-m(a))) / m(a)``, open age 100+:
``L(100+) = l(100) / m(100)``. Projection survival ratios: ``S(a) = L(a+1) / L(a)`` for
a = 0…99 (the year-long person-years of age 100 are used for a = 99) and ``S(100) = exp(-m(100))``
for the open group; newborns reach age 0 at the end of the year with ``L(0) / l(0)``.
"""

from __future__ import annotations

import numpy as np

from ..data import loaders
from ..errors import AnalysisError
from .graduation import log_linear_rates
from .result import N_AGES, SEXES

PERIOD_MIDPOINTS = {"2010-2015": 2012.5, "2015-2020": 2017.5, "2020-2025": 2022.5}


def _one_year_person_years(m: np.ndarray) -> np.ndarray:
    """Person-years per survivor at the start of a year of age, constant hazard: (1-e^-m)/m."""
    safe = np.maximum(m, 1e-15)  # (1 - e^-m)/m → 1 as m → 0; expm1 keeps it exact
    return -np.expm1(-safe) / safe


def life_table(mx: np.ndarray) -> dict[str, np.ndarray]:
    """Single-year life table from death rates ``mx`` (…, 101); the last age is open.

    Returns ``l`` (survivors at exact age, l(0)=1), ``L`` (person-years lived in each age,
    open age = l(100)/m(100)), ``e0`` (years) — all vectorized over leading axes.
    """
    mx = np.asarray(mx, dtype=float)
    if np.any(mx < 0) or not np.all(np.isfinite(mx)):
        raise AnalysisError("death rates must be finite and not negative")
    p = np.exp(-mx[..., :-1])
    lx = np.concatenate([np.ones(mx.shape[:-1] + (1,)), np.cumprod(p, axis=-1)], axis=-1)
    Lx = lx * _one_year_person_years(mx)
    with np.errstate(divide="ignore"):
        open_L = np.where(mx[..., -1] > 0, lx[..., -1] / np.maximum(mx[..., -1], 1e-300), np.inf)
    Lx[..., -1] = open_L
    return {"l": lx, "L": Lx, "e0": Lx.sum(axis=-1)}


def e0_of(mx: np.ndarray) -> np.ndarray:
    """Life expectancy at birth (years) of death-rate schedules ``mx`` (…, 101)."""
    return life_table(mx)["e0"]


def _secant(mx, target, x1, tol, max_iter):
    """Safeguarded secant search on log k (general, slower path)."""
    shape = target.shape
    lo = np.full(shape, -8.0)   # log k: e0 very high
    hi = np.full(shape, 6.0)    # log k: e0 very low

    def f(logk):
        return e0_of(mx * np.exp(logk)[..., None]) - target

    if np.any(f(lo) < 0) or np.any(f(hi) > 0):
        raise AnalysisError("target life expectancy cannot be reached by scaling the standard schedule")
    x0 = x1 + 0.05
    f0, f1 = f(x0), f(x1)
    for _ in range(max_iter):
        lo = np.where(f1 > 0, np.maximum(lo, x1), lo)
        hi = np.where(f1 <= 0, np.minimum(hi, x1), hi)
        if np.all(np.abs(f1) < tol):
            return x1
        denom = f1 - f0
        step = np.where(np.abs(denom) > 1e-14, f1 * (x1 - x0) / np.where(denom == 0, 1, denom), 0.0)
        x2 = x1 - step
        outside = (x2 <= lo) | (x2 >= hi) | ~np.isfinite(x2)
        x2 = np.where(outside, 0.5 * (lo + hi), x2)
        x0, f0 = x1, f1
        x1, f1 = x2, f(x2)
    raise AnalysisError("life-expectancy root search did not converge")


def solve_hazard_factor(mx: np.ndarray, target_e0, tol: float = 1e-6, max_iter: int = 60,
                        verify: bool = True) -> np.ndarray:
    """Proportional-hazards factor ``k`` with ``e0(k · mx) = target_e0``, vectorized.

    Parameters
    ----------
    mx : array (…, 101)
        Standard death rates (deaths per person-year); leading axes may be size 1 where the
        same schedule serves many targets (e.g. one schedule per year and sex, many draws).
    target_e0 : array broadcastable with ``mx.shape[:-1]``
        Target life expectancy at birth (years).
    tol : float
        Largest accepted error of e0 (years).
    verify : bool
        Check the result (one more life-table evaluation); callers that compute the life table
        of the result anyway may check it themselves (see :func:`survival_ratios`).

    Returns
    -------
    numpy.ndarray of shape ``broadcast(mx.shape[:-1], target.shape)``: the factor ``k`` (> 0).

    Root finding on ``x = log k`` (e0 is smooth and strictly decreasing in x): a starting value
    is read off a grid of e0 over x ∈ [-3, 3] computed once per *distinct* schedule, then
    refined by Newton steps on the full arrays (slope from the grid); anything not within
    ``tol`` after that goes to a safeguarded secant search.
    """
    mx = np.asarray(mx, dtype=float)
    target = np.asarray(target_e0, dtype=float)
    shape = np.broadcast_shapes(mx.shape[:-1], target.shape)
    grid = np.linspace(-3.0, 3.0, 241)
    e0_grid = e0_of(mx[None] * np.exp(grid).reshape((-1,) + (1,) * mx.ndim))  # (G, *mx.shape[:-1])
    e0_grid = np.broadcast_to(e0_grid, (len(grid),) + shape)
    tgt = np.broadcast_to(target, shape)
    idx = np.clip((e0_grid > tgt[None]).sum(axis=0), 1, len(grid) - 1)  # decreasing in x
    hi_e = np.take_along_axis(e0_grid, (idx - 1)[None], 0)[0]
    lo_e = np.take_along_axis(e0_grid, idx[None], 0)[0]
    slope = (lo_e - hi_e) / (grid[1] - grid[0])        # d e0 / d x (< 0)
    x = grid[idx - 1] + (tgt - hi_e) / slope
    full_mx = np.broadcast_to(mx, shape + mx.shape[-1:])
    err = e0_of(full_mx * np.exp(x)[..., None]) - tgt
    x = x - err / slope  # one Newton step: the grid start is within ~1e-4 years
    if not verify:
        return np.exp(x)
    bad = np.abs(e0_of(full_mx * np.exp(x)[..., None]) - tgt) >= tol
    if np.any(bad):
        x = np.array(x, copy=True)
        x[bad] = _secant(full_mx[bad], tgt[bad], x[bad], tol, max_iter)
    return np.exp(x)


def survival_ratios(mx: np.ndarray, with_e0: bool = False):
    """Projection survival ratios from death rates (…, 101).

    Returns ``S`` (…, 101): share of persons aged a at the start of a year who are alive (aged
    a+1, or still 100+) one year later; and ``S_birth`` (…): share of the year's births alive at
    the end of the year (L(0)/l(0)). With ``with_e0`` also the life expectancy at birth.
    """
    mx = np.asarray(mx, dtype=float)
    table = life_table(mx)
    lx, Lx = table["l"], table["L"].copy()
    Lx[..., -1] = lx[..., -1] * _one_year_person_years(mx[..., -1])  # one year of the open age
    S = np.empty_like(mx)
    S[..., :-1] = Lx[..., 1:] / Lx[..., :-1]
    S[..., -1] = np.exp(-mx[..., -1])
    if with_e0:
        return S, Lx[..., 0], table["e0"]
    return S, Lx[..., 0]


def standard_mx(years) -> np.ndarray:
    """WPP standard death rates by single age, shape (len(years), 2 sexes, 101).

    Log-linear interpolation in time between the WPP period mid-points (constant outside).
    """
    table = loaders.load_life_table()
    rates = table[table["indicator"] == "mx_central_death_rate"]
    periods = sorted(rates["period"].unique(), key=lambda p: PERIOD_MIDPOINTS[p])
    mids = np.array([PERIOD_MIDPOINTS[p] for p in periods])
    starts = np.sort(rates["age_start"].unique())
    grid = np.empty((len(periods), 2, N_AGES))
    for i, period in enumerate(periods):
        for s, sex in enumerate(SEXES):
            sel = rates[(rates["period"] == period) & (rates["sex"] == sex)].sort_values("age_start")
            if len(sel) != len(starts):
                raise AnalysisError(f"life_table.csv: incomplete m(x) for {sex} {period}")
            grid[i, s] = log_linear_rates(sel["age_start"].to_numpy(), sel["value"].to_numpy())
    years = np.atleast_1d(np.asarray(years, dtype=float))
    logg = np.log(grid)
    out = np.empty((len(years), 2, N_AGES))
    for j, year in enumerate(years):
        t = np.clip(year, mids[0], mids[-1])
        i = min(np.searchsorted(mids, t, side="right") - 1, len(mids) - 2)
        w = (t - mids[i]) / (mids[i + 1] - mids[i])
        out[j] = np.exp((1 - w) * logg[i] + w * logg[i + 1])
    return out


def e0_path(years) -> np.ndarray:
    """UN WPP 2022 life expectancy at birth for China, shape (len(years), 2): male, female.

    Estimates 2010–2021 come from ``life_table.csv``, the medium variant 2022–2060 from
    ``wpp2022_china_projection_e0_tfr.csv``. A year outside 2010–2060 is an error.
    """
    table = loaders.load_life_table()
    est = table[table["indicator"] == "e0_life_expectancy_at_birth"]
    proj = loaders.load_wpp_projection()
    series = {}
    for s, sex in enumerate(SEXES):
        a = {int(r.year): float(r.value) for r in est[est["sex"] == sex].itertuples()}
        b = {int(r.year): float(r.value) for r in proj[proj["indicator"] == f"e0_{sex}"].itertuples()}
        series[s] = {**a, **b}
    years = np.atleast_1d(np.asarray(years, dtype=int))
    out = np.empty((len(years), 2))
    for j, year in enumerate(years):
        for s in (0, 1):
            if year not in series[s]:
                raise AnalysisError(f"no WPP life expectancy for {SEXES[s]} in {year} (have 2010–2060)")
            out[j, s] = series[s][year]
    return out

"""Single-year life tables and survival ratios, with the mortality level set to a target e0.

Standard schedule: UN WPP 2022 central death rates m(x) for China by sex and 5-year age group
(``life_table.csv``; periods 2010–15, 2015–20, 2020–25). For a calendar year the log-rates are
interpolated linearly between period mid-points (2012.5, 2017.5, 2022.5; constant outside),
then split to single ages by :func:`~analysis.demography.graduation.log_linear_rates`.

Level: the whole schedule is multiplied by a proportional-hazards factor ``k`` so that the life
expectancy at birth equals a target. :func:`survival_at_e0` finds k for every (year, draw, sex)
schedule at once — cubic Hermite interpolation of e0(log k), tabulated with its exact derivative
once per distinct standard schedule, solved by Newton steps on the whole array — and computes the
survival ratios block by block, so that nothing but the result is the size of the result.
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
from ..data.graduation import log_linear_rates
from ..errors import AnalysisError
from .oldest_old import kannisto_tail
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
    lo = np.full(shape, -8.0)  # log k: e0 very high
    hi = np.full(shape, 6.0)  # log k: e0 very low

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


#: x = log k is searched within this range on the tabulated e0 (targets outside go to the
#: secant search, whose bracket is wider); COARSE_STEP locates the targets, FINE_STEP tabulates
#: e0 and its derivative for the cubic Hermite interpolant.
LOG_K_RANGE = (-3.0, 3.0)
COARSE_STEP, FINE_STEP = 0.25, 0.025

#: Largest accepted error (years) of the interpolated e0 at the middle of a fine interval, where
#: the error of cubic Hermite interpolation peaks; it is about 1e-9 years for these schedules.
INTERPOLATION_TOL = 1e-8

#: Schedules evaluated together in one block (block × 101 float64 ≈ 1.6 MiB per temporary, so
#: that the few temporaries of a block stay in cache and none is the size of the result).
BLOCK = 2048


def _tabulate(ms: np.ndarray, x: np.ndarray, slope: bool = True):
    """e0 (and de0/dx) of ``exp(x) · ms`` for every schedule and x: (n, G) each.

    With z = k m, l(a) = exp(-k C(a)) (C = cumulative hazard to exact age a) and
    g(z) = (1 - e^-z)/z: e0 = sum_{a<100} l(a) g(z_a) + l(100)/z_100, and since
    z g'(z) = e^-z - g(z), de0/dx = sum_{a<100} l(a) (e^-z_a - g(z_a) - k C(a) g(z_a))
    - (k C(100) + 1) l(100)/z_100. Many distinct schedules are tabulated a block at a time.
    """
    rows = max(1, BLOCK // len(x))
    if len(ms) > rows:
        parts = [_tabulate(ms[i : i + rows], x, slope) for i in range(0, len(ms), rows)]
        if not slope:
            return np.concatenate(parts)
        return np.concatenate([e for e, _ in parts]), np.concatenate([d for _, d in parts])
    n, A = ms.shape
    cum = np.zeros((n, A))
    np.cumsum(ms[:, :-1], axis=-1, out=cum[:, 1:])
    k = np.exp(x)[None, :, None]  # (1, G, 1)
    z = np.maximum(k * ms[:, None, :], 1e-15)  # (n, G, A)
    kc = k * cum[:, None, :]
    lx = np.exp(-kc)
    q = -np.expm1(-z)
    g = np.divide(q, z, out=q if not slope else None)
    with np.errstate(divide="ignore", invalid="ignore"):
        open_l = np.where(ms[:, None, -1] > 0, lx[..., -1] / z[..., -1], np.inf)
    e0 = np.einsum("nga,nga->ng", lx[..., :-1], g[..., :-1]) + open_l
    if not slope:
        return e0
    np.subtract(1.0, q, out=q)  # e^-z
    q -= g * (1.0 + kc)
    d = np.einsum("nga,nga->ng", lx[..., :-1], q[..., :-1]) - (kc[..., -1] + 1.0) * open_l
    return e0, d


def _locate(table: np.ndarray, sid: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """Per target, the first column j of its schedule's row of ``table`` (decreasing along
    rows) with ``table[sid, j] <= tgt``: one ``searchsorted`` on all rows at once, each row
    shifted by a multiple of the table's range so that the flattened table increases."""
    n, G = table.shape
    finite = np.clip(np.where(np.isnan(table), -1e6, table), -1e6, 1e6)
    span = 2.0 * float(np.ptp(finite)) + 1.0
    shift = span * np.arange(n)
    keys = (shift[:, None] - finite).ravel()
    return np.searchsorted(keys, shift[sid] - np.clip(tgt, -1e6, 1e6)) - sid * G


def _grid_solve(ms: np.ndarray, sid: np.ndarray, tgt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x = log k with e0(exp(x) · ms[sid]) = tgt for every target at once.

    A coarse table of e0 locates the targets; on the x range they need, e0 and its exact
    derivative are tabulated at :data:`FINE_STEP` once per distinct schedule, and each target is
    solved on the cubic Hermite interpolant of its interval by Newton steps (all targets at
    once). The interpolant's error is checked at every interval's midpoint. Returns x (N,) and
    a mask of the targets left to the secant search (outside the range, or the check failed).
    """
    lo, hi = LOG_K_RANGE
    coarse = np.linspace(lo, hi, int(round((hi - lo) / COARSE_STEP)) + 1)
    pos = _locate(_tabulate(ms, coarse, slope=False), sid, tgt)
    outside = (pos < 1) | (pos > len(coarse) - 1) | ~np.isfinite(tgt)
    if np.all(outside):
        return np.zeros(len(tgt)), outside
    x_lo = coarse[pos[~outside].min() - 1]
    x_hi = coarse[pos[~outside].max()]
    steps = int(np.ceil((x_hi - x_lo) / FINE_STEP - 1e-9))
    fine = x_lo + FINE_STEP * np.arange(steps + 1)
    both = np.empty(2 * steps + 1)  # grid points and midpoints
    both[0::2], both[1::2] = fine, fine[:-1] + 0.5 * FINE_STEP
    e_all, d_all = _tabulate(ms, both)
    e0g, dg = e_all[:, 0::2], d_all[:, 0::2] * FINE_STEP  # slopes per unit of u
    mid_err = np.abs(e_all[:, 1::2] - (0.5 * (e0g[:, :-1] + e0g[:, 1:]) + 0.125 * (dg[:, :-1] - dg[:, 1:])))
    i = np.clip(_locate(e0g, sid, tgt), 1, steps) - 1
    e_a, e_b, d_a, d_b = e0g[sid, i], e0g[sid, i + 1], dg[sid, i], dg[sid, i + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.clip((tgt - e_a) / (e_b - e_a), 0.0, 1.0)  # linear start
        for _ in range(3):  # Newton on the Hermite cubic in u
            u2 = u * u
            u3 = u2 * u
            f = (
                (2 * u3 - 3 * u2 + 1) * e_a + (u3 - 2 * u2 + u) * d_a + (3 * u2 - 2 * u3) * e_b + (u3 - u2) * d_b
            ) - tgt
            df = (6 * u2 - 6 * u) * (e_a - e_b) + (3 * u2 - 4 * u + 1) * d_a + (3 * u2 - 2 * u) * d_b
            u = np.clip(u - f / df, 0.0, 1.0)
        u2 = u * u
        u3 = u2 * u
        resid = (
            (2 * u3 - 3 * u2 + 1) * e_a + (u3 - 2 * u2 + u) * d_a + (3 * u2 - 2 * u3) * e_b + (u3 - u2) * d_b
        ) - tgt
    x = fine[i] + u * FINE_STEP
    outside |= ~np.isfinite(x) | ~(np.abs(resid) < INTERPOLATION_TOL) | ~(mid_err[sid, i] < INTERPOLATION_TOL)
    return np.where(outside, 0.0, x), outside


def _evaluate(ms: np.ndarray, sid: np.ndarray, k: np.ndarray, S_out: np.ndarray | None = None, with_e0: bool = True):
    """``S_birth`` = L(0) (N,) and e0 (N,) of the schedules ``k[i] · ms[sid[i]]``, block by
    block; fills ``S_out`` (N, A) with their survival ratios (see :func:`survival_ratios`)."""
    N = len(k)
    Sb = np.empty(N)
    e0 = np.empty(N) if with_e0 else None
    clamp = not np.all(ms > 1e-15)
    for lo in range(0, N, BLOCK):
        hi = min(lo + BLOCK, N)
        neg_z = np.take(ms, sid[lo:hi], axis=0)
        neg_z *= -k[lo:hi, None]  # -z = -k m
        if clamp:  # (1 - e^-z)/z → 1 as z → 0
            np.minimum(neg_z, -1e-15, out=neg_z)
        em = np.expm1(neg_z)  # e^-z - 1, exact for small z
        g = np.divide(em, neg_z)  # (1 - e^-z)/z: L(a)/l(a)
        p = np.add(em, 1.0, out=em)  # e^-z
        Sb[lo:hi] = g[:, 0]
        if S_out is not None:  # S(a) = e^-z_a g(z_{a+1}) / g(z_a); S(100) = e^-z_100
            S = S_out[lo:hi]
            np.divide(g[:, 1:], g[:, :-1], out=S[:, :-1])
            S[:, :-1] *= p[:, :-1]
            S[:, -1] = p[:, -1]
        if with_e0:  # e0 = sum_{a<100} l(a) g(z_a) + l(100)/z_100
            lx = np.cumprod(p[:, :-1], axis=-1, out=neg_z[:, 1:])
            neg_z[:, 0] = 1.0
            last = -k[lo:hi] * ms[sid[lo:hi], -1]
            with np.errstate(divide="ignore"):
                open_l = np.where(last < 0, lx[:, -1] / -np.minimum(last, -1e-300), np.inf)
            e0[lo:hi] = np.einsum("na,na->n", neg_z[:, :-1], g[:, :-1]) + open_l
    return Sb, e0


def _distinct(mx: np.ndarray, target):
    """Distinct schedules (n, A) and, per element of the broadcast shape, schedule and target."""
    mx = np.asarray(mx, dtype=float)
    if mx.ndim == 0 or np.any(mx < 0) or not np.all(np.isfinite(mx)):
        raise AnalysisError("death rates must be finite and not negative")
    lead = mx.shape[:-1]
    shape = np.broadcast_shapes(lead, np.shape(target))
    ms = mx.reshape(-1, mx.shape[-1])
    sid = np.broadcast_to(np.arange(len(ms)).reshape(lead), shape).ravel()
    tgt = np.array(np.broadcast_to(np.asarray(target, dtype=float), shape)).ravel()
    return ms, sid, tgt, shape


def solve_hazard_factor(
    mx: np.ndarray, target_e0, tol: float = 1e-6, max_iter: int = 60, verify: bool = True
) -> np.ndarray:
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
        Also check every result on its exact life table (one more evaluation); without it the
        interpolation error is still checked (see below).

    Returns
    -------
    numpy.ndarray of shape ``broadcast(mx.shape[:-1], target.shape)``: the factor ``k`` (> 0).

    Root finding on ``x = log k`` (e0 is smooth and strictly decreasing in x): e0 and its exact
    derivative are tabulated once per *distinct* schedule on the x range the targets need, and
    every target is solved at once on the cubic Hermite interpolant of its schedule — no loop
    over schedules, no array of schedules × ages larger than one block. The interpolant is
    checked against the exact e0 at every interval's midpoint (where its error peaks); targets
    outside x ∈ [-3, 3], failing that check, or (with ``verify``) not within ``tol`` go to a
    safeguarded secant search.
    """
    ms, sid, tgt, shape = _distinct(mx, target_e0)
    x, outside = _grid_solve(ms, sid, tgt)
    if verify:
        outside |= ~(np.abs(_evaluate(ms, sid, np.exp(x))[1] - tgt) < tol)
    if np.any(outside):
        x[outside] = _secant(ms[sid[outside]], tgt[outside], x[outside], tol, max_iter)
    return np.exp(x).reshape(shape)


def survival_at_e0(mx: np.ndarray, target_e0, tol: float = 1e-6, verify: bool = False):
    """Survival ratios of ``k · mx`` with k set so that e0 = ``target_e0``, in one pass.

    The same as ``survival_ratios(mx * solve_hazard_factor(mx, target_e0)[..., None])``
    without the full-size arrays of scaled rates and life tables in between: only ``S`` is the
    size of the result, everything else one block of schedules (or one row per distinct
    schedule) at a time.

    Returns ``S`` (…, 101), ``S_birth`` (…) and ``k`` (…), of shape ``broadcast(mx.shape[:-1],
    target_e0.shape)``. The e0 of every result is within ``tol`` of its target by the checks
    of :func:`solve_hazard_factor`; ``verify`` also recomputes every e0 from its life table.
    """
    ms, sid, tgt, shape = _distinct(mx, target_e0)
    x, outside = _grid_solve(ms, sid, tgt)
    if np.any(outside):
        x[outside] = _secant(ms[sid[outside]], tgt[outside], x[outside], tol, 60)
    k = np.exp(x)
    S = np.empty((len(k), ms.shape[1]))
    Sb, e0 = _evaluate(ms, sid, k, S, with_e0=verify)
    if verify:
        bad = ~(np.abs(e0 - tgt) < tol)
        if np.any(bad):
            k[bad] = np.exp(_secant(ms[sid[bad]], tgt[bad], x[bad], tol, 60))
            sub = np.empty((int(bad.sum()), ms.shape[1]))
            Sb[bad] = _evaluate(ms, sid[bad], k[bad], sub, with_e0=False)[0]
            S[bad] = sub
    return S.reshape(shape + (ms.shape[1],)), Sb.reshape(shape), k.reshape(shape)


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

    Log-linear interpolation in time between the WPP period mid-points (constant outside); ages
    95–99 and the open 100+ from the Kannisto tail (:mod:`.oldest_old`).
    """
    table = loaders.load_life_table()
    rates = table[table["indicator"] == "mx_central_death_rate"]
    period_col = rates["period"].to_numpy(dtype=object)
    sex_col = rates["sex"].to_numpy(dtype=object)
    start_col = rates["age_start"].to_numpy(dtype=float)
    value_col = rates["value"].to_numpy(dtype=float)
    periods = sorted(set(period_col), key=lambda p: PERIOD_MIDPOINTS[p])
    mids = np.array([PERIOD_MIDPOINTS[p] for p in periods])
    n_starts = len(np.unique(start_col))
    grid = np.empty((len(periods), 2, N_AGES))
    for i, period in enumerate(periods):
        for s, sex in enumerate(SEXES):
            sel = (period_col == period) & (sex_col == sex)
            if sel.sum() != n_starts:
                raise AnalysisError(f"life_table.csv: incomplete m(x) for {sex} {period}")
            order = np.argsort(start_col[sel], kind="stable")
            grid[i, s] = log_linear_rates(start_col[sel][order], value_col[sel][order])
    years = np.atleast_1d(np.asarray(years, dtype=float))
    logg = np.log(grid)
    t = np.clip(years, mids[0], mids[-1])
    i = np.minimum(np.searchsorted(mids, t, side="right") - 1, len(mids) - 2)
    w = ((t - mids[i]) / (mids[i + 1] - mids[i]))[:, None, None]
    # ages 95+ from the Kannisto tail fitted to 80–94 (issue 26: WPP's 97–99 flat and 100+ too high)
    return kannisto_tail(np.exp((1 - w) * logg[i] + w * logg[i + 1]))


def e0_path(years) -> np.ndarray:
    """UN WPP 2022 life expectancy at birth for China, shape (len(years), 2): male, female.

    Estimates 2010–2021 come from ``life_table.csv``, the medium variant 2022–2060 from
    ``wpp2022_china_projection_e0_tfr.csv``. A year outside 2010–2060 is an error.
    """
    table = loaders.load_life_table()
    proj = loaders.load_wpp_projection()
    t_ind, t_sex, p_ind = (f[c].to_numpy() for f, c in ((table, "indicator"), (table, "sex"), (proj, "indicator")))
    series = {}
    for s, sex in enumerate(SEXES):
        a = (t_ind == "e0_life_expectancy_at_birth") & (t_sex == sex)
        b = p_ind == f"e0_{sex}"
        series[s] = {
            **dict(
                zip(
                    table["year"].to_numpy()[a].astype(int).tolist(),
                    table["value"].to_numpy()[a].astype(float).tolist(),
                )
            ),
            **dict(
                zip(proj["year"].to_numpy()[b].astype(int).tolist(), proj["value"].to_numpy()[b].astype(float).tolist())
            ),
        }
    years = np.atleast_1d(np.asarray(years, dtype=int))
    out = np.empty((len(years), 2))
    for j, year in enumerate(years):
        for s in (0, 1):
            if year not in series[s]:
                raise AnalysisError(f"no WPP life expectancy for {SEXES[s]} in {year} (have 2010–2060)")
            out[j, s] = series[s][year]
    return out

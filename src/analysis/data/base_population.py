"""Base population by unit × sex × single age 0…100+ — estimated where no real table exists.

No published age-by-sex table exists for the counties (see ``data/README``), so the base is
**estimated**, transparently, by code:

1. **Age shape**: UN WPP 2019, China, by sex and 5-year group (``wpp2019_china_population_age5_sex
   .csv``) graduated to single years with a monotone cubic (PCHIP) spline through the cumulative
   counts (:mod:`analysis.demography.graduation`; group totals are kept exactly).
2. **Fit**: iterative proportional fitting (IPF, :func:`ipf`) of that shape to every known margin:
   unit totals, sex totals and broad-age counts (from the shares). Broad-age margins are met by a
   **smooth** multiplier of age (:class:`AgeBandMargin`, :func:`smooth_age_factor`): its
   logarithm is piecewise linear with one free value per band at the band's mid-point (open band:
   its mean age), solved so that every band total is exact. Plain IPF would multiply all ages of
   a band by one factor and leave steps at 15, 60 and 65 (晋江市: −43 % from 59 to 60), which the
   projection would then carry forward as spurious cohort jumps (晋江市 60+ +58 % in 2020–25); the
   smooth adjustment changes the single-age slope only at the knots (by at most ≈ 4 %).

Resident base 2020 (常住, 7th census): city total, sex split and shares 0–14 / 15–59 / 60+ / 65+
(→ bands 0–14, 15–59, 60–64, 65+); 晋江市 has its own total, sex split and shares and is fitted on
its own; the other 12 units share the *residual* city margins (city minus 晋江市) in a constrained
IPF over units, so the 13 units add up to the city exactly. County totals 2020 are published only
for 晋江市, 南安市, 惠安县 and (derived) 泉州台商投资区; the remainder is split over the other nine
units in proportion to their 2021 year-end populations (yearbook 2022 table 3-5).

**County age structures from the 2021 crude death rates** (indirect estimate,
:func:`fit_county_age_structure`). No age shares are published for the 12 units other than
晋江市, but the yearbook gives each unit's 2021 crude death rate (CDR), and under one age-specific
mortality schedule the CDR is mostly a measure of how old a population is. Each unit's IPF seed is
the residual shape tilted by ``exp(θ_u · z(age))``, ``z = (age − mean age) / sd of age`` of the
WPP shape (both sexes); the constrained IPF then restores the unit totals and the residual city
margins, so the city and 晋江市 margins are still met exactly. ``θ_u`` is solved with
``scipy.optimize.least_squares`` so that ``k · Σ m(s,a) P_u(s,a) / Σ P_u`` equals the unit's
yearbook CDR, where ``m`` is the national WPP 2022 single-age schedule levelled to the WPP e0 of
2021 (national level) and ``k`` is **one common mortality-level
factor** for all calibrated units. ``k`` is needed because the census margins fix the average age
of the 12 units: the national schedule gives the city's census structure a CDR of ≈ 5.3 ‰, the
yearbook says 6.9 ‰ (registration of deaths, local mortality level, or mid-year denominators —
unknown), so only the *relative* CDRs between units carry age information. The projection uses
``k`` as Quanzhou's mortality level
(:func:`analysis.demography.projection.quanzhou_mortality_level`). The common shift of all θ
is not identified (it only reshapes ages *within* the census bands); it is fixed by
``Σ_u P_u θ_u = 0``. The 2020 base structure stands in for the mid-2021 structure (eight months
of ageing move all units alike and are absorbed in ``k``). A unit whose CDR cannot be reached
within ``|θ| ≤`` :data:`TILT_BOUND` (泉州开发区, 0.5 ‰: a small zone of young migrant workers whose
deaths are registered elsewhere) is clamped to the bound, left out of ``k`` and listed in
``notes``. Hold-out check (tested): fitting 晋江市 the same way, without its published shares,
moves its 60+ share from the city's 13.21 % towards the published 10.10 % (the CDR signal is
right in direction but understates the size of age differences). The old shared structure stays
available: ``estimate_resident_2020(county_ages="shared")``.

Registered base 2020 (户籍): city total and sex split 2020 (``registered_elderly.csv``); 60+ =
1.11 million (plan text, ``plan_targets.csv``); the 80+ count is estimated as 60+ × the 2017 ratio
80+/60+ (148,000 / 1,015,000). The county split is not published: every unit is given the city's
registered/resident ratio by sex and age applied to its estimated resident population.

Resident base 2010 (for the backtest): all 13 unit totals, city sex split and 0–14 / 15–59 / 60+
counts (6th census) with 0–4 / 5–9 / 10–14 split by the yearbook's 2010 shares; the age shape is
WPP 2019's 2015 population moved back five years along cohorts (divided by the 2010–15 WPP
five-year survival).

A real table (unit, sex, age or age_group, population) replaces the estimate with no code change:
pass it to :func:`load_base_population`, or put it at
``data/raw/base_population_<base>_<year>.csv``. Five-year groups are split by the same graduation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config, geography
from ..errors import AnalysisError, DataValidationError, ParameterError
from . import loaders

N_AGES = 101
SEXES = ("male", "female")
SEX_ALIASES = {"male": 0, "m": 0, "男": 0, "female": 1, "f": 1, "女": 1}

RESIDENT_BANDS_2020 = [(0, 14), (15, 59), (60, 64), (65, None)]
REGISTERED_BANDS = [(0, 59), (60, 79), (80, None)]

#: Largest age tilt |θ| (per standard deviation of age, ≈ 21 years): weights may change by at
#: most e^0.5 ≈ 1.65 per 21 years of age. The plausible units need θ from −0.24 (丰泽区 4.9 ‰) to
#: +0.12 (泉港区/德化县 8.5 ‰); the bound is about twice the largest, and a unit needing more is
#: clamped (泉州开发区 0.5 ‰ would need an age structure no tilt of the shape can give).
TILT_BOUND = 0.5
#: Year of the crude death rates (yearbook 2022 table 3-5) and of the mortality schedule.
CDR_YEAR = 2021
COUNTY_AGE_METHODS = ("crude_death_rate", "shared")


@dataclass
class BasePopulation:
    """Persons by unit × sex × age at the base date (1 November of ``year``).

    ``population`` has shape (13 units, 2 sexes, 101 ages); ``estimated`` is False only when
    the whole table came from a real source; ``notes`` lists every estimated input.
    """

    population: np.ndarray
    unit_ids: list[str]
    year: int
    base: str
    estimated: bool = True
    notes: list[str] = field(default_factory=list)
    unit_total_estimated: dict[str, bool] = field(default_factory=dict)
    diagnostics: dict = field(default_factory=dict)

    def city(self) -> np.ndarray:
        """City (sum of units), shape (2, 101)."""
        return self.population.sum(axis=0)

    def frame(self) -> pd.DataFrame:
        """Tidy table: unit_id, sex, age, population (persons)."""
        u, s, a = np.meshgrid(np.arange(len(self.unit_ids)), np.arange(2), np.arange(N_AGES), indexing="ij")
        return pd.DataFrame({"unit_id": np.asarray(self.unit_ids)[u.ravel()],
                             "sex": np.asarray(SEXES)[s.ravel()], "age": a.ravel(),
                             "population": self.population.ravel()})


# --------------------------------------------------------------------------------------------
# iterative proportional fitting


@dataclass(frozen=True)
class AgeBandMargin:
    """A broad-age-band margin met by a *smooth* age adjustment (see :func:`smooth_age_factor`).

    ``labels`` (101,) gives the band of each single age (:func:`age_band_labels`), ``targets``
    (B,) the persons required in each band, summed over every other axis of the table (units,
    sexes). ``knots`` (B,) are the ages where the log-multiplier has its free values; by default
    the band mid-points (:func:`band_knots`).
    """

    labels: np.ndarray
    targets: np.ndarray
    knots: np.ndarray | None = None


def band_knots(labels: np.ndarray, profile: np.ndarray | None = None) -> np.ndarray:
    """Knot ages of the smooth band adjustment: the mid-point of each closed band; for the open
    last band (reaching age 100+) the mean age of that band under ``profile`` (persons by age,
    e.g. ≈ 73 for 65+ in China 2020), or the mid-point of its first age and 100 without one."""
    labels = np.asarray(labels)
    ages = np.arange(N_AGES, dtype=float)
    knots = []
    for b in range(int(labels.max()) + 1):
        inside = ages[labels == b]
        if inside[-1] == N_AGES - 1 and profile is not None and np.asarray(profile)[labels == b].sum() > 0:
            w = np.asarray(profile, dtype=float)[labels == b]
            knots.append(float((w * inside).sum() / w.sum()))
        else:
            knots.append(0.5 * (inside[0] + inside[-1]))
    return np.asarray(knots)


def hat_basis(knots: np.ndarray) -> np.ndarray:
    """(101, K) piecewise-linear interpolation weights: ``basis @ c`` is the function with value
    ``c[k]`` at ``knots[k]``, linear between knots and constant beyond the first and last."""
    ages = np.arange(N_AGES, dtype=float)
    eye = np.eye(len(knots))
    return np.stack([np.interp(ages, knots, eye[k]) for k in range(len(knots))], axis=1)


def smooth_age_factor(profile: np.ndarray, labels: np.ndarray, targets: np.ndarray,
                      knots: np.ndarray | None = None, tol: float = 1e-12, max_iter: int = 100) -> np.ndarray:
    """Multiplier by single age (101,) that moves ``profile`` onto the band ``targets`` smoothly.

    The log-multiplier is piecewise linear in age with one free value per band at the band's
    knot (:func:`band_knots`), constant below the first and above the last knot, so it has no
    step anywhere (only changes of slope at the knots, none at a band edge). The B values are
    solved by Newton's method on ``log(band sums) = log(targets)`` (B equations, B unknowns; the
    Jacobian is diagonally dominant because each knot lies inside its own band).

    Parameters
    ----------
    profile : array (101,)
        Persons by single age (summed over the other axes of the table).
    labels : int array (101,)
        Band of each age.
    targets : array (B,)
        Persons required in each band (> 0).

    Raises :class:`AnalysisError` if a band has a target ≤ 0 or no persons, or no solution is found.
    """
    x = np.asarray(profile, dtype=float)
    t = np.asarray(targets, dtype=float)
    labels = np.asarray(labels)
    B = len(t)
    if np.any(t <= 0):
        raise AnalysisError("smooth age adjustment: every band needs a positive target")
    L = (labels[None, :] == np.arange(B)[:, None]).astype(float)          # (B, A)
    if np.any(L @ x <= 0):
        raise AnalysisError("IPF: a margin class with a positive total has no seed persons")
    W = hat_basis(band_knots(labels, x) if knots is None else np.asarray(knots, dtype=float))
    c = np.zeros(B)
    logt = np.log(t)

    def resid(c):
        y = x * np.exp(W @ c)
        s = L @ y
        return np.log(s) - logt, y, s

    r, y, s = resid(c)
    for _ in range(max_iter):
        if np.abs(r).max() < tol:
            return np.exp(W @ c)
        J = (L * y[None, :]) @ W / s[:, None]
        step = np.linalg.solve(J, r)
        lam = 1.0
        while True:
            r_new, y_new, s_new = resid(c - lam * step)
            if np.abs(r_new).max() < np.abs(r).max() or lam < 1e-6:
                break
            lam *= 0.5
        c = c - lam * step
        r, y, s = r_new, y_new, s_new
    if np.abs(r).max() < 1e-9:
        return np.exp(W @ c)
    raise AnalysisError(f"smooth age adjustment did not converge (largest log error {np.abs(r).max():.2e})")


def ipf(seed: np.ndarray, constraints: list,
        tol: float = 1e-9, max_iter: int = 5000) -> np.ndarray:
    """Iterative proportional fitting (raking) of ``seed`` to marginal totals.

    Parameters
    ----------
    seed : array
        Non-negative starting table (persons); its interactions are kept where no margin speaks.
    constraints : list of (labels, targets) or :class:`AgeBandMargin`
        ``labels`` is an int array broadcastable to ``seed.shape`` giving each cell's class in
        this margin (-1 = not part of it); ``targets[c]`` is the required total of class ``c``;
        every class is multiplied by one factor (a step at class edges). An
        :class:`AgeBandMargin` (last axis = single age 0…100+) is met instead by a smooth
        multiplier of age (:func:`smooth_age_factor`), so broad age bands leave no steps at
        their edges; the other margins used here (units, sexes) are constant in age.
    tol : float
        Largest relative margin error accepted.

    Returns
    -------
    The fitted table. Raises :class:`AnalysisError` if the margins cannot be met (e.g. a class
    with a positive target has no seed mass, or the margins contradict each other).
    """
    x = np.asarray(seed, dtype=float).copy()
    smooth = [isinstance(c, AgeBandMargin) for c in constraints]
    labs = [None if sm else np.broadcast_to(np.asarray(c[0]), x.shape).ravel()
            for c, sm in zip(constraints, smooth)]
    targets = [np.asarray(c.targets if sm else c[1], dtype=float) for c, sm in zip(constraints, smooth)]
    knots = [None] * len(constraints)
    for i, (c, sm) in enumerate(zip(constraints, smooth)):
        if sm:  # knots fixed once, from the seed's age profile, so the fixed point does not move
            profile = x.reshape(-1, x.shape[-1]).sum(axis=0)
            knots[i] = band_knots(c.labels, profile) if c.knots is None else np.asarray(c.knots, dtype=float)
    for t in targets:
        if np.any(t < 0):
            raise AnalysisError("IPF: negative margin total")
    flat = x.ravel()
    A = x.shape[-1]
    for _ in range(max_iter):
        worst = 0.0
        for i, (lab, target) in enumerate(zip(labs, targets)):
            if smooth[i]:
                profile = flat.reshape(-1, A).sum(axis=0)
                sums = np.bincount(np.asarray(constraints[i].labels), weights=profile, minlength=len(target))
                with np.errstate(divide="ignore", invalid="ignore"):
                    rel = np.where(target > 0, np.abs(sums - target) / target, 0.0)
                worst = max(worst, float(rel.max()))
                factor = smooth_age_factor(profile, constraints[i].labels, target, knots[i])
                flat.reshape(-1, A)[...] *= factor[None, :]
                continue
            inside = lab >= 0
            sums = np.bincount(lab[inside], weights=flat[inside], minlength=len(target))
            if np.any((sums <= 0) & (target > 0)):
                raise AnalysisError("IPF: a margin class with a positive total has no seed persons")
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(sums > 0, target / sums, 0.0)
                rel = np.where(target > 0, np.abs(sums - target) / target, 0.0)
            worst = max(worst, float(rel.max()))
            flat[inside] *= factor[lab[inside]]
        if worst < tol:
            return flat.reshape(x.shape)
    raise AnalysisError(f"IPF did not converge (largest margin error {worst:.2e}); margins inconsistent?")


def age_band_labels(bands) -> np.ndarray:
    """Class of each single age 0…100 for bands like ``[(0, 14), (15, 59), (60, None)]``."""
    labels = np.full(N_AGES, -1)
    for i, (first, last) in enumerate(bands):
        labels[first:(N_AGES if last is None else last + 1)] = i
    if np.any(labels < 0):
        raise AnalysisError("age bands must cover 0…100+")
    return labels


# --------------------------------------------------------------------------------------------
# age shapes


def wpp_shape(year: int) -> np.ndarray:
    """UN WPP 2019 China population of ``year`` (2015 or 2020) by sex × single age, persons."""
    from ..demography.graduation import graduate_groups

    wpp = loaders.load_wpp_population()
    out = np.empty((2, N_AGES))
    for s, sex in enumerate(SEXES):
        sel = wpp[(wpp["sex"] == sex) & (wpp["year"] == year)]
        if sel.empty:
            raise AnalysisError(f"wpp2019_china_population_age5_sex.csv has no {sex} {year}")
        out[s] = graduate_groups(sel["age_group"].tolist(), sel["value"].to_numpy() * 1000.0)
    return out


def wpp_shape_2010() -> np.ndarray:
    """2010 age shape: the WPP 2015 population moved back 5 years along cohorts.

    P2010(a) = P2015(a+5) / S5(a), S5 = five-year survival from the WPP 2010–15 death rates
    (standard level). Ages 96–100+ keep their 2015 values (no cohort information above 100).
    """
    from ..demography.lifetable import standard_mx, survival_ratios

    p2015 = wpp_shape(2015)
    S, _ = survival_ratios(standard_mx([2012.5])[0])  # (2, 101)
    out = p2015.copy()
    for a in range(96):
        out[:, a] = p2015[:, a + 5] / np.prod(S[:, a:a + 5], axis=1)
    return out


# --------------------------------------------------------------------------------------------
# helpers on the raw tables


def _fact(frame, geography_zh, indicator, year=None):
    return loaders.fact(frame, geography_zh, indicator, year)


def _unit_index():
    units = geography.county_units()
    return [u.id for u in units], {u.name_zh: i for i, u in enumerate(units)}


def resident_unit_totals_2020() -> tuple[np.ndarray, dict[str, bool], list[str]]:
    """2020 resident totals of the 13 units: published where known, else estimated.

    Returns ``(totals, estimated_flags, notes)``. Estimation: city total minus the known units,
    split over the remaining units in proportion to their 2021 year-end resident population.
    """
    ids, index = _unit_index()
    census = loaders.load_census2020()
    y2021 = loaders.load_resident2021()
    city = _fact(census, "泉州市", "resident_population", 2020)
    known = {"晋江市": _fact(census, "晋江市", "resident_population", 2020),
             "南安市": _fact(census, "南安市", "resident_population", 2020),
             "惠安县": _fact(census, "惠安县", "resident_population", 2020),
             "泉州台商投资区": _fact(census, "泉州台商投资区", "resident_population_derived", 2020)}
    totals = np.full(len(ids), np.nan)
    flags = {}
    for name, value in known.items():
        totals[index[name]] = value
        flags[ids[index[name]]] = name == "泉州台商投资区"
    rest = [name for name in index if name not in known]
    weights = np.array([_fact(y2021, name, "resident_population_yearend", 2021) for name in rest])
    remainder = city - sum(known.values())
    for name, w in zip(rest, weights):
        totals[index[name]] = remainder * w / weights.sum()
        flags[ids[index[name]]] = True
    notes = [
        "2020 resident totals of " + "、".join(rest) + f" are ESTIMATED: the city total minus the "
        f"published units ({remainder:,.0f} persons) split in proportion to the 2021 year-end "
        "populations (yearbook 2022 table 3-5).",
        "泉州台商投资区 2020 total is DERIVED: 惠安县(含台商区) 1,030,626 minus 惠安县 781,397.",
    ]
    return totals, flags, notes


# --------------------------------------------------------------------------------------------
# county age structures from the 2021 crude death rates (indirect estimate)


def mortality_schedule(year: int = CDR_YEAR) -> np.ndarray:
    """National death rates m(sex, age) of ``year`` (deaths per person-year), shape (2, 101).

    The UN WPP 2022 standard schedule levelled to the WPP life expectancy of ``year`` by one
    proportional-hazards factor per sex (the national level; the projection uses ``k`` times
    these, see :func:`analysis.demography.projection.quanzhou_mortality_level`).
    """
    from ..demography import lifetable

    std = lifetable.standard_mx([year])                                    # (1, 2, A)
    k = lifetable.solve_hazard_factor(std, lifetable.e0_path([year]))      # (1, 2)
    return std[0] * k[0][:, None]


def age_score(shape: np.ndarray) -> np.ndarray:
    """Standardised age ``z(a) = (a − mean age) / sd of age`` under ``shape`` (…, 101), both sexes."""
    w = np.asarray(shape, dtype=float).reshape(-1, N_AGES).sum(axis=0)
    ages = np.arange(N_AGES, dtype=float)
    mean = (w * ages).sum() / w.sum()
    sd = np.sqrt((w * (ages - mean) ** 2).sum() / w.sum())
    return (ages - mean) / sd


def crude_death_rate(population: np.ndarray, mx: np.ndarray) -> np.ndarray:
    """Deaths per 1,000 persons a year implied by rates ``mx`` (2, 101) for ``population`` (…, 2, 101)."""
    pop = np.asarray(population, dtype=float)
    return 1000.0 * (pop * mx).sum(axis=(-1, -2)) / pop.sum(axis=(-1, -2))


@dataclass
class CountyAgeFit:
    """Result of :func:`fit_county_age_structure` for U units.

    ``population`` (U, 2, 101) persons; ``theta`` (U,) age tilts; ``clamped`` (U,) units held at
    ``±bound`` because their CDR cannot be reached; ``level_factor`` the common mortality-level
    factor k; ``implied_cdr`` (U,) ‰ = k × CDR of the national schedule on the fitted structure;
    ``target_cdr`` (U,) ‰ the yearbook figures.
    """

    population: np.ndarray
    theta: np.ndarray
    clamped: np.ndarray
    level_factor: float
    implied_cdr: np.ndarray
    target_cdr: np.ndarray


def fit_county_age_structure(shape: np.ndarray, totals: np.ndarray, sex_totals: np.ndarray,
                             band_totals: np.ndarray, band_labels: np.ndarray, target_cdr: np.ndarray,
                             mx: np.ndarray, bound: float = TILT_BOUND, tol: float = 1e-6) -> CountyAgeFit:
    """Age structures of U units whose crude death rates are known but whose ages are not.

    Seed of unit u: ``totals[u] · shape · exp(θ_u · z(age))`` (z from :func:`age_score`); a
    constrained IPF fits the seeds to the unit totals and to the *joint* sex and age-band totals
    of the U units (the band totals by a smooth multiplier of age, :class:`AgeBandMargin`, so the
    tilt and the fit leave no steps at the band edges). The tilts θ are solved with ``scipy.optimize.least_squares`` so that
    ``k · CDR_mx(unit) = target_cdr`` for every unit, with one common level factor
    ``k = Σ P_u target_u / Σ P_u CDR_mx(u)`` and the normalisation ``Σ P_u θ_u = 0`` (a common
    shift of θ only reshapes ages within the bands and is not identified). Units that would need
    ``|θ| > bound`` are clamped at the bound, one at a time (the worst-fitting first, then the
    rest is solved again), and left out of ``k``.

    Parameters
    ----------
    shape : array (2, 101)
        Age-sex shape shared by the units before tilting (any scale).
    totals : array (U,)
        Persons per unit.
    sex_totals : array (2,)
        Persons by sex over the U units (male, female).
    band_totals : array (B,)
        Persons by age band over the U units.
    band_labels : int array (101,)
        Band of each single age (:func:`age_band_labels`).
    target_cdr : array (U,)
        Crude death rates to reproduce, deaths per 1,000 persons (yearbook).
    mx : array (2, 101)
        Age-specific death rates (deaths per person-year) of the common schedule.
    bound : float
        Largest |θ| (per standard deviation of age).
    tol : float
        Largest accepted CDR error of a calibrated unit, ‰.

    Returns
    -------
    CountyAgeFit
    """
    from scipy.optimize import least_squares

    totals = np.asarray(totals, dtype=float)
    cdr = np.asarray(target_cdr, dtype=float)
    U = len(totals)
    if not (np.isfinite(bound) and bound > 0):
        raise ParameterError("bound", bound, "a positive number (largest age tilt)")
    if cdr.shape != (U,) or np.any(~np.isfinite(cdr)) or np.any(cdr <= 0):
        raise ParameterError("target_cdr", cdr.tolist(), f"{U} positive crude death rates (‰)")
    if U < 2 or np.any(totals <= 0):
        raise ParameterError("totals", totals.tolist(), "two or more units with persons > 0")
    z = age_score(shape)
    seed0 = totals[:, None, None] * (shape / shape.sum())[None]
    constraints = [(np.arange(U)[:, None, None], totals), (np.arange(2)[None, :, None], sex_totals),
                   AgeBandMargin(np.asarray(band_labels), np.asarray(band_totals, dtype=float))]

    def fitted(theta, ipf_tol=1e-10):
        return ipf(seed0 * np.exp(theta[:, None, None] * z[None, None, :]), constraints, tol=ipf_tol)

    def level(base, use):
        return (cdr[use] * totals[use]).sum() / (base[use] * totals[use]).sum()

    theta = np.zeros(U)
    clamped = np.zeros(U, dtype=bool)
    for _ in range(U):
        free = ~clamped
        if free.sum() < 2:
            raise AnalysisError("county age structure: fewer than two units left to compare crude death rates")

        def residuals(x, free=free):
            th = theta.copy()
            th[free] = x
            base = crude_death_rate(fitted(th), mx)
            k = level(base, free)
            return np.append(k * base[free] - cdr[free], 10.0 * (th * totals).sum() / totals.sum())

        sol = least_squares(residuals, theta[free], bounds=(-bound, bound), xtol=1e-12, ftol=1e-12, gtol=1e-12)
        theta[free] = sol.x
        miss = np.zeros(U)
        miss[free] = np.abs(sol.fun[:-1])
        stuck = (miss > tol) & (np.abs(theta) > bound - 1e-3)
        if not stuck.any():
            break
        worst = int(np.argmax(np.where(stuck, miss, -1.0)))  # one at a time: an extreme unit
        theta[worst] = np.sign(theta[worst]) * bound         # can push others to the bound too
        clamped[worst] = True
        theta[~clamped] = 0.0
    pop = fitted(theta, 1e-9)
    base = crude_death_rate(pop, mx)
    k = level(base, ~clamped)
    implied = k * base
    worst = np.abs(implied - cdr)[~clamped].max()
    if worst > tol:
        raise AnalysisError(f"county age structure: crude death rates not reproduced (largest error "
                            f"{worst:.2g} ‰ > {tol:g} ‰); the tilt solver did not converge")
    return CountyAgeFit(pop, theta, clamped, float(k), implied, cdr)


# --------------------------------------------------------------------------------------------
# the three estimated bases


def census_margins_2020(geography_zh: str) -> tuple[float, np.ndarray, np.ndarray]:
    """7th-census margins of a geography with published shares (泉州市, 晋江市).

    Returns ``(total, persons by sex (2,), persons by band (4,))`` for the bands
    :data:`RESIDENT_BANDS_2020` (0–14, 15–59, 60–64, 65+); the shares are published to 0.01 %,
    so the band counts are scaled to add up to the total exactly.
    """
    census = loaders.load_census2020()
    total = _fact(census, geography_zh, "resident_population", 2020)
    sexes = np.array([_fact(census, geography_zh, "resident_population_male", 2020),
                      _fact(census, geography_zh, "resident_population_female", 2020)])
    s014, s1559, s60, s65 = (_fact(census, geography_zh, f"share_age_{k}", 2020) / 100.0
                             for k in ("0_14", "15_59", "60plus", "65plus"))
    band_counts = total * np.array([s014, s1559, s60 - s65, s65])
    band_counts *= total / band_counts.sum()
    return total, sexes, band_counts


def _input_fingerprint(*tables: str) -> tuple:
    """(path, mtime) of raw tables, so a cached estimate is redone when a file changes."""
    out = []
    for name in tables:
        path = loaders.table(name).path()
        out.append((str(path), path.stat().st_mtime_ns if path.exists() else 0))
    return tuple(out)


_RESIDENT_2020_INPUTS = ("units", "census2020", "resident2021", "wpp_population", "life_table", "wpp_projection")


def _copy(base: BasePopulation) -> BasePopulation:
    import copy

    return replace(base, population=base.population.copy(), unit_ids=list(base.unit_ids),
                   notes=list(base.notes), unit_total_estimated=dict(base.unit_total_estimated),
                   diagnostics=copy.deepcopy(base.diagnostics))


def estimate_resident_2020(county_ages: str = "crude_death_rate") -> BasePopulation:
    """Estimated 2020 resident (常住) base: see the module docstring for the method.

    Parameters
    ----------
    county_ages : {'crude_death_rate', 'shared'}
        How the 12 units other than 晋江市 get their age structure: tilted to reproduce their
        2021 crude death rates (default), or one shared residual structure (the earlier estimate).

    The result is cached per input-file version (the solve runs once per process); every call
    returns a fresh copy.
    """
    if county_ages not in COUNTY_AGE_METHODS:
        raise ParameterError("county_ages", county_ages, " or ".join(repr(m) for m in COUNTY_AGE_METHODS))
    return _copy(_resident_2020_cached(county_ages, _input_fingerprint(*_RESIDENT_2020_INPUTS)))


@lru_cache(maxsize=8)
def _resident_2020_cached(county_ages: str, fingerprint: tuple) -> BasePopulation:
    ids, index = _unit_index()
    totals, flags, notes = resident_unit_totals_2020()
    shape = wpp_shape(2020)
    shape /= shape.sum()
    bands = age_band_labels(RESIDENT_BANDS_2020)
    sex_lab = np.arange(2)[:, None]
    city_total, city_sex, city_bands = census_margins_2020("泉州市")
    jj_total, jj_sex, jj_bands = census_margins_2020("晋江市")
    jj = ipf(jj_total * shape, [(sex_lab, jj_sex), AgeBandMargin(bands, jj_bands)])
    others = [i for i in range(len(ids)) if i != index["晋江市"]]
    pop = np.empty((len(ids), 2, N_AGES))
    pop[index["晋江市"]] = jj
    notes = notes + [
        "Age-sex structure of every unit is ESTIMATED: UN WPP 2019 China 2020 by sex and 5-year "
        "age, graduated to single years (monotone PCHIP spline on cumulative counts), fitted by "
        "IPF to the census totals, sex split and broad-age shares.",
    ]
    diagnostics: dict = {"county_ages": county_ages}
    if county_ages == "shared":
        seed = totals[others, None, None] * shape[None]
        unit_lab = np.arange(len(others))[:, None, None]
        pop[others] = ipf(seed, [(unit_lab, totals[others]), (sex_lab[None], city_sex - jj_sex),
                                 AgeBandMargin(bands, city_bands - jj_bands)])
        notes.append(
            "晋江市 is fitted to its own census sex split and shares (0–14 18.33 %, 15–59 71.57 %, "
            "60+ 10.10 %, 65+ 6.69 %); the other 12 units share the residual city margins (city minus "
            "晋江市) in a constrained IPF, so the 13 units add up to the city exactly (one shared "
            "age structure for the 12 units).")
        return BasePopulation(pop, ids, 2020, "resident", True, notes, flags, diagnostics)

    y2021 = loaders.load_resident2021()
    names = [geography.resolve(ids[i]).name_zh for i in others]
    cdr = np.array([_fact(y2021, n, "crude_death_rate", CDR_YEAR) for n in names])
    if np.any(cdr <= 0):
        bad = names[int(np.flatnonzero(cdr <= 0)[0])]
        raise DataValidationError(loaders.table("resident2021").path(), None, "value",
                                  "a crude death rate > 0 ‰", f"{bad}: {cdr[cdr <= 0][0]}")
    mx = mortality_schedule(CDR_YEAR)
    fit = fit_county_age_structure(shape, totals[others], city_sex - jj_sex, city_bands - jj_bands,
                                   bands, cdr, mx)
    pop[others] = fit.population
    jj_cdr_yb = _fact(y2021, "晋江市", "crude_death_rate", CDR_YEAR)
    jj_cdr = fit.level_factor * crude_death_rate(jj, mx)
    city_cdr = crude_death_rate(pop.sum(axis=0), mx)
    yearbook_city_cdr = loaders.fact(loaders.load_resident2021(), "泉州市", "crude_death_rate", CDR_YEAR)
    free = ~fit.clamped
    order = np.argsort(fit.theta[free])
    free_names = np.asarray(names)[free]
    share60 = 100.0 * fit.population[:, :, 60:].sum(axis=(1, 2)) / fit.population.sum(axis=(1, 2))
    from ..demography.lifetable import e0_path

    e0 = e0_path([CDR_YEAR])[0]
    notes.append(
        "晋江市 is fitted to its own census sex split and shares (0–14 18.33 %, 15–59 71.57 %, "
        "60+ 10.10 %, 65+ 6.69 %); the other 12 units share the residual city margins (city minus "
        "晋江市) in a constrained IPF, so the 13 units add up to the city exactly.")
    notes.append(
        "County age structures of the 12 units other than 晋江市 are ESTIMATED (indirectly) from their "
        f"{CDR_YEAR} crude death rates (yearbook 2022 table 3-5): each unit's share of the residual shape is "
        "tilted by exp(θ·z), z = standardised age, θ solved (scipy least_squares) so that the deaths the "
        f"national WPP 2022 m(x) (levelled to e0 {e0[0]:.1f}/{e0[1]:.1f} years, {CDR_YEAR}) implies for the unit, "
        "times one common level factor, equal its yearbook CDR; θ from "
        f"{fit.theta[free].min():+.3f} ({free_names[order[0]]}) to {fit.theta[free].max():+.3f} "
        f"({free_names[order[-1]]}), estimated 60+ shares {share60[free].min():.1f}–{share60[free].max():.1f} %.")
    notes.append(
        f"Mortality level: the national schedule gives the city's census age structure a CDR of "
        f"{city_cdr:.2f} ‰, the yearbook says {yearbook_city_cdr:g} ‰; a common factor k = {fit.level_factor:.3f} absorbs "
        "the gap, so only the relative CDRs between units inform their ages (the projection uses k as "
        "Quanzhou's mortality level only when the scenario sets demography.mortality_level = "
        f"yearbook_cdr_2021). Check: 晋江市's published structure gives {jj_cdr:.2f} ‰ at this "
        f"level vs its yearbook {jj_cdr_yb:g} ‰.")
    for i in np.flatnonzero(fit.clamped):
        notes.append(
            f"{names[i]}'s crude death rate {cdr[i]:g} ‰ cannot be reached by any plausible tilt; θ is "
            f"clamped at {fit.theta[i]:+g} (bound |θ| ≤ {TILT_BOUND:g}), giving {fit.implied_cdr[i]:.2f} ‰ "
            f"and a 60+ share of {share60[i]:.1f} % — an implausibly low rate for a small zone of young "
            "migrant workers whose deaths are largely registered elsewhere; it is left out of the level factor.")
    diagnostics.update({
        "theta": dict(zip([ids[i] for i in others], fit.theta.tolist())),
        "clamped": [ids[others[i]] for i in np.flatnonzero(fit.clamped)],
        "mortality_level_factor": fit.level_factor,
        "implied_cdr": dict(zip([ids[i] for i in others], fit.implied_cdr.tolist())),
        "yearbook_cdr": dict(zip([ids[i] for i in others], cdr.tolist())),
        "jinjiang_implied_cdr": float(jj_cdr),
        "city_cdr_national_schedule": float(city_cdr),
        "tilt_bound": TILT_BOUND,
    })
    return BasePopulation(pop, ids, 2020, "resident", True, notes, flags, diagnostics)


def registered_60plus_2020() -> tuple[float, float, list[str]]:
    """Registered 60+ (plan text) and the estimated 80+ for 2020, persons, with notes."""
    reg = loaders.load_registered()
    p60 = loaders.plan_target("registered_pop_60plus", 2020)
    ratio = _fact(reg, "泉州市", "registered_pop_80plus", 2017) / _fact(reg, "泉州市", "registered_pop_60plus", 2017)
    total = _fact(reg, "泉州市", "registered_population", 2020) * 1e4
    share = 100.0 * p60 / total
    plan_share = loaders.plan_target("registered_share_60plus", 2020)
    notes = [
        f"Registered 60+ 2020 calibrated to the plan's count {p60:,.0f}; that is {share:.2f} % of "
        f"the registered population {total:,.0f} — the plan's own {plan_share:g} % differs by "
        f"{plan_share - share:+.2f} points (the count is used).",
        f"Registered 80+ 2020 is ESTIMATED as 60+ × the 2017 ratio 80+/60+ = {ratio:.4f} "
        f"→ {p60 * ratio:,.0f} persons.",
    ]
    return p60, p60 * ratio, notes


def estimate_registered_2020(resident: BasePopulation | None = None) -> BasePopulation:
    """Estimated 2020 registered (户籍) base; county split by the resident structure (flagged)."""
    resident = resident or estimate_resident_2020()
    reg = loaders.load_registered()
    total = _fact(reg, "泉州市", "registered_population", 2020) * 1e4
    sexes = np.array([_fact(reg, "泉州市", "registered_population_male", 2020),
                      _fact(reg, "泉州市", "registered_population_female", 2020)]) * 1e4
    p60, p80, notes = registered_60plus_2020()
    bands = np.array([total - p60, p60 - p80, p80])
    shape = wpp_shape(2020)
    city = ipf(total * shape / shape.sum(),
               [(np.arange(2)[:, None], sexes), AgeBandMargin(age_band_labels(REGISTERED_BANDS), bands)])
    res_city = resident.city()
    ratio = np.where(res_city > 0, city / np.where(res_city > 0, res_city, 1.0), 0.0)
    pop = resident.population * ratio[None]
    # ages where the resident city has nobody: spread the registered persons by unit totals
    empty = res_city <= 0
    if np.any(empty & (city > 0)):
        w = resident.population.sum(axis=(1, 2)) / resident.population.sum()
        pop[:, empty] = w[:, None] * city[empty][None]
    notes = notes + [
        "Registered age-sex structure ESTIMATED: WPP 2019 China 2020 shape fitted by IPF to the "
        "registered total, sex split (registered_elderly.csv) and the 60+ / 80+ counts.",
        "County split of the registered population is NOT PUBLISHED and ESTIMATED: each unit gets "
        "the city's registered/resident ratio by sex and age applied to its estimated resident "
        "population (so the county age structures estimated from the crude death rates carry over).",
    ]
    notes += [n for n in resident.notes if "crude death rate" in n or "Mortality level" in n]
    flags = {uid: True for uid in resident.unit_ids}
    return BasePopulation(pop, list(resident.unit_ids), 2020, "registered", True, notes, flags,
                          dict(resident.diagnostics))


def estimate_resident_2010() -> BasePopulation:
    """Estimated 2010 resident base for the backtest (6th census margins; see module docstring)."""
    ids, index = _unit_index()
    census = loaders.load_census2010()
    yb = loaders.load_age_structure_yearbook()
    totals = np.array([_fact(census, name, "resident_population", 2010) for name in index])
    city_total = _fact(census, "泉州市", "resident_population", 2010)
    if abs(totals.sum() - city_total) > 1:
        raise AnalysisError(f"census2010: units add up to {totals.sum():,.0f}, not {city_total:,.0f}")
    sexes = np.array([_fact(census, "泉州市", "resident_population_male", 2010),
                      _fact(census, "泉州市", "resident_population_female", 2010)])
    c014 = _fact(census, "泉州市", "pop_age_0_14", 2010)
    child = np.array([_fact(yb, "泉州市", f"share_age_{k}_both_sexes", 2010) for k in ("0_4", "5_9", "10_14")])
    bands = np.concatenate([c014 * child / child.sum(),
                            [_fact(census, "泉州市", "pop_age_15_59", 2010),
                             _fact(census, "泉州市", "pop_age_60plus", 2010)]])
    shape = wpp_shape_2010()
    shape /= shape.sum()
    labels = age_band_labels([(0, 4), (5, 9), (10, 14), (15, 59), (60, None)])
    pop = ipf(totals[:, None, None] * shape[None],
              [(np.arange(len(ids))[:, None, None], totals), (np.arange(2)[None, :, None], sexes),
               AgeBandMargin(labels, bands)])
    notes = [
        "2010 base ESTIMATED: 13 unit totals, city sex split and 0–14/15–59/60+ counts from the "
        "6th census; 0–14 split into 0–4/5–9/10–14 by the yearbook 2020 table 3-6 shares for 2010.",
        "2010 age shape: WPP 2019 China 2015 population moved back 5 years along cohorts "
        "(divided by WPP 2010–15 survival), graduated by PCHIP and fitted by IPF; all units "
        "share the city's age-sex structure (no county age data for 2010).",
    ]
    return BasePopulation(pop, ids, 2010, "resident", True, notes, {uid: False for uid in ids})


# --------------------------------------------------------------------------------------------
# real tables (ingest path)


def base_from_table(table: pd.DataFrame | str | Path, base: str, year: int,
                    source: str = "supplied table") -> BasePopulation:
    """A base population from a real table with columns ``unit, sex, age | age_group, population``.

    ``unit`` is anything :func:`analysis.geography.resolve` understands (id or Chinese name);
    ``sex`` is male/female (or 男/女); ``age`` a single year (100 = 100+) or ``age_group`` a label
    such as ``15-19`` or ``100+`` (groups are split to single years by the PCHIP graduation).
    Every one of the 13 units must be present. Raises :class:`DataValidationError` otherwise.
    """
    from ..demography.graduation import graduate_groups

    path = Path(table) if not isinstance(table, pd.DataFrame) else Path(source)
    frame = pd.read_csv(table) if not isinstance(table, pd.DataFrame) else table.copy()
    age_col = "age" if "age" in frame.columns else "age_group" if "age_group" in frame.columns else None
    for col in ("unit", "sex", "population"):
        if col not in frame.columns:
            raise DataValidationError(path, None, col, "columns unit, sex, age|age_group, population",
                                      f"columns {list(frame.columns)}")
    if age_col is None:
        raise DataValidationError(path, None, "age", "a column 'age' or 'age_group'", f"columns {list(frame.columns)}")
    ids, _ = _unit_index()
    pop = np.zeros((len(ids), 2, N_AGES))
    values = pd.to_numeric(frame["population"], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(path, row + 2, "population", "a number >= 0", repr(frame["population"].iloc[row]))
    frame = frame.assign(population=values)
    units, sexes = [], []
    for i, (u, s) in enumerate(zip(frame["unit"], frame["sex"])):
        try:
            unit = geography.resolve(str(u))
        except AnalysisError:
            raise DataValidationError(path, i + 2, "unit", "one of the 13 reporting units", repr(u)) from None
        if unit.is_city:
            raise DataValidationError(path, i + 2, "unit", "a county-level unit (the city is their sum)", repr(u))
        key = str(s).strip().lower()
        if key not in SEX_ALIASES:
            raise DataValidationError(path, i + 2, "sex", "male or female", repr(s))
        units.append(ids.index(unit.id))
        sexes.append(SEX_ALIASES[key])
    frame = frame.assign(_u=units, _s=sexes)
    missing = sorted(set(range(len(ids))) - set(units))
    if missing:
        raise DataValidationError(path, None, "unit", "all 13 units", "missing " + ", ".join(ids[m] for m in missing))
    for (u, s), grp in frame.groupby(["_u", "_s"]):
        if age_col == "age":
            ages = pd.to_numeric(grp["age"], errors="coerce")
            if ages.isna().any() or (ages < 0).any():
                raise DataValidationError(path, int(grp.index[ages.isna() | (ages < 0)][0]) + 2, "age",
                                          "a whole number 0…100", "not an age")
            np.add.at(pop[u, s], np.minimum(ages.astype(int).to_numpy(), N_AGES - 1), grp["population"].to_numpy())
        else:
            try:
                pop[u, s] = graduate_groups(grp["age_group"].astype(str).tolist(), grp["population"].to_numpy())
            except AnalysisError as exc:
                raise DataValidationError(path, int(grp.index[0]) + 2, "age_group",
                                          "groups tiling 0…open age (e.g. 0-4 … 100+)", str(exc)) from None
    notes = [f"Base population {base} {year} read from {source} (not estimated)."]
    if age_col == "age_group":
        notes.append("Five-year groups split to single years by the PCHIP graduation of cumulative counts.")
    return BasePopulation(pop, ids, int(year), base, False, notes, {uid: False for uid in ids})


def real_table_path(base: str, year: int) -> Path:
    """Where a real base table is picked up automatically: the newest vintage ingested with
    ``python -m analysis ingest FILE --kind population_<base>_<year>``, else
    ``data/raw/base_population_<base>_<year>.csv`` (which need not exist)."""
    from .vintages import file_in_use

    return file_in_use(f"population_{base}_{year}", config.raw_dir() / f"base_population_{base}_{year}.csv")


def load_base_population(base: str = "resident", year: int = 2020,
                         table: pd.DataFrame | str | Path | None = None) -> BasePopulation:
    """The base population: a supplied/real table if there is one, else the documented estimate."""
    if base not in ("resident", "registered"):
        raise ParameterError("base", base, "'resident' or 'registered'")
    if table is not None:
        return base_from_table(table, base, year)
    path = real_table_path(base, year)
    if path.exists():
        return base_from_table(path, base, year, source=str(path.name))
    if (base, year) == ("resident", 2020):
        return estimate_resident_2020()
    if (base, year) == ("registered", 2020):
        return estimate_registered_2020()
    if (base, year) == ("resident", 2010):
        return estimate_resident_2010()
    raise ParameterError("start_year", year, f"a year with a base population for {base!r}: 2020"
                         + (" or 2010" if base == "resident" else ""))

"""The 2020 resident (常住) base by unit: census margins, county totals and county age structures.

Resident base 2020 (常住, 7th census): city total, sex split and shares 0–14 / 15–59 / 60+ / 65+
(→ bands 0–14, 15–59, 60–64, 65+); 晋江市 has its own total, sex split and shares and is fitted on
its own; the other 12 units share the *residual* city margins (city minus 晋江市) in a constrained
IPF over units, so the 13 units add up to the city exactly. County totals 2020 are published for
晋江市, 南安市, 惠安县, 洛江区 (every unit with a row in ``census2020_county.csv``) and (derived)
泉州台商投资区; the remainder is split over the other units in proportion to their 2021 year-end
populations (yearbook 2022 table 3-5).

**County age structures from the 2021 crude death rates** (indirect estimate,
:func:`fit_county_age_structure`). No age shares are published for the 12 units other than
晋江市, but the yearbook gives each unit's 2021 crude death rate (CDR), and under one age-specific
mortality schedule the CDR is mostly a measure of how old a population is. Each unit's IPF seed is
the residual seed (:func:`seed_2020`: registered people shaped like China plus the net in-migrants)
tilted by ``exp(θ_u · z(age))``, ``z = (age − mean age) / sd of age`` of the
seed (both sexes); the constrained IPF then restores the unit totals and the residual city
margins, so the city and 晋江市 margins are still met exactly. ``θ_u`` is solved with
``scipy.optimize.least_squares`` so that ``k · Σ m(s,a) P_u(s,a) / Σ P_u`` equals the unit's
yearbook CDR, where ``m`` is the national WPP 2022 single-age schedule levelled to the WPP e0 of
2021 (national level) and ``k`` is **one common mortality-level
factor** for all calibrated units. ``k`` is needed because the census margins fix the average age
of the 12 units: the national schedule gives the city's census structure a CDR of ≈ 5.8 ‰, the
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
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ... import cache, geography
from ...data import loaders
from ...data.base_tables import N_AGES, BasePopulation, unit_index
from ...errors import AnalysisError, DataValidationError, ParameterError
from ...notes import Note, note
from ..lifetable import e0_path
from .cohort_shape import national_mx
from .fitting import AgeBandMargin, age_band_labels, ipf
from .seed import census_seed

RESIDENT_BANDS_2020 = [(0, 14), (15, 59), (60, 64), (65, None)]
#: The 7th census moment, 1 November 2020 (decimal year).
CENSUS_TIME_2020 = 2020 + 10 / 12


#: Largest age tilt |θ| (per standard deviation of age, ≈ 21 years): weights may change by at
#: most e^0.5 ≈ 1.65 per 21 years of age. The plausible units need θ from −0.24 (丰泽区 4.9 ‰) to
#: +0.12 (泉港区/德化县 8.5 ‰); the bound is about twice the largest, and a unit needing more is
#: clamped (泉州开发区 0.5 ‰ would need an age structure no tilt of the shape can give).
TILT_BOUND = 0.5
#: Year of the crude death rates (yearbook 2022 table 3-5) and of the mortality schedule.
CDR_YEAR = 2021
COUNTY_AGE_METHODS = ("crude_death_rate", "shared")


def _fact(frame, geography_zh, indicator, year=None):
    return loaders.fact(frame, geography_zh, indicator, year)


def resident_unit_totals_2020() -> tuple[np.ndarray, dict[str, bool], list[Note]]:
    """2020 resident totals of the 13 units: published where known (every unit with a 2020
    ``resident_population`` row in ``census2020_county.csv``; 泉州台商投资区 derived), else estimated.

    Returns ``(totals, estimated_flags, notes)``. Estimation: city total minus the known units,
    split over the remaining units in proportion to their 2021 year-end resident population.
    """
    ids, index = unit_index()
    census = loaders.load_census2020()
    y2021 = loaders.load_resident2021()
    city = _fact(census, "泉州市", "resident_population", 2020)
    published = census[(census["year"] == 2020) & (census["indicator"] == "resident_population")]
    known = {name: float(v) for name, v in zip(published["geography"], published["value"]) if name in index}
    known["泉州台商投资区"] = _fact(census, "泉州台商投资区", "resident_population_derived", 2020)
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
    notes = [note("resident_totals_estimated", units=rest, persons=remainder), note("taishang_derived")]
    return totals, flags, notes



def mortality_schedule(year: int = CDR_YEAR) -> np.ndarray:
    """National death rates of ``year`` (2, 101): :func:`.cohort_shape.national_mx`."""
    return national_mx(year)


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
    from scipy.optimize import least_squares  # imported here: only this fit needs scipy

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


_RESIDENT_2020_INPUTS = ("units", "census2020", "resident2021", "wpp_population", "wpp_births", "life_table",
                         "wpp_projection", "registered", "migrant_age")


def seed_2020(city_total: float, city_women: float) -> np.ndarray:
    """The 2020 seed (2, 101), shares summing to 1: the city's end-2020 registered people shaped like
    China plus the net in-migrants with the migrants' profile (:func:`.seed.census_seed`), the same
    seed as the 2010 backtest base (with China's shape alone that backtest's 60+ error was +17 %)."""
    seed = census_seed(CENSUS_TIME_2020, 2020, (city_total, city_women))
    return seed / seed.sum()


def _copy(base: BasePopulation) -> BasePopulation:
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
    """The fit, through the run's model cache (:func:`analysis.cache.cached`): a run computes it
    once in its tables phase and every notebook job loads it (1.7 s fit, 2 ms load)."""
    return cache.cached("resident-base-2020", (county_ages,), lambda: _fit_resident_2020(county_ages))


def _fit_resident_2020(county_ages: str) -> BasePopulation:
    ids, index = unit_index()
    totals, flags, notes = resident_unit_totals_2020()
    city_total, city_sex, city_bands = census_margins_2020("泉州市")
    shape = seed_2020(city_total, city_sex[1])
    bands = age_band_labels(RESIDENT_BANDS_2020)
    sex_lab = np.arange(2)[:, None]
    jj_total, jj_sex, jj_bands = census_margins_2020("晋江市")
    jj = ipf(jj_total * shape, [(sex_lab, jj_sex), AgeBandMargin(bands, jj_bands)])
    others = [i for i in range(len(ids)) if i != index["晋江市"]]
    pop = np.empty((len(ids), 2, N_AGES))
    pop[index["晋江市"]] = jj
    notes = notes + [note("age_structure_estimated")]
    diagnostics: dict = {"county_ages": county_ages}
    if county_ages == "shared":
        seed = totals[others, None, None] * shape[None]
        unit_lab = np.arange(len(others))[:, None, None]
        pop[others] = ipf(seed, [(unit_lab, totals[others]), (sex_lab[None], city_sex - jj_sex),
                                 AgeBandMargin(bands, city_bands - jj_bands)])
        notes.append(note("jinjiang_own_census", tail=" (one shared age structure for the 12 units)"))
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

    e0 = e0_path([CDR_YEAR])[0]
    notes.append(note("jinjiang_own_census", tail=""))
    notes.append(note("county_ages_from_deaths", year=CDR_YEAR, e0_m=e0[0], e0_f=e0[1],
                      theta_lo=fit.theta[free].min(), unit_lo=free_names[order[0]], theta_hi=fit.theta[free].max(),
                      unit_hi=free_names[order[-1]], lo=share60[free].min(), hi=share60[free].max()))
    notes.append(note("mortality_level_factor", city_cdr=city_cdr, yearbook_cdr=yearbook_city_cdr,
                      k=fit.level_factor, jj_cdr=jj_cdr, jj_cdr_yb=jj_cdr_yb))
    for i in np.flatnonzero(fit.clamped):
        notes.append(note("kaifaqu_death_rate", unit=names[i], cdr=cdr[i], theta=fit.theta[i], bound=TILT_BOUND,
                          implied=fit.implied_cdr[i], share60=share60[i]))
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


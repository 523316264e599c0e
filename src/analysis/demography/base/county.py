"""The 2020 resident (常住) base by unit: census margins, county totals and county age structures.

Resident base 2020 (常住, 7th census): city total, sex split and shares 0–14 / 15–59 / 60+ / 65+
(→ bands 0–14, 15–59, 60–64, 65+); 晋江市 has its own total, sex split and shares and is fitted on
its own; the other 12 units share the *residual* city margins (city minus 晋江市) in a constrained
IPF over units, so the 13 units add up to the city exactly. County totals 2020 are published for
晋江市, 南安市, 惠安县, 洛江区 (every unit with a row in ``census2020_county.csv``) and (derived)
泉州台商投资区; the remainder is split over the other units in proportion to their 2021 year-end
populations (yearbook 2022 table 3-5).

**County age structures from migration** (default, ``county_ages="migration"``; issue 26 item 2).
A unit's residents are its own registered people living there plus people registered elsewhere,
less its registered people living elsewhere. Per unit (:func:`native_migrant_seeds`):

    seed_u = natives_u + (P_u − R_u) × migrant profile        (a receiving unit, P_u ≥ R_u)
    seed_u = natives_u × (1 − s_u(age))                        (a sending unit, P_u < R_u)

with ``natives_u = R_u × China's single-age shape on 1 Nov 2020`` (the same shape as the city's
backtested seed, :func:`seed_2020`), ``R_u`` the unit's end-2020 registered total (county
evidence, else the crude-death-rate ratio rule: :func:`registered_totals_2020`), ``P_u`` its 2020
resident total and ``s_u`` the share of its natives living elsewhere, logit-linear in the
migrants' propensity by age. A sending unit thus keeps its old people and loses working ages; a
receiving one gains them. The seeds are raked to the unit totals and the residual city sex and
band margins (constrained IPF, smooth band factor) with **each unit's 0–14 in proportion to its
2021 births** (crude birth rate × population, yearbook 2022 table 3-5;
:func:`fit_children_by_births`, a factor fading out from 10 to 20 so there is no step at 15).
晋江市 is fitted to its own published shares. Registered/resident ratios run from 0.33
(泉州开发区) to 1.43 (德化县), so no two units share a structure.

Measured by leave-one-out on 晋江市, the only unit with published 2020 shares (fit all 13 units
to the city margins as if its shares were unknown; :func:`.county_checks.jinjiang_holdout`,
tested), errors in percentage points (0–14 / 60+ / 65+):

=============================================  ======  ======  ======
method                                          0–14    60+     65+
=============================================  ======  ======  ======
migration + children by births (default)        +0.58   +1.01   +0.88
migration alone                                 +2.88   +0.58   +0.58
migration + death-rate tilt (no births step)   +1.84   +1.40   +1.20
crude-death-rate tilt (earlier default)         +4.01   +1.66   +1.22
one shared structure                            +2.29   +3.11   +2.31
=============================================  ======  ======  ======

The crude-death-rate tilt is not kept: on top of migration it worsens 60+ and 65+ (the death rate
enters only through the registered totals, where it says where people are registered). On 泉港区's
registry count of 30 Sept 2024 (evaluation only; 2020-origin registered projection, baseline,
central): total +2.1 → +1.5 %, 60+ +12.0 → +3.4 %, 80–89 +27.0 → +13.1 %, 90–99 −30.5 → −19.2 %
(main at 6c98fa7 → this method with the longevity tail of
:func:`.registered_county.apply_longevity_tails`). The implied 2021 crude death rates of the
migration structures correlate r = 0.87 with the yearbook's (a check, not a fit).

**The earlier estimate** (``county_ages="crude_death_rate"``, :func:`fit_county_age_structure`).
No age shares are published for the 12 units other than
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
unknown), so only the *relative* CDRs between units carry age information. With this method the
projection uses ``k`` as Quanzhou's mortality level
(:func:`analysis.demography.projection.quanzhou_mortality_level`); with the default the level is
the yearbook city CDR over the national schedule's CDR on the city structure. The common shift of all θ
is not identified (it only reshapes ages *within* the census bands); it is fixed by
``Σ_u P_u θ_u = 0``. A unit whose CDR cannot be reached
within ``|θ| ≤`` :data:`TILT_BOUND` (泉州开发区, 0.5 ‰) is clamped to the bound, left out of ``k``
and listed in ``notes``. Units with equal CDRs get identical structures (永春 = 南安, 德化 = 泉港),
the flaw issue 26 names. The first estimate stays available too:
``estimate_resident_2020(county_ages="shared")``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ... import geography, hooks
from ...data import loaders
from ...data.base_tables import N_AGES, BasePopulation, unit_index
from ...errors import AnalysisError, DataValidationError, ParameterError
from ...notes import Note, note
from .. import migration
from ..lifetable import e0_path
from . import county_evidence, registered_county
from .cohort_shape import cohort_shape, national_mx
from .fitting import AgeBandMargin, age_band_labels, ipf
from .seed import census_seed, migrant_female_share, migrant_share_60plus, registered_city

RESIDENT_BANDS_2020 = [(0, 14), (15, 59), (60, 64), (65, None)]
#: The 7th census moment, 1 November 2020 (decimal year).
CENSUS_TIME_2020 = 2020 + 10 / 12


#: Largest age tilt |θ| (per standard deviation of age, ≈ 21 years): weights may change by at
#: most e^0.5 ≈ 1.65 per 21 years of age. The plausible units need θ from −0.24 (丰泽区 4.9 ‰) to
#: +0.12 (泉港区/德化县 8.5 ‰); the bound is about twice the largest, and a unit needing more is
#: clamped (泉州开发区 0.5 ‰ would need an age structure no tilt of the shape can give).
TILT_BOUND = 0.5
#: Year of the crude death rates (yearbook 2022 table 3-5) and of the mortality schedule.
CDR_YEAR = loaders.RESIDENT_TABLE_YEAR
COUNTY_AGE_METHODS = ("migration", "crude_death_rate", "shared")
#: Leave-one-out error on 晋江市 (percentage points 0–14, 60+, 65+) of each method, measured by
#: :func:`.county_checks.jinjiang_holdout` (tested there): the migration model is the default.
JINJIANG_LOO = {"migration": (0.58, 1.01, 0.88), "crude_death_rate": (4.01, 1.66, 1.22), "shared": (2.29, 3.11, 2.31)}
#: Peak age of the migrants' Rogers–Castro profile in the seeds (as :func:`.seed.census_seed`).
MIGRANT_PEAK_AGE = 20.0


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
    weights = np.array([_fact(y2021, name, "resident_population_yearend", CDR_YEAR) for name in rest])
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


def fit_county_age_structure(
    shape: np.ndarray,
    totals: np.ndarray,
    sex_totals: np.ndarray,
    band_totals: np.ndarray,
    band_labels: np.ndarray,
    target_cdr: np.ndarray,
    mx: np.ndarray,
    bound: float = TILT_BOUND,
    tol: float = 1e-6,
) -> CountyAgeFit:
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
    constraints = [
        (np.arange(U)[:, None, None], totals),
        (np.arange(2)[None, :, None], sex_totals),
        AgeBandMargin(np.asarray(band_labels), np.asarray(band_totals, dtype=float)),
    ]

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
        theta[worst] = np.sign(theta[worst]) * bound  # can push others to the bound too
        clamped[worst] = True
        theta[~clamped] = 0.0
    pop = fitted(theta, 1e-9)
    base = crude_death_rate(pop, mx)
    k = level(base, ~clamped)
    implied = k * base
    worst = np.abs(implied - cdr)[~clamped].max()
    if worst > tol:
        raise AnalysisError(
            f"county age structure: crude death rates not reproduced (largest error "
            f"{worst:.2g} ‰ > {tol:g} ‰); the tilt solver did not converge"
        )
    return CountyAgeFit(pop, theta, clamped, float(k), implied, cdr)


def census_margins_2020(geography_zh: str) -> tuple[float, np.ndarray, np.ndarray]:
    """7th-census margins of a geography with published shares (泉州市, 晋江市).

    Returns ``(total, persons by sex (2,), persons by band (4,))`` for the bands
    :data:`RESIDENT_BANDS_2020` (0–14, 15–59, 60–64, 65+); the shares are published to 0.01 %,
    so the band counts are scaled to add up to the total exactly.
    """
    census = loaders.load_census2020()
    total = _fact(census, geography_zh, "resident_population", 2020)
    sexes = np.array(
        [
            _fact(census, geography_zh, "resident_population_male", 2020),
            _fact(census, geography_zh, "resident_population_female", 2020),
        ]
    )
    s014, s1559, s60, s65 = (
        _fact(census, geography_zh, f"share_age_{k}", 2020) / 100.0 for k in ("0_14", "15_59", "60plus", "65plus")
    )
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


_RESIDENT_2020_INPUTS = (
    "units",
    "census2020",
    "resident2021",
    "wpp_population",
    "wpp_births",
    "life_table",
    "wpp_projection",
    "registered",
    "migrant_age",
    "registered_county",
    "registered_county_evidence",
)


def native_migrant_seeds(
    native_shape: np.ndarray, registered_totals: np.ndarray, resident_totals: np.ndarray, profile: np.ndarray
) -> np.ndarray:
    """Resident seeds (U, 2, 101) of U units from their registered people and their net migration.

    Unit u has ``R_u`` registered people (its natives, shaped like ``native_shape`` (2, 101)) and
    ``P_u`` residents; ``M_u = P_u − R_u`` is its net migration. A *receiving* unit (M_u ≥ 0) holds
    its natives plus M_u in-migrants with the migrants' ``profile`` (2, 101; its 60+ part spread
    like the natives' own 60+, :func:`.registered_county.unit_profile`). A *sending* unit (M_u < 0)
    keeps ``natives × (1 − s)``, ``s`` its out-migrant share by sex × age, logit-linear in the
    migrants' relative propensity ``profile / native_shape`` (:func:`.registered_county.in_migrant_share`):
    those who left are mostly of working age, and no age loses more people than it has. Two units
    with the same totals ratio get the same seed shape; a sending unit's seed is older than its
    natives, a receiving unit's younger.
    """
    native = np.asarray(native_shape, dtype=float)
    native = native / native.sum()
    reg = np.asarray(registered_totals, dtype=float)
    res = np.asarray(resident_totals, dtype=float)
    if reg.shape != res.shape or np.any(reg <= 0) or np.any(res <= 0):
        raise ParameterError("registered_totals", reg.tolist(), "positive persons, one per unit, as resident_totals")
    seeds = np.empty((len(res),) + native.shape)
    for u, (r, p) in enumerate(zip(reg, res)):
        natives = r * native
        shaped = registered_county.unit_profile(natives, profile)
        if p >= r:
            seeds[u] = natives + (p - r) * shaped
        else:
            propensity = np.where(native > 0, shaped / np.where(native > 0, native, 1.0), 1e-12)
            seeds[u] = natives * (
                1.0 - registered_county.in_migrant_share(natives, r - p, np.maximum(propensity, 1e-12))
            )
    return seeds


def county_crude_death_rates(names: list[str]) -> np.ndarray:
    """The units' 2021 crude death rates (‰, yearbook 2022 table 3-5); a rate ≤ 0 is a data error."""
    y2021 = loaders.load_resident2021()
    cdr = np.array([_fact(y2021, n, "crude_death_rate", CDR_YEAR) for n in names])
    if np.any(cdr <= 0):
        bad = names[int(np.flatnonzero(cdr <= 0)[0])]
        raise DataValidationError(
            loaders.table("resident2021").path(),
            None,
            "value",
            "a crude death rate > 0 ‰",
            f"{bad}: {cdr[cdr <= 0][0]}",
        )
    return cdr


def registered_totals_2020(ids: list[str], resident_totals: np.ndarray) -> np.ndarray:
    """End-2020 registered totals (U,) of the units — their natives: county evidence dated up to
    end-2020 carried to end-2020, the rest of the city's registered total split by the
    crude-death-rate ratio rule (:func:`.registered_county.unit_totals`; leave-one-out RMS log error
    0.175). The same totals as the registered base (:func:`analysis.demography.base.registered_unit_totals`)."""
    known, _ = county_evidence.carried_totals(2020)
    cdr = dict(zip(ids, county_crude_death_rates([geography.resolve(u).name_zh for u in ids])))
    out = registered_county.unit_totals(
        dict(zip(ids, np.asarray(resident_totals, dtype=float))), registered_city(2020)[0], known, cdr
    )
    return np.array([out[u] for u in ids])


#: Ages where a unit's children factor applies fully, and the age from which it is gone (linear in
#: between on the log scale): children up to 10, none from 20, so no step at the 0–14 edge.
CHILD_RAMP = (10, 20)


def unit_births_2021(names: list[str], totals_2020: np.ndarray) -> np.ndarray:
    """Births of 2021 by unit (persons): the yearbook's crude birth rate × the mean of the 2020
    census-moment and end-2021 populations (yearbook 2022 table 3-5)."""
    y2021 = loaders.load_resident2021()
    cbr = np.array([_fact(y2021, n, "crude_birth_rate", CDR_YEAR) for n in names])
    p21 = np.array([_fact(y2021, n, "resident_population_yearend", CDR_YEAR) for n in names]) * 1e4
    return cbr / 1000.0 * 0.5 * (np.asarray(totals_2020, dtype=float) + p21)


def fit_children_by_births(
    seeds: np.ndarray,
    constraints: list,
    children: np.ndarray,
    ramp: tuple[int, int] = CHILD_RAMP,
    iterations: int = 60,
    tol: float = 1e-7,
) -> np.ndarray:
    """Constrained IPF of unit seeds (U, 2, 101) to ``constraints`` with each unit's 0–14 count set to
    ``children`` (U,): a factor ``f_u`` on the unit's seed, full at ages ≤ ``ramp[0]``, fading
    log-linearly to 1 at ``ramp[1]`` (a smooth age factor, no step at 15), solved by fixed-point
    iteration ``f_u ← f_u × children_u / fitted 0–14_u``. ``children`` must add up to the 0–14
    persons the constraints imply. Used with children ∝ each unit's 2021 births: measured on 晋江市
    (leave-one-out), its 0–14 share error falls from +2.88 to +0.58 points."""
    ages = np.arange(seeds.shape[-1])
    weight = np.clip((ramp[1] - ages) / (ramp[1] - ramp[0]), 0.0, 1.0)
    log_f = np.zeros(len(seeds))
    for _ in range(iterations):
        fit = ipf(seeds * np.exp(log_f[:, None, None] * weight[None, None, :]), constraints, tol=1e-10)
        kids = fit[:, :, :15].sum(axis=(1, 2))
        if np.abs(kids / children - 1.0).max() < tol:
            return fit
        log_f += np.log(children / kids)
    raise AnalysisError(
        f"county children by births: not converged (largest error {np.abs(kids / children - 1.0).max():.2g})"
    )


def fit_migration_structures(
    seeds: np.ndarray,
    totals: np.ndarray,
    sex_totals: np.ndarray,
    band_totals: np.ndarray,
    band_labels: np.ndarray,
    births: np.ndarray,
) -> np.ndarray:
    """Age structures (U, 2, 101) of U units from their natives-plus-migrants ``seeds``
    (:func:`native_migrant_seeds`): a constrained IPF to the unit ``totals``, the joint ``sex_totals``
    (2,) and age-band totals (B,; the first band 0–14, met by a smooth age factor,
    :class:`AgeBandMargin`), with each unit's 0–14 in proportion to its ``births`` (U,; 2021,
    :func:`unit_births_2021`) by :func:`fit_children_by_births`."""
    births = np.asarray(births, dtype=float)
    band_totals = np.asarray(band_totals, dtype=float)
    constraints = [
        (np.arange(len(seeds))[:, None, None], np.asarray(totals, dtype=float)),
        (np.arange(2)[None, :, None], np.asarray(sex_totals, dtype=float)),
        AgeBandMargin(np.asarray(band_labels), band_totals),
    ]
    return fit_children_by_births(seeds, constraints, band_totals[0] * births / births.sum())


def migrant_profile_2020(city_total: float, city_women: float) -> np.ndarray:
    """The net in-migrants' age-sex profile (2, 101) of the 2020 seed (:func:`.seed.census_seed`):
    Rogers–Castro with peak age 20, their female share (resident − registered women) and China's
    floating population's share aged 60+."""
    return migration.age_sex_profile(
        MIGRANT_PEAK_AGE, migrant_female_share((city_total, city_women), registered_city(2020)), migrant_share_60plus()
    )


def seed_2020(city_total: float, city_women: float) -> np.ndarray:
    """The 2020 seed (2, 101), shares summing to 1: the city's end-2020 registered people shaped like
    China plus the net in-migrants with the migrants' profile (:func:`.seed.census_seed`), the same
    seed as the 2010 backtest base (with China's shape alone that backtest's 60+ error was +17 %)."""
    seed = census_seed(CENSUS_TIME_2020, 2020, (city_total, city_women))
    return seed / seed.sum()


def _copy(base: BasePopulation) -> BasePopulation:
    return replace(
        base,
        population=base.population.copy(),
        unit_ids=list(base.unit_ids),
        notes=list(base.notes),
        unit_total_estimated=dict(base.unit_total_estimated),
        diagnostics=copy.deepcopy(base.diagnostics),
    )


def estimate_resident_2020(county_ages: str = COUNTY_AGE_METHODS[0]) -> BasePopulation:
    """Estimated 2020 resident (常住) base: see the module docstring for the method.

    Parameters
    ----------
    county_ages : {'migration', 'crude_death_rate', 'shared'}
        How the units get their age structure: natives plus net migrants (default,
        :func:`native_migrant_seeds`), the shared seed tilted to reproduce the 2021 crude death
        rates (the earlier default), or one shared residual structure (the first estimate).

    The result is cached per input-file version (the solve runs once per process); every call
    returns a fresh copy.
    """
    if county_ages not in COUNTY_AGE_METHODS:
        raise ParameterError("county_ages", county_ages, " or ".join(repr(m) for m in COUNTY_AGE_METHODS))
    return _copy(_resident_2020_cached(county_ages, _input_fingerprint(*_RESIDENT_2020_INPUTS)))


@lru_cache(maxsize=8)
def _resident_2020_cached(county_ages: str, fingerprint: tuple) -> BasePopulation:
    """The fit, through the memo hook (:func:`analysis.hooks.memo`; in a run, the run's model cache): a run computes it
    once in its tables phase and every notebook job loads it (1.7 s fit, 2 ms load)."""
    return hooks.memo("resident-base-2020", (county_ages,), lambda: _fit_resident_2020(county_ages))


def _fit_resident_2020(county_ages: str) -> BasePopulation:
    ids, index = unit_index()
    totals, flags, notes = resident_unit_totals_2020()
    city_total, city_sex, city_bands = census_margins_2020("泉州市")
    shape = seed_2020(city_total, city_sex[1])
    bands = age_band_labels(RESIDENT_BANDS_2020)
    sex_lab = np.arange(2)[:, None]
    jj_total, jj_sex, jj_bands = census_margins_2020("晋江市")
    others = [i for i in range(len(ids)) if i != index["晋江市"]]
    pop = np.empty((len(ids), 2, N_AGES))
    if county_ages == "migration":
        return _fit_migration(
            ids, index, totals, flags, notes, city_sex, city_bands, bands, migrant_profile_2020(city_total, city_sex[1])
        )
    jj = ipf(jj_total * shape, [(sex_lab, jj_sex), AgeBandMargin(bands, jj_bands)])
    pop[index["晋江市"]] = jj
    notes = notes + [note("age_structure_estimated")]
    diagnostics: dict = {"county_ages": county_ages}
    if county_ages == "shared":
        seed = totals[others, None, None] * shape[None]
        unit_lab = np.arange(len(others))[:, None, None]
        pop[others] = ipf(
            seed,
            [
                (unit_lab, totals[others]),
                (sex_lab[None], city_sex - jj_sex),
                AgeBandMargin(bands, city_bands - jj_bands),
            ],
        )
        notes.append(note("jinjiang_own_census", tail=" (one shared age structure for the 12 units)"))
        return BasePopulation(pop, ids, 2020, "resident", True, notes, flags, diagnostics)

    y2021 = loaders.load_resident2021()
    names = [geography.resolve(ids[i]).name_zh for i in others]
    cdr = county_crude_death_rates(names)
    mx = mortality_schedule(CDR_YEAR)
    fit = fit_county_age_structure(shape, totals[others], city_sex - jj_sex, city_bands - jj_bands, bands, cdr, mx)
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
    notes.append(
        note(
            "county_ages_from_deaths",
            year=CDR_YEAR,
            e0_m=e0[0],
            e0_f=e0[1],
            theta_lo=fit.theta[free].min(),
            unit_lo=free_names[order[0]],
            theta_hi=fit.theta[free].max(),
            unit_hi=free_names[order[-1]],
            lo=share60[free].min(),
            hi=share60[free].max(),
        )
    )
    notes.append(
        note(
            "mortality_level_factor",
            city_cdr=city_cdr,
            yearbook_cdr=yearbook_city_cdr,
            k=fit.level_factor,
            jj_cdr=jj_cdr,
            jj_cdr_yb=jj_cdr_yb,
        )
    )
    for i in np.flatnonzero(fit.clamped):
        notes.append(
            note(
                "kaifaqu_death_rate",
                unit=names[i],
                cdr=cdr[i],
                theta=fit.theta[i],
                bound=TILT_BOUND,
                implied=fit.implied_cdr[i],
                share60=share60[i],
            )
        )
    diagnostics.update(
        {
            "theta": dict(zip([ids[i] for i in others], fit.theta.tolist())),
            "clamped": [ids[others[i]] for i in np.flatnonzero(fit.clamped)],
            "mortality_level_factor": fit.level_factor,
            "implied_cdr": dict(zip([ids[i] for i in others], fit.implied_cdr.tolist())),
            "yearbook_cdr": dict(zip([ids[i] for i in others], cdr.tolist())),
            "jinjiang_implied_cdr": float(jj_cdr),
            "city_cdr_national_schedule": float(city_cdr),
            "tilt_bound": TILT_BOUND,
        }
    )
    return BasePopulation(pop, ids, 2020, "resident", True, notes, flags, diagnostics)


def _fit_migration(ids, index, totals, flags, notes, city_sex, city_bands, bands, profile) -> BasePopulation:
    """The default county age structures (``county_ages="migration"``): see the module docstring."""
    reg = registered_totals_2020(ids, totals)
    seeds = native_migrant_seeds(cohort_shape(CENSUS_TIME_2020), reg, totals, profile)
    sex_lab = np.arange(2)[:, None]
    j = index["晋江市"]
    others = [i for i in range(len(ids)) if i != j]
    _, jj_sex, jj_bands = census_margins_2020("晋江市")
    pop = np.empty((len(ids), 2, N_AGES))
    pop[j] = ipf(seeds[j], [(sex_lab, jj_sex), AgeBandMargin(bands, jj_bands)])
    names = [geography.resolve(u).name_zh for u in ids]
    births = unit_births_2021(names, totals)
    pop[others] = fit_migration_structures(
        seeds[others], totals[others], city_sex - jj_sex, city_bands - jj_bands, bands, births[others]
    )
    mx = mortality_schedule(CDR_YEAR)
    cdr = county_crude_death_rates(names)
    yearbook_city_cdr = _fact(loaders.load_resident2021(), "泉州市", "crude_death_rate", CDR_YEAR)
    k = yearbook_city_cdr / float(crude_death_rate(pop.sum(axis=0), mx))
    implied = k * crude_death_rate(pop, mx)
    ratio = reg / totals
    share60 = 100.0 * pop[:, :, 60:].sum(axis=(1, 2)) / pop.sum(axis=(1, 2))
    rest = np.asarray(others)
    lo, hi = rest[np.argmin(share60[rest])], rest[np.argmax(share60[rest])]
    fit_cdr = [i for i in range(len(ids)) if ids[i] != "kaifaqu"]
    corr = float(np.corrcoef(implied[fit_cdr], cdr[fit_cdr])[0, 1])
    notes = notes + [
        note("age_structure_estimated_units"),
        note("jinjiang_own_census", tail=""),
        note(
            "county_ages_from_migration",
            rmin=ratio[rest].min(),
            rmax=ratio[rest].max(),
            lo=share60[rest].min(),
            lo_unit=names[lo],
            hi=share60[rest].max(),
            hi_unit=names[hi],
            loo60=JINJIANG_LOO["migration"][1],
            loo014=JINJIANG_LOO["migration"][0],
            cdr60=JINJIANG_LOO["crude_death_rate"][1],
            cdr014=JINJIANG_LOO["crude_death_rate"][0],
            corr=corr,
        ),
    ]
    diagnostics = {
        "county_ages": "migration",
        "registered_resident_ratio": dict(zip(ids, ratio.tolist())),
        "mortality_level_factor": k,
        "implied_cdr": dict(zip(ids, implied.tolist())),
        "yearbook_cdr": dict(zip(ids, cdr.tolist())),
        "implied_cdr_correlation": corr,
        "clamped": [],
    }
    return BasePopulation(pop, ids, 2020, "resident", True, notes, flags, diagnostics)

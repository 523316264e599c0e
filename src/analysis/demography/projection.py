"""``project()``: scenario + base population → :class:`ProjectionResult` (the public entry point).

Assembles the rates for :func:`~analysis.demography.ccmpp.project_arrays` from the data and the
scenario, calibrates them to local figures, and wraps the arrays in the result contract:

- **mortality** — WPP standard m(x) by sex (:mod:`.lifetable`), level set each year and draw to
  ``e0_WPP(year) + gap_Quanzhou + demography.e0_offset + gain_draw × (year − start)`` by a
  proportional-hazards factor (root search). Quanzhou's own e0 is not published. The level is a
  scenario choice (``demography.mortality_level``): ``national`` (the default) keeps the WPP
  China path (gap 0); ``yearbook_cdr_2021`` ESTIMATES a local level from the 2021 crude death
  rates (:func:`quanzhou_mortality_level`): the common factor k on the national m(x) of 2021
  that the county age-structure fit
  (:func:`analysis.demography.base.county.fit_county_age_structure`) needs to reproduce the
  yearbook's death rates (k ≈ 1.17, about 1.8 / 1.6 years below the national e0 for men /
  women) gives ``gap_Quanzhou = e0(k · m_2021) − e0_WPP(2021)`` by sex, held constant in years.
  With it the engine's 2021 deaths match the yearbook's 6.9 ‰ instead of the ≈ 5.8 ‰ of the
  national level. It is not the default because it rests on the estimated county age structures
  and puts one of Fujian's most prosperous cities well below the national life expectancy, which
  points at how the death rate or the population is counted rather than at mortality; either
  way, migration is derived from the engine's own deaths, so the accounting holds.
- **fertility** — ``asfr = c_unit × multiplier_draw × TFR_WPP(year) × pattern_WPP(year, age)``;
  ``c_unit`` calibrates the first projected year: resident base → each unit's 2021 births equal
  the yearbook's 2021 crude birth rate × the mid-year population (mean of the 2020 base and the
  2021 year-end figure). The factor absorbs whatever the estimated county age structure (tilted
  to the 2021 crude death rates, :mod:`analysis.demography.base`) does not explain: across
  the units the yearbook's birth and death rates rise together (r ≈ 0.8), so the units estimated
  oldest (fewest women aged 15–49) get the largest factors (2020 estimate: 0.67–1.38; 0.71–1.33
  with one shared county structure). The calibration runs at ``tfr_multiplier = 1`` and
  ``net_migration_scale = 1`` with the calibrated migration, so scenarios still act on births.
  Registered base → the registered 2020 CBR (14.23 ‰) carried to 2021 by
  the national TFR change (same factor for every unit, no county data). A registered origin
  after 2020 (:func:`calibrate_registered_origin`) replaces the WPP 2022 TFR path by China's
  births-implied TFR (:func:`analysis.demography.fertility.births_implied_tfr`: WPP 2024 with the
  NBS births dated by the origin) through a yearly index ``tfr_index`` (1 in the first step),
  so the city's births follow the national collapse instead of the WPP 2022 rise.
- **migration** — ``profile(sex, age) × total_unit × scale_draw`` (:mod:`.migration`): resident
  totals = the 2021 yearbook's population change minus the engine's *own* first-year births and
  deaths (so births + deaths + migration add up to the observed change); registered net transfers
  from the registered series, with the engine's death rate in place of the registered one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import geography
from ..data import loaders
from ..data.vintages import vintage_of
from ..errors import AnalysisError, ParameterError
from ..notes import Note, note
from ..scenarios import Scenario, load_scenario
from . import carry_error, estimates, fertility, lifetable, migration, oldest_old
from .base import (
    BasePopulation,
    crude_death_rate,
    load_base_population,
    mortality_schedule,
)
from .base.uncertainty import base_draws
from .ccmpp import project_arrays
from .parameters import E0_RANGE, MAX_YEAR, DemographyParameters, draw_parameters
from .result import ProjectionResult


@dataclass
class Rates:
    """Everything :func:`project_arrays` needs, plus the notes on how it was built."""

    survival: np.ndarray  # (T, D, 1, 2, A)
    birth_survival: np.ndarray  # (T, D, 1, 2)
    asfr: np.ndarray  # (T, 1, 1, A) national TFR × pattern
    asfr_scale: np.ndarray  # (T, D, U)  unit factor × draw multiplier × yearly index
    srb: np.ndarray  # (T, 1, 1)
    migration: np.ndarray  # (T, 1, 1, 2, A) age-sex profile (sums to 1)
    migration_scale: np.ndarray  # (T, D, U)  persons per year
    e0_target: np.ndarray  # (T, D, 2)
    notes: list[Note] = field(default_factory=list)


#: Year of the crude death rates that set Quanzhou's mortality level (yearbook 2022 table 3-5).
LEVEL_YEAR = loaders.RESIDENT_TABLE_YEAR
#: What the Monte Carlo draws may vary (:func:`project`).
UNCERTAINTY_CHOICES = ("all", "base", "rates")


@dataclass
class MortalityLevel:
    """Quanzhou's mortality level relative to the national WPP schedule.

    ``hazard_factor`` k multiplies the national m(x) of :data:`LEVEL_YEAR`; ``e0`` (2,) is the
    life expectancy (years, male/female) of ``k · m``; ``e0_gap`` (2,) = ``e0`` − WPP national e0
    of that year, added to the WPP path in every year; ``source`` says where k came from.
    """

    hazard_factor: float
    e0: np.ndarray
    e0_gap: np.ndarray
    source: str

    def note(self) -> Note:
        nat = self.e0 - self.e0_gap
        if self.source == NATIONAL_SOURCE:
            return note("mortality_national", m=nat[0], f=nat[1], y=LEVEL_YEAR)
        return note(
            "mortality_local",
            y=LEVEL_YEAR,
            k=self.hazard_factor,
            source=self.source,
            e0_m=self.e0[0],
            e0_f=self.e0[1],
            gap_m=self.e0_gap[0],
            gap_f=self.e0_gap[1],
            nat_m=nat[0],
            nat_f=nat[1],
        )


NATIONAL_SOURCE = "national UN WPP 2022 level"


def national_mortality_level() -> MortalityLevel:
    """The national WPP level itself (hazard factor 1, no e0 gap)."""
    e0 = lifetable.e0_path([LEVEL_YEAR])[0]
    return MortalityLevel(1.0, e0, np.zeros(2), NATIONAL_SOURCE)


def mortality_level(bp: BasePopulation, choice: str) -> MortalityLevel:
    """The mortality level a scenario asks for (``demography.mortality_level``)."""
    if choice == "national":
        return national_mortality_level()
    if choice == "yearbook_cdr_2021":
        return quanzhou_mortality_level(bp)
    raise ParameterError("demography.mortality_level", choice, "'national' or 'yearbook_cdr_2021'")


def quanzhou_mortality_level(bp: BasePopulation) -> MortalityLevel:
    """Quanzhou's mortality level from the 2021 crude death rates (see the module docstring).

    k is the common level factor of the county age-structure fit (base diagnostics
    ``mortality_level_factor``, computed on the resident base; the registered base carries the
    resident diagnostics). For a base without it (a real table), k = yearbook city CDR /
    CDR of the national m(x) on the resident city structure (the same definition on all units).
    """
    k = bp.diagnostics.get("mortality_level_factor")
    source = "common factor of the county crude-death-rate fit of the base age structure"
    mx = mortality_schedule(LEVEL_YEAR)
    if k is None:
        # the level is defined on the 2021 death rates: a later (re-based) registered base uses the
        # 2020 resident structure, the one those rates were measured on
        resident = bp if bp.base == "resident" else load_base_population("resident", min(bp.year, 2020))
        k = resident.diagnostics.get("mortality_level_factor")
        if k is None:
            city_cdr = loaders.fact(loaders.load_resident2021(), "泉州市", "crude_death_rate", LEVEL_YEAR)
            k = city_cdr / float(crude_death_rate(resident.city(), mx))
            source = "yearbook city CDR / national CDR of the resident base's city structure"
    k = float(k)
    if not (np.isfinite(k) and k > 0):
        raise AnalysisError(f"mortality level factor must be positive, not {k}")
    e0 = lifetable.e0_of(k * mx)
    return MortalityLevel(k, e0, e0 - lifetable.e0_path([LEVEL_YEAR])[0], source)


def _years(start_year: int, end_year: int) -> np.ndarray:
    if int(end_year) != end_year or end_year <= start_year:
        raise ParameterError("end_year", end_year, f"a whole year after the base year {start_year}")
    if end_year > MAX_YEAR:
        raise ParameterError("end_year", end_year, f"a year from {start_year + 1} to {MAX_YEAR}")
    return np.arange(start_year, int(end_year) + 1)


def mortality(
    step_years: np.ndarray, start_year: int, params: DemographyParameters, gains: np.ndarray, e0_gap=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Survival (T, D, 2, A), birth survival (T, D, 2) and target e0 (T, D, 2) for each step.

    Target e0 = WPP national e0 of the year + ``e0_gap`` (years by sex, local level; 0 if None)
    + ``params.e0_offset`` + the draw's extra gain × years since ``start_year``.
    """
    std = lifetable.standard_mx(step_years)  # (T, 2, A)
    elapsed = (step_years - start_year)[:, None, None]
    gap = np.zeros(2) if e0_gap is None else np.asarray(e0_gap, dtype=float)
    gap = np.broadcast_to(gap, (len(gains), 2))  # (2,) for every draw, or (D, 2): a drawn level
    target = lifetable.e0_path(step_years)[:, None, :] + gap[None] + params.e0_offset + gains[None, :, None] * elapsed
    if np.any(target < E0_RANGE[0]) or np.any(target > E0_RANGE[1]):
        bad = target.min() if target.min() < E0_RANGE[0] else target.max()
        raise ParameterError(
            "demography.e0_offset",
            params.e0_offset,
            f"a value (with demography.e0_gain_per_year) that keeps life expectancy "
            f"within {E0_RANGE[0]:g}–{E0_RANGE[1]:g} years; it reaches {bad:.1f}",
        )
    S, Sb, _ = lifetable.survival_at_e0(std[:, None], target)  # S (T, D, 2, A), Sb (T, D, 2)
    return S, Sb, target


def assemble_rates(
    bp: BasePopulation,
    params: DemographyParameters,
    years: np.ndarray,
    draws: pd.DataFrame,
    fertility_factor: np.ndarray,
    migration_totals: np.ndarray,
    e0_gap=None,
    tfr_index=None,
) -> Rates:
    """Rates for every step (years[1:]) and draw from data, scenario and calibration factors.

    ``e0_gap`` (2,): local mortality level in years of e0 against the WPP path (None = national).
    ``tfr_index`` (T,): multiplies the WPP 2022 TFR of each step (None = 1; :func:`fertility_index`).
    """
    steps = years[1:]
    T, D, U = len(steps), len(draws), len(bp.unit_ids)
    gap = np.zeros(2) if e0_gap is None else np.asarray(e0_gap, dtype=float)
    if "mortality_level_shift" in draws:  # (D, 2) years of e0: the drawn city mortality level
        gap = gap + np.stack(draws["mortality_level_shift"].to_numpy())
    S, Sb, target = mortality(steps, int(years[0]), params, draws["e0_gain_per_year"].to_numpy(), gap)
    if bp.base == "registered" and "oldest_old_mortality_factor" in draws:
        # issue 26: the registered oldest old die more slowly than China's schedule says; factor fitted
        # on the pre-origin centenarian counts (analysis.demography.oldest_old_fit), drawn per draw
        S = oldest_old.scale_oldest_old_hazards(S, draws["oldest_old_mortality_factor"].to_numpy())
    pattern = fertility.asfr_pattern(steps)  # (T, A)
    tfr = fertility.national_tfr(steps)  # (T,)
    if tfr_index is not None:
        tfr = tfr * np.asarray(tfr_index, dtype=float)
    mult = draws["tfr_multiplier"].to_numpy()
    scale = draws["net_migration_scale"].to_numpy()
    share60 = params.registered_transfer_share_60plus if bp.base == "registered" else params.migration_share_60plus
    profile = migration.age_sex_profile(params.migration_peak_age, params.migration_female_share, share60)
    return Rates(
        survival=S[:, :, None],
        birth_survival=Sb[:, :, None],
        asfr=(tfr[:, None] * pattern)[:, None, None, :],
        asfr_scale=np.broadcast_to((mult[:, None] * np.asarray(fertility_factor)[None, :])[None], (T, D, U)),
        srb=fertility.sex_ratio_at_birth(steps)[:, None, None],
        migration=np.broadcast_to(profile, (T, 1, 1) + profile.shape),
        migration_scale=np.broadcast_to((scale[:, None] * np.asarray(migration_totals)[None, :])[None], (T, D, U)),
        e0_target=target,
    )


def run_rates(
    bp: BasePopulation,
    rates: Rates,
    keep_age_components: bool = False,
    dtype=np.float64,
    base_draws: np.ndarray | None = None,
) -> dict:
    """:func:`project_arrays` on assembled rates (from ``base_draws`` (D, U, 2, A) if given)."""
    return project_arrays(
        bp.population if base_draws is None else base_draws,
        rates.survival,
        rates.birth_survival,
        rates.asfr,
        rates.srb,
        rates.migration,
        asfr_scale=rates.asfr_scale,
        migration_scale=rates.migration_scale,
        keep_age_components=keep_age_components,
        dtype=dtype,
    )


def first_year(
    bp: BasePopulation,
    params: DemographyParameters,
    start_year: int,
    migration_totals: np.ndarray | None = None,
    fertility_factor: np.ndarray | None = None,
    e0_gap=None,
) -> dict:
    """The first projected step at central values, ``tfr_multiplier = net_migration_scale = 1``.

    Returns the :func:`run_rates` arrays; births/deaths of the step are ``out[...][0, 1]`` (U, 2).
    """
    central = draw_parameters(params, 1, None).assign(tfr_multiplier=1.0, net_migration_scale=1.0)
    years = np.array([start_year, start_year + 1])
    U = len(bp.unit_ids)
    mig = np.zeros(U) if migration_totals is None else np.asarray(migration_totals, dtype=float)
    factor = np.ones(U) if fertility_factor is None else np.asarray(fertility_factor, dtype=float)
    return run_rates(bp, assemble_rates(bp, params, years, central, factor, mig, e0_gap))


def first_year_births(
    bp: BasePopulation,
    params: DemographyParameters,
    start_year: int,
    migration_totals: np.ndarray | None = None,
    e0_gap=None,
) -> np.ndarray:
    """Births by unit in the first step at the national TFR (factor 1): (U,) persons.

    Computed at ``tfr_multiplier = 1`` and ``net_migration_scale = 1`` whatever the scenario
    says, with the calibrated net migration ``migration_totals`` (persons/year; none if
    omitted): the factor then describes the local level against the national TFR and the
    scenario's multiplier and migration scale still act on births (calibrating at them would
    divide them out again).
    """
    return first_year(bp, params, start_year, migration_totals, None, e0_gap)["births"][0, 1].sum(axis=-1)


def calibrate_resident_2020(
    bp: BasePopulation, params: DemographyParameters, e0_gap=None
) -> tuple[np.ndarray, np.ndarray, list[Note]]:
    """Fertility factors (U,) and net migration (U, persons/year) for the 2020 resident base.

    Births of the first step (1 Nov 2020 – 1 Nov 2021) are calibrated to the yearbook's 2021
    crude birth rate × mid-year population; net migration is then the yearbook's change
    2020 census → 2021 year-end (14 months, ×12/14) minus the engine's own births and deaths of
    that step (:func:`analysis.demography.migration.resident_migration_2021`). Deaths do not
    depend on migration (migrants arrive at the end of the step) and calibrated births do not
    either, so one pass at the yearbook-rate migration gives the engine's deaths exactly.
    """
    names = [geography.resolve(uid).name_zh for uid in bp.unit_ids]
    y2021 = loaders.load_resident2021()
    totals = bp.population.sum(axis=(1, 2))
    p21 = np.array([loaders.fact(y2021, n, "resident_population_yearend", LEVEL_YEAR) * 1e4 for n in names])
    cbr = np.array([loaders.fact(y2021, n, "crude_birth_rate", LEVEL_YEAR) for n in names])
    target_births = cbr / 1000.0 * 0.5 * (totals + p21)
    mig0, _ = migration.resident_migration_2021(totals, names)
    births0 = first_year_births(bp, params, 2020, mig0, e0_gap)
    deaths = first_year(bp, params, 2020, mig0, target_births / births0, e0_gap)["deaths"][0, 1].sum(axis=-1)
    mig, mig_notes = migration.resident_migration_2021(totals, names, births=target_births, deaths=deaths)
    births0 = first_year_births(bp, params, 2020, mig, e0_gap)
    factor = target_births / births0
    tfr21 = fertility.national_tfr([LEVEL_YEAR])[0]
    implied = (factor * births0).sum() / births0.sum() * tfr21
    lo, hi = int(np.argmin(factor)), int(np.argmax(factor))
    r = np.corrcoef(cbr, np.array([loaders.fact(y2021, n, "crude_death_rate", LEVEL_YEAR) for n in names]))[0, 1]
    city_cbr = loaders.fact(y2021, "泉州市", "crude_birth_rate", LEVEL_YEAR)
    notes = [
        note(
            "fertility_resident",
            cbr=city_cbr,
            wpp_tfr=tfr21,
            f_lo=factor.min(),
            unit_lo=names[lo],
            f_hi=factor.max(),
            unit_hi=names[hi],
            tfr=implied,
            r=r,
        )
    ] + mig_notes
    return factor, mig, notes


def calibrate_registered_2020(
    bp: BasePopulation, params: DemographyParameters, e0_gap=None
) -> tuple[np.ndarray, np.ndarray, list[Note]]:
    """Fertility factor (same for all units) and net transfers (U,) for the 2020 registered base
    (:func:`calibrate_registered` at 2020)."""
    return calibrate_registered(bp, params, e0_gap, 2020)


def calibrate_registered(
    bp: BasePopulation, params: DemographyParameters, e0_gap=None, year: int = 2020, max_data_year: int | None = None
) -> tuple[np.ndarray, np.ndarray, list[Note]]:
    """Fertility factor (same for all units) and net transfers (U,) for a registered census base of ``year``.

    Births of the first step = the registered CBR of ``year`` × the base total, carried to ``year + 1``
    by the national TFR change. The transfers are the registered series' residual growth with the
    engine's first-step crude death rate in place of the registered one
    (:func:`analysis.demography.migration.registered_transfer_rate`), so that the engine's deaths are
    accounted for; ``max_data_year`` limits the series to years up to it (the 2010 backtest: 2011).
    """
    reg = loaders.load_registered()
    cbr = loaders.fact(reg, "泉州市", "registered_crude_birth_rate", year)
    tfr20, tfr21 = fertility.national_tfr([year, year + 1])
    totals = bp.population.sum(axis=(1, 2))
    target = cbr / 1000.0 * totals.sum() * tfr21 / tfr20
    rate0, _ = migration.registered_transfer_rate(max_year=max_data_year)
    births0 = first_year_births(bp, params, year, rate0 * totals, e0_gap)
    first = first_year(bp, params, year, rate0 * totals, np.full(len(totals), target / births0.sum()), e0_gap)
    pop1 = first["population"][0, 1].sum()
    engine_cdr = 1000.0 * first["deaths"][0, 1].sum() / (0.5 * (totals.sum() + pop1))
    rate, notes = migration.registered_transfer_rate(engine_cdr, max_data_year)
    births0 = first_year_births(bp, params, year, rate * totals, e0_gap)
    factor = np.full(len(totals), target / births0.sum())
    notes = [
        note("fertility_registered", cbr=cbr, y=year, next=year + 1, tfr20=tfr20, tfr21=tfr21, factor=factor[0])
    ] + notes
    return factor, rate * totals, notes


def fertility_index(years: np.ndarray) -> np.ndarray:
    """Yearly index (T,) on the WPP 2022 TFR of the steps ``years[1:]`` of a registered origin after 2020:
    China's births-implied TFR (:func:`analysis.demography.fertility.births_implied_tfr`, data dated
    by the end of the origin ``years[0]``) over the WPP 2022 TFR, both relative to the first step
    (so the index is 1 there and the first-step calibration is unchanged)."""
    origin, steps = int(years[0]), np.asarray(years[1:], dtype=int)
    path = fertility.births_implied_tfr(steps, up_to=origin)
    wpp22 = fertility.national_tfr(steps)
    return (path / path[0]) / (wpp22 / wpp22[0])


def calibrate_registered_origin(
    bp: BasePopulation, params: DemographyParameters, est: estimates.Estimates, e0_gap=None
) -> tuple[np.ndarray, np.ndarray, list[Note]]:
    """Fertility factor (same for all units) and net transfers (U,) for a registered origin after 2020.

    Calibrated on the latest years of the estimates, never on a figure dated after the origin
    ``bp.year`` (``est`` is cut there): births of the first step = the estimate's registered births
    of the origin year × the ratio of China's births-implied TFR of the next year to the origin's
    (:func:`analysis.demography.fertility.births_implied_tfr` with the NBS births dated by the end of
    the origin; an NBS figure for the next year would be an observation after the origin); net
    transfers = the mean residual rate (transfers per person) of the estimate years whose city total
    is observed, × each unit's population. Later steps follow the same TFR path
    (:func:`fertility_index`).
    """
    origin = bp.year
    tfr0, tfr1 = fertility.births_implied_tfr([origin, origin + 1], up_to=origin)
    _, level, level_years = fertility.births_level(origin)
    births0 = est.births_in(origin)
    target = births0 * tfr1 / tfr0
    st = est.status
    observed = st[(st["unit_id"] == "quanzhou") & (st["count"] == "pop_total") & (st["status"] == "observed")]
    years = [int(y) for y in observed["year"] if y <= origin]
    if years:
        rate = float(np.mean([est.city_rate("net_migration", y) for y in years])) / 1000.0
        how = f"the mean residual of the observed years {', '.join(map(str, years))} of the estimates"
    else:
        rate, _ = migration.registered_transfer_rate()
        how = "the 2018–2020 registered series (no total observed since the base)"
    totals = bp.population.sum(axis=(1, 2))
    births_unit = first_year_births(bp, params, origin, rate * totals, e0_gap)
    factor = np.full(len(totals), target / births_unit.sum())
    level_text = (
        f"NBS/WPP 2024 births ratio {level:.3f}, mean of {', '.join(map(str, level_years))}"
        if level_years
        else "no NBS births by then: WPP 2024 as published"
    )
    notes = [
        note(
            "fertility_registered_origin",
            origin=origin,
            next=origin + 1,
            births=births0,
            tfr0=tfr0,
            tfr1=tfr1,
            factor=factor[0],
            level=level_text,
        ),
        note("migration_registered_origin", r=1000 * rate, how=how),
    ]
    return factor, rate * totals, notes


def origin_record(bp: BasePopulation, est: estimates.Estimates | None) -> dict:
    """``{year, data_vintage, ...}``: where a projection jumps off and which data it rests on."""
    if est is None:
        return {
            "year": int(bp.year),
            "data_vintage": "2020 census base (registered: registry series to end-2020)",
            "base": bp.base,
            "last_reference_date": f"{bp.year}-12-31" if bp.base == "registered" else f"{bp.year}-11-01",
        }
    last = est.used["reference_date"].max()
    return {
        "year": int(bp.year),
        "base": bp.base,
        "data_vintage": f"registry_annual {vintage_of('registry_annual')}, registered_county {vintage_of('registered_county')}",
        "last_reference_date": None if pd.isna(last) else f"{last:%Y-%m-%d}",
        "figures_used": int(len(est.used)),
        "base_of_estimates": int(est.base.year),
        "rebase": est.components["rebase"]["note"] if "rebase" in est.components else None,
    }


def latest_origin() -> int:
    """The latest origin with a registered estimate resting on data: the last year of any registry
    figure or registered base table (:func:`.estimates.latest_data_year`)."""
    return estimates.latest_data_year()


def project(
    scenario: Scenario | str = "baseline",
    base: str = "resident",
    start_year: int = 2020,
    end_year: int | None = None,
    draws: int = 1,
    seed: int | None = 20201101,
    *,
    base_population: BasePopulation | None = None,
    keep_components: bool | None = None,
    dtype=np.float64,
    uncertainty: str = "all",
) -> ProjectionResult:
    """Cohort-component projection of the 13 units from ``start_year`` to ``end_year``.

    Parameters
    ----------
    scenario : Scenario or str
        A validated scenario or its name (``'baseline'``, ``'low'``, ``'high'``).
    base : {'resident', 'registered'}
        常住 (census) or 户籍 (household-registered) population.
    start_year : int
        Origin (base year). 2020 (the census base; calibration on 2020–2021 figures), or for the
        registered base a later year-end up to the last year of the registry series: the base is
        then the post-censal estimate of that year (:mod:`.estimates`, using only figures dated up
        to the origin) and the calibration :func:`calibrate_registered_origin`.
    end_year : int, optional
        Last year (1 November), at most 2050; default the scenario's ``demography.horizon``
        (2035 in the shipped scenarios).
    draws : int
        Monte Carlo trajectories (TFR multiplier, e0 gain, migration scale); 1 = central values.
    seed : int
        Seed of the draws (same seed → same numbers).
    base_population : BasePopulation, optional
        A real or custom base (unit × sex × age) instead of the estimated one.
    keep_components : bool, optional
        Keep survival ratios and migration by age in ``result.components`` (default: draws ≤ 10).
    dtype : numpy dtype
        Storage of ``population`` (``np.float32`` halves the memory for many draws).
    uncertainty : {'all', 'base', 'rates'}
        What the draws vary: everything (default), only the estimated base
        (:mod:`.base.uncertainty`; rates at central values) or only the rates (base fixed) — to
        show how much of a band is the estimated base.

    Returns
    -------
    ProjectionResult
        ``population[draw, year, unit, sex, age]`` in persons, with births, deaths, net migration,
        the per-draw parameters, and ``notes`` listing every estimated input.
    """
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    params = DemographyParameters.from_scenario(scn)
    if base not in ("resident", "registered"):
        raise ParameterError("base", base, "'resident' or 'registered'")
    est = None
    if start_year != 2020:
        if base != "registered" or int(start_year) != start_year or start_year < 2020:
            raise ParameterError(
                "start_year",
                start_year,
                "2020 (a later origin only for base='registered'; analysis.demography.backtest for 2010)",
            )
        if start_year > latest_origin():
            raise ParameterError(
                "start_year", start_year, f"2020–{latest_origin()} (the last year of the registry series)"
            )
        # the scenario's own parameters: a run's input snapshot holds its scenario, not 'baseline'
        est = estimates.registered_estimates(last_year=int(start_year), data_up_to=int(start_year), params=params)
    years = _years(start_year, params.horizon if end_year is None else end_year)
    bp = base_population or (
        est.base_population(start_year) if est is not None else load_base_population(base, start_year)
    )
    if bp.base != base or bp.year != start_year:
        raise AnalysisError(f"base population is {bp.base} {bp.year}, not {base} {start_year}")
    level = mortality_level(bp, params.mortality_level)
    if base == "resident":
        factor, mig, cal_notes = calibrate_resident_2020(bp, params, level.e0_gap)
    elif est is None:
        factor, mig, cal_notes = calibrate_registered_2020(bp, params, level.e0_gap)
    else:
        factor, mig, cal_notes = calibrate_registered_origin(bp, params, est, level.e0_gap)
    if uncertainty not in UNCERTAINTY_CHOICES:
        raise ParameterError("uncertainty", uncertainty, " or ".join(repr(u) for u in UNCERTAINTY_CHOICES))
    table = draw_parameters(params, int(draws), seed)
    if uncertainty == "base":
        central = draw_parameters(params, 1, None)
        table = table.assign(**{c: central[c].iloc[0] for c in central.columns if c != "draw"})
    county_sd = params.base_county_sd_log_registered if base == "registered" else params.base_county_sd_log_resident
    spreads = (
        (0.0, 0.0, 0.0, 0.0, 0.0)
        if uncertainty == "rates"
        else (
            params.base_elderly_sd_pct,
            params.base_entrant_sd_pct,
            county_sd,
            params.base_80plus_sd_pct,
            params.base_structure_sd_pct,
        )
    )  # issue 26: county age-structure error (base.uncertainty.structure_draw)
    famine_sd = 0.0 if uncertainty == "rates" else params.base_famine_depth_sd
    populations, base_factors = base_draws(bp, int(draws), seed, *spreads, famine_sd=famine_sd)
    carry_sd = (
        0.0
        if est is None or uncertainty == "rates"
        else carry_error.origin_sd(est.status, int(start_year), int(est.base.year))
    )  # issue 25: modelled years
    carry = carry_error.factors(int(draws), seed, carry_sd)
    populations = populations * carry[:, None, None, None] if carry_sd else populations
    table = table.assign(**base_factors, base_carry_factor=carry)
    # the city's mortality level drawn between the national level and the one the yearbook death rates imply
    level_gap = np.abs(quanzhou_mortality_level(bp).e0_gap) if params.mortality_level_sd > 0 else np.zeros(2)
    shift = table["mortality_level_z"].to_numpy()[:, None] * params.mortality_level_sd * level_gap[None]
    table = table.assign(mortality_level_shift=list(shift))
    index = fertility_index(years) if est is not None else None
    rates = assemble_rates(bp, params, years, table, factor, mig, level.e0_gap, index)
    keep = draws <= 10 if keep_components is None else keep_components
    out = run_rates(bp, rates, keep_age_components=keep, dtype=dtype, base_draws=populations)
    clipped = np.nansum(out["migration_clipped"])
    notes = (
        list(bp.notes)
        + cal_notes
        + [
            level.note(),
            note("mortality_schedule", level=params.mortality_level, offset=params.e0_offset),
            note(
                "migration_ages" if base == "resident" else "migration_ages_registered",
                peak=params.migration_peak_age,
                fem=params.migration_female_share,
                old=params.registered_transfer_share_60plus if base == "registered" else params.migration_share_60plus,
            ),
            note(
                "uncertainty",
                elderly_sd=params.base_elderly_sd_pct,
                p80_sd=params.base_80plus_sd_pct,
                entrant_sd=params.base_entrant_sd_pct,
                county_sd=county_sd,
                famine_sd=params.base_famine_depth_sd,
                level_sd=params.mortality_level_sd,
                uncertainty=uncertainty,
            ),
        ]
    )
    if base == "registered":
        trend = oldest_old.centenarian_trend(oldest_old.FIT_ORIGIN)
        hazard = dict(f=params.oldest_old_mortality_factor, sd=params.oldest_old_mortality_sd)
        if abs(params.oldest_old_mortality_factor - oldest_old.FITTED_FACTOR) > 5e-4:  # the scenario sets its own
            notes.append(
                note("oldest_old_mortality_set", **hazard, fit=oldest_old.FITTED_FACTOR, y=oldest_old.FIT_ORIGIN)
            )
        elif trend is not None:
            (ya, _, a), (yb, _, b) = trend
            notes.append(note("oldest_old_mortality", **hazard, a=a, ya=ya, b=b, yb=yb, y=oldest_old.FIT_ORIGIN))
    if est is not None:
        notes.append(note("rolling_origin", y=start_year, sd=100 * carry_sd))
    if clipped >= 0.5:
        notes.append(note("outmigration_cut", moves=clipped, where="in total over all draws and years"))
    components = None
    if keep:
        components = {
            "survival": rates.survival[:, :, 0],
            "birth_survival": rates.birth_survival[:, :, 0],
            "migration_by_age": out["migration_by_age"],
        }
    table = table.assign(e0_male_end=rates.e0_target[-1, :, 0], e0_female_end=rates.e0_target[-1, :, 1])
    return ProjectionResult(
        population=out["population"],
        years=years,
        unit_ids=list(bp.unit_ids),
        base=base,
        scenario=scn.name,
        seed=seed,
        estimated_base=bp.estimated,
        notes=notes,
        births=out["births"],
        deaths=out["deaths"],
        net_migration=out["net_migration"],
        draw_parameters=table,
        migration_clipped=out["migration_clipped"],
        components=components,
        calibration={
            "fertility_factor": dict(zip(bp.unit_ids, factor)),
            "tfr_index": None if index is None else dict(zip(map(int, years[1:]), map(float, index))),
            "mortality_level": {
                "hazard_factor": level.hazard_factor,
                "source": level.source,
                "e0_2021": dict(zip(("male", "female"), level.e0.tolist())),
                "e0_gap": dict(zip(("male", "female"), level.e0_gap.tolist())),
            },
            "net_migration_per_year": dict(zip(bp.unit_ids, mig)),
            "unit_total_estimated": dict(bp.unit_total_estimated),
            "base_age_structure": dict(bp.diagnostics),
            "origin": origin_record(bp, est),
        },
    )

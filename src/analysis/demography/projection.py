"""``project()``: scenario + base population → :class:`ProjectionResult` (the public entry point).

Assembles the rates for :func:`~analysis.demography.ccmpp.project_arrays` from the data and the
scenario, calibrates them to local figures, and wraps the arrays in the result contract:

- **mortality** — WPP standard m(x) by sex (:mod:`.lifetable`), level set each year and draw to
  ``e0_WPP(year) + demography.e0_offset + gain_draw × (year − start)`` by a proportional-hazards
  factor (root search). Quanzhou's own e0 is not published: the national level is used.
- **fertility** — ``asfr = c_unit × multiplier_draw × TFR_WPP(year) × pattern_WPP(year, age)``;
  ``c_unit`` calibrates the first projected year: resident base → each unit's 2021 births equal
  the yearbook's 2021 crude birth rate × the mid-year population (mean of the 2020 base and the
  2021 year-end figure). The factor absorbs whatever the estimated county age structure (tilted
  to the 2021 crude death rates, :mod:`analysis.data.base_population`) does not explain: across
  the units the yearbook's birth and death rates rise together (r ≈ 0.8), so the units estimated
  oldest (fewest women aged 15–49) get the largest factors (2020 estimate: 0.71–1.49; 0.77–1.43
  with one shared county structure). The calibration runs at ``tfr_multiplier = 1`` and
  ``net_migration_scale = 1`` with the calibrated migration, so scenarios still act on births.
  Registered base → the registered 2020 CBR (14.23 ‰) carried to 2021 by
  the national TFR change (same factor for every unit, no county data).
- **migration** — ``profile(sex, age) × total_unit × scale_draw`` (:mod:`.migration`): resident
  totals from the 2021 yearbook, registered net transfers from the registered series.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import geography
from ..data import loaders
from ..data.base_population import BasePopulation, load_base_population
from ..errors import AnalysisError, ParameterError
from ..scenarios import Scenario, load_scenario
from . import fertility, lifetable, migration
from .ccmpp import project_arrays
from .parameters import E0_RANGE, MAX_YEAR, DemographyParameters, draw_parameters
from .result import ProjectionResult


@dataclass
class Rates:
    """Everything :func:`project_arrays` needs, plus the notes on how it was built."""

    survival: np.ndarray          # (T, D, 1, 2, A)
    birth_survival: np.ndarray    # (T, D, 1, 2)
    asfr: np.ndarray              # (T, 1, 1, A) national TFR × pattern
    asfr_scale: np.ndarray        # (T, D, U)  unit factor × draw multiplier
    srb: np.ndarray               # (T, 1, 1)
    migration: np.ndarray         # (T, 1, 1, 2, A) age-sex profile (sums to 1)
    migration_scale: np.ndarray   # (T, D, U)  persons per year
    e0_target: np.ndarray         # (T, D, 2)
    notes: list[str] = field(default_factory=list)


def _years(start_year: int, end_year: int) -> np.ndarray:
    if int(end_year) != end_year or end_year <= start_year:
        raise ParameterError("end_year", end_year, f"a whole year after the base year {start_year}")
    if end_year > MAX_YEAR:
        raise ParameterError("end_year", end_year, f"a year from {start_year + 1} to {MAX_YEAR}")
    return np.arange(start_year, int(end_year) + 1)


def mortality(step_years: np.ndarray, start_year: int, params: DemographyParameters,
              gains: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Survival (T, D, 2, A), birth survival (T, D, 2) and target e0 (T, D, 2) for each step."""
    std = lifetable.standard_mx(step_years)                                  # (T, 2, A)
    elapsed = (step_years - start_year)[:, None, None]
    target = lifetable.e0_path(step_years)[:, None, :] + params.e0_offset + gains[None, :, None] * elapsed
    if np.any(target < E0_RANGE[0]) or np.any(target > E0_RANGE[1]):
        bad = target.min() if target.min() < E0_RANGE[0] else target.max()
        raise ParameterError("demography.e0_offset", params.e0_offset,
                             f"a value (with demography.e0_gain_per_year) that keeps life expectancy "
                             f"within {E0_RANGE[0]:g}–{E0_RANGE[1]:g} years; it reaches {bad:.1f}")
    k = lifetable.solve_hazard_factor(std[:, None], target, verify=False)   # (T, D, 2)
    S, Sb, e0 = lifetable.survival_ratios(std[:, None] * k[..., None], with_e0=True)
    if np.any(np.abs(e0 - target) > 1e-5):  # rare: polish with the checked solver
        k = lifetable.solve_hazard_factor(std[:, None], target)
        S, Sb = lifetable.survival_ratios(std[:, None] * k[..., None])
    return S, Sb, target


def assemble_rates(bp: BasePopulation, params: DemographyParameters, years: np.ndarray,
                   draws: pd.DataFrame, fertility_factor: np.ndarray,
                   migration_totals: np.ndarray) -> Rates:
    """Rates for every step (years[1:]) and draw from data, scenario and calibration factors."""
    steps = years[1:]
    T, D, U = len(steps), len(draws), len(bp.unit_ids)
    S, Sb, target = mortality(steps, int(years[0]), params, draws["e0_gain_per_year"].to_numpy())
    pattern = fertility.asfr_pattern(steps)                                   # (T, A)
    tfr = fertility.national_tfr(steps)                                       # (T,)
    mult = draws["tfr_multiplier"].to_numpy()
    scale = draws["net_migration_scale"].to_numpy()
    profile = migration.age_sex_profile(params.migration_peak_age, params.migration_female_share)
    return Rates(
        survival=S[:, :, None], birth_survival=Sb[:, :, None],
        asfr=(tfr[:, None] * pattern)[:, None, None, :],
        asfr_scale=np.broadcast_to((mult[:, None] * np.asarray(fertility_factor)[None, :])[None], (T, D, U)),
        srb=fertility.sex_ratio_at_birth(steps)[:, None, None],
        migration=np.broadcast_to(profile, (T, 1, 1) + profile.shape),
        migration_scale=np.broadcast_to((scale[:, None] * np.asarray(migration_totals)[None, :])[None], (T, D, U)),
        e0_target=target,
    )


def run_rates(bp: BasePopulation, rates: Rates, keep_age_components: bool = False, dtype=np.float64) -> dict:
    """:func:`project_arrays` on assembled rates."""
    return project_arrays(bp.population, rates.survival, rates.birth_survival, rates.asfr, rates.srb,
                          rates.migration, asfr_scale=rates.asfr_scale,
                          migration_scale=rates.migration_scale,
                          keep_age_components=keep_age_components, dtype=dtype)


def first_year_births(bp: BasePopulation, params: DemographyParameters, start_year: int,
                      migration_totals: np.ndarray | None = None) -> np.ndarray:
    """Births by unit in the first step at the national TFR (factor 1): (U,) persons.

    Computed at ``tfr_multiplier = 1`` and ``net_migration_scale = 1`` whatever the scenario
    says, with the calibrated net migration ``migration_totals`` (persons/year; none if
    omitted): the factor then describes the local level against the national TFR and the
    scenario's multiplier and migration scale still act on births (calibrating at them would
    divide them out again).
    """
    central = draw_parameters(params, 1, None).assign(tfr_multiplier=1.0, net_migration_scale=1.0)
    years = np.array([start_year, start_year + 1])
    U = len(bp.unit_ids)
    mig = np.zeros(U) if migration_totals is None else np.asarray(migration_totals, dtype=float)
    rates = assemble_rates(bp, params, years, central, np.ones(U), mig)
    return run_rates(bp, rates)["births"][0, 1].sum(axis=-1)


def calibrate_resident_2020(bp: BasePopulation, params: DemographyParameters) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Fertility factors (U,) and net migration (U, persons/year) for the 2020 resident base."""
    names = [geography.resolve(uid).name_zh for uid in bp.unit_ids]
    y2021 = loaders.load_resident2021()
    totals = bp.population.sum(axis=(1, 2))
    p21 = np.array([loaders.fact(y2021, n, "resident_population_yearend", 2021) * 1e4 for n in names])
    cbr = np.array([loaders.fact(y2021, n, "crude_birth_rate", 2021) for n in names])
    target_births = cbr / 1000.0 * 0.5 * (totals + p21)
    mig, mig_notes = migration.resident_migration_2021(totals, names)
    births0 = first_year_births(bp, params, 2020, mig)
    factor = target_births / births0
    tfr21 = fertility.national_tfr([2021])[0]
    implied = (factor * births0).sum() / births0.sum() * tfr21
    lo, hi = int(np.argmin(factor)), int(np.argmax(factor))
    r = np.corrcoef(cbr, np.array([loaders.fact(y2021, n, "crude_death_rate", 2021) for n in names]))[0, 1]
    notes = [f"Fertility calibrated by unit to the 2021 yearbook crude birth rates (city 8.7 ‰): "
             f"factors on the WPP national TFR {tfr21:.3f} range {factor.min():.2f} ({names[lo]}) – "
             f"{factor.max():.2f} ({names[hi]}) (city-wide implied TFR 2021 ≈ {implied:.2f}); they also "
             f"absorb what the estimated county age structures miss (the units' crude birth and death "
             f"rates are correlated, r = {r:.2f})."] + mig_notes
    return factor, mig, notes


def calibrate_registered_2020(bp: BasePopulation, params: DemographyParameters) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Fertility factor (same for all units) and net transfers (U,) for the 2020 registered base."""
    reg = loaders.load_registered()
    cbr = loaders.fact(reg, "泉州市", "registered_crude_birth_rate", 2020)
    tfr20, tfr21 = fertility.national_tfr([2020, 2021])
    totals = bp.population.sum(axis=(1, 2))
    rate, notes = migration.registered_transfer_rate()
    births0 = first_year_births(bp, params, 2020, rate * totals)
    target = cbr / 1000.0 * totals.sum() * tfr21 / tfr20
    factor = np.full(len(totals), target / births0.sum())
    notes = [f"Registered fertility calibrated to the registered 2020 crude birth rate {cbr} ‰ carried "
             f"to 2021 by the national TFR change ({tfr20:.3f} → {tfr21:.3f}): factor {factor[0]:.2f} "
             "for every unit (no county figures)."] + notes
    return factor, rate * totals, notes


def project(scenario: Scenario | str = "baseline", base: str = "resident", start_year: int = 2020,
            end_year: int | None = None, draws: int = 1, seed: int | None = 20201101, *,
            base_population: BasePopulation | None = None, keep_components: bool | None = None,
            dtype=np.float64) -> ProjectionResult:
    """Cohort-component projection of the 13 units from ``start_year`` to ``end_year``.

    Parameters
    ----------
    scenario : Scenario or str
        A validated scenario or its name (``'baseline'``, ``'low'``, ``'high'``).
    base : {'resident', 'registered'}
        常住 (census) or 户籍 (household-registered) population.
    start_year : int
        Base year; 2020 (the calibration uses 2020–2021 figures).
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
    if start_year != 2020:
        raise ParameterError("start_year", start_year, "2020 (use analysis.demography.backtest for 2010)")
    years = _years(start_year, params.horizon if end_year is None else end_year)
    bp = base_population or load_base_population(base, start_year)
    if bp.base != base or bp.year != start_year:
        raise AnalysisError(f"base population is {bp.base} {bp.year}, not {base} {start_year}")
    if base == "resident":
        factor, mig, cal_notes = calibrate_resident_2020(bp, params)
    else:
        factor, mig, cal_notes = calibrate_registered_2020(bp, params)
    table = draw_parameters(params, int(draws), seed)
    rates = assemble_rates(bp, params, years, table, factor, mig)
    keep = draws <= 10 if keep_components is None else keep_components
    out = run_rates(bp, rates, keep_age_components=keep, dtype=dtype)
    clipped = np.nansum(out["migration_clipped"])
    notes = list(bp.notes) + cal_notes + [
        "Mortality: UN WPP 2022 China death-rate schedule, level set to the WPP 2022 medium e0 path "
        f"(national; Quanzhou's e0 is not published) + offset {params.e0_offset:+g} years + scenario gain.",
        f"Migration age profile: Rogers–Castro, peak age {params.migration_peak_age:g}, "
        f"{params.migration_female_share:g} % female (assumption).",
    ]
    if clipped > 0:
        notes.append(f"Net out-migration larger than the persons present was cut: {clipped:,.0f} "
                     "person-moves in total over all draws and years.")
    components = None
    if keep:
        components = {"survival": rates.survival[:, :, 0], "birth_survival": rates.birth_survival[:, :, 0],
                      "migration_by_age": out["migration_by_age"]}
    table = table.assign(e0_male_end=rates.e0_target[-1, :, 0], e0_female_end=rates.e0_target[-1, :, 1])
    return ProjectionResult(
        population=out["population"], years=years, unit_ids=list(bp.unit_ids), base=base,
        scenario=scn.name, seed=seed, estimated_base=bp.estimated, notes=notes,
        births=out["births"], deaths=out["deaths"], net_migration=out["net_migration"],
        draw_parameters=table, migration_clipped=out["migration_clipped"], components=components,
        calibration={"fertility_factor": dict(zip(bp.unit_ids, factor)),
                     "net_migration_per_year": dict(zip(bp.unit_ids, mig)),
                     "unit_total_estimated": dict(bp.unit_total_estimated),
                     "base_age_structure": dict(bp.diagnostics)},
    )

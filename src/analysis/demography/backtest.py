"""Backtest: project from the 2010 census to 2020 with the forward method and compare with 2020.

The backtest applies the forward projection's engine and calibration (:mod:`.projection`) with
only the information available at its base year — with one difference in the base: the 2010 base
is seeded with registered locals plus net in-migrants (:mod:`.base.seed`), the forward 2020
resident base with the national cohort shape alone (a known gap, see README): every calibration input is dated 2010 or 2011
(:data:`CALIBRATION_MAX_YEAR`; :func:`early_fact` refuses later years). The 2020 census is read
only by :func:`error_table`, after the projection.

- **base**: :func:`analysis.demography.base.estimate_resident_2010` (6th census margins;
  ESTIMATED age structure, every unit with the city's shape).
- **mortality**: WPP standard schedules at the WPP national e0 of each year (the forward
  default level ``national``), no extra gain.
- **fertility**: WPP national TFR × age pattern × one city factor that calibrates the first
  step (1 Nov 2010 – 1 Nov 2011), as the forward projection calibrates to the 2021 crude birth
  rate. The resident crude birth rate (CBR) of 2010/2011 is not in our data, so a PROXY is used
  (``fertility`` argument, see :data:`FERTILITY_METHODS`):

  * ``registered_cbr_2010`` (default): the registered (户籍) CBR 2010, 17.41 ‰
    (``registered_elderly.csv``), applied to the resident mid-year population. Chosen because it
    is the same kind of figure as the forward calibration target (an annual crude birth rate of
    the base year) — method parity. It is a proxy: the resident population (8.13 million) also
    counts about 1.3 million non-registered migrants, whose births are partly registered
    elsewhere, and the registered population excludes them.
  * ``age_0_4_2010``: a resident-based check. The yearbook's 2010 share of ages 0–4 (5.76 %,
    sample survey) × the census total gives the children born in the 5 years before the census;
    divided by their survival (national 2010 life table) and by 5 years it gives annual births,
    and over the mean population of those years (2000 and 2010 censuses, exponential
    interpolation) an implied CBR (≈ 12 ‰). It is lower than the registered rate: it measures
    2005–2010 rather than 2010, children of migrants who live at the parents' origin are not in
    it, and young children are the age group most often missed by counts.
  * ``national``: factor 1 (the former backtest; the "before" of the comparison).

  One factor for all units (no county birth rates for 2010), like the forward registered base.
- **migration**: the forward method takes the first year's observed population change; for 2010
  only the 2000 and 2010 census totals exist, so the city change of the first step is the mean
  annual change 2000–2010 (84,549 persons/year). Net migration = that change minus the engine's
  *own* births and deaths of the first step (with the calibrated fertility, at the final
  migration — consistent accounting: births − deaths + migration = change), split over units by
  their 2010 population; same Rogers–Castro age profile as the forward projection.

  **Why the calibrated net migration is negative (≈ −13,000/year) although residents grew by
  65,376/year 2010 → 2020 (8,128,530 → 8,782,285).** Not a sign error: it is the accounting
  identity net migration = change − (births − deaths) with a birth proxy that is too high for
  residents. First step 2010–11 (default fertility): change 84,549 (mean 2000–2010; the 2010–2020
  growth is the outcome and may not be read) − (births 142,254 − deaths 44,691 = natural increase
  97,562) = −13,013. The births come from the registered CBR 17.41 ‰ applied to 8.17 million
  residents, i.e. they treat the 1.28 million non-registered migrants as if they bore children at
  the registered rate in Quanzhou. With the resident-based CBR from the 0–4 share (11.98 ‰):
  births 97,886, deaths 44,433, net migration **+31,096**/year; with national fertility (factor
  1): births 123,736, net migration +5,396/year. So the sign follows the birth proxy; the
  migration figure is a residual, and the total stays right by construction (the city total's
  2020 error is small in every variant) while the split between births and migration is
  uncertain. Printed by ``analysis.present.backtest_report.calibration_text`` / the notes and tested in ``tests/test_backtest.py``.

Known exception to "data ≤ 2011": the national paths (WPP 2022 TFR, age pattern and e0 for
2011–2020) are the engine's exogenous inputs and are later estimates, so the backtest knows the
national trend (e.g. the 2016 two-child rise) — only the *local level* is calibrated blind.

Comparison with the 7th census (2020): city total and sex split, broad age shares, and the county
totals known for 2020 (晋江市, 南安市, 惠安县, 泉州台商投资区 derived). Error = projected − observed
(persons, or percentage points for shares); percent error = 100 × error / observed; MPE and MAPE
over the population counts; ``mape_totals`` over the city and county totals only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .. import geography
from ..data import loaders
from ..errors import AnalysisError, ParameterError
from ..notes import Note, note
from ..scenarios import Scenario, load_scenario
from . import fertility, lifetable
from .backtest_benchmarks import benchmark_table
from .backtest_registered import rows_for as registered_backtest_rows
from .base import BasePopulation, estimate_resident_2010, mortality_schedule
from .base.census2010 import migrant_female_share_2010
from .parameters import DemographyParameters, draw_parameters
from .projection import assemble_rates, first_year, first_year_births, run_rates
from .result import ProjectionResult

START, END = 2010, 2020
#: Latest year of any datum the calibration may read (no peeking at the outcome period).
CALIBRATION_MAX_YEAR = 2011
#: Fertility calibration choices (see module docstring).
FERTILITY_METHODS = ("registered_cbr_2010", "age_0_4_2010", "national")
DEFAULT_FERTILITY = "registered_cbr_2010"
#: Documented bound on the MAPE (%) of the city and county totals after ten years; the
#: calibrated default gives ≈ 1.6 %, the national-fertility backtest ≈ 1.5 %. Ten-year
#: county-level projection errors of 5–10 % are common, so more than 5 % signals a broken method.
MAPE_TOTALS_BOUND = 5.0
#: The births ↔ migration ↔ deaths fixed point stops when the net migration moves by less than
#: this many persons between passes (at most this many passes).
CALIBRATION_TOLERANCE = 0.01
CALIBRATION_MAX_PASSES = 20


@dataclass
class Backtest:
    """The 2010→2020 projection, its error table and summary errors.

    ``mpe`` / ``mape``: mean (absolute) percent error over the population counts (%);
    ``mape_totals``: MAPE over the city and county totals only (%); ``calibration``: the inputs
    and factors of the first-step calibration (CBR target ‰, factor, net migration persons/year).
    """

    result: ProjectionResult
    table: pd.DataFrame
    mpe: float
    mape: float
    notes: list[Note]
    mape_totals: float = float("nan")
    fertility: str = DEFAULT_FERTILITY
    calibration: dict = field(default_factory=dict)
    benchmarks: pd.DataFrame | None = None  # tables/backtest.csv (analysis.demography.backtest_benchmarks)


def early_fact(frame: pd.DataFrame, geography_zh: str, indicator: str, year: int) -> float:
    """:func:`analysis.data.loaders.fact` restricted to data dated ≤ :data:`CALIBRATION_MAX_YEAR`."""
    if year > CALIBRATION_MAX_YEAR:
        raise AnalysisError(
            f"backtest calibration may only use data up to {CALIBRATION_MAX_YEAR}, not {indicator} {year}"
        )
    return loaders.fact(frame, geography_zh, indicator, year)


def census_growth_2000_2010() -> tuple[float, float, float]:
    """City resident totals 2000 and 2010 (persons) and the mean annual change (persons/year)."""
    census = loaders.load_census2010()
    p2000 = early_fact(census, "泉州市", "resident_population", 2000)
    p2010 = early_fact(census, "泉州市", "resident_population", 2010)
    return p2000, p2010, (p2010 - p2000) / 10.0


def implied_cbr_age_0_4(year: int = START) -> tuple[float, dict]:
    """Crude birth rate (‰) implied by the yearbook's share of ages 0–4 at the census of ``year``.

    births/year = share_0_4 × P(year) / s̄ / 5, with s̄ the mean survival from birth to the census
    of children born evenly over the 5 years (national life table of ``year``, sexes weighted by
    the sex ratio at birth); CBR = births/year / mean population of those 5 years (exponential
    path between the 2000 and 2010 census totals). An ESTIMATE; see the module docstring.
    """
    p2000, p2010, _ = census_growth_2000_2010()
    share = early_fact(loaders.load_age_structure_yearbook(), "泉州市", "share_age_0_4_both_sexes", year)
    children = share / 100.0 * p2010
    table = lifetable.life_table(mortality_schedule(year))
    srb = float(fertility.sex_ratio_at_birth([year])[0])
    mean_survival_sex = table["L"][:, :5].sum(axis=-1) / 5.0  # (2,)
    mean_survival = (srb * mean_survival_sex[0] + mean_survival_sex[1]) / (srb + 1.0)
    births = children / mean_survival / 5.0
    r = np.log(p2010 / p2000) / 10.0
    mean_pop = p2010 * -np.expm1(-5.0 * r) / (5.0 * r)
    cbr = 1000.0 * births / mean_pop
    return cbr, {
        "share_0_4": share,
        "children_0_4": children,
        "mean_survival": mean_survival,
        "births_per_year": births,
        "mean_population": mean_pop,
    }


def target_cbr(method: str) -> tuple[float | None, dict]:
    """The first-step crude birth rate (‰) of a fertility method (None for ``national``) and how it
    was found (:func:`implied_cbr_age_0_4`'s details for ``age_0_4_2010``, else empty)."""
    if method == "registered_cbr_2010":
        return early_fact(loaders.load_registered(), "泉州市", "registered_crude_birth_rate", START), {}
    if method == "age_0_4_2010":
        return implied_cbr_age_0_4(START)
    if method == "national":
        return None, {}
    raise ParameterError("fertility", method, ", ".join(repr(m) for m in FERTILITY_METHODS))


def fertility_note(method: str, cbr: float | None, details: dict, factor: float, tfr: float) -> Note:
    """The note on a backtest fertility method: its target and the factor found on the WPP TFR ``tfr``."""
    if method == "registered_cbr_2010":
        return note("bt_fertility_registered", cbr=cbr, factor=factor, wpp_tfr=tfr, tfr=factor * tfr)
    if method == "age_0_4_2010":
        return note(
            "bt_fertility_age04",
            share=details["share_0_4"],
            births=details["births_per_year"],
            population=details["mean_population"],
            cbr=cbr,
            factor=factor,
            wpp_tfr=tfr,
            tfr=factor * tfr,
        )
    return note("bt_fertility_national")


def calibrate_2010(
    bp: BasePopulation, params: DemographyParameters, method: str = DEFAULT_FERTILITY
) -> tuple[np.ndarray, np.ndarray, dict, list[Note]]:
    """Fertility factors (U,) and net migration (U, persons/year) for the 2010 base.

    Mirrors :func:`analysis.demography.projection.calibrate_resident_2020`: the first step's
    births = target CBR × mid-year population, where the mid-year population is the 2010 total
    + half the mean annual change 2000–2010 (the change the migration reproduces); net migration =
    that change − the engine's own births − deaths of the step, found by a short fixed-point
    iteration (births depend on migrant women, deaths on the newborns). Only data dated ≤ 2011.
    """
    cbr, details = target_cbr(method)
    _, p2010, growth = census_growth_2000_2010()
    totals = bp.population.sum(axis=(1, 2))
    if abs(totals.sum() - p2010) > 1:
        raise AnalysisError(f"2010 base adds up to {totals.sum():,.0f}, not the census {p2010:,.0f}")
    weights = totals / totals.sum()
    U = len(totals)
    target = None if cbr is None else cbr / 1000.0 * (p2010 + 0.5 * growth)
    mig, factor = np.zeros(U), np.ones(U)
    for _ in range(CALIBRATION_MAX_PASSES):
        if target is not None:
            factor = np.full(U, target / first_year_births(bp, params, START, mig).sum())
        out = first_year(bp, params, START, mig, factor)
        births, deaths = out["births"][0, 1].sum(), out["deaths"][0, 1].sum()
        new_mig = (growth - (births - deaths)) * weights
        if np.abs(new_mig - mig).sum() < CALIBRATION_TOLERANCE:
            break
        mig = new_mig
    else:
        raise AnalysisError(f"backtest calibration did not converge in {CALIBRATION_MAX_PASSES} passes")
    births, deaths = out["births"][0, 1].sum(), out["deaths"][0, 1].sum()
    change = out["population"][0, 1].sum() - p2010
    clipped = float(np.nansum(out["migration_clipped"][0, 1]))
    tfr = float(fertility.national_tfr([START + 1])[0])
    info = {
        "fertility": method,
        "target_cbr_per_mille": cbr,
        "factor": float(factor[0]),
        "implied_tfr_2011": float(factor[0]) * tfr,
        "births_first_step": births,
        "deaths_first_step": deaths,
        "net_migration_city_per_year": float(mig.sum()),
        "change_first_step": change,
        "migration_clipped_first_step": clipped,
        "mean_change_2000_2010": growth,
        "calibration_max_year": CALIBRATION_MAX_YEAR,
    }
    notes = [
        fertility_note(method, cbr, details, float(factor[0]), tfr),
        note(
            "bt_migration" if clipped >= 0.5 else "bt_migration_uncut",
            growth=growth,
            births=births,
            deaths=deaths,
            n=mig.sum(),
            clipped=clipped,
        ),
        note("bt_cutoff", year=CALIBRATION_MAX_YEAR),
    ]
    return factor, mig, info, notes


def run_backtest(scenario: Scenario | str = "baseline", fertility: str = DEFAULT_FERTILITY) -> Backtest:
    """Project 2010 → 2020 (central values) with the forward method and compare with the 2020 census.

    Parameters
    ----------
    scenario : Scenario or str
        Scenario whose demographic assumptions (migration profile, e0 offset) are used; the
        TFR multiplier, migration scale and extra e0 gain are set to their neutral values.
    fertility : str
        Calibration of the fertility level, one of :data:`FERTILITY_METHODS`.

    Returns
    -------
    Backtest
        Projection (persons), error table against the 2020 census, MPE/MAPE (%).
    """
    if fertility not in FERTILITY_METHODS:
        raise ParameterError("fertility", fertility, ", ".join(repr(m) for m in FERTILITY_METHODS))
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    params = replace(
        DemographyParameters.from_scenario(scn),
        e0_gain_per_year=0.0,
        tfr_multiplier=1.0,
        net_migration_scale=1.0,
        migration_female_share=migrant_female_share_2010(),
    )
    bp = estimate_resident_2010()
    years = np.arange(START, END + 1)
    factor, mig, info, cal_notes = calibrate_2010(bp, params, fertility)
    central = draw_parameters(params, 1, None)
    out = run_rates(bp, assemble_rates(bp, params, years, central, factor, mig))
    notes = (
        list(bp.notes) + cal_notes + [note("bt_mortality"), note("bt_migrants_female", f=params.migration_female_share)]
    )
    clipped = float(np.nansum(out["migration_clipped"]))
    if clipped >= 0.5:
        notes.append(note("outmigration_cut", moves=clipped, where="in 2010–2020 (all units and ages)"))
    result = ProjectionResult(
        out["population"],
        years,
        list(bp.unit_ids),
        "resident",
        f"{scn.name} backtest 2010→2020 ({fertility})",
        None,
        True,
        notes,
        out["births"],
        out["deaths"],
        out["net_migration"],
        central,
        out["migration_clipped"],
        calibration={
            "fertility_factor": dict(zip(bp.unit_ids, factor)),
            "net_migration_per_year": dict(zip(bp.unit_ids, mig)),
            **info,
        },
    )
    table = error_table(result)
    mpe, mape, mape_totals = summary_errors(table)

    return Backtest(
        result,
        table,
        mpe,
        mape,
        notes,
        mape_totals,
        fertility,
        info,
        benchmark_table(result, registered_backtest_rows(scn)),
    )


def summary_errors(table: pd.DataFrame) -> tuple[float, float, float]:
    """MPE and MAPE (%) over the count rows, and MAPE over the city and county totals only."""
    counts = table[table["measure"] == "persons"]
    totals = counts[counts["quantity"].str.startswith("resident population 常住人口")]
    return (
        float(counts["percent_error"].mean()),
        float(counts["percent_error"].abs().mean()),
        float(totals["percent_error"].abs().mean()),
    )


def error_table(result: ProjectionResult) -> pd.DataFrame:
    """Projected 2020 vs the 7th census: quantity, unit, observed, projected, error, percent error."""
    census = loaders.load_census2020()
    t = result.year_index(END)
    city = result.unit(geography.CITY_ID)[0, t]
    rows = []

    def add(quantity, unit_id, observed, projected, measure):
        rows.append(
            {"quantity": quantity, "unit_id": unit_id, "observed": observed, "projected": projected, "measure": measure}
        )

    add(
        "resident population 常住人口",
        "quanzhou",
        loaders.fact(census, "泉州市", "resident_population", END),
        city.sum(),
        "persons",
    )
    for s, sex in enumerate(("male", "female")):
        add(
            f"resident population, {sex}",
            "quanzhou",
            loaders.fact(census, "泉州市", f"resident_population_{sex}", END),
            city[s].sum(),
            "persons",
        )
    for name_zh, indicator in (
        ("晋江市", "resident_population"),
        ("南安市", "resident_population"),
        ("惠安县", "resident_population"),
        ("泉州台商投资区", "resident_population_derived"),
    ):
        unit = geography.by_name_zh(name_zh)
        add(
            "resident population 常住人口" + (" (derived)" if "derived" in indicator else ""),
            unit.id,
            loaders.fact(census, name_zh, indicator, END),
            result.unit(unit.id)[0, t].sum(),
            "persons",
        )
    total = city.sum()
    for key, first, last in (("0_14", 0, 15), ("15_59", 15, 60), ("60plus", 60, None), ("65plus", 65, None)):
        add(
            f"share of ages {key.replace('_', '–').replace('plus', '+')}",
            "quanzhou",
            loaders.fact(census, "泉州市", f"share_age_{key}", END),
            100.0 * city[:, first:last].sum() / total,
            "percent",
        )
    frame = pd.DataFrame(rows)
    frame["error"] = frame["projected"] - frame["observed"]
    frame["percent_error"] = 100.0 * frame["error"] / frame["observed"]
    return frame[["quantity", "unit_id", "observed", "projected", "error", "percent_error", "measure"]]


def compare_methods(
    scenario: Scenario | str = "baseline",
    methods: tuple[str, ...] = ("national", DEFAULT_FERTILITY, "age_0_4_2010"),
) -> tuple[pd.DataFrame, dict[str, Backtest]]:
    """Error tables of several fertility calibrations side by side ("before" = ``national``).

    Returns a wide table — ``quantity, unit_id, measure, observed`` and for each method
    ``projected_<m>``, ``error_<m>`` (persons or percentage points), ``percent_error_<m>`` — with
    three summary rows at the end (MPE, MAPE over the counts, MAPE over the totals; value in the
    ``percent_error_<m>`` columns), and the :class:`Backtest` of each method.
    """
    runs = {m: run_backtest(scenario, m) for m in methods}
    first = runs[methods[0]].table
    wide = first[["quantity", "unit_id", "measure", "observed"]].copy()
    for m, bt in runs.items():
        wide[f"projected_{m}"] = bt.table["projected"].to_numpy()
        wide[f"error_{m}"] = bt.table["error"].to_numpy()
        wide[f"percent_error_{m}"] = bt.table["percent_error"].to_numpy()
    summary = []
    for label, attr in (
        ("MPE 平均百分比误差 (counts)", "mpe"),
        ("MAPE 平均绝对百分比误差 (counts)", "mape"),
        ("MAPE 平均绝对百分比误差 (city + county totals)", "mape_totals"),
    ):
        row = {"quantity": label, "unit_id": "quanzhou", "measure": "percent", "observed": np.nan}
        for m, bt in runs.items():
            row.update({f"projected_{m}": np.nan, f"error_{m}": np.nan, f"percent_error_{m}": getattr(bt, attr)})
        summary.append(row)
    return pd.concat([wide, pd.DataFrame(summary)], ignore_index=True), runs

"""Base populations by unit × sex × single age 0…100+ — estimated where no real table exists.

One module per job:

- :mod:`.cohort_shape` — national single-age shapes from birth cohorts (WPP 2024 births × survival
  inside the WPP 2019 5-year groups), and the old smooth (PCHIP) shape for comparison;
- :mod:`.fitting` — raking (IPF), band-constant factors and the smooth age factor;
- :mod:`.county` — the 2020 resident base: census margins, county totals, county age structures;
- :mod:`.registered` — the registered (户籍) city base by cohort accounting from the registry's
  figures; :mod:`.registered_county` — its county split; :mod:`.county_evidence` — the county
  registered figures with their dates (what may calibrate, what only evaluates);
- :mod:`.census2010` — the 2010 resident base of the backtest;
- :mod:`.uncertainty` — draws of the estimated base for the projection's bands.

:func:`load_base_population` returns a real table where one exists (:mod:`analysis.data.base_tables`)
and the documented estimate otherwise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ... import geography
from ...data import loaders
from ...data.base_tables import (
    N_AGES,
    SEXES,
    BasePopulation,
    base_from_table,
    real_table_path,
    unit_index,
)
from ...errors import ParameterError
from ...notes import Note, note
from .. import migration
from ..oldest_old import city_centenarians_at
from . import county_evidence, registered_county
from .census2010 import estimate_resident_2010
from .cohort_shape import cohort_shape, pchip_shape
from .county import (
    RESIDENT_BANDS_2020,
    TILT_BOUND,
    census_margins_2020,
    crude_death_rate,
    estimate_resident_2020,
    fit_county_age_structure,
    mortality_schedule,
    resident_unit_totals_2020,
)
from .fitting import (
    AgeBandMargin,
    age_band_labels,
    band_knots,
    fit_bands,
    ipf,
    smooth_age_factor,
)
from .registered import accounting_notes, city_registered_2020, city_registered_from_census
from .seed import migrant_share_60plus

# the resident base's notes on mortality that the registered base repeats (it shares its ages' fit)
MORTALITY_NOTE_IDS = ("county_ages_from_deaths", "mortality_level_factor", "kaifaqu_death_rate")

__all__ = [
    "N_AGES",
    "SEXES",
    "BasePopulation",
    "load_base_population",
    "base_from_table",
    "unit_index",
    "estimate_resident_2020",
    "estimate_registered_2020",
    "estimate_registered",
    "resident_base",
    "estimate_resident_2010",
    "crude_death_rate",
    "mortality_schedule",
    "cohort_shape",
    "pchip_shape",
    "RESIDENT_BANDS_2020",
    "TILT_BOUND",
    "census_margins_2020",
    "fit_county_age_structure",
    "resident_unit_totals_2020",
    "AgeBandMargin",
    "age_band_labels",
    "band_knots",
    "fit_bands",
    "ipf",
    "smooth_age_factor",
]


def geography_name(unit_id: str) -> str:
    """Chinese name of a unit id."""
    return geography.resolve(unit_id).name_zh


def published_registered_totals(year: int = 2020) -> tuple[dict[str, float], list[Note]]:
    """Registered unit totals dated on or before the end of ``year`` — published, or derived from a
    county's centenarian count and rate (:mod:`.county_evidence`) — carried to the end of ``year``
    by the city's registered growth (an estimate), persons. Later figures only evaluate."""
    return county_evidence.carried_totals(year)


def registered_unit_totals(
    resident: BasePopulation, method: str = "crude_death_rate", origin: int = 2020, city_total: float | None = None
) -> tuple[dict[str, float], dict[str, float], dict]:
    """(totals of every unit, the evidence totals kept, diagnostics with the leave-one-out errors)
    of the registered base at end-``origin`` (:mod:`.registered_county`).

    ``city_total``: the city's registered total at end-``origin`` (default: the end-2020 accounting).
    With fewer than two units holding evidence dated by end-``origin`` (2010: none) the crude-death-rate
    rule cannot be fitted and the rest of the city is split by ``city_ratio``; the 2021 death rates are
    then not read (a 2010 base may not use them)."""
    known, _ = published_registered_totals(origin)
    res = dict(zip(resident.unit_ids, resident.population.sum(axis=(1, 2))))
    if city_total is None:
        city_total = city_registered_2020()[0].sum()
    if method == "crude_death_rate" and len(known) < 2:
        method = "city_ratio"
    if method == "crude_death_rate":
        y2021 = loaders.load_resident2021()
        cdr = {
            u: loaders.fact(y2021, geography.resolve(u).name_zh, "crude_death_rate", loaders.RESIDENT_TABLE_YEAR)
            for u in resident.unit_ids
        }
    else:
        cdr = {u: float("nan") for u in resident.unit_ids}
    totals = registered_county.unit_totals(res, city_total, known, cdr, method)
    loo = registered_county.total_split_loo(res, city_total, known, cdr, method) if len(known) >= 2 else {}
    diag = {
        "registered_total_method": method,
        "registered_total_loo_log_error": loo,
        "registered_total_loo_rms_log": float(np.sqrt(np.mean(np.square(list(loo.values()))))) if loo else float("nan"),
    }
    if method == "crude_death_rate":
        a, b = registered_county.fit_ratio_rule({u: known[u] / res[u] for u in known}, cdr)
        diag["registered_ratio_rule"] = {"a": a, "b": b}
    if known:
        # evidence carried to end-origin: the measured carry error per year (晋江 2013 → 2019) × years
        # carried, with the figure's rounding
        check = county_evidence.carry_check()
        per_year = (
            float(
                np.mean(
                    [
                        abs(np.log1p(r.error_pct / 100))
                        / (county_evidence.year_end_index(r.to) - county_evidence.year_end_index(r["from"]))
                        for _, r in check.iterrows()
                    ]
                )
            )
            if len(check)
            else 0.0
        )
        ev = county_evidence.calibration_totals(origin)
        diag["registered_total_sd_log"] = {
            u: float(np.hypot(per_year * (origin - e.ref_time), e.rounding)) for u, e in ev.items()
        }
        diag["registered_carry_error_per_year"] = per_year
    else:
        diag["registered_total_sd_log"], diag["registered_carry_error_per_year"] = {}, 0.0
    order = (
        "registered_total_sd_log",
        "registered_carry_error_per_year",
        "registered_total_method",
        "registered_total_loo_log_error",
        "registered_total_loo_rms_log",
        "registered_ratio_rule",
    )
    return totals, known, {k: diag[k] for k in order if k in diag}


#: Census years with a resident base the registered base can be built on (:func:`estimate_registered`).
REGISTERED_BASE_YEARS = (2010, 2020)


def resident_base(year: int) -> BasePopulation:
    """The estimated resident base of census ``year`` (2010: the backtest's; 2020: the forecast's)."""
    if year == 2020:
        return estimate_resident_2020()
    if year == 2010:
        return estimate_resident_2010()
    raise ParameterError("census year", year, " or ".join(map(str, REGISTERED_BASE_YEARS)))


def city_registered(
    year: int, resident: BasePopulation, shape: str = "cohort", p80_method: str = "cohort_survival"
) -> tuple[np.ndarray, list[Note], dict]:
    """The city's registered persons (2, 101) at end-``year``, the notes and diagnostics saying how.

    2020: cohort accounting from the registry's end-2017 60+/80+ and the plan's end-2019 60+
    (:mod:`.registered`). 2010: no registered age figure is dated by 2011, so the city's residents
    of the 6th census minus its net in-migrants (:func:`.registered.city_registered_from_census`)."""
    if year == 2020:
        city, acc = city_registered_2020(shape, p80_method)
        diag = {
            "registered_accounting_gap_2019": acc.gap_2019,
            "registered_rolled_60plus_2019": float(acc.rolled_2019[:, 60:].sum()),
            "registered_anchor_year": 2019,
        }
        return city, accounting_notes(acc) + [city_centenarians_at(2020.0)[1]], diag
    if year == 2010:
        city, notes = city_registered_from_census(resident.city(), year)
        return city, notes, {}
    raise ParameterError("census year", year, " or ".join(map(str, REGISTERED_BASE_YEARS)))


def estimate_registered(
    year: int = 2020,
    resident: BasePopulation | None = None,
    shape: str = "cohort",
    p80_method: str = "cohort_survival",
    totals_method: str = "crude_death_rate",
) -> BasePopulation:
    """Estimated end-``year`` registered (户籍) base of census ``year`` (2020: the headline's; 2010: the
    registered backtest's): the city (:func:`city_registered`), split over units
    (:mod:`.registered_county`): unit totals from county evidence dated by end-``year`` (else the
    crude-death-rate ratio rule; with no evidence, as in 2010, the city's registered/resident ratio),
    ages = residents ± net migrants. Nothing dated after end-``year`` is read."""
    resident = resident or resident_base(year)
    city, city_notes, city_diag = city_registered(year, resident, shape, p80_method)
    totals, known, diag = registered_unit_totals(resident, totals_method, year, float(city.sum()))
    _, known_notes = published_registered_totals(year)
    profile = migration.age_sex_profile(20.0, 50.0, migrant_share_60plus())
    pop = registered_county.split_registered(city, resident, totals, profile)
    # the city's 100+ placed among the units with counted centenarians (pre-origin county counts)
    cent = county_evidence.centenarian_shares(year)
    if cent:
        pop = registered_county.apply_longevity_tails(
            pop,
            list(resident.unit_ids),
            city,
            {u: share * city[:, 100].sum() for u, (share, _) in cent.items()},
            registered_county.longevity_weight(mortality_schedule(year)),
        )
    # a county registry's own age-band counts (dated in the origin year) replace the estimate of its ages
    registry = county_evidence.calibration_age_counts(year)
    pop = registered_county.apply_registry_bands(
        pop, list(resident.unit_ids), city, {u: {b: v for b, (v, _) in bands.items()} for u, bands in registry.items()}
    )
    flags = {uid: uid not in known for uid in resident.unit_ids}
    estimated = [uid for uid, est in flags.items() if est]
    loo = diag["registered_total_loo_log_error"]
    rule = (
        "in proportion to resident population × a registered/resident ratio that rises with the unit's "
        "2021 crude death rate (log r = a + b·log CDR fitted on the units with evidence; deaths are counted "
        "where people are registered)"
        if diag["registered_total_method"] == "crude_death_rate"
        else "in proportion to resident population (the city's registered/resident ratio)"
    )
    if loo:
        rms = diag["registered_total_loo_rms_log"]
        totals_note = note(
            "registered_totals_no_evidence",
            n=len(estimated),
            y=year,
            rule=rule,
            units_with=len(loo),
            loo_units=list(loo),
            loo_pct=[100 * (np.exp(e) - 1) for e in loo.values()],
            e=rms,
            e_pct=100 * (np.exp(rms) - 1),
        )
    else:
        totals_note = note("registered_totals_unmeasured", n=len(estimated), y=year, rule=rule)
    notes = (
        city_notes
        + known_notes
        + [
            totals_note,
            note("registered_ages_migration"),
            *[
                note(
                    "registry_ages_published",
                    unit=geography_name(u),
                    lo=[a for a, _ in bands],
                    hi=["" if b is None else b for _, b in bands],
                    persons=[v for v, _ in bands.values()],
                    dates=[str(d) for _, d in bands.values()],
                )
                for u, bands in registry.items()
            ],
            *(
                [
                    note(
                        "registered_centenarians_by_unit",
                        units=[geography_name(u) for u in cent],
                        shares=[100 * sh for sh, _ in cent.values()],
                        dates=[str(d) for _, d in cent.values()],
                    )
                ]
                if cent or year == 2020
                else []
            ),
            note("post_origin_evaluate", y=2020, list="泉港 2024, 洛江 2022, 永春 2024")
            if year == 2020
            else note("post_base_evaluate", y=year),
        ]
    )
    notes += [n for n in resident.notes if n.id in MORTALITY_NOTE_IDS]
    diagnostics = dict(resident.diagnostics)
    diagnostics.update(diag)
    diagnostics["registry_age_units"] = sorted(registry)
    diagnostics.update(city_diag)
    diagnostics["registered_published_units"] = sorted(known)
    return BasePopulation(pop, list(resident.unit_ids), year, "registered", True, notes, flags, diagnostics)


def estimate_registered_2020(
    resident: BasePopulation | None = None,
    shape: str = "cohort",
    p80_method: str = "cohort_survival",
    totals_method: str = "crude_death_rate",
) -> BasePopulation:
    """The headline's end-2020 registered (户籍) base: :func:`estimate_registered` for 2020."""
    return estimate_registered(2020, resident, shape, p80_method, totals_method)


def load_base_population(
    base: str = "resident", year: int = 2020, table: pd.DataFrame | str | Path | None = None
) -> BasePopulation:
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
    raise ParameterError(
        "start_year",
        year,
        f"a year with a base population for {base!r}: 2020" + (" or 2010" if base == "resident" else ""),
    )


def county_data_status() -> pd.DataFrame:
    """Which 2020 county figures are published and which are estimated, per unit (for the reports).

    Columns: ``unit_id``, ``常住总人口 resident total``, ``常住年龄结构 resident ages``,
    ``户籍总人口 registered total``, ``户籍年龄结构 registered ages`` — each cell a short label.
    """
    resident = estimate_resident_2020()
    evidence = county_evidence.calibration_totals(2020)
    registry_ages = county_evidence.calibration_age_counts(2020)
    reg = estimate_registered_2020(resident)
    loo_rms = reg.diagnostics["registered_total_loo_rms_log"]
    rows = []
    for unit in geography.county_units():
        derived = unit.id == "taishang"
        res_total = (
            "推算 derived"
            if derived
            else ("估计 estimated" if resident.unit_total_estimated[unit.id] else "公布 published (七普)")
        )
        ages = (
            "公布 published (七普 shares)"
            if unit.id == "jinjiang"
            else "估计 estimated (户籍人口+净迁移 natives + net migrants)"
        )
        if unit.id in evidence:
            e = evidence[unit.id]
            kind = "公布 published" if e.kind == "published" else "推算 derived (百岁老人数 ÷ 每10万比例)"
            reg_total = f"{kind} ({e.ref_date}, 推至2020年末 carried to end-2020)"
        else:
            reg_total = f"估计 estimated (死亡率比例法 CDR ratio rule, 留一误差 LOO RMS ±{100 * loo_rms:.0f} %)"
        if unit.id in registry_ages:
            dates = sorted({d for _, d in registry_ages[unit.id].values()})
            reg_ages = f"公布 户籍统计 registry counts ({', '.join(dates)})"
        else:
            reg_ages = "估计 estimated (常住 ± 净迁移 residents ± net migrants)"
        rows.append(
            {
                "unit_id": unit.id,
                "地区 unit": unit.name_zh,
                "常住总人口 resident total": res_total,
                "常住年龄结构 resident ages": ages,
                "户籍总人口 registered total": reg_total,
                "户籍年龄结构 registered ages": reg_ages,
            }
        )
    return pd.DataFrame(rows)

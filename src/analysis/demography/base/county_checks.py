"""Leave-one-out checks of the county estimates of the 2020 bases (:mod:`.county`, :mod:`.registered_county`).

They measure what the reports show and the scenario's spreads rest on: the error of the
county-total split on the units whose totals are published, and of the three county age-structure
methods on 晋江市, the only unit with published 2020 age shares. The three ``*_spread`` functions
turn them into the spreads of the base draws (:mod:`.uncertainty`; scenario ``demography.base_*``,
a test holds each scenario value equal to its function, rounded as stored):

- :func:`resident_total_spread` → ``base_county_sd_log_resident`` (0.011);
- :func:`registered_total_spread` → ``base_county_sd_log_registered`` (0.175, the rule in use);
- :func:`structure_spread_pct` → ``base_structure_sd_pct`` (10.0, the age method in use).

Only evidence dated on or before the origin (end-2020) enters them; later county figures evaluate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import geography
from ...data import loaders
from ...data.base_tables import unit_index
from .cohort_shape import cohort_shape
from . import estimate_registered
from .county import (
    CDR_YEAR,
    COUNTY_AGE_METHODS,
    CENSUS_TIME_2020,
    RESIDENT_BANDS_2020,
    census_margins_2020,
    fit_county_age_structure,
    fit_migration_structures,
    migrant_profile_2020,
    mortality_schedule,
    native_migrant_seeds,
    registered_totals_2020,
    resident_unit_totals_2020,
    unit_births_2021,
)
from .fitting import AgeBandMargin, age_band_labels, ipf


def county_total_loo() -> dict[str, float]:
    """Leave-one-out error (%) of the 2020 county-total split: each published unit's total
    estimated as if unpublished (its 2021 year-end share of what the other published units leave)."""
    census = loaders.load_census2020()
    y2021 = loaders.load_resident2021()
    ids, index = unit_index()
    totals, flags, _ = resident_unit_totals_2020()
    city = loaders.fact(census, "泉州市", "resident_population", 2020)
    published = [i for i, uid in enumerate(ids) if not flags[uid] and uid != "taishang"]
    w = np.array(
        [loaders.fact(y2021, name, "resident_population_yearend", loaders.RESIDENT_TABLE_YEAR) for name in index]
    )
    out = {}
    for i in published:
        known = [j for j in range(len(ids)) if (not flags[ids[j]] or ids[j] == "taishang") and j != i]
        rest = [j for j in range(len(ids)) if j not in known]
        estimate = (city - totals[known].sum()) * w[i] / w[rest].sum()
        out[ids[i]] = 100.0 * (estimate / totals[i] - 1.0)
    return out


def jinjiang_holdout() -> pd.DataFrame:
    """Leave-one-out of the county age-structure methods on 晋江市, the only unit with published
    2020 age shares: fit every unit to the city margins as if 晋江市 had none, and compare.

    Returns rows per method (``migration``: natives plus net migrants with children by births,
    ``crude_death_rate`` tilt, ``shared`` city structure) and age group (0–14, 60+, 65+):
    estimated and published share (%), error in percentage points. 晋江市's registered total
    (county evidence, no age information) stays in its natives; its census shares are held out.
    """
    ids, index = unit_index()
    totals, _, _ = resident_unit_totals_2020()
    city_total, sexes, bands = census_margins_2020("泉州市")
    y2021 = loaders.load_resident2021()
    cdr = np.array([loaders.fact(y2021, geography.resolve(u).name_zh, "crude_death_rate", CDR_YEAR) for u in ids])
    shape = cohort_shape(CENSUS_TIME_2020)
    labels = age_band_labels(RESIDENT_BANDS_2020)
    tilted = fit_county_age_structure(shape, totals, sexes, bands, labels, cdr, mortality_schedule())
    shared = ipf(
        totals[:, None, None] * (shape / shape.sum())[None],
        [
            (np.arange(len(ids))[:, None, None], totals),
            (np.arange(2)[None, :, None], sexes),
            AgeBandMargin(labels, bands),
        ],
    )
    seeds = native_migrant_seeds(
        shape, registered_totals_2020(ids, totals), totals, migrant_profile_2020(city_total, sexes[1])
    )
    migrants = fit_migration_structures(
        seeds, totals, sexes, bands, labels, unit_births_2021([geography.resolve(u).name_zh for u in ids], totals)
    )
    census = loaders.load_census2020()
    rows = []
    for method, pop in (("migration", migrants), ("crude_death_rate", tilted.population), ("shared", shared)):
        jj = pop[index["晋江市"]]
        for key, first, last in (("0_14", 0, 15), ("60plus", 60, None), ("65plus", 65, None)):
            est = 100.0 * jj[:, first:last].sum() / jj.sum()
            pub = loaders.fact(census, "晋江市", f"share_age_{key}", 2020)
            rows.append(
                {
                    "method": method,
                    "age_group": key,
                    "estimated_pct": est,
                    "published_pct": pub,
                    "error_points": est - pub,
                }
            )
    return pd.DataFrame(rows)


def resident_total_spread() -> float:
    """sd of log of an estimated resident county total: the RMS of ``log(1 + error)`` over
    :func:`county_total_loo` (洛江 +2.18 %, 晋江 −0.31 %, 南安 −0.15 %, 惠安 +0.01 %: 0.0109)."""
    errors = np.array(list(county_total_loo().values())) / 100.0
    return float(np.sqrt(np.mean(np.log1p(errors) ** 2)))


def registered_total_spread(origin: int = 2020) -> tuple[str, dict[str, float], float]:
    """(rule, leave-one-out log errors per unit, their RMS) of the registered county-total rule the
    end-``origin`` registered base uses (diagnostics ``registered_total_method``: the crude-death-rate
    ratio rule, :func:`.registered_county.total_split_loo`), over every unit with a total dated on or
    before 31 December ``origin`` (:func:`.county_evidence.calibration_totals`). End-2020: 安溪 −0.135,
    惠安 +0.212, 晋江 +0.069, 南安 −0.035, 泉港 +0.195, 石狮 +0.276 (log), RMS 0.175."""
    diag = estimate_registered(origin).diagnostics
    loo = dict(diag["registered_total_loo_log_error"])
    return diag["registered_total_method"], loo, float(np.sqrt(np.mean(np.square(list(loo.values())))))


def structure_spread_pct(method: str = COUNTY_AGE_METHODS[0]) -> float:
    """Relative error (%) of an estimated county's 60+ count by the age-structure ``method`` (default:
    the one in use, natives plus net migrants): |estimated − published| 60+ share of 晋江市 in
    :func:`jinjiang_holdout` over the published share (its total is known, so the share's relative
    error is the count's). Migration: +1.01 points on 10.10 % = 9.96 %; the crude-death-rate tilt it
    replaced: +1.66 points = 16.4 %. One measurement, on the unit farthest from the city average;
    the registered county ages are these residents ± net migrants and carry the same error."""
    table = jinjiang_holdout()
    row = table[(table["method"] == method) & (table["age_group"] == "60plus")].iloc[0]
    return float(100.0 * abs(row["error_points"]) / row["published_pct"])

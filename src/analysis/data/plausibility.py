"""Plausibility across rows and tables: each value may be bounded alone and still be absurd together.

Issue 27's trials that published as complete: 晋江's 2021 year-end population typed 1999 (万)
instead of 206.9, every 2021 total ×1.5, age shares adding to 139 %, every birth rate 0, a unit
written ``Persons`` (which disabled its bound), a registered base with everyone aged 0–14, an
all-male base, a unit's ages reversed. The gates here run on the one path ``validate``,
``ingest`` and every run share (:func:`analysis.data.reader.read_validated` for a facts table,
:func:`analysis.data.gates.cross_check` for a base population, :func:`check_across_tables` for
year-end totals against the census), and raise :class:`~analysis.errors.DataValidationError`
naming file, line, column, what was expected and what was found (exit 2).

The bands, their sources and the margin the bundled data keeps from each are in
``docs/plausibility.md``; :mod:`tests.test_faults_plausibility` checks the bundled tables and
base populations pass.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError
from .areas import OUTSIDE_AREAS

CITY = "泉州市"
# measure (normalised) -> persons per unit of the measure
PERSON_SCALE = {"persons": 1.0, "persons (approx)": 1.0, "10k persons": 1e4, "thousand persons": 1e3}
# per mille, inclusive; wider than every national value of UN WPP 2022 and every bundled county
RATE_BANDS = {
    "crude_birth_rate": (1.0, 50.0),
    "registered_crude_birth_rate": (1.0, 50.0),
    "crude_death_rate": (0.2, 30.0),
    "registered_crude_death_rate": (0.2, 30.0),
    "natural_increase_rate": (-30.0, 50.0),
}
# life tables (UN WPP form): e0 in years; central death rates m(x) per person-year, every age
VALUE_BANDS = {"e0_life_expectancy_at_birth": (20.0, 100.0), "mx_central_death_rate": (1e-5, 2.0)}
MX_RISE_FROM, MX_RISE_FACTOR = 30, 0.9  # from age 30 each group's m(x) ≥ 0.9 × the group before
PARTS_TOLERANCE = 0.01  # male + female within 1 % of the total
SHARE_PARTITIONS = (
    ("share_age_0_14", "share_age_15_59", "share_age_60plus"),
    ("share_age_0_14", "share_age_15_64", "share_age_65plus"),
)
# an older age group is part of a younger one: share aged 65+ ≤ share aged 60+ (else the base
# population's fit fails later with "IPF: negative margin total", issue 27)
NESTED_SHARES = (
    ("share_age_65plus", "share_age_60plus"),
    ("share_age_80plus", "share_age_65plus"),
    ("share_age_80plus", "share_age_60plus"),
)
SHARE_SUM_BAND = (98.0, 102.0)  # a full partition of ages, percent (rounding of published shares)
GROWTH_PER_YEAR = 0.10  # year-end total against the census: at most ±10 % a year
# base populations, per unit (both sexes) and per sex
SEX_RATIO_BAND = (0.70, 1.50)  # men per woman in a unit
SHARE_0_14_BAND = (3.0, 45.0)  # percent of a unit
SHARE_60PLUS_BAND = (1.0, 45.0)
TAIL_GROWTH = 1.25  # a 5-year group from 80 on is at most 1.25 × the group before it …
TAIL_SLACK = 200.0  # … plus 200 persons (small units and rounding)
# registered persons of a unit / its resident persons (bundled: 0.58 晋江 … 1.24 安溪; the city 0.88)
REGISTERED_RATIO_BAND = (0.3, 2.5)


def normalise_unit(unit) -> str:
    """A measure as written, compared without case and extra spaces: ``Persons`` is ``persons``."""
    return " ".join(str(unit).strip().lower().split())


def _line(index) -> int:
    return int(index) + 2  # the header is line 1


def _fail(path: Path, index, expected: str, found: str, column: str = "value"):
    raise DataValidationError(path, None if index is None else _line(index), column, expected, found)


def check_facts(frame: pd.DataFrame, path: Path) -> None:
    """Cross-row checks of a facts table (``geography, year, indicator, value, unit``)."""
    if not {"geography", "year", "indicator", "value", "unit"} <= set(frame.columns):
        return
    values = pd.to_numeric(frame["value"], errors="coerce")
    units = frame["unit"].map(normalise_unit)
    persons = values * units.map(PERSON_SCALE)  # NaN for other measures
    for i in frame.index[units.str.startswith("percent") & values.notna()]:
        if not 0 <= values[i] <= 100:
            _fail(path, i, "a percentage 0…100", repr(frame.at[i, "value"]))
    for i in frame.index[frame["indicator"].isin(list(RATE_BANDS)) & values.notna()]:
        lo, hi = RATE_BANDS[frame.at[i, "indicator"]]
        if not lo <= values[i] <= hi:
            _fail(
                path,
                i,
                f"a {frame.at[i, 'indicator']} within the demographic range {lo:g}…{hi:g} per mille "
                "(docs/plausibility.md)",
                repr(frame.at[i, "value"]),
            )
    for i in frame.index[frame["indicator"].isin(list(VALUE_BANDS)) & values.notna()]:
        lo, hi = VALUE_BANDS[frame.at[i, "indicator"]]
        if not lo <= values[i] <= hi:
            _fail(
                path,
                i,
                f"a {frame.at[i, 'indicator']} within {lo:g}…{hi:g} (docs/plausibility.md)",
                repr(frame.at[i, "value"]),
            )
    _check_mx_rises(frame, values, path)
    where = {
        (g, str(y), ind): i
        for i, g, y, ind in zip(frame.index, frame["geography"], frame["year"], frame["indicator"])
        if pd.notna(y)
    }
    for (geo, year, ind), i in where.items():
        # parts summing to their whole: X_male + X_female = X
        if ind.endswith("_male") and (geo, year, ind[:-5] + "_female") in where and (geo, year, ind[:-5]) in where:
            f, t = where[(geo, year, ind[:-5] + "_female")], where[(geo, year, ind[:-5])]
            parts, whole = persons[i] + persons[f], persons[t]
            if np.isfinite(parts) and np.isfinite(whole) and abs(parts - whole) > PARTS_TOLERANCE * whole:
                _fail(
                    path,
                    t,
                    f"{ind[:-5]} = its men + women within {PARTS_TOLERANCE:.0%} (lines {_line(i)}, "
                    f"{_line(f)}: {parts:,.0f} persons)",
                    f"{whole:,.0f} persons for {geo} {year}",
                )
        # a unit never larger than the city
        if geo != CITY and geo not in OUTSIDE_AREAS and np.isfinite(persons[i]) and (CITY, year, ind) in where:
            city = persons[where[(CITY, year, ind)]]
            if np.isfinite(city) and persons[i] > city:
                _fail(
                    path,
                    i,
                    f"{ind} of {geo} at most the city's {city:,.0f} persons (line {_line(where[(CITY, year, ind)])})",
                    f"{persons[i]:,.0f} persons",
                )
    for (geo, year, ind), i in where.items():
        for part, whole in NESTED_SHARES:
            w = where.get((geo, year, whole))
            if ind == part and w is not None and values[i] > values[w]:
                _fail(
                    path,
                    i,
                    f"{part} of {geo} {year} at most its {whole} {values[w]:g} (line {_line(w)}): "
                    "an older age group is part of a younger one",
                    repr(frame.at[i, "value"]),
                )
    for geo, year in {(g, y) for g, y, _ in where}:
        for partition in SHARE_PARTITIONS:
            rows = [where.get((geo, year, ind)) for ind in partition]
            present = [r for r in rows if r is not None]
            if not present:
                continue
            total = float(sum(values[r] for r in present))
            lo, hi = SHARE_SUM_BAND
            if total > hi or (len(present) == len(partition) and total < lo):
                _fail(
                    path,
                    present[-1],
                    f"age shares {' + '.join(partition)} of {geo} {year} adding to "
                    f"{'%g…%g' % SHARE_SUM_BAND if len(present) == len(partition) else f'at most {hi:g}'} %",
                    f"{total:.1f} %",
                )


def resident_reference(yearend: pd.DataFrame | None, census: pd.DataFrame | None = None) -> dict[str, float]:
    """Resident persons per geography: the 2020 census total where the census has one, else the
    2021 year-end population (``resident2021``)."""
    out: dict[str, float] = {}
    for frame, indicator in ((yearend, "resident_population_yearend"), (census, "resident_population")):
        if frame is None:
            continue
        for geo, ind, value, unit in zip(frame["geography"], frame["indicator"], frame["value"], frame["unit"]):
            scale = PERSON_SCALE.get(normalise_unit(unit))
            if ind == indicator and scale is not None and pd.notna(value) and float(value) > 0:
                out[str(geo)] = float(value) * scale
    return out


def check_registered_against_resident(registered: pd.DataFrame, path: Path, reference: dict[str, float]) -> None:
    """Each unit's registered population (``registered_county``) within :data:`REGISTERED_RATIO_BAND`
    × its resident population (:func:`resident_reference`): two units' labels swapped (晋江市's
    117万 registered written as 德化县's, whose residents are 34万) are refused."""
    lo, hi = REGISTERED_RATIO_BAND
    for i, geo, ind, value, unit in zip(
        registered.index, registered["geography"], registered["indicator"], registered["value"], registered["unit"]
    ):
        scale = PERSON_SCALE.get(normalise_unit(unit))
        if ind != "registered_population" or scale is None or pd.isna(value) or str(geo) not in reference:
            continue
        ratio = float(value) * scale / reference[str(geo)]
        if not lo <= ratio <= hi:
            _fail(
                path,
                i,
                f"registered population of {geo} within {lo:g}…{hi:g} × its resident population "
                f"{reference[str(geo)]:,.0f} (docs/plausibility.md; two units' labels swapped?)",
                f"{float(value) * scale:,.0f} persons ({ratio:.2f} ×)",
            )


def check_unit_totals(
    population: np.ndarray,
    unit_ids: list[str],
    names: dict[str, str],
    base: str,
    reference: dict[str, float],
    path: Path,
) -> None:
    """Each unit's total in a 2020 base population against its resident population
    (:func:`resident_reference`): resident within ±:data:`GROWTH_PER_YEAR`, registered within
    :data:`REGISTERED_RATIO_BAND` × — so two units' labels swapped are refused."""
    if base == "resident":
        lo, hi = 1 - GROWTH_PER_YEAR, 1 + GROWTH_PER_YEAR
    else:
        lo, hi = REGISTERED_RATIO_BAND
    for u, uid in enumerate(unit_ids):
        ref = reference.get(names.get(uid, uid))
        if ref is None:
            continue
        total = float(population[u].sum())
        if not lo <= total / ref <= hi:
            _fail(
                path,
                None,
                f"the {base} total of {uid} ({names.get(uid, uid)}) within {lo:g}…{hi:g} × its resident "
                f"population {ref:,.0f} (docs/plausibility.md; two units' labels swapped?)",
                f"{total:,.0f} persons ({total / ref:.2f} ×)",
                "unit",
            )


def _check_mx_rises(frame: pd.DataFrame, values: pd.Series, path: Path) -> None:
    """Death rates rise with age from :data:`MX_RISE_FROM` on, per sex and period (a life table
    with its ages reversed or its old ages dying less than the young is refused)."""
    if not {"sex", "age_start", "period"} <= set(frame.columns):
        return
    mx = frame[frame["indicator"] == "mx_central_death_rate"]
    ages = pd.to_numeric(mx["age_start"], errors="coerce")
    for _, group in mx[ages >= MX_RISE_FROM].groupby(["sex", "period"], sort=False):
        order = pd.to_numeric(group["age_start"], errors="coerce").sort_values().index
        for before, after in zip(order, order[1:]):
            if values[after] < MX_RISE_FACTOR * values[before]:
                _fail(
                    path,
                    after,
                    f"a death rate m(x) at age {frame.at[after, 'age_start']} of at least "
                    f"{MX_RISE_FACTOR:g} × the {values[before]:g} at age {frame.at[before, 'age_start']} "
                    f"(line {_line(before)}; death rates rise with age)",
                    repr(frame.at[after, "value"]),
                )


def check_across_tables(tables: dict[str, tuple[pd.DataFrame, Path]]) -> None:
    """Year-end totals (``resident2021``) against the census base (``census2020``) per geography:
    growth within :data:`GROWTH_PER_YEAR` a year; registered totals (``registered_county``)
    against resident ones (:func:`check_registered_against_resident`). ``tables``: name →
    (validated frame, its file)."""
    if "registered_county" in tables and ("resident2021" in tables or "census2020" in tables):
        registered, path = tables["registered_county"]
        reference = resident_reference(tables.get("resident2021", (None,))[0], tables.get("census2020", (None,))[0])
        check_registered_against_resident(registered, path, reference)
    if "resident2021" not in tables or "census2020" not in tables:
        return
    yearend, path = tables["resident2021"]
    census, _ = tables["census2020"]
    base = {
        g: v
        for g, ind, v in zip(census["geography"], census["indicator"], census["value"])
        if ind == "resident_population"
    }
    for i, geo, ind, value, unit, year in zip(
        yearend.index, yearend["geography"], yearend["indicator"], yearend["value"], yearend["unit"], yearend["year"]
    ):
        scale = PERSON_SCALE.get(normalise_unit(unit))
        if ind != "resident_population_yearend" or geo not in base or scale is None or pd.isna(value):
            continue
        years = max(int(year) - 2020, 1)
        lo, hi = (1 - GROWTH_PER_YEAR) ** years, (1 + GROWTH_PER_YEAR) ** years
        ratio = float(value) * scale / float(base[geo])
        if not lo <= ratio <= hi:
            _fail(
                path,
                i,
                f"{geo}'s {year} year-end population within {lo - 1:+.0%}…{hi - 1:+.0%} of its 2020 "
                f"census total {base[geo]:,.0f} (docs/plausibility.md)",
                f"{float(value) * scale:,.0f} persons ({ratio - 1:+.0%})",
            )


def check_structure(population: np.ndarray, unit_ids: list[str], path: Path) -> None:
    """Age and sex structure of a base population (unit × sex × age 0…100) per unit: sex ratio,
    shares aged 0–14 and 60+, and an old-age tail that does not grow from 80 on (5-year groups)."""
    for u, uid in enumerate(unit_ids):
        pop = population[u]
        total = pop.sum()
        if total <= 0:
            _fail(path, None, f"persons in {uid}", "none", "population")
        men, women = pop[0].sum(), pop[1].sum()
        ratio = men / women if women > 0 else np.inf
        if not SEX_RATIO_BAND[0] <= ratio <= SEX_RATIO_BAND[1]:
            _fail(
                path,
                None,
                f"men per woman in {uid} within {SEX_RATIO_BAND[0]:g}…{SEX_RATIO_BAND[1]:g} (docs/plausibility.md)",
                f"{ratio:.2f}",
                "sex",
            )
        for name, lo_age, hi_age, band in (("0–14", 0, 15, SHARE_0_14_BAND), ("60+", 60, 101, SHARE_60PLUS_BAND)):
            share = 100 * pop[:, lo_age:hi_age].sum() / total
            if not band[0] <= share <= band[1]:
                _fail(
                    path,
                    None,
                    f"a share aged {name} of {uid} within {band[0]:g}…{band[1]:g} % (docs/plausibility.md)",
                    f"{share:.1f} %",
                    "age",
                )
        for s, sex in enumerate(("male", "female")):
            groups = [pop[s, a : a + 5].sum() for a in range(75, 100, 5)] + [pop[s, 100]]
            for a, (before, after) in enumerate(zip(groups, groups[1:])):
                if after > TAIL_GROWTH * before + TAIL_SLACK:
                    start = 80 + 5 * a
                    label = f"{start}–{start + 4}" if start < 100 else "100+"
                    _fail(
                        path,
                        None,
                        f"an old-age tail of {uid} {sex} that does not grow: ages {label} at most "
                        f"{TAIL_GROWTH:g} × the 5 years before + {TAIL_SLACK:g}",
                        f"{after:,.0f} after {before:,.0f}",
                        "age",
                    )

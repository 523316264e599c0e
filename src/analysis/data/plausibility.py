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

CITY = "泉州市"
# measure (normalised) -> persons per unit of the measure
PERSON_SCALE = {"persons": 1.0, "persons (approx)": 1.0, "10k persons": 1e4, "thousand persons": 1e3}
# per mille, inclusive; wider than every national value of UN WPP 2022 and every bundled county
RATE_BANDS = {"crude_birth_rate": (1.0, 50.0), "registered_crude_birth_rate": (1.0, 50.0),
              "crude_death_rate": (0.2, 30.0), "registered_crude_death_rate": (0.2, 30.0),
              "natural_increase_rate": (-30.0, 50.0)}
PARTS_TOLERANCE = 0.01          # male + female within 1 % of the total
SHARE_PARTITIONS = (("share_age_0_14", "share_age_15_59", "share_age_60plus"),
                    ("share_age_0_14", "share_age_15_64", "share_age_65plus"))
SHARE_SUM_BAND = (98.0, 102.0)  # a full partition of ages, percent (rounding of published shares)
GROWTH_PER_YEAR = 0.10          # year-end total against the census: at most ±10 % a year
# base populations, per unit (both sexes) and per sex
SEX_RATIO_BAND = (0.70, 1.50)   # men per woman in a unit
SHARE_0_14_BAND = (3.0, 45.0)   # percent of a unit
SHARE_60PLUS_BAND = (1.0, 45.0)
TAIL_GROWTH = 1.25              # a 5-year group from 80 on is at most 1.25 × the group before it …
TAIL_SLACK = 200.0              # … plus 200 persons (small units and rounding)


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
    from .schemas import OUTSIDE_AREAS

    values = pd.to_numeric(frame["value"], errors="coerce")
    units = frame["unit"].map(normalise_unit)
    persons = values * units.map(PERSON_SCALE)  # NaN for other measures
    for i in frame.index[units.str.startswith("percent") & values.notna()]:
        if not 0 <= values[i] <= 100:
            _fail(path, i, "a percentage 0…100", repr(frame.at[i, "value"]))
    for i in frame.index[frame["indicator"].isin(list(RATE_BANDS)) & values.notna()]:
        lo, hi = RATE_BANDS[frame.at[i, "indicator"]]
        if not lo <= values[i] <= hi:
            _fail(path, i, f"a {frame.at[i, 'indicator']} within the demographic range {lo:g}…{hi:g} per mille "
                           "(docs/plausibility.md)", repr(frame.at[i, "value"]))
    where = {(g, str(y), ind): i for i, g, y, ind in zip(frame.index, frame["geography"], frame["year"],
                                                         frame["indicator"]) if pd.notna(y)}
    for (geo, year, ind), i in where.items():
        # parts summing to their whole: X_male + X_female = X
        if ind.endswith("_male") and (geo, year, ind[:-5] + "_female") in where and (geo, year, ind[:-5]) in where:
            f, t = where[(geo, year, ind[:-5] + "_female")], where[(geo, year, ind[:-5])]
            parts, whole = persons[i] + persons[f], persons[t]
            if np.isfinite(parts) and np.isfinite(whole) and abs(parts - whole) > PARTS_TOLERANCE * whole:
                _fail(path, t, f"{ind[:-5]} = its men + women within {PARTS_TOLERANCE:.0%} (lines {_line(i)}, "
                               f"{_line(f)}: {parts:,.0f} persons)", f"{whole:,.0f} persons for {geo} {year}")
        # a unit never larger than the city
        if geo != CITY and geo not in OUTSIDE_AREAS and np.isfinite(persons[i]) and (CITY, year, ind) in where:
            city = persons[where[(CITY, year, ind)]]
            if np.isfinite(city) and persons[i] > city:
                _fail(path, i, f"{ind} of {geo} at most the city's {city:,.0f} persons (line "
                               f"{_line(where[(CITY, year, ind)])})", f"{persons[i]:,.0f} persons")
    for geo, year in {(g, y) for g, y, _ in where}:
        for partition in SHARE_PARTITIONS:
            rows = [where.get((geo, year, ind)) for ind in partition]
            present = [r for r in rows if r is not None]
            if not present:
                continue
            total = float(sum(values[r] for r in present))
            lo, hi = SHARE_SUM_BAND
            if total > hi or (len(present) == len(partition) and total < lo):
                _fail(path, present[-1], f"age shares {' + '.join(partition)} of {geo} {year} adding to "
                                         f"{'%g…%g' % SHARE_SUM_BAND if len(present) == len(partition) else f'at most {hi:g}'} %",
                      f"{total:.1f} %")


def check_across_tables(tables: dict[str, tuple[pd.DataFrame, Path]]) -> None:
    """Year-end totals (``resident2021``) against the census base (``census2020``) per geography:
    growth within :data:`GROWTH_PER_YEAR` a year. ``tables``: name → (validated frame, its file)."""
    if "resident2021" not in tables or "census2020" not in tables:
        return
    yearend, path = tables["resident2021"]
    census, _ = tables["census2020"]
    base = {g: v for g, ind, v in zip(census["geography"], census["indicator"], census["value"])
            if ind == "resident_population"}
    for i, geo, ind, value, unit, year in zip(yearend.index, yearend["geography"], yearend["indicator"],
                                              yearend["value"], yearend["unit"], yearend["year"]):
        scale = PERSON_SCALE.get(normalise_unit(unit))
        if ind != "resident_population_yearend" or geo not in base or scale is None or pd.isna(value):
            continue
        years = max(int(year) - 2020, 1)
        lo, hi = (1 - GROWTH_PER_YEAR) ** years, (1 + GROWTH_PER_YEAR) ** years
        ratio = float(value) * scale / float(base[geo])
        if not lo <= ratio <= hi:
            _fail(path, i, f"{geo}'s {year} year-end population within {lo - 1:+.0%}…{hi - 1:+.0%} of its 2020 "
                           f"census total {base[geo]:,.0f} (docs/plausibility.md)",
                  f"{float(value) * scale:,.0f} persons ({ratio - 1:+.0%})")


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
            _fail(path, None, f"men per woman in {uid} within {SEX_RATIO_BAND[0]:g}…{SEX_RATIO_BAND[1]:g} "
                              "(docs/plausibility.md)", f"{ratio:.2f}", "sex")
        for name, lo_age, hi_age, band in (("0–14", 0, 15, SHARE_0_14_BAND), ("60+", 60, 101, SHARE_60PLUS_BAND)):
            share = 100 * pop[:, lo_age:hi_age].sum() / total
            if not band[0] <= share <= band[1]:
                _fail(path, None, f"a share aged {name} of {uid} within {band[0]:g}…{band[1]:g} % "
                                  "(docs/plausibility.md)", f"{share:.1f} %", "age")
        for s, sex in enumerate(("male", "female")):
            groups = [pop[s, a:a + 5].sum() for a in range(75, 100, 5)] + [pop[s, 100]]
            for a, (before, after) in enumerate(zip(groups, groups[1:])):
                if after > TAIL_GROWTH * before + TAIL_SLACK:
                    start = 80 + 5 * a
                    label = f"{start}–{start + 4}" if start < 100 else "100+"
                    _fail(path, None, f"an old-age tail of {uid} {sex} that does not grow: ages {label} at most "
                                      f"{TAIL_GROWTH:g} × the 5 years before + {TAIL_SLACK:g}",
                          f"{after:,.0f} after {before:,.0f}", "age")

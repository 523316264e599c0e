"""Sense checks every table passes after its schema, on the one path ``validate``, ``ingest`` and runs use.

* **Values**: finite (no ``inf``), and below a plausible upper bound for their measure
  (:data:`UPPER_BOUNDS`: no Quanzhou geography has more than 20 million persons; a rate per mille
  is at most 1000 …). ``1e30`` or ``inf`` are refused with the line and column.
* **Rows**: a table has at least one data row (a header-only file is an error).
* **Base-population tables** (:func:`check_population`): whole ages 0…100, one row per unit ×
  sex × age (no duplicate keys: duplicates used to be summed), every unit × sex × age present
  for a single-year table, no cell above :data:`MAX_CELL` persons, and cross-table checks against
  the census (:func:`cross_check`): totals and shares beyond :data:`REJECT` are refused, within
  it but beyond :data:`WARN` they are reported as warnings.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .. import geography
from ..errors import DataValidationError
from . import loaders
from .base_tables import SEX_LABELS, county_unit
from .plausibility import check_structure, check_unit_totals, resident_reference
from .value_checks import DEFAULT_BOUND, UPPER_BOUNDS, _line, check_values  # noqa: F401 - re-exported

MAX_CELL = 500_000  # persons of one unit, sex and single year of age (the largest is ≈ 25,000)
MAX_UNIT_TOTAL = 2e7
REJECT = {"total": 0.10, "share": 5.0}  # relative for totals, percentage points for shares
WARN = {"total": 0.01, "share": 1.0}


def check_population(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Row-level checks of a base-population table before it is graduated; returns it with ``unit_id``.

    ``frame`` is the table as text (:func:`analysis.data.reader.read_csv_as_text`). Units may be a
    subset (see :mod:`analysis.intake.ingest` for the merge); within the table every key is unique,
    and a single-year table has all ages 0…100 for each of its units and both sexes.
    """
    if frame.empty:
        raise DataValidationError(path, None, None, "at least one data row", "a header only")
    age_col = "age" if "age" in frame.columns else "age_group" if "age_group" in frame.columns else None
    for col in ("unit", "sex", "population", age_col or "age"):
        if col not in frame.columns:
            raise DataValidationError(path, 1, col, f"a column '{col}' in the header", f"columns {list(frame.columns)}")
    values = pd.to_numeric(frame["population"], errors="coerce")
    for i, v in enumerate(values):
        if not (isinstance(v, float) and math.isfinite(v)) or v < 0 or v > MAX_CELL:
            raise DataValidationError(
                path, i + 2, "population", f"a number of persons 0…{MAX_CELL:,}", repr(frame["population"].iloc[i])
            )
    units = [county_unit(u, path, i + 2).id for i, u in enumerate(frame["unit"])]
    sex = frame["sex"].astype(str).str.strip().str.lower().map(SEX_LABELS)
    if sex.isna().any():
        i = int(np.flatnonzero(sex.isna().to_numpy())[0])
        raise DataValidationError(path, i + 2, "sex", "male or female", repr(frame["sex"].iloc[i]))
    out = frame.assign(unit_id=units, _sex=sex, population=values)
    if age_col == "age":
        ages = pd.to_numeric(frame["age"], errors="coerce")
        bad = ages.isna() | (ages < 0) | (ages > 100) | (ages != ages.round())
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataValidationError(
                path, i + 2, "age", "a whole number of years 0…100 (100 = 100 and over)", repr(frame["age"].iloc[i])
            )
        out["age"] = ages.astype(int)
    key = ["unit_id", "_sex", age_col]
    dup = out.duplicated(subset=key, keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataValidationError(
            path,
            i + 2,
            age_col,
            "one row per unit, sex and age",
            f"a second row for {out['unit_id'].iloc[i]}, {out['_sex'].iloc[i]}, {out[age_col].iloc[i]}",
        )
    if age_col == "age":
        for (uid, s), grp in out.groupby(["unit_id", "_sex"]):
            missing = sorted(set(range(101)) - set(grp["age"]))
            if missing:
                raise DataValidationError(
                    path,
                    None,
                    "age",
                    f"every age 0…100 for {uid} {s}",
                    f"missing ages {missing[:10]}{' …' if len(missing) > 10 else ''}",
                )
    present = out.groupby("unit_id")["_sex"].nunique()
    one_sex = present[present < 2]
    if len(one_sex):
        raise DataValidationError(
            path,
            None,
            "sex",
            f"rows for both sexes of {one_sex.index[0]}",
            f"only {out.loc[out['unit_id'] == one_sex.index[0], '_sex'].iloc[0]}",
        )
    totals = out.groupby("unit_id")["population"].sum()
    if (totals > MAX_UNIT_TOTAL).any():
        uid = totals.idxmax()
        raise DataValidationError(
            path, None, "population", f"at most {MAX_UNIT_TOTAL:,.0f} persons in a unit", f"{totals[uid]:,.0f} in {uid}"
        )
    return out.drop(columns="_sex")


def _compare(path: Path, what: str, got: float, expected: float, kind: str, warnings: list[str]) -> None:
    if kind == "total":
        off = abs(got - expected) / expected
        text = f"{what}: {got:,.0f} against {expected:,.0f} in the census ({(got - expected) / expected:+.1%})"
    else:
        off = abs(got - expected)
        text = f"{what}: {got:.2f} % against {expected:.2f} % in the census ({got - expected:+.2f} points)"
    if off > REJECT[kind]:
        limit = f"{REJECT[kind]:.0%}" if kind == "total" else f"{REJECT[kind]:g} points"
        raise DataValidationError(path, None, "population", f"figures within {limit} of the census", text)
    if off > WARN[kind]:
        warnings.append(f"{path.name}: {text}")


def cross_check(population: np.ndarray, unit_ids: list[str], base: str, year: int, path: Path) -> list[str]:
    """Compare a complete base population (unit × sex × age) with the census; returns warnings.

    Resident 2020: the city total, sex split and age shares, and each published county total
    (晋江市, 南安市, 惠安县) and 晋江市's shares; registered 2020: the city's registered total;
    resident 2010: every unit's 2010 census total. Raises beyond :data:`REJECT`.
    """
    check_structure(population, unit_ids, path)  # per unit: sex ratio, age shares, old-age tail
    warnings: list[str] = []
    names = {u.id: u.name_zh for u in geography.county_units()}
    index = {uid: i for i, uid in enumerate(unit_ids)}

    def margins(pop: np.ndarray, label: str, facts, geo: str) -> None:
        total = pop.sum()
        _compare(
            path, f"{label} total", total, loaders.fact(facts, geo, "resident_population", year), "total", warnings
        )
        if year != 2020:
            return
        male = 100 * pop[0].sum() / total
        census_male = (
            100
            * loaders.fact(facts, geo, "resident_population_male", year)
            / loaders.fact(facts, geo, "resident_population", year)
        )
        _compare(path, f"{label} share of men", male, census_male, "share", warnings)
        for name, lo, hi in (("0_14", 0, 15), ("60plus", 60, 101), ("65plus", 65, 101)):
            share = 100 * pop[:, lo:hi].sum() / total
            _compare(
                path,
                f"{label} share aged {name}",
                share,
                loaders.fact(facts, geo, f"share_age_{name}", year),
                "share",
                warnings,
            )

    if base == "resident" and year == 2020:
        census = loaders.load_census2020()
        margins(population.sum(axis=0), "泉州市", census, "泉州市")
        margins(population[index["jinjiang"]], "晋江市", census, "晋江市")
        for uid in ("nanan", "huian"):
            _compare(
                path,
                f"{names[uid]} total",
                population[index[uid]].sum(),
                loaders.fact(census, names[uid], "resident_population", 2020),
                "total",
                warnings,
            )
    elif base == "resident" and year == 2010:
        census = loaders.load_census2010()
        for uid in unit_ids:
            _compare(
                path,
                f"{names[uid]} total",
                population[index[uid]].sum(),
                loaders.fact(census, names[uid], "resident_population", 2010),
                "total",
                warnings,
            )
    elif base == "registered" and year == 2020:
        registered = loaders.load_registered()
        _compare(
            path,
            "泉州市 registered total",
            population.sum(),
            1e4 * loaders.fact(registered, "泉州市", "registered_population", 2020),
            "total",
            warnings,
        )
    if year == 2020:  # per unit against its resident total: two units' labels swapped (issue 27)
        check_unit_totals(
            population,
            unit_ids,
            names,
            base,
            resident_reference(loaders.load("resident2021"), loaders.load_census2020()),
            path,
        )
    return warnings

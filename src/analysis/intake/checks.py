"""The one validation path of every input: ``validate``, ``ingest`` and each run call these.

:func:`prepare` validates a file as a table of ``kind`` and returns what ``ingest`` stores
(merging a table for some counties only with the table in use); :func:`check_in_use` validates
every table a run would read — raw tables, ingested vintages and base populations — and
:func:`refuse_invalid` turns the first failure into one error naming the file to fix and the
``ingest --rollback`` command that undoes a bad vintage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..demography.base import load_base_population
from ..demography.result import N_AGES
from ..errors import AnalysisError, DataValidationError
from ..geography import county_ids
from ..data import gates, loaders, merge, plausibility, schemas
from ..data.base_tables import SEX_LABELS, base_from_table, real_table_path
from ..data.reader import read_csv_as_text, read_validated
from ..data.vintages import file_in_use, vintage_dir, vintage_of

POPULATION_KINDS = {
    "population_resident_2020": ("resident", 2020),
    "population_registered_2020": ("registered", 2020),
    "population_resident_2010": ("resident", 2010),
}
#: The census the bases start from, and the years between it and the next (China's censuses are ten
#: years apart): a registry table of any year-end in between may re-base the estimates.
CENSUS_BASE_YEAR, CENSUS_INTERVAL = 2020, 10
#: Registered tables by unit × sex × age at a later year-end (a bureau's registry table, or a census
#: or 1 % survey table on the registered definition) re-base the post-censal estimates (issue 25).
REBASE_YEARS = range(CENSUS_BASE_YEAR + 1, CENSUS_BASE_YEAR + CENSUS_INTERVAL + 1)
POPULATION_KINDS.update({f"population_registered_{y}": ("registered", y) for y in REBASE_YEARS})


@dataclass
class Prepared:
    """A validated table ready to store: its CSV text and what was found on the way."""

    text: str
    rows: int
    warnings: list[str] = field(default_factory=list)
    merged_from: str | None = None  # the file whose rows completed a partial table
    merged_units: list[str] = field(default_factory=list)  # units the new file has
    kept_units: list[str] = field(default_factory=list)  # units taken from merged_from
    changes: dict[str, merge.UnitChange] = field(default_factory=dict)  # rows per unit (see merge)


def population_array(frame: pd.DataFrame, path: Path):
    """(population (13, 2, 101), unit ids) of a complete single-year table (``unit_id, sex, age, population``)."""
    import numpy as np

    ids = county_ids()
    pop = np.zeros((len(ids), 2, N_AGES))
    index = {u: i for i, u in enumerate(ids)}
    sexes = {"male": 0, "female": 1}
    for uid, sex, age, value in zip(frame["unit_id"], frame["sex"], frame["age"], frame["population"]):
        pop[index[uid], sexes[sex], int(age)] = value
    return pop, ids


def _single_years(frame: pd.DataFrame, path: Path, kind: str) -> pd.DataFrame:
    """The checked table as single years (``unit_id, sex, age, population``), graduating 5-year groups."""
    base, year = POPULATION_KINDS[kind]
    units = list(dict.fromkeys(frame["unit_id"]))
    if "age" in frame.columns:
        sex = frame["sex"].astype(str).str.strip().str.lower().map(SEX_LABELS)
        return pd.DataFrame(
            {
                "unit_id": frame["unit_id"],
                "sex": sex,
                "age": frame["age"].astype(int),
                "population": frame["population"].astype(float),
            }
        )
    # Groups: let the owner of the graduation split them (it needs all 13 units, so pad and drop).

    pad = [u for u in county_ids() if u not in units]
    filler = frame[frame["unit_id"] == units[0]]
    padded = [frame.assign(unit=frame["unit_id"])] + [filler.assign(unit=u, unit_id=u) for u in pad]
    table = base_from_table(
        pd.concat(padded, ignore_index=True)[["unit", "sex", "age_group", "population"]], base, year, source=str(path)
    )
    single = table.frame()
    return single[single["unit_id"].isin(units)].reset_index(drop=True)


def prepare_population(path: Path, kind: str) -> Prepared:
    """Check a base-population table; complete it from the table in use if it has some units only."""
    base, year = POPULATION_KINDS[kind]
    checked = gates.check_population(read_csv_as_text(path), path)
    single = _single_years(checked, path, kind)
    have = list(dict.fromkeys(single["unit_id"]))
    missing = [u for u in county_ids() if u not in have]
    prepared = Prepared("", 0, merged_units=have)
    single["estimated"] = False
    if missing and year in REBASE_YEARS:  # no estimate of that year to complete it from
        raise DataValidationError(
            path,
            None,
            "unit",
            "all 13 units (a re-basing table is used whole)",
            f"{len(have)} units; missing {', '.join(missing)}",
        )
    if missing:
        current = load_base_population(base, year)
        rest = current.frame()
        rest = rest[rest["unit_id"].isin(missing)].assign(estimated=current.estimated)
        single = pd.concat([single, rest], ignore_index=True)
        in_use = file_in_use(kind, Path("(estimate)"))
        prepared.merged_from = str(in_use) if in_use.exists() else "the estimated base population"
        prepared.kept_units = missing
    counts = single["unit_id"].value_counts()
    prepared.changes = {u: merge.UnitChange(replaced=int(counts[u])) for u in have}
    prepared.changes.update({u: merge.UnitChange(kept=int(counts[u])) for u in missing})
    pop, ids = population_array(single, path)
    prepared.warnings = gates.cross_check(pop, ids, base, year, path)
    order = {u: i for i, u in enumerate(county_ids())}
    single = single.sort_values(
        ["unit_id", "sex", "age"], key=lambda s: s.map(order) if s.name == "unit_id" else s, kind="stable"
    )
    prepared.text = single.rename(columns={"unit_id": "unit"}).to_csv(index=False)
    prepared.rows = len(single)
    return prepared


def prepare(path: Path | str, kind: str) -> Prepared:
    """Validate ``path`` as table ``kind``; return the CSV text to store (nothing is written).

    The new rows are merged with the table in use by the table's key (:mod:`analysis.data.merge`): rows of
    units or keys the file lacks are kept, whatever units the file has (new or existing), and
    ``Prepared.changes`` counts rows added / replaced / kept / dropped per unit. Call it under
    the ingest lock so the table in use cannot change between this read and the write.
    """
    path = Path(path)
    if kind in POPULATION_KINDS:
        return prepare_population(path, kind)
    spec = loaders.table(kind)
    new = read_validated(path, spec.schema(), schemas.CHECK_COLUMNS, schemas.CHECK_MESSAGES)
    text = path.read_bytes().decode("utf-8-sig")
    prepared = Prepared(text, len(new))
    unit_column = "geography" if "geography" in new.columns else ("unit_id" if "unit_id" in new.columns else None)
    key = list(spec.schema().unique or ([] if unit_column is None else [unit_column]))
    current_path = spec.path()
    try:
        current = loaders.load(kind, current_path)
    except AnalysisError:
        # The table in use is itself broken: the new file replaces it whole, and says so.
        _, prepared.changes = merge.merge_rows(
            new, new, new.iloc[:0], new.iloc[:0], key or list(new.columns), unit_column
        )
        prepared.warnings.append(
            f"the table in use ({current_path.name}) fails validation; this file replaces it whole"
        )
        return prepared
    raw = read_csv_as_text(current_path)
    merged, prepared.changes = merge.merge_rows(
        new, read_csv_as_text(path), current, raw, key or list(new.columns), unit_column
    )
    # the table runs would read, checked as a whole and against the other tables
    _check_with_others(kind, new if merged is None else _validated(merged, spec, path), path)
    if merged is None:
        return prepared  # every row of the table in use is in the file: store the file as it is
    prepared.text = merged.to_csv(index=False)
    prepared.rows = len(merged)
    prepared.merged_from = str(current_path)
    touched = {u for u, c in prepared.changes.items() if c.added or c.replaced}
    prepared.merged_units = sorted(touched)
    prepared.kept_units = sorted(u for u, c in prepared.changes.items() if c.kept and u not in touched)
    return prepared


def _validated(merged: pd.DataFrame, spec, path: Path) -> pd.DataFrame:
    """The merged text frame validated like a file (schema, values, cross-row plausibility).

    The new rows come first, so a line number of the merged table is the line of the new file
    for the file's own rows; an error names ``path`` and says the table was merged."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        temp = Path(folder) / path.name
        merged.to_csv(temp, index=False)
        try:
            return read_validated(temp, spec.schema(), schemas.CHECK_COLUMNS, schemas.CHECK_MESSAGES)
        except DataValidationError as exc:
            raise DataValidationError(
                path, exc.row, exc.column, exc.expected, f"{exc.found} (in the table merged with the one in use)"
            ) from None


def _check_with_others(kind: str, frame: pd.DataFrame, path: Path) -> None:
    """Cross-table plausibility with ``frame`` standing in for table ``kind`` (the others as in use)."""
    tables = {}
    for name in ("census2020", "resident2021", "registered_county"):
        if name == kind:
            tables[name] = (frame, path)
            continue
        try:
            tables[name] = (loaders.load(name), loaders.TABLES[name].path())
        except AnalysisError:
            return  # the other table is broken itself: validate says so
    plausibility.check_across_tables(tables)


@dataclass
class Check:
    """The outcome of validating one table in use."""

    name: str
    path: Path
    rows: int = 0
    error: AnalysisError | None = None
    warnings: list[str] = field(default_factory=list)


def check_in_use() -> list[Check]:
    """Validate every table a run reads (raw or the vintage in use) and every ingested base table."""
    results, frames = [], {}
    for name, spec in loaders.TABLES.items():
        path = spec.path()
        try:
            frames[name] = (loaders.load(name), path)
            results.append(Check(name, path, len(frames[name][0])))
        except AnalysisError as exc:
            results.append(Check(name, path, error=exc))
    try:
        plausibility.check_across_tables(frames)  # year-end totals against the census base
    except DataValidationError as exc:
        for check in results:
            if check.path == exc.file and check.error is None:
                check.error = exc
    for kind, (base, year) in POPULATION_KINDS.items():
        vintage = vintage_of(kind)

        path = real_table_path(base, year) if vintage == "raw" else vintage_dir(kind) / f"{vintage}.csv"
        if not path.exists() and vintage == "raw":
            continue  # no real table: the documented estimate is used
        try:
            text = read_csv_as_text(path)
            merged = _estimated_units(text)
            checked = gates.check_population(text.drop(columns=["estimated"], errors="ignore"), path)
            single = _single_years(checked, path, kind)
            if set(single["unit_id"]) != set(_county_ids()):
                raise DataValidationError(path, None, "unit", "all 13 units", f"{len(set(single['unit_id']))} units")
            pop, ids = population_array(single, path)
            warnings = gates.cross_check(pop, ids, base, year, path)
            if merged:
                warnings.append(
                    f"{path.name}: the base population of {', '.join(merged)} is the estimate "
                    "(this vintage was merged from a table of the other units)"
                )
            results.append(Check(kind, path, len(checked), warnings=warnings))
        except AnalysisError as exc:
            results.append(Check(kind, path, error=exc))
    return results


def _estimated_units(frame: pd.DataFrame) -> list[str]:
    """Units a merged vintage took from the estimate (its ``estimated`` column), in table order."""
    if "estimated" not in frame.columns:
        return []
    flag = frame["estimated"].astype(str).str.strip().str.lower() == "true"
    return list(dict.fromkeys(frame.loc[flag, "unit"].astype(str)))


def _county_ids() -> list[str]:
    return county_ids()


def refuse_invalid(results: list[Check] | None = None) -> list[str]:
    """Raise for the first table that fails (naming the file and how to roll back); return warnings."""
    results = check_in_use() if results is None else results
    for check in results:
        if check.error is None:
            continue
        vintage = vintage_of(check.name)
        undo = (
            f"; or roll back to the previous vintage with: python -m analysis ingest --rollback {check.name}"
            if vintage != "raw"
            else ""
        )
        raise AnalysisError(
            f"input table {check.name} ({check.path}) fails validation, so no run starts: "
            f"{check.error}. Fix that file{' and ingest it again' if vintage != 'raw' else ''}"
            f"{undo}"
        )
    return [w for check in results for w in check.warnings]

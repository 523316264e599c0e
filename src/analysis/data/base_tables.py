"""Base populations by unit × sex × single age: the container and real (supplied) tables.

:class:`BasePopulation` is what every base — estimated or real — is handed to the projection as.
A real table (unit, sex, age or age_group, population) replaces the estimate with no code change:
pass it to :func:`analysis.demography.base.load_base_population`, ingest it with
``python -m analysis ingest FILE --kind population_<base>_<year>``, or put it at
``data/raw/base_population_<base>_<year>.csv``. Five-year groups are split by the PCHIP graduation.

The *estimation* of a base where no table exists is a model and lives in
:mod:`analysis.demography.base`; this module only loads and validates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config, geography
from ..errors import AnalysisError, DataValidationError
from ..notes import Note, note
from .graduation import graduate_groups
from .vintages import file_in_use

N_AGES = 101
SEXES = ("male", "female")
SEX_ALIASES = {"male": 0, "m": 0, "男": 0, "female": 1, "f": 1, "女": 1}
#: The sex label each alias stands for (``男`` → ``male``).
SEX_LABELS = {alias: SEXES[index] for alias, index in SEX_ALIASES.items()}


def county_unit(value, path: Path, line: int) -> geography.Unit:
    """The county-level unit named in a table cell (id, Chinese name or alias); the city or an
    unknown name is a :class:`DataValidationError` naming the file and line."""
    try:
        unit = geography.resolve(str(value))
    except AnalysisError:
        raise DataValidationError(path, line, "unit", "one of the 13 reporting units", repr(value)) from None
    if unit.is_city:
        raise DataValidationError(path, line, "unit", "a county-level unit (the city is their sum)", repr(value))
    return unit


def unit_index() -> tuple[list[str], dict[str, int]]:
    """Ids of the 13 county-level units in order, and the position of each Chinese name."""
    units = geography.county_units()
    return [u.id for u in units], {u.name_zh: i for i, u in enumerate(units)}


@dataclass
class BasePopulation:
    """Persons by unit × sex × age at the base date (1 November of ``year``).

    ``population`` has shape (13 units, 2 sexes, 101 ages); ``estimated`` is False only when
    the whole table came from a real source; ``notes`` lists every estimated input.
    """

    population: np.ndarray
    unit_ids: list[str]
    year: int
    base: str
    estimated: bool = True
    notes: list[Note] = field(default_factory=list)
    unit_total_estimated: dict[str, bool] = field(default_factory=dict)
    diagnostics: dict = field(default_factory=dict)

    def city(self) -> np.ndarray:
        """City (sum of units), shape (2, 101)."""
        return self.population.sum(axis=0)

    def frame(self) -> pd.DataFrame:
        """Tidy table: unit_id, sex, age, population (persons)."""
        u, s, a = np.meshgrid(np.arange(len(self.unit_ids)), np.arange(2), np.arange(N_AGES), indexing="ij")
        return pd.DataFrame(
            {
                "unit_id": np.asarray(self.unit_ids)[u.ravel()],
                "sex": np.asarray(SEXES)[s.ravel()],
                "age": a.ravel(),
                "population": self.population.ravel(),
            }
        )


def base_from_table(
    table: pd.DataFrame | str | Path, base: str, year: int, source: str = "supplied table"
) -> BasePopulation:
    """A base population from a real table with columns ``unit, sex, age | age_group, population``.

    ``unit`` is anything :func:`analysis.geography.resolve` understands (id or Chinese name);
    ``sex`` is male/female (or 男/女); ``age`` a single year (100 = 100+) or ``age_group`` a label
    such as ``15-19`` or ``100+`` (groups are split to single years by the PCHIP graduation).
    Every one of the 13 units must be present. Raises :class:`DataValidationError` otherwise.
    """
    path = Path(table) if not isinstance(table, pd.DataFrame) else Path(source)
    frame = pd.read_csv(table) if not isinstance(table, pd.DataFrame) else table.copy()
    age_col = "age" if "age" in frame.columns else "age_group" if "age_group" in frame.columns else None
    for col in ("unit", "sex", "population"):
        if col not in frame.columns:
            raise DataValidationError(
                path, None, col, "columns unit, sex, age|age_group, population", f"columns {list(frame.columns)}"
            )
    if age_col is None:
        raise DataValidationError(path, None, "age", "a column 'age' or 'age_group'", f"columns {list(frame.columns)}")
    ids, _ = unit_index()
    pop = np.zeros((len(ids), 2, N_AGES))
    values = pd.to_numeric(frame["population"], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(path, row + 2, "population", "a number >= 0", repr(frame["population"].iloc[row]))
    frame = frame.assign(population=values)
    units, sexes = [], []
    for i, (u, s) in enumerate(zip(frame["unit"], frame["sex"])):
        unit = county_unit(u, path, i + 2)
        key = str(s).strip().lower()
        if key not in SEX_ALIASES:
            raise DataValidationError(path, i + 2, "sex", "male or female", repr(s))
        units.append(ids.index(unit.id))
        sexes.append(SEX_ALIASES[key])
    frame = frame.assign(_u=units, _s=sexes)
    missing = sorted(set(range(len(ids))) - set(units))
    if missing:
        raise DataValidationError(path, None, "unit", "all 13 units", "missing " + ", ".join(ids[m] for m in missing))
    for (u, s), grp in frame.groupby(["_u", "_s"]):
        if age_col == "age":
            ages = pd.to_numeric(grp["age"], errors="coerce")
            if ages.isna().any() or (ages < 0).any():
                raise DataValidationError(
                    path, int(grp.index[ages.isna() | (ages < 0)][0]) + 2, "age", "a whole number 0…100", "not an age"
                )
            np.add.at(pop[u, s], np.minimum(ages.astype(int).to_numpy(), N_AGES - 1), grp["population"].to_numpy())
        else:
            try:
                pop[u, s] = graduate_groups(grp["age_group"].astype(str).tolist(), grp["population"].to_numpy())
            except AnalysisError as exc:
                raise DataValidationError(
                    path, int(grp.index[0]) + 2, "age_group", "groups tiling 0…open age (e.g. 0-4 … 100+)", str(exc)
                ) from None
    estimated_units = []
    if "estimated" in frame.columns:  # a merged vintage: some units were taken from the estimate
        flag = frame["estimated"].astype(str).str.strip().str.lower() == "true"
        estimated_units = [ids[u] for u in sorted(set(frame.loc[flag.to_numpy(), "_u"]))]
    if estimated_units:
        notes = [
            note(
                "base_read_merged",
                population=base,
                y=year,
                source=str(source),
                n=len(ids) - len(estimated_units),
                units=estimated_units,
            )
        ]
    else:
        notes = [note("base_read_published", population=base, y=year, source=str(source))]
    if age_col == "age_group":
        notes.append(note("five_year_groups"))
    return BasePopulation(
        pop, ids, int(year), base, bool(estimated_units), notes, {uid: uid in estimated_units for uid in ids}
    )


def real_table_path(base: str, year: int) -> Path:
    """Where a real base table is picked up automatically: the newest vintage ingested with
    ``python -m analysis ingest FILE --kind population_<base>_<year>``, else
    ``data/raw/base_population_<base>_<year>.csv`` (which need not exist)."""
    return file_in_use(f"population_{base}_{year}", config.raw_dir() / f"base_population_{base}_{year}.csv")

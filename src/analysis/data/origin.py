"""The origin years a run's parameters resolve to, below the runner so the pages can use them.

Light (no pandas): the runner imports it before it forks its workers (:mod:`analysis.run.origin`,
which re-exports these names and says what an origin is). The **registered** (户籍, 31 December)
projection jumps off from the run's origin; the **resident** (常住) base always starts at the 2020
census (:func:`start_year_of`). The latest possible origin is the last year of the registry series in
use (``registry_annual.csv`` or its newest ingested vintage) or of a registered base table
(``base_population_registered_<year>.csv``): :func:`latest_data_year`.
"""

from __future__ import annotations

import csv

from .. import config
from .vintages import file_in_use

CENSUS_YEAR = 2020


def start_year_of(base: str, origin: int | None) -> int:
    """The year a ``base`` projection of a run with ``origin`` starts: the origin for the
    registered base, the census year for the resident one (module docstring). ``None`` = 2020."""
    if origin is None or base == "resident":
        return CENSUS_YEAR
    return int(origin)


def latest_data_year() -> int:
    """Last year with a registered figure in the registry series or a registered base table."""
    path = file_in_use("registry_annual", config.raw_dir() / "registry_annual.csv")
    years = [CENSUS_YEAR]
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            years += [int(r["year"]) for r in csv.DictReader(handle) if r.get("base") == "registered"]
    last = max(years)
    tables = [
        y
        for y in range(CENSUS_YEAR + 1, last + 6)
        if file_in_use(f"population_registered_{y}", config.raw_dir() / f"base_population_registered_{y}.csv").exists()
    ]
    return max([last] + tables)

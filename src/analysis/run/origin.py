"""The run manifest's ``origin``: the year the projection jumps off from and the data it rests on.

Kept light (no pandas, no model imports: the runner imports it before it forks its workers). The
latest possible origin is the last year of the registry series in use (``registry_annual.csv`` or
its newest ingested vintage) or of a registered base table
(``base_population_registered_<year>.csv``), as :func:`analysis.demography.estimates.latest_data_year`.
"""

from __future__ import annotations

import csv

from .. import config
from ..data.vintages import file_in_use, vintage_of

CENSUS_YEAR = 2020


def latest_data_year() -> int:
    """Last year with a registered figure in the registry series or a registered base table."""
    path = file_in_use("registry_annual", config.raw_dir() / "registry_annual.csv")
    years = [CENSUS_YEAR]
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            years += [int(r["year"]) for r in csv.DictReader(handle) if r.get("base") == "registered"]
    last = max(years)
    tables = [y for y in range(CENSUS_YEAR + 1, last + 6)
              if file_in_use(f"population_registered_{y}", config.raw_dir() / f"base_population_registered_{y}.csv").exists()]
    return max([last] + tables)


def origin_summary(start_year: int) -> dict:
    """``{year, data_vintage, basis, latest_possible}`` for the manifest and the index."""
    later = int(start_year) != CENSUS_YEAR
    vintage = (f"registry_annual {vintage_of('registry_annual')}, registered_county {vintage_of('registered_county')}, "
               f"figures dated up to {int(start_year)}-12-31" if later
               else "2020 census base (resident 1 Nov 2020; registered 31 Dec 2020)")
    return {"year": int(start_year), "data_vintage": vintage,
            "basis": "post-censal registered estimate" if later else "census base",
            "latest_possible": latest_data_year()}

"""The run manifest's ``origin``: the year the projection jumps off from and the data it rests on.

Kept light (no pandas, no model imports: the runner imports it before it forks its workers). The
latest possible origin is the last year of the registry series in use (``registry_annual.csv`` or
its newest ingested vintage) or of a registered base table
(``base_population_registered_<year>.csv``), as :func:`analysis.demography.estimates.latest_data_year`.

A run has one origin (``--origin YEAR``, default :func:`latest_data_year`), the year-end its
**registered** (户籍, 31 December) projection jumps off from. The **resident** (常住) base has no
post-censal estimates (its reference date is 1 November and no resident age structure after the
2020 census is in ``data/raw``), so it always starts at the 2020 census: :func:`start_year_of`.
The manifest and the index say both (:func:`origin_summary`).
"""

from __future__ import annotations

from ..data.origin import CENSUS_YEAR, latest_data_year, start_year_of  # noqa: F401 - re-exported
from ..data.vintages import vintage_of
from ..errors import AnalysisError

RESIDENT_NOTE = (
    "常住人口基期仍为2020年普查（11月1日），尚无常住人口普查后估计 the resident base stays at the "
    "2020 census (1 Nov): no resident post-censal estimates yet"
)


def check_origin(origin) -> int:
    """``origin`` as a year 2020 … :func:`latest_data_year`, or an error naming ``--origin``."""
    latest = latest_data_year()
    if isinstance(origin, bool) or not isinstance(origin, int) or not CENSUS_YEAR <= origin <= latest:
        raise AnalysisError(
            f"--origin must be a year from {CENSUS_YEAR} (the census base) to {latest} (the last "
            f"year with registry figures in data/raw), not {origin!r}"
        )
    return origin


def origin_summary(start_year: int) -> dict:
    """``{year, data_vintage, basis, latest_possible, bases}`` for the manifest and the index;
    ``bases``: the start year of each base's projection and what it rests on."""
    later = int(start_year) != CENSUS_YEAR
    vintage = (
        f"registry_annual {vintage_of('registry_annual')}, registered_county {vintage_of('registered_county')}, "
        f"figures dated up to {int(start_year)}-12-31"
        if later
        else "2020 census base (resident 1 Nov 2020; registered 31 Dec 2020)"
    )
    bases = {
        "registered": {
            "year": int(start_year),
            "reference_date": f"{int(start_year)}-12-31",
            "basis": "post-censal registered estimate" if later else "census base",
        },
        "resident": {
            "year": CENSUS_YEAR,
            "reference_date": f"{CENSUS_YEAR}-11-01",
            "basis": "census base",
            "note": RESIDENT_NOTE,
        },
    }
    return {
        "year": int(start_year),
        "data_vintage": vintage,
        "basis": "post-censal registered estimate" if later else "census base",
        "latest_possible": latest_data_year(),
        "bases": bases,
    }


def since_previous(previous: dict | None, inputs: dict[str, str]) -> dict | None:
    """What moved since the run ``reports/latest`` held (its manifest ``previous``): its run id,
    its registered origin, and the data files (``data/…``) that are new or changed in ``inputs``
    (path → sha256, as the manifest's ``inputs``). None when there is no earlier run."""
    if not previous:
        return None
    before = previous.get("inputs") or {}
    new = sorted(p for p, digest in inputs.items() if p.startswith("data/") and before.get(p) != digest)
    return {"run_id": previous.get("run_id"), "origin": (previous.get("origin") or {}).get("year"), "new_data": new}

"""Values every table passes after its schema: finite, below a plausible bound for their measure.

(:data:`UPPER_BOUNDS`: no Quanzhou geography has more than 20 million persons; a rate per mille is at
most 1000 …). ``1e30`` or ``inf`` are refused with the line and column; a table has at least one data
row. Called by :func:`.reader.read_validated` for every table; the base-population and cross-table
checks are in :mod:`.gates` and :mod:`.plausibility`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError
from .areas import OUTSIDE_AREAS
from .plausibility import normalise_unit

# measure -> (bound for Quanzhou geographies, bound for wider areas: 福建省, China)
UPPER_BOUNDS: dict[str, tuple[float, float]] = {
    "persons": (2e7, 1.5e9),
    "persons (approx)": (2e7, 1.5e9),
    "10k persons": (2e3, 1.5e5),
    "thousand persons": (2e4, 1.5e6),
    "households": (1e7, 6e8),
    "per mille": (1e3, 1e3),
    "males per 100 females": (200, 200),
    "males per female birth": (2, 2),
    "years": (120, 120),
    "deaths per person-year": (3, 3),
    "children per woman": (10, 10),
    "CNY/month": (1e5, 1e5),
    "CNY/hour": (1e3, 1e3),
    "CNY/person/month": (1e5, 1e5),
    "beds": (1e6, 1e8),
    "beds per 1000 elderly": (1e3, 1e3),
}
DEFAULT_BOUND = 1e10
DEFAULT_BOUND = 1e10


def _line(index) -> int:
    return int(index) + 2  # the header is line 1


def check_values(frame: pd.DataFrame, path: Path) -> None:
    """Finite numbers below their measure's bound; at least one row."""
    if frame.empty:
        raise DataValidationError(path, None, None, "at least one data row", "a header only")
    for column in frame.columns:
        series = frame[column]
        if not pd.api.types.is_float_dtype(series):
            continue
        bad = np.isinf(series.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            row = frame.index[bad][0]
            raise DataValidationError(path, _line(row), column, "a finite number", repr(series.loc[row]))
    if "value" not in frame or "unit" not in frame:
        return
    wide = frame["geography"].isin(OUTSIDE_AREAS) if "geography" in frame else pd.Series(False, frame.index)
    # the measure as written, without case or extra spaces: 'Persons' is bounded as 'persons'
    known = {normalise_unit(k): v for k, v in UPPER_BOUNDS.items()}
    bounds = frame["unit"].map(lambda u: known.get(normalise_unit(u), (DEFAULT_BOUND, DEFAULT_BOUND)))
    limit = np.where(wide, bounds.map(lambda b: b[1]), bounds.map(lambda b: b[0]))
    over = frame["value"].abs().to_numpy(dtype=float, na_value=0.0) > limit
    if over.any():
        i = int(np.flatnonzero(over)[0])
        row = frame.index[i]
        raise DataValidationError(
            path,
            _line(row),
            "value",
            f"a plausible value for {frame['unit'].iloc[i]!r} (at most {limit[i]:,.0f})",
            repr(frame["value"].iloc[i]),
        )

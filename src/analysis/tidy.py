"""The one tidy long format every model returns and the runner writes to ``tables/indicators.csv``.

Columns: ``unit_id, year, indicator, p10, p50, p90, measure``. ``measure`` names the unit of
the numbers (``persons``, ``beds``, ``percent``, ``yuan per month`` …); shares and ratios are in
percent (0–100) unless the measure says per mille. ``p10``/``p90`` are NaN where a quantity has no
uncertainty (a single draw, or a figure that does not depend on the draws).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .demography.result import percentiles

COLUMNS = ["unit_id", "year", "indicator", "p10", "p50", "p90", "measure"]


def quantity_frame(unit_id: str, years, indicator: str, values, measure: str) -> pd.DataFrame:
    """Tidy rows for one quantity of one unit.

    ``values`` is either (draw, year) — percentiles are taken across draws — or (year,) for a
    quantity without uncertainty.
    """
    values = np.asarray(values, dtype=float)
    years = np.asarray(years, dtype=int)
    if values.ndim == 1:
        pct = {"p10": np.full(len(years), np.nan), "p50": values, "p90": np.full(len(years), np.nan)}
    else:
        pct = percentiles(values, axis=0)
    return pd.DataFrame({"unit_id": unit_id, "year": years, "indicator": indicator, **pct, "measure": measure})[COLUMNS]


def concat(frames) -> pd.DataFrame:
    """Concatenate tidy frames (an empty list gives an empty frame with the right columns)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)[COLUMNS]

"""Forecasts from the 2020 origin against what was observed later (evaluation, never calibration).

Observations dated after the base (``observed_registered.csv``: the city's registered 60+ and 80+
at end-2021, registered totals of 2021–2022, 洛江区 end-2022, 泉港区 end-September 2024) are read
only here, after the projection, and compared with the registered projection of the same
year-end (泉港区's September figure is set against end-2024 and the table says so). Nothing in
the model reads them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import geography
from ..data import loaders
from .result import ProjectionResult

#: Observed indicator → (projection count, first age, last age or None for an open group).
MAPPED = {
    "registered_population": ("pop_total", 0, None),
    "registered_pop_60plus": ("pop_60plus", 60, None),
    "registered_pop_80plus": ("pop_80plus", 80, None),
    "registered_pop_80_89": ("pop_80_89", 80, 89),
    "registered_pop_90_99": ("pop_90_99", 90, 99),
}
#: The forecast origin: county figures published for later years are evaluation data.
ORIGIN = 2020
COLUMNS = ["geography", "year", "indicator", "observed", "p10", "p50", "p90", "error_pct", "inside_band", "note"]


def observations() -> pd.DataFrame:
    """Post-origin registered counts: ``geography`` (unit id), ``year``, ``indicator``, ``observed``
    (persons), ``note`` (the reference date and source kind)."""
    county = loaders.load_registered_county()
    table = pd.concat([loaders.load_observed_registered(), county[county["year"] > ORIGIN]], ignore_index=True)
    # the county evidence's published totals dated after the origin (永春 2024): evaluation only
    ev = loaders.load_registered_county_evidence()
    later = ev[(ev["indicator"] == "registered_population") & (ev["year"] > ORIGIN)]
    later = later.assign(
        quote_or_note=[f"{n} [reference date: {d}]" for n, d in zip(later["quote_or_note"], later["ref_date"])]
    )
    table = pd.concat(
        [table, later[["geography", "year", "indicator", "value", "unit", "source", "quote_or_note"]]],
        ignore_index=True,
    )
    rows = []
    for r in table.itertuples(index=False):
        if r.indicator not in MAPPED:
            continue
        value = float(r.value) * (1e4 if r.unit == "10k persons" else 1.0)
        note = str(r.quote_or_note)
        date = note.split("[reference date: ")[-1].rstrip("]") if "[reference date: " in note else "year-end"
        rows.append(
            {
                "geography": geography.resolve(r.geography).id,
                "year": int(r.year),
                "indicator": MAPPED[r.indicator][0],
                "observed": value,
                "note": date,
            }
        )
    return pd.DataFrame(rows, columns=["geography", "year", "indicator", "observed", "note"])


def forecast_vs_outturn(result: ProjectionResult) -> pd.DataFrame:
    """The registered projection against every later observation it covers (empty for a resident
    projection): p10/p50/p90 of the forecast, ``error_pct`` = 100 × (p50 − observed) / observed, and
    whether the observation lies inside the p10–p90 band."""
    if result.base != "registered":
        return pd.DataFrame(columns=COLUMNS)
    obs = observations()
    rows = []
    ages = {name: (first, last) for name, first, last in MAPPED.values()}
    for o in obs.itertuples(index=False):
        if o.year not in set(int(y) for y in result.years):
            continue
        t = result.year_index(o.year)
        values = result.age_sum(o.geography, *ages[o.indicator])[:, t]
        p10, p50, p90 = np.percentile(values, [10, 50, 90])
        rows.append(
            {
                "geography": o.geography,
                "year": o.year,
                "indicator": o.indicator,
                "observed": o.observed,
                "p10": p10,
                "p50": p50,
                "p90": p90,
                "error_pct": 100.0 * (p50 - o.observed) / o.observed,
                "inside_band": bool(p10 <= o.observed <= p90),
                "note": o.note,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)

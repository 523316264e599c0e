"""Check the certified-social-worker path against the published history: growth required vs achieved.

History (``social_workers.csv``, 泉州市): 1,021 (2015, 泉州晚报), 1,423 (about 2018, year inferred
by the source), 2,078 (2019, 闽南网), 2,620 (2020, the plan line 16 and 专栏1 row 11).
Achieved growth = compound annual growth between published counts; required growth = the
compound annual growth from the 2020 count to the model's 2025 requirement (10 per 10,000).
"""

from __future__ import annotations

import pandas as pd

from ..data.loaders import load_social_workers
from ..geography import CITY_ID

INDICATOR = "certified_social_workers"


def certified_history() -> pd.DataFrame:
    """Published city counts of certified social workers: year, count, source (sorted by year)."""
    frame = load_social_workers()
    rows = frame[(frame["geography"] == "泉州市") & (frame["indicator"] == INDICATOR)]
    return (
        rows.rename(columns={"value": "count"})[["year", "count", "source"]].sort_values("year").reset_index(drop=True)
    )


def cagr_pct(first: float, last: float, years: float) -> float:
    """Compound annual growth, percent a year."""
    return 100.0 * ((last / first) ** (1.0 / years) - 1.0)


def growth_table(workforce_frame: pd.DataFrame, target_year: int) -> pd.DataFrame:
    """Growth achieved between published counts and growth required to reach the target-year requirement.

    Columns: period, first, last, first_count, last_count, growth_pct, kind ('achieved' |
    'required'). The requirement is the city median of ``certified_social_workers_required``.
    """
    hist = certified_history()
    rows = []
    points = list(hist.itertuples())
    for a, b in list(zip(points, points[1:])) + [(points[0], points[-1])]:
        rows.append(
            {
                "period": f"{a.year}–{b.year}",
                "first": a.year,
                "last": b.year,
                "first_count": a.count,
                "last_count": b.count,
                "growth_pct": cagr_pct(a.count, b.count, b.year - a.year),
                "kind": "achieved",
            }
        )
    req = workforce_frame[
        (workforce_frame["unit_id"] == CITY_ID)
        & (workforce_frame["year"] == target_year)
        & (workforce_frame["indicator"] == "certified_social_workers_required")
    ]["p50"]
    last = hist.iloc[-1]
    if len(req) and pd.notna(req.iloc[0]) and target_year > last["year"]:
        rows.append(
            {
                "period": f"{int(last['year'])}–{target_year}",
                "first": int(last["year"]),
                "last": target_year,
                "first_count": float(last["count"]),
                "last_count": float(req.iloc[0]),
                "growth_pct": cagr_pct(float(last["count"]), float(req.iloc[0]), target_year - last["year"]),
                "kind": "required",
            }
        )
    return pd.DataFrame(rows)

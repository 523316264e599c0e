"""Registry observations after the 2020 base, as margins the post-censal estimates must meet.

Reads ``registry_annual.csv`` (the annual registry series: city totals, sex split, birth and death
rates, age-group counts by unit with their reference dates; national births) and the post-2020
rows of ``registered_by_county.csv`` (county registered totals), and returns them in persons (or
‰ for rates), each with its unit id, **reference date** and source. Only the registered base is
covered (reference dates: 31 December, or the date the bureau gives — 泉港区 30 September 2024);
a resident row is refused, so resident (1 November) and registered (31 December) figures are never
mixed silently.

``up_to`` cuts the series at the end of a year: a forecast vintage with origin Y reads only rows
dated on or before 31 December of Y; later rows only evaluate it
(:mod:`.vintage_scores`).

Derived counts (documented, tested): where a share of a total published at the same date has more
digits than the rounded count (city 60+ at end-2021: 116万 rounded, 15.06 % × 771.27万 =
1,161,533), the count is the share × total, checked to lie within the rounding of the published
count; 80+ = 80–89 + 90–99 + 100+ where those are published (泉港区 2024).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import geography
from ..data import loaders
from ..errors import AnalysisError

#: First age of each age-group count the estimates can use as a margin ("+" groups).
FIRST_AGE = {
    "registered_pop_60plus": 60,
    "registered_pop_65plus": 65,
    "registered_pop_80plus": 80,
    "registered_pop_100plus": 100,
}
#: Indicators read as margins, besides the age groups.
TOTAL = "registered_population"
SEX = ("registered_population_male", "registered_population_female")
COLUMNS = ["unit_id", "year", "reference_date", "indicator", "value", "source"]
CITY = "quanzhou"
#: A reference date in a ``quote_or_note`` ("[reference date: 2024-09-30]"); otherwise year-end.
DATE_NOTE = re.compile(r"\[reference date:? (\d{4}-\d{2}-\d{2})\]")


def _persons(value: float, unit: str) -> float:
    return float(value) * (1e4 if unit == "10k persons" else 1.0)


def _rounding(value: float, unit: str) -> float:
    """Half the last published digit, persons (116 in 10k persons → 5,000)."""
    text = f"{value:g}"
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0 ** (-decimals) * (1e4 if unit == "10k persons" else 1.0)


def observations(up_to: int | None = None) -> pd.DataFrame:
    """Registered observations after 2020 dated on or before 31 December of ``up_to`` (all if None).

    Columns: ``unit_id`` (``quanzhou`` for the city), ``year``, ``reference_date`` (Timestamp),
    ``indicator`` (``registered_population``, ``registered_population_male|female``,
    ``registered_pop_60plus|65plus|80plus|100plus``, ``registered_crude_birth_rate|death_rate``),
    ``value`` (persons; rates in ‰), ``source``.
    """
    table = loaders.load_registry_annual()
    if (table["base"] == "resident").any():
        raise AnalysisError(
            "registry_annual.csv: resident rows are not used by the registered estimates "
            "(their reference date is 1 November); keep them out of this series"
        )
    reg = table[table["base"] == "registered"]
    rows = []
    for r in reg.itertuples(index=False):
        rows.append(
            {
                "unit_id": geography.resolve(r.geography).id,
                "year": int(r.year),
                "reference_date": pd.Timestamp(r.reference_date),
                "indicator": r.indicator,
                "value": float(r.value) if r.unit == "per mille" else _persons(r.value, r.unit),
                "unit": r.unit,
                "raw": float(r.value),
                "source": r.source,
            }
        )
    county = loaders.load_registered_county()
    county = county[(county["year"] > 2020) & (county["indicator"] == TOTAL)]
    for r in county.itertuples(index=False):
        found = DATE_NOTE.search(str(r.quote_or_note))
        date = found.group(1) if found else f"{int(r.year)}-12-31"
        rows.append(
            {
                "unit_id": geography.resolve(r.geography).id,
                "year": int(r.year),
                "reference_date": pd.Timestamp(date),
                "indicator": TOTAL,
                "value": _persons(r.value, r.unit),
                "unit": r.unit,
                "raw": float(r.value),
                "source": r.source,
            }
        )
    frame = pd.DataFrame(rows)
    frame = frame.drop_duplicates(subset=["unit_id", "reference_date", "indicator"], keep="first")
    frame = _derive(frame)
    if up_to is not None:
        frame = frame[frame["reference_date"] <= pd.Timestamp(f"{int(up_to)}-12-31")]
    keep = frame["indicator"].isin(
        [TOTAL, *SEX, *FIRST_AGE, "registered_crude_birth_rate", "registered_crude_death_rate"]
    )
    return frame.loc[keep, COLUMNS].sort_values(["reference_date", "unit_id", "indicator"]).reset_index(drop=True)


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    """More precise counts from shares (within the rounding of the count), 80+ from its parts."""
    out = frame.copy()
    for (uid, date), grp in frame.groupby(["unit_id", "reference_date"]):
        by = {r.indicator: r for r in grp.itertuples(index=False)}
        sel = (out["unit_id"] == uid) & (out["reference_date"] == date)
        if TOTAL in by and "registered_share_60plus" in by and "registered_pop_60plus" in by:
            p60 = by["registered_share_60plus"].raw / 100.0 * by[TOTAL].value
            pub = by["registered_pop_60plus"]
            if abs(p60 - pub.value) > _rounding(pub.raw, pub.unit) + 1.0:
                raise AnalysisError(
                    f"registry_annual.csv: {uid} {date:%Y-%m-%d}: 60+ share × total = {p60:,.0f} "
                    f"is outside the rounding of the published {pub.value:,.0f}"
                )
            out.loc[sel & (out["indicator"] == "registered_pop_60plus"), "value"] = p60
            if "share_80plus_among_60plus" in by and "registered_pop_80plus" in by:
                p80 = by["share_80plus_among_60plus"].raw / 100.0 * p60
                pub = by["registered_pop_80plus"]
                if abs(p80 - pub.value) > _rounding(pub.raw, pub.unit) + 1.0:
                    raise AnalysisError(
                        f"registry_annual.csv: {uid} {date:%Y-%m-%d}: 80+ share × 60+ = {p80:,.0f} "
                        f"is outside the rounding of the published {pub.value:,.0f}"
                    )
                out.loc[sel & (out["indicator"] == "registered_pop_80plus"), "value"] = p80
        parts = ("registered_pop_80_89", "registered_pop_90_99", "registered_pop_100plus")
        if all(p in by for p in parts) and "registered_pop_80plus" not in by:
            first = by[parts[0]]
            out = pd.concat(
                [
                    out,
                    pd.DataFrame(
                        [
                            {
                                "unit_id": uid,
                                "year": first.year,
                                "reference_date": date,
                                "indicator": "registered_pop_80plus",
                                "value": sum(by[p].value for p in parts),
                                "unit": "persons",
                                "raw": np.nan,
                                "source": first.source + " (80-89 + 90-99 + 100+)",
                            }
                        ]
                    ),
                ],
                ignore_index=True,
            )
    return out


def national_births() -> dict[int, float]:
    """China's births per calendar year (persons) from the NBS series in ``registry_annual.csv``."""
    table = loaders.load_registry_annual()
    rows = table[(table["base"] == "national") & (table["indicator"] == "births")]
    return {int(r.year): _persons(r.value, r.unit) for r in rows.itertuples(index=False)}

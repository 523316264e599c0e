"""County registered (户籍) evidence: what each county's own figures say, and when they were true.

Two raw tables hold county registered figures: ``registered_by_county.csv`` (published totals,
year-end unless the note gives ``[reference date …]``) and ``registered_county_evidence.csv``
(totals, centenarian counts and centenarian rates per 100,000, each with its reference date).
This module turns them into one list of **registered totals with dates**:

- *published* totals, as printed;
- *derived* totals where a county's centenarian count and its rate per 100,000 are published for
  the same date: total = count / (rate / 100,000). The rate is rounded (9.4 → ±0.05), so the
  derived total carries a relative rounding error of ``0.05 / rate`` (泉港 2013: ±0.5 %). Check on
  a date where both exist (泉港 end-September 2024): 55 / 13 per 100k = 423,077 against the
  published 415,401 (+1.8 %, inside the rounding of "13", ±3.8 %) — tested.

**Origin rule.** A figure dated after the forecast origin (31 December of ``origin``) may only
*evaluate* a forecast from that origin, never calibrate it: :func:`calibration_totals` keeps the
figures dated up to the origin, :func:`evaluation_totals` the others. The rule is applied here,
in code, from each row's date; nothing in the tables says which use a row has.

Dates are converted to the registered series' year-end scale (:func:`year_end_index`: 31 December
2019 → 2019.0, 31 July 2013 → 2012.58), and a total is carried to another date by the city's
registered growth between the two dates (:func:`carry`; an estimate: the county is assumed to grow
like the city). Its error is measured on 晋江市, whose 2013 derived total carried to end-2019 can be
set against the published end-2019 total (:func:`carry_check`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ... import geography
from ...data import loaders
from ...notes import Note, note

#: Default forecast origin: 31 December of this year.
ORIGIN = 2020
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class TotalEvidence:
    """One county registered total: ``persons`` at ``ref_time`` (year-end scale), ``kind``
    ``published`` or ``derived`` (from a centenarian count and rate), ``rounding`` the relative
    half-width of the figure's rounding, and where it comes from."""

    unit_id: str
    name_zh: str
    persons: float
    ref_date: str
    ref_time: float
    kind: str
    rounding: float
    source: str
    source_kind: str


def year_end_index(date: str) -> float:
    """A date ``YYYY-MM-DD`` on the year-end scale of the registered series (2019 = 31 Dec 2019)."""
    ts = pd.Timestamp(date)
    start = pd.Timestamp(year=ts.year, month=1, day=1)
    days = 366 if ts.is_leap_year else 365
    return ts.year - 1 + ((ts - start).days + 1) / days


def _persons(value: float, unit: str) -> float:
    return float(value) * (1e4 if unit == "10k persons" else 1.0)


def _rounding(value: float, unit: str) -> float:
    """Half of the last printed digit, relative (31.7万 → 0.05/31.7)."""
    text = f"{value:.6f}".rstrip("0")
    decimals = len(text.split(".")[1]) if "." in text and not text.endswith(".") else 0
    return 0.5 * 10 ** (-decimals) / float(value)


def _legacy_rows() -> list[TotalEvidence]:
    table = loaders.load_registered_county()
    out = []
    for r in table[table["indicator"] == "registered_population"].itertuples(index=False):
        m = _DATE.search(str(r.quote_or_note))
        date = m.group(0) if m else f"{int(r.year)}-12-31"
        unit = geography.resolve(r.geography)
        out.append(
            TotalEvidence(
                unit.id,
                unit.name_zh,
                _persons(r.value, r.unit),
                date,
                year_end_index(date),
                "published",
                _rounding(r.value, r.unit),
                str(r.source),
                "third_party_copy",
            )
        )
    return out


def total_evidence() -> list[TotalEvidence]:
    """Every county registered total the raw tables give, published or derived, sorted by unit and date."""
    rows = _legacy_rows()
    ev = loaders.load_registered_county_evidence()
    for r in ev[ev["indicator"] == "registered_population"].itertuples(index=False):
        unit = geography.resolve(r.geography)
        rows.append(
            TotalEvidence(
                unit.id,
                unit.name_zh,
                _persons(r.value, r.unit),
                r.ref_date,
                year_end_index(r.ref_date),
                "published",
                _rounding(r.value, r.unit),
                r.source,
                r.source_kind,
            )
        )
    counts = ev[ev["indicator"] == "centenarians"].set_index(["geography", "ref_date"])
    for r in ev[ev["indicator"] == "centenarians_per_100k"].itertuples(index=False):
        if (r.geography, r.ref_date) not in counts.index:
            continue
        count = counts.loc[(r.geography, r.ref_date)]
        unit = geography.resolve(r.geography)
        rows.append(
            TotalEvidence(
                unit.id,
                unit.name_zh,
                float(count["value"]) / (float(r.value) / 1e5),
                r.ref_date,
                year_end_index(r.ref_date),
                "derived",
                _rounding(r.value, r.unit),
                r.source,
                r.source_kind,
            )
        )
    return sorted(rows, key=lambda e: (e.unit_id, e.ref_time, e.kind != "published"))


def city_registered(time: float) -> float:
    """The city's registered total (persons) at ``time`` on the year-end scale, interpolated
    linearly between the published year-ends (``registered_elderly.csv``)."""
    city = loaders.load_registered()
    rows = city[(city["indicator"] == "registered_population") & (city["geography"] == "泉州市")].sort_values("year")
    return float(np.interp(time, rows["year"].astype(float), rows["value"].astype(float))) * 1e4


def carry(persons: float, from_time: float, to_time: float) -> float:
    """A county total carried from one date to another by the city's registered growth."""
    return persons * city_registered(to_time) / city_registered(from_time)


def calibration_totals(origin: int = ORIGIN) -> dict[str, TotalEvidence]:
    """Per unit, the latest total dated on or before 31 December ``origin`` (a published figure
    before a derived one of the same date). Later figures are left out: they may only evaluate."""
    out: dict[str, TotalEvidence] = {}
    for e in total_evidence():
        if e.ref_time <= origin + 1e-9:
            prev = out.get(e.unit_id)
            if prev is None or e.ref_time > prev.ref_time + 1e-9:
                out[e.unit_id] = e
    return out


def evaluation_totals(origin: int = ORIGIN) -> list[TotalEvidence]:
    """Totals dated after 31 December ``origin``: evaluation data for forecasts from that origin."""
    return [e for e in total_evidence() if e.ref_time > origin + 1e-9]


def carried_totals(origin: int = ORIGIN) -> tuple[dict[str, float], list[Note]]:
    """The calibration totals carried to 31 December ``origin`` (persons), with a note per unit."""
    out, notes = {}, []
    for uid, e in calibration_totals(origin).items():
        value = carry(e.persons, e.ref_time, origin)
        out[uid] = value
        notes.append(
            note(
                "county_registered_evidence",
                unit=e.name_zh,
                n=e.persons,
                d=str(e.ref_date),
                kind="published" if e.kind == "published" else "DERIVED",
                src=e.source_kind.replace("_", "-"),
                y=origin,
                factor=value / e.persons,
                m=value,
            )
        )
    return out, notes


def carry_check() -> pd.DataFrame:
    """Error of *derive + carry* where a later published total exists before the origin: each unit's
    earliest derived total carried to the date of its latest published total (晋江市: 2013 → end-2019).
    Columns ``unit_id``, ``from``, ``to``, ``carried``, ``published``, ``error_pct``."""
    rows = []
    ev = [e for e in total_evidence() if e.ref_time <= ORIGIN + 1e-9]
    for uid in sorted({e.unit_id for e in ev}):
        derived = [e for e in ev if e.unit_id == uid and e.kind == "derived"]
        published = [e for e in ev if e.unit_id == uid and e.kind == "published"]
        if derived and published and published[-1].ref_time > derived[0].ref_time:
            d, p = derived[0], published[-1]
            value = carry(d.persons, d.ref_time, p.ref_time)
            rows.append(
                {
                    "unit_id": uid,
                    "from": d.ref_date,
                    "to": p.ref_date,
                    "carried": value,
                    "published": p.persons,
                    "error_pct": 100.0 * (value / p.persons - 1.0),
                }
            )
    return pd.DataFrame(rows, columns=["unit_id", "from", "to", "carried", "published", "error_pct"])


#: Age-band indicators a county's registry may supply, with their ages (first, last; None = open).
AGE_BANDS = {
    "registered_pop_60plus": (60, None),
    "registered_pop_80plus": (80, None),
    "registered_pop_80_89": (80, 89),
    "registered_pop_90_99": (90, 99),
    "centenarians": (100, None),
}


def calibration_age_counts(origin: int = ORIGIN) -> dict[str, dict[tuple, tuple[float, str]]]:
    """Registry age-band counts that may shape a unit's registered base at end-``origin``: per unit,
    ``{(first, last): (persons carried to end-origin, ref_date)}`` from the rows of
    ``registered_county_evidence.csv`` dated in the twelve months up to 31 December ``origin``
    (older counts would need ageing; later ones only evaluate). A county bureau's own 60+/80+/100+
    counts supplied with ``python -m analysis ingest FILE --kind registered_county_evidence`` arrive here."""
    ev = loaders.load_registered_county_evidence()
    out: dict[str, dict[tuple, tuple[float, str]]] = {}
    for r in ev[ev["indicator"].isin(list(AGE_BANDS))].itertuples(index=False):
        t = year_end_index(r.ref_date)
        if not (origin - 1 < t <= origin + 1e-9):
            continue
        unit = geography.resolve(r.geography)
        band = AGE_BANDS[r.indicator]
        persons = carry(_persons(r.value, r.unit), t, origin)
        prev = out.setdefault(unit.id, {}).get(band)
        if prev is None or r.ref_date > prev[1]:
            out[unit.id][band] = (persons, r.ref_date)
    return out


def centenarian_shares(origin: int = ORIGIN) -> dict[str, tuple[float, str]]:
    """Each unit's share of the city's centenarians from its latest count dated on or before the
    origin, over the city's count of the same year (``registered_elderly.csv``): 泉港 36/303 in
    2013, 南安 85/337 in 2016, … — ``{unit_id: (share, ref_date)}``. Used to place the city's 100+
    among the units (the county tail follows where centenarians are counted, not resident shares)."""
    ev = loaders.load_registered_county_evidence()
    city = loaders.load_registered()
    city_counts = {
        int(r.year): float(r.value)
        for r in city[(city["geography"] == "泉州市") & (city["indicator"] == "centenarians")].itertuples()
    }
    out: dict[str, tuple[float, str]] = {}
    rows = ev[(ev["indicator"] == "centenarians")].sort_values("ref_date")
    for r in rows.itertuples(index=False):
        if year_end_index(r.ref_date) > origin + 1e-9 or int(r.year) not in city_counts:
            continue
        out[geography.resolve(r.geography).id] = (float(r.value) / city_counts[int(r.year)], r.ref_date)
    return out

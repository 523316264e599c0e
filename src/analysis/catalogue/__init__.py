"""The indicator catalogue: one home for what every published indicator is called and how it prints.

``indicators.yaml`` beside this file (in the style of IAMconsortium/nomenclature's variable code
lists) holds, for every indicator the suite publishes or tracks against a plan, its Chinese and
English names, the unit printed beside it, the model's measure string, the number format, the
kind of quantity, the direction (whether higher is better — only for performance measures) and
whether it belongs in the 要点 box. Plans (:mod:`analysis.data.plans`) name their indicators by
these ids, and the ledger, odds and drafter's tables take their labels and formats from here;
so do every table head (:meth:`Indicator.heading`, the name with its unit), chart legend and
workbook label, and every number printed in 万 (:func:`wan`). No module keeps a second map of
names (``tests/test_label_homes.py``).

This module reads only its own YAML file (no data, no models), so every floor may import it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import AnalysisError
from ..yamlio import SAFE_LOADER


CATALOGUE_FILE = Path(__file__).with_name("indicators.yaml")

FORMATS = ("wan", "int", "pct1", "dec1", "dec2", "yuan")
KINDS = ("count", "share", "ratio", "money", "probability", "rate")
DIRECTIONS = ("higher", "lower", "neither")
BASES = ("resident", "registered", "either")
REQUIRED_FIELDS = ("name_zh", "name_en", "unit", "measure", "format", "kind", "direction", "key_point", "base")


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry (see ``indicators.yaml`` for the meaning of each field)."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    measure: str
    format: str
    kind: str
    direction: str
    key_point: bool
    base: str
    estimate: bool = False
    plan_only: bool = False

    def label(self, english: bool = False) -> str:
        """The reader's name: Chinese, with the English beside when asked."""
        return f"{self.name_zh} {self.name_en}" if english else self.name_zh

    def heading(self) -> str:
        """The name with its unit, for a table head whose cells print bare numbers: "低保标准（元/人·月）",
        "低保人数（估算，人）" (a unit joins a name's closing bracket), "60岁及以上人口占比（%）". A
        population (format ``wan``) keeps its bare name: the table says whether it prints 人 or 万人."""
        if self.format == "wan" or not self.unit:
            return self.name_zh
        if self.name_zh.endswith("）"):
            return f"{self.name_zh[:-1]}，{self.unit}）"
        return f"{self.name_zh}（{self.unit}）"

    def format_value(self, value, with_unit: bool = True) -> str:
        """``value`` printed for people in this indicator's format; missing → "—" (never NaN)."""
        return format_number(value, self.format, self.unit if with_unit else "")


def _check_entry(key: str, entry) -> Indicator:
    if not isinstance(entry, dict):
        raise AnalysisError(f"{CATALOGUE_FILE.name}: entry {key!r} must be a mapping of fields")
    missing = [f for f in REQUIRED_FIELDS if f not in entry]
    if missing:
        raise AnalysisError(f"{CATALOGUE_FILE.name}: entry {key!r} lacks {', '.join(missing)}")
    unknown = sorted(set(entry) - set(Indicator.__dataclass_fields__))
    if unknown:
        raise AnalysisError(f"{CATALOGUE_FILE.name}: entry {key!r} has unknown fields {unknown}")
    for field_name, allowed in (("format", FORMATS), ("kind", KINDS), ("direction", DIRECTIONS), ("base", BASES)):
        if entry[field_name] not in allowed:
            raise AnalysisError(
                f"{CATALOGUE_FILE.name}: entry {key!r} field {field_name} is "
                f"{entry[field_name]!r}; expected one of {', '.join(allowed)}"
            )
    return Indicator(id=key, **entry)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Indicator]:
    """Every catalogue entry by id (read once per process)."""
    data = yaml.load(CATALOGUE_FILE.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - safe
    if not isinstance(data, dict):
        raise AnalysisError(f"{CATALOGUE_FILE.name} must be a mapping of indicator ids")
    return {key: _check_entry(key, entry) for key, entry in data.items()}


def indicator(indicator_id: str) -> Indicator:
    """The catalogue entry of ``indicator_id``; an unknown id is an error naming the file."""
    try:
        return catalogue()[indicator_id]
    except KeyError:
        raise AnalysisError(
            f"indicator {indicator_id!r} is not in the catalogue "
            f"(src/analysis/catalogue/{CATALOGUE_FILE.name}); add an entry for it"
        ) from None


def known(indicator_id: str) -> bool:
    """Whether the catalogue has an entry for ``indicator_id``."""
    return indicator_id in catalogue()


def label(indicator_id: str, english: bool = False) -> str:
    """The reader's name of an indicator (Chinese; English beside when asked)."""
    return indicator(indicator_id).label(english)


def heading(indicator_id: str) -> str:
    """The table head of an indicator: its Chinese name with the unit (:meth:`Indicator.heading`)."""
    return indicator(indicator_id).heading()


def _finite(value) -> float | None:
    """``value`` as a finite float, or None when it is missing, not a number or not finite."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def wan(value, digits: int = 1) -> str:
    """Persons as a number of 万 (10,000), without the unit, for people: 1,478,000 → "147.8"; a
    missing or non-finite value → "—"; a value that rounds to zero never prints "-0.0". The one
    万 formatter: tables, the 要点 box, the one-pager, chart labels and :func:`format_number` use it."""
    x = _finite(value)
    return "—" if x is None else f"{round(x / 1e4, digits) + 0.0:,.{digits}f}"


def format_number(value, fmt: str, unit: str = "") -> str:
    """A number for people: 万 for populations, thousands separators, one decimal for shares.

    ``wan`` prints persons in 万 (10,000) with one decimal ("147.8万人" with unit 人); ``int`` a
    whole number with separators; ``pct1`` one decimal and "%"; ``dec1``/``dec2`` decimals;
    ``yuan`` whole yuan with separators. A missing or non-finite value prints "—".
    """
    x = _finite(value)
    if x is None:
        return "—"
    if fmt == "wan":
        return f"{wan(x)}万{unit}"
    if fmt == "pct1":
        return f"{x:,.1f}%"
    suffix = f" {unit}" if unit else ""
    if fmt in ("int", "yuan"):
        return f"{x:,.0f}{suffix}"
    if fmt == "dec1":
        return f"{x:,.1f}{suffix}"
    if fmt == "dec2":
        return f"{x:,.2f}{suffix}"
    raise AnalysisError(f"unknown number format {fmt!r}; expected one of {', '.join(FORMATS)}")

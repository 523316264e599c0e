"""The reporting units: the 13 county-level units the plan counts and the city as their sum.

The plan counts "所有县（市、区）（含泉州开发区、泉州台商投资区）". Each unit has a stable ASCII
id (``jinjiang``), its Chinese name (``晋江市``), aliases a user may type (``晋江``), and the
Fujian minimum-wage tier it belongs to. The table lives in ``data/raw/units.csv`` with the
source of each tier; :func:`resolve` turns anything a user types into a :class:`Unit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .data.units_table import read_units
from .errors import AnalysisError, UnknownUnitError

CITY_ID = "quanzhou"


@dataclass(frozen=True)
class Unit:
    """A reporting unit.

    ``wage_tier`` is the Fujian minimum-wage tier (1 = highest); ``None`` only for the city.
    ``tier_basis`` says whether the tier is published or assumed (see ``units.csv``).
    """

    id: str
    name_zh: str
    name_en: str
    kind: str
    aliases: tuple[str, ...]
    wage_tier: int | None
    tier_basis: str

    @property
    def is_city(self) -> bool:
        return self.id == CITY_ID

    @property
    def label(self) -> str:
        """Display label, Chinese first: ``晋江市 (jinjiang)``."""
        return f"{self.name_zh} ({self.id})"


@lru_cache(maxsize=1)
def _units() -> tuple[Unit, ...]:
    frame = read_units()
    units = []
    for row in frame.itertuples(index=False):
        aliases = tuple(a.strip() for a in str(row.aliases or "").split(";") if a.strip())
        tier = None if row.wage_tier is None or str(row.wage_tier) == "<NA>" else int(row.wage_tier)
        if tier is None and row.unit_id != CITY_ID:
            raise AnalysisError(f"units.csv: unit {row.unit_id} ({row.name_zh}) has no minimum-wage tier")
        units.append(Unit(row.unit_id, row.name_zh, row.name_en, row.kind, aliases, tier, row.tier_basis))
    if not any(u.id == CITY_ID for u in units):
        raise AnalysisError(f"units.csv: the city row '{CITY_ID}' is missing")
    return tuple(units)


def all_units() -> list[Unit]:
    """The 13 reporting units followed by the city, in the plan's order."""
    return list(_units())


def county_units() -> list[Unit]:
    """The 13 county-level reporting units (without the city)."""
    return [u for u in _units() if not u.is_city]


def county_ids() -> list[str]:
    """Ids of the 13 county-level units, in order."""
    return [u.id for u in county_units()]


def city() -> Unit:
    """The city (泉州市), the sum of the 13 units."""
    return next(u for u in _units() if u.is_city)


def resolve(name: str | Unit) -> Unit:
    """The unit a user means by ``name``: an id, Chinese name or alias (case-insensitive).

    Raises :class:`~analysis.errors.UnknownUnitError` listing the valid units otherwise.
    """
    if isinstance(name, Unit):
        return name
    key = str(name).strip().casefold()
    for unit in _units():
        if key in {unit.id.casefold(), unit.name_zh.casefold(), *(a.casefold() for a in unit.aliases)}:
            return unit
    raise UnknownUnitError(str(name), [u.label for u in _units()])


def resolve_many(names: list[str] | None) -> list[Unit]:
    """Resolve a list of names; ``None`` or an empty list means every unit and the city."""
    if not names:
        return all_units()
    return [resolve(n) for n in names]


def by_name_zh(name_zh: str) -> Unit:
    """The unit whose official Chinese name is exactly ``name_zh`` (used on source tables)."""
    for unit in _units():
        if unit.name_zh == name_zh:
            return unit
    raise UnknownUnitError(name_zh, [u.label for u in _units()])

"""Merge a new (possibly partial) table with the table in use, keeping every row it does not touch.

An ingested file is a *change* to the table in use, never a silent replacement: a row of the
new file whose key (the table's unique columns, e.g. ``geography, year, indicator``) is already
in the table replaces that row; a new key is added; every row of the table in use whose key the
new file lacks is kept. So a one-county file for a county new to ``registered_county`` adds
that county and keeps the others (issue 27: such a file used to replace the table and drop
晋江, 南安 and 安溪). Nothing is ever dropped by a merge; :class:`UnitChange` counts, per unit
(the ``geography`` column; ``(table)`` for tables without one), the rows added, replaced, kept
and dropped, which ``ingest`` prints and records in the vintage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

WHOLE_TABLE = "(table)"


@dataclass
class UnitChange:
    """Rows of one unit: added (new keys), replaced (keys already in use), kept (untouched), dropped."""

    added: int = 0
    replaced: int = 0
    kept: int = 0
    dropped: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _keys(frame: pd.DataFrame, key: list[str]) -> list[tuple]:
    """The key of each row as a tuple of normalised strings (``2021`` and ``2021.0`` agree)."""

    def norm(value) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return [tuple(norm(v) for v in row) for row in frame[key].to_numpy()]


def _units(frame: pd.DataFrame, unit_column: str | None) -> list[str]:
    if unit_column and unit_column in frame.columns:
        return [str(u).strip() for u in frame[unit_column]]
    return [WHOLE_TABLE] * len(frame)


def merge_rows(
    new_valid: pd.DataFrame,
    new_text: pd.DataFrame,
    current_valid: pd.DataFrame,
    current_text: pd.DataFrame,
    key: list[str],
    unit_column: str | None = "geography",
) -> tuple[pd.DataFrame | None, dict[str, UnitChange]]:
    """Merge by ``key``: ``(merged text frame or None when nothing is kept, changes per unit)``.

    ``*_valid`` are the validated (type-coerced) frames, used for the keys; ``*_text`` the same
    rows as read (strings), used for the result so stored values keep their spelling. The merged
    frame lists the new rows first (in file order, so a line number of the new file is its line
    in the merged table), then the kept rows. ``None`` means no row of the table in use is kept:
    the new file is stored as it is.
    """
    new_keys = _keys(new_valid, key)
    current_keys = _keys(current_valid, key)
    in_new, in_current = set(new_keys), set(current_keys)
    changes: dict[str, UnitChange] = {}
    for unit, k in zip(_units(new_valid, unit_column), new_keys):
        change = changes.setdefault(unit, UnitChange())
        if k in in_current:
            change.replaced += 1
        else:
            change.added += 1
    keep = [k not in in_new for k in current_keys]
    for unit, kept in zip(_units(current_valid, unit_column), keep):
        if kept:
            changes.setdefault(unit, UnitChange()).kept += 1
    if not any(keep):
        return None, changes
    columns = list(dict.fromkeys(list(new_text.columns) + list(current_text.columns)))
    merged = pd.concat([new_text.reset_index(drop=True), current_text[keep].reset_index(drop=True)], ignore_index=True)
    return merged[columns], changes


def describe(changes: dict[str, UnitChange]) -> list[str]:
    """One line per unit, units the file touched first: ``晋江市: 2 added, 1 replaced, 0 kept, 0 dropped``."""
    touched = [u for u, c in changes.items() if c.added or c.replaced or c.dropped]
    untouched = [u for u in changes if u not in touched]
    return [
        f"{u}: {c.added} added, {c.replaced} replaced, {c.kept} kept, {c.dropped} dropped"
        for u in touched + untouched
        for c in [changes[u]]
    ]

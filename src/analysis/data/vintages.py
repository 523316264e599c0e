"""Where each raw table is read from: ``data/raw`` or the newest ingested vintage.

Ingested files live in ``data/processed/vintages/<table>/<vintage>.csv`` (written by
``python -m analysis ingest``). A run uses the newest vintage unless the environment variable
``QZ_VINTAGE_<TABLE>`` (e.g. ``QZ_VINTAGE_CENSUS2020=raw`` or ``=2025``) pins one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .. import config
from ..errors import AnalysisError

# ASCII only: ``\d`` would accept full-width digits (２０２５), which then sorted after 2030.
VINTAGE_PATTERN = re.compile(r"^(19|20)[0-9]{2}([-_][A-Za-z0-9]{1,20})?$", re.ASCII)


def check_vintage(vintage: str) -> str:
    """A vintage is a year, optionally with a suffix: ``2025``, ``2025-rev1``."""
    if not VINTAGE_PATTERN.fullmatch(str(vintage)):
        raise AnalysisError(
            f"--vintage {str(vintage)[:40]!r} must be a year such as 2025 (optionally with a "
            "suffix of ASCII letters and digits: 2025-rev1)"
        )
    return str(vintage)


def version_key(vintage: str) -> tuple:
    """Sort key of a vintage name: the year, then the suffix with its numbers compared as numbers
    (``2025`` < ``2025-rev2`` < ``2025-rev10`` < ``2026``)."""
    year, suffix = vintage[:4], vintage[5:]
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in re.findall(r"\d+|\D+", suffix))
    return (int(year), len(parts) > 0, parts)


def vintage_dir(table_name: str) -> Path:
    """Folder of ingested vintages for ``table_name``."""
    return config.processed_dir() / "vintages" / table_name


def available_vintages(table_name: str) -> list[str]:
    """Ingested vintages of a table, oldest first by :func:`version_key` (file stems, e.g. ``'2025'``).

    Files whose name is not a valid vintage (``.tmp`` files, ``２０２５.csv``) are ignored.
    """
    folder = vintage_dir(table_name)
    if not folder.is_dir():
        return []
    names = [p.stem for p in folder.glob("*.csv") if p.is_file() and VINTAGE_PATTERN.fullmatch(p.stem)]
    return sorted(names, key=version_key)


def current_vintage(table) -> str:
    """The vintage a run uses for ``table``: pinned by env, else the newest ingested, else ``raw``."""
    return vintage_of(table.name)


def vintage_of(name: str) -> str:
    """The vintage in use for the table or ingest kind ``name`` (see :func:`current_vintage`)."""
    pinned = os.environ.get(f"QZ_VINTAGE_{name.upper()}")
    if pinned:
        if pinned != "raw":
            check_vintage(pinned)
        return pinned
    vintages = available_vintages(name)
    return vintages[-1] if vintages else "raw"


def file_in_use(name: str, raw_path: Path) -> Path:
    """The newest (or pinned) ingested vintage of ``name``, else ``raw_path``."""
    vintage = vintage_of(name)
    return raw_path if vintage == "raw" else vintage_dir(name) / f"{vintage}.csv"


def current_path(table) -> Path:
    """The file a run reads for ``table`` (see :func:`current_vintage`)."""
    return file_in_use(table.name, config.raw_dir() / table.filename)

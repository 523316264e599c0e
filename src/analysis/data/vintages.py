"""Where each raw table is read from: ``data/raw`` or the newest ingested vintage.

Ingested files live in ``data/processed/vintages/<table>/<vintage>.csv`` (written by
``python -m analysis ingest``). A run uses the newest vintage unless the environment variable
``QZ_VINTAGE_<TABLE>`` (e.g. ``QZ_VINTAGE_CENSUS2020=raw`` or ``=2025``) pins one.
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import config


def vintage_dir(table_name: str) -> Path:
    """Folder of ingested vintages for ``table_name``."""
    return config.processed_dir() / "vintages" / table_name


def available_vintages(table_name: str) -> list[str]:
    """Ingested vintages of a table, oldest first (file stems, e.g. ``'2025'``)."""
    folder = vintage_dir(table_name)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.csv"))


def current_vintage(table) -> str:
    """The vintage a run uses for ``table``: pinned by env, else the newest ingested, else ``raw``."""
    return vintage_of(table.name)


def vintage_of(name: str) -> str:
    """The vintage in use for the table or ingest kind ``name`` (see :func:`current_vintage`)."""
    pinned = os.environ.get(f"QZ_VINTAGE_{name.upper()}")
    if pinned:
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

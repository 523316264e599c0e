"""``python -m analysis ingest FILE --kind <table> --vintage YEAR``: store a new data vintage.

The file is validated against the schema of its table (``loaders.TABLES[kind].schema()`` via
:func:`analysis.data.reader.read_validated`) and stored atomically as
``data/processed/vintages/<kind>/<vintage>.csv`` (written under a temporary name in the same
folder, then ``os.replace``). Runs pick the newest vintage automatically
(:mod:`analysis.data.vintages`) and name it in their manifest. A broken file raises
:class:`~analysis.errors.DataValidationError` naming file, line and column (exit status 2)
and nothing under ``data/processed`` or ``reports`` changes.

Base populations (kinds ``population_resident_2020``, ``population_registered_2020``,
``population_resident_2010``): a real table with columns ``unit, sex, age | age_group,
population`` (all 13 units; see :func:`analysis.data.base_population.base_from_table`, which
validates it and splits 5-year groups such as ``0-4`` … ``100+`` into single years). The stored
vintage is the single-year table (``unit, sex, age, population``).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from pathlib import Path

from ..errors import AnalysisError
from . import loaders, schemas
from .reader import read_validated
from .vintages import vintage_dir

VINTAGE_PATTERN = re.compile(r"^\d{4}([-_][A-Za-z0-9]+)?$")
POPULATION_KINDS = {"population_resident_2020": ("resident", 2020),
                    "population_registered_2020": ("registered", 2020),
                    "population_resident_2010": ("resident", 2010)}


def kinds() -> list[str]:
    """Every table ``ingest`` accepts: the raw tables and the base populations."""
    return sorted(loaders.TABLES) + sorted(POPULATION_KINDS)


def check_vintage(vintage: str) -> str:
    """A vintage is a year, optionally with a suffix: ``2025``, ``2025-rev1``."""
    if not VINTAGE_PATTERN.match(str(vintage)):
        raise AnalysisError(f"--vintage {vintage!r} must be a year such as 2025 (optionally 2025-rev1)")
    return str(vintage)


def population_text(path: Path, kind: str) -> str:
    """Validate a base-population table and return it as single years of age (CSV text)."""
    from .base_tables import base_from_table
    from .reader import read_csv_as_text

    base, year = POPULATION_KINDS[kind]
    frame = read_csv_as_text(path)  # clear errors for a missing file or a non-UTF-8 encoding
    table = base_from_table(frame, base, year, source=str(path))
    single = table.frame().rename(columns={"unit_id": "unit"})
    return single.to_csv(index=False)


def prepare(path: Path, kind: str) -> str:
    """Validate ``path`` as table ``kind``; return the CSV text to store (nothing is written)."""
    if kind in POPULATION_KINDS:
        return population_text(path, kind)
    spec = loaders.table(kind)
    read_validated(path, spec.schema(), schemas.CHECK_COLUMNS, schemas.CHECK_MESSAGES)
    return path.read_bytes().decode("utf-8-sig")


def ingest(path: Path | str, kind: str, vintage: str, replace: bool = False) -> Path:
    """Validate ``path`` and store it as vintage ``vintage`` of table ``kind``; returns the stored path.

    Raises DataValidationError for a broken file, AnalysisError for an unknown kind, a bad
    vintage name or an existing vintage (unless ``replace``). Writes nothing on error.
    """
    path = Path(path)
    vintage = check_vintage(vintage)
    if kind not in POPULATION_KINDS:
        loaders.table(kind)  # unknown kinds fail before the file is read
    text = prepare(path, kind)
    folder = vintage_dir(kind)
    target = folder / f"{vintage}.csv"
    if target.exists() and not replace:
        raise AnalysisError(f"vintage {vintage} of {kind} already exists ({target}); use --replace to overwrite")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{vintage}.csv.tmp-{os.getpid()}"
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    loaders.clear_cache()
    return target


def cmd_ingest(args: argparse.Namespace) -> int:
    target = ingest(args.file, args.kind, args.vintage, replace=args.replace)
    rows = sum(1 for _ in io.StringIO(target.read_text(encoding="utf-8"))) - 1
    print(f"stored {args.kind} vintage {args.vintage}: {rows} rows → {target}")
    print("runs now read this vintage (pin another with QZ_VINTAGE_" + args.kind.upper() + "=raw|<vintage>)",
          file=sys.stderr)
    return 0


def register(subparsers) -> None:
    """Add the ``ingest`` command to the main CLI."""
    p = subparsers.add_parser("ingest", help="validate a new data file and store it as a new vintage",
                              description="Validate FILE against the schema of a raw table and store it "
                                          "as data/processed/vintages/<kind>/<vintage>.csv.")
    p.add_argument("file", help="CSV file (UTF-8) in the format of the table")
    p.add_argument("--kind", required=True, choices=kinds(),
                   help="which table the file is a new version of")
    p.add_argument("--vintage", required=True, help="vintage name: the data year, e.g. 2025")
    p.add_argument("--replace", action="store_true", help="overwrite an existing vintage of that name")
    p.set_defaults(func=cmd_ingest)

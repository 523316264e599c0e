"""``python -m analysis ingest``: store a new data vintage, list, roll back, print a template.

``ingest FILE --kind K --vintage V``
    The file is validated on the same path runs use (:mod:`analysis.intake.checks`: schema, finite
    and plausible values, required rows, cross-table checks against the census) and stored
    atomically as ``data/processed/vintages/<kind>/<vintage>.csv`` with a ``<vintage>.json``
    record (source file, sha256, rows, warnings, merge, rows added / replaced / kept / dropped
    per unit). A table the base populations are built from is then tried: they are built with it
(:func:`model_trial`), and a model error refuses it like a gate. A broken file raises :class:`~analysis.errors.DataValidationError` naming file,
    line and column (exit 2) and nothing changes. A table for **any set of units** (new to the
    table or not) is merged with the table in use by the table's key (:mod:`analysis.data.merge`): the rows
    it does not touch are kept, and the command prints what it did per unit. Ingest holds the
    run lock (``reports/.lock``) while it reads the table in use, merges and writes, so a vintage
    never changes under a running run and overlapping ingests never lose an update.
``ingest --list``
    Every kind with its vintages, newest last, and the one runs use.
``ingest --rollback KIND``
    Move the newest vintage of KIND aside (to ``<kind>/.rolled-back/``): runs use the previous one.
``ingest --template KIND``
    A CSV with the expected header and example rows.

Base populations (kinds ``population_resident_2020``, ``population_registered_2020``,
``population_resident_2010``): columns ``unit, sex, age | age_group, population``; 5-year
groups are split into single years. The stored vintage is the single-year table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .. import config
from ..demography import base as base_population  # through the module: tests replace its builder
from ..errors import AnalysisError, DataValidationError, short
from ..run_lock import RunLock
from . import checks
from ..data import loaders, merge
from ..data.vintages import (  # noqa: F401
    VINTAGE_PATTERN,
    available_vintages,
    check_vintage,
    vintage_dir,
    vintage_of,
)

POPULATION_KINDS = checks.POPULATION_KINDS


def kinds() -> list[str]:
    """Every table ``ingest`` accepts: the raw tables and the base populations."""
    return sorted(loaders.TABLES) + sorted(POPULATION_KINDS)


def _check_kind(kind: str) -> None:
    if kind not in POPULATION_KINDS:
        loaders.table(kind)  # unknown kinds fail before the file is read


def _run_lock():
    return RunLock(config.reports_dir() / ".lock", "python -m analysis " + " ".join(sys.argv[1:]))


def _write_atomic(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise AnalysisError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def ingest(path: Path | str, kind: str, vintage: str, replace: bool = False) -> Path:
    """Validate ``path`` and store it as vintage ``vintage`` of table ``kind``; returns the stored path."""
    return store(path, kind, vintage, replace)[0]


def store(path: Path | str, kind: str, vintage: str, replace: bool = False) -> tuple[Path, checks.Prepared]:
    """:func:`ingest`, also returning what validation found (warnings, merge).

    Raises DataValidationError for a broken file, AnalysisError for an unknown kind, a bad
    vintage name or an existing vintage (unless ``replace``), or when a run holds the lock.
    Writes nothing on error.
    """
    path = Path(path)
    vintage = check_vintage(vintage)
    _check_kind(kind)
    folder = vintage_dir(kind)
    target = folder / f"{vintage}.csv"
    with _run_lock():
        # Read the table in use and merge under the lock: two overlapping ingests never both
        # merge with the same old table (the second would silently lose the first's rows).
        prepared = checks.prepare(path, kind)
        if target.exists() and not replace:
            raise AnalysisError(f"vintage {vintage} of {kind} already exists ({target}); use --replace to overwrite")
        record = {
            "kind": kind,
            "vintage": vintage,
            "source": str(path.resolve()),
            "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "sha256": hashlib.sha256(prepared.text.encode("utf-8")).hexdigest(),
            "rows": prepared.rows,
            "ingested": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "merged_from": prepared.merged_from,
            "merged_units": prepared.merged_units,
            "changes": {unit: change.as_dict() for unit, change in prepared.changes.items()},
            "warnings": prepared.warnings,
        }
        folder.mkdir(parents=True, exist_ok=True)
        before = {
            t: t.read_text(encoding="utf-8") if t.exists() else None for t in (target, target.with_suffix(".json"))
        }
        _write_atomic(target, prepared.text)
        _write_atomic(target.with_suffix(".json"), json.dumps(record, ensure_ascii=False, indent=2))
        try:
            model_trial(kind, vintage, path)
        except AnalysisError:
            for t, text in before.items():  # as it was: nothing stored
                if text is None:
                    t.unlink(missing_ok=True)
                else:
                    _write_atomic(t, text)
            raise
        finally:
            loaders.clear_cache()
    return target, prepared


# Tables the base populations are built from (analysis.demography.base): a table that passes
# every gate and still breaks that build (e.g. IPF: negative margin total) is refused at ingest.
BASE_INPUTS = (
    "age_structure_yearbook",
    "census2010",
    "census2020",
    "migrant_age",
    "registered",
    "registered_county",
    "resident2021",
    "wpp_births",
    "wpp_population",
)


def model_trial(kind: str, vintage: str, path: Path) -> None:
    """Build the three base populations with ``vintage`` of ``kind`` in use; a model error is a
    :class:`~analysis.errors.DataValidationError` naming the file (exit 2) instead of an obscure
    failure of every later run (issue 27: such tables used to end runs in "IPF did not converge")."""
    if kind not in BASE_INPUTS and kind not in POPULATION_KINDS:
        return
    name = f"QZ_VINTAGE_{kind.upper()}"
    saved = os.environ.get(name)
    os.environ[name] = vintage
    loaders.clear_cache()
    try:
        for base, year in (("resident", 2020), ("registered", 2020), ("resident", 2010)):
            try:
                base_population.load_base_population(base, year)
            except DataValidationError:
                raise
            except AnalysisError as exc:
                raise DataValidationError(
                    path,
                    None,
                    None,
                    f"a table the {base} {year} base population can be built from (nothing was stored)",
                    f"the model fails with it: {short(str(exc))[1:-1]}",
                ) from None
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


def rollback(kind: str) -> tuple[str, str]:
    """Move the newest vintage of ``kind`` aside; returns (removed, now in use)."""
    _check_kind(kind)
    vintages = available_vintages(kind)
    if not vintages:
        raise AnalysisError(f"{kind} has no ingested vintage to roll back (runs read data/raw)")
    newest = vintages[-1]
    folder = vintage_dir(kind)
    aside = folder / ".rolled-back"
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    with _run_lock():
        aside.mkdir(exist_ok=True)
        for suffix in (".csv", ".json"):
            source = folder / f"{newest}{suffix}"
            if source.exists():
                os.replace(source, aside / f"{newest}.{stamp}{suffix}")
    loaders.clear_cache()
    return newest, (vintages[-2] if len(vintages) > 1 else "raw")


def listing() -> list[str]:
    """One line per kind: its vintages (oldest first) and which one runs use."""
    lines = []
    for kind in kinds():
        vintages = available_vintages(kind)
        in_use = vintage_of(kind)
        shown = []
        for v in vintages:
            meta = _record(kind, v)
            mark = "*" if v == in_use else ""
            extra = f" merged {len(meta.get('merged_units') or [])} units" if meta.get("merged_from") else ""
            shown.append(f"{v}{mark} ({meta.get('rows', '?')} rows{extra})")
        lines.append(f"{kind:<28} in use: {in_use:<12} " + (", ".join(shown) if shown else "(data/raw only)"))
    return lines


def _record(kind: str, vintage: str) -> dict:
    try:
        return json.loads((vintage_dir(kind) / f"{vintage}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def template(kind: str) -> str:
    """CSV text with the expected header and example rows of ``kind``."""
    _check_kind(kind)
    if kind in POPULATION_KINDS:
        rows = [("晋江市", "male", 0, 10512), ("晋江市", "female", 0, 9120), ("晋江市", "male", 1, 10890)]
        body = "".join(f"{u},{s},{a},{p}\n" for u, s, a, p in rows)
        return (
            "unit,sex,age,population\n"
            + body
            + "# one row per unit (all 13, or some to merge), sex and age 0…100 (100 = 100+); "
            "or a column age_group with 0-4 … 95-99, 100+\n"
        )
    spec = loaders.table(kind)
    raw = config.raw_dir() / spec.filename
    frame = pd.read_csv(raw, dtype=str, keep_default_na=False, nrows=3)
    return frame.to_csv(index=False)


def cmd_ingest(args: argparse.Namespace) -> int:
    if args.list:
        print("\n".join(listing()))
        print("(* = the vintage runs use; pin another with QZ_VINTAGE_<KIND>=raw|<vintage>)", file=sys.stderr)
        return 0
    if args.rollback:
        removed, now = rollback(args.rollback)
        print(
            f"rolled back {args.rollback} vintage {removed} (moved to {vintage_dir(args.rollback) / '.rolled-back'}); "
            f"runs now read {now}"
        )
        return 0
    if args.template:
        sys.stdout.write(template(args.template))
        return 0
    if not args.file or not args.kind or not args.vintage:
        raise AnalysisError(
            "ingest needs FILE --kind KIND --vintage YEAR (or --list, --rollback KIND, --template KIND)"
        )
    target, prepared = store(args.file, args.kind, args.vintage, replace=args.replace)
    print(f"stored {args.kind} vintage {args.vintage}: {prepared.rows} rows → {target}")
    if prepared.merged_from:
        print(
            f"merged: the file has {len(prepared.merged_units)} of the units; the others were kept from "
            f"{prepared.merged_from}: {', '.join(prepared.kept_units)}"
        )
    print("rows per unit (added / replaced / kept / dropped):")
    for line in merge.describe(prepared.changes):
        print(f"  {line}")
    for warning in prepared.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"runs now read this vintage (pin another with QZ_VINTAGE_{args.kind.upper()}=raw|<vintage>; "
        f"undo with: python -m analysis ingest --rollback {args.kind})",
        file=sys.stderr,
    )
    return 0


def register(subparsers) -> None:
    """Add the ``ingest`` command to the main CLI."""
    p = subparsers.add_parser(
        "ingest",
        help="validate a new data file and store it as a new vintage",
        description="Validate FILE against the checks of a table and store it "
        "as data/processed/vintages/<kind>/<vintage>.csv.",
    )
    p.add_argument("file", nargs="?", help="CSV file (UTF-8) in the format of the table")
    p.add_argument("--kind", choices=kinds(), help="which table the file is a new version of")
    p.add_argument("--vintage", help="vintage name: the data year, e.g. 2025 (or 2025-rev1)")
    p.add_argument("--replace", action="store_true", help="overwrite an existing vintage of that name")
    p.add_argument("--list", action="store_true", help="list every table's vintages and the one in use")
    p.add_argument(
        "--rollback",
        metavar="KIND",
        choices=kinds(),
        help="set the newest vintage of KIND aside; runs use the previous one",
    )
    p.add_argument(
        "--template", metavar="KIND", choices=kinds(), help="print a CSV with the expected header and example rows"
    )
    p.set_defaults(func=cmd_ingest)

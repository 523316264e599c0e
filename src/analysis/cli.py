"""Command line: ``python -m analysis <command>``.

Commands
--------
validate   check every raw table against its schema; one line per table; exit 2 on bad data
run        run every notebook for every unit into reports/ (see analysis.run)
ingest     validate a new data file and store it as a new vintage (see analysis.intake.ingest)
vintages   score every registered forecast vintage against the registry figures after its origin

Errors the suite raises on purpose (:class:`~analysis.errors.AnalysisError`) are printed as one
message and exit with status 2; nothing under ``data/processed`` or ``reports`` is touched.
"""

from __future__ import annotations

import argparse
import sys

from .errors import AnalysisError
from . import config
from .run import cli as run_cli

EXIT_BAD_INPUT = 2
MAX_ERROR = 2000  # one bounded message, whatever the input


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate every table a run reads (raw tables, vintages in use, base tables); one line each."""
    from .data import loaders  # heavy (pandas): only this command reads every table
    from .intake import checks  # heavy (pandas, the models): as above

    results = checks.check_in_use()
    failures = 0
    for check in results:
        if check.error is not None:
            failures += 1
            print(f"FAIL  {check.name:<28} {check.error}")
            continue
        spec = loaders.TABLES.get(check.name)
        note = f"  (estimates: {spec.estimates})" if spec is not None and spec.estimates else ""
        print(f"ok    {check.name:<28} {check.rows:>5} rows  {check.path.name}{note}")
        for warning in check.warnings:
            print(f"      warning: {warning}")
    if failures:
        print(
            f"{failures} table(s) failed validation; fix the file named, or roll a bad vintage back with "
            "python -m analysis ingest --rollback KIND",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    print(f"all {len(results)} tables valid")
    return 0


def cmd_vintages(args: argparse.Namespace) -> int:
    """Write the scored vintages (:mod:`analysis.demography.vintage_scores`) to a CSV; one line each."""
    from pathlib import Path

    from .data import plans  # the models and the plans: only this command needs them
    from .demography import vintage_scores
    from .present.vintage_table import origins

    end_year = plans.load_plan(plans.default_plan_id()).period_end
    table = vintage_scores.vintages(tuple(args.origins or origins()), end_year, draws=args.draws, seed=args.seed)
    out = Path(args.out) if args.out else config.reports_dir() / "vintages.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, encoding="utf-8")
    for origin, grp in table.groupby("origin"):
        print(
            f"origin {origin}: {len(grp)} later observations, median |error| {grp['error_pct'].abs().median():.1f} %, "
            f"{int(grp['inside_band'].sum())} inside p10–p90"
        )
    print(f"wrote {out}")
    return 0


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The CLI's parser; ``only="run"`` registers just ``run`` (and ``validate``), so a run does
    not import the modules (pandas …) of the other commands — an unchanged ``--incremental``
    rerun needs none of them."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis", description="泉州市民政事业发展规划预测 Quanzhou civil-affairs forecast suite"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_validate = sub.add_parser("validate", help="check every raw data table")
    p_validate.set_defaults(func=cmd_validate)
    p_vint = sub.add_parser("vintages", help="score registered forecast vintages against later registry figures")
    p_vint.add_argument(
        "--origins",
        type=int,
        nargs="+",
        help="year-ends to project from (default: the census year and every later year with registry figures)",
    )
    p_vint.add_argument("--draws", type=int, default=50)
    p_vint.add_argument("--seed", type=int, default=20201101)
    p_vint.add_argument("--out", help="CSV to write (default reports/vintages.csv)")
    p_vint.set_defaults(func=cmd_vintages)
    _add_registered_commands(sub, only)
    return parser


def _add_registered_commands(sub, only: str | None = None) -> None:
    """Commands whose modules register their own options (runner, ingest)."""

    run_cli.register(sub)
    if only == "run":
        return
    from .present import compare  # heavy (pandas, matplotlib): a run builds its parser without them
    from .intake import ingest  # heavy (pandas): kept off the light path of a run, as compare

    ingest.register(sub)
    compare.register(sub)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(only="run" if argv[:1] == ["run"] else None)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AnalysisError as exc:
        print(f"error: {str(exc)[:MAX_ERROR]}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # a full disk, a read-only reports/, a file that vanished: not a bug
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"error: cannot read or write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        print("error: an input is nested too deeply (a cycle?)", file=sys.stderr)
        return EXIT_BAD_INPUT

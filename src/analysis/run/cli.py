"""``python -m analysis run``: every notebook for every unit into ``reports/runs/<run-id>/``.

Exit status: 0 complete; 1 partial or failed (some or all notebooks failed, or the tables could
not be computed); 2 bad options or input; 3 another run holds ``reports/.lock``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..config import DEFAULT_END_YEAR
from ..errors import AnalysisError
from .params import read_params_file, split_parameters  # noqa: F401 - part of this module's API
from .publish import check_run_name
from ..scenarios import parse_overrides
from .runner import RunOptions
from .lock import RunLockedError
from .runner import run

EXIT_LOCKED = 3


def options_from_args(args: argparse.Namespace):
    """Build :class:`~analysis.run.runner.RunOptions` from parsed arguments."""

    pairs: dict[str, Any] = {}
    if args.params_file:
        pairs.update(read_params_file(args.params_file))
    pairs.update(parse_overrides(args.param or []))
    extras, overrides = split_parameters(pairs)
    units = _names("--units", args.units)
    notebooks = _names("--notebooks", args.notebooks)
    return RunOptions(
        units=units or None,
        notebooks=notebooks or None,
        scenario=args.scenario,
        base=args.base,
        start_year=args.start_year,
        end_year=args.end_year,
        draws=args.draws,
        seed=args.seed,
        params=extras,
        overrides=overrides,
        workers=args.workers,
        scheduler=args.scheduler,
        incremental=args.incremental,
        keep=args.keep,
        quiet=args.quiet,
        run_id=args.run_id,
        name=check_run_name(args.name),
        publish=args.publish,
        cold_kernels=args.cold_kernels,
        no_speed=args.no_speed,
        plan=args.plan,
        report_year=args.report_year,
        origin=args.origin,
        command="python -m analysis " + " ".join(sys.argv[1:]),
    )


def _names(option: str, items: list[str] | None) -> list[str]:
    """Comma- or space-separated names; an option given with nothing in it is an error."""
    if items is None:
        return []
    names = [n.strip() for item in items for n in item.split(",") if n.strip()]
    if not names:
        raise AnalysisError(f"{option} was given without any name; leave it out to run them all")
    return names


def cmd_run(args: argparse.Namespace) -> int:

    options = options_from_args(args)
    try:
        outcome = run(options)
    except RunLockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    return outcome.exit_code


def register(subparsers) -> None:
    """Add the ``run`` command to the main CLI."""
    p = subparsers.add_parser(
        "run",
        help="run every notebook for every unit into reports/",
        description="Execute the notebooks for each reporting unit (papermill, parallel) and publish "
        "reports/runs/<run-id>/ (HTML, Excel, tables, manifest); reports/latest points at it.",
    )
    p.add_argument(
        "--units",
        nargs="+",
        metavar="UNIT",
        help="unit ids or Chinese names (晋江, jinjiang…); default: all 13 units and the city",
    )
    p.add_argument(
        "--notebooks",
        nargs="+",
        metavar="NB",
        help="notebook names or number prefixes (01, 02_elder_care_beds…); default: all 0* per "
        "unit, then 90_city_overview and 91_backtest once",
    )
    p.add_argument("--scenario", default="baseline", help="scenario name or YAML path (default baseline)")
    p.add_argument(
        "--base",
        default="registered",
        choices=["registered", "resident"],
        help="population base for the notebooks: registered 户籍 or resident 常住 (tables have both)",
    )
    p.add_argument("--start-year", type=int, default=2020, help="base year of the projection (default 2020)")
    p.add_argument(
        "--origin",
        type=int,
        metavar="YEAR",
        help="year-end the registered projection jumps off from (2020 = the census base; default: the "
        "latest year with registry figures); the resident base always starts at the 2020 census",
    )
    p.add_argument(
        "--end-year",
        type=int,
        default=DEFAULT_END_YEAR,
        help=f"projection horizon (default {DEFAULT_END_YEAR}, max 2050)",
    )
    p.add_argument(
        "--plan",
        metavar="PLAN_ID",
        help="the plan the run tracks (data/raw/plans/<id>.csv; default: the city's current plan)",
    )
    p.add_argument(
        "--report-year",
        type=int,
        metavar="YEAR",
        help="the year the reports lead with (default: the tracked plan's end year)",
    )
    p.add_argument("--draws", type=int, default=200, help="stochastic draws (default 200)")
    p.add_argument("--seed", type=int, default=20201101, help="random seed (default 20201101)")
    p.add_argument(
        "-p",
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="repeatable; dotted names override the scenario (beds.occupancy_pct=75), others are "
        "extra notebook parameters",
    )
    p.add_argument("--params-file", metavar="FILE.yaml", help="parameters as YAML (same meaning as -p)")
    p.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="dask.distributed scheduler address (tcp://host:8786): run jobs on the cluster",
    )
    p.add_argument(
        "--incremental", action="store_true", help="reuse outputs of jobs unchanged since the last complete run"
    )
    p.add_argument(
        "--keep",
        type=int,
        default=10,
        metavar="N",
        help="keep the N most recent run folders, never the latest or last complete one (default 10; 0 keeps all)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar; only the final summary (for cron)")
    p.add_argument("--run-id", help="name of the run folder (default YYYYMMDD-HHMMSS-pid)")
    p.add_argument("--name", help="readable name of the run, shown in reports/index.html (default: scenario and scope)")
    p.add_argument(
        "--publish",
        action="store_true",
        help="point reports/latest at this run even if it covers only some units or notebooks (a full run always does)",
    )
    p.add_argument(
        "--cold-kernels",
        action="store_true",
        help="start a fresh Jupyter kernel for every notebook instead of reusing one warm kernel "
        "per worker (also QZ_COLD_KERNELS=1; always so with --scheduler)",
    )
    p.add_argument(
        "--no-speed",
        action="store_true",
        help="switch the speed machinery off: no model cache, file memo or text-measure cache, "
        "cold kernels, no prefetch; the same tables, slower (also QZ_SPEED=off)",
    )
    p.set_defaults(func=cmd_run)

"""``python -m analysis run``: every notebook for every unit into ``reports/runs/<run-id>/``.

Exit status: 0 complete; 1 partial or failed (some or all notebooks failed, or the tables could
not be computed); 2 bad options or input; 3 another run holds ``reports/.lock``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import yaml

from ..errors import AnalysisError

EXIT_LOCKED = 3


def split_parameters(pairs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(notebook extras, scenario overrides): dotted names (``beds.occupancy_pct``) are overrides."""
    extras = {k: v for k, v in pairs.items() if "." not in k}
    overrides = {k: v for k, v in pairs.items() if "." in k}
    return extras, overrides


def read_params_file(path: str) -> dict[str, Any]:
    """A YAML mapping of parameters; scenario sections (``beds: {occupancy_pct: 75}``) become dotted keys."""
    try:
        with open(path, encoding="utf-8") as handle:
            tree = yaml.safe_load(handle) or {}
    except OSError as exc:
        raise AnalysisError(f"--params-file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise AnalysisError(f"--params-file {path}: not valid YAML: {exc}") from None
    if not isinstance(tree, dict):
        raise AnalysisError(f"--params-file {path}: expected a mapping of name: value")
    from ..scenarios import _flatten  # same {value, source} rules as scenario files

    return _flatten(tree)[0]


def options_from_args(args: argparse.Namespace):
    """Build :class:`~analysis.run.runner.RunOptions` from parsed arguments."""
    from ..scenarios import parse_overrides
    from .runner import RunOptions

    pairs: dict[str, Any] = {}
    if args.params_file:
        pairs.update(read_params_file(args.params_file))
    pairs.update(parse_overrides(args.param or []))
    extras, overrides = split_parameters(pairs)
    units = [u for item in (args.units or []) for u in item.split(",") if u.strip()]
    notebooks = [n for item in (args.notebooks or []) for n in item.split(",") if n.strip()]
    return RunOptions(units=units or None, notebooks=notebooks or None, scenario=args.scenario, base=args.base,
                      start_year=args.start_year, end_year=args.end_year, draws=args.draws, seed=args.seed,
                      params=extras, overrides=overrides, workers=args.workers, scheduler=args.scheduler,
                      incremental=args.incremental, keep=args.keep, quiet=args.quiet, run_id=args.run_id,
                      command="python -m analysis " + " ".join(sys.argv[1:]))


def cmd_run(args: argparse.Namespace) -> int:
    from .lock import RunLockedError
    from .runner import run

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
        "run", help="run every notebook for every unit into reports/",
        description="Execute the notebooks for each reporting unit (papermill, parallel) and publish "
                    "reports/runs/<run-id>/ (HTML, Excel, tables, manifest); reports/latest points at it.")
    p.add_argument("--units", nargs="+", metavar="UNIT",
                   help="unit ids or Chinese names (晋江, jinjiang…); default: all 13 units and the city")
    p.add_argument("--notebooks", nargs="+", metavar="NB",
                   help="notebook names or number prefixes (01, 02_elder_care_beds…); default: all 0* per "
                        "unit, then 90_city_overview and 91_backtest once")
    p.add_argument("--scenario", default="baseline", help="scenario name or YAML path (default baseline)")
    p.add_argument("--base", default="registered", choices=["registered", "resident"],
                   help="population base for the notebooks: registered 户籍 or resident 常住 (tables have both)")
    p.add_argument("--start-year", type=int, default=2020, help="base year of the projection (default 2020)")
    p.add_argument("--end-year", type=int, default=2035, help="projection horizon (default 2035, max 2050)")
    p.add_argument("--draws", type=int, default=200, help="stochastic draws (default 200)")
    p.add_argument("--seed", type=int, default=20201101, help="random seed (default 20201101)")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                   help="repeatable; dotted names override the scenario (beds.occupancy_pct=75), others are "
                        "extra notebook parameters")
    p.add_argument("--params-file", metavar="FILE.yaml", help="parameters as YAML (same meaning as -p)")
    p.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="dask.distributed scheduler address (tcp://host:8786): run jobs on the cluster")
    p.add_argument("--incremental", action="store_true",
                   help="reuse outputs of jobs unchanged since the last complete run")
    p.add_argument("--keep", type=int, default=10, metavar="N",
                   help="keep the N most recent run folders, never the latest or last complete one "
                        "(default 10; 0 keeps all)")
    p.add_argument("--quiet", action="store_true", help="no progress bar; only the final summary (for cron)")
    p.add_argument("--run-id", help="name of the run folder (default YYYYMMDD-HHMMSS-pid)")
    p.set_defaults(func=cmd_run)

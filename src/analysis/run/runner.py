"""Run every notebook for every unit: plan the jobs, compute the tables, execute, publish.

:func:`run` is what ``python -m analysis run`` calls. One parent process computes the run's
tables (:mod:`analysis.run.tables`), then drives all notebook jobs through one executor (local
worker processes or dask.distributed) and publishes the run folder atomically
(:mod:`analysis.run.publish`). The work of a real run (tables, jobs, workbooks, products, manifest)
is :mod:`analysis.run.staging`, imported only once an unchanged ``--incremental`` rerun is ruled
out: this module imports no pandas (:mod:`analysis.run.speed.unchanged`).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import config, geography
from ..errors import AnalysisError
from . import manifest as mf
from . import publish
from .speed import unchanged
from .executors import make_executor
from .inputs import source_hash
from .jobs import Job, JobResult, run_job
from .lock import RunLock
from .origin import check_origin, latest_data_year
from .params import check_parameters, check_year_parameters
from .planning import notebook_parameters, pairs_for, plan_jobs, reuse_previous  # noqa: F401 - API
from .print_setup import no_pdf_line
from .resources import (  # noqa: F401
    MAX_DRAWS,
    MAX_WORKERS,
    available_memory,
    check_memory,
    memory_needed,
)
from .scoped import RunTerminated  # noqa: F401
from .scoped import terminate_cleanly as _terminate_cleanly
from ..scenarios import load_scenario, scenario_chain
from .runs_index import write_runs_index

EXIT_OK, EXIT_PARTIAL, EXIT_FAILED = 0, 1, 1
BASES = ("resident", "registered")
CITY_NOTEBOOKS = ("90_city_overview", "91_backtest", "92_plan_ledger")  # run once, for the city only
MAX_END_YEAR = 2050
PROJECTION_START = 2020  # the only base year the projection starts from (demography.projection)
MAX_SEED = 2**32 - 1


@dataclass
class RunOptions:
    """Options of one run (the CLI flags of ``python -m analysis run``)."""

    units: list[str] | None = None
    notebooks: list[str] | None = None
    scenario: str = "baseline"
    base: str = "registered"
    start_year: int = 2020
    end_year: int = config.DEFAULT_END_YEAR
    draws: int = 200
    seed: int = 20201101
    params: dict[str, Any] = field(default_factory=dict)  # extra notebook parameters
    overrides: dict[str, Any] = field(default_factory=dict)  # dotted scenario overrides
    workers: int = 2
    scheduler: str | None = None
    incremental: bool = False
    keep: int = 10  # run folders kept in reports/runs (0 = all)
    quiet: bool = False
    run_id: str | None = None
    command: str | None = None
    name: str | None = None  # readable run name (default: scenario and scope)
    publish: bool = False  # a subset run moves reports/latest only when asked
    cold_kernels: bool = False  # a fresh kernel per job (papermill's own), not warm ones
    no_speed: bool = False  # every speed hook at its default (analysis.run.speed; also QZ_SPEED=off)
    plan: str | None = None  # the plan tracked (data/raw/plans/<id>.csv); None = the city's current
    report_year: int | None = None  # the year reports lead with; None = the tracked plan's end year
    origin: int | None = None  # registered jump-off year-end; None = the latest data year (issue 25)


@dataclass
class RunOutcome:
    """What a run produced: its id, folder, status and manifest, and the process exit code."""

    run_id: str
    run_dir: Path
    status: str
    manifest: dict[str, Any]
    exit_code: int
    latest_moved: bool


def _now() -> str:
    return mf.utc_now()  # stored in UTC whatever TZ says; ordering parses it (issue 27)


def check_options(options: RunOptions) -> None:
    """Bad options are errors before anything is written."""
    if options.base not in BASES:
        raise AnalysisError(f"--base must be one of {list(BASES)}, not {options.base!r}")
    if not (2000 <= options.start_year < options.end_year <= MAX_END_YEAR):
        raise AnalysisError(
            f"years must satisfy 2000 <= start ({options.start_year}) < end ({options.end_year}) <= {MAX_END_YEAR}"
        )
    if options.start_year != PROJECTION_START:
        raise AnalysisError(
            f"--start-year must be {PROJECTION_START}, the base year of the projection (the "
            f"census year; 2010 is used only by the backtest), not {options.start_year}"
        )
    if not 0 <= options.seed <= MAX_SEED:
        raise AnalysisError(f"--seed must be a whole number 0…{MAX_SEED:,} (numpy's range), not {options.seed}")
    if not 1 <= options.draws <= MAX_DRAWS:
        raise AnalysisError(f"--draws must be between 1 and {MAX_DRAWS:,}, not {options.draws}")
    if not 1 <= options.workers <= MAX_WORKERS:
        raise AnalysisError(f"--workers must be between 1 and {MAX_WORKERS}, not {options.workers}")
    if options.keep < 0:
        raise AnalysisError(f"--keep must be 0 (keep all) or more, not {options.keep}")
    # The registered projection jumps off from the latest estimate year before the horizon unless
    # told (issue 25); the index says when the data reach further (origin.latest_possible).
    default = max(PROJECTION_START, min(latest_data_year(), options.end_year - 1))
    options.origin = check_origin(default if options.origin is None else options.origin)
    if options.origin >= options.end_year:
        raise AnalysisError(f"--origin {options.origin} must be before --end-year {options.end_year}")
    if options.report_year is not None and not options.start_year <= options.report_year <= options.end_year:
        raise AnalysisError(
            f"--report-year must lie within the projection {options.start_year}–{options.end_year}, "
            f"not {options.report_year}"
        )
    check_memory(options)


def available_notebooks() -> dict[str, Path]:
    """Notebooks by stem in ``notebooks/`` (sorted)."""
    return {p.stem: p for p in sorted(config.notebooks_dir().glob("*.ipynb"))}


def select_notebooks(names: list[str] | None, with_city: bool) -> tuple[list[Path], list[Path]]:
    """(per-unit notebooks, city-once notebooks).

    Default: every ``0*.ipynb`` per unit, then ``90_city_overview`` and ``91_backtest`` once for
    the city (when the city is among the units); ``99_*`` only when named. A name matches a
    notebook's stem, its file name or its number prefix (``01``).
    """
    found = available_notebooks()
    if names:
        chosen = []
        for name in names:
            key = Path(name).stem
            hits = [p for stem, p in found.items() if stem == key or stem.split("_", 1)[0] == key]
            if not hits:
                raise AnalysisError(f"unknown notebook {name!r}; notebooks: {', '.join(found) or '(none)'}")
            chosen.extend(hits)
        chosen = list(dict.fromkeys(chosen))
        per_unit = [p for p in chosen if p.stem.startswith("0")]
        once = [p for p in chosen if not p.stem.startswith("0")]
        return per_unit, once
    per_unit = [p for stem, p in found.items() if stem.startswith("0")]
    once = [found[s] for s in CITY_NOTEBOOKS if s in found] if with_city else []
    return per_unit, once


def run(options: RunOptions, job_fn: Callable[[Job], JobResult] = run_job, executor=None) -> RunOutcome:
    """Execute a whole run (see the module docstring). Returns a :class:`RunOutcome`.

    Raises :class:`~analysis.errors.AnalysisError` for bad options (before anything is
    written) and :class:`~analysis.run.lock.RunLockedError` when another run holds the lock.
    """

    check_options(options)
    key = unchanged.run_key(options, scenario_chain(options.scenario), source_hash())
    if options.incremental:  # nothing changed since a kept complete run: link it, publish, done
        outcome = _unchanged_rerun(options, key)
        if outcome is not None:
            return outcome
    # Imported here, once: the real run's machinery (pandas, the models, matplotlib, openpyxl) is
    # kept off the light path of the unchanged rerun above (test_runner_unchanged).
    from . import staging as real_run

    real_run.resolve_plan(options)
    units = geography.resolve_many(options.units)
    units = list(dict.fromkeys(units))
    per_unit, once = select_notebooks(options.notebooks, geography.CITY_ID in [u.id for u in units])
    check_parameters(options.params, options.overrides, per_unit + once)  # no shadowing, no unknown names
    check_year_parameters(options.params, options.start_year, options.end_year)  # no 'nan%' pages
    scenario = load_scenario(options.scenario, options.overrides or None)
    chain = scenario_chain(options.scenario)  # the file itself, then its extends parents
    executor = executor or make_executor(options.workers, options.scheduler)

    with _terminate_cleanly(), RunLock(config.reports_dir() / ".lock", options.command):
        data_warnings = real_run.refuse_invalid()  # a failing table or vintage stops the run here (exit 2)
        run_id = publish.check_run_id(options.run_id or publish.new_run_id())
        publish.remove_abandoned_staging()  # left by a killed run; safe: we hold the lock
        staging = publish.staging_dir(run_id)
        try:
            pairs = pairs_for(options, [u.id for u in units], select_notebooks)
            manifest, publishable = real_run.run_in_staging(
                options, units, scenario, chain, run_id, staging, pairs, job_fn, executor, data_warnings, key
            )
            return _publish(options, staging, run_id, manifest, publishable)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            getattr(executor, "close", lambda: None)()  # workers warmed up for jobs that never ran


def _unchanged_rerun(options: RunOptions, key: str) -> RunOutcome | None:
    """The run made of hard links to a kept complete run with the same key (None: none verifies).

    Runs before units are resolved or tables are read, so it imports no pandas
    (:mod:`analysis.run.speed.unchanged`)."""
    clock, started = time.perf_counter(), _now()
    with _terminate_cleanly(), RunLock(config.reports_dir() / ".lock", options.command):
        found = unchanged.find_reusable(key)
        if found is None:
            return None
        run_id = publish.check_run_id(options.run_id or publish.new_run_id())
        publish.remove_abandoned_staging()
        staging = publish.staging_dir(run_id)
        try:
            manifest = unchanged.reuse_run(*found, staging, run_id, started, options, key, time.perf_counter() - clock)
            return _publish(options, staging, run_id, manifest, True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _publish(options, staging: Path, run_id: str, manifest: dict[str, Any], publishable: bool) -> RunOutcome:
    """Rename the staging folder into place, move ``reports/latest`` if due, prune, index, report."""
    status = manifest["status"]
    run_dir = publish.finalize(staging, run_id)
    # Only a full run (or one asked to, --publish) replaces the index a reader has bookmarked.
    moved = publishable and (manifest["full"] or options.publish)
    if moved:
        publish.switch_latest(run_dir)
    publish.prune_runs(options.keep, finishing=run_dir)

    write_runs_index()  # reports/index.html: every kept run with its name, scope and status
    code_ = EXIT_OK if status == "complete" else (EXIT_PARTIAL if status == "partial" else EXIT_FAILED)
    outcome = RunOutcome(run_id, run_dir, status, manifest, code_, moved)
    print(summary_line(outcome), flush=True)
    return outcome


def summary_line(outcome: RunOutcome) -> str:
    """One line for people and cron mail: status, counts, time, where the run is."""
    jobs = outcome.manifest["jobs"]
    count = {s: sum(j["status"] == s for j in jobs) for s in ("ok", "failed", "skipped")}
    line = (
        f"run {outcome.run_id}: {outcome.status} — {count['ok']} ok, {count['failed']} failed, "
        f"{count['skipped']} reused of {len(jobs)} jobs in {outcome.manifest['seconds']:.1f} s → "
        f"{outcome.run_dir}" + (" (reports/latest)" if outcome.latest_moved else " (reports/latest unchanged)")
    )
    if outcome.manifest.get("error"):
        line += "\n" + outcome.manifest["error"]
    for what in outcome.manifest.get("missing") or []:
        line += f"\n  MISSING {what}"
    for job in jobs:
        if job["status"] == "failed":
            line += f"\n  FAILED {job['unit']}/{job['notebook']}: {job['error_name']}: {job['error_message']}"
    no_pdf = no_pdf_line(outcome.manifest)  # last: a fresh machine without Chromium (issue 28)
    return line + ("\n" + no_pdf if no_pdf else "")

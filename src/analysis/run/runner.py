"""Run every notebook for every unit: plan the jobs, compute the tables, execute, publish.

:func:`run` is what ``python -m analysis run`` calls. One parent process computes the run's
tables (:mod:`analysis.run.tables`), then drives all notebook jobs through one executor (local
worker processes or dask.distributed) and publishes the run folder atomically
(:mod:`analysis.run.publish`).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import config, geography
from ..errors import AnalysisError
from ..notes import note
from ..sanitiser import sanitise_page
from . import manifest as mf
from . import publish, unchanged
from .changes import record_changes
from .executors import make_executor
from .inputs import source_hash
from .jobs import Job, JobResult, run_job
from .lock import RunLock
from .origin import (
    check_origin,
    estimate_record,
    latest_data_year,
    origin_summary,
    since_previous,
)
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
from .scoped import environment as _environment
from .scoped import terminate_cleanly as _terminate_cleanly
from .warm_kernel import ENV_COLD
from ..scenarios import load_scenario, scenario_chain
from .citation import citation_info, citation_rows
from .executors import LocalExecutor
from .html import render_index
from .inputs import snapshot
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
    end_year: int = 2035
    draws: int = 200
    seed: int = 20201101
    params: dict[str, Any] = field(default_factory=dict)      # extra notebook parameters
    overrides: dict[str, Any] = field(default_factory=dict)   # dotted scenario overrides
    workers: int = 2
    scheduler: str | None = None
    incremental: bool = False
    keep: int = 10                     # run folders kept in reports/runs (0 = all)
    quiet: bool = False
    run_id: str | None = None
    command: str | None = None
    name: str | None = None            # readable run name (default: scenario and scope)
    publish: bool = False              # a subset run moves reports/latest only when asked
    cold_kernels: bool = False         # a fresh kernel per job (papermill's own), not warm ones
    plan: str | None = None            # the plan tracked (data/raw/plans/<id>.csv); None = the city's current
    report_year: int | None = None     # the year reports lead with; None = the tracked plan's end year
    origin: int | None = None          # registered jump-off year-end; None = the latest data year (issue 25)


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
        raise AnalysisError(f"years must satisfy 2000 <= start ({options.start_year}) < end "
                            f"({options.end_year}) <= {MAX_END_YEAR}")
    if options.start_year != PROJECTION_START:
        raise AnalysisError(f"--start-year must be {PROJECTION_START}, the base year of the projection (the "
                            f"census year; 2010 is used only by the backtest), not {options.start_year}")
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
        raise AnalysisError(f"--report-year must lie within the projection {options.start_year}–{options.end_year}, "
                            f"not {options.report_year}")
    check_memory(options)


def resolve_plan(options: RunOptions) -> None:
    """Fill in the tracked plan (default: the city's current plan) and the report year (default:
    its end year, within the projection); an unknown plan is an error before anything is written."""
    from ..data import plans
    from .tables import report_year_of

    options.plan = plans.load_plan(options.plan or plans.default_plan_id()).id
    options.report_year = report_year_of(options.plan, options.start_year, options.end_year, options.report_year)


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


def run_status(results: list[JobResult], tables_ok: bool) -> str:
    """``complete`` (every job ok or reused), ``partial`` (some ok) or ``failed`` (none ok)."""
    if not tables_ok:
        return "failed"
    good = sum(r.status in ("ok", "skipped") for r in results)
    if good == len(results):
        return "complete"
    return "partial" if good else "failed"


def _progress(total: int, quiet: bool):
    from tqdm import tqdm

    return tqdm(total=total, disable=quiet or total == 0, unit="job", desc="notebooks 报告",
                dynamic_ncols=True, file=sys.stderr)


def run(options: RunOptions, job_fn: Callable[[Job], JobResult] = run_job,
        executor=None) -> RunOutcome:
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
    resolve_plan(options)
    units = geography.resolve_many(options.units)
    units = list(dict.fromkeys(units))
    per_unit, once = select_notebooks(options.notebooks, geography.CITY_ID in [u.id for u in units])
    check_parameters(options.params, options.overrides, per_unit + once)  # no shadowing, no unknown names
    check_year_parameters(options.params, options.start_year, options.end_year)  # no 'nan%' pages
    scenario = load_scenario(options.scenario, options.overrides or None)
    chain = scenario_chain(options.scenario)  # the file itself, then its extends parents
    executor = executor or make_executor(options.workers, options.scheduler)

    with _terminate_cleanly(), RunLock(config.reports_dir() / ".lock", options.command):
        from ..data.checks import refuse_invalid

        data_warnings = refuse_invalid()  # a failing table or vintage stops the run here (exit 2)
        run_id = publish.check_run_id(options.run_id or publish.new_run_id())
        publish.remove_abandoned_staging()  # left by a killed run; safe: we hold the lock
        staging = publish.staging_dir(run_id)
        try:
            return _run_in_staging(options, units, scenario, chain, run_id, staging, job_fn, executor,
                                   data_warnings, key)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            getattr(executor, "close", lambda: None)()  # workers warmed up for jobs that never ran


def _unchanged_rerun(options: RunOptions, key: str) -> RunOutcome | None:
    """The run made of hard links to a kept complete run with the same key (None: none verifies).

    Runs before units are resolved or tables are read, so it imports no pandas
    (:mod:`analysis.run.unchanged`)."""
    clock, started = time.perf_counter(), _now()
    with _terminate_cleanly(), RunLock(config.reports_dir() / ".lock", options.command):
        found = unchanged.find_reusable(key)
        if found is None:
            return None
        run_id = publish.check_run_id(options.run_id or publish.new_run_id())
        publish.remove_abandoned_staging()
        staging = publish.staging_dir(run_id)
        try:
            manifest = unchanged.reuse_run(*found, staging, run_id, started, options, key,
                                           time.perf_counter() - clock)
            return _publish(options, staging, run_id, manifest, True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _run_in_staging(options, units, scenario, chain, run_id, staging, job_fn, executor,
                    data_warnings=(), key: str = "") -> RunOutcome:
    from .excel import WorkbookWriter
    from .onepager import page_years
    from .tables import build_tables, key_results, ledger_counts, odds_rows

    started, clock = _now(), time.perf_counter()
    scenario_file = chain[0]
    vintages = mf.vintages_in_use()
    pairs = pairs_for(options, [u.id for u in units], select_notebooks)
    # Every input is copied and hashed once; the tables and every kernel read only that copy.
    plain = load_scenario(scenario_file) if scenario.overrides else scenario
    snap = snapshot(staging / "inputs", plain, chain, list(dict.fromkeys(nb for _, nb in pairs)), vintages,
                    options.overrides)
    inputs = snap.inputs
    # The projection is computed once (for the tables) and loaded by every notebook's kernel.
    model_cache = staging / ".cache"
    from .. import cache

    env = {"QZ_FORECAST_ROOT": str(snap.root), cache.ENV_VAR: str(model_cache), **mf.vintage_env(vintages),
           "QZ_CHART_FILES": "1"}  # kernels also publish each chart as 200-dpi PNG and SVG (plots.print_formats)
    cold = options.cold_kernels or bool(options.scheduler)  # a dask worker may run jobs in threads
    if cold:
        env[ENV_COLD] = "1"
    code = {**mf.code_version(), "source_sha256": source_hash()}
    jobs = plan_jobs(options, pairs, staging, snap, env, code["source_sha256"], plain.name,
                     capture_stderr=isinstance(executor, LocalExecutor))

    latest = publish.latest_run()
    origin = {**origin_summary(options.origin),
              "since_previous": since_previous(mf.read_manifest(latest) if latest else None, inputs)}
    with _environment(env):  # the snapshot's data: what the registered base of the origin rests on
        origin["estimates"] = estimate_record(options.origin, scenario)
    manifest: dict[str, Any] = {
        "run_id": run_id, "started": started, "finished": None, "status": None,
        "command": options.command,
        "scenario": {"name": scenario.name, "file": str(scenario_file), "description": scenario.description,
                     "overrides": scenario.overrides, "values": scenario.values, "sources": scenario.sources},
        "parameters": {"units": [u.id for u in units], "notebooks": sorted({j.stem for j in jobs}),
                       "scenario": str(options.scenario), "base": options.base,
                       "start_year": options.start_year, "origin": options.origin,
                       "end_year": options.end_year, "draws": options.draws,
                       "seed": options.seed, "extra": options.params, "overrides": options.overrides,
                       "workers": options.workers, "scheduler": options.scheduler,
                       "incremental": options.incremental, "kernel": config.KERNEL_NAME,
                       "kernels": "cold" if cold else "warm"},
        "origin": origin,
        "vintages": vintages, "inputs": inputs, "packages": mf.package_versions(), "code": code,
        "pinned": {"snapshot": "inputs", "scenario_chain": snap.scenario_chain,
                   "scenario_resolved_sha256": snap.scenario_sha256, "packages_sha256": snap.packages_sha256},
        "full": options.units is None and options.notebooks is None, "name": options.name,
        "unit_names": {u.id: u.name_zh for u in geography.all_units()},
        "tables": {}, "workbooks": {}, "notes": [], "jobs": [],
    }

    if jobs and hasattr(executor, "warm_up"):  # workers forked now, before the workbook thread exists
        from . import warm_kernel
        from .executors import (
            no_task,  # not ``started``: that name is the run's start time here
        )

        log = str(Path(jobs[0].stderr_log).with_name("warm-up.log")) if jobs[0].stderr_log else None
        if job_fn is run_job and not cold:  # each worker's kernel warms while the tables are computed
            executor.warm_up(warm_kernel.warm_up, jobs[0].kernel_name, jobs[0].env, jobs[0].cwd, log)
        else:
            executor.warm_up(no_task)
        if job_fn is run_job and hasattr(executor, "background"):
            from .prefetch import queue_prefetch

            queue_prefetch(executor, jobs, options, scenario.overrides, manifest["full"], log)
    tables_ok, results = True, []
    phases = manifest["phases"] = {"setup": round(time.perf_counter() - clock, 2)}  # seconds (make bench)
    try:
        with _environment(env):  # the jobs' environment (the snapshot), so their cache keys match
            tables = build_tables(load_scenario(plain.name, options.overrides or None), options.start_year,
                                  options.end_year, options.draws, options.seed, plan_id=options.plan,
                                  origin=options.origin)
        paths = tables.write(staging / "tables")
        manifest["tables"] = {name: {"path": p.relative_to(staging).as_posix(),
                                     "rows": len(getattr(tables, name))} for name, p in paths.items()}
        run_notes = [note("data_warning", w=w) for w in data_warnings] + tables.notes
        manifest["notes"] = [str(n) for n in run_notes]  # the developer sentences, rendered from the records
        manifest["note_records"] = [n.record() for n in run_notes]  # what the page's appendix is made from
        report_year = options.report_year
        manifest["plan"] = {**tables.plan, "report_year": report_year}
        manifest["key_results"] = {"base": options.base, "year": report_year,
                                   "rows": key_results(tables.indicators, options.base, report_year),
                                   "odds": odds_rows(tables.plan_odds), "ledger": ledger_counts(tables.plan_ledger)}
        from ..keypoints import scenario_label
        from .manifest import beijing_time

        label = scenario_label(scenario.name, scenario.overrides)
        manifest["key_results"]["scenario_label"] = label
        info = {"scenario_label": label, "overrides": scenario.overrides, "run_id": run_id,
                "date": beijing_time(started), "years": f"{options.start_year}–{options.end_year}",
                "draws": options.draws, "vintages": vintages, "sources": scenario.sources,
                "base": options.base, "onepager_years": page_years(manifest, options.base), "notes": manifest["notes"],
                "citation": citation_rows(citation_info(manifest))}  # the workbook's first sheet and 说明
        # The workbooks (openpyxl, ~1 s each) are written by a thread of this process while the
        # notebooks run: the parent only waits for the workers then, instead of the workers waiting.
        # A failing workbook fails the run (as a failing table does), known once the notebooks ran.
        workbooks = WorkbookWriter(staging, units, tables, info)
    except OSError:
        raise  # a full disk or a read-only folder: the run stops (exit 2), nothing is published
    except Exception as exc:
        tables_ok = False
        detail = str(exc) if isinstance(exc, AnalysisError) else f"{type(exc).__name__}: {exc}"
        manifest["error"] = f"表格计算失败 table computation failed, no notebook was run: {detail}"
        if not isinstance(exc, AnalysisError):
            manifest["error_traceback"] = traceback.format_exc()

    if tables_ok:
        phases["tables"] = round(time.perf_counter() - clock - sum(phases.values()), 2)
        try:
            _run_notebooks(options, jobs, staging, job_fn, executor, results)
        except BaseException:  # interrupted (SIGTERM, Ctrl-C) or broken: the thread stops first
            workbooks.stop()
            raise

    if tables_ok:
        try:
            manifest["workbooks"] = workbooks.result()
        except OSError:
            raise  # a full disk or a read-only folder: the run stops (exit 2), nothing is published
        except Exception as exc:
            tables_ok = False
            manifest["error"] = f"工作簿写入失败 workbook writing failed: {type(exc).__name__}: {exc}"
            manifest["error_traceback"] = traceback.format_exc()
    order = {(j.unit_id, j.stem): i for i, j in enumerate(jobs)}
    results.sort(key=lambda r: order.get((r.unit, r.notebook), len(order)))
    manifest["jobs"] = [r.to_dict() for r in results]
    if tables_ok:  # 简报, print reports, chart files, PDFs (one Chromium), the scenario comparison
        from .products import write_products

        phases["notebooks"] = round(time.perf_counter() - clock - sum(phases.values()), 2)
        manifest.update(write_products(staging, manifest, options, tables, env))
        phases["products"] = round(time.perf_counter() - clock - sum(phases.values()), 2)
    status = run_status(results, tables_ok)
    if tables_ok:  # a failed PDF or comparison: not complete, and the summary names it
        from .products import missing_products

        manifest["missing"] = missing_products(manifest)
        status = "partial" if manifest["missing"] and status == "complete" else status
    manifest.update(status=status, finished=_now(), seconds=round(time.perf_counter() - clock, 2))
    record_changes(manifest, snap.root)  # what changed since the previous complete run (issue 27)
    (staging / "index.html").write_text(sanitise_page(render_index(manifest)), encoding="utf-8")
    if not tables_ok:  # no job ran: stop the warmed workers first (a prefetch still writing the cache)
        getattr(executor, "close", lambda: None)()
    shutil.rmtree(model_cache, ignore_errors=True)
    # What an unchanged --incremental rerun recognises (none if an input changed during the run) …
    manifest["run_key"] = key if key and key == unchanged.run_key(options, chain, source_hash()) else None
    manifest["files"] = unchanged.file_hashes(staging)  # … and verifies before linking
    mf.write_json(staging / "manifest.json", manifest)
    good = sum(r.status in ("ok", "skipped") for r in results)
    return _publish(options, staging, run_id, manifest, tables_ok and (good > 0 or not results))


def _run_notebooks(options, jobs, staging, job_fn, executor, results: list) -> None:
    """Every job not reused from the last run (``--incremental``), through the executor; results
    appended to ``results`` as they finish."""
    todo, reused = reuse_previous(jobs, staging) if options.incremental else (jobs, [])
    results.extend(reused)
    failures = 0
    with _progress(len(todo), options.quiet) as bar, contextlib.closing(executor.run(job_fn, todo)) as done:
        for _job, result in done:  # closing(): an interrupted run stops its workers at once
            results.append(result)
            failures += result.status == "failed"
            bar.update(1)
            bar.set_postfix(failed=failures, refresh=False)


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
    line = (f"run {outcome.run_id}: {outcome.status} — {count['ok']} ok, {count['failed']} failed, "
            f"{count['skipped']} reused of {len(jobs)} jobs in {outcome.manifest['seconds']:.1f} s → "
            f"{outcome.run_dir}" + (" (reports/latest)" if outcome.latest_moved else " (reports/latest unchanged)"))
    if outcome.manifest.get("error"):
        line += "\n" + outcome.manifest["error"]
    for what in outcome.manifest.get("missing") or []:
        line += f"\n  MISSING {what}"
    for job in jobs:
        if job["status"] == "failed":
            line += f"\n  FAILED {job['unit']}/{job['notebook']}: {job['error_name']}: {job['error_message']}"
    no_pdf = no_pdf_line(outcome.manifest)  # last: a fresh machine without Chromium (issue 28)
    return line + ("\n" + no_pdf if no_pdf else "")

"""A real run's work in its staging folder: tables, workbooks, notebooks, products, manifest.

:func:`analysis.run.runner.run` imports this module once, after an unchanged ``--incremental``
rerun has been ruled out (:mod:`analysis.run.speed.unchanged`): it imports the models, pandas,
matplotlib and openpyxl, which that rerun never needs. Here a run resolves its plan, refuses
invalid data, copies and hashes its inputs, computes its tables (:mod:`analysis.run.tables`),
drives the notebook jobs through the executor, writes the workbooks, briefs, print pages and the
comparison (:mod:`analysis.run.products`) and the manifest; the runner publishes the folder.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .. import config, geography
from ..data import loaders, plans
from ..intake.checks import POPULATION_KINDS
from ..intake.checks import refuse_invalid  # noqa: F401 - the runner calls it through this module
from ..data.vintages import current_vintage, vintage_of
from ..demography import carry_error, estimates
from ..demography.parameters import DemographyParameters
from ..errors import AnalysisError
from ..present.citation import citation_info, citation_rows
from ..present.clock import beijing_time
from ..present.excel import WorkbookWriter
from ..present.html import render_index
from ..present.keypoints import scenario_label
from ..present.onepager import page_years
from ..notes import note
from ..sanitiser import sanitise_page
from ..scenarios import load_scenario
from . import manifest as mf
from . import products, publish, speed, tables
from .changes import record_changes
from .executors import LocalExecutor, no_task
from .inputs import snapshot, source_hash
from .jobs import JobResult, run_job
from .origin import CENSUS_YEAR, origin_summary, since_previous
from .planning import plan_jobs, reuse_previous
from .scoped import environment as _environment
from .speed import unchanged, warm_kernel
from .speed.prefetch import queue_prefetch
from .speed.warm_kernel import ENV_COLD


def resolve_plan(options) -> None:
    """Fill in the tracked plan (default: the city's current plan) and the report year (default:
    its end year, within the projection); an unknown plan is an error before anything is written."""
    options.plan = plans.load_plan(options.plan or plans.default_plan_id()).id
    options.report_year = tables.report_year_of(options.plan, options.start_year, options.end_year, options.report_year)


def run_status(results: list[JobResult], tables_ok: bool) -> str:
    """``complete`` (every job ok or reused), ``partial`` (some ok) or ``failed`` (none ok)."""
    if not tables_ok:
        return "failed"
    good = sum(r.status in ("ok", "skipped") for r in results)
    if good == len(results):
        return "complete"
    return "partial" if good else "failed"


def _progress(total: int, quiet: bool):
    return tqdm(
        total=total, disable=quiet or total == 0, unit="job", desc="notebooks 报告", dynamic_ncols=True, file=sys.stderr
    )


def run_in_staging(
    options, units, scenario, chain, run_id, staging, pairs, job_fn, executor, data_warnings=(), key: str = ""
) -> tuple[dict[str, Any], bool]:
    """Do a real run's work in ``staging`` (the module docstring); ``pairs``: (unit, notebook) of
    every job. Returns the manifest (written to ``staging``) and whether the run may be published."""
    started, clock = mf.utc_now(), time.perf_counter()
    scenario_file = chain[0]
    vintages = vintages_in_use()
    # Every input is copied and hashed once; the tables and every kernel read only that copy.
    plain = load_scenario(scenario_file) if scenario.overrides else scenario
    snap = snapshot(
        staging / "inputs", plain, chain, list(dict.fromkeys(nb for _, nb in pairs)), vintages, options.overrides
    )
    inputs = snap.inputs
    # The projection is computed once (for the tables) and loaded by every notebook's kernel.
    model_cache = staging / ".cache"
    fast = speed.enabled() and not options.no_speed  # off: every hook at its default, cold kernels, no prefetch
    speed.install(fast)  # in this process (the tables) and the workers it forks; kernels install it themselves
    env = {
        "QZ_FORECAST_ROOT": str(snap.root),
        **speed.job_environment(str(model_cache), fast),
        **mf.vintage_env(vintages),
        "QZ_CHART_FILES": "1",
    }  # kernels also publish each chart as 200-dpi PNG and SVG (plots.print_formats)
    cold = options.cold_kernels or bool(options.scheduler) or not fast  # a dask worker may run jobs in threads
    if cold:
        env[ENV_COLD] = "1"
    code = {**mf.code_version(), "source_sha256": source_hash()}
    jobs = plan_jobs(
        options,
        pairs,
        staging,
        snap,
        env,
        code["source_sha256"],
        plain.name,
        capture_stderr=isinstance(executor, LocalExecutor),
    )

    latest = publish.latest_run()
    origin = {
        **origin_summary(options.origin),
        "since_previous": since_previous(mf.read_manifest(latest) if latest else None, inputs),
    }
    with _environment(env):  # the snapshot's data: what the registered base of the origin rests on
        origin["estimates"] = estimate_record(options.origin, scenario)
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "started": started,
        "finished": None,
        "status": None,
        "command": options.command,
        "scenario": {
            "name": scenario.name,
            "file": str(scenario_file),
            "description": scenario.description,
            "overrides": scenario.overrides,
            "values": scenario.values,
            "sources": scenario.sources,
        },
        "parameters": {
            "units": [u.id for u in units],
            "notebooks": sorted({j.stem for j in jobs}),
            "scenario": str(options.scenario),
            "base": options.base,
            "start_year": options.start_year,
            "origin": options.origin,
            "end_year": options.end_year,
            "draws": options.draws,
            "seed": options.seed,
            "extra": options.params,
            "overrides": options.overrides,
            "workers": options.workers,
            "scheduler": options.scheduler,
            "incremental": options.incremental,
            "kernel": config.KERNEL_NAME,
            "kernels": "cold" if cold else "warm",
            "speed": "on" if fast else "off",
        },
        "origin": origin,
        "vintages": vintages,
        "inputs": inputs,
        "packages": mf.package_versions(),
        "code": code,
        "pinned": {
            "snapshot": "inputs",
            "scenario_chain": snap.scenario_chain,
            "scenario_resolved_sha256": snap.scenario_sha256,
            "packages_sha256": snap.packages_sha256,
        },
        "full": options.units is None and options.notebooks is None,
        "name": options.name,
        "unit_names": {u.id: u.name_zh for u in geography.all_units()},
        "tables": {},
        "workbooks": {},
        "notes": [],
        "jobs": [],
    }

    if jobs and hasattr(executor, "warm_up"):  # workers forked now, before the workbook thread exists
        log = str(Path(jobs[0].stderr_log).with_name("warm-up.log")) if jobs[0].stderr_log else None
        if job_fn is run_job and not cold:  # each worker's kernel warms while the tables are computed
            executor.warm_up(warm_kernel.warm_up, jobs[0].kernel_name, jobs[0].env, jobs[0].cwd, log)
        else:
            executor.warm_up(no_task)
        if fast and job_fn is run_job and hasattr(executor, "background"):
            queue_prefetch(executor, jobs, options, scenario.overrides, manifest["full"], log)
    tables_ok, results = True, []
    phases = manifest["phases"] = {"setup": round(time.perf_counter() - clock, 2)}  # seconds (make bench)
    try:
        with _environment(env):  # the jobs' environment (the snapshot), so their cache keys match
            computed = tables.build_tables(
                load_scenario(plain.name, options.overrides or None),
                options.start_year,
                options.end_year,
                options.draws,
                options.seed,
                plan_id=options.plan,
                origin=options.origin,
            )
        paths = computed.write(staging / "tables")
        manifest["tables"] = {
            name: {"path": p.relative_to(staging).as_posix(), "rows": len(getattr(computed, name))}
            for name, p in paths.items()
        }
        run_notes = [note("data_warning", w=w) for w in data_warnings] + computed.notes
        manifest["notes"] = [str(n) for n in run_notes]  # the developer sentences, rendered from the records
        manifest["note_records"] = [n.record() for n in run_notes]  # what the page's appendix is made from
        report_year = options.report_year
        manifest["plan"] = {**computed.plan, "report_year": report_year}
        manifest["key_results"] = {
            "base": options.base,
            "year": report_year,
            "rows": tables.key_results(computed.indicators, options.base, report_year),
            "odds": tables.odds_rows(computed.plan_odds),
            "ledger": tables.ledger_counts(computed.plan_ledger),
        }
        label = scenario_label(scenario.name, scenario.overrides)
        manifest["key_results"]["scenario_label"] = label
        info = {
            "scenario_label": label,
            "overrides": scenario.overrides,
            "run_id": run_id,
            "date": beijing_time(started),
            "years": f"{options.start_year}–{options.end_year}",
            "draws": options.draws,
            "vintages": vintages,
            "sources": scenario.sources,
            "base": options.base,
            "onepager_years": page_years(manifest, options.base),
            "notes": manifest["notes"],
            "citation": citation_rows(citation_info(manifest)),
        }  # the workbook's first sheet and 说明
        # The workbooks (openpyxl, ~1 s each) are written by a thread of this process while the
        # notebooks run: the parent only waits for the workers then, instead of the workers waiting.
        # A failing workbook fails the run (as a failing table does), known once the notebooks ran.
        workbooks = WorkbookWriter(staging, units, computed, info)
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
        phases["notebooks"] = round(time.perf_counter() - clock - sum(phases.values()), 2)
        manifest.update(products.write_products(staging, manifest, options, computed, env))
        phases["products"] = round(time.perf_counter() - clock - sum(phases.values()), 2)
    status = run_status(results, tables_ok)
    if tables_ok:  # a failed PDF or comparison: not complete, and the summary names it
        manifest["missing"] = products.missing_products(manifest)
        status = "partial" if manifest["missing"] and status == "complete" else status
    manifest.update(status=status, finished=mf.utc_now(), seconds=round(time.perf_counter() - clock, 2))
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
    return manifest, tables_ok and (good > 0 or not results)


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


def vintages_in_use() -> dict[str, str]:
    """The vintage each raw table is read from in this run (``'raw'`` = ``data/raw``)."""
    return {
        **{name: current_vintage(spec) for name, spec in loaders.TABLES.items()},
        **{kind: vintage_of(kind) for kind in POPULATION_KINDS},
    }


def estimate_record(origin: int, scenario=None) -> dict:
    """What the registered base of ``origin`` rests on: the base of the estimates (2020 or a later
    re-basing table), the revision that table made (city total, 60+, 80+), the years the total was
    only modelled and the carry error the bands draw from it (:mod:`analysis.demography.carry_error`).
    ``scenario``: the run's (its demographic parameters carry the estimates, as in the projection)."""
    if int(origin) == CENSUS_YEAR:
        return {
            "base_of_estimates": CENSUS_YEAR,
            "rebase": None,
            "revision": None,
            "modelled_years": 0,
            "carry_sd_pct": 0.0,
        }
    params = None if scenario is None else DemographyParameters.from_scenario(scenario)
    est = estimates.registered_estimates(last_year=int(origin), data_up_to=int(origin), params=params)
    rebase = est.components.get("rebase")
    sd = carry_error.origin_sd(est.status, int(origin), int(est.base.year))
    return {
        "base_of_estimates": int(est.base.year),
        "rebase": rebase["note"] if rebase else None,
        "revision": {k: rebase[k] for k in estimates.COUNTS} if rebase else None,
        "modelled_years": carry_error.modelled_years(est.status, int(origin), int(est.base.year)),
        "carry_sd_pct": round(100.0 * sd, 4),
    }

"""Model results computed by a worker while the parent builds the tables.

While the parent computes the tables (one core) each worker warms its kernel; the first worker
free then takes these tasks, queued ahead of the jobs
(:meth:`~analysis.run.executors.LocalExecutor.background`):

* :func:`band_component_runs`: the ``base`` and ``rates`` projections of 01's uncertainty-source
  table. Without it the first 01 job of the run computed them (3.6 s, issue 14's kernel
  profile), and the other worker's first 01 job often computed them again at the same time.
* :func:`comparison_runs`: the models of one other bundled scenario for the scenario comparison
  (runs that publish, one task a scenario). Without it the parent computed them after the
  notebooks, beside Chromium printing the PDFs (16.5 s of the products phase), while a worker's
  core sat idle during the tables.

Everything goes through the run's model cache (:func:`analysis.run.speed.cache.cached`) under the keys the
tables and the notebooks use, in the jobs' environment: whoever comes first computes an entry,
the others load it. This only moves work and never changes a result; a task that fails leaves
its work to the tables or the first job, as before.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable

from ... import pipeline
from ...demography import cached
from ...demography.band_components import COMPONENTS
from ...scenarios import load_scenario
from ..origin import start_year_of
from ..product_scope import comparison_scenarios, publishes
from . import install


def queue_prefetch(executor, jobs, options, overrides: dict | None, full: bool, log: str | None) -> None:
    """Queue this module's tasks on the warmed workers, ahead of the jobs: the band components
    for the run's first 01 job (not on ``--incremental``, whose 01 jobs are mostly reused), and
    in runs that publish one task for every scenario the comparison computes (it always does)."""

    first = next((j for j in jobs if j.stem.startswith("01_")), None)
    if first is not None and not options.incremental:
        executor.background(band_component_runs, first.env, first.parameters, log)
    if jobs and publishes(full, options):
        for other in comparison_scenarios(str(options.scenario), overrides):
            executor.background(
                comparison_runs,
                jobs[0].env,
                other,
                options.base,
                start_year_of(options.base, options.origin),
                options.end_year,
                options.draws,
                options.seed,
                log,
            )


def _task(what: str, env: dict[str, str], log: str | None, work: Callable[[], None]) -> str:
    """Run ``work`` in the jobs' environment; never raises; returns (and logs) what happened."""
    started = time.perf_counter()
    os.environ.update(env)
    try:
        install()  # a dask worker is not forked from the runner: the hooks as in the jobs' kernels
        work()
        outcome = f"{what} ready in {time.perf_counter() - started:.1f} s"
    except Exception as exc:  # noqa: BLE001 - the tables or the first job compute it instead
        outcome = f"{what} not prefetched: {type(exc).__name__}: {exc}"
    if log:
        try:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(f"worker {os.getpid()} prefetch: {outcome}\n")
        except OSError:  # the run folder is gone (a failed run) or the disk is full: only the log is lost
            pass
    return outcome


def band_component_runs(env: dict[str, str], parameters: dict[str, Any], log: str | None = None) -> str:
    """The ``base`` and ``rates`` projections of :func:`analysis.demography.band_components.component_runs`
    (``all`` is the tables' own projection) for the jobs' notebook ``parameters``."""

    def work() -> None:
        scenario = load_scenario(parameters["scenario"], parameters.get("overrides") or None)
        for uncertainty in COMPONENTS:
            if uncertainty != "all":
                cached.project(
                    scenario,
                    base=parameters["base"],
                    start_year=parameters["start_year"],
                    end_year=parameters["end_year"],
                    draws=parameters["draws"],
                    seed=parameters["seed"],
                    uncertainty=uncertainty,
                )

    return _task("band components", env, log, work)


def comparison_runs(
    env: dict[str, str],
    scenario,
    base: str,
    start_year: int,
    end_year: int,
    draws: int,
    seed: int,
    log: str | None = None,
) -> str:
    """:func:`analysis.pipeline.run_models` of one compared ``scenario`` (loaded by the parent, as
    the products phase loads it) with the run's base, years, draws and seed: what
    :func:`analysis.present.compare.scenario_rows` asks for after the notebooks."""

    def work() -> None:
        pipeline.run_models(scenario, base=base, start_year=start_year, end_year=end_year, draws=draws, seed=seed)

    return _task(f"comparison scenario {scenario.name}", env, log, work)

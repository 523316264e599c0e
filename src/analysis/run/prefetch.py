"""Model results the first notebook jobs would compute, computed by a worker during the tables.

While the parent computes the tables (one core) each worker warms its kernel; the worker that
finishes first then runs :func:`band_component_runs`. Without it, the first 01 job of the run
computed them (3.6 s in that job, issue 14's kernel profile), and the other worker's first 01
job often computed them again at the same time. Everything goes through the run's model cache
(:func:`analysis.cache.cached`) under the keys the notebooks use, so a job that finds the entry
loads it and a job that comes first computes it as before: this only moves work, never changes
a result.
"""

from __future__ import annotations

import os
from typing import Any


def band_component_runs(env: dict[str, str], parameters: dict[str, Any], log: str | None = None) -> str:
    """The ``base`` and ``rates`` projections of 01's uncertainty-source table
    (:func:`analysis.demography.band_components.component_runs`; ``all`` is the tables' own
    projection) for the jobs' ``parameters``, in the jobs' environment ``env``. Never raises: a
    failure here leaves the work to the first job. Returns what happened (also appended to ``log``)."""
    import time

    started = time.perf_counter()
    os.environ.update(env)
    try:
        from ..demography.band_components import COMPONENTS
        from ..demography.cached import project
        from ..scenarios import load_scenario

        scenario = load_scenario(parameters["scenario"], parameters.get("overrides") or None)
        for uncertainty in COMPONENTS:
            if uncertainty != "all":
                project(scenario, base=parameters["base"], start_year=parameters["start_year"],
                        end_year=parameters["end_year"], draws=parameters["draws"], seed=parameters["seed"],
                        uncertainty=uncertainty)
        outcome = f"band components ready in {time.perf_counter() - started:.1f} s"
    except Exception as exc:  # noqa: BLE001 - the first 01 job computes them instead
        outcome = f"band components not prefetched: {type(exc).__name__}: {exc}"
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"worker {os.getpid()} prefetch: {outcome}\n")
    return outcome

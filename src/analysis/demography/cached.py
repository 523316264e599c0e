"""``project`` behind the memo hook (:mod:`analysis.hooks`): in a run, the run-wide result cache."""

from __future__ import annotations

import numpy as np

from .. import hooks
from ..scenarios import Scenario, load_scenario
from . import projection
from .result import ProjectionResult


def project(
    scenario: Scenario | str = "baseline",
    base: str = "resident",
    start_year: int = 2020,
    end_year: int | None = None,
    draws: int = 1,
    seed: int | None = 20201101,
    *,
    base_population=None,
    keep_components: bool | None = None,
    dtype=np.float64,
    uncertainty: str = "all",
) -> ProjectionResult:
    """Cohort-component projection — see :func:`analysis.demography.projection.project`.

    In a run (the memo hook installed, ``QZ_CACHE_DIR`` set), a projection with the same
    demographic parameters, base, years, draws, seed and inputs is computed once per run and
    loaded by every notebook that needs it. A caller-supplied ``base_population`` bypasses the
    cache.
    """
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)

    def compute() -> ProjectionResult:
        return projection.project(
            scn,
            base=base,
            start_year=start_year,
            end_year=end_year,
            draws=draws,
            seed=seed,
            base_population=base_population,
            keep_components=keep_components,
            dtype=dtype,
            uncertainty=uncertainty,
        )

    if base_population is not None:
        return compute()
    horizon = end_year if end_year is not None else scn.get("demography.horizon")
    parts = (
        scn.name,
        scn.section("demography"),
        base,
        start_year,
        horizon,
        draws,
        seed,
        keep_components,
        np.dtype(dtype).str,
        uncertainty,
    )
    return hooks.memo("projection", parts, compute)

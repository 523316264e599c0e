"""Which products a run makes after its notebooks, decided without making them (light: no pandas).

The unchanged ``--incremental`` rerun (:mod:`analysis.run.speed.unchanged`) and the prefetch of the
comparison's models (:mod:`analysis.run.speed.prefetch`) read these; :mod:`analysis.run.products`
makes the products.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..scenarios import load_scenario

BUNDLED = ("baseline", "low", "high")
QUICK_ENV = "QZ_QUICK_PRODUCTS"  # set (the runner tests' fake runs): no comparison, no PDFs


def publishes(full: bool, options) -> bool:
    """Whether a run makes the comparison and the PDFs: full runs and ``--publish`` (a trial run
    of some units stays quick), not the runner tests' fake runs."""
    return bool(full or options.publish) and not os.environ.get(QUICK_ENV)


def comparison_scenarios(run_scenario: str, overrides: dict | None) -> list:
    """The bundled scenarios other than the run's own (an overridden run compares with its plain
    scenario too). Loaded from the project's ``scenarios/`` folder."""

    names = [n for n in BUNDLED if overrides or n != Path(run_scenario).stem]
    out = []
    for name in names:
        try:
            out.append(load_scenario(name))
        except Exception:  # noqa: BLE001 - a bundled scenario removed or broken: compare the rest
            continue
    return out

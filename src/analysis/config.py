"""Every path the suite uses, derived from the project root.

Nothing else in the package hard-codes a path. The root is found from this file's location
(``src/analysis/config.py`` → two levels up), and can be overridden with the environment
variable ``QZ_FORECAST_ROOT`` (used by tests that build a throw-away project tree).
"""

from __future__ import annotations

import os
from pathlib import Path

_DEFAULT_ROOT = Path(__file__).resolve().parents[2]


def project_root() -> Path:
    """The project root: ``$QZ_FORECAST_ROOT`` if set, else the checkout this file lives in."""
    override = os.environ.get("QZ_FORECAST_ROOT")
    return Path(override).resolve() if override else _DEFAULT_ROOT


def raw_dir() -> Path:
    """``data/raw``: immutable, sourced input tables (CSV, UTF-8)."""
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    """``data/processed``: derived data and ingested vintages (never committed)."""
    return project_root() / "data" / "processed"


def scenarios_dir() -> Path:
    """``scenarios``: named assumption sets (YAML)."""
    return project_root() / "scenarios"


def notebooks_dir() -> Path:
    """``notebooks``: the parameterized notebooks, committed without outputs."""
    return project_root() / "notebooks"


def reports_dir() -> Path:
    """``reports``: run folders and the ``latest`` pointer (never committed)."""
    return project_root() / "reports"


KERNEL_NAME = "quanzhou-forecast"
"""Name of the Jupyter kernel registered by ``make setup`` that notebooks run on."""

#: The last projected year a run uses unless told — a horizon, not a plan year (the baseline
#: scenario's ``demography.horizon`` says the same; tests/test_plan_years.py keeps the two equal).
DEFAULT_END_YEAR = 2035

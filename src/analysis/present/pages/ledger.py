"""Page of notebook 92 (close-out ledger of 2021–2025, odds of the 2026–2030 targets): everything
its cells use, including the vintages table of the run (:mod:`analysis.present.vintage_table`)."""

from __future__ import annotations

from ...data.origin import start_year_of
from ...pipeline import plan_models
from ...scenarios import load_scenario
from .. import plan_report
from .. import vintage_table as vt
from ..keypoints import notebook_box, resolve_report_year
from ..labels import markdown_scenario_label as scenario_label  # user text shown as text
from ..people import people_table

__all__ = [
    "load_scenario",
    "notebook_box",
    "people_table",
    "plan_models",
    "plan_report",
    "resolve_report_year",
    "scenario_label",
    "start_year_of",
    "vt",
]

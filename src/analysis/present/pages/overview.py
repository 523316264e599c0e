"""Page of notebook 90 (units side by side): everything its cells use."""

from __future__ import annotations

from ...data.origin import start_year_of
from ...geography import resolve
from ...pipeline import run_models
from ...scenarios import load_scenario
from .. import overview
from ..keypoints import notebook_box, notes_appendix, resolve_report_year
from ..labels import markdown_scenario_label as scenario_label  # user text shown as text
from ..people import people_table

__all__ = [
    "load_scenario",
    "notebook_box",
    "notes_appendix",
    "overview",
    "people_table",
    "resolve",
    "resolve_report_year",
    "run_models",
    "scenario_label",
    "start_year_of",
]

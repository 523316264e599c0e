"""Page of notebook 05 (the plan's 专栏2 indicator tracker): everything its cells use."""

from __future__ import annotations

from ...data.origin import start_year_of
from ...geography import resolve
from ...pipeline import run_models
from ...scenarios import load_scenario
from ...services import indicators
from .. import charts_assistance as charts
from ..keypoints import notebook_box, notes_appendix, resolve_report_year
from ..labels import markdown_scenario_label as scenario_label  # user text shown as text
from ..people import people_table

__all__ = [
    "charts",
    "indicators",
    "load_scenario",
    "notebook_box",
    "notes_appendix",
    "people_table",
    "resolve",
    "resolve_report_year",
    "run_models",
    "scenario_label",
    "start_year_of",
]

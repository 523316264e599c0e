"""Page of notebook 04 (低保 linked to the minimum wage): everything its cells use.

Money in yuan (元/人·月 for standards and wages); the models are in :mod:`analysis.services`.
"""

from __future__ import annotations

from ...data.origin import start_year_of
from ...geography import resolve
from ...pipeline import linkage_models
from ...scenarios import load_scenario
from ...services import assistance, min_wage, wage_timing
from .. import assistance_text
from .. import charts_assistance as charts
from ..keypoints import notebook_box, notes_appendix, resolve_report_year
from ..labels import markdown_scenario_label as scenario_label  # user text shown as text
from ..people import people_table

__all__ = ["assistance", "assistance_text", "charts", "linkage_models", "load_scenario", "min_wage",
           "notebook_box", "notes_appendix", "people_table", "resolve", "resolve_report_year", "scenario_label",
           "start_year_of", "wage_timing"]

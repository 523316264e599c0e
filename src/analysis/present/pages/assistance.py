"""Page of notebook 04 (低保 linked to the minimum wage): everything its cells use.

Money in yuan (元/人·月 for standards and wages); the models are in :mod:`analysis.services`.
"""

from __future__ import annotations

from ...data.origin import start_year_of
from ...data.plans import period_ends
from ...geography import resolve
from ...pipeline import linkage_models
from ...scenarios import load_scenario
from ...services import assistance, min_wage, wage_timing
from .. import assistance_text
from .. import charts_assistance as charts
from ..keypoints import notebook_box, notes_appendix, resolve_report_year
from ..labels import markdown_scenario_label as scenario_label  # user text shown as text
from ..people import people_table

__all__ = [
    "assistance",
    "assistance_text",
    "charts",
    "linkage_models",
    "load_scenario",
    "min_wage",
    "notebook_box",
    "notes_appendix",
    "people_table",
    "resolve",
    "resolve_report_year",
    "scenario_label",
    "start_year_of",
    "table_years",
    "wage_timing",
]


def table_years(start_year: int, end_year: int) -> list[int]:
    """The years the standards table shows: the first projected year, the last year of every plan
    (2025 and 2030 with today's plans) and the horizon, within the projection."""
    return sorted({start_year, end_year, *(y for y in period_ends() if start_year < y < end_year)})

"""Page of notebook 03 (social-work workforce): everything its cells use. Persons throughout."""

from __future__ import annotations

from ...data import loaders
from ...data.origin import start_year_of
from ...demography import project
from ...geography import resolve
from ...scenarios import load_scenario
from ...services import workforce, workforce_check
from .. import charts_beds_workforce as charts
from ..keypoints import notebook_box, notes_appendix, resolve_report_year
from ..labels import markdown_scenario_label as scenario_label  # user text shown as text
from ..method_notes import parameter_sources
from ..people import people_table
from ..workforce_report import check_text_zh, summary_zh, workforce_table

__all__ = [
    "charts",
    "check_text_zh",
    "load_scenario",
    "notebook_box",
    "notes_appendix",
    "parameter_sources",
    "people_table",
    "project",
    "resolve",
    "resolve_report_year",
    "scenario_label",
    "start_year_of",
    "summary_zh",
    "workforce",
    "workforce_check",
    "workforce_table",
    "CERTIFIED_TARGET_ID",
    "certified_target_year",
]


#: The plan text's ratio target for certified social workers (plan_targets.csv: 10 per 10,000 in 2025, line 409).
CERTIFIED_TARGET_ID = "certified_social_workers_per_10k"


def certified_target_year() -> int:
    """The year the plan text sets its per-10,000 certified social-worker target for (2025): the year
    the page's required-growth row and its sentence speak of."""
    targets = loaders.load_plan_targets()
    return int(targets.loc[targets["target_id"] == CERTIFIED_TARGET_ID, "year"].max())

"""Page of notebook 01 (population projection): everything its cells use.

Persons throughout; the 要点 box and the method notes come from :mod:`analysis.present.keypoints`.
"""

from __future__ import annotations

from ... import geography
from ...data import loaders
from ...data.origin import start_year_of
from ...demography import band_components, outturn, project, summaries
from ...demography.base import county_data_status
from ...scenarios import load_scenario
from .. import charts_population as charts
from ..band_tables import band_components_table, outturn_table
from ..keypoints import notebook_box, notes_appendix, resolve_report_year
from ..labels import markdown_scenario_label as scenario_label  # user text shown as text
from ..people import people_table

__all__ = [
    "band_components_table",
    "outturn_table",
    "band_components",
    "charts",
    "county_data_status",
    "geography",
    "load_scenario",
    "notebook_box",
    "notes_appendix",
    "outturn",
    "people_table",
    "project",
    "resolve_report_year",
    "scenario_label",
    "start_year_of",
    "summaries",
    "ELDERLY_TARGET_ID",
    "elderly_target_year",
]

#: The plan text's figure for the registered elderly (plan_targets.csv: 111多万 in 2020, 160多万 expected in 2025).
ELDERLY_TARGET_ID = "registered_pop_60plus"


def elderly_target_year() -> int:
    """The last year for which the plan text states the registered 60+ (``plan_targets.csv``; 2025)."""
    targets = loaders.load_plan_targets()
    return int(targets.loc[targets["target_id"] == ELDERLY_TARGET_ID, "year"].max())

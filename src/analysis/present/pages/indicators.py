"""Page of notebook 05 (the plan's 专栏2 indicator tracker): everything its cells use."""

from __future__ import annotations

import pandas as pd

from ...data.origin import start_year_of
from ...geography import resolve
from ...pipeline import run_models
from ...scenarios import load_scenario
from ...services import indicators
from .. import charts_assistance as charts
from ..keypoints import notebook_box, notes_appendix, resolve_report_year
from ..labels import markdown_scenario_label as scenario_label  # user text shown as text
from ..indicator_notes import tracker_notes
from ..people import people_table
from ..tracker_table import style_tracker, tracker_table

__all__ = [
    "tracker_notes",
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
    "style_tracker",
    "tracker_table",
    "zl2_for_people",
]

#: How a cell the plan leaves empty reads (the transcription keeps the plan's own mark, ``——``, or notes a blank).
BLANK_IN_PLAN_ZH = "（规划未填）"


def zl2_for_people() -> pd.DataFrame:
    """专栏2 as transcribed, for readers: the Chinese name of each row, no code identifier, and an empty
    cell of the plan said in Chinese (``(blank in plan)`` → （规划未填）; the plan's own ``——`` stays)."""
    table = indicators.zl2_table().drop(columns="indicator_id")
    table["value_text"] = table["value_text"].replace({"(blank in plan)": BLANK_IN_PLAN_ZH})
    return table

"""Page of notebook 91 (2010 → 2020 backtest): everything its cells use, and the rows it leads with.

Counts are persons; errors are signed percent of the observed count
(:func:`analysis.demography.backtest_benchmarks.benchmark_table`).
"""

from __future__ import annotations

import pandas as pd

from ...demography.backtest import FERTILITY_METHODS, MAPE_TOTALS_BOUND, compare_methods
from ...demography.backtest_benchmarks import METHOD_LABELS, summary
from ...demography.base.county_checks import jinjiang_holdout
from ...scenarios import load_scenario
from .. import charts_population as charts
from ..backtest_report import (
    FERTILITY_LABELS,
    calibration_table,
    calibration_text,
    headline_text,
    interpretation_text,
    readable,
)
from ..backtest_report import registered_summary_text as registered_summary
from ..keypoints import notes_appendix
from ..people import people_table

__all__ = [
    "FERTILITY_LABELS",
    "FERTILITY_METHODS",
    "MAPE_TOTALS_BOUND",
    "METHOD_LABELS",
    "calibration_table",
    "calibration_text",
    "charts",
    "compare_methods",
    "headline_text",
    "interpretation_text",
    "jinjiang_holdout",
    "lead_rows",
    "load_scenario",
    "notes_appendix",
    "people_table",
    "readable",
    "registered_summary",
    "summary",
]

LEAD_INDICATOR, LEAD_BASE = "pop_60plus", "resident"


def lead_rows(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """The rows the page leads with: residents aged 60+ (常住 60岁及以上), every area and method, in
    the benchmark table's order (the lead sentence, :func:`headline_text`, is about them)."""
    return benchmarks[(benchmarks["indicator"] == LEAD_INDICATOR) & (benchmarks["base"] == LEAD_BASE)]

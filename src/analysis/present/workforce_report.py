"""Notebook 03's workforce table for people (moved from :mod:`analysis.services.workforce`, issue 23).

Medians (p50) of :func:`analysis.services.workforce.workforce_requirements`, persons, whole numbers,
with the social-worker ratio that binds each year (:func:`analysis.services.workforce.binding_ratio`).
"""

from __future__ import annotations

import pandas as pd

from .. import catalogue
from ..services import beds as beds_model
from ..services.workforce import INDICATORS, binding_ratio


def workforce_table(frame: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """The per-year workforce table of one unit for a report (median values, persons)."""
    cols = [c for c in INDICATORS if c != "townships_estimated"]
    table = beds_model.wide_table(frame, unit_id, cols, labels={c: catalogue.label(c) for c in cols}, digits=0)
    bind = binding_ratio(frame)
    bind = bind[bind["unit_id"] == unit_id].set_index("year")["binding_zh"]
    table["约束性比例 binding ratio"] = bind.reindex(table.index)
    return table

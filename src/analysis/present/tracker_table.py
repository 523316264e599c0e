"""Page 05's tracker for people: one unit's rows with Chinese column heads, and the status colours
(moved from :mod:`analysis.services.indicators`, which computes the tracker and keeps its status words
``STATUS_ZH`` as a column of its frame; issue 23).

Figures are in each indicator's own unit (the ``单位 measure`` column); 规划值 is the plan's figure,
p10 / 预测 p50 / p90 the forecast band, 差距 the gap (forecast − plan, in the same unit).
"""

from __future__ import annotations

import pandas as pd

from ..services.indicators import (
    AT_RISK,
    BASE_REFERENCE,
    NO_TARGET,
    NOT_COMPUTED,
    OFF_TRACK,
    ON_TRACK,
    REFERENCE,
    STATUS_ZH,
    TARGET,
    TARGET_APPLIED,
    computed_indicators,
)

#: Status colours of the tracker (达标 green, 有风险 amber, 未达标 red, 基期参考 blue; 无预测 and 无目标 grey).
#: A value set from the plan (按规划设定) has none on purpose: it is not judged against the plan.
STATUS_COLOURS = {
    ON_TRACK: "#3b8f5a",
    AT_RISK: "#d9a21b",
    OFF_TRACK: "#b23a48",
    NOT_COMPUTED: "#9aa0a6",
    NO_TARGET: "#d0d4d8",
    REFERENCE: "#4f6d8f",
}
#: The role of a row in words: a plan target, a target applied by a model, or a base-year reference.
ROLE_ZH = {TARGET: "目标", TARGET_APPLIED: "目标代入", BASE_REFERENCE: "基期参考"}


def tracker_table(tracker: pd.DataFrame, unit_id: str, computed_only: bool = True) -> pd.DataFrame:
    """One unit's tracker for display: indicator, role, year, plan figure, p50 (p10–p90), status (Chinese)."""
    rows = tracker[tracker["unit_id"] == unit_id]
    if computed_only:
        rows = rows[rows["indicator_id"].isin(computed_indicators(tracker))]
    table = rows[["indicator_zh", "measure", "role", "year", "target", "p10", "p50", "p90", "gap", "status_zh"]].copy()
    table["role"] = table["role"].map(ROLE_ZH)
    table.columns = [
        "指标 indicator",
        "单位 measure",
        "口径 role",
        "年份 year",
        "规划值 plan figure",
        "p10",
        "预测 p50",
        "p90",
        "差距 gap",
        "状态 status",
    ]
    return table.reset_index(drop=True)


def style_tracker(table: pd.DataFrame):
    """A pandas Styler colouring the status column (达标 green, 有风险 amber, 未达标 red, 基期参考 blue;
    按规划设定 and the other statuses uncoloured)."""
    colours = {STATUS_ZH[k]: v for k, v in STATUS_COLOURS.items()}

    def colour(value):
        c = colours.get(value)
        return f"background-color: {c}; color: white" if c else ""

    return table.style.map(colour, subset=["状态 status"]).format(
        {c: "{:,.2f}" for c in ["规划值 plan figure", "p10", "预测 p50", "p90", "差距 gap"]}, na_rep="—"
    )

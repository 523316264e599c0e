"""Text and tables of the bed model for notebook 02: the nursing gap and build schedule first, then the two views.

Every figure is read from the tidy frame of :func:`analysis.services.beds.bed_requirements`, so the
words stay true under any scenario. Gaps follow :data:`analysis.services.beds.GAP_DEFINITION_ZH`
(required − stock; positive = shortfall), stated at the top of every summary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue
from ..geography import resolve
from ..services.beds import (
    GAP_DEFINITION_ZH,
    bed_arrays,
    shortfall_year,
    wide_table,
)

PERCENT_COLUMNS = (catalogue.label("nursing_bed_share_target"), catalogue.label("bed_shortfall_probability"))


def _names(indicators) -> dict[str, str]:
    """Column heads of the bed tables: the catalogue's names (the numbers are beds or percents)."""
    return {name: catalogue.label(name) for name in indicators}


def for_people(table: pd.DataFrame, percent_columns=PERCENT_COLUMNS) -> pd.DataFrame:
    """A numeric table as text for people: thousands separators, one decimal for percents, '—' if missing.

    Rounding never shows a negative zero.
    """
    out = table.copy().astype(object)
    for column in table.columns:
        is_pct = column in percent_columns
        out[column] = [
            ("—" if not np.isfinite(v) else f"{v + 0.0:.1f}%" if is_pct else f"{round(v) + 0:,.0f}")
            for v in table[column].astype(float)
        ]
    return out


def bed_table(frame: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """The per-year bed table of one unit for a report (median values; beds, percent)."""
    cols = [
        "beds_required",
        "beds_need_view",
        "bed_stock",
        "bed_gap",
        "bed_gap_need_view",
        "nursing_beds_required",
        "nursing_beds_need_view",
        "nursing_bed_stock",
        "nursing_bed_gap",
        "nursing_bed_gap_need_view",
        "nursing_bed_share_target",
        "bed_shortfall_probability",
    ]
    table = wide_table(frame, unit_id, cols, digits=1)
    counts = [c for c in table.columns if c not in ("nursing_bed_share_target", "bed_shortfall_probability")]
    table[counts] = table[counts].round(0)
    return table.rename(columns=_names(cols))


def build_table(frame: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """The build schedule of one unit: beds and nursing-type beds to add per year (medians)."""
    cols = [
        "beds_to_add",
        "bed_stock_scheduled",
        "beds_required",
        "nursing_beds_to_add",
        "nursing_bed_stock_scheduled",
        "nursing_beds_required",
    ]
    return wide_table(frame, unit_id, cols, digits=0).rename(columns=_names(cols))


def _v(sel: pd.Series, name: str) -> float:
    v = sel.get(name, np.nan)
    return float(v) if pd.notna(v) else np.nan


def _num(v: float) -> str:
    return "缺失" if pd.isna(v) else f"{v:,.0f}"


def _gap_text(v: float) -> str:
    if pd.isna(v):
        return "缺失"
    return f"缺口约{v:,.0f}张" if v > 0 else f"富余约{-v:,.0f}张"


def summary_zh(frame: pd.DataFrame, unit_id: str, year: int) -> str:
    """A short Chinese statement of the result for ``year`` computed from the frame's medians.

    Leads with the nursing-type gap and the build schedule, then the two views of total beds.
    """
    sel = frame[(frame["unit_id"] == unit_id) & (frame["year"] == year)].set_index("indicator")["p50"]
    if sel.empty:
        return f"{year}年不在预测期内。"
    rows = frame[frame["unit_id"] == unit_id]
    first_year = int(rows["year"].min())

    def added(name):
        sub = rows[(rows["indicator"] == name) & (rows["year"] > first_year) & (rows["year"] <= year)]
        return float(sub["p50"].sum())

    def opens(name):
        short = shortfall_year(frame, name)
        first = short.loc[short["unit_id"] == unit_id, "first_shortfall_year"]
        return None if first.isna().all() else int(first.iloc[0])

    n_open, b_open = opens("nursing_bed_gap"), opens("bed_gap")
    n_open_text = "预测期内护理型床位存量始终不低于比例法需求" if n_open is None else f"护理型床位缺口自{n_open}年出现"
    b_open_text = "预测期内床位存量始终不低于比例法需求" if b_open is None else f"床位缺口（比例法）自{b_open}年出现"
    return (
        f"**{GAP_DEFINITION_ZH}**\n\n"
        f"**护理型床位：** {year}年需护理型床位约{_num(_v(sel, 'nursing_beds_required'))}张（比例法，每千名老年人"
        f"{_v(sel, 'nursing_beds_per_1000_elderly_target'):g}张），需求法（重度失能使用者÷目标入住率）约"
        f"{_num(_v(sel, 'nursing_beds_need_view'))}张；护理型床位存量（估算）约{_num(_v(sel, 'nursing_bed_stock'))}张，"
        f"比例法{_gap_text(_v(sel, 'nursing_bed_gap'))}，需求法{_gap_text(_v(sel, 'nursing_bed_gap_need_view'))}；"
        f"{n_open_text}。\n\n"
        f"**建设计划：** {first_year + 1}–{year}年共需新增养老床位约{added('beds_to_add'):,.0f}张、护理型床位约"
        f"{added('nursing_beds_to_add'):,.0f}张（含情景中已规划的新增床位），使规划比例在目标年达到并在之后保持；"
        f"{b_open_text}。\n\n"
        f"**床位总量的两种口径：** 比例法约{_num(_v(sel, 'beds_required'))}张，需求法约{_num(_v(sel, 'beds_need_view'))}张，"
        f"存量约{_num(_v(sel, 'bed_stock'))}张（比例法{_gap_text(_v(sel, 'bed_gap'))}，需求法"
        f"{_gap_text(_v(sel, 'bed_gap_need_view'))}）。两者不同，是因为比例法按规划的每千名老年人床位数配置，"
        f"而需求法只为实际入住者（按{first_year}年在住人数校准、随失能老人增长）按目标入住率配置床位，"
        f"今天未被使用的床位不计入需求。"
    )


def views_explained_zh(frame: pd.DataFrame, unit_id: str, year: int) -> str:
    """One sentence on why the ratio and need views of total beds differ, with this run's figures."""
    sel = frame[(frame["unit_id"] == unit_id) & (frame["year"] == year)].set_index("indicator")["p50"]
    ratio, need = _v(sel, "beds_required"), _v(sel, "beds_need_view")
    return (
        f"比例法（{_num(ratio)}张）按规划每千名老年人床位数配置全部老人的床位；需求法（{_num(need)}张）"
        "只计今天的入住者按失能结构增长后的人数，再除以目标入住率——因此当现有床位大量空置时，需求法低于比例法。"
        f" *The ratio view ({_num(ratio)}) provides the plan's beds per 1,000 for all elderly; the need view "
        f"({_num(need)}) sizes beds for today's residents grown with the disability-weighted elderly, at the "
        "target occupancy, so it is lower while many beds stand empty.*"
    )


def gap_opening_zh(
    frame: pd.DataFrame, unit_id: str, names=("bed_gap", "nursing_bed_gap", "nursing_bed_gap_need_view")
) -> str:
    """The first year each gap opens (median gap > 0), as one Chinese line."""
    parts = []
    for name in names:
        short = shortfall_year(frame, name).set_index("unit_id")["first_shortfall_year"]
        v = short.get(unit_id, pd.NA)
        parts.append(f"{catalogue.label(name)}：{'预测期内不出现' if pd.isna(v) else f'{int(v)}年'}")
    return "缺口出现的年份（中位数，需求 − 存量 > 0）：" + "；".join(parts)


ALTERNATIVES = (
    ("基准情景 baseline", {}),
    (
        "失能率：上海2010分性别分程度代理 Shanghai proxy by sex and severity",
        {"beds.prevalence_schedule": "sex_severity"},
    ),
    ("失能率：上海代理单一程度（仅重度）Shanghai proxy, one severity", {"beds.prevalence_schedule": "single"}),
    ("仅重度失能者入住 severe only (use 1 : 0)", {"beds.use_rate_relative": {"severe": 1.0, "moderate": 0.0}}),
    ("轻中度使用率更高 moderate 1 : 0.5", {"beds.use_rate_relative": {"severe": 1.0, "moderate": 0.5}}),
    ("目标入住率90% target occupancy 90 %", {"beds.target_occupancy_pct": 90}),
    ("基期实际入住率70% observed occupancy 70 %", {"beds.occupancy_pct": 70}),
)


def alternatives_table(result, scenario, unit_id: str, year: int) -> pd.DataFrame:
    """The need view of one unit in ``year`` under labelled alternative assumptions (medians, beds).

    Each row changes one ``beds.*`` assumption of ``scenario`` (a Scenario); columns: total beds
    (need view), nursing-type beds (need view) and their gaps (required − stock, + = shortfall).
    """
    units = list(result.unit_ids) + ["quanzhou"]
    u = units.index(resolve(unit_id).id)
    t = int(np.flatnonzero(result.years == year)[0])
    rows = []
    for label, change in ALTERNATIVES:
        arrays = bed_arrays(result, scenario.with_overrides(change) if change else scenario)
        med = {
            k: float(np.median(arrays[k][:, t, u]))
            for k in ("beds_need_view", "bed_gap_need_view", "nursing_beds_need_view", "nursing_bed_gap_need_view")
        }
        rows.append({"假设 assumption": label, **{catalogue.label(k): v for k, v in med.items()}})
    return pd.DataFrame(rows).set_index("假设 assumption")

"""Notebook 03's workforce table and sentences for people (moved from :mod:`analysis.services.workforce` and
:mod:`analysis.services.workforce_check`, issue 23).

Medians (p50) of :func:`analysis.services.workforce.workforce_requirements`, persons, whole numbers,
with the social-worker ratio that binds each year (:func:`analysis.services.workforce.binding_ratio`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue
from ..services import beds as beds_model
from ..services.workforce import COUNT_YEAR, INDICATORS, binding_ratio


def workforce_table(frame: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """The per-year workforce table of one unit for a report (median values, persons)."""
    cols = [c for c in INDICATORS if c != "townships_estimated"]
    table = beds_model.wide_table(frame, unit_id, cols, labels={c: catalogue.label(c) for c in cols}, digits=0)
    bind = binding_ratio(frame)
    bind = bind[bind["unit_id"] == unit_id].set_index("year")["binding_zh"]
    table["约束性比例 binding ratio"] = bind.reindex(table.index)
    return table


def summary_zh(frame: pd.DataFrame, unit_id: str, year: int) -> str:
    """A short Chinese statement of the workforce result for ``year`` from the frame's medians."""
    sel = frame[(frame["unit_id"] == unit_id) & (frame["year"] == year)].set_index("indicator")["p50"]
    if sel.empty:
        return f"{year}年不在预测期内。"

    def num(name):
        v = sel.get(name, np.nan)
        return "缺失" if pd.isna(v) else f"{v:,.0f}"

    bind = binding_ratio(frame)
    bind = bind[(bind["unit_id"] == unit_id) & (bind["year"] == year)]
    bind_text = "无可比较的比例" if bind.empty or pd.isna(bind["binding"].iloc[0]) else bind["binding_zh"].iloc[0]
    path = frame[
        (frame["unit_id"] == unit_id)
        & (frame["indicator"] == "certified_social_workers_additions")
        & frame["year"].between(COUNT_YEAR + 1, year)
    ]["p50"]
    per_year = path.mean() if len(path) else np.nan
    add_text = "" if pd.isna(per_year) else f"，{COUNT_YEAR + 1}—{year}年平均每年需净增约{per_year:,.0f}人"
    return (
        f"到{year}年需持证社工约{num('certified_social_workers_required')}人{add_text}；"
        f"社会工作专业人才约{num('social_work_talent_required')}人，社会救助协管员约"
        f"{num('assistance_coordinators_required')}人（乡镇数为估算），注册志愿者约"
        f"{num('volunteers_required')}人。起约束作用的社工配备比例为：{bind_text}。"
    )


def check_text_zh(table: pd.DataFrame) -> str:
    """One Chinese + English sentence comparing the required growth with the growth achieved."""
    ach = table[(table["kind"] == "achieved")].iloc[-1]  # the whole published period
    req = table[table["kind"] == "required"]
    if req.empty:
        return "目标年不在预测期内，无法比较所需增速。"
    r = req.iloc[0]
    ratio = r["growth_pct"] / ach["growth_pct"] if ach["growth_pct"] else np.nan
    return (
        f"{ach['period']}年全市持证社工由{ach['first_count']:,.0f}人增至{ach['last_count']:,.0f}人，年均增长"
        f"{ach['growth_pct']:.1f}%；要在{int(r['last'])}年达到每万人10人（约{r['last_count']:,.0f}人），"
        f"{r['period']}年需年均增长{r['growth_pct']:.1f}%，约为已实现增速的{ratio:.1f}倍。"
        f" *Certified social workers grew {ach['growth_pct']:.1f} % a year in {ach['period']}; reaching "
        f"{r['last_count']:,.0f} by {int(r['last'])} needs {r['growth_pct']:.1f} % a year ({ratio:.1f}× the "
        "growth achieved).*"
    )

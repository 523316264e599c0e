"""Tables and charts for people of the plan ledger and the plan odds (notebook ``92_plan_ledger``).

Every number is printed in its catalogue format (:mod:`analysis.catalogue`): 万人 for
populations, separators for counts, one decimal for shares; a missing value is "—" (never NaN);
a draft plan's target is marked 草案 wherever it appears; a published outturn is 公布 and a
forecast 估 (the forecast rests on an estimated base for the counties and on estimated stocks).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, geography
from . import plots
from .labels import comparator_label
from ..services.plan_ledger import ACHIEVED, IN_PROGRESS, NOT_ACHIEVED, NOT_PUBLISHED

TRUST_ZH = {"official": "官方发布", "reprint of official": "官方数据的媒体转载", "third-party": "第三方转载（非官方）"}
STATUS_ORDER = (ACHIEVED, NOT_ACHIEVED, IN_PROGRESS, NOT_PUBLISHED)
ODDS_SOURCE = (
    "来源：本次运行的人口投影抽样；床位存量为情景路径（估算）；持证社工按公布序列外推（泉州晚报等）；"
    "目标：各规划原文（见台账的来源列）。Source: this run's projection draws; stocks estimated."
)


def _fmt(indicator: str, value, with_unit: bool = True) -> str:
    if not catalogue.known(indicator):
        return "—" if value is None or pd.isna(value) else f"{value:,.2f}"
    return catalogue.indicator(indicator).format_value(value, with_unit)


def target_text(indicator: str, comparator: str, target: float, draft: bool = False) -> str:
    """'≥ 73.0%' (with 草案 for a draft target)."""
    return f"{comparator_label(comparator)} {_fmt(indicator, target)}" + ("（草案）" if draft else "")


def ledger_counts_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """How many targets are 达成 / 未达成 / 进展中 / 未公布: the city's and all units' rows."""
    rows = []
    for label, part in (("全市 city", ledger[ledger["unit_id"] == geography.CITY_ID]), ("全部（含各县）all", ledger)):
        counts = part["status"].value_counts()
        rows.append({"范围 scope": label, **{s: int(counts.get(s, 0)) for s in STATUS_ORDER}, "合计 total": len(part)})
    return pd.DataFrame(rows)


def ledger_table(ledger: pd.DataFrame, unit_id: str = geography.CITY_ID) -> pd.DataFrame:
    """One unit's ledger for people: target, outturn (公布) with date and source, forecast (估), status."""
    rows = ledger[ledger["unit_id"] == unit_id]
    out = []
    for _, r in rows.iterrows():
        ind = r["indicator"]
        forecast = "—"
        if pd.notna(r["forecast"]):
            band = (
                f"（{_fmt(ind, r['forecast_p10'], False)}–{_fmt(ind, r['forecast_p90'], False)}）"
                if pd.notna(r["forecast_p10"]) and r["forecast_p10"] != r["forecast_p90"]
                else ""
            )
            forecast = f"{_fmt(ind, r['forecast'])}{band} 估"
        outturn = "—" if pd.isna(r["outturn"]) else f"{_fmt(ind, r['outturn'])} 公布"
        source = "—" if not r["outturn_source"] else f"{r['outturn_source']}（{TRUST_ZH.get(r['outturn_trust'], '')}）"
        error = "—" if pd.isna(r["forecast_error_pct"]) else f"{r['forecast_error_pct']:+.1f}%"
        out.append(
            {
                "指标 indicator": r["indicator_zh"],
                "目标年 year": int(r["target_year"]),
                "目标 target": target_text(ind, r["comparator"], r["target"], r["plan_status"] == "draft"),
                "属性 binding": r["binding"],
                "实际 outturn": outturn,
                "日期 date": r["outturn_date"] or "—",
                "2020年起点预测 forecast": forecast,
                "预测误差 error": error,
                "状态 status": r["status"],
                "说明 note": r["note"] or "—",
                "来源 source": source,
            }
        )
    return pd.DataFrame(out)


def odds_table(odds: pd.DataFrame, unit_id: str = geography.CITY_ID) -> pd.DataFrame:
    """One unit's odds for people: target, forecast, probability, action at the run's confidence, what it rests on."""
    rows = odds[odds["unit_id"] == unit_id]
    out = []
    for _, r in rows.iterrows():
        ind = r["indicator"]
        computed = bool(r["computed"])
        action = (
            f"{r['action']} {r['action_value']:,.0f} {r['action_unit']}"
            if computed and pd.notna(r["action_value"])
            else "—"
        )
        out.append(
            {
                "指标 indicator": r["indicator_zh"],
                "年份 year": int(r["year"]),
                "目标 target": target_text(ind, r["comparator"], r["target"], r["plan_status"] == "draft"),
                "预测中位数 forecast": _fmt(ind, r["value_p50"]) + (" 估" if computed else ""),
                "达成概率 p(meet)": f"{100 * r['p_meet']:.0f}%" if computed and pd.notna(r["p_meet"]) else "无法计算",
                f"{r['confidence']:.0%}把握所需行动 action": action,
                "缺口出现 gap opens": "—" if pd.isna(r["gap_opens"]) else f"{int(r['gap_opens'])}年",
                "依据 rests on": r["rests_on"] or "—",
            }
        )
    return pd.DataFrame(out)


def drafter_table(odds: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """For one ratio target: per unit, the value the projection supports at 50 % and 80 % next to the target."""
    rows = odds[(odds["indicator"] == indicator) & odds["computed"].astype(bool)]
    order = {u: i for i, u in enumerate([geography.CITY_ID] + geography.county_ids())}
    rows = rows.assign(_o=rows["unit_id"].map(order)).sort_values("_o")
    out = []
    for _, r in rows.iterrows():
        out.append(
            {
                "单位 unit": r["unit_name"],
                "目标 target": target_text(indicator, r["comparator"], r["target"], r["plan_status"] == "draft"),
                "50%把握可达 supported at 50%": _fmt(indicator, r["supported_at_50"]),
                "80%把握可达 supported at 80%": _fmt(indicator, r["supported_at_80"]),
                "达成概率 p(meet)": f"{100 * r['p_meet']:.0f}%",
                "每年需新增 per year": f"{r['action_value']:,.0f} {r['action_unit']}",
            }
        )
    return pd.DataFrame(out)


def odds_chart(odds: pd.DataFrame, indicator: str):
    """Horizontal bars: the probability of meeting one target, per unit (the city on top)."""
    rows = odds[(odds["indicator"] == indicator) & odds["computed"].astype(bool)]
    if not len(rows):
        return None, None
    order = {u: i for i, u in enumerate(geography.county_ids() + [geography.CITY_ID])}
    rows = rows.assign(_o=rows["unit_id"].map(order)).sort_values("_o")
    first = rows.iloc[0]
    draft = "（草案目标）" if first["plan_status"] == "draft" else ""
    title = (
        f"{int(first['year'])}年{first['indicator_zh']}"
        f"{target_text(indicator, first['comparator'], first['target'])}{draft}的达成概率"
    )
    fig, ax = plots.new_figure(title, "达成概率（%）probability of meeting the target", "", ODDS_SOURCE, figsize=(9, 6))
    values = 100 * rows["p_meet"].to_numpy(dtype=float)
    colours = [plots.PALETTE[1] if u == geography.CITY_ID else plots.PALETTE[0] for u in rows["unit_id"]]
    bars = ax.barh(rows["unit_name"], values, color=colours)
    for bar, value in zip(bars, values):
        if np.isfinite(value):
            ax.annotate(
                f"{value:.0f}%",
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
    ax.axvline(80, color="#888888", lw=0.8, ls="--")
    ax.set_xlim(0, 110)
    ax.grid(axis="y", visible=False)
    return fig, ax

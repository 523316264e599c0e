"""Charts of the bed and workforce models for notebooks 02 and 03 (house style of :mod:`analysis.present.plots`).

Each function takes the tidy frame of :func:`analysis.services.beds.bed_requirements` or
:func:`analysis.services.workforce.workforce_requirements` and a unit, and returns ``(fig, ax)``
(or ``(fig, axes)``) with a Chinese title, axes labelled with units, a legend and a source line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue
from . import plots
from ..geography import resolve
from .labels import base_label
from ..services import workforce

PLAN = "泉州市“十四五”民政事业发展专项规划"


def _series(frame: pd.DataFrame, unit_id: str, indicator: str) -> pd.DataFrame:
    rows = frame[(frame["unit_id"] == unit_id) & (frame["indicator"] == indicator)]
    return rows.sort_values("year")


def _fan(ax, frame, unit_id, indicator, label, color=None):
    rows = _series(frame, unit_id, indicator)
    if rows["p50"].notna().any():
        plots.fan(ax, rows["year"], rows["p10"], rows["p50"], rows["p90"], label, color)


def _title(text: str, unit_id: str, frame: pd.DataFrame) -> str:
    base = base_label(frame.attrs.get("base", ""))
    return f"{resolve(unit_id).name_zh}：{text}" + (f"（{base}）" if base else "")


def _stock_line(ax, frame, unit_id):
    stock = _series(frame, unit_id, "bed_stock")
    ax.plot(stock["year"], stock["p50"], color="black", lw=1.8, ls="--", label=catalogue.label("bed_stock"))


def plot_beds_vs_stock(frame: pd.DataFrame, unit_id: str):
    """Required beds (ratio and need views, with 10–90 % bands) against the bed stock over time."""
    fig, ax = plots.new_figure(
        _title("养老床位需求与存量", unit_id, frame),
        "年份",
        "床位（张）",
        f"{PLAN} 专栏1、专栏2、第467行；床位存量 2017年30023张、2020年42,180张（38张/千人×111万老人，与“突破4万张”一致），"
        "县级按老年人口占比分摊（估算）；需求法：使用者按2020年在住人数校准 ÷ 目标入住率（估算）",
    )
    _fan(ax, frame, unit_id, "beds_required", "比例法：养老床位需求", plots.PALETTE[0])
    _fan(ax, frame, unit_id, "nursing_beds_required", "比例法：护理型床位需求", plots.PALETTE[1])
    _fan(ax, frame, unit_id, "beds_need_view", "需求法：养老床位需求（估算）", plots.PALETTE[2])
    _stock_line(ax, frame, unit_id)
    plots.thousands_axis(ax)
    ax.legend(loc="upper left", fontsize=8)
    return fig, ax


def plot_bed_views(frame: pd.DataFrame, unit_id: str):
    """The ratio view and the need view side by side, both against the stock (same y scale)."""
    fig, axes = plots.subplots(1, 2, figsize=(12, 5), sharey=True)
    fig.suptitle(_title("两种口径的床位需求", unit_id, frame), fontsize=14)
    left, right = axes
    left.set_title("比例法（规划比例）", fontsize=12)
    _fan(left, frame, unit_id, "beds_required", "养老床位（每千名老年人）", plots.PALETTE[0])
    _fan(left, frame, unit_id, "institutional_beds_implied", "养老机构床位（护理型÷占比）", plots.PALETTE[4])
    _fan(left, frame, unit_id, "nursing_beds_required", "护理型床位", plots.PALETTE[1])
    right.set_title("需求法（使用者÷目标入住率，估算）", fontsize=12)
    _fan(right, frame, unit_id, "beds_need_view", "需求法床位", plots.PALETTE[2])
    _fan(right, frame, unit_id, "care_users", "机构照护使用者（人，基年=存量×实际入住率）", plots.PALETTE[3])
    for ax in axes:
        _stock_line(ax, frame, unit_id)
        ax.set_xlabel("年份")
        ax.legend(loc="upper left", fontsize=8)
        plots.thousands_axis(ax)
    left.set_ylabel("床位（张）/ 人数（人）")
    plots.add_source(
        fig,
        f"{PLAN} 专栏1、专栏2；失能率：上海2010年人口普查（镇）分性别、分程度代理数据，75岁以上对数线性外推；"
        "基年实际入住率、目标入住率、各程度相对使用率为情景假设",
    )
    return fig, axes


def plot_binding_ratio(frame: pd.DataFrame, unit_id: str):
    """The three social-worker requirements over time; the binding one is marked each year."""
    fig, ax = plots.new_figure(
        _title("社工配备比例：哪一个起约束作用", unit_id, frame),
        "年份",
        "社会工作者（人）",
        f"{PLAN} 第409行（每万人持证社工10人）、第472行（每千名老年人、每百张床位1名社工）；县级2020年存量为估算",
    )
    for i, (name, label) in enumerate(workforce.BINDING_CANDIDATES.items()):
        _fan(ax, frame, unit_id, name, label, plots.PALETTE[i])
    bind = workforce.binding_ratio(frame)
    bind = bind[(bind["unit_id"] == unit_id) & bind["binding"].notna()]
    ax.scatter(bind["year"], bind["required"], s=36, color="black", zorder=5, label="起约束作用的比例（取大）")
    plots.thousands_axis(ax)
    ax.legend(loc="upper left", fontsize=8)
    return fig, ax


def plot_certified_path(frame: pd.DataFrame, unit_id: str):
    """Certified social workers: on-track path from the 2020 count, the requirement, annual additions."""
    fig, ax = plots.new_figure(
        _title("持证社工：从2020年存量到2025年目标", unit_id, frame),
        "年份",
        "持证社工（人）",
        f"{PLAN} 第16行（持证社工2620名）、第409行（2025年每万人10人）；县级2020年存量按人口占比分摊（估算）",
    )
    adds = _series(frame, unit_id, "certified_social_workers_additions")
    ax.bar(adds["year"], adds["p50"].fillna(0), color=plots.PALETTE[5], alpha=0.5, label="年度净增需求（中位数）")
    _fan(ax, frame, unit_id, "certified_social_workers_path", "达标路径", plots.PALETTE[0])
    req = _series(frame, unit_id, "certified_social_workers_required")
    ax.plot(req["year"], req["p50"], color=plots.PALETTE[1], lw=0, marker="o", ms=4, label="每万人10名的需求（中位数）")
    plots.thousands_axis(ax)
    ax.legend(loc="upper left", fontsize=8)
    return fig, ax


def plot_certified_history(frame: pd.DataFrame, unit_id: str, history: pd.DataFrame):
    """City certified social workers: the published counts 2015–2020 and the path to the 2025 requirement."""
    fig, ax = plots.new_figure(
        _title("持证社工：已公布的历史与达标路径", unit_id, frame),
        "年份",
        "持证社工（人）",
        "泉州晚报2015-12-27（1021人）、泉州网约2018年（1423人，年份为推断）、闽南网2019-03-22（2078人）、"
        f"{PLAN} 第16行（2020年2620人）、第409行（2025年每万人10人）",
    )
    ax.plot(history["year"], history["count"], color="black", marker="s", lw=1.5, label="已公布的持证社工人数")
    _fan(ax, frame, unit_id, "certified_social_workers_path", "达标路径（模型）", plots.PALETTE[0])
    plots.thousands_axis(ax)
    ax.legend(loc="upper left", fontsize=8)
    return fig, ax


def plot_workforce_overview(frame: pd.DataFrame, unit_id: str):
    """Talent, coordinators and volunteers: one linear panel each (their sizes differ a hundredfold,
    so one shared axis would need a log scale, which this audience does not read). Returns
    ``(fig, axes)``."""
    from matplotlib.ticker import MaxNLocator

    names = ["social_work_talent_required", "assistance_coordinators_required", "volunteers_required"]
    fig, axes = plots.subplots(1, 3, figsize=(11, 4.2))
    fig.suptitle(_title("社会工作人才、社会救助协管员与志愿者需求", unit_id, frame))
    for i, (ax, name) in enumerate(zip(axes, names)):
        _fan(ax, frame, unit_id, name, catalogue.label(name), plots.PALETTE[i])
        ax.set_title(catalogue.label(name), fontsize=9)
        ax.set_xlabel("年份")
        ax.set_ylabel("人数（人）" if i == 0 else "")
        ax.set_ylim(bottom=0)
        plots.thousands_axis(ax)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.legend(loc="lower right", fontsize=7)
    plots.add_source(
        fig,
        f"{PLAN} 专栏2第13行（社会工作专业人才占比）、第349行（协管员按乡镇户籍人口配备，乡镇数为估算）、"
        "第412行（注册志愿者超过18%）",
    )
    return fig, axes


def gap_years(frame: pd.DataFrame, unit_id: str) -> np.ndarray:
    """Years with a positive median ratio-view gap for ``unit_id`` (for notebook text)."""
    rows = _series(frame, unit_id, "bed_gap")
    return rows.loc[rows["p50"] > 0, "year"].to_numpy()

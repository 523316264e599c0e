"""Charts of the nursing-type gap and the build schedule (notebook 02; house style of :mod:`analysis.present.plots`).

Each function takes the tidy frame of :func:`analysis.services.beds.bed_requirements` and a unit
and returns ``(fig, ax)`` or ``(fig, axes)`` with a Chinese title, labelled axes with units, a
legend and a source line; every gap chart states the sign convention (需求 − 存量，正值为缺口).
"""

from __future__ import annotations

import pandas as pd

from .. import catalogue
from . import plots
from ..scenarios import parameter_label
from ..services import beds
from .charts_beds_workforce import PLAN, _fan, _series, _title

SOURCE_STOCK = (
    "护理型床位存量 = 床位存量（2020年38张/千人×111万老人=42,180张，县级按老年人口分摊，估算）× 机构床位占比"
    "（全国2022年62.5%，代理）× 规划护理型占比路径（54.8%→60%）"
)


def plot_nursing_gap(frame: pd.DataFrame, unit_id: str):
    """Nursing-type beds: required by the plan's ratio and by severe users, against the (estimated) stock."""
    fig, ax = plots.new_figure(
        _title("护理型床位：需求、存量与缺口", unit_id, frame),
        "年份",
        "护理型床位（张）",
        f"{PLAN} 专栏2第2、3行、第467行；{SOURCE_STOCK}；需求法 = 重度失能使用者 ÷ 目标入住率（估算）。"
        f"{beds.GAP_DEFINITION_ZH}",
    )
    _fan(ax, frame, unit_id, "nursing_beds_required", "比例法：每千名老年人护理型床位", plots.PALETTE[1])
    _fan(ax, frame, unit_id, "nursing_beds_need_view", "需求法：重度失能使用者÷目标入住率（估算）", plots.PALETTE[2])
    stock = _series(frame, unit_id, "nursing_bed_stock")
    ax.plot(stock["year"], stock["p50"], color="black", lw=1.8, ls="--", label="护理型床位存量（估算）")
    plots.thousands_axis(ax)
    ax.legend(loc="upper left", fontsize=8)
    return fig, ax


def plot_build_schedule(frame: pd.DataFrame, unit_id: str):
    """Beds and nursing-type beds to add each year (bars) so that the plan's ratios hold from the target year."""
    import numpy as np

    fig, axes = plots.subplots(1, 2, figsize=(12, 5))
    fig.suptitle(_title("建设计划：每年需新增的床位", unit_id, frame), fontsize=14)
    for ax, (name, stock, req, label, color) in zip(
        axes,
        [
            ("beds_to_add", "bed_stock_scheduled", "beds_required", "养老床位", plots.PALETTE[0]),
            (
                "nursing_beds_to_add",
                "nursing_bed_stock_scheduled",
                "nursing_beds_required",
                "护理型床位",
                plots.PALETTE[1],
            ),
        ],
    ):
        adds = _series(frame, unit_id, name)
        ax.bar(
            adds["year"],
            np.nan_to_num(adds["p50"].to_numpy()),
            color=color,
            alpha=0.6,
            label=f"每年需新增{label}（张/年，中位数）",
        )
        ax.set_title(label, fontsize=12)
        ax.set_xlabel("年份")
        ax.set_ylabel("每年新增（张/年）")
        plots.thousands_axis(ax)
        twin = ax.twinx()
        s = _series(frame, unit_id, stock)
        r = _series(frame, unit_id, req)
        twin.plot(s["year"], s["p50"], color="black", lw=1.6, ls="--", label=catalogue.heading(stock))
        twin.plot(r["year"], r["p50"], color=color, lw=1.2, marker="o", ms=3, label=f"比例法{label}需求（张）")
        twin.set_ylabel("存量与需求（张）")
        plots.thousands_axis(twin)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = twin.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8)
    plots.add_source(
        fig,
        f"{PLAN} 专栏1第5行、专栏2第2–3行、第467行（新增不少于5000张）；建设计划（估）：目标年（情景参数"
        f"“{parameter_label('beds.build_target_year')}”）的缺口从基年起平均分摊，之后存量随需求增长；"
        f"含情景中已规划的新增床位。{beds.GAP_DEFINITION_ZH}",
    )
    return fig, axes

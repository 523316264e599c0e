"""Charts of the population engine, in the house style of :mod:`analysis.present.plots`.

Every function returns a matplotlib figure with a Chinese title, axes labelled with units, a
legend and the source line; notebooks only call them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, geography
from . import plots
from .labels import base_label
from ..demography.result import ProjectionResult, percentiles

SOURCE_PROJECTION = (
    "本项目人口预测（队列要素法）；基期人口为估计值 estimated base; "
    "UN WPP 2022/2019; 泉州市第七次人口普查; 泉州统计年鉴2022"
)


def _base_label(result: ProjectionResult) -> str:
    return base_label(result.base, english=True)


def pyramid(result: ProjectionResult, unit_id: str, years=None, stat: str = "p50"):
    """Population pyramid (persons by sex and single age) of two years, e.g. base vs horizon."""
    unit = geography.resolve(unit_id)
    years = list(years) if years is not None else [int(result.years[0]), int(result.years[-1])]
    values = percentiles(result.unit(unit.id), axis=0)["p50"] if stat == "p50" else result.unit(unit.id)[0]
    fig, ax = plots.new_figure(
        f"{unit.name_zh}人口金字塔（{_base_label(result)}）",
        "人数（人） persons (男 male ← | → 女 female)",
        "年龄（岁） age (years)",
        SOURCE_PROJECTION,
        figsize=(9, 7),
    )
    ages = np.arange(values.shape[-1])
    styles = [dict(alpha=0.35), dict(alpha=1.0, fill=False, lw=1.2)]
    for i, year in enumerate(years):
        t = result.year_index(year)
        kw = styles[min(i, 1)]
        ax.barh(
            ages,
            -values[t, 0],
            height=1.0,
            color=plots.PALETTE[0],
            edgecolor=plots.PALETTE[0],
            label=f"{year} 男 male",
            **kw,
        )
        ax.barh(
            ages,
            values[t, 1],
            height=1.0,
            color=plots.PALETTE[1],
            edgecolor=plots.PALETTE[1],
            label=f"{year} 女 female",
            **kw,
        )
    ax.xaxis.set_major_formatter(plots.matplotlib.ticker.FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    ax.set_ylim(0, ages[-1] + 1)
    ax.legend(loc="upper right")
    return fig


def fan_chart(result: ProjectionResult, unit_id: str, indicators=("pop_60plus", "pop_80plus")):
    """Fan chart (median and 10–90 % band across draws) of elderly counts, persons in 万."""
    unit = geography.resolve(unit_id)
    fig, ax = plots.new_figure(
        f"{unit.name_zh}老年人口预测（{_base_label(result)}）",
        "年份 year",
        "人数（万人） persons (10,000)",
        SOURCE_PROJECTION,
    )
    summary = result.summary(unit.id)
    for name in indicators:
        sel = summary[summary["indicator"] == name]
        plots.fan(ax, sel["year"], sel["p10"], sel["p50"], sel["p90"], catalogue.label(name, english=True))
    plots.wan_axis(ax)
    ax.legend()
    return fig


def plan_target_chart(result: ProjectionResult, comparison: dict, unit_id: str = "quanzhou"):
    """Projected 60+ (fan) against the plan's expectation for one year (a marker)."""
    unit = geography.resolve(unit_id)
    fig, ax = plots.new_figure(
        f"{unit.name_zh}60岁及以上{_base_label(result)}：预测与规划预期",
        "年份 year",
        "人数（万人） persons (10,000)",
        "本项目人口预测（基期为估计值 estimated base）; 泉州市“十四五”民政事业发展专项规划",
    )
    summary = result.summary(unit.id)
    sel = summary[summary["indicator"] == "pop_60plus"]
    plots.fan(ax, sel["year"], sel["p10"], sel["p50"], sel["p90"], "预测 projection 60+")
    ax.scatter(
        [comparison["year"]],
        [comparison["target"]],
        marker="D",
        s=70,
        color=plots.PALETTE[3],
        zorder=5,
        label=f"规划预期 plan expectation {comparison['year']}: {plots.fmt_wan(comparison['target'])}",
    )
    plots.wan_axis(ax)
    ax.legend()
    return fig


def backtest_chart(table: pd.DataFrame):
    """Percent errors of the 2010→2020 backtest (projected vs 2020 census), one bar per quantity."""
    fig, ax = plots.new_figure(
        "回溯检验：2010→2020 预测与第七次人口普查之差",
        "误差（%） percent error (projected − census) / census",
        "指标 quantity",
        "泉州市第六次、第七次人口普查; UN WPP 2022; 本项目计算",
        figsize=(9, 6),
    )
    labels = [f"{q} [{u}]" for q, u in zip(table["quantity"], table["unit_id"])]
    colors = [plots.PALETTE[0] if m == "persons" else plots.PALETTE[1] for m in table["measure"]]
    ax.barh(labels, table["percent_error"], color=colors)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.invert_yaxis()
    handles = [
        plots.plt.Rectangle((0, 0), 1, 1, color=plots.PALETTE[0]),
        plots.plt.Rectangle((0, 0), 1, 1, color=plots.PALETTE[1]),
    ]
    ax.legend(handles, ["人数 counts", "比重 shares"], loc="center left")
    return fig


def band_components_chart(runs: dict, unit_id: str, indicator: str = "pop_60plus"):
    """The p10–p90 band of ``indicator`` from all sources, with the part due to the estimated base
    alone drawn inside it (persons in 万); ``runs`` from :func:`.band_components.component_runs`."""
    unit = geography.resolve(unit_id)
    result = runs["all"]
    fig, ax = plots.new_figure(
        f"{unit.name_zh}{catalogue.label(indicator)}：区间的来源（{_base_label(result)}）",
        "年份 year",
        "人数（万人） persons (10,000)",
        SOURCE_PROJECTION,
    )
    # what each band draws, short (the full list: band_components.MADE_OF, in the component table)
    for name, label, color in (
        ("all", "全部来源（基期 + 生育、全市死亡水平、迁移）all sources", plots.PALETTE[0]),
        ("base", "仅基期估计（含饥荒低谷深度）estimated base only", plots.PALETTE[1]),
    ):
        sel = runs[name].summary(unit.id)
        sel = sel[sel["indicator"] == indicator]
        plots.fan(ax, sel["year"], sel["p10"], sel["p50"], sel["p90"], label, color)
    plots.wan_axis(ax)
    ax.legend()
    return fig

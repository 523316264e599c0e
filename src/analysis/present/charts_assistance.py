"""Charts of the 低保/minimum-wage link and the plan-indicator tracker (house style, Chinese first).

Every function returns ``(fig, ax)`` made with :func:`analysis.present.plots.new_figure`: Chinese title,
axes labelled with units, a legend and a source line under the chart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..geography import resolve
from .plots import PALETTE, fan, new_figure, thousands_axis
from .tracker_table import STATUS_COLOURS
from ..services import indicators as ind
from ..services import min_wage as mw

SOURCE_WAGE = (
    "福建省历次最低工资标准调整（据新闻和第三方转载，逐条注明出处；2017年值缺失；2025-04各档按公布的四档平均"
    "2100元估算）；之后为预测（对数随机游走加漂移，加权最小二乘，2015年起拟合；下次调整日期按历史调整间隔抽样，"
    "区间同时覆盖调整幅度与调整时间）"
)
SOURCE_PLAN = "泉州市“十四五”民政事业发展专项规划 专栏2；本项目测算（估算）"


def _rows(frame: pd.DataFrame, unit_id: str, indicator: str) -> pd.DataFrame:
    rows = frame[(frame["unit_id"] == unit_id) & (frame["indicator"] == indicator)].sort_values("year")
    if rows.empty:
        raise KeyError(f"no {indicator} rows for {unit_id}")
    return rows


def wage_chart(
    path: pd.DataFrame,
    unit_id: str,
    history: mw.WageHistory | None = None,
    first_year: int = 2010,
    next_band: dict | None = None,
):
    """Minimum wage in force (annual average, yuan per month): history and forecast fan.

    ``next_band``: p10/p50/p90 months of the next decree (sampled timing), shaded on the chart.
    """
    unit = resolve(unit_id)
    rows = _rows(path, unit.id, "min_wage_monthly")
    fig, ax = new_figure(
        f"{unit.name_zh} 最低工资标准：历史与预测", "年份", "月最低工资（元/月，年内平均）", SOURCE_WAGE
    )
    if not unit.is_city:
        history = history if history is not None else mw.load_wage_history()
        tier = mw.unit_tier(unit, history)
        hist = mw.annual_average_in_force(history, first_year, int(rows["year"].min()) - 1)[tier]
        ax.plot(hist.index, hist.to_numpy(), "o-", color=PALETTE[5], label=f"已公布（第{tier}档，年内平均）")
    fan(ax, rows["year"], rows["p10"], rows["p50"], rows["p90"], "最低工资（已知+预测）", PALETTE[0])
    if next_band:
        lo, mid, hi = (next_band[k].year + (next_band[k].month - 1) / 12 for k in ("p10", "p50", "p90"))
        ax.axvspan(
            lo,
            hi,
            color=PALETTE[3],
            alpha=0.15,
            label=f"下次调整时间10–90%区间（{next_band['p10']}至{next_band['p90']}）",
        )
        ax.axvline(mid, color=PALETTE[3], lw=1, ls=":")
    thousands_axis(ax)
    ax.legend(loc="upper left")
    return fig, ax


def dibao_chart(path: pd.DataFrame, unit_id: str):
    """低保 standard with the 特困 and 低保边缘 thresholds, yuan per person per month."""
    unit = resolve(unit_id)
    fig, ax = new_figure(
        f"{unit.name_zh} 低保标准及相关救助标准（按最低工资挂钩推算）",
        "年份",
        "标准（元/人·月）",
        SOURCE_PLAN + "；特困系数1.3为全国经验值（非规划原文）",
    )
    for name, label, colour in [
        ("dibao_monthly", "低保标准", PALETTE[0]),
        ("tekun_monthly", "特困供养标准（≥1.3×低保，参数）", PALETTE[1]),
        ("low_income_upper_monthly", "低保边缘上限（2×低保）", PALETTE[2]),
    ]:
        rows = _rows(path, unit.id, name)
        fan(ax, rows["year"], rows["p10"], rows["p50"], rows["p90"], label, colour)
    thousands_axis(ax)
    ax.legend(loc="upper left", fontsize=9)
    return fig, ax


def cost_chart(path: pd.DataFrame, unit_id: str):
    """Estimated annual 低保 cost, 万元 per year (recipients × average gap × 12)."""
    unit = resolve(unit_id)
    rows = _rows(path, unit.id, "dibao_cost_annual")
    fig, ax = new_figure(
        f"{unit.name_zh} 低保资金需求（估算）",
        "年份",
        "年度资金（万元/年）",
        "估算：保障人数=户籍人口×保障比例（福建2019年数推算）；人均差额=标准×参数；" + SOURCE_PLAN,
    )
    if rows["p50"].notna().any():
        fan(ax, rows["year"], rows["p10"] / 1e4, rows["p50"] / 1e4, rows["p90"] / 1e4, "低保资金需求", PALETTE[3])
        ax.legend(loc="upper left")
    else:
        ax.text(
            0.5,
            0.5,
            "缺少人口预测，无法估算 (no population projection)",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    thousands_axis(ax)
    return fig, ax


def backtest_chart(backtest: pd.DataFrame):
    """Published city 低保 standards vs the link model (yuan per year)."""
    fig, ax = new_figure(
        "低保标准回测：公布值与“比例×最低工资”",
        "指标与年份",
        "低保标准（元/人·年）",
        "泉州市“十四五”民政事业发展专项规划 专栏1、专栏2；福建省最低工资标准；人口加权",
    )
    labels = [f"{'城市' if r.indicator.startswith('urban') else '农村'} {r.year}" for r in backtest.itertuples()]
    x = np.arange(len(backtest))
    ax.bar(x - 0.2, backtest["published_standard"], 0.4, color=PALETTE[0], label="规划公布值")
    ax.bar(
        x + 0.2,
        backtest["model_standard"].fillna(0),
        0.4,
        color=PALETTE[1],
        label="44.5%×人口加权最低工资×12（2015年无比例）",
    )
    ax.set_xticks(x, labels)
    thousands_axis(ax)
    ax.legend(loc="upper left")
    return fig, ax


def indicator_chart(tracker: pd.DataFrame, unit_id: str, indicator_id: str):
    """One plan indicator: projected value (fan) vs the annual target, points coloured by status.

    Base-year rows (role ``base-year reference``) are drawn as open diamonds, not as part of the
    target line: they are the plan's 2020 status figures, not targets.
    """
    unit = resolve(unit_id)
    rows = tracker[(tracker["unit_id"] == unit.id) & (tracker["indicator_id"] == indicator_id)].sort_values("year")
    if rows.empty:
        raise KeyError(f"no tracker rows for {indicator_id} in {unit.id}")
    name, measure = rows["indicator_zh"].iloc[0], rows["measure"].iloc[0]
    source = "泉州市“十四五”民政事业发展专项规划 " + "、".join(dict.fromkeys(rows["source"].astype(str)))
    fig, ax = new_figure(
        f"{unit.name_zh} {name}：预测与规划值",
        "年份",
        f"{name}（{measure}）",
        f"{source}；本项目测算（估算）；状态：达标=中位数达到目标（容差1%）且p10不低于目标5%以上，"
        "未达标=中位数低于目标5%以上且p90未达目标，其余为有风险；2020年为基期参考，不评分；"
        "按规划设定=模型按规划取值，不是独立预测，不评分、不着色",
    )
    targets = rows[rows["role"] != ind.BASE_REFERENCE]
    if targets["target"].notna().any():
        ax.step(targets["year"], targets["target"], where="mid", color="#444444", ls="--", label="规划目标")
    reference = rows[(rows["role"] == ind.BASE_REFERENCE) & rows["target"].notna()]
    if len(reference):
        ax.scatter(
            reference["year"],
            reference["target"],
            marker="D",
            s=50,
            facecolor="white",
            edgecolor="#444444",
            zorder=6,
            label="基期公布值（不评分）",
        )
    computed = rows[rows["p50"].notna()]
    # A value the model sets from the plan is not a forecast: named so, and never coloured by status.
    set_from_plan = (computed["status"] == ind.SET_FROM_PLAN).any() and not computed["status"].isin(ind.SCORED).any()
    what = "按规划设定值" if set_from_plan else "预测值"
    if len(computed) > 1:
        fan(ax, computed["year"], computed["p10"], computed["p50"], computed["p90"], what, PALETTE[0])
    elif len(computed):  # one year: a point with its 10–90 % range, no line
        ax.errorbar(
            computed["year"],
            computed["p50"],
            yerr=[(computed["p50"] - computed["p10"]).fillna(0), (computed["p90"] - computed["p50"]).fillna(0)],
            color=PALETTE[0],
            ls="",
            capsize=4,
            label="模型值（中位数，10%–90%区间）",
        )
    if len(computed):
        for st, colour in STATUS_COLOURS.items():
            sel = computed[computed["status"] == st]
            if len(sel):
                ax.scatter(sel["year"], sel["p50"], s=60, color=colour, zorder=5)
    years = rows["year"].astype(int)
    ax.set_xlim(years.min() - 0.5, years.max() + 0.5)
    ax.set_xticks(range(years.min(), years.max() + 1))
    handles, labels = ax.get_legend_handles_labels()
    for st in dict.fromkeys(rows["status"]):
        if st not in STATUS_COLOURS:
            continue  # 按规划设定: no status colour, nothing to explain in the legend
        handles.append(Line2D([], [], marker="o", ls="", color=STATUS_COLOURS[st]))
        labels.append(f"{ind.STATUS_ZH[st]} {st}")
    ax.legend(handles, labels, loc="best", fontsize=9)
    return fig, ax

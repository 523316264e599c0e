"""All units side by side: the tables and ranked charts of notebook ``90_city_overview``.

Each function takes the tidy frame of every model (``unit_id, year, indicator, p10, p50, p90,
measure`` — see :mod:`analysis.tidy`) for all 13 units and the city, and answers one question:
where does the older population grow fastest, where is the bed gap largest, how many certified
social workers must each unit add, and what 低保 standard each unit must pay.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import geography
from . import plots
from .labels import base_label

PLAN = "泉州市“十四五”民政事业发展专项规划"


def _values(projected: pd.DataFrame, indicator: str, year: int, stat: str = "p50") -> pd.Series:
    rows = projected[(projected["indicator"] == indicator) & (projected["year"] == year)]
    return rows.set_index("unit_id")[stat]


def unit_comparison(projected: pd.DataFrame, first_year: int, plan_year: int, horizon: int) -> pd.DataFrame:
    """One row per unit (city last): elderly growth, bed gap, social-worker additions, 低保.

    Columns (units): ``pop_60plus_<year>`` (persons), ``growth_60plus_pct`` (percent change of
    persons aged 60+ from ``first_year`` to ``plan_year``), ``bed_gap_<plan_year>`` (beds, required
    by the ratio view minus the estimated stock; positive = shortfall), ``social_workers_to_add``
    (persons, certified social workers required in ``plan_year`` minus the 2020 allocation),
    ``dibao_monthly_<plan_year>`` (yuan per person per month).
    """
    units = geography.all_units()
    elderly_first = _values(projected, "pop_60plus", first_year)
    elderly_plan = _values(projected, "pop_60plus", plan_year)
    elderly_horizon = _values(projected, "pop_60plus", horizon)
    required_sw = _values(projected, "certified_social_workers_required", plan_year)
    path_first = _values(projected, "certified_social_workers_path", first_year)
    table = pd.DataFrame(
        {
            "unit_id": [u.id for u in units],
            "单位 unit": [u.name_zh for u in units],
            f"60+ {first_year}": [elderly_first.get(u.id, np.nan) for u in units],
            f"60+ {plan_year}": [elderly_plan.get(u.id, np.nan) for u in units],
            f"60+ {horizon}": [elderly_horizon.get(u.id, np.nan) for u in units],
        }
    )
    table["60+增长% growth"] = 100 * (table[f"60+ {plan_year}"] / table[f"60+ {first_year}"] - 1)
    table[f"床位缺口 bed gap {plan_year}"] = [_values(projected, "bed_gap", plan_year).get(u.id, np.nan) for u in units]
    table["持证社工需增 social workers to add"] = [
        required_sw.get(u.id, np.nan) - path_first.get(u.id, np.nan) for u in units
    ]
    table[f"低保 元/月 {plan_year}"] = [_values(projected, "dibao_monthly", plan_year).get(u.id, np.nan) for u in units]
    return table


def ranked_bar(table: pd.DataFrame, column: str, title: str, xlabel: str, source: str, fmt=plots.fmt_int):
    """Horizontal bars of ``column`` for the 13 units, largest on top (the city is left out)."""
    counties = table[table["unit_id"] != geography.CITY_ID].sort_values(column)
    fig, ax = plots.new_figure(title, xlabel, "", source, figsize=(9, 6))
    bars = ax.barh(counties["单位 unit"], counties[column], color=plots.PALETTE[0])
    for bar, value in zip(bars, counties[column]):
        if np.isfinite(value):
            ax.annotate(
                fmt(value),
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
    ax.axvline(0, color="#333333", lw=0.8)
    ax.grid(axis="y", visible=False)
    return fig, ax


def elderly_growth_chart(table: pd.DataFrame, first_year: int, plan_year: int, base: str):
    column = "60+增长% growth"
    return ranked_bar(
        table,
        column,
        f"{first_year}—{plan_year}年60岁及以上人口增长（{base_label(base)}）",
        "增长率（%）",
        "本项目人口预测（中位数；基期分县年龄结构为估计值）",
        fmt=lambda v: f"{v:.1f}%",
    )


def bed_gap_chart(table: pd.DataFrame, plan_year: int, base: str):
    column = f"床位缺口 bed gap {plan_year}"
    return ranked_bar(
        table,
        column,
        f"{plan_year}年养老床位缺口（比例法，{base_label(base)}）",
        "缺口（张；正数为不足）",
        f"{PLAN} 专栏1（每千名老年人38张）；床位存量县级分摊为估计值",
    )


def social_worker_chart(table: pd.DataFrame, plan_year: int, base: str):
    column = "持证社工需增 social workers to add"
    return ranked_bar(
        table,
        column,
        f"2020—{plan_year}年需新增持证社工（每万人10名，{base_label(base)}）",
        "人数（人）",
        f"{PLAN} 第三节（每万人拥有持证社工10人）；2020年2620人按人口分摊（估计值）",
    )


def dibao_chart(table: pd.DataFrame, plan_year: int):
    column = f"低保 元/月 {plan_year}"
    return ranked_bar(
        table,
        column,
        f"{plan_year}年各县低保标准（与最低工资挂钩）",
        "低保标准（元/人·月）",
        f"{PLAN} 专栏2（低保占最低工资47.5%）；福建省最低工资分档；本项目预测",
        fmt=lambda v: f"{v:,.0f}",
    )


def format_table(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison table formatted for people (万人, separators, one decimal for shares)."""
    out = table.drop(columns=["unit_id"]).copy()
    for column in out.columns:
        if column.startswith("60+ "):
            out[column] = out[column].map(lambda v: plots.fmt_wan(v) if np.isfinite(v) else "—")
        elif "%" in column:
            out[column] = out[column].map(lambda v: plots.fmt_pct(v) if np.isfinite(v) else "—")
        elif column != "单位 unit":
            out[column] = out[column].map(lambda v: plots.fmt_int(v) if np.isfinite(v) else "—")
    return out.set_index("单位 unit")

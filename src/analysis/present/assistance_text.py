"""Text of the 低保 model for notebook 04: every figure read from the scenario and the computed path.

So the words stay true under overrides: a path computed under another scenario, or a year outside
it, raises ParameterError.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError, ParameterError
from .. import catalogue
from ..geography import resolve
from ..scenarios import parameter_label
from ..services.assistance import (
    RATIO_ID,
    SECTION,
    ScenarioLike,
    _scenario,
    assistance_parameters,
    low_income_multiples,
    plan_ratio_path,
    ratio_path,
    recipient_share_estimate,
)
from ..services.min_wage import load_wage_history
from ..services.unit_arrays import scenario_name


def _summary_values(path: pd.DataFrame, scenario: ScenarioLike | None, unit_id: str, year: int) -> dict[str, Any]:
    """The figures the summaries quote: scenario parameters and the path's medians in ``year``."""
    sc = _scenario(scenario)
    name = path.attrs.get("scenario")
    if name is not None and name != scenario_name(sc):
        raise ParameterError("scenario", scenario_name(sc), f"the scenario the path was computed with ({name!r})")
    p = assistance_parameters(sc)
    sel = path[(path["unit_id"] == unit_id) & (path["year"] == year)].set_index("indicator")["p50"]
    if sel.empty:
        raise ParameterError(
            "year", year, f"a year of the path for {unit_id!r} ({int(path['year'].min())}–{int(path['year'].max())})"
        )
    years = np.sort(path["year"].unique())
    plan = plan_ratio_path()
    lower, upper = low_income_multiples()
    return {
        "unit": resolve(unit_id).name_zh,
        "unit_en": unit_id,
        "year": year,
        "last_year": int(years[-1]),
        "ratio": float(sel[RATIO_ID]),
        "wage": float(sel["min_wage_monthly"]),
        "dibao": float(sel["dibao_monthly"]),
        "tekun_value": float(sel["tekun_monthly"]),
        "lower": lower,
        "upper": upper,
        "plan_first_year": int(plan.index.min()),
        "plan_last_year": int(plan.index.max()),
        "plan_last_ratio": float(plan.iloc[-1]),
        # the last adjustment with published tier values: later years' wages are fitted forecasts
        "wage_published_year": max(m.year for m in load_wage_history().known_months()),
        "ratio_last": float(ratio_path([int(years[-1])], sc)[0]),
        "change": float(p[f"{SECTION}.ratio_change_after_plan"]),
        "tekun": float(p[f"{SECTION}.tekun_multiple"]),
        "share": float(p[f"{SECTION}.recipient_share"]),
        "gap_share": float(p[f"{SECTION}.average_gap_share"]),
        "override": p[f"{SECTION}.wage_growth_override_pct"],
        "recipients": float(sel.get("dibao_recipients", np.nan)),
        "cost": float(sel.get("dibao_cost_annual", np.nan)),
    }


def summary_zh(path: pd.DataFrame, scenario: ScenarioLike | None, unit_id: str, year: int) -> str:
    """A short Chinese statement (markdown) of the standards, thresholds and cost in ``year``.

    Every figure comes from ``scenario`` (parameters) or ``path`` (medians of
    :func:`dibao_path` computed under the same scenario), so the text stays true under
    overrides. A ``year`` outside the path or a path from another scenario raises ParameterError.
    """
    v = _summary_values(path, scenario, unit_id, year)
    after = (
        f"保持{v['plan_last_year']}年的{v['plan_last_ratio']:g}%"
        if v["change"] == 0
        else f"每年变化{v['change']:+g}个百分点（{v['last_year']}年为{v['ratio_last']:.1f}%；情景假设，非规划目标）"
    )
    wage = "最低工资" + (
        f"（年增长率由情景设为{float(v['override']):g}%）"
        if v["override"] is not None
        else "（按历史调整拟合的预测值）"
        if year > v["wage_published_year"]
        else ""
    )
    standards = (
        f"{v['year']}年{v['unit']}低保标准约每人每月{v['dibao']:,.0f}元 = 比例{v['ratio']:.1f}% × {wage}"
        f"{v['wage']:,.0f}元/月；比例{v['plan_first_year']}–{v['plan_last_year']}年按规划专栏2，之后{after}。"
        f"特困人员供养标准取低保的{v['tekun']:g}倍（约{v['tekun_value']:,.0f}元/月）——**该系数不是规划原文**，"
        f"是情景参数（“{parameter_label(SECTION + '.tekun_multiple')}”）。低保边缘为低保的{v['lower']:g}～{v['upper']:g}倍"
        f"（{v['lower'] * v['dibao']:,.0f}～{v['upper'] * v['dibao']:,.0f}元/月，规划第二章第二节）。"
    )
    if np.isnan(v["cost"]):
        cost = "未提供人口预测：保障人数与资金需求缺失。"
    else:
        cost = f"{v['year']}年保障人数约{v['recipients']:,.0f}人，资金需求约{v['cost'] / 1e8:,.2f}亿元/年（**估算**）。"
    cost = (
        f"县级低保人数未公布：保障人数按人口的{v['share']:g}%估算（情景参数“{parameter_label(SECTION + '.recipient_share')}”；"
        f"福建省2019年低保人数 ÷ 2020年普查人口 = {recipient_share_estimate():.2f}%），人均月差额按标准的"
        f"{100 * v['gap_share']:g}%假设（情景参数“{parameter_label(SECTION + '.average_gap_share')}”）。" + cost
    )
    return standards + "\n\n" + cost


def summary_en(path: pd.DataFrame, scenario: ScenarioLike | None, unit_id: str, year: int) -> str:
    """The English counterpart of :func:`summary_zh` (same figures)."""
    v = _summary_values(path, scenario, unit_id, year)
    after = (
        f"held at the {v['plan_last_year']} value of {v['plan_last_ratio']:g} %"
        if v["change"] == 0
        else f"changed by {v['change']:+g} percentage points a year ({v['ratio_last']:.1f} % in {v['last_year']}; "
        "a scenario assumption, not a plan target)"
    )
    standards = (
        f"{v['year']}, {v['unit_en']}: 低保 ≈ {v['dibao']:,.0f} yuan per person per month = ratio {v['ratio']:.1f} % × "
        f"minimum wage {v['wage']:,.0f} yuan/month; the ratio follows the plan (专栏2) to {v['plan_last_year']}, "
        f"then is {after}. 特困 = {v['tekun']:g} × 低保 (≈ {v['tekun_value']:,.0f} yuan/month) — NOT in the plan "
        f"text, a scenario parameter. Low-income margin: {v['lower']:g}–{v['upper']:g} × 低保 (plan)."
    )
    if np.isnan(v["cost"]):
        cost = "No population projection given: recipients and cost are missing."
    else:
        cost = f"{v['year']}: ≈ {v['recipients']:,.0f} recipients, cost ≈ {v['cost'] / 1e8:,.2f} 亿 yuan a year (ESTIMATE)."
    cost = (
        f"Recipients = {v['share']:g} % of the population (scenario; Fujian 2019 recipients ÷ 2020 census = "
        f"{recipient_share_estimate():.2f} %), average gap = {100 * v['gap_share']:g} % of the standard "
        "(an assumption). " + cost
    )
    return standards + "\n\n" + cost


def backtest_summary_zh(backtest: pd.DataFrame) -> str:
    """Chinese and English sentences (markdown) on the 2020 backtest row of :func:`backtest_link`."""
    row = backtest[(backtest["indicator"] == "urban_dibao_standard") & (backtest["year"] == 2020)]
    if len(row) != 1:
        raise AnalysisError("backtest: no urban_dibao_standard row for 2020")
    r = row.iloc[0]
    return (
        f"检查：2020年各单位最低工资加权平均{r.weighted_min_wage:,.0f}元/月（{r.weights}）× 规划比例"
        f"{r.plan_ratio:g}% × 12 = {r.model_standard:,.0f}元/年，规划公布的城市低保标准为"
        f"{r.published_standard:,.0f}元/年，差{r.gap:+,.0f}元（{r.gap_pct:+.1f}%）。\n\n"
        f"*Check: weighted 2020 minimum wage {r.weighted_min_wage:,.0f} yuan/month × {r.plan_ratio:g} % × 12 = "
        f"{r.model_standard:,.0f} yuan a year vs the plan's published {r.published_standard:,.0f} "
        f"({r.gap:+,.0f} yuan, {r.gap_pct:+.1f} %).*"
    )


BACKTEST_COLUMNS_ZH = {
    "year": "年份",
    "published_standard": "规划公布的标准（元/年）",
    "published_standard_monthly": "规划公布的标准（元/月）",
    "weighted_min_wage": "人口加权最低工资（元/月）",
    "implied_ratio": "隐含比例（%）",
    "plan_ratio": "规划比例（%）",
    "model_standard": "挂钩推算的标准（元/年）",
    "gap": "差额（元/年）",
    "gap_pct": "差额（%）",
}
"""Chinese heads with units of the backtest table of :func:`analysis.services.assistance.backtest_link`."""


def backtest_table_zh(backtest: pd.DataFrame) -> pd.DataFrame:
    """The 低保 backtest as readers see it: one row per published standard (named in Chinese by the
    catalogue), Chinese heads with units; the code columns (indicator, weights) stay in the CSV."""
    yuan = ["published_standard", "published_standard_monthly", "weighted_min_wage", "model_standard", "gap"]
    out = backtest.assign(指标=[catalogue.indicator(i).name_zh for i in backtest["indicator"]])
    out[yuan] = out[yuan].round(0)  # whole yuan, as published
    return out[["指标", *BACKTEST_COLUMNS_ZH]].rename(columns=BACKTEST_COLUMNS_ZH).set_index("指标")


def standards_table_zh(path: pd.DataFrame, unit_id: str, years) -> pd.DataFrame:
    """The medians of the 低保 path of one unit in ``years``: one row per year, one column per
    indicator under its Chinese name with its unit (money per year in 亿元)."""
    rows = path[(path["unit_id"] == unit_id) & path["year"].isin(list(years))]
    table = rows.pivot_table(index="year", columns="indicator", values="p50")
    if "dibao_cost_annual" in table:
        table["dibao_cost_annual"] = table["dibao_cost_annual"] / 1e8
    table = table[[c for c in dict.fromkeys(rows["indicator"]) if c in table.columns]]
    heads = {c: _with_unit(catalogue.indicator(c).name_zh, catalogue.indicator(c).unit) for c in table.columns}
    heads["dibao_cost_annual"] = _with_unit(catalogue.indicator("dibao_cost_annual").name_zh, "亿元/年")
    return table.rename(columns=heads).rename_axis(index="年份", columns=None)


def _with_unit(name: str, unit: str) -> str:
    """'低保资金需求（估算）' + '亿元/年' → '低保资金需求（估算，亿元/年）'; '低保标准' → '低保标准（元/人·月）'."""
    return f"{name[:-1]}，{unit}）" if name.endswith("）") else f"{name}（{unit}）"

"""Elder-care beds (养老床位): required beds by the plan's ratios, need, stock and gap.

Two views, per unit and year, from a :class:`~analysis.demography.result.ProjectionResult`
(either base — every output names it in ``frame.attrs['base']`` and the notebooks print it):

Ratio view (the plan's targets; 老年人 = persons aged 60+)
    - ``beds_required`` = beds per 1,000 elderly × elderly / 1,000. The plan reports 38 beds per
      1,000 elderly in 2020 (专栏1 row 5, 2020年完成情况) and sets no later total-bed ratio; the
      baseline keeps 38 (a scenario choice, ``beds.beds_per_1000_elderly``).
    - ``nursing_beds_required`` = nursing-type institutional beds per 1,000 elderly × elderly /
      1,000: 10, 10.5, 11, 11.5, 12 in 2021–2025 (专栏2 row 3, 预期性; 养老服务 chapter line 467
      "每千名老年人拥有养老机构护理型床位达到12张"). No 2020 value (专栏2 shows ——): missing.
    - ``nursing_bed_share_target``: nursing-type share of institutional beds, 54.8 % (2020) → 56,
      57, 58, 59, 60 % (专栏2 row 2, 约束性); ``institutional_beds_implied`` = nursing beds ÷ share.
    After the last year a ratio is given for, it stays at that value (2025 for the plan).

Need view (an estimate)
    ``beds_need_view`` = Σ elderly(age, sex) × disability prevalence(age) × share of the disabled
    cared for in institutions ÷ occupancy. Prevalence is the Shanghai 2010 proxy extended to older
    ages by a log-linear fit (:mod:`analysis.services.prevalence`), the same for both sexes.

Stock and gap
    City stock: 30,023 beds at end-2017 (``beds_quanzhou.csv``), more than 40,000 in 2020 (plan
    第一章第一节, line 17; used as 40,000, a lower bound), linear in between (estimate); plus at
    least 5,000 new beds in 2021–2025 (养老服务 chapter line 467) spread evenly, 1,000 a year;
    after 2025 ``beds.new_beds_per_year_after_2025`` (baseline 0: the plan says nothing). Before
    2017 the stock is missing (NaN), never zero. No county stock is published: units get the city
    stock in proportion to their share of the city's elderly in 2020 (ESTIMATE). ``bed_gap`` =
    ``beds_required`` − ``bed_stock`` (positive = shortfall).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..data.loaders import fact, load_beds, plan_target
from ..demography.result import ProjectionResult
from ..errors import ParameterError
from ..scenarios import Rule, Scenario
from ..tidy import concat
from . import prevalence
from .unit_arrays import (ELDERLY_AGE, anchor_index, broadcast_units, parameters, persons, ratio_path,
                          scenario_name, shares_in_year, tidy_units, with_city)

PARAMETER_RULES: dict[str, Rule] = {
    "beds.beds_per_1000_elderly": Rule(0, 1000, kind="mapping", description=(
        "elder-care beds (all kinds) per 1,000 persons aged 60+, by year (专栏1 row 5: 38 in 2020)")),
    "beds.nursing_beds_per_1000_elderly": Rule(0, 1000, kind="mapping", description=(
        "nursing-type institutional beds per 1,000 persons aged 60+, by year (专栏2 row 3)")),
    "beds.nursing_share_pct": Rule(0, 100, kind="mapping", description=(
        "nursing-type share of institutional beds, percent, by year (专栏2 row 2, 约束性)")),
    "beds.disability_prevalence_pct": Rule(0, 100, kind="list", description=(
        "percent unable to care for themselves by 5-year group from 60; the last group is open")),
    "beds.institutional_care_share_pct": Rule(0, 100, description=(
        "percent of disabled elderly cared for in an institution")),
    "beds.occupancy_pct": Rule(1, 100, description="percent of beds occupied (planned beds are not used beds)"),
    "beds.planned_new_beds_2021_2025": Rule(0, 1_000_000, description=(
        "new elder-care beds added in 2021–2025, spread evenly (plan: at least 5,000)")),
    "beds.new_beds_per_year_after_2025": Rule(0, 1_000_000, description="beds added per year after 2025"),
}

STOCK_YEAR_KNOWN = 2017
STOCK_YEAR_PLAN = 2020
ADDITION_YEARS = (2021, 2025)
ALLOCATION_YEAR = 2020

INDICATOR_ZH = {
    "beds_required": "养老床位需求（比例法）",
    "nursing_beds_required": "护理型床位需求（比例法）",
    "institutional_beds_implied": "养老机构床位（由护理型床位及占比推算）",
    "beds_need_view": "养老床位需求（需求法，估算）",
    "disabled_elderly": "失能老年人（估算）",
    "bed_stock": "养老床位存量（县级为估算）",
    "bed_gap": "床位缺口（比例法，正值为缺口）",
    "bed_gap_need_view": "床位缺口（需求法，正值为缺口）",
    "nursing_bed_share_target": "护理型床位占比目标",
    "beds_per_1000_elderly_target": "每千名老年人养老床位数（情景）",
    "nursing_beds_per_1000_elderly_target": "每千名老年人护理型床位数目标",
    "bed_shortfall_probability": "出现床位缺口的概率",
}


def bed_parameters(scenario: Scenario | str | Mapping[str, Any]) -> dict[str, Any]:
    """The ``beds.*`` parameters of a scenario, checked (ParameterError names a bad one)."""
    return parameters(scenario, PARAMETER_RULES)


def city_bed_stock(years, planned_new_2021_2025: float = 5000.0, after_2025_per_year: float = 0.0,
                   stock_2017: float | None = None, stock_2020: float | None = None) -> np.ndarray:
    """City elder-care bed stock per year (beds); NaN (missing) before 2017.

    2017: ``beds_quanzhou.csv`` (30,023); 2020: the plan's "突破4万张" taken as 40,000 (a lower
    bound); 2018–2019 linear between them (estimate); 2021–2025: + planned additions spread
    evenly; later: + ``after_2025_per_year`` each year.
    """
    years = np.asarray(years, dtype=int)
    s17 = fact(load_beds(), "泉州市", "elderly_care_beds_total", STOCK_YEAR_KNOWN) if stock_2017 is None else stock_2017
    s20 = plan_target("elderly_care_beds", STOCK_YEAR_PLAN) if stock_2020 is None else stock_2020
    first, last = ADDITION_YEARS
    per_year = planned_new_2021_2025 / (last - first + 1)
    stock = np.where(years <= STOCK_YEAR_PLAN,
                     s17 + (s20 - s17) * (years - STOCK_YEAR_KNOWN) / (STOCK_YEAR_PLAN - STOCK_YEAR_KNOWN),
                     s20 + per_year * (np.minimum(years, last) - STOCK_YEAR_PLAN)
                     + after_2025_per_year * np.maximum(years - last, 0)).astype(float)
    stock[years < STOCK_YEAR_KNOWN] = np.nan
    return stock


def bed_arrays(result: ProjectionResult, scenario: Scenario | str | Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Every bed quantity per draw: additive ones as (draw, year, unit+city); targets as (year,).

    The building block of :func:`bed_requirements` (and of the workforce model, which needs the
    beds per draw). Units: beds, persons; shares in percent.
    """
    p = bed_parameters(scenario)
    years = result.years
    elderly = persons(result, ELDERLY_AGE)  # (d, t, u)
    beds_ratio = ratio_path("beds.beds_per_1000_elderly", p["beds.beds_per_1000_elderly"], years)
    nursing_ratio = ratio_path("beds.nursing_beds_per_1000_elderly", p["beds.nursing_beds_per_1000_elderly"], years)
    share = ratio_path("beds.nursing_share_pct", p["beds.nursing_share_pct"], years)

    prev_age = prevalence.by_single_age(p["beds.disability_prevalence_pct"])
    disabled = np.einsum("dtusa,a->dtu", result.population, prev_age)
    need = disabled * (p["beds.institutional_care_share_pct"] / 100.0) / (p["beds.occupancy_pct"] / 100.0)

    city_stock = city_bed_stock(years, p["beds.planned_new_beds_2021_2025"], p["beds.new_beds_per_year_after_2025"])
    share_elderly = shares_in_year(elderly, anchor_index(result, ALLOCATION_YEAR))  # (d, u)
    stock = city_stock[None, :, None] * share_elderly[:, None, :]

    nursing = nursing_ratio[None, :, None] * elderly / 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        institutional = np.where(share[None, :, None] > 0, nursing / (share[None, :, None] / 100.0), np.nan)
    out = {
        "beds_required": with_city(beds_ratio[None, :, None] * elderly / 1000.0),
        "nursing_beds_required": with_city(nursing),
        "institutional_beds_implied": with_city(institutional),
        "disabled_elderly": with_city(disabled),
        "beds_need_view": with_city(need),
        "bed_stock": with_city(stock),
        "beds_per_1000_elderly_target": beds_ratio,
        "nursing_beds_per_1000_elderly_target": nursing_ratio,
        "nursing_bed_share_target": share,
    }
    out["bed_gap"] = out["beds_required"] - out["bed_stock"]
    out["bed_gap_need_view"] = out["beds_need_view"] - out["bed_stock"]
    return out


_MEASURES = {
    "beds_required": "beds", "nursing_beds_required": "beds", "institutional_beds_implied": "beds",
    "disabled_elderly": "persons", "beds_need_view": "beds", "bed_stock": "beds", "bed_gap": "beds",
    "bed_gap_need_view": "beds", "beds_per_1000_elderly_target": "beds per 1000 elderly",
    "nursing_beds_per_1000_elderly_target": "beds per 1000 elderly", "nursing_bed_share_target": "percent",
}


def bed_requirements(result: ProjectionResult, scenario: Scenario | str | Mapping[str, Any]) -> pd.DataFrame:
    """Elder-care bed requirements, need, stock and gap per unit (and the city) and year.

    Parameters
    ----------
    result : ProjectionResult
        Projected persons by draw, year, unit, sex and age (resident or registered base).
    scenario : Scenario, scenario name, or mapping of dotted ``beds.*`` parameters.

    Returns
    -------
    DataFrame
        Tidy long format (``unit_id, year, indicator, p10, p50, p90, measure``); percentiles
        across draws. Indicators: see ``INDICATOR_ZH``. ``frame.attrs`` holds ``base``,
        ``scenario`` and ``notes`` (what is estimated). The city (``quanzhou``) of every additive
        quantity is the sum of the units draw by draw. ``bed_shortfall_probability`` is the
        percent of draws with ``bed_gap`` > 0.
    """
    arrays = bed_arrays(result, scenario)
    n_units = len(result.unit_ids)
    frames = []
    for name, measure in _MEASURES.items():
        values = arrays[name]
        if values.ndim == 1:
            values = broadcast_units(values, n_units)
        frames.append(tidy_units(result.unit_ids, result.years, name, values, measure))
    gap = arrays["bed_gap"]
    with np.errstate(invalid="ignore"):
        prob = np.where(np.isnan(gap).all(axis=0), np.nan, 100.0 * (gap > 0).mean(axis=0))
    frames.append(tidy_units(result.unit_ids, result.years, "bed_shortfall_probability", prob, "percent"))
    frame = concat(frames)
    frame.attrs.update(base=result.base, scenario=scenario_name(scenario), notes=NOTES)
    return frame


NOTES = [
    "Elderly = persons aged 60+ (plan: 60周岁及以上).",
    "County bed stock is an ESTIMATE: the city stock allocated by each unit's share of the city's elderly in 2020.",
    "City stock 2018–2019 interpolated (estimate); 2020 = the plan's 'over 40,000' as 40,000 (lower bound); "
    "2021–2025 adds the planned new beds evenly.",
    "Need view is an ESTIMATE: disability prevalence is a Shanghai 2010 proxy, extended above age 75 by a "
    "log-linear fit; institutional-care share and occupancy are scenario assumptions.",
    "Ratios after their last given year stay at that year's value (2025 for the plan's targets).",
]


def shortfall_year(frame: pd.DataFrame, indicator: str = "bed_gap") -> pd.DataFrame:
    """First year the median gap is positive, per unit: unit_id, first_shortfall_year (<NA> if never).

    A unit already short in the first projected year gets that year.
    """
    rows = frame[frame["indicator"] == indicator]
    short = rows[rows["p50"] > 0].groupby("unit_id")["year"].min()
    units = pd.Index(rows["unit_id"].unique(), name="unit_id")
    return short.reindex(units).astype("Int64").rename("first_shortfall_year").reset_index()


def wide_table(frame: pd.DataFrame, unit_id: str, indicators: list[str], stat: str = "p50",
               labels: Mapping[str, str] | None = None, digits: int = 0) -> pd.DataFrame:
    """One unit's indicators as a per-year table (rows = years, columns = indicators), rounded."""
    rows = frame[(frame["unit_id"] == unit_id) & frame["indicator"].isin(indicators)]
    if rows.empty:
        raise ParameterError("unit", unit_id, "a unit present in the frame: " + ", ".join(frame["unit_id"].unique()))
    table = rows.pivot(index="year", columns="indicator", values=stat)[[i for i in indicators if i in set(rows["indicator"])]]
    table = table.round(digits)
    if labels:
        table = table.rename(columns=dict(labels))
    table.index.name = "年份 year"
    return table


def bed_table(frame: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """The per-year bed table of one unit for a report (median values; beds, percent)."""
    cols = ["beds_required", "nursing_beds_required", "nursing_bed_share_target", "institutional_beds_implied",
            "beds_need_view", "bed_stock", "bed_gap", "bed_gap_need_view", "bed_shortfall_probability"]
    table = wide_table(frame, unit_id, cols, digits=1)
    counts = [c for c in table.columns if c not in ("nursing_bed_share_target", "bed_shortfall_probability")]
    table[counts] = table[counts].round(0)
    return table.rename(columns=INDICATOR_ZH)


def summary_zh(frame: pd.DataFrame, unit_id: str, year: int = 2025) -> str:
    """A short Chinese statement of the result for ``year`` computed from the frame's medians."""
    sel = frame[(frame["unit_id"] == unit_id) & (frame["year"] == year)].set_index("indicator")["p50"]
    if sel.empty:
        return f"{year}年不在预测期内。"

    def num(name):
        v = sel.get(name, np.nan)
        return "缺失" if pd.isna(v) else f"{v:,.0f}"

    gap = sel.get("bed_gap", np.nan)
    gap_text = ("缺失" if pd.isna(gap) else (f"缺口约{gap:,.0f}张" if gap > 0 else f"富余约{-gap:,.0f}张"))
    short = shortfall_year(frame)
    first = short.loc[short["unit_id"] == unit_id, "first_shortfall_year"]
    first_text = ("预测期内床位存量始终不低于比例法需求" if first.isna().all()
                  else f"自{int(first.iloc[0])}年起比例法需求超过存量")
    return (f"到{year}年需养老床位约{num('beds_required')}张（比例法），其中养老机构护理型床位约"
            f"{num('nursing_beds_required')}张；需求法估算约{num('beds_need_view')}张。"
            f"床位存量（估算）约{num('bed_stock')}张，比例法{gap_text}；{first_text}。")

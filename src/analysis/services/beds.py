"""Elder-care beds (养老床位): required beds by the plan's ratios and by users, stock, gaps, build schedule.

Per unit and year, from a :class:`~analysis.demography.result.ProjectionResult` (either base —
every output names it in ``frame.attrs['base']``). 老年人 = persons aged 60+.

**Gap (缺口), defined once:** gap = required − stock; **positive = shortfall (缺口), negative =
surplus (富余)** (``GAP_DEFINITION_ZH``, printed on every page that shows a gap).

Ratio view (the plan's targets)
    - ``beds_required`` = beds per 1,000 elderly × elderly / 1,000 (专栏1 row 5: 38 in 2020; the
      plan sets no later total-bed ratio, the baseline keeps 38 — a scenario choice).
    - ``nursing_beds_required`` = nursing-type institutional beds per 1,000 elderly: 10 … 12 in
      2021–2025 (专栏2 row 3; line 467); no 2020 value (专栏2 ——): missing.
    - ``nursing_bed_share_target``: 54.8 % (2020) → 60 % (2025) (专栏2 row 2, 约束性);
      ``institutional_beds_implied`` = nursing beds ÷ share.

Need view (users first; :mod:`analysis.services.care_users`, an ESTIMATE)
    users = Σ age × sex elderly × prevalence by severity × use rates calibrated so that the base
    year reproduces today's residents (stock × observed occupancy ``beds.occupancy_pct``);
    ``beds_need_view`` = users ÷ target occupancy (``beds.target_occupancy_pct``);
    ``nursing_beds_need_view`` = severe users ÷ target occupancy.

Stock (city; units get it by their 2020 share of the elderly — ESTIMATE)
    2017: 30,023 (``beds_quanzhou.csv``). 2020: the plan reports "突破4万张", 38 per 1,000 elderly
    and 111多万 registered elderly (lines 17, 460; 专栏1 row 5), so the base year is set
    consistent with all three: 38 × 1,110,000 / 1,000 = 42,180 beds (:func:`plan_stock_2020`).
    2018–2019 linear (estimate); over ``beds.planned_new_beds_years`` (2021–2025) + the planned
    ≥5,000 new beds evenly; later ``beds.new_beds_per_year_after``. Before 2017 missing (NaN), never zero.
    Nursing-type stock ``nursing_bed_stock`` = stock × institutional share of all elder-care
    beds (``beds.institutional_bed_share_pct``: national 2022, 518.3 of 829.4 万 beds, a PROXY;
    the plan's 4万 include community beds) × the plan's nursing-type share path (54.8 % → 60 %;
    the plan's 约束性 path taken as achieved — an assumption).

Gaps and build schedule
    ``bed_gap``, ``nursing_bed_gap`` (ratio view), ``bed_gap_need_view``,
    ``nursing_bed_gap_need_view``: required − stock. ``beds_to_add`` and ``nursing_beds_to_add``:
    beds to build each year so that the ratio view is met in ``beds.build_target_year`` and kept
    after, under the scenario's stock growth (:mod:`analysis.services.build_schedule`).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..data.loaders import fact, latest_year, load_beds, plan_target
from ..demography.result import ProjectionResult
from ..errors import ParameterError
from ..notes import note
from ..scenarios import MAPPING_YEARS, Rule, Scenario
from ..tidy import concat
from . import build_schedule, care_users
from .unit_arrays import (
    ELDERLY_AGE,
    anchor_index,
    broadcast_units,
    parameters,
    persons,
    ratio_path,
    scenario_name,
    shares_in_year,
    tidy_units,
    with_city,
)

PARAMETER_RULES: dict[str, Rule] = {
    "beds.beds_per_1000_elderly": Rule(
        0,
        1000,
        kind="mapping",
        description=("elder-care beds (all kinds) per 1,000 persons aged 60+, by year (专栏1 row 5: 38 in 2020)"),
        label_zh="每千名老年人养老床位数",
    ),
    "beds.nursing_beds_per_1000_elderly": Rule(
        0,
        1000,
        kind="mapping",
        description=("nursing-type institutional beds per 1,000 persons aged 60+, by year (专栏2 row 3)"),
        label_zh="每千名老年人护理型床位数",
    ),
    "beds.nursing_share_pct": Rule(
        0,
        100,
        kind="mapping",
        description=("nursing-type share of institutional beds, percent, by year (专栏2 row 2, 约束性)"),
        label_zh="护理型床位占比",
    ),
    "beds.disability_prevalence_pct": Rule(
        0,
        100,
        kind="list",
        description=(
            "percent unable to care for themselves by 5-year group from 60 (the 'single' schedule); the last group is open"
        ),
        label_zh="失能率（单一程度）",
    ),
    "beds.prevalence_schedule": Rule(
        kind="str",
        choices=care_users.SCHEDULES,
        description=(
            "disability prevalence of the need view: ADL-based (CHNS 2006) split by severity, the Shanghai proxy by sex and severity, or the single both-sex schedule"
        ),
        label_zh="失能率方案",
        choices_zh=(
            "基准：CHNS 2006 ADL失能率按上海分程度拆分",
            "上海2010分性别分程度代理",
            "上海代理单一程度（仅重度）",
        ),
    ),
    "beds.use_rate_relative": Rule(
        0,
        1000,
        kind="mapping",
        keys=("severe", "moderate"),
        description=(
            "relative institutional use rate per person by severity (severe, moderate); the level is calibrated"
        ),
        label_zh="分程度相对使用率",
    ),
    "beds.occupancy_pct": Rule(
        1,
        100,
        description=("observed percent of beds occupied in the base year: residents = stock × occupancy"),
        label_zh="基期实际入住率",
    ),
    "beds.target_occupancy_pct": Rule(
        1,
        100,
        description=("target occupancy for planning: required beds = users ÷ target occupancy"),
        label_zh="规划目标入住率",
    ),
    "beds.institutional_bed_share_pct": Rule(
        0,
        100,
        description=(
            "percent of all elder-care beds that are in institutions (养老机构); the plan's nursing share is of these"
        ),
        label_zh="机构床位占比",
    ),
    "beds.planned_new_beds": Rule(
        0,
        1_000_000,
        description=(
            "new elder-care beds the plan adds over beds.planned_new_beds_years, spread evenly (2021–2025 plan: at least 5,000)"
        ),
        label_zh="规划期新增床位",
    ),
    "beds.planned_new_beds_years": Rule(
        MAPPING_YEARS[0],
        MAPPING_YEARS[1],
        kind="list",
        description=("first and last year of the planned additions (the plan period the 新增床位 target counts over)"),
        label_zh="规划新增床位起止年",
    ),
    "beds.new_beds_per_year_after": Rule(
        0,
        1_000_000,
        description=("beds added per year after the last year of beds.planned_new_beds_years"),
        label_zh="规划期后每年新增床位",
    ),
    "beds.build_target_year": Rule(
        2020,
        2050,
        kind="int",
        description=("year by which the build schedule meets the plan's ratios (kept after)"),
        label_zh="建设目标年",
    ),
}

STOCK_YEAR_KNOWN = 2017
STOCK_YEAR_PLAN = 2020
ALLOCATION_YEAR = 2020

GAP_DEFINITION_ZH = "缺口 = 需求 − 存量；正值为缺口（床位不足），负值为富余。"


def bed_parameters(scenario: Scenario | str | Mapping[str, Any]) -> dict[str, Any]:
    """The ``beds.*`` parameters of a scenario, checked (ParameterError names a bad one)."""
    p = parameters(scenario, PARAMETER_RULES)
    period = p["beds.planned_new_beds_years"]
    if len(period) != 2 or any(float(y) != int(y) for y in period) or period[0] > period[1]:
        raise ParameterError("beds.planned_new_beds_years", period, "two whole years, the first not after the last")
    missing = [s for s in care_users.SEVERITIES if s not in p["beds.use_rate_relative"]]
    if missing:
        raise ParameterError(
            "beds.use_rate_relative",
            p["beds.use_rate_relative"],
            f"a rate for each severity {list(care_users.SEVERITIES)}",
        )
    return p


def plan_stock_2020() -> float:
    """The 2020 city stock consistent with the plan: 38 per 1,000 × 1,110,000 registered elderly = 42,180.

    The plan reports "突破4万张" (line 17), 38 beds per 1,000 elderly (专栏1 row 5) and "111多万"
    registered elderly (line 460). Reading "4万多" as exactly 40,000 while applying 38 per 1,000
    created a 2020 gap of about 2,000 beds that does not exist; the product of the plan's own
    ratio and elderly count is consistent with all three figures (an ESTIMATE: "111多万" is a
    lower bound too). Raises if the product were below the plan's "over 40,000".
    """
    ratio = plan_target("beds_per_1000_elderly", STOCK_YEAR_PLAN)
    elderly = plan_target("registered_pop_60plus", STOCK_YEAR_PLAN)
    floor = plan_target("elderly_care_beds", STOCK_YEAR_PLAN)
    stock = ratio * elderly / 1000.0
    if stock < floor:
        raise ParameterError("plan_stock_2020", stock, f"at least the plan's {floor:,.0f} beds")
    return stock


def city_bed_stock(
    years,
    addition_years: tuple[int, int],
    planned_new: float = 5000.0,
    after_per_year: float = 0.0,
    stock_2017: float | None = None,
    stock_2020: float | None = None,
) -> np.ndarray:
    """City elder-care bed stock per year (beds); NaN (missing) before 2017.

    2017: ``beds_quanzhou.csv`` (30,023); 2020: :func:`plan_stock_2020` (42,180); 2018–2019
    linear between them (estimate); ``addition_years`` (first, last; scenario
    ``beds.planned_new_beds_years``, the plan period): + ``planned_new`` spread evenly; later:
    + ``after_per_year`` each year.
    """
    years = np.asarray(years, dtype=int)
    s17 = fact(load_beds(), "泉州市", "elderly_care_beds_total", STOCK_YEAR_KNOWN) if stock_2017 is None else stock_2017
    s20 = plan_stock_2020() if stock_2020 is None else stock_2020
    first, last = (int(y) for y in addition_years)
    if not STOCK_YEAR_PLAN < first <= last:
        raise ParameterError(
            "beds.planned_new_beds_years",
            list(addition_years),
            f"two years, the first after {STOCK_YEAR_PLAN} and not after the last",
        )
    per_year = planned_new / (last - first + 1)
    stock = np.where(
        years <= STOCK_YEAR_PLAN,
        s17 + (s20 - s17) * (years - STOCK_YEAR_KNOWN) / (STOCK_YEAR_PLAN - STOCK_YEAR_KNOWN),
        s20 + per_year * (np.minimum(years, last) - STOCK_YEAR_PLAN) + after_per_year * np.maximum(years - last, 0),
    ).astype(float)
    stock[years < STOCK_YEAR_KNOWN] = np.nan
    return stock


def institutional_share_proxy() -> float:
    """Percent of all elder-care beds in registered institutions, China, the latest year with both
    figures (2022: 518.3 / 829.4 万 = 62.5 %).

    ``beds_quanzhou.csv`` rows ``China`` (2022: 《2022年度国家老龄事业发展公报》); a PROXY for Quanzhou.
    """
    frame = load_beds()
    ids = ("registered_institution_beds", "elderly_care_beds_total")
    year = latest_year(frame, "China", *ids)
    return 100.0 * fact(frame, "China", ids[0], year) / fact(frame, "China", ids[1], year)


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

    base_t = anchor_index(result, ALLOCATION_YEAR)
    city_stock = city_bed_stock(
        years, p["beds.planned_new_beds_years"], p["beds.planned_new_beds"], p["beds.new_beds_per_year_after"]
    )
    share_elderly = shares_in_year(elderly, base_t)  # (d, u)
    stock = city_stock[None, :, None] * share_elderly[:, None, :]
    residents = stock[:, base_t, :] * p["beds.occupancy_pct"] / 100.0
    need = care_users.need_arrays(result, p, residents, base_t)

    nursing = nursing_ratio[None, :, None] * elderly / 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        institutional = np.where(share[None, :, None] > 0, nursing / (share[None, :, None] / 100.0), np.nan)
    held_share = np.where(np.isnan(share), np.nan, share)
    nursing_stock = stock * p["beds.institutional_bed_share_pct"] / 100.0 * held_share[None, :, None] / 100.0
    beds_required = beds_ratio[None, :, None] * elderly / 1000.0
    target_year = p["beds.build_target_year"]
    build = build_schedule.schedule(beds_required, stock, years, target_year)
    build_n = build_schedule.schedule(nursing, nursing_stock, years, target_year)
    out = {
        "beds_required": with_city(beds_required),
        "nursing_beds_required": with_city(nursing),
        "institutional_beds_implied": with_city(institutional),
        **{name: with_city(values) for name, values in need.items()},
        "bed_stock": with_city(stock),
        "nursing_bed_stock": with_city(nursing_stock),
        "beds_to_add": with_city(build["to_add"]),
        "nursing_beds_to_add": with_city(build_n["to_add"]),
        "bed_stock_scheduled": with_city(build["scheduled_stock"]),
        "nursing_bed_stock_scheduled": with_city(build_n["scheduled_stock"]),
        "beds_per_1000_elderly_target": beds_ratio,
        "nursing_beds_per_1000_elderly_target": nursing_ratio,
        "nursing_bed_share_target": share,
    }
    out["bed_gap"] = gap(out["beds_required"], out["bed_stock"])
    out["bed_gap_need_view"] = gap(out["beds_need_view"], out["bed_stock"])
    out["nursing_bed_gap"] = gap(out["nursing_beds_required"], out["nursing_bed_stock"])
    out["nursing_bed_gap_need_view"] = gap(out["nursing_beds_need_view"], out["nursing_bed_stock"])
    return out


def gap(required: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """The one definition of a gap: required − stock (positive = shortfall, negative = surplus)."""
    return np.asarray(required, dtype=float) - np.asarray(stock, dtype=float)


_MEASURES = {
    "beds_required": "beds",
    "nursing_beds_required": "beds",
    "institutional_beds_implied": "beds",
    "disabled_elderly": "persons",
    "disabled_elderly_severe": "persons",
    "care_users": "persons",
    "care_users_severe": "persons",
    "beds_need_view": "beds",
    "nursing_beds_need_view": "beds",
    "bed_stock": "beds",
    "nursing_bed_stock": "beds",
    "bed_gap": "beds",
    "bed_gap_need_view": "beds",
    "nursing_bed_gap": "beds",
    "nursing_bed_gap_need_view": "beds",
    "beds_to_add": "beds per year",
    "nursing_beds_to_add": "beds per year",
    "bed_stock_scheduled": "beds",
    "nursing_bed_stock_scheduled": "beds",
    "beds_per_1000_elderly_target": "beds per 1000 elderly",
    "nursing_beds_per_1000_elderly_target": "beds per 1000 elderly",
    "nursing_bed_share_target": "percent",
}


def bed_requirements(result: ProjectionResult, scenario: Scenario | str | Mapping[str, Any]) -> pd.DataFrame:
    """Elder-care bed requirements, need, stock, gaps and build schedule per unit (and the city) and year.

    Parameters
    ----------
    result : ProjectionResult
        Projected persons by draw, year, unit, sex and age (resident or registered base).
    scenario : Scenario, scenario name, or mapping of dotted ``beds.*`` parameters.

    Returns
    -------
    DataFrame
        Tidy long format (``unit_id, year, indicator, p10, p50, p90, measure``); percentiles
        across draws. Indicators: the keys of ``_MEASURES``; their reader names are in the
        catalogue (:mod:`analysis.catalogue`). ``frame.attrs`` holds ``base``,
        ``scenario`` and ``notes`` (what is estimated). The city (``quanzhou``) of every additive
        quantity is the sum of the units draw by draw. ``bed_shortfall_probability`` and
        ``nursing_bed_shortfall_probability``: percent of draws with a positive gap.
    """
    arrays = bed_arrays(result, scenario)
    n_units = len(result.unit_ids)
    frames = []
    for name, measure in _MEASURES.items():
        values = arrays[name]
        if values.ndim == 1:
            values = broadcast_units(values, n_units)
        frames.append(tidy_units(result.unit_ids, result.years, name, values, measure))
    for name, source in (
        ("bed_shortfall_probability", "bed_gap"),
        ("nursing_bed_shortfall_probability", "nursing_bed_gap"),
    ):
        values = arrays[source]
        with np.errstate(invalid="ignore"):
            prob = np.where(np.isnan(values).all(axis=0), np.nan, 100.0 * (values > 0).mean(axis=0))
        frames.append(tidy_units(result.unit_ids, result.years, name, prob, "percent"))
    frame = concat(frames)
    frame.attrs.update(base=result.base, scenario=scenario_name(scenario), notes=NOTES)
    return frame


NOTES = [
    note("elderly_definition"),
    note("gap_definition"),
    note("county_bed_stock"),
    note("city_bed_stock", n=42180),
    note("nursing_stock"),
    note("need_view"),
    note("build_schedule"),
    note("ratios_hold"),
]


def shortfall_year(frame: pd.DataFrame, indicator: str = "bed_gap") -> pd.DataFrame:
    """First year the median gap is positive, per unit: unit_id, first_shortfall_year (<NA> if never).

    A unit already short in the first projected year gets that year.
    """
    rows = frame[frame["indicator"] == indicator]
    short = rows[rows["p50"] > 0].groupby("unit_id")["year"].min()
    units = pd.Index(rows["unit_id"].unique(), name="unit_id")
    return short.reindex(units).astype("Int64").rename("first_shortfall_year").reset_index()


def wide_table(
    frame: pd.DataFrame,
    unit_id: str,
    indicators: list[str],
    stat: str = "p50",
    labels: Mapping[str, str] | None = None,
    digits: int = 0,
) -> pd.DataFrame:
    """One unit's indicators as a per-year table (rows = years, columns = indicators), rounded."""
    rows = frame[(frame["unit_id"] == unit_id) & frame["indicator"].isin(indicators)]
    if rows.empty:
        raise ParameterError("unit", unit_id, "a unit present in the frame: " + ", ".join(frame["unit_id"].unique()))
    table = rows.pivot(index="year", columns="indicator", values=stat)[
        [i for i in indicators if i in set(rows["indicator"])]
    ]
    table = table.round(digits)
    if labels:
        table = table.rename(columns=dict(labels))
    table.index.name = "年份 year"
    return table

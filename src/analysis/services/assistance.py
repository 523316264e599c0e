"""低保 (minimum living allowance) linked to the minimum wage: standards, thresholds, cost.

The plan (泉州市“十四五”民政事业发展专项规划) links the basic-living assistance standard to the
minimum wage: "基本生活救助标准与最低工资标准增长实现联动，比例由2020年的44.5%稳步提高到2025年的
47.5%" (第一章第四节; 专栏2 row 1: 44.5, 44.5, 45, 45.6, 46.4, 47.5 % for 2020–2025) and
"建立基本生活救助标准与最低工资标准挂钩的动态调整机制" (第二章第二节). Here:

- 低保 standard of a unit (yuan per person per month) = ratio (percent / 100) × annual average
  minimum wage in force in the unit's Fujian tier (:mod:`analysis.services.min_wage`);
- 特困 (extreme-poverty) support = ``assistance.tekun_multiple`` × 低保. The factor 1.3 is **not in
  the plan text**; it is a national rule of thumb (《特困人员认定办法》 / MCA guidance), kept as a
  scenario parameter;
- 低保边缘 (low-income margin) thresholds = 1× and 2× 低保 (plan 第二章第二节 "人均收入在当地低保标准
  1～2倍之间"; ``plan_targets.csv``);
- annual cost (yuan per year) = recipients × average monthly income gap × 12, where recipients =
  ``assistance.recipient_share`` × registered population (an ESTIMATE: county recipient counts
  are not published) and the gap = ``assistance.average_gap_share`` × standard (an ASSUMPTION).

City (``quanzhou``) rows: population-weighted means of the 13 units for standards, sums for
recipients and costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..config import DEFAULT_END_YEAR
from ..data import loaders
from ..demography.result import percentiles
from ..errors import AnalysisError, ParameterError
from ..notes import note
from ..geography import CITY_ID, county_ids, county_units, resolve_many
from ..scenarios import Rule, Scenario, load_scenario
from ..tidy import COLUMNS
from . import min_wage as mw
from .unit_arrays import parameters, scenario_name

SECTION = "assistance"
RATIO_ID = "dibao_to_min_wage_ratio"

PARAMETER_RULES: dict[str, Rule] = {
    "assistance.ratio_change_after_plan": Rule(
        -5.0,
        5.0,
        description=(
            "change of the 低保/minimum-wage ratio after the plan's last year (专栏2 row 1), percentage points per year"
        ),
        label_zh="规划期后低保与最低工资比例年变化",
    ),
    "assistance.tekun_multiple": Rule(
        1.0, 3.0, description="特困 support standard as a multiple of the 低保 standard", label_zh="特困供养标准倍数"
    ),
    "assistance.recipient_share": Rule(
        0.0,
        20.0,
        description="低保 recipients, percent of the registered population",
        label_zh="低保保障人数占人口比例",
    ),
    "assistance.average_gap_share": Rule(
        0.0,
        1.0,
        description="average monthly income gap of recipients as a share of the standard (0–1)",
        label_zh="人均月差额占标准比例",
    ),
    "assistance.wage_adjustment_interval_years": Rule(
        1.0, 6.0, description="years between future Fujian minimum-wage adjustments", label_zh="最低工资调整间隔"
    ),
    "assistance.wage_fit_from_year": Rule(
        2010,
        2022,
        kind="int",
        description="first adjustment year used to fit the minimum-wage drift",
        label_zh="最低工资漂移拟合起始年",
    ),
    "assistance.wage_step_floor_pct": Rule(
        0.0,
        50.0,
        description="smallest rise per minimum-wage adjustment, percent (negative not allowed)",
        label_zh="每次调整最低涨幅",
    ),
    "assistance.wage_timing": Rule(
        kind="str",
        choices=("sampled", "fixed"),
        description=(
            "dates of future minimum-wage decrees: drawn from the observed intervals, or every interval_years"
        ),
        label_zh="最低工资调整时间",
        choices_zh=("按历史间隔抽样", "固定间隔"),
    ),
    "assistance.wage_estimate_pending_from_average": Rule(
        kind="bool",
        description=("fill the 2025-04 tier values from the published mean of the tiers (estimate) before fitting"),
        label_zh="按公布平均值估算2025年各档",
    ),
    "assistance.standard_setting": Rule(
        kind="str",
        choices=("county", "city"),
        description=(
            "who sets the 低保 standard: each county from its own minimum-wage tier, or one city-wide standard"
        ),
        label_zh="低保标准制定层级",
        choices_zh=("各县按所在最低工资档次制定", "全市统一标准"),
    ),
    "assistance.wage_growth_override_pct": Rule(
        -10.0,
        30.0,
        description=(
            "median minimum-wage growth, percent per year, replacing the fitted drift "
            "(absent = use the fitted forecast)"
        ),
        label_zh="最低工资年增长率（指定）",
    ),
}

OPTIONAL_KEYS = ("assistance.wage_growth_override_pct",)
"""Parameters a scenario may leave out (absent = the fitted minimum-wage forecast); all others are required."""

MEASURE_MONTH = "yuan per month"
MEASURE_YEAR = "yuan per year"

ScenarioLike = Scenario | str | Mapping[str, Any]


def assistance_parameters(scenario: ScenarioLike | None, keys=None) -> dict[str, Any]:
    """The ``assistance.*`` parameters of a scenario, each checked against its rule.

    Parameters
    ----------
    scenario
        Scenario object, scenario name (``None`` = ``"baseline"``) or a plain mapping of
        dotted names (tests).
    keys
        Dotted names wanted (default: every key of :data:`PARAMETER_RULES`).

    Returns
    -------
    dict of dotted name → value. Every key is required (a missing one raises ParameterError
    naming it), except those in :data:`OPTIONAL_KEYS`, which are ``None`` when absent.
    """
    sc = _scenario(scenario)
    keys = list(PARAMETER_RULES) if keys is None else list(keys)
    out = parameters(sc, {k: PARAMETER_RULES[k] for k in keys if k not in OPTIONAL_KEYS})
    values = sc.values if isinstance(sc, Scenario) else sc
    for k in keys:
        if k in OPTIONAL_KEYS:
            v = values.get(k)
            out[k] = None if v is None else PARAMETER_RULES[k].check(k, v)
    return out


def _scenario(scenario: ScenarioLike | None) -> Scenario | Mapping[str, Any]:
    """A Scenario (loaded by name; ``None`` = baseline) or the plain mapping as given."""
    if scenario is None or isinstance(scenario, str):
        return load_scenario(scenario or "baseline")
    return scenario


# --- ratio path ---------------------------------------------------------------------------------


def plan_ratio_path(zl2: pd.DataFrame | None = None) -> pd.Series:
    """The plan's 低保/minimum-wage ratio by year 2020–2025 (percent), from 专栏2 row 1."""
    zl2 = zl2 if zl2 is not None else loaders.load_plan_zl2()
    rows = zl2[zl2["indicator_id"] == RATIO_ID].set_index("year")["value"].sort_index()
    if rows.isna().any() or len(rows) == 0:
        raise AnalysisError(f"专栏2 ({RATIO_ID}): missing ratio for {list(rows.index[rows.isna()])}")
    bad = rows[(rows <= 0) | (rows > 100)]
    if len(bad):
        raise ParameterError(f"专栏2 {RATIO_ID} {int(bad.index[0])}", float(bad.iloc[0]), "a percent in (0, 100]")
    return rows.astype(float)


def ratio_path(years, scenario: ScenarioLike | None = None, zl2: pd.DataFrame | None = None) -> np.ndarray:
    """Ratio of the 低保 standard to the minimum wage, percent, for each of ``years``.

    2020–2025: the plan (专栏2). After 2025: the 2025 value changed by the scenario's
    ``assistance.ratio_change_after_plan`` percentage points a year (required; baseline 0 =
    hold the plan's 2025 ratio). A path leaving (0, 100] % raises ParameterError.
    """
    key = f"{SECTION}.ratio_change_after_plan"
    change = float(assistance_parameters(scenario, [key])[key])
    plan = plan_ratio_path(zl2)
    years = np.asarray(years, dtype=int)
    if years.min() < plan.index.min():
        raise ParameterError("start_year", int(years.min()), f">= {plan.index.min()} (the plan's first ratio)")
    last = int(plan.index.max())
    out = np.where(
        years <= last, plan.reindex(np.minimum(years, last)).to_numpy(), plan.loc[last] + change * (years - last)
    )
    if np.any(out <= 0) or np.any(out > 100):
        raise ParameterError(
            f"{SECTION}.ratio_change_after_plan",
            change,
            f"a change that keeps the ratio within (0, 100] % up to {int(years.max())}",
        )
    return out.astype(float)


# --- thresholds ---------------------------------------------------------------------------------


def standard_from_wage(ratio_pct, wage_monthly):
    """低保 standard, yuan per person per month = ratio (percent) / 100 × minimum wage (yuan/month)."""
    return np.asarray(ratio_pct, dtype=float) / 100.0 * np.asarray(wage_monthly, dtype=float)


def low_income_multiples() -> tuple[float, float]:
    """Lower and upper multiples of the 低保 standard for 低保边缘 households (plan: 1 and 2)."""
    return (
        loaders.plan_target("low_income_margin_lower_multiple"),
        loaders.plan_target("low_income_margin_upper_multiple"),
    )


# --- weights ------------------------------------------------------------------------------------


def check_weights(weights: Mapping[str, float] | None) -> tuple[np.ndarray, str]:
    """Weights of the 13 units (array in ``county_ids()`` order) and a note on what they are.

    ``None`` → equal weights (with a note saying so). Missing units, unknown units, negative
    weights or a zero total raise ParameterError.
    """
    ids = county_ids()
    if weights is None:
        return np.full(len(ids), 1.0 / len(ids)), "equal weights (no population given)"
    unknown = sorted(set(weights) - set(ids))
    missing = [u for u in ids if u not in weights]
    if unknown or missing:
        raise ParameterError(
            "weights",
            dict(weights),
            f"a weight for each of the 13 units {ids}"
            + (f"; unknown {unknown}" if unknown else "")
            + (f"; missing {missing}" if missing else ""),
        )
    w = np.array([float(weights[u]) for u in ids])
    if np.any(~np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ParameterError("weights", dict(weights), "non-negative numbers with a positive total")
    return w / w.sum(), "population weights given by the caller"


def population_weights(population, year: int = 2020) -> dict[str, float]:
    """Persons per unit in ``year``: the weights of the city's population-weighted means.

    The one place these weights are computed (used by the pipeline, notebook 04 and the
    scenario explorer).

    Parameters
    ----------
    population
        A :class:`~analysis.demography.result.ProjectionResult` (persons ``(draw, year, unit,
        sex, age)``; the median across draws in ``year`` is used) or a
        :class:`~analysis.data.base_tables.BasePopulation` (persons ``(unit, sex, age)``;
        its base ``year`` must equal ``year``).
    year
        Calendar year of the weights.

    Returns
    -------
    dict unit id → persons.
    """
    pop = np.asarray(population.population, dtype=float)
    if pop.ndim == 5:
        if year not in set(np.asarray(population.years).tolist()):
            raise ParameterError(
                "year", year, f"a year of the projection ({population.years[0]}–{population.years[-1]})"
            )
        per_unit = np.median(pop[:, population.year_index(year)].sum(axis=(-1, -2)), axis=0)
    elif pop.ndim == 3:
        if int(population.year) != int(year):
            raise ParameterError("year", year, f"the base population's year ({population.year})")
        per_unit = pop.sum(axis=(-1, -2))
    else:
        raise ParameterError(
            "population",
            f"an array of shape {pop.shape}",
            "a ProjectionResult (draw, year, unit, sex, age) or a BasePopulation (unit, sex, age)",
        )
    return {uid: float(p) for uid, p in zip(population.unit_ids, per_unit)}


# --- backtest -----------------------------------------------------------------------------------


def backtest_link(weights: Mapping[str, float] | None = None, history: mw.WageHistory | None = None) -> pd.DataFrame:
    """How well "standard = ratio × minimum wage" reproduces the plan's published city standards.

    For 2015 and 2020 (专栏1: city urban 低保 5,924 and 9,005 yuan a year; rural 8,840 in 2020):
    ``weighted_min_wage`` = population-weighted annual average minimum wage in force of the 13
    units (yuan per month), ``implied_ratio`` = standard / (12 × weighted wage) (percent),
    ``model_standard`` = plan ratio (44.5 % in 2020; none published for 2015) × 12 × weighted wage
    (yuan per year) and its ``gap`` to the published standard (yuan per year and percent).

    Why the 2020 check need not match exactly: (1) the wage in force: the 2020-01 rise applies
    all year, but a 2020 standard set during 2019 would rest on the 2017 wages, which are
    missing from our data; (2) the tier mix: the weights decide how much tier 3 (安溪, 永春, 德化)
    pulls the average down; (3) the plan's 9,005 is an average of unit standards (weighting
    unknown) that counties round and may set above the linked minimum; (4) the urban and rural
    figures differ although standards were unified (城乡一体化), so the city averages are
    computed on different populations.
    """
    history = history if history is not None else mw.load_wage_history()
    w, note = check_weights(weights)
    annual = mw.annual_average_in_force(history, 2015, 2020)
    tiers = np.array([mw.unit_tier(u, history) for u in county_units()])
    zl1 = loaders.load_plan_zl1()
    plan_2020 = plan_ratio_path().loc[2020]
    rows = []
    for ind, year, column in [
        ("urban_dibao_standard", 2015, "2015年"),
        ("urban_dibao_standard", 2020, "2020年完成情况"),
        ("rural_dibao_standard", 2020, "2020年完成情况"),
    ]:
        sel = zl1[(zl1["indicator_id"] == ind) & (zl1["column"] == column)]["value"]
        if len(sel) != 1 or pd.isna(sel.iloc[0]):
            raise AnalysisError(f"专栏1: no {ind} for {column}")
        standard = float(sel.iloc[0])
        wage = float(np.sum(w * annual.loc[year, tiers].to_numpy()))
        ratio = plan_2020 if year == 2020 else np.nan
        model = ratio / 100 * 12 * wage
        rows.append(
            {
                "indicator": ind,
                "year": year,
                "published_standard": standard,
                "published_standard_monthly": standard / 12,
                "weighted_min_wage": wage,
                "implied_ratio": 100 * standard / (12 * wage),
                "plan_ratio": ratio,
                "model_standard": model,
                "gap": model - standard,
                "gap_pct": 100 * (model - standard) / standard,
                "weights": note,
            }
        )
    return pd.DataFrame(rows)


# --- recipients and cost -----------------------------------------------------------------------


def recipient_share_estimate() -> float:
    """ESTIMATE of 低保 recipients as a percent of population, from Fujian data.

    Fujian 2019 urban + rural 低保 recipients (Fujian yearbook 2020 table 21-19;
    ``dibao_quanzhou.csv``) divided by Fujian's 2020 census resident population
    (``census2020_county.csv``). Quanzhou-specific or registered-population figures are not
    published, so this province-wide share is applied to Quanzhou's registered population.
    """
    dibao = loaders.load_dibao()
    recipients = loaders.fact(dibao, "福建省", "urban_dibao_recipients", 2019) + loaders.fact(
        dibao, "福建省", "rural_dibao_recipients", 2019
    )
    population = loaders.fact(loaders.load_census2020(), "福建省", "resident_population", 2020)
    return 100.0 * recipients / population


@dataclass
class _Bands:
    """Values (k, year) per unit: k = 3 quantiles (p10, p50, p90) or k = draws."""

    mode: str
    values: dict[str, np.ndarray]

    def percentiles(self, unit_id: str) -> dict[str, np.ndarray]:
        v = self.values[unit_id]
        if self.mode == "quantiles":
            return {"p10": v[0], "p50": v[1], "p90": v[2]}
        return percentiles(v, axis=0)


def _population_array(population, years: np.ndarray, k: int, mode: str) -> dict[str, np.ndarray]:
    """Persons per unit (k, year) from a ProjectionResult (draws paired or broadcast)."""
    missing = [y for y in years if y not in set(population.years.tolist())]
    if missing:
        raise ParameterError(
            "population",
            f"projection {population.years[0]}–{population.years[-1]}",
            f"a projection covering {int(years[0])}–{int(years[-1])}",
        )
    idx = [population.year_index(int(y)) for y in years]
    out = {}
    for uid in county_ids():
        pop = population.unit(uid)[:, idx].sum(axis=(-1, -2))  # (draw, year)
        if mode == "quantiles" or pop.shape[0] == 1:
            pop = np.median(pop, axis=0, keepdims=True)
            pop = np.repeat(pop, k, axis=0)
        elif pop.shape[0] != k:
            raise ParameterError("draws", k, f"1 or the projection's number of draws ({pop.shape[0]})")
        out[uid] = pop
    return out


# --- the public path ----------------------------------------------------------------------------


def dibao_path(
    scenario: ScenarioLike | None = "baseline",
    start_year: int = 2020,
    end_year: int = DEFAULT_END_YEAR,
    units: list[str] | None = None,
    draws: int = 1,
    seed: int | None = 20201101,
    weights: Mapping[str, float] | None = None,
    population=None,
    history: mw.WageHistory | None = None,
) -> pd.DataFrame:
    """The implied 低保 standard, thresholds and cost per unit and year, tidy long format.

    Parameters
    ----------
    scenario
        Scenario name or object, or a mapping of dotted names (section ``assistance``). Every
        key of :data:`PARAMETER_RULES` is required (ParameterError names a missing or bad one)
        except ``assistance.wage_growth_override_pct`` (absent = the fitted wage forecast).
    start_year, end_year
        First and last year (2020 ≤ start ≤ end ≤ 2050).
    units
        Units to return (names or ids); ``None`` → the 13 units and the city.
    draws, seed
        1 → analytic 10/50/90 % predictive band of the minimum wage; > 1 → Monte-Carlo draws.
    weights
        Persons per unit (the 2020 resident population) for the city's population-weighted
        means; ``None`` → equal weights (noted in ``frame.attrs['notes']``).
    population
        A ProjectionResult (ideally ``base='registered'``) for recipients and cost; ``None`` →
        ``dibao_recipients`` and ``dibao_cost_annual`` are reported as missing (NaN).

    Returns
    -------
    DataFrame with columns ``unit_id, year, indicator, p10, p50, p90, measure``. Indicators:
    ``min_wage_monthly`` (annual average in force, yuan per month), ``dibao_to_min_wage_ratio``
    (percent), ``dibao_monthly`` (yuan per person per month), ``dibao_annual`` (yuan per person
    per year), ``tekun_monthly``, ``low_income_upper_monthly`` (yuan per person per month),
    ``dibao_recipients`` (persons, estimate), ``dibao_cost_annual`` (yuan per year, estimate).
    """
    sc = _scenario(scenario)
    p = assistance_parameters(sc)
    if not 2020 <= start_year <= end_year <= 2050:
        raise ParameterError("start_year/end_year", (start_year, end_year), "2020 <= start_year <= end_year <= 2050")
    if int(draws) < 1:
        raise ParameterError("draws", draws, "a whole number >= 1")
    history = history if history is not None else mw.load_wage_history()
    w, weight_note = check_weights(weights)
    years = np.arange(start_year, end_year + 1)
    ratio = ratio_path(years, sc)
    override = p[f"{SECTION}.wage_growth_override_pct"]
    fc = wage_forecast(sc, start_year, end_year, draws, seed, history)
    tier_annual = {t: fc.annual(t)[1] for t in fc.monthly}
    ids = county_ids()
    wage = {uid: tier_annual[mw.unit_tier(uid, history)] for uid in ids}
    wage[CITY_ID] = sum(w[i] * wage[uid] for i, uid in enumerate(ids))
    tekun = float(p[f"{SECTION}.tekun_multiple"])
    _, upper = low_income_multiples()
    share = float(p[f"{SECTION}.recipient_share"])
    gap_share = float(p[f"{SECTION}.average_gap_share"])
    k = next(iter(wage.values())).shape[0]
    dibao = {uid: standard_from_wage(ratio[None, :], wage[uid]) for uid in wage}
    dibao[CITY_ID] = sum(w[i] * dibao[uid] for i, uid in enumerate(ids))
    setting = p[f"{SECTION}.standard_setting"]
    if setting == "city":  # one city-wide standard: every unit gets the city's weighted link
        dibao = {uid: dibao[CITY_ID] for uid in dibao}
    notes = [
        note("city_dibao_weights_given", how=weight_note),
        note("dibao_county_tier" if setting == "county" else "dibao_city_setting"),
        note(
            "min_wage",
            estimated=bool(p[f"{SECTION}.wage_estimate_pending_from_average"]),
            y=int(p[f"{SECTION}.wage_fit_from_year"]),
            timing=str(p[f"{SECTION}.wage_timing"]),
        ),
        note("tekun_factor", f=tekun),
    ]
    if override is not None:
        notes.append(note("min_wage_override", g=float(override)))
    bands: dict[str, _Bands] = {}
    bands["min_wage_monthly"] = _Bands(fc.mode, wage)
    bands["dibao_monthly"] = _Bands(fc.mode, dibao)
    bands["dibao_annual"] = _Bands(fc.mode, {u: 12 * v for u, v in dibao.items()})
    bands["tekun_monthly"] = _Bands(fc.mode, {u: tekun * v for u, v in dibao.items()})
    bands["low_income_upper_monthly"] = _Bands(fc.mode, {u: upper * v for u, v in dibao.items()})
    if population is not None:
        pop = _population_array(population, years, k, fc.mode)
        recipients = {uid: share / 100.0 * pop[uid] for uid in ids}
        cost = {uid: recipients[uid] * gap_share * dibao[uid] * 12 for uid in ids}
        recipients[CITY_ID] = sum(recipients.values())
        cost[CITY_ID] = sum(cost[uid] for uid in ids)
        bands["dibao_recipients"] = _Bands(fc.mode, recipients)
        bands["dibao_cost_annual"] = _Bands(fc.mode, cost)
        notes.append(note("dibao_recipients", pct=share, population=population.base, gap=gap_share))
    else:
        nan = np.full((k, len(years)), np.nan)
        bands["dibao_recipients"] = _Bands(fc.mode, {u: nan for u in wage})
        bands["dibao_cost_annual"] = _Bands(fc.mode, {u: nan for u in wage})
        notes.append(note("dibao_recipients_missing"))
    measures = {
        "min_wage_monthly": MEASURE_MONTH,
        "dibao_monthly": MEASURE_MONTH,
        "dibao_annual": MEASURE_YEAR,
        "tekun_monthly": MEASURE_MONTH,
        "low_income_upper_monthly": MEASURE_MONTH,
        "dibao_recipients": "persons",
        "dibao_cost_annual": MEASURE_YEAR,
    }
    wanted = [u.id for u in resolve_many(units)] if units else ids + [CITY_ID]
    frames = []
    for uid in wanted:
        frames.append(
            pd.DataFrame(
                {
                    "unit_id": uid,
                    "year": years,
                    "indicator": RATIO_ID,
                    "p10": np.nan,
                    "p50": ratio,
                    "p90": np.nan,
                    "measure": "percent",
                }
            )
        )
        for name, band in bands.items():
            frames.append(
                pd.DataFrame(
                    {
                        "unit_id": uid,
                        "year": years,
                        "indicator": name,
                        **band.percentiles(uid),
                        "measure": measures[name],
                    }
                )
            )
    out = pd.concat(frames, ignore_index=True)[COLUMNS]
    out.attrs["notes"] = notes
    out.attrs["scenario"] = scenario_name(sc)
    return out


def wage_history(scenario: ScenarioLike | None, history: mw.WageHistory | None = None) -> mw.WageHistory:
    """The wage history the forecast starts from: published, plus the 2025-04 estimate if the scenario asks."""
    key = f"{SECTION}.wage_estimate_pending_from_average"
    history = history if history is not None else mw.load_wage_history()
    return mw.with_estimated_pending(history) if assistance_parameters(scenario, [key])[key] else history


def wage_forecast(
    scenario: ScenarioLike | None,
    start_year: int,
    end_year: int,
    draws: int = 1,
    seed: int | None = 20201101,
    history: mw.WageHistory | None = None,
) -> mw.WageForecast:
    """The minimum-wage forecast under the scenario's ``assistance.wage_*`` parameters."""
    p = assistance_parameters(scenario)
    override = p[f"{SECTION}.wage_growth_override_pct"]
    return mw.forecast(
        wage_history(scenario, history),
        start_year,
        end_year,
        interval_years=float(p[f"{SECTION}.wage_adjustment_interval_years"]),
        fit_from_year=int(p[f"{SECTION}.wage_fit_from_year"]),
        step_floor_pct=float(p[f"{SECTION}.wage_step_floor_pct"]),
        draws=int(draws),
        seed=seed,
        growth_override_pct=None if override is None else float(override),
        timing=p[f"{SECTION}.wage_timing"],
    )


def wage_schedule(
    scenario: ScenarioLike | None = "baseline", end_year: int = DEFAULT_END_YEAR, history: mw.WageHistory | None = None
) -> list[pd.Period]:
    """The future minimum-wage adjustment months under ``scenario`` (sampled timing: the median path's)."""
    return wage_forecast(scenario, 2020, end_year, 1, history=history).adjustments

"""The odds of meeting each target of a plan, and the action that would meet it (``tables/plan_odds.csv``).

For every target of a plan that the models can compute, per unit and for the city:

- ``p_meet`` — the probability of meeting the target in its year under the run's scenario: the
  share of the projection's draws in which the indicator meets the target (so the base, rate and
  timing uncertainty of the population all count), with the stock in the numerator drawn where
  its growth has a measured spread (:func:`stock_draws`);
- ``action`` and ``action_value`` — what would meet the target at the chosen ``confidence``
  (default 80 %): e.g. nursing-type beds to add per year over the plan period (from the year before
  it starts, or the origin if later; a published stock from its latest count) to the target year so
  that the target is met in at least ``confidence`` of the draws; ``gap_opens`` — the first year
  of that period in which the scenario's stock (its median) falls behind the straight line from
  today's stock to the stock needed (:func:`gap_opens`);
- ``supported_at_50`` / ``supported_at_80`` — the drafter's view: the value of the ratio that the
  projection supports with 50 % and 80 % probability under the current build rate (the median and
  the 20th percentile of the draws).

How each indicator is computed (:data:`ODDS_MODELS`) is code; which targets, years and units are
read from the plan (:mod:`analysis.data.plans`). Targets no model computes are listed with
``computed = False`` and the reason, never dropped.

Stocks. The nursing-type bed stock is the bed model's scenario path (``nursing_bed_stock``, an
ESTIMATE: no nursing-type stock is published; county stocks are allocated by the 2020 share of
the elderly). The certified social-worker stock is carried from the latest published city count
by the trend model (exponential, linear or damped trend) with the lowest error in a backtest that
holds out the last 2–5 years of the published series (:mod:`analysis.services.stock_trend`; the
exponential trend, MAPE 30 % against 38–46 % for the others on the 2015–2023 counts);
:func:`stock_draws` spreads it log-normally with variance ``(h + h²/n) max(σ, s)²`` for ``h``
years ahead, ``σ`` the spread of the annual log growth, ``s`` the backtest's measured error and
``n`` the years observed. Counties get the city's draws × their share of the resident population
(an ESTIMATE: no county counts are published).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import catalogue, geography
from ..data.plans import Plan
from ..demography.result import ProjectionResult
from ..errors import AnalysisError
from . import stock_trend

DEFAULT_CONFIDENCE = 0.8
ABOUT_TOLERANCE = 0.05  # an 'about' target is met within ±5 %

ODDS_COLUMNS = [
    "plan",
    "plan_status",
    "indicator",
    "indicator_zh",
    "unit_id",
    "unit_name",
    "base",
    "year",
    "target",
    "comparator",
    "computed",
    "p_meet",
    "value_p10",
    "value_p50",
    "value_p90",
    "supported_at_50",
    "supported_at_80",
    "action",
    "action_value",
    "action_unit",
    "gap_opens",
    "confidence",
    "rests_on",
]


@dataclass(frozen=True)
class StockRatio:
    """value = scale × stock ÷ population: a stock of beds or staff per persons of an age group.

    ``stock`` names a model output (tidy ``indicator``) or, with ``observed_stock``, a published
    series (``observed_stock`` = its indicator id in the series handed to :func:`plan_odds`).
    ``first_age`` is the youngest age in the denominator (60 = persons 60+; 0 = everybody).
    """

    stock: str
    first_age: int
    scale: float
    default_base: str
    action_zh: str
    action_unit: str
    rests_on_zh: str
    observed_stock: bool = False


@dataclass(frozen=True)
class SharePath:
    """value = the scenario's share path (no draws): the nursing-type share of institutional beds.

    ``numerator`` / ``share`` name model outputs: the nursing-type stock and the share path (%);
    the institutional stock is numerator ÷ share. ``default_base``: the base whose model frame
    supplies both paths when the target names none (the run's tables take the resident frame)."""

    numerator: str
    share: str
    action_zh: str
    action_unit: str
    rests_on_zh: str
    default_base: str = "resident"


@dataclass(frozen=True)
class NotComputed:
    """A target no model computes, with the reason."""

    reason_zh: str


ODDS_MODELS: dict[str, StockRatio | SharePath | NotComputed] = {
    "nursing_beds_per_1000_elderly": StockRatio(
        "nursing_bed_stock",
        60,
        1000.0,
        "registered",
        "每年需新增护理型床位",
        "张/年",
        "60岁及以上人口的抽样（基期、生育、死亡、迁移的不确定性）；护理型床位存量按情景的建设路径（估算，无公布存量）",
    ),
    "certified_social_workers_per_10k": StockRatio(
        "certified_social_workers",
        0,
        1e4,
        "resident",
        "每年需新增持证社工",
        "人/年",
        "常住人口的抽样；持证社工按公布序列外推，趋势模型（指数、线性、阻尼趋势）取留出最后2–5年回测误差最小者，"
        "抽样离散程度不小于回测测得的误差；县级按常住人口份额分配（估算）",
        observed_stock=True,
    ),
    "nursing_bed_share": SharePath(
        "nursing_bed_stock",
        "nursing_bed_share_target",
        "每年需新增（或改造）护理型床位",
        "张/年",
        "情景中的护理型床位占比路径（无抽样，概率只能为0或1）；机构床位 = 护理型床位 ÷ 占比（估算）",
    ),
    "dibao_to_min_wage_ratio": NotComputed("模型按规划比例设定低保标准（按规划设定），不是独立预测，不计算达成概率"),
    "community_elder_service_facility_coverage": NotComputed("无社区养老服务设施覆盖率的数据和模型"),
    "registered_volunteer_share": NotComputed("无注册志愿者人数序列的模型"),
    "social_work_talent_per_mille": NotComputed("无社会工作专业人才存量的模型"),
}


def meets(values, target: float, comparator: str) -> np.ndarray:
    """Whether each value meets ``target`` under ``comparator`` (``>=``, ``<=``, ``=``, ``about``)."""
    v = np.asarray(values, dtype=float)
    if comparator == ">=":
        return v >= target
    if comparator == "<=":
        return v <= target
    if comparator == "=":
        return np.isclose(v, target, rtol=1e-6, atol=1e-9)
    if comparator == "about":
        return np.abs(v - target) <= ABOUT_TOLERANCE * abs(target)
    raise AnalysisError(f"unknown comparator {comparator!r}; expected >=, <=, = or about")


def p_meet(values, target: float, comparator: str) -> float:
    """The share of draws meeting the target (0…1); NaN draws count as not meeting."""
    v = np.asarray(values, dtype=float)
    return float(np.mean(meets(v, target, comparator) & np.isfinite(v))) if v.size else float("nan")


def required_stock(population_draws, target: float, scale: float, confidence: float) -> float:
    """The stock that meets ``scale × stock ÷ population ≥ target`` in ``confidence`` of the draws.

    The ratio falls as the population grows, so the stock must cover the ``confidence``
    quantile of the population: ``target × quantile(population, confidence) ÷ scale``.
    """
    pop = np.asarray(population_draws, dtype=float)
    return float(target * np.quantile(pop, confidence) / scale)


def stock_draws(
    years, values, origin: int, horizon_years, n_draws: int, seed: int | None, method: str | None = None
) -> np.ndarray:
    """Draws (draw, year) of a published stock carried past its last observation.

    The centre is the point forecast of the trend model the backtest chose
    (:func:`analysis.services.stock_trend.choose`; ``method`` forces one). The spread is
    log-normal around it: ``h`` years past the last observation the log stock has standard
    deviation ``max(σ, s) √(h + h²/n)`` — the random walk with drift's shape, ``σ`` the spread of
    the published annual log growths (intervals of several years weighted by their length), ``s``
    the chosen model's measured backtest error on the same scale (:func:`stock_trend.error_scale`),
    ``n`` the years observed. With fewer than three observations σ cannot be measured and without
    a backtest split s is 0: the path is then the trend alone (no spread). Years before the last
    observation get the last value (the evaluation never sees them).
    """
    yrs = np.asarray(years, dtype=int)
    vals = np.asarray(values, dtype=float)
    order = np.argsort(yrs)
    yrs, vals = yrs[order], vals[order]
    if len(yrs) < 2 or np.any(vals <= 0):
        raise AnalysisError("a stock path needs at least two positive published values")
    gaps = np.diff(yrs).astype(float)
    growth = np.diff(np.log(vals)) / gaps
    mu = float(np.sum(growth * gaps) / np.sum(gaps))
    n = float(np.sum(gaps))
    sigma = float(np.sqrt(np.sum(gaps * (growth - mu) ** 2) / max(len(growth) - 1, 1))) if len(growth) >= 2 else 0.0
    chosen, measured = stock_trend.selection(tuple(yrs.tolist()), tuple(vals.tolist()))
    if method and method != chosen:
        measured = stock_trend.error_scale(stock_trend.backtest(yrs, vals), method)
    method = method or chosen
    scale = max(sigma, measured)
    h = np.maximum(np.asarray(horizon_years, dtype=float) - yrs[-1], 0.0)
    centre = stock_trend.forecast(method, yrs, vals, h)
    if np.any(centre <= 0):
        raise AnalysisError(f"the {method} trend of the stock falls to zero or below by {int(yrs[-1] + h.max())}")
    sd = scale * np.sqrt(h + h**2 / n)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n_draws, 1))
    return np.exp(np.log(centre)[None, :] + sd[None, :] * z)


def _path(projected: pd.DataFrame, indicator: str, unit_id: str, years) -> np.ndarray:
    rows = projected[(projected["indicator"] == indicator) & (projected["unit_id"] == unit_id)]
    series = rows.set_index("year")["p50"]
    return np.array([float(series.get(y, np.nan)) for y in years])


def gap_opens(years, path, start: float, need: float, origin: int, target_year: int) -> int | None:
    """The first year after ``origin`` in which ``path`` falls behind the straight line from
    ``start`` (at the origin) to ``need`` (in ``target_year``): where a shortfall opens if the
    additions keep the scenario's pace. ``None`` when the path never falls behind."""
    if need <= start:
        return None  # today's stock already suffices: no shortfall can open by falling behind
    span = max(target_year - origin, 1)
    for year, value in zip(years, path):
        line = start + (need - start) * (year - origin) / span
        if np.isfinite(value) and value < line - 1e-9 * max(abs(line), 1.0):
            return int(year)
    return None


def _row(plan: Plan, target: pd.Series, unit_id: str, names: dict[str, str], base: str) -> dict:
    spec = catalogue.indicator(target["indicator_id"])
    return {
        "plan": plan.id,
        "plan_status": plan.status,
        "indicator": target["indicator_id"],
        "indicator_zh": spec.name_zh,
        "unit_id": unit_id,
        "unit_name": names.get(unit_id, unit_id),
        "base": base,
        "year": int(target["year"]),
        "target": float(target["target"]),
        "comparator": target["comparator"],
    }


def _stock_ratio(
    model: StockRatio,
    row: dict,
    result: ProjectionResult,
    projected: pd.DataFrame,
    origin: int,
    confidence: float,
    stock_series: pd.DataFrame | None,
    seed: int | None,
) -> dict:
    year, target, unit_id = row["year"], row["target"], row["unit_id"]
    years = [y for y in result.years.tolist() if origin < y <= year] or [year]
    pop = {
        y: result.age_sum(unit_id, model.first_age)[:, result.year_index(y)]
        for y in years + [origin]
        if y in set(result.years.tolist())
    }
    if year not in pop:
        return {**row, "computed": False, "rests_on": f"投影不含{year}年"}
    if model.observed_stock:
        if stock_series is None or not len(stock_series):
            return {**row, "computed": False, "rests_on": f"无公布的{catalogue.label(model.stock)}序列"}
        origin = min(int(stock_series["year"].max()), year - 1)  # act from the latest published count
        years = [y for y in result.years.tolist() if origin < y <= year] or [year]
        pop = {
            y: result.age_sum(unit_id, model.first_age)[:, result.year_index(y)]
            for y in years + [origin]
            if y in set(result.years.tolist())
        }
        city = stock_draws(stock_series["year"], stock_series["value"], origin, years + [origin], result.n_draws, seed)
        share = 1.0 if unit_id == geography.CITY_ID else _population_share(result, unit_id, origin)
        stock = {y: city[:, i] * share for i, y in enumerate(years + [origin])}
        trend, _ = stock_trend.selection(
            tuple(int(y) for y in stock_series["year"]), tuple(float(v) for v in stock_series["value"])
        )
        rests_on = f"{model.rests_on_zh}（回测选定：{stock_trend.METHOD_ZH[trend]}）"
    else:
        path = _path(projected, model.stock, unit_id, years + [origin])
        stock = {y: np.full(result.n_draws, path[i]) for i, y in enumerate(years + [origin])}
        rests_on = model.rests_on_zh
    value = model.scale * stock[year] / pop[year]
    need = required_stock(pop[year], target, model.scale, confidence)
    start = float(np.median(stock[origin]))
    per_year = max(0.0, (need - start) / max(year - origin, 1))
    opens = gap_opens(years, [float(np.median(stock[y])) for y in years], start, need, origin, year)
    q = np.quantile(value, [0.1, 0.5, 0.9, 0.2])
    return {
        **row,
        "computed": True,
        "p_meet": p_meet(value, target, row["comparator"]),
        "value_p10": q[0],
        "value_p50": q[1],
        "value_p90": q[2],
        "supported_at_50": q[1],
        "supported_at_80": q[3],
        "action": model.action_zh,
        "action_value": per_year,
        "action_unit": model.action_unit,
        "gap_opens": opens,
        "rests_on": rests_on,
    }


def _population_share(result: ProjectionResult, unit_id: str, year: int) -> float:
    i = result.year_index(year) if year in set(result.years.tolist()) else 0
    return float(np.median(result.age_sum(unit_id)[:, i] / result.age_sum(geography.CITY_ID)[:, i]))


def _share_path(model: SharePath, row: dict, projected: pd.DataFrame, origin: int, confidence: float) -> dict:
    year, target, unit_id = row["year"], row["target"], row["unit_id"]
    years = list(range(origin + 1, year + 1)) or [year]
    share = _path(projected, model.share, unit_id, years + [origin])
    nursing = _path(projected, model.numerator, unit_id, years + [origin])
    if not np.isfinite(share[years.index(year)]):
        return {**row, "computed": False, "rests_on": "情景无该年的护理型床位占比路径"}
    institutional = nursing / (share / 100.0)
    value = share[years.index(year)]
    need = target / 100.0 * institutional[years.index(year)]
    per_year = max(0.0, (need - nursing[-1]) / max(year - origin, 1))
    opens = gap_opens(years, share[:-1], float(share[-1]), target, origin, year)
    return {
        **row,
        "computed": True,
        "p_meet": float(meets([value], target, row["comparator"])[0]),
        "value_p10": np.nan,
        "value_p50": value,
        "value_p90": np.nan,
        "supported_at_50": value,
        "supported_at_80": value,
        "action": model.action_zh,
        "action_value": per_year,
        "action_unit": model.action_unit,
        "gap_opens": opens,
        "rests_on": model.rests_on_zh,
    }


def plan_odds(
    plan: Plan,
    results: dict[str, ProjectionResult],
    projected: dict[str, pd.DataFrame],
    origin: int,
    unit_ids: list[str] | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    observed_stocks: dict[str, pd.DataFrame] | None = None,
    seed: int | None = 20201101,
) -> pd.DataFrame:
    """One row per target of ``plan`` after ``origin``, per unit (see the module docstring).

    Parameters
    ----------
    results
        Projection by base (``registered``, ``resident``), with the draws.
    projected
        The tidy model frames by base (``analysis.pipeline.run_models(...).projected``).
    origin
        The forecast origin (jump-off year): only targets after it are scored. Actions count the
        years of the plan period — from the year before it starts (2025 for a 2026–2030 plan), or
        the origin if later; for a published stock, from its latest published count.
    observed_stocks
        Published stock series by indicator id (``year, value`` for the city), e.g. certified
        social workers.
    """
    if not 0 < confidence < 1:
        raise AnalysisError(f"confidence must lie strictly between 0 and 1, not {confidence!r}")
    names = {u.id: u.name_zh for u in geography.all_units()}
    any_result = next(iter(results.values()))
    unit_ids = unit_ids or any_result.units_with_city()
    targets = plan.expanded(unit_ids)
    targets = targets[targets["year"] > origin]
    # Actions count the years of the plan period (from the year before it starts, or the origin if later).
    action_from = max(origin, plan.period_start - 1)
    rows = []
    for _, target in targets.iterrows():
        model = ODDS_MODELS.get(target["indicator_id"], NotComputed("没有模型计算该指标"))
        base = target["base"] if isinstance(target["base"], str) else getattr(model, "default_base", "")
        row = _row(plan, target, target["unit_id"], names, base or "")
        if isinstance(model, NotComputed):
            rows.append({**row, "computed": False, "rests_on": model.reason_zh})
        elif isinstance(model, SharePath) and base in projected:
            rows.append(_share_path(model, row, projected[base], min(action_from, row["year"] - 1), confidence))
        elif base not in (projected if isinstance(model, SharePath) else results):
            rows.append({**row, "computed": False, "rests_on": f"本次运行没有{base}口径的投影"})
        else:
            series = (observed_stocks or {}).get(model.stock) if model.observed_stock else None
            rows.append(
                _stock_ratio(
                    model,
                    row,
                    results[base],
                    projected[base],
                    min(action_from, row["year"] - 1),
                    confidence,
                    series,
                    seed,
                )
            )
    out = pd.DataFrame(rows, columns=ODDS_COLUMNS)
    out["confidence"] = confidence
    return out.reset_index(drop=True)


def _plain(value):
    """A JSON-ready scalar: NaN → None, numpy numbers → Python numbers."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        return None if isinstance(value, float) and value != value else value
    return value


def odds_rows(odds: pd.DataFrame | None) -> list[dict]:
    """The computed rows of ``plan_odds`` for the index (JSON-ready; see :mod:`analysis.services.plan_odds`)."""
    if odds is None or not len(odds):
        return []
    keep = [
        "plan",
        "plan_status",
        "indicator",
        "indicator_zh",
        "unit_id",
        "unit_name",
        "base",
        "year",
        "target",
        "comparator",
        "p_meet",
        "value_p50",
        "supported_at_80",
        "action",
        "action_value",
        "action_unit",
        "gap_opens",
        "rests_on",
    ]
    rows = odds[odds["computed"].astype(bool)][keep]
    out = [{k: _plain(v) for k, v in row.items()} for row in rows.to_dict("records")]
    for row in out:  # years print as years, never 2030.0
        for key in ("year", "gap_opens"):
            if row[key] is not None:
                row[key] = int(row[key])
    return out

"""The close-out ledger of a plan (``tables/plan_ledger.csv``): each target, its outturn, the forecast.

One row per final target of the plan (the last year each indicator has a target for, per unit
where the plan sets it per unit): the target with its comparator and binding; the **outturn** —
the published value with its date and source (``data/raw/observed_plan_outturns.csv``), never a
guess; the **forecast** the suite's 2020-origin projection made for the target year, with its
band; the forecast's error against the outturn where both exist; and a **status**:

- 达成 achieved — a published value dated in the target year (or later) meets the target, or an
  earlier published value already meets a "not less than" target for a count or a coverage that
  does not fall (``kind`` count or share in the catalogue, comparator ≥);
- 未达成 not achieved — a published value dated in the target year (or later) misses it;
- 进展中 in progress — the latest published value is dated before the target year and does not
  yet meet it (the plan period is over, but the target-year figure is not published);
- 未公布 not published — no published value was found (the searches are listed in
  ``docs/data/outturn_search.md``).

"Meets" follows the comparator: ≥ / ≤ / = (within 0.5 %), ``about`` within ±5 %. Only outturns
marked ``comparable_to_target`` yes or partial count; ``partial`` is said in the row's note.
Observations after the forecast's origin only *evaluate* it here: nothing in this module feeds
back into a model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, geography
from ..data.plans import Plan
from .plan_odds import meets

ACHIEVED, NOT_ACHIEVED, IN_PROGRESS, NOT_PUBLISHED = "达成", "未达成", "进展中", "未公布"
STATUSES = (ACHIEVED, NOT_ACHIEVED, IN_PROGRESS, NOT_PUBLISHED)
EQUAL_TOLERANCE = 0.005
# Indicators whose forecast the models set from the plan itself: shown, never scored as evidence.
SET_FROM_PLAN = {"dibao_to_min_wage_ratio": "按规划设定：模型以规划比例乘最低工资得出低保标准"}

LEDGER_COLUMNS = [
    "plan",
    "plan_status",
    "indicator",
    "indicator_zh",
    "unit_id",
    "unit_name",
    "base",
    "target_year",
    "target",
    "comparator",
    "binding",
    "base_year",
    "base_value",
    "outturn",
    "outturn_date",
    "outturn_source",
    "outturn_trust",
    "forecast",
    "forecast_p10",
    "forecast_p90",
    "forecast_origin",
    "forecast_error_pct",
    "status",
    "note",
    "clause",
]


def final_targets(plan: Plan, unit_ids: list[str]) -> pd.DataFrame:
    """The plan's last target per indicator, unit and base (annual path targets left to the tracker)."""
    rows = plan.expanded(unit_ids).assign(_base=lambda d: d["base"].fillna(""))
    last = rows.groupby(["indicator_id", "unit_id", "_base"])["year"].transform("max")
    return rows[rows["year"] == last].drop(columns="_base").reset_index(drop=True)


def _met(value: float, target: float, comparator: str) -> bool:
    if comparator == "=":
        return bool(abs(value - target) <= EQUAL_TOLERANCE * max(abs(target), 1e-9))
    return bool(meets([value], target, comparator)[0])


def ledger_status(
    target: float, comparator: str, kind: str, target_year: int, outturns: pd.DataFrame
) -> tuple[str, pd.Series | None, str]:
    """(status, the outturn row used, note) for one target (see the module docstring).

    ``outturns`` holds the comparable published values of this indicator and unit (columns
    ``year, ref_date, value, comparable_to_target``), any order.
    """
    usable = outturns[outturns["comparable_to_target"].isin(["yes", "partial"])]
    if not len(usable):
        return NOT_PUBLISHED, None, ""
    usable = usable.sort_values(["year", "ref_date"], kind="stable")
    in_year = usable[usable["year"] >= target_year]
    note = ""
    if len(in_year):
        exact = in_year[in_year["year"] == target_year]
        row = exact.iloc[-1] if len(exact) else in_year.iloc[0]  # the target year's latest, else the next year's
        if row["comparable_to_target"] == "partial":
            note = "口径部分可比 partly comparable"
        return (ACHIEVED if _met(row["value"], target, comparator) else NOT_ACHIEVED), row, note
    row = usable.iloc[-1]
    if row["comparable_to_target"] == "partial":
        note = "口径部分可比 partly comparable"
    early = comparator == ">=" and kind in ("count", "share") and _met(row["value"], target, comparator)
    if early:
        return (
            ACHIEVED,
            row,
            (note + "；" if note else "") + f"已于{int(row['year'])}年达到 met already in {int(row['year'])}",
        )
    return IN_PROGRESS, row, (note + "；" if note else "") + f"目标年数值未公布，最新为{int(row['year'])}年"


def _forecast(forecast: pd.DataFrame | None, indicator: str, unit_id: str, year: int, base: str) -> tuple:
    if forecast is None or indicator in SET_FROM_PLAN:
        return np.nan, np.nan, np.nan
    sel = forecast[(forecast["indicator"] == indicator) & (forecast["unit_id"] == unit_id) & (forecast["year"] == year)]
    if base and "base" in sel:
        sel = sel[sel["base"] == base]
    if not len(sel):
        return np.nan, np.nan, np.nan
    row = sel.iloc[0]
    return float(row["p50"]), float(row["p10"]), float(row["p90"])


def plan_ledger(
    plan: Plan,
    outturns: pd.DataFrame,
    forecast: pd.DataFrame | None = None,
    forecast_origin: int | None = None,
    unit_ids: list[str] | None = None,
) -> pd.DataFrame:
    """The close-out ledger of ``plan`` (columns :data:`LEDGER_COLUMNS`).

    Parameters
    ----------
    outturns
        Published values (``analysis.data.loaders.load_outturns()``): ``indicator_id, unit`` (the
        unit's Chinese name), ``year, ref_date, value, comparable_to_target, source_title,
        source_url, trust``.
    forecast
        Tidy projected indicators with a ``base`` column (``unit_id, year, indicator, base, p10,
        p50, p90``), from a projection whose origin is ``forecast_origin`` — only targets after
        that origin get a forecast (an observation never evaluates a forecast it was used for).
    """
    units = {u.id: u.name_zh for u in geography.all_units()}
    unit_ids = unit_ids or geography.county_ids() + [geography.CITY_ID]
    rows = []
    for _, t in final_targets(plan, unit_ids).iterrows():
        spec = catalogue.indicator(t["indicator_id"])
        name = units.get(t["unit_id"], t["unit_id"])
        mine = outturns[(outturns["indicator_id"] == t["indicator_id"]) & (outturns["unit"] == name)]
        status, used, note = ledger_status(float(t["target"]), t["comparator"], spec.kind, int(t["year"]), mine)
        base = t["base"] if isinstance(t["base"], str) else ""
        after_origin = forecast_origin is not None and int(t["year"]) > forecast_origin
        f50, f10, f90 = (
            _forecast(forecast, t["indicator_id"], t["unit_id"], int(t["year"]), base)
            if after_origin
            else (np.nan,) * 3
        )
        if t["indicator_id"] in SET_FROM_PLAN:
            note = (note + "；" if note else "") + SET_FROM_PLAN[t["indicator_id"]]
        outturn = float(used["value"]) if used is not None else np.nan
        comparable = used is not None and int(used["year"]) == int(t["year"])
        error = 100.0 * (f50 - outturn) / outturn if comparable and np.isfinite(f50) and outturn else np.nan
        rows.append(
            {
                "plan": plan.id,
                "plan_status": plan.status,
                "indicator": t["indicator_id"],
                "indicator_zh": spec.name_zh,
                "unit_id": t["unit_id"],
                "unit_name": name,
                "base": base,
                "target_year": int(t["year"]),
                "target": float(t["target"]),
                "comparator": t["comparator"],
                "binding": t["binding"],
                "base_year": t["base_year"],
                "base_value": t["base_value"],
                "outturn": outturn,
                "outturn_date": used["ref_date"].date().isoformat() if used is not None else "",
                "outturn_source": f"{used['source_title']} {used['source_url']}" if used is not None else "",
                "outturn_trust": used["trust"] if used is not None else "",
                "forecast": f50,
                "forecast_p10": f10,
                "forecast_p90": f90,
                "forecast_origin": forecast_origin if np.isfinite(f50) else np.nan,
                "forecast_error_pct": error,
                "status": status,
                "note": note,
                "clause": t["clause"],
            }
        )
    out = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    order = {u: i for i, u in enumerate([geography.CITY_ID] + geography.county_ids())}
    return out.sort_values(
        ["unit_id", "indicator"], key=lambda s: s.map(order) if s.name == "unit_id" else s, kind="stable"
    ).reset_index(drop=True)

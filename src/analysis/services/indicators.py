"""Plan-indicator tracker: 专栏1 and 专栏2 as tidy data; projected value vs annual target.

The plan's tables (泉州市“十四五”民政事业发展专项规划) come from the loaders: 专栏1 (13th-plan
results, ``plan_zl1_13th_fyp_results.csv``) and 专栏2 (14th-plan annual targets 2021–2025,
``plan_zl2_14th_fyp_targets.csv``); a few more targets from the plan text are in
``plan_targets.csv`` (e.g. 每万人拥有持证社工10人 by 2025, line 409).

:func:`track` takes a tidy frame of projected values (``unit_id, year, indicator, p10, p50, p90,
measure`` — the output of the services and :func:`analysis.pipeline.population_frame`) and a mapping from plan
indicator ids to how each is computed (:class:`Tracked`), and returns one row per unit, plan
indicator and year with the target, the projected value and a status. The plan's targets are
city-wide; applying them to every unit assumes each unit is expected to meet the city target.

Status (targets are floors — "higher is better" — unless ``direction='lower'``), with
``t`` the target:

- 达标 on track: p50 ≥ t × (1 − ON_TRACK_TOLERANCE) and (p10 missing or p10 ≥ t × (1 − AT_RISK_SHORTFALL));
- 未达标 off track: p50 < t × (1 − AT_RISK_SHORTFALL) and (p90 missing or p90 < t);
- 有风险 at risk: everything in between (the median falls short by at most 5 %, or the target
  lies inside the 10–90 % band);
- 无预测 not computed: no model computes the indicator (missing, never zero); 无目标 no target:
  the plan gives no number for that year (e.g. ——).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import loaders
from ..errors import AnalysisError
from ..tidy import COLUMNS

ON_TRACK_TOLERANCE = 0.01
AT_RISK_SHORTFALL = 0.05

ON_TRACK, AT_RISK, OFF_TRACK, NOT_COMPUTED, NO_TARGET = "on track", "at risk", "off track", "not computed", "no target"
STATUS_ZH = {ON_TRACK: "达标", AT_RISK: "有风险", OFF_TRACK: "未达标", NOT_COMPUTED: "无预测", NO_TARGET: "无目标"}
STATUS_COLOURS = {ON_TRACK: "#3b8f5a", AT_RISK: "#d9a21b", OFF_TRACK: "#b23a48", NOT_COMPUTED: "#9aa0a6",
                  NO_TARGET: "#d0d4d8"}


@dataclass(frozen=True)
class Tracked:
    """How a plan indicator is computed from projected indicators.

    ``ways``: alternatives tried in order; each is ``(scale, numerators, denominator)`` meaning
    value = scale × Π numerators ÷ denominator (denominator ``None`` = 1). The first whose inputs
    are all in the projected frame is used. ``table``: ``'zl2'`` or ``'plan_targets'``.
    """

    target_id: str
    table: str
    ways: tuple[tuple[float, tuple[str, ...], str | None], ...]
    direction: str = "higher"
    note: str = ""
    label_zh: str = ""


DEFAULT_TRACKED: dict[str, Tracked] = {t.target_id: t for t in [
    Tracked("dibao_to_min_wage_ratio", "zl2", ((1.0, ("dibao_to_min_wage_ratio",), None),),
            note="the link model sets the standard from the plan's ratio, so this shows the target applied"),
    Tracked("nursing_bed_share", "zl2", ((1.0, ("nursing_bed_share",), None),
                                         (100.0, ("nursing_bed_stock",), "bed_stock"))),
    Tracked("nursing_beds_per_1000_elderly", "zl2", (
        (1.0, ("nursing_beds_per_1000_elderly",), None),
        (1000.0, ("nursing_bed_stock",), "pop_60plus"),
        (10.0, ("nursing_bed_share_target", "bed_stock"), "pop_60plus")),
        note="fallback: estimated bed stock × nursing-share target per 1,000 persons 60+ (an estimate)"),
    Tracked("social_work_talent_per_mille", "zl2", ((1.0, ("social_work_talent_per_mille",), None),
                                                    (1000.0, ("social_work_talent",), "pop_total"))),
    Tracked("certified_social_workers_per_10k", "plan_targets", (
        (1.0, ("certified_social_workers_per_10k",), None),
        (1e4, ("certified_social_workers",), "pop_total"),
        (1e4, ("certified_social_workers_path",), "pop_total")),
        label_zh="每万人拥有持证社工", note="plan text line 409 (not in 专栏2)"),
    Tracked("beds_per_1000_elderly", "plan_targets", ((1.0, ("beds_per_1000_elderly",), None),
                                                      (1000.0, ("bed_stock",), "pop_60plus")),
            label_zh="每千名老年人拥有养老床位数", note="2020 value of 专栏1; no later target"),
]}


# --- the plan tables ----------------------------------------------------------------------------

def zl2_table() -> pd.DataFrame:
    """专栏2 as tidy data: ``seq, indicator_id, indicator_zh, measure, year, target, value_text, attribute``."""
    frame = loaders.load_plan_zl2()
    return frame.rename(columns={"value": "target"})[
        ["seq", "indicator_id", "indicator_zh", "measure", "year", "target", "value_text", "attribute"]
    ].sort_values(["seq", "year"]).reset_index(drop=True)


def zl1_table() -> pd.DataFrame:
    """专栏1 as tidy data: ``seq, indicator_id, indicator_zh, measure, column, year, value, value_text``."""
    frame = loaders.load_plan_zl1()
    return frame[["seq", "indicator_id", "indicator_zh", "measure", "column", "year", "value", "value_text"]
                 ].sort_values(["seq", "year", "column"]).reset_index(drop=True)


def targets(tracked: dict[str, Tracked] | None = None) -> pd.DataFrame:
    """Every target the tracker compares against: all of 专栏2 plus the extra tracked targets.

    Columns ``indicator_id, indicator_zh, measure, year, target, value_text, attribute, source``.
    """
    tracked = DEFAULT_TRACKED if tracked is None else tracked
    zl2 = zl2_table().assign(source="专栏2")
    rows = [zl2.drop(columns="seq")]
    extra = [t for t in tracked.values() if t.table == "plan_targets"]
    if extra:
        pt = loaders.load_plan_targets()
        for t in extra:
            sel = pt[pt["target_id"] == t.target_id]
            if not len(sel):
                raise AnalysisError(f"plan_targets.csv has no target {t.target_id!r}")
            rows.append(pd.DataFrame({
                "indicator_id": t.target_id, "indicator_zh": t.label_zh or sel["description_zh"].iloc[0],
                "measure": sel["measure"].to_numpy(), "year": sel["year"].to_numpy(), "target": sel["value"].to_numpy(),
                "value_text": sel["bound"].to_numpy(), "attribute": "",
                "source": ("plan text, " + sel["plan_location"].astype(str)).to_numpy()}))
    unknown_zl2 = [t.target_id for t in tracked.values() if t.table == "zl2"
                   and t.target_id not in set(zl2["indicator_id"])]
    if unknown_zl2:
        raise AnalysisError(f"tracked indicators not in 专栏2: {unknown_zl2}")
    return pd.concat(rows, ignore_index=True)


# --- projections ---------------------------------------------------------------------------------

def _compute(projected: pd.DataFrame, spec: Tracked) -> tuple[pd.DataFrame | None, str]:
    names = set(projected["indicator"])
    for scale, numerators, denominator in spec.ways:
        needed = list(numerators) + ([denominator] if denominator else [])
        if not all(n in names for n in needed):
            continue
        key = ["unit_id", "year"]
        parts = [projected[projected["indicator"] == n].set_index(key)[["p10", "p50", "p90"]] for n in needed]
        index = parts[0].index
        for p in parts[1:]:
            index = index.intersection(p.index)
        out = pd.DataFrame(index=index)
        for q in ("p10", "p50", "p90"):
            # the band comes from the numerators' bands (a numerator without one enters at its
            # median); the denominator enters at its median — an approximation, documented
            value = scale * np.ones(len(index))
            has_band = np.zeros(len(index), dtype=bool)
            for i, _ in enumerate(numerators):
                band = parts[i].loc[index, q].to_numpy(dtype=float)
                has_band |= np.isfinite(band)
                value = value * np.where(np.isfinite(band), band, parts[i].loc[index, "p50"].to_numpy(dtype=float))
            if denominator:
                value = value / parts[-1].loc[index, "p50"].to_numpy(dtype=float)
            out[q] = value if q == "p50" else np.where(has_band, value, np.nan)
        how = (f"{scale:g} × " if scale != 1 else "") + " × ".join(numerators) + (f" ÷ {denominator}" if denominator else "")
        return out.reset_index(), how
    return None, ""


def status(target, p10, p50, p90, direction: str = "higher") -> np.ndarray:
    """Status of each projected value against its target (see module docstring), vectorized."""
    t = np.asarray(target, dtype=float)
    lo, mid, hi = (np.asarray(x, dtype=float) for x in (p10, p50, p90))
    if direction == "lower":  # mirror: a ceiling becomes a floor on the negated values
        t, lo, mid, hi = -t, -hi, -mid, -lo
    elif direction != "higher":
        raise AnalysisError(f"direction must be 'higher' or 'lower', not {direction!r}")
    scale = np.abs(t)
    on = (mid >= t - ON_TRACK_TOLERANCE * scale) & (np.isnan(lo) | (lo >= t - AT_RISK_SHORTFALL * scale))
    off = (mid < t - AT_RISK_SHORTFALL * scale) & (np.isnan(hi) | (hi < t))
    out = np.where(on, ON_TRACK, np.where(off, OFF_TRACK, AT_RISK)).astype(object)
    out[np.isnan(mid)] = NOT_COMPUTED
    out[np.isnan(t)] = NO_TARGET
    return out


def track(projected: pd.DataFrame, tracked: dict[str, Tracked] | None = None,
          units: list[str] | None = None) -> pd.DataFrame:
    """Projected value vs the plan's target, per unit, indicator and year.

    Parameters
    ----------
    projected
        Tidy frame (``analysis.tidy.COLUMNS``) of projected indicators, e.g. the concatenation
        of :func:`analysis.services.assistance.dibao_path`, the beds and workforce frames and
        :func:`analysis.pipeline.population_frame`.
    tracked
        Plan indicator id → :class:`Tracked`; default :data:`DEFAULT_TRACKED`.
    units
        Unit ids to report; default every unit in ``projected``.

    Returns
    -------
    DataFrame with ``unit_id, indicator_id, indicator_zh, measure, year, target, value_text,
    attribute, source, p10, p50, p90, gap (p50 − target), rel_gap_pct, status, status_zh,
    computed_from``. Every 专栏2 row appears for every unit; indicators no model computes have
    status 无预测 and missing values.
    """
    missing_cols = [c for c in COLUMNS if c not in projected.columns]
    if missing_cols:
        raise AnalysisError(f"projected frame lacks columns {missing_cols}; expected {COLUMNS}")
    tracked = DEFAULT_TRACKED if tracked is None else tracked
    tgt = targets(tracked)
    units = units or list(dict.fromkeys(projected["unit_id"]))
    computed = []
    for ind_id in tgt["indicator_id"].unique():
        spec = tracked.get(ind_id)
        values, how = _compute(projected, spec) if spec else (None, "")
        if values is None:
            continue
        computed.append(values.assign(indicator_id=ind_id, computed_from=how + (f" ({spec.note})" if spec.note else "")))
    grid = pd.MultiIndex.from_product([units, tgt.index], names=["unit_id", "_row"]).to_frame(index=False)
    out = grid.merge(tgt, left_on="_row", right_index=True).drop(columns="_row")
    if computed:
        comp = pd.concat(computed, ignore_index=True)
        out = out.merge(comp, on=["unit_id", "indicator_id", "year"], how="left")
    else:
        out = out.assign(p10=np.nan, p50=np.nan, p90=np.nan, computed_from="")
    out["computed_from"] = out["computed_from"].fillna("")
    directions = out["indicator_id"].map(lambda i: tracked[i].direction if i in tracked else "higher")
    out["status"] = NOT_COMPUTED
    for direction in directions.unique():
        sel = directions == direction
        out.loc[sel, "status"] = status(out.loc[sel, "target"], out.loc[sel, "p10"], out.loc[sel, "p50"],
                                        out.loc[sel, "p90"], direction)
    out["gap"] = out["p50"] - out["target"]
    out["rel_gap_pct"] = 100 * out["gap"] / out["target"]
    out["status_zh"] = out["status"].map(STATUS_ZH)
    cols = ["unit_id", "indicator_id", "indicator_zh", "measure", "year", "target", "value_text", "attribute",
            "source", "p10", "p50", "p90", "gap", "rel_gap_pct", "status", "status_zh", "computed_from"]
    return out[cols].sort_values(["unit_id", "indicator_id", "year"], kind="stable").reset_index(drop=True)


def computed_indicators(tracker: pd.DataFrame) -> list[str]:
    """Plan indicator ids the tracker has a projection for."""
    return list(dict.fromkeys(tracker.loc[tracker["p50"].notna(), "indicator_id"]))


def tracker_table(tracker: pd.DataFrame, unit_id: str, computed_only: bool = True) -> pd.DataFrame:
    """One unit's tracker for display: indicator, year, target, p50 (p10–p90), status (Chinese)."""
    rows = tracker[tracker["unit_id"] == unit_id]
    if computed_only:
        rows = rows[rows["indicator_id"].isin(computed_indicators(tracker))]
    table = rows[["indicator_zh", "measure", "year", "target", "p10", "p50", "p90", "gap", "status_zh"]].copy()
    table.columns = ["指标 indicator", "单位 measure", "年份 year", "目标 target", "p10", "预测 p50", "p90",
                     "差距 gap", "状态 status"]
    return table.reset_index(drop=True)


def style_tracker(table: pd.DataFrame):
    """A pandas Styler colouring the status column (达标 green, 有风险 amber, 未达标 red)."""
    colours = {STATUS_ZH[k]: v for k, v in STATUS_COLOURS.items()}

    def colour(value):
        c = colours.get(value)
        return f"background-color: {c}; color: white" if c else ""

    return (table.style.map(colour, subset=["状态 status"])
            .format({c: "{:,.2f}" for c in ["目标 target", "p10", "预测 p50", "p90", "差距 gap"]}, na_rep="—"))



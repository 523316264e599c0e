"""Plan-indicator tracker: 专栏1 and 专栏2 as tidy data; projected value vs annual target.

The plan's tables (泉州市“十四五”民政事业发展专项规划) come from the loaders: 专栏1 (13th-plan
results, ``plan_zl1_13th_fyp_results.csv``) and 专栏2 (14th-plan annual targets 2021–2025,
``plan_zl2_14th_fyp_targets.csv``); a few more figures from the plan text are in
``plan_targets.csv`` (e.g. 每万人拥有持证社工10人 by 2025, line 409).

:func:`track` takes a tidy frame of projected values (``unit_id, year, indicator, p10, p50, p90,
measure`` — the output of :func:`analysis.pipeline.run_models`) and a mapping from plan indicator
ids to how each is computed (:class:`Tracked`), and returns one row per unit, plan indicator and
year with the plan's figure, the projected value and a status. The plan's targets are city-wide;
applying them to every unit assumes each unit is expected to meet the city target.

Each row has a ``role``:

- ``target`` (目标): a 2021–2025 figure of the plan, scored against an independent projection;
- ``target applied`` (目标代入): the projection is built from the plan's own figure (the 低保
  standard is set as the plan's ratio × the minimum wage), so it is **not scored**: its status is
  按规划设定 set from the plan, shown without a colour (issue 28: the tracker coloured the ratio
  green, 达标, by construction — a status colour only where an independent forecast is judged);
- ``base-year reference`` (基期参考): the plan's 2020 figure (专栏2's 2020 column, 专栏1's
  2020 完成情况, plan-text status figures). It describes where the plan starts, it is not a
  target: shown next to the projection, never scored.

Status (targets are floors — "higher is better" — unless ``direction='lower'``), with
``t`` the target:

- 达标 on track: p50 ≥ t × (1 − ON_TRACK_TOLERANCE) and (p10 missing or p10 ≥ t × (1 − AT_RISK_SHORTFALL));
- 未达标 off track: p50 < t × (1 − AT_RISK_SHORTFALL) and (p90 missing or p90 < t);
- 有风险 at risk: everything in between (the median falls short by at most 5 %, or the target
  lies inside the 10–90 % band);
- 无预测 not computed: no model computes the indicator (missing, never zero; the ``note`` column
  says why); 无目标 no target: the plan gives no number for that year (e.g. ——);
- 基期参考 reference: a base-year figure (see ``role``), not scored;
- 按规划设定 set from plan: a figure the model sets from the plan (role ``target applied``), not
  scored and never coloured.

Only indicators a model actually projects are computed. In particular there is no sourced stock of
institutional (养老机构) or nursing-type beds, no projection of the social-work talent stock and
none of the certified social-worker stock: the model outputs named ``*_target``, ``*_required``
and ``*_path`` are the plan's figures applied to the population, and a route through them would
compare a target with itself (:class:`Tracked` refuses such a route unless it is declared
``target_applied``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import loaders
from ..errors import AnalysisError
from ..notes import Note, note
from ..tidy import COLUMNS

ON_TRACK_TOLERANCE = 0.01
AT_RISK_SHORTFALL = 0.05

# The 14th plan runs 2021–2025; its 2020 figures (专栏2's 2020 column, 专栏1's 完成情况) are status.
PLAN_BASE_YEAR = 2020

ON_TRACK, AT_RISK, OFF_TRACK, NOT_COMPUTED, NO_TARGET = "on track", "at risk", "off track", "not computed", "no target"
REFERENCE = "reference"
SET_FROM_PLAN = "set from plan"  # no colour: present.tracker_table.STATUS_COLOURS leaves it out on purpose
STATUS_ZH = {
    ON_TRACK: "达标",
    AT_RISK: "有风险",
    OFF_TRACK: "未达标",
    NOT_COMPUTED: "无预测",
    NO_TARGET: "无目标",
    REFERENCE: "基期参考",
    SET_FROM_PLAN: "按规划设定",
}
SCORED = (ON_TRACK, AT_RISK, OFF_TRACK)

TARGET, TARGET_APPLIED, BASE_REFERENCE = "target", "target applied", "base-year reference"

# Model outputs that are the plan's own figures applied (beds.py, workforce.py): not projections.
TARGET_DERIVED_SUFFIXES = ("_target", "_required", "_path")

# The tracker's notes are records (catalogue/notes.yaml): ``dev`` fills the tracker's ``note`` column
# (developers, English), ``zh · en`` page 05's table (:func:`analysis.present.indicator_notes.tracker_notes`).
NO_MODEL = note("tracker_no_model")
NO_MODEL_NOTE = NO_MODEL.text
COMPUTED = note("tracker_computed")  # a computed indicator whose Tracked gives no note of its own
NOT_COMPUTED_HOW = note("tracker_not_computed")  # the 计算方式 of an indicator without a projection


def is_target_derived(indicator: str) -> bool:
    """Whether a model output is a plan figure applied (``*_target``, ``*_required``, ``*_path``)."""
    return indicator.endswith(TARGET_DERIVED_SUFFIXES)


@dataclass(frozen=True)
class Tracked:
    """How a plan indicator is computed from projected indicators.

    ``ways``: alternatives tried in order; each is ``(scale, numerators, denominator)`` meaning
    value = scale × Π numerators ÷ denominator (denominator ``None`` = 1). The first whose inputs
    are all in the projected frame is used; no way (``()``) = not computed, ``note`` says why.
    ``table``: ``'zl2'`` or ``'plan_targets'``. ``target_applied``: the input is the plan's figure
    applied by a model, so a status is shown but is not evidence (role ``target applied``); a way
    through a target-derived output (:func:`is_target_derived`) or through the indicator's own
    target id is refused otherwise. ``note``: a note record (``catalogue/notes.yaml``) saying how
    the indicator is computed or why not; its developer sentence fills the tracker's ``note``
    column, its Chinese reader text page 05's table (:func:`analysis.present.indicator_notes.tracker_notes`).
    """

    target_id: str
    table: str
    ways: tuple[tuple[float, tuple[str, ...], str | None], ...]
    direction: str = "higher"
    note: Note | None = None
    label_zh: str = ""
    target_applied: bool = False

    def __post_init__(self):
        if self.table not in ("zl2", "plan_targets"):
            raise AnalysisError(
                f"Tracked {self.target_id!r}: table must be 'zl2' or 'plan_targets', not {self.table!r}"
            )
        if self.direction not in ("higher", "lower"):
            raise AnalysisError(
                f"Tracked {self.target_id!r}: direction must be 'higher' or 'lower', not {self.direction!r}"
            )
        if not self.target_applied:
            for _, numerators, denominator in self.ways:
                inputs = list(numerators) + ([denominator] if denominator else [])
                own = [n for n in inputs if is_target_derived(n) or n == self.target_id]
                if own:
                    raise AnalysisError(
                        f"Tracked {self.target_id!r}: inputs {own} are the plan's figures applied, so the "
                        "status would compare the target with itself; declare target_applied=True or drop the way"
                    )

    def inputs(self) -> set[str]:
        """Every projected indicator any way reads."""
        return {n for _, nums, den in self.ways for n in (*nums, *([den] if den else []))}


DEFAULT_TRACKED: dict[str, Tracked] = {
    t.target_id: t
    for t in [
        Tracked(
            "dibao_to_min_wage_ratio",
            "zl2",
            ((1.0, ("dibao_to_min_wage_ratio",), None),),
            target_applied=True,
            note=note("tracker_dibao_ratio_applied"),
        ),
        Tracked("nursing_bed_share", "zl2", (), note=note("tracker_nursing_share_not_computed")),
        Tracked("nursing_beds_per_1000_elderly", "zl2", (), note=note("tracker_nursing_beds_not_computed")),
        Tracked("social_work_talent_per_mille", "zl2", (), note=note("tracker_talent_not_computed")),
        Tracked(
            "certified_social_workers_per_10k",
            "plan_targets",
            (),
            label_zh="每万人拥有持证社工",
            note=note("tracker_certified_not_computed"),
        ),
        Tracked(
            "beds_per_1000_elderly",
            "plan_targets",
            ((1000.0, ("bed_stock",), "pop_60plus"),),
            label_zh="每千名老年人拥有养老床位数",
            note=note("tracker_beds_base_reference"),
        ),
    ]
}


# --- the plan tables ----------------------------------------------------------------------------


def zl2_table() -> pd.DataFrame:
    """专栏2 as tidy data: ``seq, indicator_id, indicator_zh, measure, year, target, value_text, attribute``."""
    frame = loaders.load_plan_zl2()
    return (
        frame.rename(columns={"value": "target"})[
            ["seq", "indicator_id", "indicator_zh", "measure", "year", "target", "value_text", "attribute"]
        ]
        .sort_values(["seq", "year"])
        .reset_index(drop=True)
    )


def zl1_table() -> pd.DataFrame:
    """专栏1 as tidy data: ``seq, indicator_id, indicator_zh, measure, column, year, value, value_text``."""
    frame = loaders.load_plan_zl1()
    return (
        frame[["seq", "indicator_id", "indicator_zh", "measure", "column", "year", "value", "value_text"]]
        .sort_values(["seq", "year", "column"])
        .reset_index(drop=True)
    )


def targets(tracked: dict[str, Tracked] | None = None) -> pd.DataFrame:
    """Every figure the tracker compares against: all of 专栏2 plus the extra tracked plan figures.

    Columns ``indicator_id, indicator_zh, measure, year, target, value_text, attribute, source, role``;
    ``role`` is ``base-year reference`` for years up to :data:`PLAN_BASE_YEAR` (status figures, not
    targets) and ``target`` after.
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
            rows.append(
                pd.DataFrame(
                    {
                        "indicator_id": t.target_id,
                        "indicator_zh": t.label_zh or sel["description_zh"].iloc[0],
                        "measure": sel["measure"].to_numpy(),
                        "year": sel["year"].to_numpy(),
                        "target": sel["value"].to_numpy(),
                        "value_text": sel["bound"].to_numpy(),
                        "attribute": "",
                        "source": ("plan text, " + sel["plan_location"].astype(str)).to_numpy(),
                    }
                )
            )
    unknown_zl2 = [
        t.target_id for t in tracked.values() if t.table == "zl2" and t.target_id not in set(zl2["indicator_id"])
    ]
    if unknown_zl2:
        raise AnalysisError(f"tracked indicators not in 专栏2: {unknown_zl2}")
    out = pd.concat(rows, ignore_index=True)
    out["role"] = np.where(out["year"] <= PLAN_BASE_YEAR, BASE_REFERENCE, TARGET)
    return out


# --- projections ---------------------------------------------------------------------------------


def _spread(p10: np.ndarray, p90: np.ndarray) -> np.ndarray:
    """True where a quantity has a band of non-zero width (NaN band = no uncertainty, see tidy)."""
    return np.isfinite(p10) & np.isfinite(p90) & (p10 != p90)


def ratio_band(
    scale: float,
    numerators: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    denominator: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p10, p50, p90 of scale × Π numerators ÷ denominator from the inputs' p10, p50, p90.

    Inputs are ``(p10, p50, p90)`` arrays (NaN p10/p90 = no uncertainty). Row by row:

    - no input has a band: p10 and p90 are NaN, p50 = scale × Π p50 ÷ denominator p50;
    - the numerators have no spread (p10 = p90 or no band) and the denominator has one: the ratio
      is a monotone (decreasing for a positive denominator) function of the denominator alone, so
      its percentiles are the numerator ÷ the denominator's opposite percentiles — p10 from the
      denominator's p90, p90 from its p10 — exact (up to numpy's linear interpolation between
      draws, which is not preserved by 1/x);
    - the numerators have a band and the denominator none: each numerator enters at the same
      percentile and the denominator at its median — exact for one numerator (a linear map);
      for several numerators the product of percentiles is an approximation;
    - both vary: the same (numerator percentiles ÷ denominator median) — an **approximation**
      that ignores the denominator's own spread and the correlation between the two (both come
      from the same population draws); the band is then too narrow if they move in opposite
      directions and too wide if they move together.

    The result is ordered so that p10 ≤ p50 ≤ p90 whatever the sign of ``scale``.
    """
    p50 = np.full_like(np.asarray(numerators[0][1], dtype=float), float(scale))
    lo, hi = p50.copy(), p50.copy()
    num_spread = np.zeros(p50.shape, dtype=bool)
    any_band = np.zeros(p50.shape, dtype=bool)
    for n10, n50, n90 in numerators:
        n10, n50, n90 = (np.asarray(x, dtype=float) for x in (n10, n50, n90))
        num_spread |= _spread(n10, n90)
        any_band |= np.isfinite(n10) & np.isfinite(n90)
        p50 = p50 * n50
        lo = lo * np.where(np.isfinite(n10), n10, n50)
        hi = hi * np.where(np.isfinite(n90), n90, n50)
    if denominator is not None:
        d10, d50, d90 = (np.asarray(x, dtype=float) for x in denominator)
        den_spread = _spread(d10, d90)
        any_band |= np.isfinite(d10) & np.isfinite(d90)
        exact = den_spread & ~num_spread
        lo = np.where(exact, p50 / np.where(exact, d90, 1.0), lo / d50)
        hi = np.where(exact, p50 / np.where(exact, d10, 1.0), hi / d50)
        p50 = p50 / d50
    p10, p90 = np.minimum(lo, hi), np.maximum(lo, hi)
    return np.where(any_band, p10, np.nan), p50, np.where(any_band, p90, np.nan)


def way_text(scale: float, numerators, denominator: str | None, name=str) -> str:
    """A way written out, ``scale × numerators ÷ denominator``, each id printed by ``name``: the
    ids themselves (the tracker's ``computed_from``) or their catalogue names (page 05)."""
    return (
        (f"{scale:g} × " if scale != 1 else "")
        + " × ".join(name(n) for n in numerators)
        + (f" ÷ {name(denominator)}" if denominator else "")
    )


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
        bands = [tuple(p.loc[index, q].to_numpy(dtype=float) for q in ("p10", "p50", "p90")) for p in parts]
        p10, p50, p90 = ratio_band(scale, bands[: len(numerators)], bands[-1] if denominator else None)
        out = pd.DataFrame({"p10": p10, "p50": p50, "p90": p90}, index=index)
        return out.reset_index(), way_text(scale, numerators, denominator)
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


def track(
    projected: pd.DataFrame, tracked: dict[str, Tracked] | None = None, units: list[str] | None = None
) -> pd.DataFrame:
    """Projected value vs the plan's figure, per unit, indicator and year.

    Parameters
    ----------
    projected
        Tidy frame (``analysis.tidy.COLUMNS``) of projected indicators, e.g.
        ``analysis.pipeline.run_models(...).projected``.
    tracked
        Plan indicator id → :class:`Tracked`; default :data:`DEFAULT_TRACKED`.
    units
        Unit ids to report; default every unit in ``projected``.

    Returns
    -------
    DataFrame with ``unit_id, indicator_id, indicator_zh, measure, year, target, value_text,
    attribute, source, role, p10, p50, p90, gap (p50 − target), rel_gap_pct, status, status_zh,
    computed_from, note``. Every 专栏2 row appears for every unit; indicators no model computes have
    status 无预测, missing values and a ``note`` saying why; base-year rows (``role`` base-year
    reference) have status 基期参考 and are not scored; ``target`` holds the plan's figure (for a
    base-year row, the 2020 status figure).
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
        if values is not None:
            computed.append(values.assign(indicator_id=ind_id, computed_from=how))
    grid = pd.MultiIndex.from_product([units, tgt.index], names=["unit_id", "_row"]).to_frame(index=False)
    out = grid.merge(tgt, left_on="_row", right_index=True).drop(columns="_row")
    if computed:
        comp = pd.concat(computed, ignore_index=True)
        out = out.merge(comp, on=["unit_id", "indicator_id", "year"], how="left")
    else:
        out = out.assign(p10=np.nan, p50=np.nan, p90=np.nan, computed_from="")
    out["computed_from"] = out["computed_from"].fillna("")
    out["note"] = out["indicator_id"].map(
        lambda i: (tracked[i].note.text if tracked[i].note else "") if i in tracked else NO_MODEL_NOTE
    )
    applied = out["indicator_id"].map(lambda i: i in tracked and tracked[i].target_applied).astype(bool)
    out.loc[applied & (out["role"] == TARGET), "role"] = TARGET_APPLIED
    directions = out["indicator_id"].map(lambda i: tracked[i].direction if i in tracked else "higher")
    out["status"] = NOT_COMPUTED
    for direction in directions.unique():
        sel = directions == direction
        out.loc[sel, "status"] = status(
            out.loc[sel, "target"], out.loc[sel, "p10"], out.loc[sel, "p50"], out.loc[sel, "p90"], direction
        )
    out.loc[(out["role"] == BASE_REFERENCE) & out["target"].notna(), "status"] = REFERENCE
    out.loc[(out["role"] == TARGET_APPLIED) & out["p50"].notna(), "status"] = SET_FROM_PLAN
    out["gap"] = out["p50"] - out["target"]
    out["rel_gap_pct"] = 100 * out["gap"] / out["target"]
    out["status_zh"] = out["status"].map(STATUS_ZH)
    cols = [
        "unit_id",
        "indicator_id",
        "indicator_zh",
        "measure",
        "year",
        "target",
        "value_text",
        "attribute",
        "source",
        "role",
        "p10",
        "p50",
        "p90",
        "gap",
        "rel_gap_pct",
        "status",
        "status_zh",
        "computed_from",
        "note",
    ]
    return out[cols].sort_values(["unit_id", "indicator_id", "year"], kind="stable").reset_index(drop=True)


def computed_indicators(tracker: pd.DataFrame) -> list[str]:
    """Plan indicator ids the tracker has a projection for (in any year, scored or reference)."""
    return list(dict.fromkeys(tracker.loc[tracker["p50"].notna(), "indicator_id"]))


def scored_indicators(tracker: pd.DataFrame, evidence_only: bool = False) -> list[str]:
    """Plan indicator ids with at least one scored row (达标/有风险/未达标).

    ``evidence_only`` leaves out role ``target applied`` (a status that only shows the target applied).
    """
    rows = tracker[tracker["status"].isin(SCORED)]
    if evidence_only:
        rows = rows[rows["role"] == TARGET]
    return list(dict.fromkeys(rows["indicator_id"]))

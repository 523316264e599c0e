"""The 要点 box: the answer first, on every report and on the run's index.

One function builds the rows (:func:`key_points`) from the tidy indicator rows of
:func:`analysis.pipeline.run_models` (``p10``/``p50``/``p90``, optional ``target``), one renders
them (:func:`key_points_html`); notebooks call :func:`notebook_box`, the index calls
:func:`key_points_html` on rows stored in ``manifest.json``. Every figure is for the report year
with its p10–p90 band, the plan's target where the plan gives one, the difference and a status
word; figures resting on estimated inputs are marked 估.

Which figures are estimates: every county figure (the county age–sex base population is
estimated) and, for the city too, bed and nursing-bed gaps (the stocks are estimated) and the
social-worker figures allocated from the plan.

Method notes (``result.notes``, note records of :mod:`analysis.notes`) go to an appendix in plain
Chinese, grouped by topic (:func:`notes_appendix`, reader texts by id from :mod:`analysis.present.method_notes`).
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from .. import catalogue
from ..data import plans
from ..data.plans import attach_targets, plan_targets_frame, report_year_of
from ..geography import resolve
from .labels import base_label, comparator_label
from .method_notes import appendix_html
from ..pipeline import model_frame, plan_models
from ..scenarios import load_scenario
from ..services.plan_odds import odds_rows

CITY_ID = "quanzhou"

# (indicator, unit kind, where it is an estimate: 'county' = for the counties (their age-sex base
# is estimated), 'all' = for the city too (estimated stocks or an allocation), 'none' = nowhere
# (低保 standards follow published standards and the wage forecast)). Names come from the catalogue.
_KEY_POINT_ROWS = (
    ("pop_60plus", "wan", "county"),
    ("share_60plus", "pct", "county"),
    ("pop_80plus", "wan", "county"),
    ("beds_required", "beds", "county"),
    ("bed_gap", "beds", "all"),
    ("nursing_beds_required", "beds", "county"),
    ("nursing_bed_gap", "beds", "all"),
    ("certified_social_workers_required", "persons", "all"),
    ("dibao_monthly", "yuan_month", "all"),
)
KEY_POINTS = tuple(
    (name, catalogue.indicator(name).name_zh, catalogue.indicator(name).name_en, kind, where)
    for name, kind, where in _KEY_POINT_ROWS
)
UNIT_ZH = {"wan": "万人", "pct": "%", "beds": "张", "persons": "人", "yuan_month": "元/人·月"}
GAP_INDICATORS = {"bed_gap", "nursing_bed_gap"}


def fmt(value: Any, kind: str) -> str:
    """One number for people: 万 with one decimal, percent with one, whole beds/persons/yuan; '—' if missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or pd.isna(value):
        return "—"
    v = float(value)
    if kind == "wan":
        return catalogue.wan(v)
    if kind == "pct":
        return f"{v + 0.0:.1f}"
    return f"{round(v) + 0:,.0f}"


def status_word(p10, p50, p90, target, indicator: str) -> str:
    """The forecast against a plan figure, in words that fit what the figure is.

    A performance measure (catalogue direction ``higher``/``lower``): 预计达到目标 / 预计未达目标 /
    目标在区间内. A quantity that is not a performance (a population, a need: direction
    ``neither``): 规划预期在区间内 / 高于规划预期 / 低于规划预期 — never "below plan" as if it were a
    failure. 缺口 / 无缺口 for a gap; '' otherwise."""

    def ok(x):
        return x is not None and not pd.isna(x)

    if ok(target):
        lo = p10 if ok(p10) else p50
        hi = p90 if ok(p90) else p50
        if not (ok(lo) and ok(hi)):
            return ""  # a plan figure without a forecast (e.g. a requirement not computed in the base year)
        direction = catalogue.indicator(indicator).direction if catalogue.known(indicator) else "neither"
        if direction == "neither":
            if lo <= target <= hi:
                return "规划预期在区间内 expectation within band"
            return "高于规划预期 above expectation" if lo > target else "低于规划预期 below expectation"
        if lo <= target <= hi:
            return "目标在区间内 target within band"
        good = lo > target if direction == "higher" else hi < target
        return "预计达到目标 expected to meet" if good else "预计未达目标 expected to miss"
    if indicator in GAP_INDICATORS and ok(p50):
        return "缺口 shortfall" if p50 > 0.5 else "无缺口 no shortfall"
    return ""


def key_points(indicators: pd.DataFrame, unit_id: str, base: str, year: int) -> list[dict]:
    """The 要点 rows of ``unit_id`` in ``year`` on ``base`` (plain Python values, JSON-ready).

    ``indicators``: tidy rows with ``unit_id, year, indicator, p10, p50, p90`` (``value`` may
    stand for ``p50``), optionally ``base`` and ``target``. Indicators absent from the frame are
    left out.
    """
    sel = indicators[(indicators["unit_id"] == unit_id) & (indicators["year"] == year)]
    if "base" in sel.columns:
        sel = sel[sel["base"] == base]
    sel = sel.drop_duplicates("indicator").set_index("indicator")

    def get(name, column):
        if column not in sel.columns or name not in sel.index:
            return None
        v = sel.at[name, column]
        return None if pd.isna(v) else float(v)

    rows = []
    for name, zh, en, kind, where in KEY_POINTS:
        if name not in sel.index:
            continue
        p50 = get(name, "p50") if "p50" in sel.columns else get(name, "value")
        p10, p90, target = get(name, "p10"), get(name, "p90"), get(name, "target")
        rows.append(
            {
                "indicator": name,
                "label_zh": zh,
                "label_en": en,
                "kind": kind,
                "unit_zh": UNIT_ZH[kind],
                "p50": p50,
                "p10": p10,
                "p90": p90,
                "target": target,
                "difference": None if target is None or p50 is None else p50 - target,
                "status": status_word(p10, p50, p90, target, name),
                "estimated": where == "all" or (where == "county" and unit_id != CITY_ID),
            }
        )
    return rows


def _band(row) -> str:
    if row["p10"] is None or row["p90"] is None or row["p10"] == row["p90"]:
        return "—"
    return f"{fmt(row['p10'], row['kind'])}–{fmt(row['p90'], row['kind'])}"


def _difference(row) -> str:
    if row["difference"] is None:
        return "—"
    d = row["difference"]
    text = fmt(abs(d), row["kind"])
    return ("+" if d > 0 else "−" if d < 0 and text.strip("0.,") else "") + text


BOX_STYLE = (
    ".keypoints{border:2px solid #2a5db0;background:#f4f8ff;padding:0.5em 0.9em;margin:0.8em 0;"
    "border-radius:4px}.keypoints table{border-collapse:collapse;width:100%}"
    ".keypoints th,.keypoints td{border:1px solid #bcd;padding:0.25em 0.5em;text-align:left}"
    ".keypoints td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".keypoints .est{color:#a60;font-weight:bold}.keypoints .draft{color:#b03;font-weight:bold}"
)


def odds_html(odds: list[dict] | None) -> str:
    """The unit's plan targets with the odds of meeting them (rows of
    :func:`analysis.services.plan_odds.odds_rows`), as an escaped table; a draft is marked 草案."""
    if not odds:
        return ""
    esc = html.escape
    body = []
    for r in odds:
        spec = catalogue.indicator(r["indicator"])
        draft = ' <span class="draft">草案</span>' if r.get("plan_status") == "draft" else ""
        action = "—" if not r.get("action_value") else f"{r['action']} {r['action_value']:,.0f} {r['action_unit']}"
        chance = "—" if r.get("p_meet") is None else f"{100 * r['p_meet']:.0f}%"
        body.append(
            f"<tr><th>{esc(r['indicator_zh'])}{draft}</th>"
            f'<td class="num">{esc(comparator_label(r["comparator"]))} {esc(spec.format_value(r["target"]))}'
            f"（{esc(str(r['year']))}年）</td>"
            f'<td class="num">{esc(spec.format_value(r["value_p50"]))} <span class="est">估</span></td>'
            f'<td class="num"><b>{esc(chance)}</b></td><td>{esc(action)}</td></tr>'
        )
    return (
        '<h3 style="margin:0.6em 0 0.2em">规划目标达成概率 Odds of meeting the plan\'s targets</h3>'
        "<table><tr><th>指标 Indicator</th><th>目标 Target</th><th>预测中位数 Forecast</th>"
        "<th>达成概率 Probability</th><th>80%把握所需行动 Action</th></tr>" + "".join(body) + "</table>"
    )


def key_points_html(
    rows: list[dict], title: str, year: int, base: str, scenario_label: str = "", odds: list[dict] | None = None
) -> str:
    """The 要点 box as escaped HTML (a self-contained ``<div class="keypoints">`` with its style);
    ``odds`` adds the unit's plan targets with the probability of meeting each."""
    esc = html.escape
    base_zh = base_label(base)
    body = []
    for r in rows:
        est = ' <span class="est" title="估计值 estimate">估</span>' if r["estimated"] else ""
        body.append(
            f"<tr><th>{esc(r['label_zh'])}{est}<br><small>{esc(r['label_en'])}</small></th>"
            f"<td>{esc(r['unit_zh'])}</td>"
            f'<td class="num"><b>{esc(fmt(r["p50"], r["kind"]))}</b></td>'
            f'<td class="num">{esc(_band(r))}</td>'
            f'<td class="num">{esc(fmt(r["target"], r["kind"]))}</td>'
            f'<td class="num">{esc(_difference(r))}</td><td>{esc(r["status"]) or "—"}</td></tr>'
        )
    if not body:
        return ""
    scen = f" · {esc(scenario_label)}" if scenario_label else ""
    return (
        f'<style>{BOX_STYLE}</style><div class="keypoints">'
        f'<h2 style="margin:0.2em 0">要点 Key points：{esc(title)}（{esc(str(year))}年，{esc(base_zh)}{scen}）</h2>'
        "<table><tr><th>指标 Indicator</th><th>单位 Unit</th><th>中位数 Median</th>"
        "<th>区间 p10–p90</th><th>规划目标 Plan</th><th>差额 Difference</th><th>状态 Status</th></tr>"
        + "".join(body)
        + "</table>"
        + odds_html(odds)
        + '<p style="margin:0.3em 0"><small><span class="est">估</span> = 依赖估计输入（县级年龄结构、床位与社工存量）'
        "estimate: rests on estimated inputs. 区间为蒙特卡洛10%–90%；差额 = 中位数 − 规划目标。"
        " Band = 10–90 % of draws; difference = median − plan.</small></p></div>"
    )


def with_targets(projected: pd.DataFrame, years, plan: str = "") -> pd.DataFrame:
    """``projected`` (tidy model rows) with the ``target`` column of the tracked plan (``plan``,
    default the city's current one) and the plan it follows."""
    if "target" in projected.columns:
        return projected
    plan_ids = None
    if plan:
        tracked = plans.load_plan(plan)
        plan_ids = [p for p in (plans.previous_plan_id(tracked), tracked.id) if p]
    return attach_targets(projected.assign(base=projected.get("base", None)), plan_targets_frame(years, plan_ids))


def resolve_report_year(plan: str, report_year: int, start_year: int, end_year: int) -> int:
    """The year a notebook leads with: ``report_year`` if set (not 0), else the end year of the
    tracked plan (``plan``, "" = the city's current plan), within the projection's years."""
    return report_year_of(plan or None, start_year, end_year, report_year or None)


def notebook_box(
    unit: str,
    scenario,
    base: str,
    year: int,
    start_year: int,
    end_year: int,
    draws: int,
    seed: int,
    overrides: dict | None = None,
    plan: str = "",
    origin: int = 0,
):
    """The 要点 box for a notebook (an IPython ``HTML`` object); the models come from the run's cache.

    ``origin``: the run's registered jump-off year (``--origin``; 0 = ``start_year``). The plan odds
    are the run's, computed at that origin on both bases as ``tables/plan_odds.csv`` is, so a
    resident-base notebook (which starts at the 2020 census) shows the same odds as the table."""
    from IPython.display import HTML

    the_unit = resolve(unit)
    sc = load_scenario(scenario, overrides or None) if isinstance(scenario, str) else scenario
    year = min(max(year, start_year), end_year)
    projected, _ = model_frame(sc, base=base, start_year=start_year, end_year=end_year, draws=draws, seed=seed)
    frame = with_targets(projected.assign(base=base), range(start_year, end_year + 1), plan)
    rows = key_points(frame, the_unit.id, base, year)
    _, odds, _ = plan_models(sc, plan or None, origin or start_year, end_year, draws, seed)  # once per run (cache)
    mine = [r for r in odds_rows(odds) if r["unit_id"] == the_unit.id and r["year"] == year]
    return HTML(key_points_html(rows, the_unit.name_zh, year, base, scenario_label(sc.name, sc.overrides), mine))


from .labels import scenario_label  # noqa: E402,F401 - defined without pandas for the runs index


def notes_appendix_html(notes, heading_level: int = 2) -> str:
    """The appendix 附录：方法说明 in plain Chinese, grouped by topic, each note once
    (:func:`analysis.present.method_notes.appendix_html`)."""
    return appendix_html(notes, heading_level)


def notes_appendix(notes):
    """The appendix for a notebook (an IPython ``HTML`` object)."""
    from IPython.display import HTML

    return HTML(notes_appendix_html(notes))

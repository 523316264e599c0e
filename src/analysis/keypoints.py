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

Method notes (``result.notes``, English developer wording) go to an appendix in plain Chinese,
grouped by topic (:func:`notes_appendix`, from the catalogue in :mod:`analysis.method_notes`).
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

CITY_ID = "quanzhou"

# (indicator, Chinese label, English label, unit kind, where it is an estimate: 'county' = for the
# counties (their age-sex base is estimated), 'all' = for the city too (estimated stocks or an
# allocation), 'none' = nowhere (低保 standards follow published standards and the wage forecast))
KEY_POINTS = (
    ("pop_60plus", "60岁及以上老年人口", "persons 60+", "wan", "county"),
    ("share_60plus", "60岁及以上占比", "share 60+", "pct", "county"),
    ("beds_required", "养老床位需求（比例法）", "beds required", "beds", "county"),
    ("bed_gap", "床位缺口（需求−存量，正值为缺口）", "bed gap (+ = shortfall)", "beds", "all"),
    ("nursing_beds_required", "护理型床位需求", "nursing beds required", "beds", "county"),
    ("certified_social_workers_required", "持证社工需求", "certified social workers", "persons", "all"),
    ("dibao_monthly", "低保标准", "dibao standard", "yuan_month", "none"),
)
UNIT_ZH = {"wan": "万人", "pct": "%", "beds": "张", "persons": "人", "yuan_month": "元/人·月"}
GAP_INDICATORS = {"bed_gap", "nursing_bed_gap"}


def fmt(value: Any, kind: str) -> str:
    """One number for people: 万 with one decimal, percent with one, whole beds/persons/yuan; '—' if missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or pd.isna(value):
        return "—"
    v = float(value)
    if kind == "wan":
        return f"{v / 1e4 + 0.0:,.1f}"
    if kind == "pct":
        return f"{v + 0.0:.1f}"
    return f"{round(v) + 0:,.0f}"


def status_word(p10, p50, p90, target, indicator: str) -> str:
    """区间内 / 高于规划 / 低于规划 against a target; 缺口 / 富余 for a gap; '' otherwise."""
    def ok(x):
        return x is not None and not pd.isna(x)

    if ok(target):
        lo = p10 if ok(p10) else p50
        hi = p90 if ok(p90) else p50
        if not (ok(lo) and ok(hi)):
            return ""  # a plan figure without a forecast (e.g. a requirement not computed in the base year)
        if lo <= target <= hi:
            return "规划值在区间内 within band"
        return "高于规划 above plan" if lo > target else "低于规划 below plan"
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
        rows.append({
            "indicator": name, "label_zh": zh, "label_en": en, "kind": kind, "unit_zh": UNIT_ZH[kind],
            "p50": p50, "p10": p10, "p90": p90, "target": target,
            "difference": None if target is None or p50 is None else p50 - target,
            "status": status_word(p10, p50, p90, target, name),
            "estimated": where == "all" or (where == "county" and unit_id != CITY_ID),
        })
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


BOX_STYLE = (".keypoints{border:2px solid #2a5db0;background:#f4f8ff;padding:0.5em 0.9em;margin:0.8em 0;"
             "border-radius:4px}.keypoints table{border-collapse:collapse;width:100%}"
             ".keypoints th,.keypoints td{border:1px solid #bcd;padding:0.25em 0.5em;text-align:left}"
             ".keypoints td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
             ".keypoints .est{color:#a60;font-weight:bold}")


def key_points_html(rows: list[dict], title: str, year: int, base: str, scenario_label: str = "") -> str:
    """The 要点 box as escaped HTML (a self-contained ``<div class="keypoints">`` with its style)."""
    esc = html.escape
    base_zh = {"registered": "户籍人口口径", "resident": "常住人口口径"}.get(base, str(base))
    body = []
    for r in rows:
        est = ' <span class="est" title="估计值 estimate">估</span>' if r["estimated"] else ""
        body.append(
            f"<tr><th>{esc(r['label_zh'])}{est}<br><small>{esc(r['label_en'])}</small></th>"
            f"<td>{esc(r['unit_zh'])}</td>"
            f'<td class="num"><b>{esc(fmt(r["p50"], r["kind"]))}</b></td>'
            f'<td class="num">{esc(_band(r))}</td>'
            f'<td class="num">{esc(fmt(r["target"], r["kind"]))}</td>'
            f'<td class="num">{esc(_difference(r))}</td><td>{esc(r["status"]) or "—"}</td></tr>')
    if not body:
        return ""
    scen = f" · {esc(scenario_label)}" if scenario_label else ""
    return (f"<style>{BOX_STYLE}</style><div class=\"keypoints\">"
            f"<h2 style=\"margin:0.2em 0\">要点 Key points：{esc(title)}（{esc(str(year))}年，{esc(base_zh)}{scen}）</h2>"
            "<table><tr><th>指标 Indicator</th><th>单位 Unit</th><th>中位数 Median</th>"
            "<th>区间 p10–p90</th><th>规划目标 Plan</th><th>差额 Difference</th><th>状态 Status</th></tr>"
            + "".join(body) + "</table>"
            "<p style=\"margin:0.3em 0\"><small><span class=\"est\">估</span> = 依赖估计输入（县级年龄结构、床位与社工存量）"
            "estimate: rests on estimated inputs. 区间为蒙特卡洛10%–90%；差额 = 中位数 − 规划目标。"
            " Band = 10–90 % of draws; difference = median − plan.</small></p></div>")


def with_targets(projected: pd.DataFrame, years) -> pd.DataFrame:
    """``projected`` (tidy model rows) with the plan's ``target`` column attached."""
    from .run.tables import attach_targets, plan_targets_frame

    if "target" in projected.columns:
        return projected
    return attach_targets(projected.assign(base=projected.get("base", None)), plan_targets_frame(years))


def notebook_box(unit: str, scenario, base: str, year: int, start_year: int, end_year: int,
                 draws: int, seed: int, overrides: dict | None = None):
    """The 要点 box for a notebook (an IPython ``HTML`` object); the models come from the run's cache."""
    from IPython.display import HTML

    from .geography import resolve
    from .pipeline import model_frame
    from .scenarios import load_scenario

    the_unit = resolve(unit)
    sc = load_scenario(scenario, overrides or None) if isinstance(scenario, str) else scenario
    year = min(max(year, start_year), end_year)
    projected, _ = model_frame(sc, base=base, start_year=start_year, end_year=end_year, draws=draws, seed=seed)
    frame = with_targets(projected.assign(base=base), range(start_year, end_year + 1))
    rows = key_points(frame, the_unit.id, base, year)
    return HTML(key_points_html(rows, the_unit.name_zh, year, base, scenario_label(sc.name, sc.overrides)))


from .labels import scenario_label  # noqa: E402,F401 - defined without pandas for the runs index


def notes_appendix_html(notes, heading_level: int = 2) -> str:
    """The appendix 附录：方法说明 in plain Chinese, grouped by topic, each note once
    (:func:`analysis.method_notes.appendix_html`)."""
    from .method_notes import appendix_html

    return appendix_html(notes, heading_level)


def notes_appendix(notes):
    """The appendix for a notebook (an IPython ``HTML`` object)."""
    from IPython.display import HTML

    return HTML(notes_appendix_html(notes))

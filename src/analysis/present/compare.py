"""``python -m analysis compare baseline low high [mine]``: scenarios side by side.

For each scenario the models run once (:func:`analysis.pipeline.run_models`); the page
``reports/compare-<names>.html`` sets the indicators of the report year side by side per unit
(median with the p10–p90 band, 估 where an estimated input enters), with each scenario's
difference from the first: the 要点 figures and the need view beside the ratio view — beds
required by users (``beds_need_view``, moved by ``beds.target_occupancy_pct`` and the prevalence
parameters) and the nursing-type gaps of both views (:data:`COMPARE_ROWS`). Below, every other
indicator of the catalogue that differs between the scenarios for the city (what each scenario's
parameters move, :func:`moved_indicators`). Overlay charts (integer year ticks) show the city's
key indicators and every unit's 60+ population under each scenario. A full run builds the same
page for the bundled scenarios with the run's own draws (:mod:`analysis.run.products`); the
command's default draws are the runner's (200), so its baseline is the index's. Every column
head names the scenario and lists its overrides.
"""

from __future__ import annotations

import argparse
import base64
import html
from pathlib import Path

from matplotlib.ticker import MaxNLocator

from .. import catalogue, config, geography
from . import plots
from ..data.plans import report_year_of
from .labels import base_label
from .keypoints import KEY_POINTS, UNIT_ZH, fmt, key_points, scenario_label
from .page_style import PAGE_STYLE as _STYLE
from ..pipeline import run_models
from ..sanitiser import sanitise_page
from ..scenarios import load_scenario

# The rows of the comparison: the 要点 figures, with the need view beside the ratio view (the need
# view is what the target occupancy and the care-use parameters move). (indicator, number kind,
# where it is an estimate — as in analysis.present.keypoints).
_NEED_VIEW = {
    "beds_required": ("beds_need_view",),
    "bed_gap": ("bed_gap_need_view",),
    "nursing_beds_required": ("nursing_beds_need_view",),
    "nursing_bed_gap": ("nursing_bed_gap_need_view",),
}
COMPARE_ROWS = tuple(
    row
    for name, zh, en, kind, where in KEY_POINTS
    for row in ((name, kind, where), *((extra, "beds", "all") for extra in _NEED_VIEW.get(name, ())))
)
# Relative difference below which a scenario is taken not to move an indicator (rounding noise).
MOVED_TOLERANCE = 0.001
DRAWS = 200  # the runner's default draws (analysis.run.cli): the command's baseline is the index's


def compare_points(frame, unit_id: str, base: str, year: int) -> list[dict]:
    """The comparison's rows of one unit (:data:`COMPARE_ROWS` present in ``frame``): the 要点
    rows of :func:`analysis.present.keypoints.key_points` and the need-view rows, each with ``indicator``,
    ``label_zh``, ``kind``, ``p10``/``p50``/``p90`` and ``estimated``."""
    points = {r["indicator"]: r for r in key_points(frame, unit_id, base, year)}
    sel = frame[(frame["unit_id"] == unit_id) & (frame["year"] == year)]
    if "base" in sel.columns:
        sel = sel[sel["base"] == base]
    sel = sel.drop_duplicates("indicator").set_index("indicator")
    rows = []
    for name, kind, where in COMPARE_ROWS:
        if name in points:
            rows.append(points[name])
        elif name in sel.index:
            value = {
                q: (None if q not in sel.columns or sel.at[name, q] != sel.at[name, q] else float(sel.at[name, q]))
                for q in ("p10", "p50", "p90")
            }
            rows.append(
                {
                    "indicator": name,
                    "label_zh": catalogue.indicator(name).name_zh,
                    "label_en": catalogue.indicator(name).name_en,
                    "kind": kind,
                    **value,
                    "estimated": where == "all" or unit_id != geography.CITY_ID,
                }
            )
    return rows


def scenario_result(frame, base: str, year: int):
    """``(frame, {unit_id: comparison rows})`` of one scenario's tidy indicator rows (``p50`` or
    ``value``); the rows are :func:`compare_points`."""
    if "p50" not in frame.columns and "value" in frame.columns:
        frame = frame.assign(p50=frame["value"])
    return frame, {u.id: compare_points(frame, u.id, base, year) for u in geography.all_units()}


def moved_indicators(results, base: str, year: int, unit_id: str = geography.CITY_ID) -> list[str]:
    """Catalogue indicators, other than :data:`COMPARE_ROWS`, whose ``year`` median for
    ``unit_id`` differs between the scenarios by more than :data:`MOVED_TOLERANCE` (relative):
    what the scenarios' parameters move beyond the main rows, in catalogue order."""
    shown = {name for name, _, _ in COMPARE_ROWS}
    values: dict[str, list[float]] = {}
    for frame, _ in results.values():
        sel = frame[(frame["unit_id"] == unit_id) & (frame["year"] == year)]
        if "base" in sel.columns:
            sel = sel[sel["base"] == base]
        for name, p50 in sel.drop_duplicates("indicator")[["indicator", "p50"]].itertuples(index=False):
            if catalogue.known(name) and name not in shown and p50 == p50:
                values.setdefault(name, []).append(float(p50))
    out = []
    for name in catalogue.catalogue():
        vs = values.get(name, [])
        if len(vs) == len(results) > 1 and max(vs) - min(vs) > MOVED_TOLERANCE * max(abs(v) for v in vs):
            out.append(name)
    return out


def scenario_rows(scenarios, base: str, year: int, start_year: int, end_year: int, draws: int, seed: int):
    """{scenario label: (tidy projected frame, {unit_id: 要点 rows})}."""
    out = {}
    for sc in scenarios:
        models = run_models(sc, base=base, start_year=start_year, end_year=end_year, draws=draws, seed=seed)
        out[scenario_label(sc.name, sc.overrides)] = scenario_result(models.projected.assign(base=base), base, year)
    return out


def _diff(value, first, kind) -> str:
    if value is None or first is None:
        return ""
    d = value - first
    text = fmt(abs(d), kind)
    if not text.strip("0.,"):
        return "<br><small>±0</small>"
    return f"<br><small>{'+' if d > 0 else '−'}{html.escape(text)}</small>"


# The overlay charts: (indicator, title, axis label, divisor to the axis unit).
CHARTS = (
    ("pop_60plus", "60岁及以上老年人口", "人数（万人）", 1e4),
    ("beds_required", "养老床位需求（比例法）", "床位（张）", 1),
    ("beds_need_view", "养老床位需求（需求法，估）", "床位（张）", 1),
    ("nursing_bed_gap", "护理型床位缺口（比例法，估）", "床位（张）", 1),
    ("certified_social_workers_required", "持证社工需求（估）", "人数（人）", 1),
    ("dibao_monthly", "低保标准（估）", "元/人·月", 1),
)
SOURCE = "本项目预测（中位数与10%–90%区间）；各情景假设见 scenarios/*.yaml"


def _series(frame, unit_id, indicator):
    sel = frame[(frame["unit_id"] == unit_id) & (frame["indicator"] == indicator)]
    return sel.drop_duplicates("year").sort_values("year")


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    png = plots.png_bytes(fig, dpi=110)  # laid out once (savefig draws a second time to lay out)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(png).decode()


def overlay_chart(results, unit_id: str = geography.CITY_ID) -> str:
    """A PNG (data URI): the key indicators of one unit, every scenario's median and band overlaid."""
    fig, axes = plots.subplots(2, 3, figsize=(13, 7))
    names = {u.id: u.name_zh for u in geography.all_units()}
    fig.suptitle(f"{names.get(unit_id, unit_id)}：各情景主要指标比较", fontsize=14)
    for ax, (indicator, title, ylabel, div) in zip(axes.flat, CHARTS):
        for i, (label, (frame, _)) in enumerate(results.items()):
            sel = _series(frame, unit_id, indicator)
            if len(sel):
                plots.fan(
                    ax,
                    sel["year"],
                    sel["p10"] / div,
                    sel["p50"] / div,
                    sel["p90"] / div,
                    label,
                    plots.PALETTE[i % len(plots.PALETTE)],
                )
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("年份")
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # years, never 2022.5
        plots.thousands_axis(ax) if div == 1 else None
    axes.flat[0].legend(loc="upper left", fontsize=8)
    plots.add_source(fig, SOURCE)
    return _png(fig)


def units_chart(results, indicator: str = "pop_60plus") -> str:
    """A PNG (data URI): one small panel per unit, the 60+ median of every scenario overlaid."""
    units = list(geography.all_units())
    cols = 4
    rows = -(-len(units) // cols)
    fig, axes = plots.subplots(rows, cols, figsize=(12, 2.4 * rows))
    fig.suptitle("各县（市、区）60岁及以上老年人口：各情景中位数（万人）", fontsize=13)
    for ax, unit in zip(axes.flat, units):
        for i, (label, (frame, _)) in enumerate(results.items()):
            sel = _series(frame, unit.id, indicator)
            ax.plot(sel["year"], sel["p50"] / 1e4, color=plots.PALETTE[i % len(plots.PALETTE)], lw=1.6, label=label)
        ax.set_title(unit.name_zh, fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=8)
        ax.set_ylabel("万人", fontsize=8)
    for ax in list(axes.flat)[len(units) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8, loc="upper left")
    plots.add_source(fig, SOURCE)
    return _png(fig)


def _moved_table(results, base: str, year: int, labels: list[str]) -> str:
    """The city's other indicators that the scenarios move (:func:`moved_indicators`), one row each."""
    esc = html.escape
    moved = moved_indicators(results, base, year)
    if len(labels) < 2:
        return ""
    if not moved:
        return "<h2>其他指标 Other indicators</h2><p>各情景之间其他指标无差异。 No other indicator differs.</p>"
    rows = []
    for name in moved:
        spec = catalogue.indicator(name)
        cells = []
        for lab in labels:
            frame = results[lab][0]
            sel = frame[
                (frame["unit_id"] == geography.CITY_ID) & (frame["year"] == year) & (frame["indicator"] == name)
            ]
            if "base" in sel.columns:
                sel = sel[sel["base"] == base]
            cells.append(f'<td class="num">{esc(spec.format_value(sel["p50"].iloc[0] if len(sel) else None))}</td>')
        est = ' <span class="est">估</span>' if spec.estimate else ""
        rows.append(f"<tr><th>{esc(spec.name_zh)}{est}</th>{''.join(cells)}</tr>")
    head = "".join(f"<th>{esc(lab)}</th>" for lab in labels)
    return (
        "<h2>其他随情景变化的指标（全市，中位数） Other indicators the scenarios move (city, median)</h2>"
        f'<div class="scroll"><table><tr><th>指标 Indicator</th>{head}</tr>{"".join(rows)}</table></div>'
    )


def render_compare(results, base: str, year: int, note: str = "", index_link: bool = False) -> str:
    """The comparison page (escaped HTML); ``note`` (plain text) says how it was computed;
    ``index_link`` adds a link back to the run's ``index.html`` (the page in a run folder)."""
    esc = html.escape
    labels = list(results)
    names = {u.id: u.name_zh for u in geography.all_units()}
    sections = []
    for name, kind, _ in COMPARE_ROWS:
        if not any(p["indicator"] == name for lab in labels for rows in results[lab][1].values() for p in rows):
            continue
        spec = catalogue.indicator(name)
        head = "".join(f"<th>{esc(lab)}</th>" for lab in labels)
        body = []
        for uid in [u.id for u in geography.all_units()]:
            cells, first = [], None
            for j, lab in enumerate(labels):
                point = next((p for p in results[lab][1][uid] if p["indicator"] == name), None)
                value = point["p50"] if point else None
                if j == 0:
                    first = value
                band = (
                    ""
                    if not point or point["p10"] is None or point["p90"] is None or point["p10"] == point["p90"]
                    else f"<br><small>{esc(fmt(point['p10'], kind))}–{esc(fmt(point['p90'], kind))}</small>"
                )
                est = ' <span class="est" title="估计值 estimate">估</span>' if point and point["estimated"] else ""
                cells.append(
                    f'<td class="num">{esc(fmt(value, kind))}{est}{band}{_diff(value, first, kind) if j else ""}</td>'
                )
            cls = ' class="city"' if uid == geography.CITY_ID else ""
            body.append(f"<tr{cls}><th>{esc(names[uid])}</th>{''.join(cells)}</tr>")
        sections.append(
            f"<h2>{esc(spec.name_zh)} <small>{esc(spec.name_en)}（{esc(UNIT_ZH[kind])}）</small></h2>"
            f'<div class="scroll"><table><tr><th>单位 Unit</th>{head}</tr>{"".join(body)}</table></div>'
        )
    sections.append(_moved_table(results, base, year, labels))
    base_zh = base_label(base)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>情景比较 Scenario comparison</title>
<style>{_STYLE}</style></head><body>
{'<p><a href="index.html">← 返回报告首页 Back to the index</a></p>' if index_link else ""}
<h1>情景比较 Scenario comparison <small>{esc(str(year))}年，{esc(base_zh)}</small></h1>
<p>每格：中位数，小字为10%–90%区间；第二个及以后的情景下方为与第一个情景（{esc(labels[0])}）的差额。
<span class="est">估</span> = 依赖估计输入。床位需求有两种口径：比例法按规划的每千名老年人床位数，需求法按失能老人与目标入住率（情景参数）。
Each cell: median, the p10–p90 band, and below it the difference from the first scenario; 估 = rests on
estimated inputs. Beds: the ratio view follows the plan's per-1,000 ratios, the need view users ÷ target occupancy.</p>
{f"<p><small>{esc(note)}</small></p>" if note else ""}
<img alt="全市各情景主要指标 city key indicators by scenario" style="max-width:100%" src="{overlay_chart(results)}">
{"".join(sections)}
<h2>各县（市、区）60岁及以上人口 Persons 60+ by unit</h2>
<img alt="各县60岁及以上人口 60+ by unit and scenario" style="max-width:100%" src="{units_chart(results)}">
</body></html>
"""


def cmd_compare(args: argparse.Namespace) -> int:
    scenarios = [load_scenario(name) for name in args.scenarios]
    if args.year is None:
        args.year = report_year_of(None, args.start_year, args.end_year)
    results = scenario_rows(scenarios, args.base, args.year, args.start_year, args.end_year, args.draws, args.seed)
    note = (
        f"各情景均为{args.draws}次抽样、{args.start_year}–{args.end_year}年、随机种子{args.seed}（命令行比较，"
        f"不是某次运行的结果；抽样数与运行不同时，基准数值可能与报告首页略有出入）。 Every scenario with {args.draws} "
        "draws (a command-line comparison, not a run's: with other draws than the run's, the baseline may differ "
        "slightly from the index)."
    )
    out = (
        Path(args.out)
        if args.out
        else config.reports_dir() / ("compare-" + "-".join(Path(n).stem for n in args.scenarios) + ".html")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(sanitise_page(render_compare(results, args.base, args.year, note)), encoding="utf-8")
    print(f"scenario comparison → {out}")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "compare",
        help="set scenarios side by side (one HTML page)",
        description="Key indicators of several scenarios side by side per unit, with "
        "differences from the first, and an overlay chart of the 60+ population.",
    )
    p.add_argument("scenarios", nargs="+", help="scenario names or YAML paths (first = reference)")
    p.add_argument("--base", default="registered", choices=["registered", "resident"])
    p.add_argument(
        "--year", type=int, default=None, help="report year (default: the end year of the city's current plan)"
    )
    p.add_argument("--start-year", type=int, default=2020)
    p.add_argument("--end-year", type=int, default=config.DEFAULT_END_YEAR)
    p.add_argument(
        "--draws",
        type=int,
        default=DRAWS,
        help=f"draws per scenario (default {DRAWS}, the runner's: the baseline matches the index)",
    )
    p.add_argument("--seed", type=int, default=20201101)
    p.add_argument("--out", help="output HTML (default reports/compare-<names>.html)")
    p.set_defaults(func=cmd_compare)

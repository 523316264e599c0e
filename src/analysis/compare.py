"""``python -m analysis compare baseline low high [mine]``: scenarios side by side.

For each scenario the models run once (:func:`analysis.pipeline.run_models`); the page
``reports/compare-<names>.html`` sets the 要点 indicators of the report year side by side per unit
(median with the p10–p90 band), with each scenario's difference from the first; overlay charts
show the city's key indicators and every unit's 60+ population under each scenario. A full run
builds the same page for the bundled scenarios (:mod:`analysis.run.products`). Every column head
names the scenario and lists its overrides.
"""

from __future__ import annotations

import argparse
import base64
import html
from pathlib import Path


from . import config, geography
from .data.plans import report_year_of
from .sanitiser import sanitise_page
from .keypoints import KEY_POINTS, UNIT_ZH, fmt, key_points, scenario_label


def scenario_result(frame, base: str, year: int):
    """``(frame, {unit_id: 要点 rows})`` of one scenario's tidy indicator rows (``p50`` or ``value``)."""
    if "p50" not in frame.columns and "value" in frame.columns:
        frame = frame.assign(p50=frame["value"])
    return frame, {u.id: key_points(frame, u.id, base, year) for u in geography.all_units()}


def scenario_rows(scenarios, base: str, year: int, start_year: int, end_year: int, draws: int, seed: int):
    """{scenario label: (tidy projected frame, {unit_id: 要点 rows})}."""
    from .pipeline import run_models

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
    ("certified_social_workers_required", "持证社工需求", "人数（人）", 1),
    ("dibao_monthly", "低保标准", "元/人·月", 1),
)
SOURCE = "本项目预测（中位数与10%–90%区间）；各情景假设见 scenarios/*.yaml"


def _series(frame, unit_id, indicator):
    sel = frame[(frame["unit_id"] == unit_id) & (frame["indicator"] == indicator)]
    return sel.drop_duplicates("year").sort_values("year")


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    from . import plots

    png = plots.png_bytes(fig, dpi=110)  # laid out once (savefig draws a second time to lay out)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(png).decode()


def overlay_chart(results, unit_id: str = geography.CITY_ID) -> str:
    """A PNG (data URI): the key indicators of one unit, every scenario's median and band overlaid."""
    from . import plots

    fig, axes = plots.subplots(2, 2, figsize=(11, 7))
    names = {u.id: u.name_zh for u in geography.all_units()}
    fig.suptitle(f"{names.get(unit_id, unit_id)}：各情景主要指标比较", fontsize=14)
    for ax, (indicator, title, ylabel, div) in zip(axes.flat, CHARTS):
        for i, (label, (frame, _)) in enumerate(results.items()):
            sel = _series(frame, unit_id, indicator)
            if len(sel):
                plots.fan(ax, sel["year"], sel["p10"] / div, sel["p50"] / div, sel["p90"] / div, label,
                          plots.PALETTE[i % len(plots.PALETTE)])
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("年份")
        ax.set_ylabel(ylabel)
        plots.thousands_axis(ax) if div == 1 else None
    axes.flat[0].legend(loc="upper left", fontsize=7)
    plots.add_source(fig, SOURCE)
    return _png(fig)


def units_chart(results, indicator: str = "pop_60plus") -> str:
    """A PNG (data URI): one small panel per unit, the 60+ median of every scenario overlaid."""
    from . import plots

    units = list(geography.all_units())
    cols = 4
    rows = -(-len(units) // cols)
    fig, axes = plots.subplots(rows, cols, figsize=(12, 2.4 * rows))
    fig.suptitle("各县（市、区）60岁及以上老年人口：各情景中位数（万人）", fontsize=13)
    for ax, unit in zip(axes.flat, units):
        for i, (label, (frame, _)) in enumerate(results.items()):
            sel = _series(frame, unit.id, indicator)
            ax.plot(sel["year"], sel["p50"] / 1e4, color=plots.PALETTE[i % len(plots.PALETTE)], lw=1.6,
                    label=label)
        ax.set_title(unit.name_zh, fontsize=10)
        ax.tick_params(labelsize=8)
        ax.set_ylabel("万人", fontsize=8)
    for ax in list(axes.flat)[len(units):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    plots.add_source(fig, SOURCE)
    return _png(fig)


def render_compare(results, base: str, year: int, note: str = "", index_link: bool = False) -> str:
    """The comparison page (escaped HTML); ``note`` (plain text) says how it was computed;
    ``index_link`` adds a link back to the run's ``index.html`` (the page in a run folder)."""
    from .run.html import _STYLE

    esc = html.escape
    labels = list(results)
    names = {u.id: u.name_zh for u in geography.all_units()}
    sections = []
    for name, zh, en, kind, _ in KEY_POINTS:
        head = "".join(f"<th>{esc(lab)}</th>" for lab in labels)
        body = []
        for uid in [u.id for u in geography.all_units()]:
            cells, first = [], None
            for j, lab in enumerate(labels):
                point = next((p for p in results[lab][1][uid] if p["indicator"] == name), None)
                value = point["p50"] if point else None
                if j == 0:
                    first = value
                band = ("" if not point or point["p10"] is None or point["p90"] is None or point["p10"] == point["p90"]
                        else f"<br><small>{esc(fmt(point['p10'], kind))}–{esc(fmt(point['p90'], kind))}</small>")
                cells.append(f'<td class="num">{esc(fmt(value, kind))}{band}'
                             f'{_diff(value, first, kind) if j else ""}</td>')
            cls = ' class="city"' if uid == geography.CITY_ID else ""
            body.append(f"<tr{cls}><th>{esc(names[uid])}</th>{''.join(cells)}</tr>")
        sections.append(f"<h2>{esc(zh)} <small>{esc(en)}（{esc(UNIT_ZH[kind])}）</small></h2>"
                        f'<div class="scroll"><table><tr><th>单位 Unit</th>{head}</tr>{"".join(body)}</table></div>')
    base_zh = {"registered": "户籍人口口径", "resident": "常住人口口径"}.get(base, base)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>情景比较 Scenario comparison</title>
<style>{_STYLE}</style></head><body>
{'<p><a href="index.html">← 返回报告首页 Back to the index</a></p>' if index_link else ''}
<h1>情景比较 Scenario comparison <small>{esc(str(year))}年，{esc(base_zh)}</small></h1>
<p>每格：中位数，小字为10%–90%区间；第二个及以后的情景下方为与第一个情景（{esc(labels[0])}）的差额。
Each cell: median, the p10–p90 band, and below it the difference from the first scenario.</p>
{f"<p><small>{esc(note)}</small></p>" if note else ""}
<img alt="全市各情景主要指标 city key indicators by scenario" style="max-width:100%" src="{overlay_chart(results)}">
{''.join(sections)}
<h2>各县（市、区）60岁及以上人口 Persons 60+ by unit</h2>
<img alt="各县60岁及以上人口 60+ by unit and scenario" style="max-width:100%" src="{units_chart(results)}">
</body></html>
"""


def cmd_compare(args: argparse.Namespace) -> int:
    from .scenarios import load_scenario

    scenarios = [load_scenario(name) for name in args.scenarios]
    if args.year is None:
        args.year = report_year_of(None, args.start_year, args.end_year)
    results = scenario_rows(scenarios, args.base, args.year, args.start_year, args.end_year, args.draws, args.seed)
    out = Path(args.out) if args.out else config.reports_dir() / ("compare-" + "-".join(
        Path(n).stem for n in args.scenarios) + ".html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(sanitise_page(render_compare(results, args.base, args.year)), encoding="utf-8")
    print(f"scenario comparison → {out}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("compare", help="set scenarios side by side (one HTML page)",
                       description="Key indicators of several scenarios side by side per unit, with "
                                   "differences from the first, and an overlay chart of the 60+ population.")
    p.add_argument("scenarios", nargs="+", help="scenario names or YAML paths (first = reference)")
    p.add_argument("--base", default="registered", choices=["registered", "resident"])
    p.add_argument("--year", type=int, default=None,
                   help="report year (default: the end year of the city's current plan)")
    p.add_argument("--start-year", type=int, default=2020)
    p.add_argument("--end-year", type=int, default=2035)
    p.add_argument("--draws", type=int, default=100, help="draws per scenario (default 100)")
    p.add_argument("--seed", type=int, default=20201101)
    p.add_argument("--out", help="output HTML (default reports/compare-<names>.html)")
    p.set_defaults(func=cmd_compare)

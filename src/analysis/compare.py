"""``python -m analysis compare baseline low high [mine]``: scenarios side by side.

For each scenario the models run once (:func:`analysis.pipeline.run_models`); the page
``reports/compare-<names>.html`` sets the 要点 indicators of the report year side by side per unit
(median with the p10–p90 band), with each scenario's difference from the first, and the city's
60+ population of every scenario in one overlay chart. Every column head names the scenario and
lists its overrides.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
from pathlib import Path


from . import config, geography
from .keypoints import KEY_POINTS, UNIT_ZH, fmt, key_points, scenario_label


def scenario_rows(scenarios, base: str, year: int, start_year: int, end_year: int, draws: int, seed: int):
    """{scenario label: (tidy projected frame, {unit_id: 要点 rows})}."""
    from .pipeline import run_models

    out = {}
    for sc in scenarios:
        models = run_models(sc, base=base, start_year=start_year, end_year=end_year, draws=draws, seed=seed)
        frame = models.projected.assign(base=base)
        out[scenario_label(sc.name, sc.overrides)] = (
            frame, {u.id: key_points(frame, u.id, base, year) for u in geography.all_units()})
    return out


def _diff(value, first, kind) -> str:
    if value is None or first is None:
        return ""
    d = value - first
    text = fmt(abs(d), kind)
    if not text.strip("0.,"):
        return "<br><small>±0</small>"
    return f"<br><small>{'+' if d > 0 else '−'}{html.escape(text)}</small>"


def overlay_chart(results, unit_id: str = geography.CITY_ID) -> str:
    """A PNG (data URI) of the 60+ median and band of every scenario for one unit."""
    from . import plots

    fig, ax = plots.new_figure("60岁及以上人口：各情景比较", "年份", "人数（万人）", "本项目人口预测（中位数与10%–90%区间）")
    for i, (label, (frame, _)) in enumerate(results.items()):
        sel = frame[(frame["unit_id"] == unit_id) & (frame["indicator"] == "pop_60plus")].sort_values("year")
        plots.fan(ax, sel["year"], sel["p10"] / 1e4, sel["p50"] / 1e4, sel["p90"] / 1e4, label,
                  plots.PALETTE[i % len(plots.PALETTE)])
    ax.legend(loc="upper left", fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def render_compare(results, base: str, year: int) -> str:
    """The comparison page (escaped HTML)."""
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
<h1>情景比较 Scenario comparison <small>{esc(str(year))}年，{esc(base_zh)}</small></h1>
<p>每格：中位数，小字为10%–90%区间；第二个及以后的情景下方为与第一个情景（{esc(labels[0])}）的差额。
Each cell: median, the p10–p90 band, and below it the difference from the first scenario.</p>
<img alt="60+ overlay" style="max-width:100%" src="{overlay_chart(results)}">
{''.join(sections)}
</body></html>
"""


def cmd_compare(args: argparse.Namespace) -> int:
    from .scenarios import load_scenario

    scenarios = [load_scenario(name) for name in args.scenarios]
    results = scenario_rows(scenarios, args.base, args.year, args.start_year, args.end_year, args.draws, args.seed)
    out = Path(args.out) if args.out else config.reports_dir() / ("compare-" + "-".join(
        Path(n).stem for n in args.scenarios) + ".html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_compare(results, args.base, args.year), encoding="utf-8")
    print(f"scenario comparison → {out}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("compare", help="set scenarios side by side (one HTML page)",
                       description="Key indicators of several scenarios side by side per unit, with "
                                   "differences from the first, and an overlay chart of the 60+ population.")
    p.add_argument("scenarios", nargs="+", help="scenario names or YAML paths (first = reference)")
    p.add_argument("--base", default="registered", choices=["registered", "resident"])
    p.add_argument("--year", type=int, default=2025, help="report year (default 2025)")
    p.add_argument("--start-year", type=int, default=2020)
    p.add_argument("--end-year", type=int, default=2035)
    p.add_argument("--draws", type=int, default=100, help="draws per scenario (default 100)")
    p.add_argument("--seed", type=int, default=20201101)
    p.add_argument("--out", help="output HTML (default reports/compare-<names>.html)")
    p.set_defaults(func=cmd_compare)

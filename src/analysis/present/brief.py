"""``<unit>/brief.html`` (and ``brief.pdf``): a printable one-page 简报 per unit.

Built from the run's 要点 rows (``manifest["key_results"]``), so the brief says exactly what the
index and the reports say: the report-year figures with their p10–p90 band, the plan's target,
the difference and status, three sentences of findings and the estimate caveat. A4 print CSS keeps
it to one page. The PDF is printed with the run's other PDFs by one headless Chromium
(:mod:`analysis.run.printable`); without Chromium the HTML brief can be printed from any browser.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from .. import catalogue
from ..sanitiser import sanitise_page
from .citation import citation_html, citation_info
from .svgchart import elderly_chart
from .keypoints import fmt
from .keypoints import key_points_html
from .keypoints import scenario_label
from .clock import beijing_time

PRINT_CSS = """
@page{size:A4;margin:14mm}
body{font-family:"Noto Sans SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#222;
     max-width:180mm;margin:0 auto;font-size:10.5pt;line-height:1.45}
h1{font-size:16pt;margin:0 0 2mm}
.meta{color:#555;font-size:9pt;margin:0 0 3mm}
ul.findings{margin:2mm 0 3mm;padding-left:5mm}
.caveat{border-top:1px solid #999;margin-top:3mm;padding-top:2mm;font-size:8.5pt;color:#444}
table{page-break-inside:avoid}
figure.chart{margin:1mm 0 0;break-inside:avoid}figure.chart svg{width:100%;height:auto}
figure.chart figcaption{font-size:9pt;font-weight:bold}
@media print{a{color:inherit;text-decoration:none}}
"""


# The bed stock of the report year, named as on every page: the 2020 stock plus the plan's new beds,
# which are planned, not counted as built (issue 28: the brief called this assumption 现有存量).
STOCK_ZH = "床位存量（估：2020年存量加规划新增，新增按计划计入）"


def _plan_word(indicator: str) -> str:
    """规划目标 for a performance measure, 规划预期 for a quantity that is not one (a population, a need)."""
    return "规划预期" if catalogue.indicator(indicator).direction == "neither" else "规划目标"


def findings(points: list[dict], unit_name: str, year: int) -> list[str]:
    """Three plain sentences from the 要点 rows (elderly, beds, workforce)."""

    by = {p["indicator"]: p for p in points}
    out = []
    pop = by.get("pop_60plus")
    if pop and pop["p50"] is not None:
        s = f"{year}年{unit_name}60岁及以上老年人口约{fmt(pop['p50'], 'wan')}万人"
        if pop["p10"] is not None and pop["p90"] is not None:
            s += f"（10%–90%区间{fmt(pop['p10'], 'wan')}–{fmt(pop['p90'], 'wan')}万人）"
        if pop["target"] is not None:
            s += f"，{_plan_word('pop_60plus')}{fmt(pop['target'], 'wan')}万人，{pop['status'].split(' ')[0]}"
        out.append(s + "。")
    beds, gap = by.get("beds_required"), by.get("bed_gap")
    if beds and beds["p50"] is not None:
        s = f"按规划比例需养老床位约{fmt(beds['p50'], 'beds')}张"
        if gap and gap["p50"] is not None:
            s += (
                f"，比{STOCK_ZH}多{fmt(gap['p50'], 'beds')}张（缺口）"
                if gap["p50"] > 0.5
                else f"，{STOCK_ZH}富余{fmt(-gap['p50'], 'beds')}张"
            )
        out.append(s + "。")
    sw = by.get("certified_social_workers_required")
    if sw and sw["p50"] is not None:
        s = f"需持证社工约{fmt(sw['p50'], 'persons')}人"
        if sw["target"] is not None:
            s += f"，{_plan_word('certified_social_workers_required')}{fmt(sw['target'], 'persons')}人，{sw['status'].split(' ')[0]}"
        out.append(s + "。")
    return out[:3]


# The chart's height (for a width of 700): about 36 mm at the page's width, what the page has left.
BRIEF_CHART_HEIGHT = 140.0

# One A4 page with the plan odds under the 要点 box: the box's tables a little tighter than on screen.
BRIEF_CSS = (
    ".keypoints{padding:0.3em 0.6em}.keypoints th,.keypoints td{padding:0.1em 0.35em;font-size:8.5pt;"
    "line-height:1.25}.keypoints h2{font-size:11pt}.keypoints h3{font-size:10pt}"
    # the English line under each Chinese row name: off in the brief, which needs the room for its chart
    ".keypoints tr>th small{display:none}"
)


def render_brief(
    row: dict[str, Any], key: dict[str, Any], run_label: str, date: str, chart: str = "", citation: str = ""
) -> str:
    """The one-page brief of one unit (``row`` = one entry of ``key_results["rows"]``); ``chart``:
    the 60+ and 80+ path as inline SVG (:func:`analysis.present.svgchart.elderly_chart`), ``citation``:
    the run's 如何引用/版本 block (:func:`analysis.present.citation.citation_html`), both trusted HTML."""

    esc = html.escape
    year, base = key["year"], key["base"]
    points = row.get("points", [])
    odds = [o for o in key.get("odds") or [] if o["unit_id"] == row["unit_id"] and o["year"] == year]
    box = key_points_html(points, row["unit_name"], year, base, key.get("scenario_label", ""), odds)
    items = "".join(f"<li>{esc(s)}</li>" for s in findings(points, row["unit_name"], year))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(row["unit_name"])}民政事业预测简报</title>
<style>{PRINT_CSS}{BRIEF_CSS}</style></head><body>
<h1>{esc(row["unit_name"])}民政事业发展预测简报 <small>brief</small></h1>
<p class="meta">{esc(run_label)} · {esc(date)} · 泉州市民政事业发展规划预测</p>
<h2 style="font-size:12pt;margin:2mm 0">主要发现 Findings</h2><ul class="findings">{items}</ul>
{box}
{f'<figure class="chart"><figcaption>{esc(row["unit_name"])}60岁及以上与80岁及以上人口（万人），竖线为报告年</figcaption>{chart}</figure>' if chart else ""}
<p class="caveat">说明：县级分年龄性别基期人口、床位存量和社工人数为按文档化方法估算，标“估”的数字依赖这些估计；
区间为蒙特卡洛抽样的10%–90%分位；详细方法见完整报告与附录。</p>
{citation}
</body></html>
"""


def write_briefs(run_dir: Path, manifest: dict[str, Any], indicators=None) -> dict[str, str]:
    """Write ``<unit>/brief.html`` for every unit with 要点 rows. Returns ``{unit_id: relative path}``.
    ``indicators`` (the run's indicator table) gives each brief the 60+ and 80+ chart.
    The PDFs are printed with the run's other PDFs (:func:`analysis.run.printable.write_products`)."""

    key = manifest.get("key_results") or {}
    scen = manifest.get("scenario", {})
    label = scenario_label(str(scen.get("name", "")), scen.get("overrides"))
    units = set(manifest.get("parameters", {}).get("units") or [])
    written = {}
    for row in key.get("rows", []):
        if units and row["unit_id"] not in units:
            continue
        path = run_dir / row["unit_id"] / "brief.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        chart = ""
        if indicators is not None:
            mine = indicators[(indicators["unit_id"] == row["unit_id"]) & (indicators["base"] == key.get("base"))]
            chart = elderly_chart(mine, [key.get("year")], "", height=BRIEF_CHART_HEIGHT)
        page = render_brief(
            row,
            key,
            label,
            beijing_time(manifest.get("started")),
            chart=chart,
            citation=citation_html(citation_info(manifest)),
        )
        path.write_text(sanitise_page(page), encoding="utf-8")
        written[row["unit_id"]] = path.relative_to(run_dir).as_posix()
    return written

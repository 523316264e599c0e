"""Printable products of a run: one report per unit (HTML for print and PDF), the briefs' PDFs.

For each unit, ``<unit>/report_print.html`` joins the report sections of its notebooks (in run
order, each starting on a new page) under a title block naming the unit, the scenario and the
date, with A4 print CSS: charts and short tables are never cut by a page break, long tables
repeat their heads, nothing is wider than the page, and the chart download lines are hidden. The
city's print report (``quanzhou``) also holds the city overview and the backtest.

:func:`write_products` writes the briefs (:mod:`analysis.run.brief`), the print pages and the
chart files of reused jobs (:mod:`analysis.run.chart_files`; a finished job's worker wrote its
own), then prints every PDF in **one** headless
Chromium (:mod:`analysis.run.chromium`). Without Chromium the HTML pages are still written and
the manifest says the PDFs were not made.
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path
from typing import Any

from ..sanitiser import sanitise_page

# The notebook pages' own stylesheet (JupyterLab's, ~300 KB) is not copied: laying it out roughly
# doubled the printing time. Tables and text get this small sheet; the 要点 box and styled tables
# carry their own <style> in the body.
PRINT_CSS = """
@page{size:A4;margin:12mm 11mm 13mm}
body{color:#222;font-size:9.5pt;line-height:1.45}
h1{font-size:17pt}h2{font-size:13pt;margin:5mm 0 2mm}h3{font-size:11pt}
table{border-collapse:collapse;margin:2mm 0}
th,td{border:1px solid #bbb;padding:1mm 1.2mm;text-align:right;vertical-align:top}
th{background:#eef;text-align:left}
pre{white-space:pre-wrap;font-size:8pt}
.anchor-link{display:none}
html,body{background:#fff}
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:0;padding:0 2mm}
.print-title{border-bottom:2px solid #2a5db0;margin:0 0 4mm;padding:0 0 2mm}
.print-title h1{font-size:20pt;margin:0 0 1mm}.print-title p{margin:0.5mm 0;color:#444;font-size:10pt}
.print-toc{font-size:10pt;margin:0 0 4mm}
section.nb{break-before:page}section.nb.first{break-before:auto}
.jp-Notebook,.jp-Cell,.jp-OutputArea,.jp-OutputArea-child,.jp-OutputArea-output,.jp-RenderedHTMLCommon{
  overflow:visible!important;max-width:100%!important;padding-left:0!important;margin-left:0!important}
.jp-OutputPrompt,.jp-InputPrompt{display:none!important}
img{max-width:100%!important;max-height:118mm!important;width:auto!important;height:auto!important;
    display:block;margin:0 auto;break-inside:avoid}
.jp-RenderedImage,.jp-OutputArea-output:has(> img),.keypoints{break-inside:avoid}
table{break-inside:avoid;width:100%!important;table-layout:auto;font-size:8pt!important}
.jp-RenderedHTMLCommon td,.jp-RenderedHTMLCommon th{padding:1mm 1.2mm!important;word-break:break-word}
thead{display:table-header-group}tr{break-inside:avoid}
h1,h2,h3,h4{break-after:avoid}
.chart-dl{display:none!important}
a{color:inherit;text-decoration:none}
"""

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_SCRIPTS = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.DOTALL | re.IGNORECASE)
_EMBEDDED_PNG = re.compile(r'src="data:image/png;base64,[^"]*"')
_CHART_LINK = re.compile(r'href="[^"]*_charts/chart\d+\.png"')


def vector_charts(body: str, page: Path) -> str:
    """The page's charts as their SVG files (``<notebook>_charts/chartNN.svg``) instead of the
    embedded 200-dpi PNGs: Chromium prints vector charts a third faster, the PDF is half the
    size and sharp at any zoom. Left as PNGs when a page's images and its chart download lines
    do not pair one to one, or an SVG file is missing."""
    folder = f"{page.stem}_charts"
    count = len(_EMBEDDED_PNG.findall(body))
    svgs = [page.with_name(folder) / f"chart{n:02d}.svg" for n in range(1, count + 1)]
    if not count or count != len(_CHART_LINK.findall(body)) or not all(p.exists() for p in svgs):
        return body
    numbers = iter(range(1, count + 1))
    return _EMBEDDED_PNG.sub(lambda _: f'src="{html.escape(folder)}/chart{next(numbers):02d}.svg"', body)


def _title(body: str, fallback: str) -> str:
    m = _H1.search(body)
    if not m:
        return fallback
    text = re.sub(r"<[^>]+>|¶", "", m.group(1))
    return html.unescape(text).strip() or fallback


def render_print_report(pages: list[Path], unit_name: str, label: str, date: str) -> str:
    """One printable page from the exported report pages ``pages`` (each page's body as a
    section, scripts removed)."""
    esc = html.escape
    sections, toc = [], []
    for i, page in enumerate(pages):
        text = page.read_text(encoding="utf-8")
        body = _BODY.search(text)
        inner = vector_charts(_SCRIPTS.sub("", body.group(1) if body else ""), page)
        toc.append(f"<li>{esc(_title(inner, page.stem))}</li>")
        sections.append(f'<section class="nb{" first" if i == 0 else ""}">{inner}</section>')
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{esc(unit_name)}民政事业发展预测报告</title><style>{PRINT_CSS}</style></head>"
            '<body class="jp-Notebook">'
            f'<div class="print-title"><h1>{esc(unit_name)}民政事业发展预测报告</h1>'
            f"<p>{esc(label)} · {esc(date)} · 泉州市“十四五”民政事业发展规划预测</p></div>"
            f'<div class="print-toc"><b>目录 Contents</b><ol>{"".join(toc)}</ol></div>'
            + "".join(sections) + "</body></html>\n")


def _unit_pages(run_dir: Path, jobs: list[dict]) -> dict[str, list[Path]]:
    """Exported pages of the good jobs (ok or reused) per unit, in run order."""
    out: dict[str, list[Path]] = {}
    for job in jobs:
        if job["status"] in ("ok", "skipped") and job.get("html"):
            page = run_dir / job["html"]
            if page.exists():
                out.setdefault(job["unit"], []).append(page)
    return out


def write_products(run_dir: Path, manifest: dict[str, Any], pdf: bool) -> dict[str, Any]:
    """Briefs, chart files, print pages and (``pdf`` and Chromium present) every PDF, for the jobs
    in ``manifest["jobs"]``. Returns the manifest entries ``briefs``, ``print_reports`` and
    ``pdf`` (what was printed, how long it took, or why nothing was)."""
    from ..keypoints import scenario_label
    from .brief import write_briefs
    from .chart_files import extract
    from .chromium import find_chromium, print_pages
    from .html import beijing_time

    jobs = manifest.get("jobs", [])
    for job in jobs:  # chart files: a finished job's worker wrote them (``charts``), a reused job's not
        if job.get("output") and (job["status"] == "skipped" or (job["status"] == "ok" and job.get("charts") is None)):
            ipynb = run_dir / job["output"]
            if ipynb.exists():
                extract(ipynb)
    briefs = write_briefs(run_dir, manifest)
    scen = manifest.get("scenario", {})
    label = scenario_label(str(scen.get("name", "")), scen.get("overrides"))
    date = beijing_time(manifest.get("started"))
    names = manifest.get("unit_names", {})
    reports = {}
    for uid, pages in _unit_pages(run_dir, jobs).items():
        path = run_dir / uid / "report_print.html"
        path.write_text(sanitise_page(render_print_report(pages, names.get(uid, uid), label, date)), encoding="utf-8")
        reports[uid] = {"html": path.relative_to(run_dir).as_posix()}
    info: dict[str, Any] = {"made": False}
    if not pdf:
        info["reason"] = "试算运行不打印PDF（完整运行或加 --publish 时打印） PDFs are printed in runs that publish"
    elif find_chromium() is None:
        info["reason"] = "未安装 Chromium，未生成PDF（可在浏览器中打印HTML） chromium not installed: no PDFs"
    else:
        pairs = [(run_dir / rel, (run_dir / rel).with_suffix(".pdf")) for rel in briefs.values()]
        pairs += [(run_dir / r["html"], run_dir / Path(r["html"]).parent / "report.pdf") for r in reports.values()]
        clock = time.perf_counter()
        printed = print_pages(pairs) or {}
        info = {"made": True, "seconds": round(time.perf_counter() - clock, 2),
                "printed": sum(printed.values()), "failed": [p.relative_to(run_dir).as_posix()
                                                             for p, ok in printed.items() if not ok]}
        for uid, r in reports.items():
            out = run_dir / uid / "report.pdf"
            if out.exists():
                r["pdf"] = out.relative_to(run_dir).as_posix()
    return {"briefs": briefs, "print_reports": reports, "pdf": info}

"""Printable products of a run: one report per unit (HTML for print and PDF), the briefs' PDFs.

For each unit, ``<unit>/report_print.html`` joins the report sections of its notebooks (in run
order, each starting on a new page) under a title block naming the unit, the scenario and the
date, with A4 print CSS: charts and short tables are never cut by a page break, long tables
repeat their heads, nothing is wider than the page, and the chart download lines are hidden. The
city's print report (``quanzhou``) also holds the city overview and the backtest.

Print rules an office accepts (issue 28): each chart is the notebook's SVG file **inlined** in
the page (:func:`vector_charts`), so its text is printed as the characters it shows — an SVG
shown through ``<img>`` loses its text: the PDF's text layer maps Noto CJK's shared glyphs back to
CJK radicals (⼈⼝ for 人口) and drops the digits; headings and the text before a table or chart
stay on its page (markdown cells wrapped with the cell after them, :func:`keep_with_next`); a word is never broken
inside a table cell; tables marked ``screen-only`` (developer tables: the backtest's error
table, the 专栏2 transcription) are left out with a line saying where they are; and no code name
of the catalogue is printed where a Chinese name exists (:func:`readable_names`).

:func:`write_products` writes the briefs (:mod:`analysis.present.brief`), the print pages and the
chart files of reused jobs (:mod:`analysis.present.chart_files`; a finished job's worker wrote its
own), then prints every PDF in **one** headless
Chromium (:mod:`analysis.run.chromium`). Without Chromium the HTML pages are still written and
the manifest says the PDFs were not made.
"""

from __future__ import annotations

import html
import os
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .. import catalogue
from ..present import chart_files  # called through the module: tests replace extract
from ..present import people, print_geometry
from ..present.brief import write_briefs
from ..present.citation import citation_html, citation_info, with_citation, without_citation
from ..present.clock import beijing_time
from ..present.keypoints import scenario_label
from ..present.onepager import write_onepagers
from ..sanitiser import sanitise_page
from . import chromium  # called through the module: tests replace find_chromium
from .manifest import sha256_file
from .print_setup import INSTALL_COMMAND

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
.jp-RenderedHTMLCommon td,.jp-RenderedHTMLCommon th{padding:1mm 1.2mm!important}
td,th{word-break:normal!important;overflow-wrap:normal!important;hyphens:manual}
thead{display:table-header-group}tr{break-inside:avoid}
h1,h2,h3,h4,h5{break-after:avoid;break-inside:avoid}
.jp-MarkdownCell,.jp-Cell:has(.jp-RenderedMarkdown){break-after:avoid}.keep{break-inside:avoid}
.screen-only{display:none!important}.print-only{display:block!important}
.chart-dl{display:none!important}
a{color:inherit;text-decoration:none}
"""

# The chart box of analysis.present.print_geometry (the text floor of the charts assumes it).
PRINT_CSS += (
    f".chart-svg{{display:block;margin:0 auto;max-width:100%;max-height:{print_geometry.HEIGHT_MM:g}mm;"
    "width:auto;height:auto;break-inside:avoid}"
    f".chart-svg.chart-tall{{max-height:{print_geometry.TALL_HEIGHT_MM:g}mm}}\n"
)

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_SCRIPTS = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.DOTALL | re.IGNORECASE)
_EMBEDDED_PNG = re.compile(r'<img\b[^>]*\bsrc="data:image/png;base64,[^"]*"[^>]*>', re.IGNORECASE)
_CHART_LINK = re.compile(r'href="[^"]*_charts/chart\d+\.png"')
_SVG_START = re.compile(r"<svg\b", re.IGNORECASE)
_SVG_METADATA = re.compile(r"<metadata\b.*?</metadata>", re.DOTALL | re.IGNORECASE)
_SVG_TAG = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)
_SVG_LENGTH = {a: re.compile(rf'\b{a}="([\d.]+)pt"') for a in ("width", "height")}


def svg_size_pt(svg: str) -> tuple[float, float]:
    """``(width, height)`` in points of a matplotlib SVG (its ``width="…pt"`` attributes); 0 if absent."""
    tag = _SVG_TAG.search(svg)
    sizes = [_SVG_LENGTH[a].search(tag.group(0)) if tag else None for a in ("width", "height")]
    return tuple(float(m.group(1)) if m else 0.0 for m in sizes)


_FONT_SIZE = re.compile(r"font-size:\s*([\d.]+)px")


def smallest_print_pt(svg: str) -> float:
    """The smallest text of a matplotlib SVG chart in points as printed (its font sizes — user
    units, which matplotlib makes points — times :func:`analysis.present.print_geometry.print_scale`);
    ``inf`` when it has no text."""
    sizes = [float(v) for v in _FONT_SIZE.findall(svg)]
    return min(sizes) * print_geometry.print_scale(*svg_size_pt(svg)) if sizes else float("inf")


def inline_svg(svg: str) -> str:
    """A chart's SVG file as markup to put in the page: without the XML prolog, the DOCTYPE and
    matplotlib's metadata, the ``<svg>`` element of class ``chart-svg`` (``chart-tall`` too when
    it gets the taller print box, :func:`analysis.present.print_geometry.is_tall`)."""
    start = _SVG_START.search(svg)
    if not start:
        return ""
    cls = "chart-svg chart-tall" if print_geometry.is_tall(*svg_size_pt(svg)) else "chart-svg"
    return _SVG_START.sub(f'<svg class="{cls}" role="img"', _SVG_METADATA.sub("", svg[start.start() :]), 1)


def vector_charts(body: str, page: Path) -> str:
    """The page's charts as their SVG files (``<notebook>_charts/chartNN.svg``), inlined, instead
    of the embedded 200-dpi PNGs: Chromium prints vector charts a third faster, the PDF is half
    the size and sharp at any zoom, and the chart text is searchable and copies as the characters
    shown (see the module docstring). Left as PNGs when a page's images and its chart download
    lines do not pair one to one, or an SVG file is missing or empty."""
    folder = page.with_name(f"{page.stem}_charts")
    count = len(_EMBEDDED_PNG.findall(body))
    svgs = [folder / f"chart{n:02d}.svg" for n in range(1, count + 1)]
    if not count or count != len(_CHART_LINK.findall(body)) or not all(p.exists() for p in svgs):
        return body
    markup = [inline_svg(p.read_text(encoding="utf-8")) for p in svgs]
    if not all(markup):
        return body
    numbers = iter(markup)
    return _EMBEDDED_PNG.sub(lambda _: next(numbers), body)


_CHINESE_END = re.compile(r"[\u2e80-\u9fff\uff00-\uffef%]$")  # a Chinese head ends here ("… 占比 %")
_TAG_OR_TEXT = re.compile(r"(<style\b.*?</style\s*>|<svg\b.*?</svg\s*>|<[^>]+>)", re.DOTALL | re.IGNORECASE)


@lru_cache(maxsize=1)
def _code_names() -> tuple[re.Pattern, dict[str, str]]:
    """The code names with a Chinese name (the catalogue's, then the people tables' heads) and one
    pattern matching any of them as a whole token."""
    names = {k: v for k, v in people.COLUMN_ZH.items() if "_" in k}
    names.update({k: spec.name_zh for k, spec in catalogue.catalogue().items() if "_" in k})
    alternatives = "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
    return re.compile(rf"(\s*)(?<![A-Za-z0-9_.])({alternatives})(?![A-Za-z0-9_])"), names


def readable_names(page: str) -> str:
    """``page`` with no code name printed where a Chinese name exists: a code name right after
    Chinese text (a head "60岁及以上人口 pop_60plus") is dropped, any other is replaced by its
    Chinese name. Only text is changed, not tags, styles or charts."""
    pattern, names = _code_names()

    def text(match: re.Match) -> str:
        space, name = match.group(1), match.group(2)
        before = match.string[: match.start()].rstrip()
        if before and _CHINESE_END.search(before):
            return ""  # "中文 code": the Chinese name is already there
        return f"{space}{names[name]}"

    return "".join(part if i % 2 else pattern.sub(text, part) for i, part in enumerate(_TAG_OR_TEXT.split(page)))


_CELL_START = re.compile(r'<div class="jp-Cell[ "]')  # a cell, not its jp-Cell-inputWrapper
_MAIN_END = re.compile(r"</main>", re.IGNORECASE)


def keep_with_next(body: str) -> str:
    """Each run of markdown cells (headings, the words before a chart or table) wrapped with the
    cell after it in ``<div class="keep">`` (``break-inside: avoid``): Chromium did not honour
    ``break-after: avoid`` between the cells and left headings at a page's foot with their
    chart on the next (issue 28). Cells are siblings, so a cell runs from its start to the next
    cell's start (the last one to ``</main>``); a body without that structure is left as it is."""
    starts = [m.start() for m in _CELL_START.finditer(body)]
    end = _MAIN_END.search(body, starts[-1]) if starts else None
    if not starts or end is None:
        return body
    bounds = starts + [end.start()]
    cells = [body[a:b] for a, b in zip(bounds, bounds[1:])]
    out, run = [body[: starts[0]]], []
    for cell in cells:
        run.append(cell)
        if "jp-MarkdownCell" not in cell[:80]:
            out.append(f'<div class="keep">{"".join(run)}</div>' if len(run) > 1 else run[0])
            run = []
    out.append("".join(run))
    out.append(body[end.start() :])
    return "".join(out)


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
        inner = keep_with_next(vector_charts(_SCRIPTS.sub("", without_citation(body.group(1) if body else "")), page))
        toc.append(f"<li>{esc(_title(inner, page.stem))}</li>")
        sections.append(f'<section class="nb{" first" if i == 0 else ""}">{readable_names(inner)}</section>')
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{esc(unit_name)}民政事业发展预测报告</title><style>{PRINT_CSS}</style></head>"
        '<body class="jp-Notebook">'
        f'<div class="print-title"><h1>{esc(unit_name)}民政事业发展预测报告</h1>'
        f"<p>{esc(label)} · {esc(date)} · 泉州市“十四五”民政事业发展规划预测</p></div>"
        f'<div class="print-toc"><b>目录 Contents</b><ol>{"".join(toc)}</ol></div>'
        + "".join(sections)
        + "</body></html>\n"
    )


def _unit_pages(run_dir: Path, jobs: list[dict]) -> dict[str, list[Path]]:
    """Exported pages of the good jobs (ok or reused) per unit, in run order."""
    out: dict[str, list[Path]] = {}
    for job in jobs:
        if job["status"] in ("ok", "skipped") and job.get("html"):
            page = run_dir / job["html"]
            if page.exists():
                out.setdefault(job["unit"], []).append(page)
    return out


def _replace_file(path: Path, text: str) -> None:
    """Write ``text`` as a new file at ``path``: a reused page is a hard link to an earlier run's
    file, which must keep the bytes its manifest recorded."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def write_products(run_dir: Path, manifest: dict[str, Any], pdf: bool, indicators=None) -> dict[str, Any]:
    """Briefs, one-pagers, chart files, print pages and (``pdf`` and Chromium present) every PDF,
    for the jobs in ``manifest["jobs"]``; the citation block on each of these pages and on the
    notebook pages. ``indicators``: the run's indicator table (read from ``tables/indicators.csv``
    when not given). Returns the manifest entries ``briefs``, ``onepagers``, ``print_reports``
    and ``pdf`` (what was printed, how long it took, or why nothing was)."""
    jobs = manifest.get("jobs", [])
    for job in jobs:  # chart files: a finished job's worker wrote them (``charts``), a reused job's not
        if job.get("output") and (job["status"] == "skipped" or (job["status"] == "ok" and job.get("charts") is None)):
            ipynb = run_dir / job["output"]
            if ipynb.exists():
                chart_files.extract(ipynb)
    if indicators is None and (run_dir / "tables" / "indicators.csv").exists():
        indicators = pd.read_csv(run_dir / "tables" / "indicators.csv")
    briefs = write_briefs(run_dir, manifest, indicators=indicators)
    block = citation_html(citation_info(manifest))
    scen = manifest.get("scenario", {})
    label = scenario_label(str(scen.get("name", "")), scen.get("overrides"))
    date = beijing_time(manifest.get("started"))
    names = manifest.get("unit_names", {})
    reports = {}
    for uid, pages in _unit_pages(run_dir, jobs).items():
        path = run_dir / uid / "report_print.html"
        page = with_citation(render_print_report(pages, names.get(uid, uid), label, date), block)
        path.write_text(sanitise_page(page), encoding="utf-8")
        reports[uid] = {"html": path.relative_to(run_dir).as_posix()}
    for job in jobs:  # after the print pages: one block each, at the end of every notebook page
        page = run_dir / job["html"] if job["status"] in ("ok", "skipped") and job.get("html") else None
        if page is not None and page.exists():
            _replace_file(page, sanitise_page(with_citation(page.read_text(encoding="utf-8"), block)))
            # what --incremental verifies before it links the page into a later run
            job.setdefault("output_sha256", {})[job["html"]] = sha256_file(page)
    onepagers = write_onepagers(run_dir, {**manifest, "briefs": briefs}, indicators) if indicators is not None else {}
    info: dict[str, Any] = {"made": False}
    if not pdf:
        info["reason"] = "试算运行不打印PDF（完整运行或加 --publish 时打印） PDFs are printed in runs that publish"
    elif chromium.find_chromium() is None:
        info["reason"] = "未安装 Chromium，未生成PDF（可在浏览器中打印HTML） chromium not installed: no PDFs"
        info["install"] = INSTALL_COMMAND  # the run's last line says how (print_setup.no_pdf_line)
    else:
        pairs = [(run_dir / rel, (run_dir / rel).with_suffix(".pdf")) for rel in briefs.values()]
        pairs += [(run_dir / r["html"], run_dir / Path(r["html"]).parent / "report.pdf") for r in reports.values()]
        clock = time.perf_counter()
        printed = chromium.print_pages(pairs) or {}
        info = {
            "made": True,
            "seconds": round(time.perf_counter() - clock, 2),
            "printed": sum(printed.values()),
            "failed": [p.relative_to(run_dir).as_posix() for p, ok in printed.items() if not ok],
        }
        for uid, r in reports.items():
            out = run_dir / uid / "report.pdf"
            if out.exists():
                r["pdf"] = out.relative_to(run_dir).as_posix()
    return {"briefs": briefs, "onepagers": onepagers, "print_reports": reports, "pdf": info}

"""``<unit>/onepager.html``: a county analyst's one page (issue 28, item 1).

The figures a county (and the city) is asked for — 60+ and 80+ with their shares, elder-care beds
needed in both views, the nursing-type bed gap, certified social workers needed and the 低保
standard — for three years: the run's base year (its first projected year), the last year of the
closed plan (2025 for the 十四五 plan) and the report year (the tracked plan's end, 2030 for the
十五五 draft). Each cell: the median, the p10–p90 band below it, and a mark:

* ``估`` — the figure rests on an estimated input (every county figure: the county age–sex base
  is estimated; for the city, the indicators the catalogue marks ``estimate``), the same rule as
  the 要点 box (:func:`analysis.present.keypoints.key_points`);
* ``公布`` — a figure of the base year with no spread across draws that rests on no estimate:
  the published figure the projection starts from;
* nothing — a projection from published inputs (its band says how sure it is).

Labels, units and number formats come from the indicator catalogue (:mod:`analysis.catalogue`);
the numbers from the run's ``tables/indicators.csv`` rows (no model is run here). The chart is
the 60+ and 80+ path with its p10–p90 band (:func:`analysis.present.svgchart.elderly_chart`, inline
SVG: its text is searchable and prints sharp). The page carries the run's citation block and its
print CSS keeps it to one A4 page.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from .. import catalogue
from ..data.origin import CENSUS_YEAR, start_year_of
from .keypoints import CITY_ID
from .labels import base_label
from ..sanitiser import sanitise_page
from .citation import citation_html, citation_info
from .svgchart import elderly_chart

ROWS = (
    "pop_60plus",
    "share_60plus",
    "pop_80plus",
    "share_80plus",
    "beds_required",
    "beds_need_view",
    "nursing_beds_required",
    "nursing_bed_gap",
    "certified_social_workers_required",
    "dibao_monthly",
)
# Figures estimated for the city too (the 要点 box's rule; keypoints._KEY_POINT_ROWS 'all').
CITY_ESTIMATES = {"bed_gap", "nursing_bed_gap", "certified_social_workers_required", "dibao_monthly"}
VIEWS_SENTENCE = (
    "床位需求有两种算法：比例法按规划的每千名老年人床位数配置（规划口径），需求法只为预计实际入住的老人"
    "（按基年在住人数校准、随失能老人增长）按目标入住率配置床位，今天空置的床位不计入需求。"
)
PAGE_NAME = "onepager.html"


def is_estimate(unit_id: str, indicator: str) -> bool:
    """Whether a figure rests on an estimated input (module docstring)."""
    if unit_id != CITY_ID:
        return True
    return indicator in CITY_ESTIMATES or (catalogue.known(indicator) and catalogue.indicator(indicator).estimate)


def page_years(manifest: dict[str, Any], base: str | None = None) -> list[int]:
    """First year of ``base``'s projection (the census year, or the run's origin for the registered
    base: issue 25), last year of the closed plan, report year (each once, in order, within the run)."""
    params = manifest.get("parameters") or {}
    start, end = int(params.get("start_year", 0)), int(params.get("end_year", 0))
    if base is not None and params.get("origin") is not None:
        start = start_year_of(base, params["origin"])
    closed = ((manifest.get("plan") or {}).get("closed") or {}).get("period") or [None, None]
    report = (manifest.get("key_results") or {}).get("year") or end
    years = [start, closed[1], report]
    return sorted({int(y) for y in years if y is not None and start <= int(y) <= end})


def cells(indicators: pd.DataFrame, unit_id: str, base: str, years: list[int]) -> list[dict]:
    """One row per indicator of :data:`ROWS` present for the unit: label, unit and per year
    ``p50``, ``p10``, ``p90``, ``mark`` (plain values). Missing indicators are left out."""
    sel = indicators[(indicators["unit_id"] == unit_id) & (indicators["base"] == base) & indicators["year"].isin(years)]
    median = "p50" if "p50" in sel.columns else "value"
    rows = []
    for name in ROWS:
        mine = sel[sel["indicator"] == name].drop_duplicates("year").set_index("year")
        if mine.empty:
            continue
        spec = catalogue.indicator(name)
        estimated = is_estimate(unit_id, name)
        per_year = {}
        for year in years:
            if year not in mine.index:
                per_year[year] = None
                continue
            p10, p50, p90 = (
                None if pd.isna(mine.at[year, c]) else float(mine.at[year, c]) for c in ("p10", median, "p90")
            )
            spread = p10 is not None and p90 is not None and p90 - p10 > 1e-9 * max(1.0, abs(p50 or 0))
            mark = (
                "" if p50 is None else "估" if estimated else "公布" if year == years[0] and not spread else ""
            )  # no mark on a missing figure
            per_year[year] = {"p10": p10 if spread else None, "p50": p50, "p90": p90 if spread else None, "mark": mark}
        rows.append(
            {"indicator": name, "label": spec.name_zh, "unit": _unit_of(spec), "format": spec.format, "years": per_year}
        )
    return rows


def _unit_of(spec) -> str:
    return "万人" if spec.format == "wan" else spec.unit


def number(value, fmt: str) -> str:
    """A cell's number in the catalogue's format, without the unit (the row says it)."""
    if value is None:
        return "—"
    if fmt == "wan":
        return catalogue.wan(value)
    return catalogue.format_number(value, fmt).rstrip("%").strip()


def band_text(p10, p90, fmt: str) -> str:
    """A p10–p90 band for people: "4.8–9.2"; with a negative end "−43 至 −11" (a true minus sign,
    never "-43–-11")."""
    if p10 is None or p90 is None:
        return "—"
    lo, hi = number(p10, fmt).replace("-", "−"), number(p90, fmt).replace("-", "−")
    return f"{lo} 至 {hi}" if min(p10, p90) < 0 else f"{lo}–{hi}"


def table_html(rows: list[dict], years: list[int], labels: dict[int, str]) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(str(y))}年<br><small>{esc(labels.get(y, ''))}</small></th>" for y in years)
    body = []
    for r in rows:
        tds = []
        for y in years:
            c = r["years"].get(y)
            if c is None:
                tds.append('<td class="num">—</td>')
                continue
            mark = (
                f' <span class="{"est" if c["mark"] == "估" else "pub"}">{esc(c["mark"])}</span>' if c["mark"] else ""
            )
            band = "" if c["p10"] is None else f"<br><small>{esc(band_text(c['p10'], c['p90'], r['format']))}</small>"
            tds.append(
                f'<td class="num"><b>{esc(number(c["p50"], r["format"]).replace("-", "−"))}</b>{mark}{band}</td>'
            )
        body.append(f"<tr><th>{esc(r['label'])}</th><td>{esc(r['unit'])}</td>{''.join(tds)}</tr>")
    return f"<table><tr><th>指标</th><th>单位</th>{head}</tr>{''.join(body)}</table>"


def year_labels(manifest: dict[str, Any], years: list[int]) -> dict[int, str]:
    """A short word under each year: 基年, the closed plan's 收官年, the report year's 规划目标年."""
    plan = manifest.get("plan") or {}
    closed = (plan.get("closed") or {}).get("period") or [None, None]
    out = {years[0]: "基年" if years[0] == CENSUS_YEAR else "起点（年末估计）"} if years else {}
    if closed[1] in years:
        out[closed[1]] = "上一规划收官年"
    report = (manifest.get("key_results") or {}).get("year")
    if report in years and report != years[0]:
        out[report] = "报告年（" + ("规划草案" if plan.get("status") == "draft" else "规划") + "目标年）"
    return out


PAGE_CSS = """
@page{size:A4;margin:12mm}
body{font-family:"Noto Sans SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#222;
     max-width:186mm;margin:0 auto;font-size:10pt;line-height:1.4}
h1{font-size:16pt;margin:0 0 1mm}.meta{color:#555;font-size:9pt;margin:0 0 2mm}
table{border-collapse:collapse;width:100%;margin:1mm 0 2mm;break-inside:avoid}
th,td{border:1px solid #bbb;padding:0.6mm 1.5mm;text-align:left;vertical-align:top;font-size:9pt}
th{background:#eef;font-weight:normal}tr>th:first-child{font-weight:bold}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.est{color:#a60;font-weight:bold}.pub{color:#060;font-weight:bold}
p.note{font-size:8.5pt;color:#333;margin:1mm 0}
figure{margin:1mm 0;break-inside:avoid}figure svg{width:100%;height:auto;max-height:95mm}
figcaption{font-size:8.5pt;color:#444}
@media print{a{color:inherit;text-decoration:none}.nav{display:none}}
"""


def render_onepager(manifest: dict[str, Any], indicators: pd.DataFrame, unit_id: str) -> str:
    """The one-pager of ``unit_id`` (escaped HTML; the caller sanitises)."""
    esc = html.escape
    base = (manifest.get("key_results") or {}).get("base") or (manifest.get("parameters") or {}).get(
        "base", "registered"
    )
    years = page_years(manifest, base)
    name = (manifest.get("unit_names") or {}).get(unit_id, unit_id)
    rows = cells(indicators, unit_id, base, years)
    base_zh = base_label(base)
    info = citation_info(manifest)
    sel = indicators[(indicators["unit_id"] == unit_id) & (indicators["base"] == base)]
    marks = [y for y in years[1:]]
    chart = elderly_chart(sel, marks, f"{name}60岁及以上与80岁及以上人口（{base_zh}，万人）")
    links = ['<a href="../index.html">返回总览</a>']
    brief = (manifest.get("briefs") or {}).get(unit_id)
    if brief:
        links.append(f'<a href="../{esc(brief)}">简报</a>')
    book = (manifest.get("workbooks") or {}).get(unit_id)
    if book:
        links.append(f'<a href="../{esc(book)}">Excel工作簿</a>')
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(name)}民政事业预测一页表</title>
<style>{PAGE_CSS}</style></head><body>
<p class="nav"><small>{" · ".join(links)}</small></p>
<h1>{esc(name)}民政事业预测一页表</h1>
<p class="meta">{esc(base_zh)} · {esc(info["scenario"])} · {esc(info["date"])}</p>
{table_html(rows, years, year_labels(manifest, years))}
<p class="note">每格：中位数（粗体），下方小字为10%–90%区间；<span class="est">估</span> = 依赖估计输入（县级分年龄性别基期人口、床位存量、社工与低保估算）；
<span class="pub">公布</span> = 基年公布数；无标记 = 由公布数据推算的预测。{esc(VIEWS_SENTENCE)}
护理型床位缺口 = 护理型床位需求（比例法）− 护理型床位存量（估算），正值为缺口。</p>
<figure>{chart}<figcaption>图：60岁及以上与80岁及以上人口的中位数路径，阴影为10%–90%区间；竖线为上一规划收官年与报告年。</figcaption></figure>
{citation_html(info)}
</body></html>
"""


def write_onepagers(run_dir: Path, manifest: dict[str, Any], indicators: pd.DataFrame | None = None) -> dict[str, str]:
    """Write ``<unit>/onepager.html`` for every unit of the run that has table rows (the city
    included when it ran). ``indicators``: the run's indicator table (read from
    ``tables/indicators.csv`` when not given). Returns ``{unit_id: relative path}``."""
    if indicators is None:
        path = run_dir / "tables" / "indicators.csv"
        if not path.exists():
            return {}
        indicators = pd.read_csv(path)
    units = list((manifest.get("parameters") or {}).get("units") or [])
    have = set(indicators["unit_id"])
    written = {}
    for uid in units:
        if uid not in have:
            continue
        out = run_dir / uid / PAGE_NAME
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(sanitise_page(render_onepager(manifest, indicators, uid)), encoding="utf-8")
        written[uid] = out.relative_to(run_dir).as_posix()
    return written

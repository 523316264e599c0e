"""The run's ``index.html`` for people: the 要点 box, every unit × notebook with status and links,
what changed, the run's details; Chinese first, no external assets.

Each notebook's own page (exported without its code) is :mod:`analysis.present.notebook_html`, which
the workers use; this module imports the 要点 (:mod:`analysis.present.keypoints`, pandas) and is used only
by a real run (:mod:`analysis.run.staging`).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from .keypoints import KEY_POINTS, UNIT_ZH, fmt, key_points_html, notes_appendix_html, scenario_label
from .labels import base_label
from .method_notes import manifest_notes
from .page_style import PAGE_STYLE as _STYLE
from .changes_html import render_changes
from .clock import beijing_time
from .runs_page import STATUS_ZH
from .citation import citation_html, citation_info
from .plan_html import render_ledger_line, render_plan_odds

# Short Chinese titles of the notebooks for the index's column heads (the stem is the fallback).
NOTEBOOK_TITLES = {
    "01_population_projection": "01 人口预测<br><small>population</small>",
    "02_elder_care_beds": "02 养老床位<br><small>elder-care beds</small>",
    "03_social_work_workforce": "03 社工队伍<br><small>social work</small>",
    "04_assistance_wage_linkage": "04 低保与最低工资<br><small>低保 &amp; wage</small>",
    "05_plan_indicators": "05 规划指标<br><small>plan indicators</small>",
    "90_city_overview": "90 全市概览<br><small>city overview</small>",
    "91_backtest": "91 回测<br><small>backtest</small>",
    "99_scenario_explorer": "99 情景探索<br><small>explorer</small>",
}


def unit_link(name: str, uid: str, onepagers: dict[str, str] | None) -> str:
    """A unit's Chinese name (escaped), linked to its one-pager when the run wrote one."""
    page = (onepagers or {}).get(uid)
    if not page:
        return html.escape(name)
    return f'<a href="{html.escape(page)}" title="一页表 one-pager">{html.escape(name)}</a>'


def render_key_results(key: dict[str, Any] | None, onepagers: dict[str, str] | None = None) -> str:
    """The results that open the index: the city's 要点 box, then one row per unit with each
    figure's median, p10–p90 band and 估 marker, and the plan's targets as a last row. Each unit's
    name links to its one-pager (``onepagers``: unit id → page, :mod:`analysis.present.onepager`)."""
    if not key or not key.get("rows"):
        return ""
    esc = html.escape
    rows = key["rows"]
    city = next((r for r in rows if r["unit_id"] == "quanzhou"), None)
    city_odds = [o for o in key.get("odds") or [] if o["unit_id"] == "quanzhou" and o["year"] == key["year"]]
    box = (
        key_points_html(
            city.get("points", []),
            city["unit_name"],
            key["year"],
            key["base"],
            key.get("scenario_label", ""),
            city_odds,
        )
        if city
        else ""
    )
    present = [k for k in KEY_POINTS if any(p["indicator"] == k[0] for r in rows for p in r.get("points", []))]
    if not present:  # rows without 要点 (older manifests): medians only
        present = [k for k in KEY_POINTS if any(k[0] in r for r in rows)]
    head = "".join(
        f"<th>{esc(zh)}<br><small>{esc(en)}（{esc(UNIT_ZH[kind])}）</small></th>" for _, zh, en, kind, _ in present
    )

    def cell(row, name, kind):
        point = next((p for p in row.get("points", []) if p["indicator"] == name), None)
        if point is None:
            return f'<td class="num">{esc(fmt(row.get(name), kind))}</td>'
        band = (
            ""
            if point["p10"] is None or point["p90"] is None or point["p10"] == point["p90"]
            else f"<br><small>{esc(fmt(point['p10'], kind))}–{esc(fmt(point['p90'], kind))}</small>"
        )
        est = ' <span class="est" title="估计值 estimate">估</span>' if point["estimated"] else ""
        return f'<td class="num">{esc(fmt(point["p50"], kind))}{est}{band}</td>'

    body = "".join(
        "<tr"
        + (' class="city"' if row["unit_id"] == "quanzhou" else "")
        + f"><th>{unit_link(row['unit_name'], row['unit_id'], onepagers)}</th>"
        + "".join(cell(row, name, kind) for name, _, _, kind, _ in present)
        + "</tr>"
        for row in rows
    )
    targets = {p["indicator"]: p["target"] for p in (city or {}).get("points", []) if p["target"] is not None}
    plan = (
        (
            "<tr><th>规划目标 Plan（全市 city）</th>"
            + "".join(f'<td class="num">{esc(fmt(targets.get(name), kind))}</td>' for name, _, _, kind, _ in present)
            + "</tr>"
        )
        if targets
        else ""
    )
    base_zh = base_label(key["base"], english=True)
    return (
        box + f"<h2>各县（市、区）主要结果 Key results by unit（{esc(str(key['year']))}年，{esc(base_zh)}）</h2>"
        "<p><small>"
        + ("点击单位名称打开其一页表（基年、上一规划收官年与报告年的主要数字）。 " if onepagers else "")
        + '每格：中位数，下方小字为10%–90%区间；<span class="est">估</span> = 依赖估计输入。'
        " Each cell: median, below it the p10–p90 band; 估 = rests on estimated inputs.</small></p>"
        f'<div class="scroll"><table><tr><th>单位 Unit</th>{head}</tr>{body}{plan}</table></div>'
    )


def readable_parameters(params: dict[str, Any], unit_names: dict[str, str]) -> list[tuple[str, str]]:
    """The run's parameters as (label, text) pairs for people — no Python reprs."""
    units = params.get("units") or []
    rows = [
        ("单位 Units", f"{len(units)} 个：" + "、".join(unit_names.get(u, str(u)) for u in units) if units else "—"),
        ("报告 Notebooks", "、".join(str(n) for n in params.get("notebooks") or []) or "—"),
        ("年份 Years", f"{params.get('start_year', '—')}–{params.get('end_year', '—')}"),
        ("抽样次数 Draws", str(params.get("draws", "—"))),
        ("随机种子 Seed", str(params.get("seed", "—"))),
        ("并行 Workers", str(params.get("scheduler") or params.get("workers", "—"))),
    ]
    for label, key in (("情景修改 Overrides", "overrides"), ("其他参数 Extra parameters", "extra")):
        value = params.get(key)
        if value:
            rows.append(
                (label, "；".join(f"{k} = {v}" for k, v in value.items()) if isinstance(value, dict) else str(value))
            )
    return rows


def origin_rows(origin: dict[str, Any] | None) -> list[tuple[str, str]]:
    """One line on where each base jumps off and how far the data would let it, and one on what
    new data moved it since the run before (issue 25)."""
    if not origin:
        return []
    text = f"户籍 registered {origin.get('year')}年末 ({origin.get('basis', '—')}; {origin.get('data_vintage', '—')})"
    resident = (origin.get("bases") or {}).get("resident")
    if resident:
        text += f"；常住 resident {resident['year']}年11月1日普查基期 census base (no resident post-censal estimates)"
    est = origin.get("estimates") or {}
    if est.get("modelled_years"):
        text += (
            f"；总数推算 {est['modelled_years']} 年 total modelled {est['modelled_years']} year(s), "
            f"基期误差 base error sd {est.get('carry_sd_pct', 0):.2f} % in the bands"
        )
    if est.get("rebase"):
        text += f"；重新定基 {est['rebase']}"
    latest = origin.get("latest_possible")
    if latest and latest != origin.get("year"):
        text += f"；数据已到 data reach {latest}（--origin {latest} 可由最新估计起算）"
    rows = [("起点 Origin", text)]
    moved = origin.get("since_previous")
    if moved:
        new = "、".join(moved.get("new_data") or []) or "无新数据 no new data"
        rows.append(
            (
                "新数据 New data",
                f"上次运行 {moved.get('run_id')} 以来 since the previous run: {new}；起点 origin "
                f"{moved.get('origin')} → {origin.get('year')}",
            )
        )
    return rows


def _print_cell(manifest: dict[str, Any], uid: str) -> str:
    """The index cell of a unit's printable products: full report (PDF, print HTML) and brief."""
    esc = html.escape
    report = manifest.get("print_reports", {}).get(uid) or {}
    brief = manifest.get("briefs", {}).get(uid)
    links = []
    if report.get("pdf"):
        links.append(f'<a href="{esc(report["pdf"])}">报告PDF</a>')
    if report.get("html"):
        links.append(f'<a href="{esc(report["html"])}">打印版 print</a>')
    if brief:
        pdf = str(Path(brief).with_suffix(".pdf"))
        has_pdf = (manifest.get("pdf") or {}).get("made") and pdf not in (manifest.get("pdf") or {}).get("failed", [])
        links.append(f'<a href="{esc(brief)}">简报 brief</a>' + (f' (<a href="{esc(pdf)}">PDF</a>)' if has_pdf else ""))
    return "<td>" + " · ".join(links) + "</td>"


def _pdf_line(manifest: dict[str, Any]) -> str:
    """One line on the PDFs: how many were printed, or why none were."""
    info = manifest.get("pdf")
    if not info:
        return ""
    if not info.get("made"):
        return f"<p><small>PDF：{html.escape(str(info.get('reason', '未生成 not made')))}</small></p>"
    failed = info.get("failed") or []
    return (
        f"<p><small>PDF：已打印 {int(info.get('printed', 0))} 份（A4）printed"
        + (f"；失败 failed: {html.escape('、'.join(failed))}" if failed else "")
        + "</small></p>"
    )


def _quick_links(manifest: dict[str, Any]) -> str:
    """One line under the title: the city's printable report and brief, the scenario comparison."""
    esc = html.escape
    city = (manifest.get("print_reports") or {}).get("quanzhou") or {}
    links = []
    if city.get("pdf") or city.get("html"):
        links.append(
            f'<a href="{esc(city.get("pdf") or city["html"])}">全市报告（打印版{"PDF" if city.get("pdf") else ""}）</a>'
        )
    onepager = (manifest.get("onepagers") or {}).get("quanzhou")
    if onepager:
        links.append(f'<a href="{esc(onepager)}">全市一页表 city one-pager</a>')
    brief = (manifest.get("briefs") or {}).get("quanzhou")
    if brief:
        links.append(f'<a href="{esc(brief)}">全市简报 city brief</a>')
    comp = manifest.get("comparison") or {}
    if comp.get("page"):
        links.append(f'<a href="{esc(comp["page"])}">情景比较 scenario comparison</a>')
    return f"<p>{' · '.join(links)}</p>" if links else ""


def _comparison_link(manifest: dict[str, Any]) -> str:
    """The link to the run's scenario comparison (or why it is missing)."""
    comp = manifest.get("comparison")
    if not comp:
        return ""
    if comp.get("error"):
        return (
            f'<p class="failed_run">情景比较未能生成 Scenario comparison failed: {html.escape(str(comp["error"]))}</p>'
        )
    names = "、".join(str(n) for n in comp.get("scenarios", []))
    return (
        f'<h2>情景比较 Scenario comparison</h2><p><a href="{html.escape(comp["page"])}">'
        f"情景比较 {html.escape(names)}</a>：主要指标逐县对照，含与第一个情景的差额和叠加图。"
        " Key indicators per unit side by side, with differences and overlay charts.</p>"
    )


def render_index(manifest: dict[str, Any]) -> str:
    """The run's ``index.html``: results first (the city's 要点 and the units' key figures), then
    the unit × notebook table of reports, then the run's details in Beijing time and the method
    notes grouped by topic."""
    esc = html.escape
    jobs = manifest.get("jobs", [])
    units = manifest.get("unit_names", {})
    notebooks = sorted({j["notebook"] for j in jobs})
    unit_order = list(dict.fromkeys(j["unit"] for j in jobs))
    by_cell = {(j["unit"], j["notebook"]): j for j in jobs}
    counts = {s: sum(1 for j in jobs if j["status"] == s) for s in ("ok", "failed", "skipped")}
    status = manifest.get("status", "")
    status_cls = "failed_run" if status == "failed" else status

    rows = []
    for uid in unit_order:
        cells = [
            f"<th>{unit_link(units.get(uid, uid), uid, manifest.get('onepagers'))} <small>({esc(uid)})</small></th>"
        ]
        for nb in notebooks:
            job = by_cell.get((uid, nb))
            if job is None:
                cells.append("<td></td>")
                continue
            link = job.get("html") or job.get("output")
            label = STATUS_ZH.get(job["status"], job["status"])
            title = ""
            if job["status"] == "failed":
                title = f' title="{esc(str(job.get("error_name")))}: {esc(str(job.get("error_message")))[:300]}"'
            extra = f" · {job['seconds']:.1f}s" if job.get("seconds") is not None else ""
            cells.append(
                f'<td class="{esc(job["status"])}"{title}><a href="{esc(link)}">{esc(label)}</a>'
                f"<small>{extra}</small></td>"
            )
        xlsx = manifest.get("workbooks", {}).get(uid)
        cells.append(f'<td><a href="{esc(xlsx)}">{esc(Path(xlsx).name)}</a></td>' if xlsx else "<td></td>")
        cells.append(_print_cell(manifest, uid))
        rows.append("<tr>" + "".join(cells) + "</tr>")

    failures = "".join(
        f"<li><b>{esc(units.get(j['unit'], j['unit']))}</b> / {esc(j['notebook'])}: "
        f"<code>{esc(str(j.get('error_name')))}</code> {esc(str(j.get('error_message')))[:500]} "
        f'(<a href="{esc(j.get("html") or j["output"])}">查看 view</a>)</li>'
        for j in jobs
        if j["status"] == "failed"
    )
    params = manifest.get("parameters", {})
    param_rows = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>"
        for k, v in readable_parameters(params, units) + origin_rows(manifest.get("origin"))
    )
    vintages = manifest.get("vintages", {})
    vintage_text = "、".join(f"{esc(k)} = {esc(str(v))}" for k, v in vintages.items() if v != "raw") or "data/raw"
    table_error = manifest.get("error")
    head = "".join(f"<th>{NOTEBOOK_TITLES.get(nb, esc(nb))}</th>" for nb in notebooks)
    scen = manifest.get("scenario", {})
    label = scenario_label(str(scen.get("name", "")), scen.get("overrides"))
    key = dict(manifest.get("key_results") or {}, scenario_label=label)
    name = manifest.get("name")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>泉州市民政事业预测报告 · {esc(str(name or manifest.get("run_id", "")))}</title>
<style>{_STYLE}</style></head><body>
<h1>泉州市民政事业发展规划预测报告 <small>Quanzhou civil-affairs forecast</small></h1>
<p><b>{esc(label)}</b> · 口径 Base <b>{esc(base_label(str(params.get("base", "")), short=True, english=True))}</b> ·
完成于 {esc(beijing_time(manifest.get("finished") or manifest.get("started")))} ·
状态 <b class="{esc(status_cls)}">{esc(STATUS_ZH.get(status_cls, status))}</b></p>
{f'<p class="failed_run"><b>错误 Error:</b> {esc(str(table_error))}</p>' if table_error else ""}
{_quick_links(manifest)}
{render_ledger_line(manifest)}
{render_plan_odds(manifest)}
{render_key_results(key, manifest.get("onepagers"))}
{render_changes(manifest.get("changes"))}
{_comparison_link(manifest)}
<h2>报告 Reports</h2>
{_pdf_line(manifest)}
<div class="scroll"><table><tr><th>单位 Unit</th>{head}<th>Excel</th><th>打印与简报 Print &amp; brief</th></tr>
{"".join(rows)}</table></div>
{f"<h2>失败 Failures</h2><ul>{failures}</ul>" if failures else ""}
<h2>数据表 Tables</h2>
<p><a href="tables/indicators.csv">tables/indicators.csv</a> （指标 indicators, p10/p50/p90） ·
<a href="tables/population.csv">tables/population.csv</a> （分年龄性别人口 population by sex and age） ·
<a href="tables/plan_ledger.csv">tables/plan_ledger.csv</a> （规划收官台账 close-out ledger） ·
<a href="tables/plan_odds.csv">tables/plan_odds.csv</a> （目标达成概率 odds of meeting targets） ·
<a href="manifest.json">manifest.json</a></p>
<h2>运行信息 Run details</h2>
<table><tr><th>运行 Run</th><td><code>{esc(str(name or manifest.get("run_id", "")))}</code>
{f"（{esc(str(manifest.get('run_id', '')))}）" if name else ""}</td></tr>
<tr><th>开始 Started</th><td>{esc(beijing_time(manifest.get("started")))}</td></tr>
<tr><th>结束 Finished</th><td>{esc(beijing_time(manifest.get("finished")))}</td></tr>
<tr><th>报告数 Jobs</th><td>成功 ok {counts["ok"]} · 失败 failed {counts["failed"]} · 沿用 reused {counts["skipped"]}
· 合计 total {len(jobs)}</td></tr>
<tr><th>数据版本 Data vintages</th><td>{vintage_text}</td></tr>
{param_rows}</table>
{notes_appendix_html(manifest_notes(manifest))}
{citation_html(citation_info(manifest))}
</body></html>
"""

"""HTML for people: each executed notebook without its code, and the run's ``index.html``.

Notebook pages are exported in-process with nbconvert's ``HTMLExporter(exclude_input=True)``;
charts are PNGs embedded in the page. Script tags that would load from a CDN (require.js,
MathJax) are removed so the page works offline. Text from scenarios, data and parameters is
escaped (:mod:`analysis.safety`): Markdown outputs of a notebook cannot carry HTML tags. A failed notebook gets a red banner at the top
naming the error and showing the source of the failing cell (the code is otherwise hidden).
The index lists every unit × notebook with status and links, Chinese first, no external assets.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

_CDN_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.IGNORECASE)
_SCRIPT_BLOCK = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
_CDN_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->",
                                re.DOTALL | re.IGNORECASE)


def strip_cdn(page: str) -> str:
    """Remove script tags that fetch from the internet (the reports must work offline)."""
    page = _CDN_MATHJAX_BLOCK.sub("", page)
    page = _SCRIPT_BLOCK.sub(lambda m: "" if re.search(r"https?://cdn", m.group(0)) else m.group(0), page)
    return _CDN_SCRIPT.sub("", page)


def export_notebook_html(ipynb: Path, out_html: Path, result=None) -> None:
    """Write ``out_html`` from the executed notebook ``ipynb`` with code cells' input hidden.

    ``result`` (a :class:`~analysis.run.jobs.JobResult`) adds an error banner for a failed job.
    """
    import nbformat
    from nbconvert import HTMLExporter

    from ..safety import escape_notebook_outputs

    nb = nbformat.read(str(ipynb), as_version=4)
    escape_notebook_outputs(nb)  # scenario and data text reaches Markdown outputs: never raw HTML
    if result is not None and result.status == "failed":
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(error_banner(result)))
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True)
    body, _ = exporter.from_notebook_node(nb)
    out_html.write_text(strip_cdn(body), encoding="utf-8")


def error_banner(result) -> str:
    """Markdown (with inline HTML) telling a reader this notebook failed, where and why."""
    cell = ""
    if result.failed_cell_source:  # escaped <pre>, not a Markdown fence a ``` in the source could close
        cell = ("<p>失败的代码单元 Failing cell"
                + (f" (index {result.failed_cell_index})" if result.failed_cell_index is not None else "")
                + ":</p><pre><code>" + html.escape(result.failed_cell_source).replace("\n", "&#10;")
                + "</code></pre>")  # one line: a blank line would end the HTML block
    return ('<div style="border:3px solid #c00;padding:0.6em;background:#fee">'
            f"<b>运行失败 This notebook failed</b>: <code>{html.escape(str(result.error_name))}</code>: "
            f"{html.escape(str(result.error_message))}" + cell + "</div>")


_STATUS_ZH = {"ok": "成功 ok", "failed": "失败 failed", "skipped": "沿用上次 reused",
              "complete": "完成 complete", "partial": "部分失败 partial", "failed_run": "失败 failed"}

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


def _format_value(value, how: str) -> str:
    if value is None:
        return "—"
    if how == "wan":
        return f"{value / 1e4:,.1f}万"
    if how == "pct":
        return f"{value:.1f}%"
    return f"{value:,.0f}"


def render_key_results(key: dict[str, Any] | None) -> str:
    """The headline table of the index (medians of the run's tables), or nothing."""
    from .tables import KEY_RESULTS

    if not key or not key.get("rows"):
        return ""
    esc = html.escape
    present = [k for k in KEY_RESULTS if any(k[0] in row for row in key["rows"])]
    head = "".join(f"<th>{esc(label)}</th>" for _, label, _ in present)
    body = "".join(
        "<tr" + (' class="city"' if row["unit_id"] == "quanzhou" else "") + f"><th>{esc(row['unit_name'])}</th>"
        + "".join(f'<td class="num">{_format_value(row.get(name), how)}</td>' for name, _, how in present)
        + "</tr>" for row in key["rows"])
    base_zh = {"registered": "户籍人口口径 registered", "resident": "常住人口口径 resident"}.get(key["base"], key["base"])
    return (f"<h2>主要结果 Key results（{esc(str(key['year']))}年，{esc(base_zh)}，中位数 median）</h2>"
            f'<div class="scroll"><table><tr><th>单位 Unit</th>{head}</tr>{body}</table></div>'
            "<p><small>县级人口年龄结构、床位与社工存量为估计值；详见各报告。County age structures and the "
            "bed and social-worker stocks are estimates; see each report.</small></p>")


_STYLE = """
body{font-family:"Noto Sans SC","Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;
     max-width:70em;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.5}
table{border-collapse:collapse;margin:0.8em 0;width:100%}
th,td{border:1px solid #bbb;padding:0.3em 0.5em;text-align:left;font-size:0.95em}
th{background:#eef}
.ok{background:#e7f6e7}.failed{background:#fbdada}.skipped{background:#eef3fb}
.complete{color:#060}.partial{color:#a60}.failed_run{color:#c00}
code{font-size:0.9em}
.scroll{overflow-x:auto}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.city th,tr.city td{font-weight:bold;border-top:2px solid #888}
"""


def render_index(manifest: dict[str, Any]) -> str:
    """The run's ``index.html``: summary, parameters and a unit × notebook table with links."""
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
        cells = [f"<th>{esc(units.get(uid, uid))} <small>({esc(uid)})</small></th>"]
        for nb in notebooks:
            job = by_cell.get((uid, nb))
            if job is None:
                cells.append("<td></td>")
                continue
            link = job.get("html") or job.get("output")
            label = _STATUS_ZH.get(job["status"], job["status"])
            title = ""
            if job["status"] == "failed":
                title = f' title="{esc(str(job.get("error_name")))}: {esc(str(job.get("error_message")))[:300]}"'
            extra = f" · {job['seconds']:.1f}s" if job.get("seconds") is not None else ""
            cells.append(f'<td class="{esc(job["status"])}"{title}><a href="{esc(link)}">{esc(label)}</a>'
                         f"<small>{extra}</small></td>")
        xlsx = manifest.get("workbooks", {}).get(uid)
        cells.append(f'<td><a href="{esc(xlsx)}">{esc(Path(xlsx).name)}</a></td>' if xlsx else "<td></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")

    failures = "".join(
        f"<li><b>{esc(units.get(j['unit'], j['unit']))}</b> / {esc(j['notebook'])}: "
        f"<code>{esc(str(j.get('error_name')))}</code> {esc(str(j.get('error_message')))[:500]} "
        f'(<a href="{esc(j.get("html") or j["output"])}">查看 view</a>)</li>'
        for j in jobs if j["status"] == "failed")
    params = manifest.get("parameters", {})
    param_rows = "".join(f"<tr><th>{esc(str(k))}</th><td>{esc(str(v))}</td></tr>" for k, v in params.items())
    vintages = manifest.get("vintages", {})
    vintage_text = ", ".join(f"{esc(k)}={esc(str(v))}" for k, v in vintages.items() if v != "raw") or "data/raw"
    table_error = manifest.get("error")
    head = "".join(f"<th>{NOTEBOOK_TITLES.get(nb, esc(nb))}</th>" for nb in notebooks)
    notes = "".join(f"<p><small>{esc(str(n))}</small></p>" for n in manifest.get("notes", []))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>泉州市民政事业预测报告 · 运行 {esc(manifest.get('run_id', ''))}</title>
<style>{_STYLE}</style></head><body>
<h1>泉州市民政事业发展规划预测报告 <small>Quanzhou civil-affairs forecast</small></h1>
<p>运行 Run <code>{esc(manifest.get('run_id', ''))}</code> ·
状态 Status <b class="{esc(status_cls)}">{esc(_STATUS_ZH.get(status_cls, status))}</b> ·
开始 Started {esc(manifest.get('started', ''))} · 结束 Finished {esc(manifest.get('finished', ''))}</p>
<p>情景 Scenario <b>{esc(str(manifest.get('scenario', {}).get('name', '')))}</b> ·
口径 Base <b>{esc(str(params.get('base', '')))}</b>（registered = 户籍, resident = 常住）·
数据版本 Data vintages: {vintage_text}</p>
<table><tr><th>成功 ok</th><th>失败 failed</th><th>沿用 reused</th><th>合计 total</th></tr>
<tr><td>{counts['ok']}</td><td>{counts['failed']}</td><td>{counts['skipped']}</td><td>{len(jobs)}</td></tr></table>
{f'<p class="failed_run"><b>错误 Error:</b> {esc(str(table_error))}</p>' if table_error else ''}
{render_key_results(manifest.get("key_results"))}
<h2>报告 Reports</h2>
<div class="scroll"><table><tr><th>单位 Unit</th>{head}<th>Excel</th></tr>
{''.join(rows)}</table></div>
{f'<h2>失败 Failures</h2><ul>{failures}</ul>' if failures else ''}
<h2>数据表 Tables</h2>
<p><a href="tables/indicators.csv">tables/indicators.csv</a> （指标 indicators, p10/p50/p90） ·
<a href="tables/population.csv">tables/population.csv</a> （分年龄性别人口 population by sex and age, p50） ·
<a href="manifest.json">manifest.json</a></p>
<h2>参数 Parameters</h2><table>{param_rows}</table>
{notes}
</body></html>
"""

"""The index section 与上次完整运行相比的变化 What changed since the previous complete run, as HTML.

Renders ``manifest["changes"]`` (what :func:`analysis.run.changes.what_changed` recorded: inputs,
each unit's key results, the model interventions) for the run's ``index.html``
(:mod:`analysis.present.html`); Chinese first, escaped. Reading and comparing runs stays in the runner
(:mod:`analysis.run.changes`, which re-exports :func:`render_changes`); this module only writes.
"""

from __future__ import annotations

import html
from typing import Any

from .clock import beijing_time
from .keypoints import UNIT_ZH, fmt
from .labels import BASES, base_label

SHOWN_RESULTS = 30  # rows of the results table on the page (the manifest keeps all of them)


def _fmt(value: Any, kind: str) -> str:
    return fmt(value, kind)


def _rows_text(before: Any, after: Any) -> str:
    b = "—" if before is None else f"{before:,}"
    a = "—" if after is None else f"{after:,}"
    return a if before == after else f"{b} → {a}"


def render_changes(changes: Any) -> str:
    """The index section 与上次完整运行相比的变化 What changed (escaped HTML; '' without a record)."""
    if not isinstance(changes, dict):
        return ""
    esc = html.escape
    parts = ['<section class="changes"><h2>与上次完整运行相比的变化 What changed since the previous complete run</h2>']
    previous = changes.get("previous")
    if not previous:
        parts.append("<p>没有可比较的上次完整运行。 No previous complete run to compare with.</p>")
    else:
        parts.append(
            f"<p>上次完整运行 Previous complete run: <code>{esc(str(previous))}</code>"
            f"（{esc(beijing_time(changes.get('previous_finished')))}）</p>"
        )
        inputs = [i for i in changes.get("inputs") or [] if isinstance(i, dict)]
        if inputs:
            what = {"added": "新增 added", "removed": "移除 removed", "changed": "已变更 changed"}
            rows = []
            for i in inputs:
                by_unit = i.get("rows_by_unit") or {}
                touched = "；".join(
                    f"{esc(u)}: 新增 {c.get('added', 0)} · 替换 {c.get('replaced', 0)} · 保留 {c.get('kept', 0)}"
                    f" · 删除 {c.get('dropped', 0)}"
                    for u, c in by_unit.items()
                    if isinstance(c, dict) and (c.get("added") or c.get("replaced") or c.get("dropped"))
                )
                rows.append(
                    f"<tr><td>{esc(str(i.get('table')))}<br><small><code>{esc(str(i.get('path')))}</code>"
                    f"</small></td><td>{esc(what.get(i.get('change'), str(i.get('change'))))}</td>"
                    f"<td>{esc(str(i.get('vintage_before') or '—'))} → {esc(str(i.get('vintage_after') or '—'))}</td>"
                    f'<td class="num">{esc(_rows_text(i.get("rows_before"), i.get("rows_after")))}</td>'
                    f"<td><small>{touched}</small></td></tr>"
                )
            parts.append(
                '<h3>输入数据 Inputs</h3><div class="scroll"><table><tr><th>数据表 Table</th>'
                "<th>变化 Change</th><th>版本 Vintage</th><th>行数 Rows</th>"
                "<th>各单位行 Rows by unit</th></tr>" + "".join(rows) + "</table></div>"
            )
        else:
            parts.append("<p>输入数据未变。 No input changed.</p>")
        results = [r for r in changes.get("results") or [] if isinstance(r, dict)]
        if not changes.get("comparable"):
            parts.append(f"<p>主要结果不可比：{esc(str(changes.get('why_not', '')))}。 Key results not comparable.</p>")
        elif not results:
            parts.append("<p>各单位主要结果未变。 No key result moved.</p>")
        else:
            body = []
            for r in results[:SHOWN_RESULTS]:
                kind = str(r.get("kind", ""))
                rel = r.get("relative")
                change = (
                    "新 new"
                    if r.get("before") is None
                    else "无 gone"
                    if r.get("after") is None
                    else (f"{_fmt(r.get('change'), kind)}" + ("" if rel is None else f"（{rel:+.1%}）"))
                )
                body.append(
                    f"<tr><th>{esc(str(r.get('unit_name')))}</th><td>{esc(str(r.get('label_zh')))}"
                    f"<br><small>{esc(str(r.get('label_en')))}（{esc(UNIT_ZH.get(kind, ''))}）</small></td>"
                    f'<td class="num">{esc(_fmt(r.get("before"), kind))}</td>'
                    f'<td class="num">{esc(_fmt(r.get("after"), kind))}</td>'
                    f'<td class="num">{esc(change)}</td></tr>'
                )
            more = len(results) - SHOWN_RESULTS
            parts.append(
                "<h3>各单位主要结果（中位数，变动最大者在前） Key results, largest moves first</h3>"
                '<div class="scroll"><table><tr><th>单位 Unit</th><th>指标 Result</th><th>上次 Before</th>'
                "<th>本次 After</th><th>变化 Change</th></tr>"
                + "".join(body)
                + "</table></div>"
                + (
                    f"<p><small>另有{more}项变化见 manifest.json（changes）。 {more} more in manifest.json.</small></p>"
                    if more > 0
                    else ""
                )
            )
    notes = [n for n in changes.get("interventions") or [] if isinstance(n, dict)]
    if notes:
        items = "".join(
            f"<li>{esc((base_label(n.get('base')) + '：') if n.get('base') in BASES else '')}"
            f"{esc(str(n.get('zh')))}"
            + (f"（共{esc(str(n['amount']))}人次，全部抽样和年份合计）" if n.get("amount") else "")
            + f" <small>{esc(str(n.get('en') or ''))}</small></li>"
            for n in notes
        )
        parts.append(f"<h3>模型干预 Model interventions</h3><ul>{items}</ul>")
    parts.append("</section>")
    return "".join(parts)

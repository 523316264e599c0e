"""``reports/index.html``: every kept run with its name, scope, scenario, status and date.

Written after each run (under the run lock). A subset run (some units or notebooks) is published
under its own folder and listed here; only a full run — or one run with ``--publish`` — moves
``reports/latest``. The runner reads the kept runs' manifests here; what is printed of each run
(status words, name, scope) is :mod:`analysis.present.runs_page`.
"""

from __future__ import annotations

import html

from .. import config
from ..present.clock import beijing_time
from ..present.page_style import PAGE_STYLE as _STYLE
from ..present.runs_page import STATUS_ZH as _STATUS_ZH  # the old name, kept importable
from ..present.runs_page import run_name, scope
from ..sanitiser import sanitise_page
from .manifest import finished_at, read_manifest
from .publish import latest_run, runs_dir


def render_runs_index(runs_dir, latest=None) -> str:
    """The page listing every run folder under ``runs_dir`` (newest first)."""

    esc = html.escape
    rows = []
    folders = [f for f in runs_dir.iterdir() if f.is_dir() and not f.name.startswith(".")] if runs_dir.is_dir() else []
    entries = [(f, read_manifest(f) or {}) for f in folders]
    entries.sort(key=lambda e: (finished_at(e[1]), e[0].name), reverse=True)
    for folder, m in entries:
        status = m.get("status") or ""
        cls = "failed_run" if status == "failed" else status
        mark = " <b>（最新 latest）</b>" if latest is not None and folder.resolve() == latest else ""
        rows.append(
            f'<tr><td><a href="runs/{esc(folder.name)}/index.html">{esc(run_name(m))}</a>{mark}</td>'
            f'<td>{esc(scope(m))}</td><td class="{esc(cls)}">{esc(_STATUS_ZH.get(cls, status))}</td>'
            f"<td>{esc(beijing_time(m.get('finished')))}</td><td><code>{esc(folder.name)}</code></td></tr>"
        )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>泉州市民政事业预测 · 历次运行 Runs</title>
<style>{_STYLE}</style></head><body>
<h1>历次运行 Runs <small>Quanzhou civil-affairs forecast</small></h1>
<p><a href="latest/index.html">最新的完整运行 Latest full run</a>。部分运行（部分单位或报告）不替换最新运行，只在下表列出。
Subset runs do not replace the latest full run; they are listed below.</p>
<div class="scroll"><table><tr><th>名称 Name</th><th>范围 Scope</th><th>状态 Status</th><th>完成 Finished</th>
<th>文件夹 Folder</th></tr>{"".join(rows)}</table></div></body></html>
"""


def write_runs_index() -> None:

    path = config.reports_dir() / "index.html"
    path.write_text(sanitise_page(render_runs_index(runs_dir(), latest_run())), encoding="utf-8")

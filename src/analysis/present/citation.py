"""The 如何引用/版本 block: what a researcher needs to cite a page of a run (issue 28, item 6a).

Every page the runner writes (the index, the briefs, the one-pagers, the comparison, the print
reports and the notebook pages) and every workbook carries the same facts, taken from the run's
``manifest.json``:

* the suite's version from the installed package's metadata (``pyproject.toml``'s ``version``,
  read with :func:`importlib.metadata.version`) and the git commit of the code (first 10 digits;
  ``+改动`` when the work tree had uncommitted changes);
* the run id (and the run's ``--name`` if it has one);
* the run's start time in Beijing time (UTC+8);
* the data vintages in use (only the tables read from a dated vintage are named; the others are
  read from ``data/raw`` as committed with the code);
* the scenario, with its overrides.

:func:`citation_info` gathers the facts (plain strings, JSON-ready), :func:`citation_html` prints
them as a small escaped ``<div class="cite">`` block (no nested ``div``: :func:`with_citation`
replaces a block already in a page, e.g. a notebook page reused by ``--incremental``), and
:func:`citation_rows` gives them as (label, text) rows for the workbook.
"""

from __future__ import annotations

import html
import re
from importlib import metadata
from typing import Any

from .labels import scenario_label
from .clock import beijing_time

DISTRIBUTION = "quanzhou-civil-affairs-forecast"
TITLE_ZH = "泉州市民政事业发展规划预测"
CITE_CSS = (
    ".cite{border-top:1px solid #999;margin:4mm 0 0;padding:1.5mm 0 0;font-size:8pt;color:#444;"
    "line-height:1.35;break-inside:avoid}.cite b{color:#222}.cite code{font-size:8pt}"
)
_BLOCK = re.compile(r'<style>\.cite\{[^<]*</style><div class="cite"[^>]*>.*?</div>', re.DOTALL)


def suite_version() -> str:
    """The installed suite's version (package metadata); "未安装 not installed" if it is not."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "未安装 not installed"


def citation_info(manifest: dict[str, Any]) -> dict[str, str]:
    """The citation facts of a run, from its manifest (see the module docstring)."""
    code = manifest.get("code") or {}
    commit = str(code.get("commit") or "")[:10]
    version = suite_version() + (f"（代码 {commit}{'+改动' if code.get('dirty') else ''}）" if commit else "")
    vintages = {k: str(v) for k, v in (manifest.get("vintages") or {}).items() if str(v) != "raw"}
    vintage_text = (
        "、".join(f"{k} {v}" for k, v in sorted(vintages.items())) + "；其余为 data/raw"
        if vintages
        else "全部为 data/raw（随代码版本提交的原始数据）"
    )
    scen = manifest.get("scenario") or {}
    name = manifest.get("name")
    run = str(manifest.get("run_id", "—")) + (f"（{name}）" if name else "")
    return {
        "version": version,
        "run": run,
        "date": beijing_time(manifest.get("started")),
        "vintages": vintage_text,
        "scenario": scenario_label(str(scen.get("name", "")), scen.get("overrides")) or "—",
    }


def citation_text(info: dict[str, str]) -> str:
    """One sentence to paste into a document's references."""
    return (
        f"{TITLE_ZH}（泉州市民政事业预测套件 {info['version']}），运行 {info['run']}，{info['scenario']}，"
        f"{info['date']}。"
    )


def citation_rows(info: dict[str, str]) -> list[tuple[str, str]]:
    """The block as (label, text) rows (the workbook's first sheet and 说明)."""
    return [
        ("如何引用", citation_text(info)),
        ("套件版本", info["version"]),
        ("运行编号", info["run"]),
        ("运行日期", info["date"]),
        ("数据版本", info["vintages"]),
        ("情景", info["scenario"]),
    ]


def citation_html(info: dict[str, str]) -> str:
    """The block as escaped HTML with its own style (one ``<div class="cite">``, nothing nested):
    the sentence to cite (version, run, scenario, date) and the data vintages."""
    esc = html.escape
    return (
        f'<style>{CITE_CSS}</style><div class="cite"><b>如何引用 How to cite：</b>{esc(citation_text(info))}'
        f" <b>数据版本 Data vintages：</b>{esc(info['vintages'])}</div>"
    )


def without_citation(page: str) -> str:
    """``page`` without the citation block (a notebook page joined into a print report)."""
    return _BLOCK.sub("", page)


def with_citation(page: str, block: str) -> str:
    """``page`` with ``block`` as the last thing in its body (a block already there is replaced)."""
    page = without_citation(page)
    if "</body>" in page:
        return page.replace("</body>", block + "</body>", 1)
    return page + block

"""Each executed notebook's page for people: without its code, offline, escaped (light: no pandas).

Notebook pages are exported in-process with nbconvert's ``HTMLExporter(exclude_input=True)``;
charts are PNGs embedded in the page. Script tags that would load from a CDN (require.js,
MathJax) are removed so the page works offline. Text from scenarios, data and parameters is
escaped (:mod:`analysis.safety`): Markdown outputs of a notebook cannot carry HTML tags. A failed notebook gets a red banner at the top
naming the error and showing the source of the failing cell (the code is otherwise hidden).
The workers export each job's page (:mod:`analysis.run.jobs`); the run's index is
:mod:`analysis.present.html`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..safety import escape_notebook_outputs
from ..sanitiser import sanitise_page
from .chart_files import add_download_links

_CDN_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.IGNORECASE)
_SCRIPT_BLOCK = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
_CDN_MATHJAX_BLOCK = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL | re.IGNORECASE
)


def strip_cdn(page: str) -> str:
    """Remove script tags that fetch from the internet (the reports must work offline)."""
    page = _CDN_MATHJAX_BLOCK.sub("", page)
    page = _SCRIPT_BLOCK.sub(lambda m: "" if re.search(r"https?://cdn", m.group(0)) else m.group(0), page)
    return _CDN_SCRIPT.sub("", page)


def export_notebook_html(ipynb: Path, out_html: Path, result=None, nb=None) -> None:
    """Write ``out_html`` from the executed notebook ``ipynb`` with code cells' input hidden.

    ``result`` (a :class:`~analysis.run.jobs.JobResult`) adds an error banner for a failed job.
    ``nb``: the notebook papermill just wrote to ``ipynb``, if the caller has it (saves reading
    and validating it again); it is changed here (outputs escaped, links added).
    """
    import nbformat
    from nbconvert import HTMLExporter

    if nb is None:
        nb = nbformat.read(str(ipynb), as_version=4)
    escape_notebook_outputs(nb)  # scenario and data text reaches Markdown outputs: never raw HTML
    add_download_links(nb, ipynb.stem)  # PNG (200 dpi) and SVG of each chart, written by chart_files
    if result is not None and result.status == "failed":
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(error_banner(result)))
    body, _ = _html_exporter(HTMLExporter).from_notebook_node(nb)
    out_html.write_text(sanitise_page(for_readers(strip_cdn(body))), encoding="utf-8")


_EXPORTERS: dict = {}


def _html_exporter(cls):
    """One exporter per process (a worker reuses it for every job: templates load once)."""
    if cls not in _EXPORTERS:
        _EXPORTERS[cls] = cls(
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True
        )
    return _EXPORTERS[cls]


def warm_exporter() -> None:
    """Build this process's exporter and export an empty notebook once (templates, Jinja and
    Pygments load here, before the first job: a worker's warm-up, :func:`analysis.run.speed.warm_kernel.warm_up`)."""
    import nbformat
    from nbconvert import HTMLExporter

    _html_exporter(HTMLExporter).from_notebook_node(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 预热 warm-up")])
    )


# Wide tables scroll inside their output instead of widening the page; print keeps tables whole.
PAGE_CSS = (
    "<style>.jp-OutputArea-output,.jp-RenderedHTMLCommon{overflow-x:auto;max-width:100%}"
    ".jp-RenderedHTMLCommon table{max-width:100%}"
    ".jp-RenderedHTMLCommon img{max-width:100%;height:auto}"
    ".chart-dl{margin:0 0 1em;color:#555}.method-notes small.en{color:#666}"
    "@media print{.jp-OutputArea-output{overflow:visible}table,img{page-break-inside:avoid}.chart-dl{display:none}}"
    "</style>"
)


def for_readers(page: str) -> str:
    """An exported page for Chinese readers: ``lang="zh-CN"`` and the wide-table CSS."""
    page, n = re.subn(r"<html\b[^>]*>", '<html lang="zh-CN">', page, count=1)
    return page.replace("</head>", PAGE_CSS + "</head>", 1)


def error_banner(result) -> str:
    """Markdown (with inline HTML) telling a reader this notebook failed, where and why."""
    cell = ""
    if result.failed_cell_source:  # escaped <pre>, not a Markdown fence a ``` in the source could close
        cell = (
            "<p>失败的代码单元 Failing cell"
            + (f" (index {result.failed_cell_index})" if result.failed_cell_index is not None else "")
            + ":</p><pre><code>"
            + html.escape(result.failed_cell_source).replace("\n", "&#10;")
            + "</code></pre>"
        )  # one line: a blank line would end the HTML block
    return (
        '<div style="border:3px solid #c00;padding:0.6em;background:#fee">'
        f"<b>运行失败 This notebook failed</b>: <code>{html.escape(str(result.error_name))}</code>: "
        f"{html.escape(str(result.error_message))}" + cell + "</div>"
    )

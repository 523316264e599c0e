"""Charts to download: every figure of a report as a 200-dpi PNG and an SVG next to the report.

In a run the kernels publish each figure twice (:func:`analysis.present.plots.print_formats`: a PNG at
200 dpi and an SVG). The HTML page embeds the PNG as before and, under each chart, links the two
files ``<unit>/<notebook>_charts/chart<nn>.png|svg`` (:func:`add_download_links`, applied to the
notebook before export; the SVG is dropped from the page itself). :func:`extract` writes the files
from the executed notebook: the job's worker does it from the notebook it has just written, and
the parent for every reused job (and any job whose worker did not), so the links and the files
always come from the same ``.ipynb``.
"""

from __future__ import annotations

import base64
from pathlib import Path

PNG, SVG = "image/png", "image/svg+xml"


def chart_folder(ipynb: Path) -> Path:
    """``<unit>/<notebook>_charts`` for ``<unit>/<notebook>.ipynb``."""
    return ipynb.with_name(f"{ipynb.stem}_charts")


def _figures(nb):
    """``(output, number)`` for every figure output (a PNG) of the notebook, numbered from 1."""
    n = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if PNG in output.get("data", {}):
                n += 1
                yield cell, output, n


def _name(n: int) -> str:
    return f"chart{n:02d}"


def add_download_links(nb, stem: str) -> int:
    """In place: drop each figure's SVG from the page and add a download line under it.
    Returns the number of figures."""
    import html

    import nbformat

    folder = html.escape(f"{stem}_charts")
    count = 0
    for cell, output, n in list(_figures(nb)):
        count = n
        has_svg = SVG in output["data"]
        output["data"].pop(SVG, None)
        links = [f'<a href="{folder}/{_name(n)}.png" download>PNG（200 dpi）</a>']
        if has_svg:
            links.append(f'<a href="{folder}/{_name(n)}.svg" download>SVG（矢量 vector）</a>')
        line = nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": f'<p class="chart-dl"><small>下载本图 Download chart {n}：{" · ".join(links)}</small></p>'
            },
        )
        outputs = cell["outputs"]
        outputs.insert(outputs.index(output) + 1, line)
    return count


def extract(ipynb: Path, nb=None) -> list[Path]:
    """Write every figure of the executed notebook ``ipynb`` to its chart folder; returns the files.

    ``nb``: that notebook as papermill wrote it, if the caller holds it (the job's worker does:
    the parent then need not read every notebook again before printing)."""
    import nbformat

    if nb is None:
        nb = nbformat.read(str(ipynb), as_version=4)
    written = []
    folder = chart_folder(ipynb)
    for _cell, output, n in _figures(nb):
        if not written:
            folder.mkdir(exist_ok=True)
        data = output["data"]
        png = folder / f"{_name(n)}.png"
        png.write_bytes(base64.b64decode("".join(data[PNG]) if isinstance(data[PNG], list) else data[PNG]))
        written.append(png)
        if SVG in data:
            svg = folder / f"{_name(n)}.svg"
            svg.write_text("".join(data[SVG]) if isinstance(data[SVG], list) else data[SVG], encoding="utf-8")
            written.append(svg)
    return written

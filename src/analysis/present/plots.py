"""One house style for every chart: Chinese fonts, labelled axes with units, a source line.

Inside a run (``QZ_CHART_FILES`` set by the runner) a notebook's figures are published as a
200-dpi PNG and an SVG (:func:`print_formats`), so the report can offer both as downloads
(:mod:`analysis.present.chart_files`); the page shows the PNG at its normal size.

The CJK font comes from the pip package ``pylopdf-fonts-zh-cn`` (Noto Sans SC, SIL Open Font
License): it is registered with matplotlib's font manager at first use, so no system font, no
apt package and no font-cache step are needed.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg") if not matplotlib.get_backend().lower().startswith(("module://", "inline")) else None
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from .. import catalogue, hooks  # noqa: E402
from . import print_geometry  # noqa: E402

PALETTE = ["#1f5f99", "#d9822b", "#3b8f5a", "#b23a48", "#7a5195", "#5c6b73", "#c9a227"]
FAN_ALPHA = 0.25


@lru_cache(maxsize=1)
def cjk_font_name() -> str:
    """Register the bundled Noto Sans SC font with matplotlib and return its family name."""
    import pylopdf_fonts_zh_cn

    path = Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf"
    for entry in font_manager.fontManager.ttflist:  # registered once per process: a warm kernel's
        if entry.fname == str(path):  # reset empties this cache before every job, and
            return entry.name  # each addfont grew the font list and emptied findfont's cache
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


CHART_FILES_ENV = "QZ_CHART_FILES"


def print_formats() -> bool:
    """In a Jupyter kernel of a run, display figures as 200-dpi PNG (``retina``: twice the figure's
    100 dpi, shown at normal size) and SVG. True when set; elsewhere nothing changes.

    Both are printed by :func:`_png_200dpi` and :func:`_svg` (registered as the kernel's figure
    formatters), which lay a figure out once for the two (:func:`png_bytes`): matplotlib's own
    inline formatters run the constrained layout again inside every print and add a tight-bbox
    pass, four layout draws for one chart (issue 14 measured 0.76 s a chart). Checked at every chart:
    loading the inline backend (a fresh kernel's first ``plt.subplots``) resets the formatters."""
    if not os.environ.get(CHART_FILES_ENV):
        return False
    try:
        import matplotlib_inline.backend_inline  # noqa: F401 - its import resets the formatters: first
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    formatters = shell.display_formatter.formatters
    if formatters["image/png"].type_printers.get(Figure) is not _png_200dpi:
        for formatter in formatters.values():
            formatter.pop(Figure, None)
        formatters["image/png"].for_type(Figure, _png_200dpi)
        formatters["image/svg+xml"].for_type(Figure, _svg)
    return True


PRINT_DPI = 200  # the page shows it at half size (retina); the download is print resolution
PNG_COMPRESS_LEVEL = 3  # zlib level: 6 (PIL's default) spent a third of a chart's time for 3 % smaller files


def png_bytes(fig, dpi: float = PRINT_DPI) -> bytes:
    """The figure as a PNG at ``dpi`` (the run's 200 by default), laid out once for every format.

    A figure with a layout engine is laid out here at that resolution, then the engine is
    removed (its positions stay) and the PNG printed: the same pixels as ``savefig(dpi=dpi)``.
    matplotlib's print of a figure with an engine, even a frozen placeholder one, first draws the
    whole figure without output to lay it out; laying out directly and printing without an engine
    drops that draw from the PNG and from the SVG printed after it (issue 14: 28 % of a chart's
    time, with the same pixels and the same SVG, ``tests/test_plots.py``; a full draw of its own
    instead had cost 11 % more). A figure that never had a layout engine keeps the inline
    backend's ``bbox_inches="tight"`` crop, so a legend or a label outside the axes is not cut off
    (``savefig`` would not crop it). zlib level :data:`PNG_COMPRESS_LEVEL`: files ~3 % larger than
    ``savefig``'s."""
    import io

    if fig.get_layout_engine() is not None:
        _lay_out_and_freeze(fig, dpi)
    buffer = io.BytesIO()
    fig.canvas.print_figure(
        buffer,
        format="png",
        dpi=dpi,
        facecolor=fig.get_facecolor(),
        edgecolor=fig.get_edgecolor(),
        bbox_inches=_bbox(fig),
        pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL},
    )
    return buffer.getvalue()


def _lay_out_and_freeze(fig, dpi: float) -> None:
    """Run the figure's layout engine at ``dpi`` (as a print at that dpi does, and with the same
    guards as ``Figure.draw``), then remove the engine: every later print draws the positions
    found, without laying out again. The figure keeps no engine at all (matplotlib's ``"none"``
    placeholder would bring the layout-only draw back), so a later ``subplots_adjust`` or
    colorbar moves the axes as on any figure without a layout engine."""
    engine = fig.get_layout_engine()
    shown_dpi = fig.dpi
    fig._set_dpi(dpi, forward=False)  # forward=False: a GUI or widget window is not resized
    try:
        if fig.axes:
            engine.execute(fig)
    except ValueError:  # as Figure.draw: a layout that cannot be solved leaves the positions
        pass
    finally:
        fig._set_dpi(shown_dpi, forward=False)
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # no engine at all: "none" leaves a placeholder that prints draw for
    fig._qz_layout_frozen = True


def _bbox(fig):
    """``None`` (the whole canvas) for a figure laid out by an engine, frozen or not; else ``"tight"``."""
    laid_out = fig.get_layout_engine() is not None or getattr(fig, "_qz_layout_frozen", False)
    return None if laid_out else "tight"


def _png_200dpi(fig):
    """The display PNG: 200 dpi, with width and height metadata at the figure's 100 dpi (shown at
    normal size)."""
    if not fig.axes and not fig.lines:
        return None
    import base64

    png = fig.__dict__.pop("_qz_png", None)  # the one _svg printed just before
    if png is None:
        print_text_floor(fig)  # the same chart as the SVG would be
        png = png_bytes(fig)
    width, height = (int.from_bytes(png[at : at + 4], "big") for at in (16, 20))  # the IHDR chunk
    scale = fig.dpi / PRINT_DPI  # shown at the figure's own dpi, as IPython's retina PNG is
    return (
        base64.b64encode(png).decode("ascii"),
        {"width": int(round(width * scale)), "height": int(round(height * scale))},
    )


def _svg(fig):
    """The SVG download: text stays text (``svg.fonttype: none``), so it is small, selectable and
    editable; a reader without Noto Sans SC sees the system's sans-serif Chinese font."""
    if not fig.axes and not fig.lines:
        return None
    import io

    # IPython asks for the SVG first and the PNG right after, in one display: the PNG is printed
    # here (laying the figure out) and handed over once. A figure's ``stale`` flag cannot tell
    # whether it changed in between: every print sets it again when it restores the dpi.
    print_text_floor(fig)  # before the PNG: both formats show the same chart
    fig._qz_png = png_bytes(fig)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.canvas.print_figure(
            buffer, format="svg", facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor(), bbox_inches=_bbox(fig)
        )
    return buffer.getvalue().decode("utf-8").replace(f"font-family: '{cjk_font_name()}', ", SVG_FONTS)


def print_text_floor(fig) -> int:
    """Raise every text of ``fig`` smaller than what prints at 7 pt (the figure scaled into the
    print report's chart box, :mod:`analysis.print_geometry`) to that size: tick labels through
    their axis (ticks are made anew at each draw), titles, labels, legends, notes and the source
    line. The constrained layout makes room at the next draw. Returns how many texts grew."""
    from matplotlib.text import Text

    width, height = (72 * v for v in fig.get_size_inches())
    floor = 1.03 * print_geometry.min_font_pt(width, height)  # headroom: the saved box is cut tight
    grown = 0
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = axis.get_ticklabels()
            if labels and labels[0].get_fontsize() < floor - 1e-9:
                axis.set_tick_params(labelsize=floor)
                grown += 1
    for text in fig.findobj(Text):
        if text.get_text() and text.get_fontsize() < floor - 1e-9:
            text.set_fontsize(floor)
            grown += 1
    return grown


# The same design under the names other systems install it by, then the usual Chinese UI fonts.
SVG_FONTS = "font-family: 'Noto Sans SC', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', "


def apply_style() -> None:
    """Set the house style (fonts that render Chinese, readable sizes, light grid); strings are
    measured once for the figures that follow in a run's processes (the text-measure hook of
    :mod:`analysis.hooks`; in a warm kernel, for one job's figures)."""
    print_formats()
    hooks.share_text_measures()
    family = cjk_font_name()
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.figsize": (9, 5),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 14,
            "axes.labelsize": 11,
            "legend.frameon": False,
            "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        }
    )


def subplots(nrows: int = 1, ncols: int = 1, **kwargs):
    """``plt.subplots`` in the house style with the constrained layout: every chart of the
    package is made here. In a Jupyter kernel it also makes the figure drawn once per cell
    (:func:`draw_once_per_cell`)."""
    apply_style()
    fig, axes = plt.subplots(nrows, ncols, layout="constrained", **kwargs)
    draw_once_per_cell()
    return fig, axes


def draw_once_per_cell() -> None:
    """Let the inline backend show (and close) a cell's figures before pyplot redraws them.

    After every cell IPython runs its ``post_execute`` callbacks in the order they were
    registered: pyplot's ``_draw_all_if_interactive`` (registered first, when pyplot loads the
    inline backend) draws every new figure on the Agg canvas, a full layout and render that
    nobody sees; then the inline backend's ``flush_figures`` prints the figures for display and
    closes them. Putting ``flush_figures`` first removes the unseen draw: pyplot finds no figure
    left (issue 14 measured the unseen draws at a fifth of a notebook's kernel time). The shown
    figure is the same: the layout is computed from the figure, not from an earlier draw (the
    positions agree to 1e-13). Outside IPython, or with other backends, nothing changes."""
    ipython = sys.modules.get("IPython")  # not imported here: a script or the runner has no shell
    shell = ipython.get_ipython() if ipython is not None else None
    callbacks = getattr(getattr(shell, "events", None), "callbacks", {}).get("post_execute")
    if not callbacks:
        return
    names = [(getattr(cb, "__module__", ""), getattr(cb, "__name__", "")) for cb in callbacks]
    try:
        redraw = names.index(("matplotlib.pyplot", "_draw_all_if_interactive"))
        flush = names.index(("matplotlib_inline.backend_inline", "flush_figures"))
    except ValueError:
        return
    if redraw < flush:
        callbacks.insert(flush, callbacks.pop(redraw))  # now right after flush_figures


def new_figure(title: str, xlabel: str, ylabel: str, source: str, *, figsize=(9, 5)):
    """A styled figure with one axis, a Chinese title, labelled axes and a source line under it.

    Returns ``(fig, ax)``. Axis labels must carry units, e.g. ``"人数（万人）"``.
    """
    fig, ax = subplots(figsize=figsize)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    add_source(fig, source)
    return fig, ax


def add_source(fig, source: str) -> None:
    """Write ``资料来源 / Source: …`` under the chart (bottom left, small grey text)."""
    fig.text(0.01, 0.008, f"资料来源 Source: {source}", ha="left", va="bottom", fontsize=8, color="#555555", wrap=True)
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        # Keep the axes (and their x label) above the source line.
        lines = 1 + len(source) // 110
        engine.set(rect=(0, 0.035 + 0.025 * lines, 1, 0.965 - 0.025 * lines))


def fan(ax, years, p10, p50, p90, label: str, color: str | None = None) -> None:
    """Median line with a shaded 10–90 % band (band skipped where p10/p90 are missing)."""
    color = color or PALETTE[len(ax.lines) % len(PALETTE)]
    years = np.asarray(years)
    ax.plot(years, p50, color=color, lw=2, label=f"{label}（中位数）")
    p10 = np.asarray(p10, dtype=float)
    p90 = np.asarray(p90, dtype=float)
    if np.isfinite(p10).any() and np.isfinite(p90).any():
        ax.fill_between(years, p10, p90, color=color, alpha=FAN_ALPHA, lw=0, label=f"{label}（10%–90%区间）")


def fmt_wan(persons: float, digits: int = 1) -> str:
    """Persons as 万人 for people: 1,110,000 → '111.0万'."""
    return f"{catalogue.wan(persons, digits)}万"


def fmt_int(value: float) -> str:
    """A whole number with thousands separators: 8782285 → '8,782,285'."""
    return f"{value:,.0f}"


def fmt_pct(value: float, digits: int = 1) -> str:
    """A share already in percent, with one decimal: 13.214 → '13.2%'."""
    return f"{value:.{digits}f}%"


def wan_axis(ax, axis: str = "y") -> None:
    """Show an axis in 万 (10,000 persons) with separators; label the axis yourself with '（万人）'."""
    from matplotlib.ticker import FuncFormatter

    formatter = FuncFormatter(lambda v, _: catalogue.wan(v, 0 if abs(v) >= 1e5 else 1))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def thousands_axis(ax, axis: str = "y") -> None:
    """Thousands separators on an axis of counts."""
    from matplotlib.ticker import StrMethodFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(StrMethodFormatter("{x:,.0f}"))

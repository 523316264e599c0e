"""One cache of measured strings for the figures a process draws (issue 14; per job in a warm kernel).

matplotlib measures a string (width, height, descent) every time it lays out or draws it, and
caches the answer per renderer (``matplotlib.text._get_text_metrics_function``). Every figure
prints with new renderers (one for the PNG, one for the SVG), so every chart measured its tick
labels, titles and source line again: with the Chinese font that is a FreeType load and
autohint of every glyph, about 1.4 ms a string and a seventh of a chart's time.

A plain string's size depends only on the renderer's kind, its dpi, the font files the properties
resolve to, the properties themselves and the font settings (:data:`SETTINGS`); none of it on the renderer
instance or the figure. :func:`share` puts one cache keyed by exactly these in front of
matplotlib's for the Agg (PNG) and SVG renderers (the SVG print draws through a
``MixedModeRenderer``, keyed by the renderer it draws with at the time). Math text, TeX and other
renderers go to matplotlib's own cache unchanged. The pixels and the SVG are the same with and
without it (``tests/test_text_metrics.py``).

In a warm kernel the cache is a module-level dict, so the kernel's reset empties it before every
job (:mod:`analysis.run.warm_kernel_side`): the figures of one job share it, and measurements made
under one job's settings or patches never reach the next.
"""

from __future__ import annotations

import matplotlib
import matplotlib.text as mtext
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.font_manager import fontManager

SHARED_RENDERERS = (RendererAgg, RendererSVG)
MAX_ENTRIES = 20_000  # ~600 bytes a key (the properties, the font paths): ~12 MB at most; emptied when full
# The settings a measurement depends on besides the font files and properties (FreeType's load
# flags and kerning, the last-resort glyph font, the shaping language).
SETTINGS = ("text.hinting", "text.kerning_factor", "font.enable_last_resort",
            "text.language")

_measured: dict[tuple, tuple[float, float, float]] = {}


def _measuring(renderer):
    """The renderer that measures: a ``MixedModeRenderer`` (vector prints) measures with the one
    it currently draws with (the vector renderer, or Agg inside a rasterized artist)."""
    return renderer._renderer if type(renderer) is MixedModeRenderer else renderer


def _key(measuring, text: str, fontprop, dpi: float) -> tuple:
    rc = matplotlib.rcParams
    return (type(measuring), getattr(measuring, "dpi", None), dpi, text, fontprop.copy(),
            tuple(fontManager._find_fonts_by_props(fontprop)), *(rc.get(name) for name in SETTINGS))


def shared_text_metrics(renderer, text, fontprop, ismath, dpi):
    """``(width, height, descent)`` of ``text`` in pixels, as
    ``renderer.get_text_width_height_descent`` gives it, measured once per key."""
    measuring = _measuring(renderer)
    if ismath is not False or type(measuring) not in SHARED_RENDERERS:
        return shared_text_metrics.matplotlib_cache(renderer, text, fontprop, ismath, dpi)
    key = _key(measuring, text, fontprop, dpi)
    found = _measured.get(key)
    if found is None:
        found = renderer.get_text_width_height_descent(text, fontprop, ismath)
        if len(_measured) >= MAX_ENTRIES:
            _measured.clear()
        _measured[key] = found
    return found


def share() -> None:
    """Put :func:`shared_text_metrics` in front of matplotlib's per-renderer cache (idempotent;
    a copy of this module imported again replaces the earlier one, in front of matplotlib's)."""
    current = mtext._get_text_metrics_with_cache
    if current is shared_text_metrics:
        return
    shared_text_metrics.matplotlib_cache = getattr(current, "matplotlib_cache", current)
    mtext._get_text_metrics_with_cache = shared_text_metrics

"""One cache of measured strings for the figures a process draws (issue 14; per job in a warm kernel).

matplotlib measures a string (width, height, descent) every time it lays out or draws it, and
caches the answer per renderer (``matplotlib.text._get_text_metrics_function``). Every figure
prints with new renderers (one for the PNG, one for the SVG), so every chart measured its tick
labels, titles and source line again: with the Chinese font that is a FreeType load and
autohint of every glyph, about 1.4 ms a string and a seventh of a chart's time.

A plain string's size depends only on the renderer's kind, its dpi, the properties, the font files
they resolve to and the font settings (:data:`SETTINGS`); none of it on the renderer instance or
the figure. The font files are those ``FontManager.findfont`` picks from the properties, the
default font settings (:data:`FONT_SETTINGS`) and the fonts registered, so the key holds these
(resolving the files at every lookup cost much of what the cache saves). :func:`share` puts one
cache keyed by exactly these in front of matplotlib's for the Agg (PNG) and SVG renderers (the
SVG print draws through a ``MixedModeRenderer``, keyed by the renderer it draws with at the
time). Math text, TeX and other renderers go to matplotlib's own cache unchanged. The pixels and
the SVG are the same with and without it (``tests/test_text_metrics.py``).

The PNG print also lays every string out again when it draws it (FreeType shaping of each glyph,
``FT2Font._layout``: 1.2 ms a string, a sixth of a chart's Agg draw). The glyphs and their
offsets from the text's origin depend on the same things as its size, so :func:`share` also puts
one cache of laid-out strings in front of the Agg renderer's ``draw_text``; the glyphs are still
rendered at each text's own position, so the pixels are the same (``tests/test_text_metrics.py``).

In a warm kernel both caches are module-level dicts, so the kernel's reset empties them before
every job (:mod:`analysis.run.speed.warm_kernel_side`): the figures of one job share them, and
measurements made under one job's settings or patches never reach the next. The reset also puts
matplotlib's ``_get_text_metrics_with_cache`` and ``RendererAgg.draw_text`` back; the job's first
chart shares them again. With the caches, a font warning (a family not found, a missing glyph)
is given once per key instead of at every draw.
"""

from __future__ import annotations

import os
import threading

import matplotlib
import matplotlib.text as mtext
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.font_manager import fontManager

SHARED_RENDERERS = (RendererAgg, RendererSVG)
# A cache is emptied when full: ~0.5 KB a key, 2-3 KB a laid-out string (~60 MB at most), and the
# laid-out strings keep their fonts open (one file each) after matplotlib's font cache let them go.
MAX_ENTRIES = 20_000
# The settings a measurement depends on besides the font files and properties (FreeType's load
# flags and kerning, the last-resort glyph font, the shaping language; the hinting factor, which
# matplotlib 3.11 deprecates and ignores, in case a release reads it again).
SETTINGS = ("text.hinting", "text.hinting_factor", "text.kerning_factor", "font.enable_last_resort", "text.language")
# What the font files a FontProperties resolves to depend on besides the properties themselves
# (FontManager.findfont's own cache key): the default font settings and the fonts registered.
FONT_SETTINGS = (
    "font.family",
    "font.style",
    "font.variant",
    "font.weight",
    "font.stretch",
    "font.size",
    "font.serif",
    "font.sans-serif",
    "font.cursive",
    "font.fantasy",
    "font.monospace",
)

_measured: dict[tuple, tuple[float, float, float]] = {}
# (key, font features, language, thread) -> (the FT2Font, [(glyph's FT2Font, glyph index, x, y)])
_laid_out: dict[tuple, tuple] = {}


def _measuring(renderer):
    """The renderer that measures: a ``MixedModeRenderer`` (vector prints) measures with the one
    it currently draws with (the vector renderer, or Agg inside a rasterized artist)."""
    return renderer._renderer if type(renderer) is MixedModeRenderer else renderer


def _key(measuring, text: str, fontprop, dpi: float) -> tuple:
    rc = matplotlib.rcParams
    return (
        type(measuring),
        getattr(measuring, "dpi", None),
        dpi,
        text,
        _properties(fontprop),
        id(fontManager.ttflist),
        len(fontManager.ttflist),
        fontManager.defaultFamily.get("ttf"),
        os.environ.get("MPL_IGNORE_SYSTEM_FONTS"),
        *(str(dict.get(rc, name)) for name in FONT_SETTINGS + SETTINGS),
    )


def _properties(fontprop) -> tuple:
    """The fields ``FontProperties.__hash__`` (and so its ``==``) is made of, as a value."""
    return (
        tuple(fontprop.get_family()),
        fontprop.get_slant(),
        fontprop.get_variant(),
        fontprop.get_weight(),
        fontprop.get_stretch(),
        fontprop.get_size(),
        fontprop.get_file(),
        fontprop.get_math_fontfamily(),
    )


def shared_text_metrics(renderer, text, fontprop, ismath, dpi):
    """``(width, height, descent)`` of ``text`` in pixels, as
    ``renderer.get_text_width_height_descent`` gives it, measured once per key."""
    measuring = _measuring(renderer)
    if ismath is not False or type(measuring) not in SHARED_RENDERERS:
        return _behind_measuring(renderer, text, fontprop, ismath, dpi)
    key = _key(measuring, text, fontprop, dpi)
    found = _measured.get(key)
    if found is None:
        found = _remember(_measured, key, renderer.get_text_width_height_descent(text, fontprop, ismath))
    return found


def _remember(cache: dict, key: tuple, value):
    if len(cache) >= MAX_ENTRIES:
        cache.clear()
    cache[key] = value
    return value


def shared_draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # mtext: the Text (matplotlib's name)
    """``RendererAgg.draw_text`` with the string laid out once per key: the same glyphs at the
    same offsets as matplotlib 3.11's ``draw_text`` finds, each rendered at this text's position.

    ``FT2Font._layout``'s items do not keep their fonts alive (matplotlib's font cache does, and
    it forgets them when full, cleared or forked), so the entry holds the font objects itself;
    FreeType objects are per thread in matplotlib, and so are the entries."""
    if ismath:
        return _behind_drawing(self, gc, x, y, s, prop, angle, ismath, mtext)
    features = mtext.get_fontfeatures() if mtext is not None else None
    language = mtext.get_language() if mtext is not None else None
    key = (
        _key(self, s, prop, self.dpi),
        tuple(features) if features is not None else None,
        language,
        threading.get_ident(),
    )
    entry = _laid_out.get(key)
    if entry is None:
        font = self._prepare_font(prop)
        items = font._layout(s, flags=get_hinting_flag(), features=features, language=language)
        entry = _remember(_laid_out, key, (font, [(i.ft_object, i.glyph_index, i.x, i.y) for i in items]))
    size = prop.get_size_in_points()
    self._draw_text_glyphs_and_boxes(
        gc, x, y, angle, ((ft, size, index, 0, 1, dx, dy) for ft, index, dx, dy in entry[1]), []
    )


def _matplotlib_own(current):
    """``current``, or the function a (re-imported) copy of this module put ``current`` in front of."""
    behind = getattr(current, "_qz_behind", None)
    scope = getattr(current, "__globals__", None)
    if behind and scope is not None and scope.get(current.__name__) is current and behind in scope:
        return scope[behind]  # one of ours (not a job's functools.wraps wrapper, which copies the marker)
    return current


def _replaceable(current, module: str) -> bool:
    """matplotlib's own function (from ``module``) or a shared one of ours: anything else is a
    patch of the job's own, which it keeps (the warm kernel's reset puts matplotlib's back)."""
    return _matplotlib_own(current) is not current or getattr(current, "__module__", None) == module


shared_text_metrics._qz_behind = "_behind_measuring"
shared_draw_text._qz_behind = "_behind_drawing"
# What the shared functions stand in front of (matplotlib's own), set by share(). Module globals,
# so a warm kernel's reset puts back the snapshot's: a job that patched matplotlib before its first
# chart cannot leave its patch behind the next job's shared functions.
_behind_measuring = _matplotlib_own(mtext._get_text_metrics_with_cache)
_behind_drawing = _matplotlib_own(RendererAgg.draw_text)


def share() -> None:
    """Put :func:`shared_text_metrics` in front of matplotlib's per-renderer cache and
    :func:`shared_draw_text` in place of ``RendererAgg.draw_text`` (idempotent; a copy of this
    module imported again replaces the earlier one, in front of matplotlib's; a function a job
    put there itself is left in place, so neither wraps the other)."""
    global _behind_measuring, _behind_drawing
    current = mtext._get_text_metrics_with_cache
    if current is not shared_text_metrics and _replaceable(current, "matplotlib.text"):
        _behind_measuring = _matplotlib_own(current)
        mtext._get_text_metrics_with_cache = shared_text_metrics
    drawing = RendererAgg.draw_text
    if drawing is not shared_draw_text and _replaceable(drawing, "matplotlib.backends.backend_agg"):
        _behind_drawing = _matplotlib_own(drawing)
        RendererAgg.draw_text = shared_draw_text


def _forget_laid_out() -> None:
    _laid_out.clear()


# A forked child (the runner's workers) gets new FreeType objects from matplotlib; its cache starts empty.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_laid_out)

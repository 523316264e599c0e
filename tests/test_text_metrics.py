"""analysis.run.speed.text_metrics: strings measured once per process, the same pixels and SVG."""

from __future__ import annotations

import io

import matplotlib
import matplotlib.text as mtext
import numpy as np
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_svg import RendererSVG
from PIL import Image

from analysis.present import plots
from analysis.run.speed import text_metrics
from conftest import plain_svg

pytestmark = pytest.mark.usefixtures("speed_hooks")  # the models reach these through analysis.hooks


@pytest.fixture
def measured(monkeypatch):
    """Every string the Agg and SVG renderers measure themselves, with the shared cache empty
    and installed."""
    monkeypatch.setattr(text_metrics, "_measured", {})
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", mtext._get_text_metrics_with_cache)
    calls = []
    for renderer in (RendererAgg, RendererSVG):
        original = renderer.get_text_width_height_descent

        def counting(self, s, prop, ismath, _original=original, _kind=renderer.__name__):
            calls.append((_kind, s))
            return _original(self, s, prop, ismath)

        monkeypatch.setattr(renderer, "get_text_width_height_descent", counting)
    return calls


def _chart(title="60岁及以上老年人口 南安市"):
    fig, ax = plots.new_figure(title, "年份", "人数（万人）", "第七次全国人口普查；本项目预测")
    ax.plot([2020, 2025, 2030, 2035], [30.1, 34.9, 40.2, 44.0], label="户籍（中位数）")
    ax.fill_between([2020, 2035], [29, 42], [31, 46], alpha=0.25, label="10%–90%区间")
    ax.legend()
    return fig


def _twin_chart(title="护理型床位缺口"):
    """Two y axes and a figure title, as the nursing-gap chart (present/charts_care.py)."""
    fig, ax = plots.new_figure(title, "年份", "床位（张）", "本项目预测")
    fig.suptitle("南安市 2020–2035")
    ax.bar([2020, 2025, 2030], [1200, 1966, 2500], label="缺口")
    twin = ax.twinx()
    twin.plot([2020, 2025, 2030], [48.0, 55.5, 60.0], color="#b23a48", label="护理型占比（%）")
    twin.set_ylabel("占比（%）")
    return fig


def _prints(fig) -> tuple[np.ndarray, str]:
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=200)
    fig.savefig(svg, format="svg")
    matplotlib.pyplot.close(fig)
    return np.asarray(Image.open(png)), plain_svg(svg.getvalue().decode())


def test_a_second_figure_measures_no_string_again(measured):
    """matplotlib's own cache lives per renderer, and every figure prints with new renderers: the
    same chart drawn twice measured all its strings twice, for the PNG and for the SVG."""
    _prints(_chart())
    first = len(measured)
    assert {kind for kind, _ in measured} == {"RendererAgg", "RendererSVG"} and first > 20
    _prints(_chart())
    assert len(measured) == first, measured[first:]


def test_the_pixels_and_the_svg_are_the_same_as_without_it(monkeypatch):
    original = text_metrics._matplotlib_own(mtext._get_text_metrics_with_cache)  # matplotlib's own
    original_draw = text_metrics._matplotlib_own(RendererAgg.draw_text)
    with monkeypatch.context() as patch:  # matplotlib's cache and drawing only
        patch.setattr(text_metrics, "share", lambda: None)
        patch.setattr(mtext, "_get_text_metrics_with_cache", original)
        patch.setattr(RendererAgg, "draw_text", original_draw)
        plain = [_prints(make()) for make in (_chart, _twin_chart)]
    monkeypatch.setattr(text_metrics, "_measured", {})
    monkeypatch.setattr(text_metrics, "_laid_out", {})
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", original)
    monkeypatch.setattr(RendererAgg, "draw_text", original_draw)
    _prints(_chart("另一个标题"))  # the shared caches filled by other charts first
    _prints(_twin_chart("另一个标题"))
    shared = [_prints(make()) for make in (_chart, _twin_chart)]
    assert mtext._get_text_metrics_with_cache is text_metrics.shared_text_metrics
    assert RendererAgg.draw_text is text_metrics.shared_draw_text
    assert any(key[0] is RendererSVG for key in text_metrics._measured) and text_metrics._laid_out
    for (plain_png, plain_svg_text), (shared_png, shared_svg_text) in zip(plain, shared):
        np.testing.assert_array_equal(plain_png, shared_png)
        assert plain_svg_text == shared_svg_text


def test_a_second_figure_lays_out_no_string_again(measured, monkeypatch):
    """The PNG print laid every string out again (FT2Font._layout) each time it drew it."""
    monkeypatch.setattr(text_metrics, "_laid_out", {})
    monkeypatch.setattr(RendererAgg, "draw_text", RendererAgg.draw_text)
    prepared = []
    original = RendererAgg._prepare_font
    monkeypatch.setattr(RendererAgg, "_prepare_font", lambda self, prop: prepared.append(1) or original(self, prop))
    _prints(_chart())
    assert RendererAgg.draw_text is text_metrics.shared_draw_text and len(text_metrics._laid_out) > 10
    first, laid_out = len(prepared), len(text_metrics._laid_out)
    _prints(_chart())
    assert len(prepared) == first and len(text_metrics._laid_out) == laid_out
    with matplotlib.rc_context({"text.hinting": "no_hinting"}):
        _prints(_chart())
    assert len(text_metrics._laid_out) > laid_out


def _text_pixels(draw_text, texts, dpi=100, sans=None) -> np.ndarray:
    """The pixels of a figure holding ``texts`` (kwargs of ``Figure.text``), drawn with ``draw_text``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(
        {"font.sans-serif": sans or [plots.cjk_font_name(), "DejaVu Sans"], "font.family": "sans-serif"}
    ):
        fig = Figure(figsize=(4, 2), dpi=dpi)
        for i, kwargs in enumerate(texts):
            fig.text(0.05, 0.1 + 0.2 * i, **kwargs)
        canvas = FigureCanvasAgg(fig)
        original = RendererAgg.draw_text
        try:
            RendererAgg.draw_text = draw_text
            canvas.draw()
        finally:
            RendererAgg.draw_text = original
        return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_laid_out_strings_draw_the_pixels_matplotlib_draws(monkeypatch):
    """The same string at other sizes, dpis, fonts, angles and without antialiasing is laid out
    for each (a key without one of them would draw another's glyphs); drawn twice from the cache,
    after matplotlib forgot every font it had loaded, the pixels are matplotlib's own."""
    plots.apply_style()
    monkeypatch.setattr(text_metrics, "_laid_out", {})
    own = text_metrics._matplotlib_own(RendererAgg.draw_text)
    text = "南安市 60+ 34.9万"
    texts = [
        {"s": text, "fontsize": 9},
        {"s": text, "fontsize": 13},
        {"s": text, "fontsize": 9, "rotation": 30},
        {"s": text, "fontsize": 9, "antialiased": False},
    ]
    cases = [{"dpi": 100}, {"dpi": 200}, {"dpi": 100, "sans": ["DejaVu Sans"]}]
    expected = [_text_pixels(own, texts, **case) for case in cases]
    for _ in range(2):
        matplotlib.font_manager._get_font.cache_clear()  # the cached glyphs must keep their fonts
        for family in ("serif", "monospace"):
            matplotlib.font_manager.get_font(matplotlib.font_manager.findfont(family))
        for case, pixels in zip(cases, expected):
            np.testing.assert_array_equal(_text_pixels(text_metrics.shared_draw_text, texts, **case), pixels)
    assert len(text_metrics._laid_out) == 2 * 3  # two sizes in three cases: angle and antialiasing share a layout


def test_math_text_is_drawn_by_matplotlib(monkeypatch):
    plots.apply_style()
    drawn = []
    monkeypatch.setattr(text_metrics, "_behind_drawing", lambda self, gc, x, y, s, *rest: drawn.append(s))
    renderer = RendererAgg(10, 10, 100)
    prop = matplotlib.font_manager.FontProperties(size=10)
    text_metrics.shared_draw_text(renderer, renderer.new_gc(), 1, 1, "$x^2$", prop, 0, ismath=True)
    assert drawn == ["$x^2$"]


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the Chinese text in DejaVu Sans
def test_a_changed_size_hinting_or_font_setting_is_measured_anew(measured):
    _prints(_chart())
    before = len(measured)
    with matplotlib.rc_context({"text.hinting": "no_hinting"}):
        _prints(_chart())
    assert len(measured) > before
    again = len(measured)
    fig = _chart()
    fig.axes[0].title.set_fontsize(20)
    _prints(fig)
    assert ("RendererAgg", "60岁及以上老年人口 南安市") in measured[again:]
    again = len(measured)
    fig = _chart()  # made in the house style; printed where "sans-serif" means another font
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        _prints(fig)
    assert ("RendererAgg", "年份") in measured[again:]


def test_math_text_and_other_renderers_go_to_matplotlibs_cache(measured, monkeypatch):
    seen = []
    plots.apply_style()
    mine = text_metrics.shared_text_metrics
    monkeypatch.setattr(text_metrics, "_behind_measuring", lambda *args: seen.append(args[1]) or (1.0, 1.0, 0.0))
    renderer = RendererAgg(10, 10, 100)
    prop = matplotlib.font_manager.FontProperties(size=10)
    assert mine(renderer, "$x^2$", prop, True, 100) == (1.0, 1.0, 0.0)
    assert mine(object(), "plain", prop, False, 100) == (1.0, 1.0, 0.0)
    assert seen == ["$x^2$", "plain"]
    assert mine(renderer, "plain", prop, False, 100) == mine(renderer, "plain", prop, False, 100)
    assert measured == [("RendererAgg", "plain")]


def test_share_is_installed_once_and_a_reimported_copy_replaces_it(monkeypatch):
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", mtext._get_text_metrics_with_cache)
    monkeypatch.setattr(RendererAgg, "draw_text", RendererAgg.draw_text)
    text_metrics.share()
    installed = mtext._get_text_metrics_with_cache
    behind = text_metrics._behind_measuring
    drawing = RendererAgg.draw_text
    behind_drawing = text_metrics._behind_drawing
    text_metrics.share()
    assert mtext._get_text_metrics_with_cache is installed is text_metrics.shared_text_metrics
    assert text_metrics._behind_measuring is behind is not installed
    assert RendererAgg.draw_text is drawing is text_metrics.shared_draw_text
    assert text_metrics._behind_drawing is behind_drawing is not drawing
    import importlib.util

    spec = importlib.util.spec_from_file_location("text_metrics_copy", text_metrics.__file__)
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    copy.share()  # a module imported again: its own cache, still in front of matplotlib's
    assert mtext._get_text_metrics_with_cache is copy.shared_text_metrics
    assert copy._behind_measuring is behind
    assert RendererAgg.draw_text is copy.shared_draw_text
    assert copy._behind_drawing is behind_drawing


def test_a_jobs_own_patch_is_left_in_place_and_wrappers_do_not_loop(monkeypatch):
    """A function someone else put in matplotlib's place stays there (sharing in front of it made
    math text loop between the two); a functools.wraps copy of ours is not taken for ours."""
    import functools

    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", mtext._get_text_metrics_with_cache)
    monkeypatch.setattr(RendererAgg, "draw_text", RendererAgg.draw_text)
    text_metrics.share()
    shared = RendererAgg.draw_text
    assert shared is text_metrics.shared_draw_text
    wrapper = functools.wraps(shared)(lambda self, *args, **kwargs: shared(self, *args, **kwargs))
    monkeypatch.setattr(RendererAgg, "draw_text", wrapper)
    assert text_metrics._matplotlib_own(wrapper) is wrapper
    text_metrics.share()
    assert RendererAgg.draw_text is wrapper
    fig, ax = plots.new_figure("$x^2$ 测试", "年份", "人数（人）", "测试数据")
    ax.set_xlabel("$x^2$")
    _prints(fig)  # math text through the wrapper and ours: no RecursionError

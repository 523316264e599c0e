"""Charts render Chinese without missing glyphs and carry a source line."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from analysis.present import plots


def test_chinese_chart_renders_without_missing_glyph_warning(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        fig, ax = plots.new_figure("泉州市60岁及以上人口预测", "年份", "人数（万人）", "第七次全国人口普查；本项目测算")
        plots.fan(ax, [2020, 2021, 2022], [1, 2, 3], [2, 3, 4], [3, 4, 5], "60岁及以上")
        plots.wan_axis(ax)
        ax.legend()
        fig.savefig(tmp_path / "chart.png")
    assert "Noto Sans" in plots.cjk_font_name()
    texts = [t.get_text() for t in fig.texts]
    assert any(t.startswith("资料来源") for t in texts)


def test_missing_glyph_is_detected_with_a_latin_only_font(tmp_path):
    """The check above can fail: with DejaVu only, Chinese text raises the warning."""
    import matplotlib.pyplot as plt
    import pytest

    with plt.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("泉州")
        with pytest.warns(UserWarning, match="missing from font"):
            fig.savefig(tmp_path / "boxes.png")
    plt.close(fig)


def test_number_formats_for_people():
    assert plots.fmt_wan(1_110_000) == "111.0万"
    assert plots.fmt_int(8782285) == "8,782,285"
    assert plots.fmt_pct(13.214) == "13.2%"
    assert np.isclose(float(plots.fmt_wan(160_0000, 0)[:-1]), 160)


def _chart():
    fig, ax = plots.new_figure(
        "泉州市60岁及以上人口预测", "年份 year", "人数（万人）", "第七次全国人口普查；本项目测算"
    )
    plots.fan(ax, [2020, 2021, 2022], [1e5, 2e5, 3e5], [2e5, 3e5, 4e5], [3e5, 4e5, 5e5], "60岁及以上")
    plots.wan_axis(ax)
    ax.legend()
    return fig


def _pixels(png: bytes):
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def test_run_formats_lay_a_chart_out_once_and_print_it_as_laid_out():
    """The run's 200-dpi PNG (layout frozen after one pass) is the constrained-layout picture
    matplotlib prints itself, and its metadata shows it at 100 dpi."""
    import base64
    import io

    reference, plain = io.BytesIO(), _chart()
    plots.print_text_floor(plain)  # the display raises small text to what prints at 7 pt
    plain.savefig(reference, format="png", dpi=plots.PRINT_DPI)
    fig = _chart()
    data, meta = plots._png_200dpi(fig)
    assert fig.get_layout_engine() is None  # laid out once, then printed without an engine
    ours, theirs = _pixels(base64.b64decode(data)), _pixels(reference.getvalue())
    assert ours.shape == theirs.shape == (1000, 1800, 3) and meta == {"width": 900, "height": 500}
    assert (ours == theirs).all()  # the same pixels (only the PNG compression level differs)
    before = fig.axes[0].get_position().bounds
    fig.axes[0].set_title("改过的标题 a changed title")  # shown again: printed again, layout kept
    changed, _ = plots._png_200dpi(fig)
    assert changed != data and fig.axes[0].get_position().bounds == before


def test_one_display_prints_the_png_once_for_both_formats(monkeypatch):
    """IPython calls the SVG formatter, then the PNG one: the PNG printed (and laid out) for the
    SVG is the one shown, so a chart is printed twice (PNG, SVG), not three times."""
    import base64

    reference, _ = plots._png_200dpi(_chart())
    fig = _chart()
    prints = []
    real = type(fig.canvas).print_figure
    monkeypatch.setattr(
        type(fig.canvas), "print_figure", lambda self, *a, **k: prints.append(k.get("format")) or real(self, *a, **k)
    )
    svg = plots._svg(fig)
    data, _ = plots._png_200dpi(fig)
    assert prints == ["png", "svg"] and "<svg" in svg
    assert (_pixels(base64.b64decode(data)) == _pixels(base64.b64decode(reference))).all()
    plots._png_200dpi(fig)  # a later display prints again (the handover is used once)
    assert prints == ["png", "svg", "png"]


def test_a_displayed_chart_is_drawn_once_a_format_and_its_svg_is_matplotlibs_own(monkeypatch):
    """matplotlib's print of a figure with a layout engine (even the frozen placeholder) first
    draws it without output to lay it out: four draws for the PNG and the SVG. Laid out directly,
    then printed without an engine, a display draws twice, and the SVG is the one matplotlib
    writes for the same figure laid out by its own 200-dpi print and frozen there."""
    import io

    import matplotlib
    from matplotlib.figure import Figure

    from conftest import plain_svg

    reference, laid_out = io.BytesIO(), _chart()
    plots.print_text_floor(laid_out)  # the display raises small text to what prints at 7 pt
    laid_out.savefig(io.BytesIO(), format="png", dpi=plots.PRINT_DPI)
    laid_out.set_layout_engine("none")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        laid_out.savefig(reference, format="svg")
    fig = _chart()
    draws = []
    real = Figure.draw
    monkeypatch.setattr(
        Figure, "draw", lambda self, renderer: draws.append(type(renderer).__name__) or real(self, renderer)
    )
    svg = plots._svg(fig)
    plots._png_200dpi(fig)
    assert draws == ["RendererAgg", "MixedModeRenderer"], draws
    assert fig.get_layout_engine() is None

    assert plain_svg(svg) == plain_svg(
        reference.getvalue().decode().replace(f"font-family: '{plots.cjk_font_name()}', ", plots.SVG_FONTS)
    )


def test_png_bytes_at_any_dpi_is_savefigs_picture_drawn_once(monkeypatch):
    """The comparison page (110 dpi) and the explorer (80 dpi) print through plots.png_bytes."""
    import io

    from matplotlib.figure import Figure

    def panels():
        fig, axes = plots.subplots(2, 2, figsize=(11, 7))
        fig.suptitle("各情景主要指标比较")
        for ax in axes.flat:
            ax.plot([2020, 2035], [1, 3], label="情景 low")
            ax.set_xlabel("年份")
            ax.set_ylabel("人数（万人）")
        axes.flat[0].legend()
        plots.add_source(fig, "本项目预测")
        return fig

    for dpi in (80, 110):
        reference = io.BytesIO()
        panels().savefig(reference, format="png", dpi=dpi)
        draws = []
        real = Figure.draw
        with monkeypatch.context() as patch:
            patch.setattr(Figure, "draw", lambda self, renderer: draws.append(1) or real(self, renderer))
            ours = plots.png_bytes(panels(), dpi=dpi)
        assert draws == [1]
        assert (_pixels(ours) == _pixels(reference.getvalue())).all()


def test_a_figure_without_axes_or_with_an_unsolvable_layout_prints_as_savefig_does():
    import io

    fig, _ = plots.subplots()
    fig.delaxes(fig.axes[0])
    fig.text(0.5, 0.5, "无坐标轴")
    assert plots.png_bytes(fig, dpi=50)[:4] == b"\x89PNG"
    fig, ax = plots.subplots(figsize=(0.3, 0.2))  # too small for its labels: the engine gives up
    ax.set_xlabel("年份")
    reference = io.BytesIO()
    with pytest.warns(UserWarning):
        plots.subplots(figsize=(0.3, 0.2))[0].savefig(reference, format="png", dpi=50)
    with pytest.warns(UserWarning):
        assert plots.png_bytes(fig, dpi=50)[:4] == b"\x89PNG"


def test_run_svg_keeps_chinese_text_as_text_with_fallback_fonts():
    svg = plots._svg(_chart())
    assert svg.lstrip().startswith("<?xml") and "泉州市60岁及以上人口预测" in svg
    assert "'Noto Sans CJK SC'" in svg and "'Microsoft YaHei'" in svg and "sans-serif" in svg
    assert '<path id="NotoSansSC' not in svg  # glyphs are not drawn as outlines

"""Charts render Chinese without missing glyphs and carry a source line."""

from __future__ import annotations

import warnings

import numpy as np

from analysis import plots


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

"""analysis.text_metrics: strings measured once per process, the same pixels and SVG."""

from __future__ import annotations

import io
import re

import matplotlib
import matplotlib.text as mtext
import numpy as np
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from PIL import Image

from analysis import plots, text_metrics


@pytest.fixture
def measured(monkeypatch):
    """Every call of the Agg renderer's own measurement, with the shared cache empty and installed."""
    monkeypatch.setattr(text_metrics, "_measured", {})
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", mtext._get_text_metrics_with_cache)
    calls = []
    original = RendererAgg.get_text_width_height_descent

    def counting(self, s, prop, ismath):
        calls.append(s)
        return original(self, s, prop, ismath)

    monkeypatch.setattr(RendererAgg, "get_text_width_height_descent", counting)
    return calls


def _chart(title="60岁及以上老年人口 南安市"):
    fig, ax = plots.new_figure(title, "年份", "人数（万人）", "第七次全国人口普查；本项目预测")
    ax.plot([2020, 2025, 2030, 2035], [30.1, 34.9, 40.2, 44.0], label="户籍（中位数）")
    ax.fill_between([2020, 2035], [29, 42], [31, 46], alpha=0.25, label="10%–90%区间")
    ax.legend()
    return fig


def _prints(fig) -> tuple[np.ndarray, str]:
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=200)
    fig.savefig(svg, format="svg")
    matplotlib.pyplot.close(fig)
    svg_text = re.sub(r'id="[^"]*"|#[0-9a-z]{10,}|<dc:date>.*?</dc:date>', "", svg.getvalue().decode())
    return np.asarray(Image.open(png)), svg_text


def test_a_second_figure_measures_no_string_again(measured):
    """matplotlib's own cache lives per renderer, and every figure prints with new renderers: the
    same chart drawn twice measured all its strings twice."""
    _prints(_chart())
    first = len(measured)
    assert first > 10
    _prints(_chart())
    assert len(measured) == first, measured[first:]


def test_the_pixels_and_the_svg_are_the_same_as_without_it(monkeypatch):
    installed = mtext._get_text_metrics_with_cache
    original = getattr(installed, "matplotlib_cache", installed)  # matplotlib's own, if shared before
    monkeypatch.setattr(text_metrics, "share", lambda: None)  # matplotlib's cache only
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", original)
    plain = _prints(_chart())
    monkeypatch.undo()
    monkeypatch.setattr(text_metrics, "_measured", {})
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", original)
    _prints(_chart("另一个标题"))  # the shared cache filled by another chart first
    shared = _prints(_chart())
    assert mtext._get_text_metrics_with_cache is text_metrics.shared_text_metrics
    np.testing.assert_array_equal(plain[0], shared[0])
    assert plain[1] == shared[1]


def test_a_changed_size_or_hinting_setting_is_measured_anew(measured):
    _prints(_chart())
    before = len(measured)
    with matplotlib.rc_context({"text.hinting": "no_hinting"}):
        _prints(_chart())
    assert len(measured) > before
    again = len(measured)
    fig = _chart()
    fig.axes[0].title.set_fontsize(20)
    _prints(fig)
    assert "60岁及以上老年人口 南安市" in measured[again:]


def test_math_text_and_other_renderers_go_to_matplotlibs_cache(measured, monkeypatch):
    seen = []
    plots.apply_style()
    mine = text_metrics.shared_text_metrics
    monkeypatch.setattr(mine, "matplotlib_cache", lambda *args: seen.append(args[1]) or (1.0, 1.0, 0.0))
    renderer = RendererAgg(10, 10, 100)
    prop = matplotlib.font_manager.FontProperties(size=10)
    assert mine(renderer, "$x^2$", prop, True, 100) == (1.0, 1.0, 0.0)
    assert mine(object(), "plain", prop, False, 100) == (1.0, 1.0, 0.0)
    assert seen == ["$x^2$", "plain"]
    assert mine(renderer, "plain", prop, False, 100) == mine(renderer, "plain", prop, False, 100)
    assert measured == ["plain"]


def test_share_is_installed_once(monkeypatch):
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", mtext._get_text_metrics_with_cache)
    text_metrics.share()
    installed = mtext._get_text_metrics_with_cache
    behind = installed.matplotlib_cache
    text_metrics.share()
    assert mtext._get_text_metrics_with_cache is installed
    assert installed.matplotlib_cache is behind is not installed

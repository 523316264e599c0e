"""ipywidgets controls for :class:`analysis.present.explorer.ScenarioExplorer` (JupyterLab).

``ExplorerUI(explorer).show()`` displays the controls and the three charts. Charts are ordinary
cell outputs (PNG images with a ``display_id``): a control change re-renders only the charts
whose inputs changed (:meth:`ScenarioExplorer.chart_keys`) and updates them in place. So the
notebook also runs headless (papermill): the widgets are created, the charts drawn once, and no
code path waits for a frontend.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import Image, display

from .. import geography
from . import plots
from ..errors import AnalysisError
from .labels import base_label
from .explorer import BASES, CONTROLS, ScenarioExplorer

CHART_ORDER = ("elderly", "beds", "dibao")
CHART_DPI = 80


def render_png(fig, dpi: int = CHART_DPI) -> bytes:
    """PNG bytes of a figure (then closed, so the inline backend does not show it twice)."""
    png = plots.png_bytes(fig, dpi=dpi)  # laid out once (savefig draws a second time to lay out)
    plt.close(fig)
    return png


def unit_options() -> list[tuple[str, str]]:
    """(Chinese name, id) of the city and the 13 units, for a dropdown."""
    city = geography.city()
    return [(f"{city.name_zh}（全市）", city.id)] + [(u.name_zh, u.id) for u in geography.county_units()]


class ExplorerUI:
    """The widgets of one explorer; ``show()`` puts controls and charts in the notebook."""

    def __init__(self, explorer: ScenarioExplorer, dpi: int = CHART_DPI):
        self.ex = explorer
        self.dpi = dpi
        self.handles: dict = {}
        self.drawn: dict[str, tuple] = {}
        self.render_seconds: dict[str, float] = {}
        self.compute_seconds = 0.0
        style = {"description_width": "300px"}
        layout = widgets.Layout(width="640px")
        s = explorer.settings
        self.unit = widgets.Dropdown(
            options=unit_options(), value=s["unit"], description="单位 unit", style=style, layout=layout
        )
        self.base = widgets.ToggleButtons(
            options=[(base_label(b, english=True), b) for b in BASES],
            value=s["base"],
            description="人口口径 base",
            style=style,
        )
        self.sliders: dict[str, widgets.FloatSlider] = {}
        for name, c in CONTROLS.items():
            value = s[name] if s[name] is not None else explorer.fitted_wage_growth()
            value = min(max(value, c.low), c.high)
            self.sliders[name] = widgets.FloatSlider(
                value=value,
                min=c.low,
                max=c.high,
                step=c.step,
                description=f"{c.label}（{c.unit}）",
                continuous_update=False,
                readout_format=".2f",
                style=style,
                layout=layout,
            )
        self.fitted_wage = widgets.Checkbox(
            value=s["wage_growth_pct"] is None,
            description="最低工资按拟合预测 use the fitted wage forecast",
            style=style,
            layout=layout,
        )
        self.sliders["wage_growth_pct"].disabled = self.fitted_wage.value
        self.tfr_label = widgets.HTML()
        self.status = widgets.HTML()
        self.save_name = widgets.Text(
            value="",
            placeholder="情景名 name, e.g. beds45",
            description="保存为 save as",
            style=style,
            layout=widgets.Layout(width="420px"),
        )
        self.save_button = widgets.Button(description="保存情景 Save scenario", icon="save")
        self.save_status = widgets.HTML()
        self.unit.observe(lambda ch: self._changed(unit=ch["new"]), names="value")
        self.base.observe(lambda ch: self._changed(base=ch["new"]), names="value")
        for name, slider in self.sliders.items():
            if name == "wage_growth_pct":
                slider.observe(lambda ch: self._changed(wage_growth_pct=self._wage_value()), names="value")
            else:
                slider.observe(lambda ch, n=name: self._changed(**{n: ch["new"]}), names="value")
        self.fitted_wage.observe(self._wage_mode, names="value")
        self.save_button.on_click(lambda _: self.save(self.save_name.value.strip()))
        self._update_tfr_label()

    # --- layout ------------------------------------------------------------------------------

    def controls(self) -> widgets.Widget:
        group = lambda title, items: widgets.VBox([widgets.HTML(f"<b>{title}</b>"), *items])  # noqa: E731
        demography = [
            self.sliders["tfr_multiplier"],
            self.tfr_label,
            self.sliders["e0_gain_per_year"],
            self.sliders["net_migration_scale"],
        ]
        bed_items = [
            self.sliders[n]
            for n in ("beds_per_1000_elderly", "nursing_beds_per_1000_elderly", "occupancy_pct", "target_occupancy_pct")
        ]
        return widgets.VBox(
            [
                group("单位与口径 Unit and base", [self.unit, self.base]),
                group("人口 Population (重算人口预测 re-runs the projection)", demography),
                group(
                    f"养老床位 Beds (比例为{self.ex.target_year}年目标，此后保持 ratios are {self.ex.target_year} targets, held after)",
                    bed_items,
                ),
                group("低保 Assistance", [self.fitted_wage, self.sliders["wage_growth_pct"]]),
                self.status,
                widgets.HBox([self.save_name, self.save_button]),
                self.save_status,
            ]
        )

    def show(self) -> None:
        """Display the controls, then draw the three charts (once) as updatable outputs."""
        display(self.controls())
        t0 = time.perf_counter()
        for name in CHART_ORDER:
            self.handles[name] = display(Image(data=self._render(name)), display_id=True)
        self.drawn = self.ex.chart_keys()
        self.status.value = f"<small>首次绘制 first draw: {time.perf_counter() - t0:.2f} s</small>"

    # --- events ------------------------------------------------------------------------------

    def _wage_value(self):
        return None if self.fitted_wage.value else float(self.sliders["wage_growth_pct"].value)

    def _wage_mode(self, change) -> None:
        self.sliders["wage_growth_pct"].disabled = bool(change["new"])
        self._changed(wage_growth_pct=self._wage_value())

    def _render(self, name: str) -> bytes:
        t0 = time.perf_counter()
        fig = getattr(self.ex, f"{name}_chart")()[0]
        png = render_png(fig, self.dpi)
        self.render_seconds[name] = time.perf_counter() - t0
        return png

    def _changed(self, **change) -> list[str]:
        """Apply a control change and redraw the charts whose inputs changed; returns their names."""
        t0 = time.perf_counter()
        before = self.ex.calls["projection"]
        try:
            self.ex.update(**change)
            redraw = self.refresh()
        except AnalysisError as exc:
            self.status.value = f"<span style='color:#b23a48'>{html.escape(str(exc))}</span>"
            return []
        rerun = self.ex.calls["projection"] > before
        self._update_tfr_label()
        self.status.value = (
            f"<small>重绘 redrawn: {', '.join(redraw) or '—'}; 人口预测重算 projection "
            f"recomputed: {'是 yes' if rerun else '否 no'}; {time.perf_counter() - t0:.2f} s</small>"
        )
        return redraw

    def refresh(self) -> list[str]:
        """Redraw the charts whose key changed since they were last drawn."""
        keys = self.ex.chart_keys()
        redraw = [n for n in CHART_ORDER if self.drawn.get(n) != keys[n]]
        t0 = time.perf_counter()
        data = {"elderly": self.ex.projection, "beds": self.ex.bed_frame, "dibao": self.ex.dibao_frame}
        for name in redraw:  # the models first (cached where possible), then the pictures
            data[name]()
        self.compute_seconds = time.perf_counter() - t0
        for name in redraw:
            png = self._render(name)
            if self.handles.get(name) is not None:  # None outside IPython (tests, scripts)
                self.handles[name].update(Image(data=png))
        self.drawn = keys
        return redraw

    def _update_tfr_label(self) -> None:
        tfr = self.ex.tfr()
        self.tfr_label.value = (
            (
                f"<small>对应总和生育率（{self.ex.target_year}年，{geography.resolve(self.ex.unit).name_zh}，"
                f"中位情景）TFR ≈ {tfr:.2f}</small>"
            )
            if tfr == tfr
            else ""
        )

    def save(self, name: str):
        """Save the current settings as ``scenarios/<name>.yaml``; the message says how to run it."""
        try:
            path = self.ex.save_scenario(name)
        except AnalysisError as exc:
            self.save_status.value = f"<span style='color:#b23a48'>{html.escape(str(exc))}</span>"
            return None
        self.save_status.value = (
            f"已保存 saved: <code>{html.escape(str(path))}</code>; 运行 run: "
            f"<code>python -m analysis run --scenario {html.escape(name)}</code>"
        )
        return path

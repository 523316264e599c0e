"""The scenario explorer's engine: settings → scenario → cached projection, beds and 低保.

An analyst moves a control (unit, base, TFR multiplier, life-expectancy gain, migration scale,
bed ratios, observed and target occupancy, minimum-wage growth) and three charts are redrawn:
the elderly fan (60+ and 80+), the bed requirement against the stock, and the 低保 path. The
widgets live in :mod:`analysis.present.explorer_widgets`; this module holds the logic, which needs no
frontend and is what the tests and the benchmark drive::

    ex = ScenarioExplorer("baseline", unit="jinjiang", base="registered", draws=100)
    ex.update(occupancy_pct=70)          # beds recomputed, projection reused
    fig, ax = ex.beds_chart()
    ex.save_scenario("occupancy70")      # scenarios/occupancy70.yaml

Nothing is computed more than a change needs. Three caches (small LRUs):

- the projection (:func:`analysis.demography.project`), keyed by the base, every
  ``demography.*`` value, draws, seed and years — a unit or bed change never re-runs it;
- the bed frame (:func:`analysis.services.beds.bed_requirements`, all units), keyed by the
  projection key and every ``beds.*`` value;
- the 低保 frame (:func:`analysis.services.assistance.dibao_path`, all units), keyed by every
  ``assistance.*`` value, draws, seed and years. The city's standard is weighted by the 2020
  resident base population (fixed input), so a demographic change does not touch it.

Bed ratios are given by year in the scenario (专栏1/专栏2). A ratio control sets the value of the
target year (:attr:`ScenarioExplorer.target_year`: the scenario's ``beds.build_target_year``, 2025
in the baseline, the year its ratios are targets for); the path runs linearly from the scenario's first given
year to it and is held after (:func:`path_with_target`). At its default the control leaves the
scenario's own path untouched.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .. import catalogue, config, geography
from ..demography import project
from ..demography.base import load_base_population
from .charts_population import fan_chart
from ..demography.fertility import national_tfr
from ..errors import ParameterError
from ..scenarios import Scenario, load_scenario, parameter_rules
from ..services import assistance, beds
from ..services import min_wage as mw
from .charts_assistance import dibao_chart
from .charts_beds_workforce import plot_beds_vs_stock
from ..services.unit_arrays import ratio_path

BASES = ("registered", "resident")  # the toggle's order; names: analysis.present.labels.base_label
WAGE_KEY = "assistance.wage_growth_override_pct"
CACHE_SIZE = 4
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")


@dataclass(frozen=True)
class Control:
    """One numeric control: its scenario key, Chinese label, unit and slider range.

    ``kind`` is ``"value"`` (the control is the parameter), ``"target"`` (the parameter is a
    year → ratio mapping and the control sets its value in the explorer's target year) or ``"optional"``
    (``None`` = leave the parameter out: the model's own default).
    """

    key: str
    label: str
    unit: str
    low: float
    high: float
    step: float
    kind: str = "value"


CONTROLS: dict[str, Control] = {
    "tfr_multiplier": Control("demography.tfr_multiplier", "总和生育率乘数 TFR multiplier", "倍", 0.5, 1.5, 0.05),
    "e0_gain_per_year": Control(
        "demography.e0_gain_per_year", "预期寿命额外增幅 extra e0 gain", "岁/年", -0.2, 0.3, 0.01
    ),
    "net_migration_scale": Control(
        "demography.net_migration_scale", "净迁移倍数 net migration scale", "倍", -1.0, 3.0, 0.1
    ),
    "beds_per_1000_elderly": Control(
        "beds.beds_per_1000_elderly",
        "每千名老年人养老床位（目标年）beds per 1,000 elderly (target year)",
        "张",
        10.0,
        80.0,
        1.0,
        "target",
    ),
    "nursing_beds_per_1000_elderly": Control(
        "beds.nursing_beds_per_1000_elderly",
        "每千名老年人护理型床位（目标年）nursing beds per 1,000 (target year)",
        "张",
        0.0,
        40.0,
        0.5,
        "target",
    ),
    "occupancy_pct": Control("beds.occupancy_pct", "基期实际入住率 observed occupancy", "%", 20.0, 100.0, 1.0),
    "target_occupancy_pct": Control(
        "beds.target_occupancy_pct", "规划目标入住率 target occupancy", "%", 50.0, 100.0, 1.0
    ),
    "wage_growth_pct": Control(WAGE_KEY, "最低工资年增长率 minimum-wage growth", "%/年", -2.0, 15.0, 0.5, "optional"),
}
"""The numeric controls by name (the keyword of :meth:`ScenarioExplorer.update`)."""

DEMOGRAPHY_CONTROLS = [n for n, c in CONTROLS.items() if c.key.startswith("demography.")]


def path_with_target(path: Mapping[Any, float], value: float, year: int) -> dict[int, float]:
    """A year → ratio mapping that reaches ``value`` in ``year``.

    Linear from the first given year (kept at its value) to ``year``; later years are dropped,
    so the ratio is held at ``value`` after ``year`` (as :func:`ratio_path` holds the last
    value). A path whose first year is ``year`` or later becomes ``{year: value}``.

    >>> path_with_target({2021: 10, 2022: 10.5, 2025: 12}, 14, 2025)
    {2021: 10.0, 2025: 14.0}
    """
    years = sorted(int(str(k)) for k in path)
    first = years[0] if years else year
    if first >= year:
        return {int(year): float(value)}
    first_value = float({int(str(k)): v for k, v in path.items()}[first])
    return {first: first_value, int(year): float(value)}


def _frozen(value: Any) -> Any:
    """A hashable, order-independent version of a parameter value (for cache keys)."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def section_key(scenario: Scenario, prefix: str) -> tuple:
    """Every ``prefix.*`` value of ``scenario`` as a hashable key."""
    return tuple(sorted((k, _frozen(v)) for k, v in scenario.section(prefix).items()))


class _LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or_make(self, key, make: Callable[[], Any]) -> tuple[Any, bool]:
        """(value, computed?)"""
        if key in self:
            self.move_to_end(key)
            return self[key], False
        value = make()
        self[key] = value
        while len(self) > self.size:
            self.popitem(last=False)
        return value, True


def resident_weights_2020() -> dict[str, float]:
    """Persons per unit in the 2020 resident base population (weights of the city's 低保 standard).

    Computed by the shared :func:`analysis.services.assistance.population_weights`.
    """
    return assistance.population_weights(load_base_population("resident", 2020), 2020)


def implied_tfr(result, unit_id: str, multiplier: float, year: int) -> float:
    """Total fertility rate (children per woman) the projection applies in ``year``, central draw.

    ``multiplier × calibration factor × WPP national TFR(year) × tfr_index(year)``, the engine's
    fertility rule (:mod:`analysis.demography.projection`; the index, China's births-implied TFR
    against WPP 2022, exists only for a registered origin after 2020). For the city, the units' factors are averaged with
    weights = women aged 15–49 in the first projected year (an approximation of the city TFR).
    ``nan`` when the result carries no calibration (e.g. a synthetic test result).
    """
    factors = (result.calibration or {}).get("fertility_factor")
    if not factors:
        return float("nan")
    f = np.array([factors[u] for u in result.unit_ids])
    if unit_id == geography.CITY_ID:
        women = np.median(result.population[:, 0, :, 1, 15:50].sum(axis=-1), axis=0)
        factor = float(np.sum(f * women) / np.sum(women)) if women.sum() > 0 else float(f.mean())
    else:
        factor = float(f[result.unit_ids.index(unit_id)])
    index = ((result.calibration or {}).get("tfr_index") or {}).get(int(year), 1.0)
    return float(multiplier * factor * national_tfr([year])[0] * index)


class ScenarioExplorer:
    """Current settings of the explorer, the scenario they make, and cached model results.

    Parameters
    ----------
    scenario : str, Path or Scenario
        The starting scenario (its values are the controls' defaults).
    unit : str
        A unit id or Chinese name (13 units or the city ``quanzhou``).
    base : {'registered', 'resident'}
        户籍 or 常住 population.
    draws, seed : int
        Monte Carlo draws (100 keeps a demographic change well under a second) and seed.
    start_year, end_year : int
        Years of the projection (``end_year=None`` → the scenario's horizon).
    overrides : mapping, optional
        Dotted scenario overrides applied to the starting scenario first (e.g. from the runner).
    target_year : int, optional
        The year the bed-ratio controls set and the headline reports (default: the scenario's
        ``beds.build_target_year``, the year its ratios are targets for).

    ``calls`` counts the computations actually run (``projection``, ``beds``, ``dibao``).
    """

    def __init__(
        self,
        scenario: str | Path | Scenario = "baseline",
        *,
        unit: str = geography.CITY_ID,
        base: str = "registered",
        draws: int = 100,
        seed: int | None = 20201101,
        start_year: int = 2020,
        end_year: int | None = None,
        overrides: Mapping[str, Any] | None = None,
        target_year: int | None = None,
    ):
        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.start = sc.with_overrides(dict(overrides)) if overrides else sc
        if int(draws) < 1:
            raise ParameterError("draws", draws, "a whole number >= 1")
        self.draws, self.seed, self.start_year = int(draws), seed, int(start_year)
        self.end_year = int(end_year if end_year is not None else self.start["demography.horizon"])
        self.target_year = int(target_year if target_year is not None else self.start["beds.build_target_year"])
        self.defaults = self._defaults(self.start, self.target_year)
        self.settings: dict[str, Any] = {"unit": geography.CITY_ID, "base": "registered", **self.defaults}
        self.calls: Counter = Counter()
        self._projections = _LRU(CACHE_SIZE)
        self._beds = _LRU(CACHE_SIZE)
        self._dibao = _LRU(CACHE_SIZE)
        self._weights: dict[str, float] | None = None
        self._scenario: Scenario | None = None
        self.update(unit=unit, base=base)

    # --- settings --------------------------------------------------------------------------

    @staticmethod
    def _defaults(sc: Scenario, target_year: int) -> dict[str, Any]:
        out = {}
        for name, c in CONTROLS.items():
            if c.kind == "target":
                value = float(ratio_path(c.key, sc[c.key], [target_year])[0])
                if not np.isfinite(value):  # the path starts after the target year: its first value
                    value = float(next(v for k, v in sorted(sc[c.key].items(), key=lambda kv: int(str(kv[0])))))
                out[name] = value
            else:
                out[name] = sc.get(c.key)
        return out

    def update(self, **changes) -> dict[str, Any]:
        """Change settings (``unit``, ``base`` or any name of :data:`CONTROLS`) and validate them.

        Returns the changed settings. An unknown name or an impossible value raises
        :class:`~analysis.errors.ParameterError` and leaves the settings as they were.
        """
        new = dict(self.settings)
        for name, value in changes.items():
            if name == "unit":
                value = geography.resolve(value).id
            elif name == "base":
                if value not in BASES:
                    raise ParameterError("base", value, "'registered' (户籍) or 'resident' (常住)")
            elif name not in CONTROLS:
                raise ParameterError(name, value, "one of unit, base, " + ", ".join(CONTROLS))
            elif value is not None:
                value = float(value)
            elif CONTROLS[name].kind != "optional":
                raise ParameterError(name, value, "a number")
            new[name] = value
        scenario = self._build_scenario(new)  # raises on an impossible value
        changed = {k: v for k, v in new.items() if self.settings.get(k) != v}
        self.settings, self._scenario = new, scenario
        return changed

    def overrides(self, settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Dotted scenario overrides of the controls that differ from the starting scenario."""
        settings = self.settings if settings is None else settings
        out = {}
        for name, c in CONTROLS.items():
            value = settings[name]
            if value == self.defaults[name] or value is None:
                continue
            out[c.key] = path_with_target(self.start[c.key], value, self.target_year) if c.kind == "target" else value
        return out

    def _build_scenario(self, settings: Mapping[str, Any]) -> Scenario:
        sc = self.start.with_overrides(self.overrides(settings))
        for name, c in CONTROLS.items():  # an optional control set to None removes the parameter
            if c.kind == "optional" and settings[name] is None and c.key in sc.values:
                values = {k: v for k, v in sc.values.items() if k != c.key}
                sc = Scenario(
                    sc.name,
                    sc.description,
                    values,
                    dict(sc.sources),
                    sc.path,
                    {k: v for k, v in sc.overrides.items() if k != c.key},
                )
        return sc

    @property
    def scenario(self) -> Scenario:
        """The validated scenario of the current settings."""
        return self._scenario

    @property
    def unit(self) -> str:
        return self.settings["unit"]

    @property
    def base(self) -> str:
        return self.settings["base"]

    # --- cached results ---------------------------------------------------------------------

    def projection_key(self) -> tuple:
        return (
            self.base,
            section_key(self.scenario, "demography"),
            self.draws,
            self.seed,
            self.start_year,
            self.end_year,
        )

    def beds_key(self) -> tuple:
        return (self.projection_key(), section_key(self.scenario, "beds"))

    def dibao_key(self) -> tuple:
        return (section_key(self.scenario, "assistance"), self.draws, self.seed, self.start_year, self.end_year)

    def projection(self):
        """The ProjectionResult of the current demographic settings (cached)."""

        def run():
            self.calls["projection"] += 1
            return project(
                self.scenario,
                base=self.base,
                start_year=self.start_year,
                end_year=self.end_year,
                draws=self.draws,
                seed=self.seed,
            )

        return self._projections.get_or_make(self.projection_key(), run)[0]

    def bed_frame(self) -> pd.DataFrame:
        """Tidy bed requirements of every unit (:func:`analysis.services.beds.bed_requirements`), cached."""

        def run():
            self.calls["beds"] += 1
            return beds.bed_requirements(self.projection(), self.scenario)

        return self._beds.get_or_make(self.beds_key(), run)[0]

    def dibao_frame(self) -> pd.DataFrame:
        """Tidy 低保 path of every unit (:func:`analysis.services.assistance.dibao_path`), cached."""

        def run():
            self.calls["dibao"] += 1
            if self._weights is None:
                self._weights = resident_weights_2020()
            return assistance.dibao_path(
                self.scenario, self.start_year, self.end_year, draws=self.draws, seed=self.seed, weights=self._weights
            )

        return self._dibao.get_or_make(self.dibao_key(), run)[0]

    def fitted_wage_growth(self) -> float:
        """Median minimum-wage growth of the fitted forecast, percent per year.

        Mean of the tiers' fitted drifts weighted by the 2020 resident population of the units in
        each tier (the starting value of the wage-growth slider).
        """
        if self._weights is None:
            self._weights = resident_weights_2020()
        history = assistance.wage_history(self.start)  # with the 2025 estimate if the scenario uses it
        fits = mw.forecast(
            history,
            self.start_year,
            self.start_year + 1,
            fit_from_year=int(
                assistance.assistance_parameters(self.start, ["assistance.wage_fit_from_year"])[
                    "assistance.wage_fit_from_year"
                ]
            ),
        ).fits
        tiers = {uid: mw.unit_tier(uid, history) for uid in self._weights}
        total = sum(self._weights.values())
        return float(sum(w * fits[tiers[u]].annual_growth_pct for u, w in self._weights.items()) / total)

    def chart_keys(self) -> dict[str, tuple]:
        """What each chart depends on: a chart needs redrawing only when its key changes."""
        return {
            "elderly": (self.unit, self.projection_key()),
            "beds": (self.unit, self.beds_key()),
            "dibao": (self.unit, self.dibao_key()),
        }

    def tfr(self, year: int | None = None) -> float:
        """The TFR the current projection applies in ``year`` (default: the target year) for the
        current unit (central draw)."""
        return implied_tfr(
            self.projection(),
            self.unit,
            self.scenario["demography.tfr_multiplier"],
            self.target_year if year is None else year,
        )

    # --- charts (house style of analysis.present.plots) ---------------------------------------------

    def elderly_chart(self):
        """Fan chart of persons 60+ and 80+ (万人) for the current unit: ``(fig, ax)``."""
        fig = fan_chart(self.projection(), self.unit, ("pop_60plus", "pop_80plus"))
        return fig, fig.axes[0]

    def beds_chart(self):
        """Required beds (ratio and need views) against the stock for the current unit: ``(fig, ax)``."""
        return plot_beds_vs_stock(self.bed_frame(), self.unit)

    def dibao_chart(self):
        """低保 standard with 特困 and 低保边缘 thresholds (yuan per month) for the current unit."""
        return dibao_chart(self.dibao_frame(), self.unit)

    def charts(self) -> dict[str, tuple]:
        """All three charts by name (``elderly``, ``beds``, ``dibao``)."""
        return {"elderly": self.elderly_chart(), "beds": self.beds_chart(), "dibao": self.dibao_chart()}

    def headline(self, year: int | None = None) -> pd.DataFrame:
        """Median values in ``year`` (default: the target year) for the current unit: 60+, 80+, beds
        required, stock, gap, 低保."""
        year = self.target_year if year is None else year
        result = self.projection()
        t = result.year_index(year)
        ind = result.indicators(self.unit)
        rows = [
            (catalogue.label(name, english=True), "persons", float(np.median(ind[name][:, t])))
            for name in ("pop_60plus", "pop_80plus")
        ]
        names = ("beds_required", "bed_stock", "bed_gap", "dibao_monthly")
        for frame in (self.bed_frame(), self.dibao_frame()):
            sel = frame[(frame["unit_id"] == self.unit) & (frame["year"] == year)].set_index("indicator")
            for name in [n for n in names if n in sel.index]:
                rows.append(
                    (catalogue.label(name, english=True), sel.loc[name, "measure"], float(sel.loc[name, "p50"]))
                )
        return pd.DataFrame(rows, columns=["指标 indicator", "单位 measure", f"{year}年中位数 median"])

    # --- saving --------------------------------------------------------------------------

    def saved_scenario(self, name: str, today: _dt.date | None = None) -> Scenario:
        """The current settings as a complete scenario named ``name`` (every parameter, with sources).

        Changed values get the source "set in the scenario explorer on <date>" (with the value
        they replace); unchanged ones keep their source.
        """
        _check_name(name)
        date = (today or _dt.date.today()).isoformat()
        sc = self.scenario
        sources = {k: self.start.source(k) for k in sc.values}
        changed = {k for k in sc.values if k not in self.start.values or sc.values[k] != self.start.values[k]}
        for key in sorted(changed):
            before = self.start.values.get(key, "absent (model default)")
            sources[key] = f"set in the scenario explorer on {date} (scenario {self.start.name!r} had {before})"
        description = (
            f"情景探索器保存 Saved from the scenario explorer on {date}, starting from "
            f"{self.start.name!r}; changed: {', '.join(sorted(changed)) or 'nothing'}. "
            f"Explored with base={self.base}, unit={self.unit}, draws={self.draws} "
            "(run options, not scenario parameters)"
        )
        return Scenario(name, description, dict(sc.values), sources)

    def save_scenario(
        self, name: str, *, directory: str | Path | None = None, overwrite: bool = False, today: _dt.date | None = None
    ) -> Path:
        """Write ``scenarios/<name>.yaml`` (the full parameter set) and check it loads back.

        Refuses to overwrite an existing file unless ``overwrite=True`` (ParameterError). The
        file loads with :func:`analysis.scenarios.load_scenario` and can be run with
        ``python -m analysis run --scenario <name>``.
        """
        scenario = self.saved_scenario(name, today)
        folder = Path(directory) if directory is not None else config.scenarios_dir()
        path = folder / f"{name}.yaml"
        if path.exists() and not overwrite:
            raise ParameterError("save_as", name, f"a name not used yet in {folder} (or overwrite=True)")
        folder.mkdir(parents=True, exist_ok=True)
        text = "# Saved by analysis.present.explorer.ScenarioExplorer.save_scenario\n" + scenario.to_yaml()
        path.write_text(text, encoding="utf-8")
        back = load_scenario(path)
        if back.values != scenario.values:
            raise ParameterError("save_as", name, "a scenario that reads back unchanged (internal error)")
        return path


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ParameterError("save_as", name, "a file name of letters, digits, '_' or '-' (e.g. 'high_beds')")


def control_rules() -> dict[str, str]:
    """The scenario rule (allowed range) of each control, for labels and docs."""
    rules = parameter_rules()
    return {name: rules[c.key].allowed() for name, c in CONTROLS.items()}

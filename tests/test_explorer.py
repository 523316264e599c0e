"""Scenario explorer: what is cached, what is recomputed, saved scenarios, the widgets, the notebook.

Also the wage-growth override it needs (``assistance.wage_growth_override_pct``,
``min_wage.forecast(growth_override_pct=...)``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import explorer as ex_mod
from analysis.demography import project
from analysis.errors import ParameterError
from analysis.explorer import ScenarioExplorer, implied_tfr, path_with_target
from analysis.scenarios import load_scenario
from analysis.services import assistance, beds
from analysis.services import min_wage as mw

DRAWS = 20
END = 2030
DAY = dt.date(2026, 1, 2)


@pytest.fixture
def counted(monkeypatch):
    """Count calls of the projection engine made by the explorer."""
    calls = []

    def counting(*args, **kwargs):
        calls.append(kwargs.get("base"))
        return project(*args, **kwargs)

    monkeypatch.setattr(ex_mod, "project", counting)
    return calls


@pytest.fixture
def explorer(counted):
    ex = ScenarioExplorer("baseline", unit="jinjiang", base="registered", draws=DRAWS, end_year=END)
    ex.projection(), ex.bed_frame(), ex.dibao_frame()
    return ex


def p50(frame, unit, year, indicator):
    sel = frame[(frame.unit_id == unit) & (frame.year == year) & (frame.indicator == indicator)]
    assert len(sel) == 1
    return float(sel["p50"].iloc[0])


# --- caching -------------------------------------------------------------------------------------


def test_unit_bed_and_wage_changes_do_not_rerun_the_projection(explorer, counted):
    assert len(counted) == 1
    for change in [
        dict(unit="德化县"),
        dict(beds_per_1000_elderly=45),
        dict(nursing_beds_per_1000_elderly=14),
        dict(occupancy_pct=70),
        dict(target_occupancy_pct=90),
        dict(wage_growth_pct=4.0),
        dict(unit="quanzhou"),
    ]:
        explorer.update(**change)
        explorer.projection(), explorer.bed_frame(), explorer.dibao_frame()
    assert len(counted) == 1
    assert explorer.calls["projection"] == 1
    assert explorer.calls["beds"] == 5  # first + four bed changes, none for the unit changes
    assert explorer.calls["dibao"] == 2  # first + the wage change


def test_demographic_changes_rerun_the_projection_once_each(explorer, counted):
    explorer.update(tfr_multiplier=1.2)
    explorer.bed_frame()
    assert len(counted) == 2
    explorer.update(tfr_multiplier=1.0)
    explorer.bed_frame()  # back to the start: still in the cache
    assert len(counted) == 2
    explorer.update(tfr_multiplier=1.2)
    explorer.update(e0_gain_per_year=0.1)
    explorer.projection()
    explorer.update(net_migration_scale=2.0)
    explorer.projection()
    explorer.update(base="resident")
    explorer.projection()
    assert counted == ["registered"] * 4 + ["resident"]
    explorer.dibao_frame()
    assert explorer.calls["dibao"] == 1  # 低保 standards do not depend on the projection


def test_chart_keys_say_which_charts_change(explorer):
    keys = explorer.chart_keys()
    explorer.update(occupancy_pct=80)
    after = explorer.chart_keys()
    assert [n for n in keys if keys[n] != after[n]] == ["beds"]
    explorer.update(wage_growth_pct=2.0)
    assert [n for n in after if after[n] != explorer.chart_keys()[n]] == ["dibao"]


def test_cache_is_bounded(explorer, counted):
    for k in range(ex_mod.CACHE_SIZE + 2):
        explorer.update(net_migration_scale=1.0 + 0.1 * (k + 1))
        explorer.projection()
    assert len(explorer._projections) == ex_mod.CACHE_SIZE


# --- the numbers ---------------------------------------------------------------------------------


def test_bed_ratio_control_sets_the_2025_target_by_hand(explorer):
    explorer.update(unit="quanzhou", beds_per_1000_elderly=45)
    frame, result = explorer.bed_frame(), explorer.projection()
    elderly = np.median(result.age_sum("quanzhou", 60), axis=0)
    for year, ratio in [(2020, 38), (2023, 38 + 3 / 5 * 7), (2025, 45), (2030, 45)]:
        t = result.year_index(year)
        assert p50(frame, "quanzhou", year, "beds_required") == pytest.approx(ratio / 1000 * elderly[t], rel=1e-9)


def test_scalar_controls_reach_the_models(explorer):
    need = p50(explorer.bed_frame(), "jinjiang", 2025, "beds_need_view")
    explorer.update(target_occupancy_pct=85 / 2)  # half the target occupancy -> twice the beds
    assert p50(explorer.bed_frame(), "jinjiang", 2025, "beds_need_view") == pytest.approx(2 * need, rel=1e-9)
    explorer.update(target_occupancy_pct=85, occupancy_pct=53 / 2)  # half today's residents -> half the beds
    assert p50(explorer.bed_frame(), "jinjiang", 2025, "beds_need_view") == pytest.approx(need / 2, rel=1e-9)
    old = np.median(explorer.projection().age_sum("jinjiang")[:, -1])
    explorer.update(net_migration_scale=3.0)  # registered base: net transfers into Jinjiang are positive
    assert np.median(explorer.projection().age_sum("jinjiang")[:, -1]) != pytest.approx(old, rel=1e-6)


def test_defaults_leave_the_scenario_untouched(explorer):
    assert explorer.overrides() == {}
    assert explorer.scenario.values == load_scenario("baseline").values
    assert explorer.settings["beds_per_1000_elderly"] == 38
    assert explorer.settings["nursing_beds_per_1000_elderly"] == 12
    assert explorer.settings["wage_growth_pct"] is None


def test_path_with_target():
    assert path_with_target({2021: 10, 2022: 10.5, 2025: 12, 2030: 15}, 14, 2025) == {2021: 10.0, 2025: 14.0}
    assert path_with_target({2020: 38}, 40, 2025) == {2020: 38.0, 2025: 40.0}
    assert path_with_target({"2027": 5}, 7, 2025) == {2025: 7.0}


def test_tfr_label_is_the_engine_rule(explorer):
    result = explorer.projection()
    factor = result.calibration["fertility_factor"]["jinjiang"]
    from analysis.demography.fertility import national_tfr

    assert explorer.tfr(2025) == pytest.approx(factor * national_tfr([2025])[0])
    # registered base: one factor for every unit, so the city TFR is the same
    assert implied_tfr(result, "quanzhou", 1.0, 2025) == pytest.approx(explorer.tfr(2025))


def test_tfr_multiplier_changes_births():
    # Needs the engine to calibrate fertility at multiplier 1 (projection.first_year_births);
    # calibrating at the scenario's multiplier would divide it out and leave births unchanged.
    ex = ScenarioExplorer("baseline", base="registered", draws=1, end_year=2025)
    before, tfr_before = ex.projection().age_sum("quanzhou", 0, 2)[0, -1], ex.tfr(2025)
    ex.update(tfr_multiplier=1.3)
    assert ex.tfr(2025) == pytest.approx(1.3 * tfr_before)
    assert ex.projection().age_sum("quanzhou", 0, 2)[0, -1] > 1.2 * before


# --- bad input -----------------------------------------------------------------------------------


def test_bad_settings_raise_and_keep_the_old_ones(explorer):
    before = dict(explorer.settings)
    with pytest.raises(ParameterError, match="beds.occupancy_pct"):
        explorer.update(occupancy_pct=0)
    with pytest.raises(ParameterError, match="tfr_multiplyer"):
        explorer.update(tfr_multiplyer=1.1)
    with pytest.raises(ParameterError, match="base"):
        explorer.update(base="census")
    with pytest.raises(ParameterError, match="occupancy_pct"):
        explorer.update(occupancy_pct=None)
    assert explorer.settings == before
    with pytest.raises(ParameterError, match="draws"):
        ScenarioExplorer(draws=0)


# --- saving --------------------------------------------------------------------------------------


def test_saved_yaml_round_trips_and_reproduces_the_numbers(project_copy, counted):
    ex = ScenarioExplorer("baseline", unit="dehua", base="registered", draws=DRAWS, end_year=END)
    ex.update(
        tfr_multiplier=1.1, net_migration_scale=1.5, beds_per_1000_elderly=42, occupancy_pct=65, wage_growth_pct=5.0
    )
    path = ex.save_scenario("explored_test", today=DAY)
    assert path == project_copy / "scenarios" / "explored_test.yaml"
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "extends" not in tree  # the full set: independent of later baseline edits
    assert tree["beds"]["occupancy_pct"]["value"] == 65
    assert tree["beds"]["occupancy_pct"]["source"].startswith("set in the scenario explorer on 2026-01-02")
    assert "set in the scenario explorer" not in tree["demography"]["tfr_sd"]["source"]
    assert tree["assistance"]["wage_growth_override_pct"]["value"] == 5.0

    loaded = load_scenario("explored_test")  # by name, as `python -m analysis run --scenario explored_test`
    assert loaded.values == ex.scenario.values
    result = project(loaded, base="registered", end_year=END, draws=DRAWS, seed=ex.seed)
    np.testing.assert_array_equal(result.population, ex.projection().population)
    pd.testing.assert_frame_equal(beds.bed_requirements(result, loaded), ex.bed_frame())
    explored = ex.dibao_frame()
    path_again = assistance.dibao_path(
        loaded, 2020, END, draws=DRAWS, seed=ex.seed, weights=ex_mod.resident_weights_2020()
    )
    pd.testing.assert_frame_equal(path_again, explored)


def test_save_refuses_bad_names_and_overwriting(project_copy):
    ex = ScenarioExplorer("baseline", draws=1, end_year=2022)
    for bad in ["../escape", "", "两个字", "a b"]:
        with pytest.raises(ParameterError, match="save_as"):
            ex.save_scenario(bad)
    with pytest.raises(ParameterError, match="save_as"):
        ex.save_scenario("baseline")
    assert ex.save_scenario("baseline", directory=project_copy / "elsewhere").exists()


def test_fitted_wage_choice_removes_an_override_of_the_start(project_copy):
    (project_copy / "scenarios" / "wage3.yaml").write_text(
        "name: wage3\nextends: baseline\nassistance:\n  wage_growth_override_pct: {value: 3, source: test}\n",
        encoding="utf-8",
    )
    ex = ScenarioExplorer("wage3", draws=1, end_year=2022)
    assert ex.settings["wage_growth_pct"] == 3
    ex.update(wage_growth_pct=None)
    assert "assistance.wage_growth_override_pct" not in ex.scenario.values
    saved = load_scenario(ex.save_scenario("wage_fitted", today=DAY))
    assert saved.get("assistance.wage_growth_override_pct") is None


# --- the wage-growth override ---------------------------------------------------------------------


def test_wage_growth_override_by_hand():
    history = mw.load_wage_history()
    fc = mw.forecast(history, 2020, 2030, growth_override_pct=5.0)
    fit = fc.fits[2]
    assert fit.drift == pytest.approx(np.log(1.05))
    first = fc.adjustments[0]  # the pending 2025-04 decree
    h = (first.ordinal - fit.anchor.ordinal) / 12  # 3 years after 2022-04
    month = fc.months.get_loc(first)
    assert fc.monthly[2][1, month] == pytest.approx(fit.anchor_wage * 1.05**h)  # row 1 = p50
    flat = mw.forecast(history, 2020, 2030, growth_override_pct=0.0)
    assert np.allclose(flat.monthly[2][1, month:], fit.anchor_wage)
    fitted = mw.forecast(history, 2020, 2030)
    assert fitted.fits[2].drift_se == fit.drift_se and fitted.fits[2].drift != fit.drift


def test_wage_growth_override_in_the_scenario():
    # zero growth, fixed decree dates: the median stays at the last (2025-04, estimated) tier-2 wage
    sc = load_scenario("baseline", {"assistance.wage_growth_override_pct": 0, "assistance.wage_timing": "fixed"})
    frame = assistance.dibao_path(sc, 2020, 2030, units=["jinjiang"])
    assert p50(frame, "jinjiang", 2030, "min_wage_monthly") == pytest.approx(1960 * 2100 / 1865)
    assert any("wage_growth_override_pct" in str(n) for n in frame.attrs["notes"])
    base = assistance.dibao_path("baseline", 2020, 2030, units=["jinjiang"])
    assert p50(base, "jinjiang", 2030, "min_wage_monthly") > 2000
    with pytest.raises(ParameterError, match="wage_growth_override_pct"):
        load_scenario("baseline", {"assistance.wage_growth_override_pct": 50})


# --- widgets and notebook -----------------------------------------------------------------------


def test_widgets_redraw_only_what_changed(explorer, counted, capsys):
    from analysis.explorer_widgets import ExplorerUI

    ui = ExplorerUI(explorer)
    ui.show()
    assert ui.drawn == explorer.chart_keys()
    assert ui._changed(occupancy_pct=75) == ["beds"]
    ui.sliders["wage_growth_pct"].value = 3.0  # disabled while "fitted" is ticked: no effect
    assert explorer.settings["wage_growth_pct"] is None
    ui.fitted_wage.value = False
    assert explorer.settings["wage_growth_pct"] == 3.0
    ui.unit.value = "anxi"
    assert "projection recomputed: 否 no" in ui.status.value
    assert len(counted) == 1
    ui.sliders["tfr_multiplier"].value = 1.1
    assert len(counted) == 2 and "是 yes" in ui.status.value
    assert ui._changed(occupancy_pct=0) == [] and "beds.occupancy_pct" in ui.status.value


def test_widget_save_button_writes_the_file(project_copy, capsys):
    from analysis.explorer_widgets import ExplorerUI

    ui = ExplorerUI(ScenarioExplorer("baseline", draws=1, end_year=2022))
    ui.sliders["occupancy_pct"].value = 60.0
    ui.save_name.value = "from_button"
    ui.save_button.click()
    assert (project_copy / "scenarios" / "from_button.yaml").exists()
    assert "--scenario from_button" in ui.save_status.value
    ui.save_button.click()  # second time: the file exists -> a message, no exception
    assert "save_as" in ui.save_status.value


@pytest.mark.slow
def test_notebook_runs_headless(project_copy, tmp_path):
    import nbformat
    import papermill as pm

    out = tmp_path / "99_scenario_explorer.ipynb"
    pm.execute_notebook(
        str(project_copy / "notebooks" / "99_scenario_explorer.ipynb"),
        str(out),
        parameters={"unit": "dehua", "base": "registered", "draws": DRAWS, "end_year": END, "save_as": "from_notebook"},
        kernel_name="quanzhou-forecast",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 3
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert not any(o.output_type == "error" for o in outputs)
    saved = load_scenario(project_copy / "scenarios" / "from_notebook.yaml")
    assert saved.values == load_scenario("baseline").values

"""Scenario files: flattening, sources, overrides, and clear errors for impossible values."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from analysis import scenarios
from analysis.errors import AnalysisError, ParameterError
from analysis.scenarios import Rule

RULES = {
    "demo.tfr": Rule(0, 10, description="total fertility rate"),
    "demo.end_year": Rule(2021, 2050, kind="int"),
    "beds.occupancy": Rule(0.05, 1.0),
    "beds.prevalence": Rule(0, 1, kind="list"),
    "assist.mode": Rule(kind="str", choices=("hold", "trend")),
}


@pytest.fixture
def rules(monkeypatch):
    monkeypatch.setattr(scenarios, "parameter_rules", lambda: RULES)


@pytest.fixture
def scenario_dir(tmp_path, monkeypatch, rules):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "base.yaml").write_text(
        "name: base\ndescription: 基准\n"
        "demo:\n  tfr: {value: 1.1, source: 'UN WPP 2022'}\n  end_year: 2035\n"
        "beds:\n  occupancy: {value: 0.8, source: reasoning}\n  prevalence: [0.01, 0.05]\n"
        "assist:\n  mode: hold\n",
        encoding="utf-8",
    )
    (tmp_path / "scenarios" / "low.yaml").write_text(
        "name: low\nextends: base\ndemo:\n  tfr: {value: 0.9, source: lower}\n", encoding="utf-8"
    )
    monkeypatch.setenv("QZ_FORECAST_ROOT", str(tmp_path))
    return tmp_path / "scenarios"


def test_load_flattens_values_and_sources(scenario_dir):
    s = scenarios.load_scenario("base")
    assert s["demo.tfr"] == 1.1 and s["demo.end_year"] == 2035
    assert s.source("demo.tfr") == "UN WPP 2022"
    assert s["beds.prevalence"] == [0.01, 0.05]
    assert s.section("beds") == {"occupancy": 0.8, "prevalence": [0.01, 0.05]}


def test_extends_inherits_and_overrides(scenario_dir):
    s = scenarios.load_scenario("low")
    assert s["demo.tfr"] == 0.9 and s["beds.occupancy"] == 0.8 and s.source("demo.tfr") == "lower"


def test_run_overrides_are_validated_and_marked(scenario_dir):
    s = scenarios.load_scenario("base", scenarios.parse_overrides(["beds.occupancy=0.5"]))
    assert s["beds.occupancy"] == 0.5 and s.source("beds.occupancy") == "override for this run"
    with pytest.raises(ParameterError, match=r"beds.occupancy.*between 0.05 and 1.0"):
        scenarios.load_scenario("base", {"beds.occupancy": 0})


@pytest.mark.parametrize(
    "key, value, fragment",
    [
        ("demo.tfr", -0.5, "between 0 and 10"),
        ("demo.tfr", "many", "a number"),
        ("demo.end_year", 2019, "between 2021 and 2050"),
        ("demo.end_year", 2030.5, "whole number"),
        ("beds.prevalence", [0.1, 1.5], "list of numbers each between 0 and 1"),
        ("assist.mode", "guess", "one of ['hold', 'trend']"),
        ("demo.tfrr", 1.0, "a known parameter"),
    ],
)
def test_impossible_values_name_parameter_and_range(scenario_dir, key, value, fragment):
    with pytest.raises(ParameterError) as err:
        scenarios.load_scenario("base", {key: value})
    assert key in str(err.value) and fragment in str(err.value)


def test_unknown_scenario_lists_known(scenario_dir):
    with pytest.raises(AnalysisError, match="known scenarios: base, low"):
        scenarios.load_scenario("nope")


def test_yaml_round_trip(scenario_dir, tmp_path):
    s = scenarios.load_scenario("base", {"demo.tfr": 1.3})
    out = scenario_dir / "saved.yaml"
    out.write_text(s.to_yaml(), encoding="utf-8")
    again = scenarios.load_scenario(out)
    assert again.values == s.values


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_rule_accepts_exactly_its_range(x):
    rule = Rule(0, 1)
    if 0 <= x <= 1:
        assert rule.check("p", x) == x
    else:
        with pytest.raises(ParameterError):
            rule.check("p", x)


def test_bundled_scenarios_load():
    for name in ("baseline", "low", "high"):
        s = scenarios.load_scenario(name)
        assert s.name == name


def test_a_misspelt_parameter_suggests_the_right_one(scenario_dir):
    with pytest.raises(ParameterError, match=r"did you mean 'beds.occupancy'"):
        scenarios.load_scenario("base", {"beds.ocupancy": 0.5})

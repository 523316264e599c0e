"""The run-wide result cache: off by default, computes once per key, keyed on inputs too."""

from __future__ import annotations

import numpy as np

from analysis import cache


def test_off_without_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV_VAR, raising=False)
    calls = []
    for _ in range(2):
        cache.cached("x", (1,), lambda: calls.append(1) or 42)
    assert len(calls) == 2 and not list(tmp_path.iterdir())


def test_computes_once_per_key(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path / "c"))
    calls = []

    def compute():
        calls.append(1)
        return np.arange(5.0)

    first = cache.cached("arr", ("a", {"k": 1}), compute)
    again = cache.cached("arr", ("a", {"k": 1}), compute)
    other = cache.cached("arr", ("a", {"k": 2}), compute)
    assert len(calls) == 2
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, other)
    assert len(list((tmp_path / "c").glob("arr-*.pkl"))) == 2


def test_changed_input_data_changes_the_key(project_copy, monkeypatch):
    before = cache.key("projection", 1)
    path = project_copy / "data" / "raw" / "census2020_county.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache.key("projection", 1) != before


def test_a_pinned_vintage_changes_the_key(monkeypatch):
    before = cache.key("projection", 1)
    monkeypatch.setenv("QZ_VINTAGE_CENSUS2020", "raw")
    assert cache.key("projection", 1) != before


def test_damaged_entry_is_recomputed(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    cache.cached("v", (1,), lambda: 1)
    for entry in tmp_path.glob("v-*.pkl"):
        entry.write_bytes(b"not a pickle")
    assert cache.cached("v", (1,), lambda: 2) == 2


def test_cached_projection_equals_a_fresh_one(monkeypatch, tmp_path):
    from analysis.demography import project

    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    first = project("baseline", base="registered", end_year=2023, draws=3, seed=5)
    second = project("baseline", base="registered", end_year=2023, draws=3, seed=5)
    monkeypatch.delenv(cache.ENV_VAR)
    fresh = project("baseline", base="registered", end_year=2023, draws=3, seed=5)
    assert second is not first
    np.testing.assert_array_equal(second.population, fresh.population)
    assert len(list(tmp_path.glob("projection-*.pkl"))) == 1


def test_default_horizon_and_explicit_horizon_share_one_entry(monkeypatch, tmp_path):
    from analysis.demography import project
    from analysis.scenarios import load_scenario

    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    sc = load_scenario("baseline")
    project(sc, base="resident", draws=1)
    project(sc, base="resident", end_year=sc["demography.horizon"], draws=1)
    assert len(list(tmp_path.glob("projection-*.pkl"))) == 1

"""The run-wide result cache: off by default, computes once per key, keyed on inputs too; no
pickle — entries are arrays, parquet tables and JSON, verified on load, and any dataclass of the
package round-trips field by field (so new result fields need no cache change)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.run.speed import cache

pytestmark = pytest.mark.usefixtures("speed_hooks")  # the models reach these through analysis.hooks


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
    assert len(list((tmp_path / "c").glob("arr-*"))) == 2
    assert not list((tmp_path / "c").rglob("*.pkl"))


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
    for entry in tmp_path.glob("v-*"):
        (entry / "value.json").write_text("3", encoding="utf-8")
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
    assert len(list(tmp_path.glob("projection-*"))) == 1


def test_default_horizon_and_explicit_horizon_share_one_entry(monkeypatch, tmp_path):
    from analysis.demography import project
    from analysis.scenarios import load_scenario

    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    sc = load_scenario("baseline")
    project(sc, base="resident", draws=1)
    project(sc, base="resident", end_year=sc["demography.horizon"], draws=1)
    assert len(list(tmp_path.glob("projection-*"))) == 1


# --- fault injection and the generic codec -----------------------------------------------------

import dataclasses  # noqa: E402
import pandas as pd  # noqa: E402


from analysis.run.speed import cache_codec  # noqa: E402


def test_another_keys_entry_is_never_used(monkeypatch, tmp_path):
    """A valid entry of another projection copied under this key's name is recomputed."""
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    cache.cached("p", ("a",), lambda: np.arange(3.0))
    cache.cached("p", ("b",), lambda: np.ones(3))
    a, b = sorted(tmp_path.glob("p-*"), key=lambda p: p.name)
    key_a = cache.key("p", "a")
    target = a if a.name.endswith(key_a) else b
    other = b if target is a else a
    import shutil

    shutil.rmtree(target)
    shutil.copytree(other, target)
    value = cache.cached("p", ("a",), lambda: np.full(3, 7.0))
    np.testing.assert_array_equal(value, np.full(3, 7.0))


@pytest.mark.parametrize("damage", ["flip a byte of the arrays", "extra file", "missing entry.json", "pickle planted"])
def test_tampered_entries_are_recomputed(monkeypatch, tmp_path, damage):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    cache.cached("t", (1,), lambda: {"x": np.arange(4.0)})
    (entry,) = tmp_path.glob("t-*")
    if damage == "flip a byte of the arrays":
        data = bytearray((entry / "arrays.npz").read_bytes())
        data[-30] ^= 0xFF
        (entry / "arrays.npz").write_bytes(bytes(data))
    elif damage == "extra file":
        (entry / "evil.py").write_text("raise SystemExit", encoding="utf-8")
    elif damage == "missing entry.json":
        (entry / "entry.json").unlink()
    else:
        import pickle

        (entry / "arrays.npz").write_bytes(pickle.dumps({"x": np.arange(4.0)}))
    value = cache.cached("t", (1,), lambda: {"x": np.zeros(2)})
    np.testing.assert_array_equal(value["x"], np.zeros(2))


@dataclasses.dataclass
class _NotOurs:
    x: int = 1


def test_codec_refuses_foreign_dataclasses_and_object_arrays(tmp_path):
    with pytest.raises(cache_codec.Uncacheable):
        cache_codec.write_entry(tmp_path / "a", "k", _NotOurs())
    with pytest.raises(cache_codec.Uncacheable):
        cache_codec.write_entry(tmp_path / "b", "k", np.array([object()]))
    tree = {"__dataclass__": "os:PathLike", "fields": {}}
    with pytest.raises(ValueError, match="refusing"):
        cache_codec._Reader({}, []).decode(tree)


def test_values_the_codec_cannot_store_are_computed_not_cached(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    assert cache.cached("o", (1,), lambda: {1, 2}) == {1, 2}
    assert not list(tmp_path.iterdir())


def _assert_same(a, b):
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        assert a.attrs == b.attrs
    elif dataclasses.is_dataclass(a):
        assert type(a) is type(b)
        for f in dataclasses.fields(a):
            _assert_same(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, float) and a != a:
        assert b != b
    else:
        assert a == b and type(a) is type(b)


def test_every_field_of_a_real_projection_round_trips(tmp_path):
    """Iterates the dataclass's own fields, so a field added to ProjectionResult is covered."""
    from analysis.demography import projection

    result = projection.project("baseline", base="registered", end_year=2023, draws=3, seed=5, keep_components=True)
    cache_codec.write_entry(tmp_path / "e", "k", result)
    (back,) = cache_codec.read_entry(tmp_path / "e", "k")
    _assert_same(result, back)
    assert {f.name for f in dataclasses.fields(result)} == {f.name for f in dataclasses.fields(back)}


def test_the_models_tuple_round_trips(tmp_path):
    frame = pd.DataFrame({"unit_id": ["a", "b"], "year": [2020, 2021], "p10": [np.nan, 1.5]})
    frame.attrs["notes"] = ["estimated"]
    value = (frame, ["note 1"], {2020: 38.0, "x": np.int64(3)}, float("inf"), None, np.float32(2.5))
    cache_codec.write_entry(tmp_path / "m", "k", value)
    (back,) = cache_codec.read_entry(tmp_path / "m", "k")
    _assert_same(value[:3], back[:3])
    assert back[3] == float("inf") and back[4] is None and back[5] == np.float32(2.5)


def test_a_verified_entry_is_read_once_per_process_and_served_as_copies(monkeypatch, tmp_path):
    """A warm kernel's many jobs load an entry once (parse and hash); each call gets its own copy,
    and bytes changed after that read are still caught."""
    import time

    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    cache._READ.forget()
    computed, reads = [], []
    real_read = cache.read_entry
    monkeypatch.setattr(cache, "read_entry", lambda *a: reads.append(1) or real_read(*a))

    def compute():
        computed.append(1)
        return {"x": np.arange(4.0)}

    cache.cached("m", (1,), compute)  # computed and written
    first = cache.cached("m", (1,), compute)  # read and verified once
    first["x"][0] = 99.0  # a caller changes what it got
    second = cache.cached("m", (1,), compute)  # from memory, a fresh copy
    assert computed == [1] and reads == [1] and second["x"][0] == 0.0
    time.sleep(0.05)  # past the file system's timestamp tick
    (entry,) = tmp_path.glob("m-*")
    data = bytearray((entry / "arrays.npz").read_bytes())
    data[-30] ^= 0xFF
    (entry / "arrays.npz").write_bytes(bytes(data))  # same size, other bytes
    third = cache.cached("m", (1,), compute)
    assert computed == [1, 1] and reads == [1, 1] and third["x"][0] == 0.0
    cache._READ.forget()


def test_the_2020_county_base_fit_is_computed_once_per_run(monkeypatch, tmp_path):
    """The resident base's county fit (1.7 s) goes through the run cache: the tables phase fits
    it, every notebook job loads it."""
    from analysis.demography.base import county

    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path / "c"))
    county._resident_2020_cached.cache_clear()
    fitted = county.estimate_resident_2020()
    assert len(list((tmp_path / "c").glob("resident-base-2020-*"))) == 1

    def refit(_county_ages):
        raise AssertionError("fitted again although the run cache holds the fit")

    county._resident_2020_cached.cache_clear()
    cache._READ.forget()
    monkeypatch.setattr(county, "_fit_resident_2020", refit)
    loaded = county.estimate_resident_2020()
    np.testing.assert_array_equal(loaded.population, fitted.population)
    assert loaded.unit_total_estimated == fitted.unit_total_estimated and loaded.notes == fitted.notes
    county._resident_2020_cached.cache_clear()


def test_a_worker_prefetches_the_band_component_runs_a_01_job_then_loads(monkeypatch, tmp_path):
    """prefetch.band_component_runs writes the 'base' and 'rates' projections under the keys 01's
    component_runs reads; a failure is reported, never raised."""
    from analysis.demography import band_components, cached
    from analysis.run.speed import prefetch

    folder, log = tmp_path / "c", tmp_path / "warm-up.log"
    params = {"scenario": "baseline", "base": "registered", "start_year": 2020, "end_year": 2022, "draws": 2, "seed": 7}
    monkeypatch.setenv(cache.ENV_VAR, str(folder))
    outcome = prefetch.band_component_runs({cache.ENV_VAR: str(folder)}, params, str(log))
    assert outcome.startswith("band components ready") and "prefetch: band components ready" in log.read_text()
    assert len(list(folder.glob("projection-*"))) == 2
    computed = []
    real = cached.projection.project
    monkeypatch.setattr(
        cached.projection, "project", lambda *a, **k: computed.append(k["uncertainty"]) or real(*a, **k)
    )
    runs = band_components.component_runs("baseline", "registered", 2020, 2022, 2, 7)
    assert computed == ["all"] and set(runs) == {"all", "base", "rates"}  # only 'all' was not prefetched
    bad = prefetch.band_component_runs({cache.ENV_VAR: str(folder)}, {**params, "scenario": "no-such"}, str(log))
    assert bad.startswith("band components not prefetched: AnalysisError")


def test_a_worker_prefetches_the_comparisons_models_the_products_phase_then_loads(monkeypatch, tmp_path):
    """prefetch.comparison_runs computes a compared scenario's models under the keys
    compare.scenario_rows reads after the notebooks: that then computes nothing."""
    from analysis import compare, pipeline
    from analysis.demography import cached
    from analysis.run.speed import prefetch
    from analysis.scenarios import load_scenario

    folder, log = tmp_path / "c", tmp_path / "warm-up.log"
    monkeypatch.setenv(cache.ENV_VAR, str(folder))
    low = load_scenario("low")
    outcome = prefetch.comparison_runs({cache.ENV_VAR: str(folder)}, low, "registered", 2020, 2022, 2, 7, str(log))
    assert outcome.startswith("comparison scenario low ready"), outcome

    def compute(*_args, **_kwargs):
        raise AssertionError("computed again although the worker prefetched it")

    monkeypatch.setattr(cached.projection, "project", compute)
    monkeypatch.setattr(pipeline, "_model_frames", compute)
    rows = compare.scenario_rows([load_scenario("low")], "registered", 2022, 2020, 2022, 2, 7)
    ((frame, points),) = rows.values()
    assert len(frame) and set(points) >= {"quanzhou", "nanan"}


def test_a_publishing_run_queues_every_compared_scenario_a_trial_run_only_the_bands(monkeypatch):
    from types import SimpleNamespace

    from analysis.run import product_scope
    from analysis.run.speed import prefetch

    monkeypatch.delenv(product_scope.QUICK_ENV, raising=False)
    queued = []
    executor = SimpleNamespace(background=lambda fn, *args: queued.append((fn.__name__, args)))
    jobs = [SimpleNamespace(stem="01_population_projection", env={"A": "1"}, parameters={"scenario": "baseline"})]
    options = SimpleNamespace(
        scenario="baseline",
        publish=False,
        incremental=False,
        base="registered",
        origin=2024,
        end_year=2035,
        draws=200,
        seed=7,
    )
    prefetch.queue_prefetch(executor, jobs, options, {}, True, None)
    assert [q[0] for q in queued] == ["band_component_runs", "comparison_runs", "comparison_runs"]
    assert [q[1][1].name for q in queued[1:]] == ["low", "high"]
    assert queued[1][1][0] == {"A": "1"} and queued[1][1][2:] == (
        "registered",
        2024,
        2035,
        200,
        7,
        None,
    )  # starts at the origin
    queued.clear()
    prefetch.queue_prefetch(executor, jobs, options, {}, False, None)  # a trial run: no comparison
    assert [q[0] for q in queued] == ["band_component_runs"]
    queued.clear()
    options.incremental = True  # 01 mostly reused; the comparison is made in every publishing run
    prefetch.queue_prefetch(executor, jobs, options, {}, True, None)
    assert [q[0] for q in queued] == ["comparison_runs", "comparison_runs"]


def test_model_frame_reads_the_run_models_rows_without_loading_the_projections(monkeypatch, tmp_path):
    """The 要点 box needs only the tidy rows: within a run they come from the cache alone."""
    from analysis import demography, pipeline

    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    cache._READ.forget()
    run = pipeline.run_models("baseline", base="registered", end_year=2023, draws=3, seed=5)

    def no_projection(*args, **kwargs):
        raise AssertionError("a projection was loaded although the models' rows are cached")

    monkeypatch.setattr(demography, "project", no_projection)
    frame, notes = pipeline.model_frame("baseline", base="registered", end_year=2023, draws=3, seed=5)
    pd.testing.assert_frame_equal(frame, run.projected)
    assert notes == run.notes
    cache._READ.forget()


def test_notebook_04s_linkage_is_computed_once_per_run_and_equals_a_direct_path(monkeypatch, tmp_path):
    from analysis import pipeline
    from analysis.demography import project
    from analysis.services import assistance

    args = dict(base="registered", start_year=2020, end_year=2023, draws=3, seed=5)
    resident = project("baseline", base="resident", start_year=2020, end_year=2023, draws=1, seed=5)
    registered = project("baseline", base="registered", start_year=2020, end_year=2023, draws=3, seed=5)
    weights = assistance.population_weights(resident, 2020)
    direct = assistance.dibao_path("baseline", 2020, 2023, draws=3, seed=5, weights=weights, population=registered)

    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    cache._READ.forget()
    first = pipeline.linkage_models("baseline", **args)

    def recompute(*a, **k):
        raise AssertionError("the 低保 path was computed again within the run")

    monkeypatch.setattr(assistance, "dibao_path", recompute)
    again = pipeline.linkage_models("baseline", **args)
    for got in (first, again):
        assert got.weights == weights
        pd.testing.assert_frame_equal(got.path, direct)
        assert got.path.attrs == direct.attrs and direct.attrs["notes"]
    assert len(list(tmp_path.glob("linkage-*"))) == 1
    cache._READ.forget()


def test_settle_reads_again_what_was_put_since_and_keeps_the_rest(monkeypatch, tmp_path):
    """A warm kernel's reset settles the store against what it settled last time: an entry put (or
    replaced, or settled by the job itself under a patch) since is replaced by what the restored code
    reads from disk; an entry settled before is kept as it is (not read again)."""
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    cache._READ.forget()
    try:
        cache.cached("s", (1,), lambda: {"x": np.arange(3.0)})
        cache.cached("s", (1,), lambda: None)  # read and verified: in the store
        settled = cache._READ.settle({})  # the reset after the first job
        (path,) = cache._READ.entries
        kept = cache._READ.entries[path]
        cache.cached("s", (2,), lambda: {"x": np.ones(2)})
        cache.cached("s", (2,), lambda: None)
        (new,) = [p for p in cache._READ.entries if p != path]
        real_read = cache.read_entry
        reads = []
        monkeypatch.setattr(cache, "read_entry", lambda *a: reads.append(str(a[0])) or real_read(*a))
        settled = cache._READ.settle(settled)  # the reset after the second job
        assert reads == [new] and cache._READ.entries[path] is kept and set(settled) == {path, new}
        tampered = lambda *a: ({"x": np.full(2, 99.0)},)  # noqa: E731 - a job's patch
        monkeypatch.setattr(cache, "read_entry", tampered)
        cache._READ.settle({})  # a third job settles under its patch …
        assert cache._READ.entries[new][2]["x"][0] == 99.0
        reads.clear()
        monkeypatch.setattr(cache, "read_entry", lambda *a: reads.append(str(a[0])) or real_read(*a))
        settled = cache._READ.settle(settled)  # … the reset, patch undone, against what it settled last
        assert sorted(reads) == sorted([path, new])
        assert cache.cached("s", (2,), lambda: None)["x"].tolist() == [1.0, 1.0]
        assert cache.cached("s", (1,), lambda: None)["x"].tolist() == [0.0, 1.0, 2.0]
    finally:
        cache._READ.forget()

"""The warm kernel's file memo (analysis.run.speed.filememo): off by default; filled only in its filling
block; afterwards it serves copies of unchanged files' values and stores nothing new."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

from analysis.run.speed import filememo
from analysis.data import loaders
from analysis.run.speed.warm_kernel_side import prefill_file_memo

pytestmark = pytest.mark.usefixtures("speed_hooks")  # the models reach these through analysis.hooks


@pytest.fixture(autouse=True)
def _memo_off_after():
    filememo.forget()
    yield
    filememo.forget()


def _counting(path, calls):
    def compute():
        calls.append(1)
        return {"text": path.read_text(encoding="utf-8"), "nested": [1, 2]}

    return compute


def test_off_by_default_computes_every_time(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("one", encoding="utf-8")
    calls = []
    for _ in range(3):
        assert filememo.remembered("k", path, _counting(path, calls))["text"] == "one"
    assert len(calls) == 3 and filememo.stored() == 0


def test_filled_then_sealed_serves_copies_and_stores_nothing_new(tmp_path):
    path, other = tmp_path / "a.txt", tmp_path / "b.txt"
    path.write_text("one", encoding="utf-8")
    other.write_text("two", encoding="utf-8")
    calls = []
    with filememo.filling():
        filememo.remembered("k", path, _counting(path, calls))
    assert filememo.stored() == 1 and len(calls) == 1
    first = filememo.remembered("k", path, _counting(path, calls))
    first["nested"].append("mutated by a caller")
    second = filememo.remembered("k", path, _counting(path, calls))
    assert len(calls) == 1 and second == {"text": "one", "nested": [1, 2]}  # a copy, unchanged
    assert filememo.remembered("another kind", path, _counting(path, calls))["text"] == "one"
    filememo.remembered("k", other, _counting(other, calls))  # a miss after sealing: computed, not kept
    filememo.remembered("k", other, _counting(other, calls))
    assert len(calls) == 4 and filememo.stored() == 1


def test_a_rewritten_file_is_read_again(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("one", encoding="utf-8")
    calls = []
    with filememo.filling():
        filememo.remembered("k", path, _counting(path, calls))
    stat = path.stat()
    time.sleep(0.02)  # past a coarse (jiffy) timestamp tick: within one tick a rewrite is not seen
    path.write_text("two", encoding="utf-8")  # same size; mtime put back: only ctime tells
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert filememo.remembered("k", path, _counting(path, calls))["text"] == "two" and len(calls) == 2


def test_a_failing_read_is_not_stored_and_the_block_still_seals(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("one", encoding="utf-8")

    def broken():
        raise ValueError("bad file")

    with pytest.raises(ValueError), filememo.filling():
        filememo.remembered("k", path, broken)
    assert filememo.stored() == 0
    calls = []
    assert filememo.remembered("k", path, _counting(path, calls))["text"] == "one" and calls == [1]


def test_prefill_holds_every_raw_table_and_a_loaded_table_is_a_copy():
    prefill_file_memo()
    assert filememo.stored() >= len(loaders.TABLES)  # every table, plus the scenario files
    units = loaders.load_units()
    units.iloc[0, 0] = "changed by a notebook"
    again = loaders.load_units()
    assert again.iloc[0, 0] != "changed by a notebook"
    loaders.clear_cache()
    pd.testing.assert_frame_equal(loaders.load_units(), again)


def test_prefill_holds_the_units_table_and_every_plan(monkeypatch):
    """The warm-up reads the units table and every plan once; a job's reads are served from the memo
    (every page's 要点 box read and validated every plan three times, 0.4 s a job; before 6 Dec 2026
    the reader below was called for each)."""
    from analysis.data import plans, reader, units_table

    prefill_file_memo()
    expected = {p.id: p.targets for p in plans.load_plans()}

    def read_again(*args, **kwargs):
        raise AssertionError("read and validated again although the memo holds it")

    monkeypatch.setattr(plans, "read_validated", read_again)
    monkeypatch.setattr(reader, "read_validated", read_again)
    for plan in plans.load_plans():
        pd.testing.assert_frame_equal(plan.targets, expected[plan.id])
    assert len(units_table.read_units()) == 14

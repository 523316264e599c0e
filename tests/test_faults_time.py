"""Issue 27: stored times are UTC, runs are ordered by parsed time, pruning never removes the run it
is finishing or ``latest``, and a kept run's malformed manifest is skipped with a warning.

The trial: ``finished`` times with different UTC offsets were compared as strings, so a run under
``TZ=UTC`` after one under ``Asia/Shanghai`` was removed by its own ``--keep`` pruning while its
summary line pointed at it. Each test fails on that code.
"""

from __future__ import annotations

import json
import time

import pytest

from analysis.run import manifest as mf
from analysis.run import publish

SHANGHAI_EARLIER = "2026-12-05T17:00:00+08:00"  # 09:00 UTC
UTC_LATER = "2026-12-05T09:30:00+00:00"


def make_run(name, finished, status="complete", content=None):
    folder = publish.runs_dir() / name
    folder.mkdir(parents=True)
    data = (
        content
        if content is not None
        else {"run_id": name, "status": status, "finished": finished, "jobs": [], "full": True}
    )
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_a_run_under_utc_after_one_under_shanghai_is_the_newest_and_survives_its_pruning(project_copy):
    old = make_run("20261205-170000-1", SHANGHAI_EARLIER)
    new = make_run("20261205-093000-2", UTC_LATER)
    assert publish.last_complete_run() == new
    removed = publish.prune_runs(1, finishing=new)
    assert new.exists() and removed == [old]


def test_pruning_never_removes_the_run_it_is_finishing_or_latest(project_copy):
    latest = make_run("a", "2026-12-05T08:00:00+00:00")
    publish.switch_latest(latest)
    for n, name in enumerate(("b", "c", "d")):
        make_run(name, f"2026-12-05T09:0{n}:00+00:00", status="partial")
    finishing = make_run("e", "2026-01-01T00:00:00+00:00", status="partial")  # a wrong clock: oldest
    publish.prune_runs(1, finishing=finishing)
    names = {p.name for p in publish.runs_dir().iterdir()}
    assert {"a", "e", "d"} <= names and "b" not in names


def test_stored_times_are_utc_whatever_tz_says(monkeypatch):
    from analysis.run import runner

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert runner._now().endswith("+00:00")
        assert publish.new_run_id()[9:11] == time.strftime("%H", time.gmtime())
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_times_are_compared_parsed():
    assert mf.moment(SHANGHAI_EARLIER) < mf.moment(UTC_LATER)
    assert mf.moment("garbage") < mf.moment("2000-01-01T00:00:00")  # naive = UTC; unreadable first


@pytest.mark.parametrize(
    "content", [[], "x", {"jobs": "not a list"}, {"finished": 5}, {"scenario": [1]}, {"jobs": [1, 2]}]
)
def test_a_malformed_manifest_in_a_kept_run_is_skipped_with_a_warning(project_copy, capsys, content):
    from analysis.run.runs_index import write_runs_index

    make_run("good", UTC_LATER)
    bad = make_run("bad", "", content=content)
    assert mf.read_manifest(bad) is None
    assert publish.last_complete_run().name == "good"
    write_runs_index()
    publish.prune_runs(5)
    assert "skipping the run in bad" in capsys.readouterr().err
    page = (project_copy / "reports" / "index.html").read_text(encoding="utf-8")
    assert "runs/good/index.html" in page

"""Fault injection, traceability: a run reads exactly the inputs it recorded, and ``--incremental``
reuses an output only when every input (extends parent, packages, code) is unchanged and the
output itself is intact."""

from __future__ import annotations

import json

import pytest

from analysis import cli
from analysis.run import manifest as mf
from analysis.run import runner
from analysis.run.inputs import verify
from analysis.run.jobs import Job, run_job
from runner_fixtures import read_manifest


def run_cli(*args: str) -> int:
    return cli.main(["run", "--quiet", "--publish", "--draws", "1", "--end-year", "2022", *args])


def statuses(root, run_id):
    return [j["status"] for j in read_manifest(root / "reports" / "runs" / run_id)["jobs"]]


class Inline:
    """Runs jobs in this process (so a test's job function can look at them), restoring the
    environment a job sets (a worker process would simply exit)."""

    def run(self, fn, jobs):
        import os

        for job in jobs:
            saved = dict(os.environ)
            try:
                result = fn(job)
            finally:
                os.environ.clear()
                os.environ.update(saved)
            yield job, result


def test_jobs_read_the_snapshot_and_the_manifest_pins_the_extends_chain(runner_project):
    seen = []

    def record(job):
        seen.append(job)
        return run_job(job)

    options = runner.RunOptions(
        publish=True,
        units=["licheng"],
        notebooks=["01"],
        scenario="low",
        draws=1,
        end_year=2022,
        quiet=True,
        run_id="pin",
    )
    outcome = runner.run(options, job_fn=record, executor=Inline())
    assert outcome.status == "complete"
    run_dir = runner_project / "reports" / "runs" / "pin"
    job = seen[0]
    assert job.env["QZ_FORECAST_ROOT"] == str((run_dir.parent / ".staging-pin" / "inputs"))
    assert job.notebook.endswith(".staging-pin/inputs/notebooks/01_population_projection.ipynb")
    manifest = read_manifest(run_dir)
    assert set(manifest["pinned"]["scenario_chain"]) == {"scenarios/low.yaml", "scenarios/baseline.yaml"}
    resolved = (run_dir / "inputs" / "scenarios" / "low.yaml").read_text(encoding="utf-8")
    assert "extends" not in resolved and "occupancy_pct" in resolved  # the parent's values are in it
    for rel, digest in manifest["inputs"].items():
        if rel.startswith("data/"):
            assert mf.sha256_file(run_dir / "inputs" / rel) == digest


def test_a_job_whose_pinned_input_changed_fails_instead_of_running(tmp_path, monkeypatch):
    monkeypatch.setenv("QZ_FORECAST_ROOT", str(tmp_path))  # run_job sets it; restored after the test
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("a\n1\n", encoding="utf-8")
    pinned = {"data/x.csv": mf.sha256_file(tmp_path / "data" / "x.csv")}
    assert verify(tmp_path, pinned) is None
    (tmp_path / "data" / "x.csv").write_text("a\n2\n", encoding="utf-8")
    assert "data/x.csv changed during the run" in verify(tmp_path, pinned)
    job = Job(
        "licheng",
        str(tmp_path / "missing.ipynb"),
        str(tmp_path / "out" / "licheng"),
        {},
        "k",
        str(tmp_path),
        {"QZ_FORECAST_ROOT": str(tmp_path)},
        "key",
        None,
        pinned=pinned,
    )
    result = run_job(job)
    assert result.status == "failed" and result.error_name == "InputChanged"
    assert verify(tmp_path, {}, runner.source_hash()) is None
    assert "package source" in verify(tmp_path, {}, "0" * 64)


def test_incremental_sees_a_change_in_the_extends_parent(runner_project):
    args = ["--units", "licheng", "--notebooks", "01", "--scenario", "low", "--incremental"]
    assert run_cli(*args, "--run-id", "a") == 0
    assert run_cli(*args, "--run-id", "b") == 0
    assert statuses(runner_project, "b") == ["skipped"]
    baseline = runner_project / "scenarios" / "baseline.yaml"
    text = baseline.read_text(encoding="utf-8")
    baseline.write_text(
        text.replace("occupancy_pct:\n    value: 53", "occupancy_pct:\n    value: 90")
        if "occupancy_pct:\n    value: 53" in text
        else text.replace("value: 53", "value: 90", 1),
        encoding="utf-8",
    )
    assert "90" in baseline.read_text(encoding="utf-8")
    assert run_cli(*args, "--run-id", "c") == 0
    assert statuses(runner_project, "c") == ["ok"]


def test_incremental_sees_changed_package_versions(runner_project, monkeypatch):
    args = ["--units", "licheng", "--notebooks", "01", "--incremental"]
    assert run_cli(*args, "--run-id", "a") == 0
    real = mf.package_versions
    monkeypatch.setattr(mf, "package_versions", lambda: {**real(), "pandas": "0.0.1"})
    assert run_cli(*args, "--run-id", "b") == 0
    assert statuses(runner_project, "b") == ["ok"]


@pytest.mark.parametrize("target", ["html", "ipynb"])
def test_incremental_recomputes_a_tampered_output(runner_project, target):
    args = ["--units", "licheng", "--notebooks", "01", "--incremental"]
    assert run_cli(*args, "--run-id", "a") == 0
    out = runner_project / "reports" / "runs" / "a" / "licheng" / f"01_population_projection.{target}"
    out.write_bytes(out.read_bytes() + b"<!-- tampered -->")
    assert run_cli(*args, "--run-id", "b") == 0
    assert statuses(runner_project, "b") == ["ok"]
    assert (
        b"tampered"
        not in (
            runner_project / "reports" / "runs" / "b" / "licheng" / f"01_population_projection.{target}"
        ).read_bytes()
    )


def test_a_subset_run_does_not_hide_the_full_run_before_it(runner_project):
    full = ["--units", "licheng", "jinjiang", "--notebooks", "01", "--incremental"]
    assert run_cli(*full, "--run-id", "full1") == 0
    assert run_cli("--units", "licheng", "--notebooks", "01", "--incremental", "--run-id", "one") == 0
    assert statuses(runner_project, "one") == ["skipped"]
    assert run_cli(*full, "--run-id", "full2") == 0
    assert statuses(runner_project, "full2") == ["skipped", "skipped"]
    manifest = read_manifest(runner_project / "reports" / "runs" / "full2")
    assert {j["copied_from"] for j in manifest["jobs"]} <= {"full1", "one"}


def test_the_manifest_says_whether_a_run_was_full(runner_project):
    assert run_cli("--units", "licheng", "--notebooks", "01", "--run-id", "sub") == 0
    assert (
        json.loads((runner_project / "reports" / "runs" / "sub" / "manifest.json").read_text(encoding="utf-8"))["full"]
        is False
    )


def test_the_source_hash_sees_every_rewrite_of_the_package(tmp_path, monkeypatch):
    """source_hash is kept per process by the files' stat: a same-size rewrite with the old
    mtime put back still changes it (the ctime moves), so verify() never passes stale code."""
    import os
    import time

    from analysis.run import inputs

    package = tmp_path / "analysis"
    (package / "run").mkdir(parents=True)
    module = package / "models.py"
    module.write_text("RATE = 1\n", encoding="utf-8")
    monkeypatch.setattr(inputs, "__file__", str(package / "run" / "inputs.py"))
    monkeypatch.setattr(inputs, "_SOURCE", {})
    before = inputs.source_hash()
    assert inputs.source_hash() == before
    stat = module.stat()
    time.sleep(0.02)  # past a coarse (jiffy) timestamp tick
    module.write_text("RATE = 2\n", encoding="utf-8")
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert inputs.source_hash() != before
    assert inputs.verify(tmp_path, {}, before) == "the package source (src/analysis) changed during the run"

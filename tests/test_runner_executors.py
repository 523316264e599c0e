"""Executors and a real kill: dask.distributed gives the same run as local processes; a run
killed with SIGKILL midway leaves ``reports/latest`` unchanged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from runner_fixtures import read_manifest

TESTS = Path(__file__).resolve().parent


@pytest.mark.slow
def test_dask_executor_gives_the_same_tables_as_local_processes(runner_project):
    import distributed

    args = [
        "run",
        "--quiet",
        "--publish",
        "--units",
        "licheng",
        "--notebooks",
        "01",
        "--draws",
        "4",
        "--end-year",
        "2026",
    ]
    assert cli.main(args + ["--run-id", "local"]) == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert cli.main(args + ["--run-id", "dask", "--scheduler", cluster.scheduler_address]) == 0
        with distributed.Client(cluster) as client:
            worker_pids = {str(pid) for pid in client.run(os.getpid).values()}
    runs = runner_project / "reports" / "runs"
    for table in ("indicators.csv", "population.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(runs / "local" / "tables" / table), pd.read_csv(runs / "dask" / "tables" / table)
        )
    manifest = read_manifest(runs / "dask")
    assert manifest["status"] == "complete" and manifest["parameters"]["scheduler"].startswith("tcp://")
    assert (runs / "dask" / "licheng" / "01_population_projection.html").exists()
    # the notebooks really ran in the cluster's worker processes, not in a local pool
    assert {j["worker"].rsplit(":", 1)[1] for j in manifest["jobs"]} <= worker_pids
    local = read_manifest(runs / "local")
    assert not {j["worker"].rsplit(":", 1)[1] for j in local["jobs"]} & worker_pids


def test_unreachable_scheduler_is_a_clear_error(runner_project, capsys, monkeypatch):
    from analysis.run.executors import DaskExecutor

    monkeypatch.setattr(DaskExecutor, "connect_timeout", "1s")
    code = cli.main(
        ["run", "--quiet", "--publish", "--units", "licheng", "--notebooks", "01", "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert code == 2
    assert "cannot reach the dask scheduler" in capsys.readouterr().err
    assert not (runner_project / "reports" / "latest").exists()


@pytest.mark.slow
def test_sigkill_midway_leaves_latest_unchanged_and_the_next_run_works(runner_project):
    root = runner_project
    assert (
        cli.main(["run", "--quiet", "--publish", "--units", "licheng", "--notebooks", "01", "--run-id", "before"]) == 0
    )
    before = (root / "reports" / "latest").resolve()
    script = root / "killme.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        from runner_fixtures import install_fake_models
        install_fake_models()
        from analysis.cli import main
        sys.exit(main(["run", "--quiet", "--publish", "--units", "jinjiang", "licheng", "--run-id", "killed",
                       "-p", "sleep=30"]))
    """),
        encoding="utf-8",
    )
    env = {**os.environ, "QZ_FORECAST_ROOT": str(root)}
    proc = subprocess.Popen([sys.executable, str(script)], env=env, start_new_session=True)
    staging = root / "reports" / "runs" / ".staging-killed"
    deadline = time.time() + 60
    while time.time() < deadline and not list(staging.glob("logs/*.log")):
        time.sleep(0.2)
    assert list(staging.glob("logs/*.log")), "the run never started its jobs"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert (root / "reports" / "latest").resolve() == before
    assert read_manifest(before)["status"] == "complete"
    assert not (root / "reports" / "runs" / "killed").exists()
    # The killed run's lock is stale (its pid is gone): the next run takes it over.
    assert (
        cli.main(["run", "--quiet", "--publish", "--units", "licheng", "--notebooks", "01", "--run-id", "after"]) == 0
    )
    assert (root / "reports" / "latest").resolve() == root / "reports" / "runs" / "after"
    assert not staging.exists(), "the next run cleans up the killed run's staging folder"

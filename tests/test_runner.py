"""End-to-end tests of ``python -m analysis run`` on stand-in notebooks and fake models.

Every test works in a temp project (``QZ_FORECAST_ROOT``), never in the real ``reports/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

import openpyxl
import pandas as pd
import pytest

from analysis import cli
from analysis.run import publish, runner
from analysis.run.executors import LocalExecutor
from analysis.run.lock import RunLockedError
from analysis.run.tables import REQUIRED_INDICATORS
from runner_fixtures import load_indicators, read_manifest


def run_cli(*args: str) -> int:
    return cli.main(["run", "--quiet", "--publish", "--draws", "3", "--end-year", "2030", *args])


def latest(root):
    link = root / "reports" / "latest"
    return link.resolve() if link.exists() else None


def test_two_units_all_notebooks_publish_a_complete_run(runner_project, capsys):
    root = runner_project
    assert run_cli("--units", "晋江", "quanzhou", "--run-id", "r1") == 0
    run_dir = root / "reports" / "runs" / "r1"
    assert latest(root) == run_dir
    assert os.path.islink(root / "reports" / "latest")
    assert not list((root / "reports" / "runs").glob(".staging-*"))
    assert not (root / "reports" / ".lock").exists()

    manifest = read_manifest(run_dir)
    assert manifest["status"] == "complete"
    done = sorted((j["unit"], j["notebook"], j["status"]) for j in manifest["jobs"])
    assert done == [
        ("jinjiang", "01_population_projection", "ok"),
        ("jinjiang", "02_elder_care_beds", "ok"),
        ("quanzhou", "01_population_projection", "ok"),
        ("quanzhou", "02_elder_care_beds", "ok"),
        ("quanzhou", "90_city_overview", "ok"),
    ]  # 90 for the city only; 99_* not run
    # Input hashes are the real sha256 of the files.
    raw = root / "data" / "raw" / "census2020_county.csv"
    assert manifest["inputs"]["data/raw/census2020_county.csv"] == hashlib.sha256(raw.read_bytes()).hexdigest()
    assert "scenarios/baseline.yaml" in manifest["inputs"]
    assert "notebooks/01_population_projection.ipynb" in manifest["inputs"]
    assert manifest["packages"]["pandas"] == pd.__version__
    assert set(manifest["vintages"].values()) == {"raw"}
    assert manifest["parameters"]["draws"] == 3 and manifest["scenario"]["name"] == "baseline"
    assert "commit" in manifest["code"]

    for unit in ("jinjiang", "quanzhou"):
        for nb in ("01_population_projection", "02_elder_care_beds"):
            executed = json.loads((run_dir / unit / f"{nb}.ipynb").read_text(encoding="utf-8"))
            injected = [c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
            assert f'unit = "{unit}"' in "".join(injected[0]["source"])
        page = (run_dir / unit / "01_population_projection.html").read_text(encoding="utf-8")
        assert f"人口预测 population {unit} registered 3" in page  # output shown
        assert "print(&#39;人口预测" not in page and "print('人口预测" not in page  # code hidden
        assert "data:image/png;base64" in page  # chart embedded
        assert not re.search(r"<script[^>]+src=\"https?://", page)  # offline
        book = openpyxl.load_workbook(run_dir / manifest["workbooks"][unit], read_only=True)
        assert manifest["workbooks"][unit] == f"{unit}/{unit}_{manifest['unit_names'][unit]}.xlsx"
        assert "明细 detail" in book.sheetnames and "人口 population" in book.sheetnames
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "晋江市" in index and "泉州市" in index and 'href="jinjiang/01_population_projection.html"' in index
    assert "https://" not in index

    ind = load_indicators(run_dir)
    assert list(ind.columns) == [
        "unit_id",
        "unit_name",
        "scenario",
        "base",
        "year",
        "indicator",
        "value",
        "p10",
        "p90",
        "measure",
        "target",
    ]
    assert set(ind["base"]) == {"resident", "registered"}
    assert ind["unit_id"].nunique() == 14 and set(ind["year"]) == set(range(2020, 2031))
    assert set(REQUIRED_INDICATORS) <= set(ind["indicator"])
    assert (ind["p10"] <= ind["value"] + 1e-9).where(ind["p10"].notna(), True).all()
    pop = pd.read_csv(run_dir / "tables" / "population.csv")
    assert list(pop.columns) == ["unit_id", "scenario", "base", "year", "sex", "age", "population"]
    assert "run r1: complete" in capsys.readouterr().out


def test_failing_notebook_gives_a_partial_run_with_the_error_visible(runner_project, capsys):
    root = runner_project
    assert run_cli("--units", "jinjiang", "licheng", "--run-id", "ok1") == 0
    code = run_cli("--units", "jinjiang", "licheng", "-p", "fail_unit=jinjiang", "--run-id", "p1")
    assert code != 0
    run_dir = root / "reports" / "runs" / "p1"
    manifest = read_manifest(run_dir)
    assert manifest["status"] == "partial"
    failed = [j for j in manifest["jobs"] if j["status"] == "failed"]
    assert [(j["unit"], j["notebook"]) for j in failed] == [("jinjiang", "02_elder_care_beds")]
    job = failed[0]
    assert job["error_name"] == "ValueError" and job["error_message"] == "stand-in failure for jinjiang"
    assert "raise ValueError" in job["failed_cell_source"] and isinstance(job["failed_cell_index"], int)
    assert sum(j["status"] == "ok" for j in manifest["jobs"]) == 3
    page = (run_dir / "jinjiang" / "02_elder_care_beds.html").read_text(encoding="utf-8")
    assert "运行失败" in page and "stand-in failure for jinjiang" in page and "Failing cell" in page
    assert "fail_unit" in re.sub(r"<[^>]+>", "", page)  # the failing cell's source is shown
    # Some jobs succeeded: latest moves to the partial run and stays readable.
    assert latest(root) == run_dir
    assert (latest(root) / "index.html").read_text(encoding="utf-8").count("失败") >= 1
    assert "FAILED jinjiang/02_elder_care_beds" in capsys.readouterr().out


def test_run_with_no_successful_job_does_not_move_latest(runner_project):
    root = runner_project
    assert run_cli("--units", "licheng", "--notebooks", "01", "--run-id", "good") == 0
    code = run_cli("--units", "licheng", "--notebooks", "02", "-p", "fail_unit=licheng", "--run-id", "bad")
    assert code != 0
    assert read_manifest(root / "reports" / "runs" / "bad")["status"] == "failed"
    assert latest(root) == root / "reports" / "runs" / "good"


class InterruptAfter(LocalExecutor):
    """Executor that dies (KeyboardInterrupt) after ``n`` finished jobs, as a killed run would."""

    def __init__(self, n):
        super().__init__(2)
        self.n = n

    def run(self, fn, jobs):
        for i, pair in enumerate(super().run(fn, jobs)):
            if i >= self.n:
                raise KeyboardInterrupt
            yield pair


def test_run_interrupted_midway_leaves_latest_unchanged(runner_project):
    root = runner_project
    assert run_cli("--units", "licheng", "--notebooks", "01", "--run-id", "before") == 0
    before = latest(root)
    options = runner.RunOptions(
        publish=True, units=["jinjiang", "licheng"], draws=2, end_year=2025, quiet=True, run_id="interrupted"
    )
    with pytest.raises(KeyboardInterrupt):
        runner.run(options, executor=InterruptAfter(1))
    assert latest(root) == before
    assert read_manifest(latest(root))["status"] == "complete"
    runs = root / "reports" / "runs"
    assert not (runs / "interrupted").exists() and not list(runs.glob(".staging-*"))
    assert not (root / "reports" / ".lock").exists()


def test_lock_held_by_a_live_process_stops_a_second_run(runner_project, capsys):
    root = runner_project
    lock = root / "reports" / ".lock"
    lock.write_text(
        json.dumps(
            {
                "pid": os.getppid(),
                "host": __import__("socket").gethostname(),
                "started": "2026-01-01T00:00:00",
                "command": "python -m analysis run",
            }
        )
    )
    code = run_cli("--units", "licheng", "--notebooks", "01")
    assert code != 0
    err = capsys.readouterr().err
    assert f"pid {os.getppid()}" in err and "python -m analysis run" in err
    assert not (root / "reports" / "runs").exists() or not any((root / "reports" / "runs").iterdir())
    with pytest.raises(RunLockedError):
        runner.run(runner.RunOptions(publish=True, units=["licheng"], notebooks=["01"], quiet=True))


def test_stale_lock_of_a_dead_process_is_taken_over(runner_project):
    import socket
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    lock = runner_project / "reports" / ".lock"
    lock.write_text(json.dumps({"pid": int(dead), "host": socket.gethostname(), "started": "x", "command": "y"}))
    assert run_cli("--units", "licheng", "--notebooks", "01") == 0
    assert not lock.exists()


def test_incremental_reuses_unchanged_jobs_and_reruns_changed_ones(runner_project):
    root = runner_project
    assert run_cli("--units", "licheng", "--notebooks", "01", "--run-id", "a") == 0
    assert run_cli("--units", "licheng", "--notebooks", "01", "--incremental", "--run-id", "b") == 0
    jobs = read_manifest(root / "reports" / "runs" / "b")["jobs"]
    assert [(j["status"], j["copied_from"]) for j in jobs] == [("skipped", "a")]
    copied = root / "reports" / "runs" / "b" / "licheng" / "01_population_projection.html"
    assert (
        copied.read_bytes()
        == (root / "reports" / "runs" / "a" / copied.relative_to(root / "reports" / "runs" / "b")).read_bytes()
    )
    # A changed parameter means the job runs again.
    assert run_cli("--units", "licheng", "--notebooks", "01", "--incremental", "--seed", "7", "--run-id", "c") == 0
    assert [j["status"] for j in read_manifest(root / "reports" / "runs" / "c")["jobs"]] == ["ok"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--units", "atlantis"], "unknown reporting unit"),
        (["--scenario", "nonexistent"], "unknown scenario"),
        (["--notebooks", "77_missing"], "unknown notebook"),
        (["--end-year", "2019"], "years must satisfy"),
        (["-p", "beds.no_such_parameter=1"], "no_such_parameter"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(runner_project, capsys, args, message):
    assert run_cli(*args) == 2
    assert message in capsys.readouterr().err
    assert not (runner_project / "reports" / "runs").exists()
    assert not (runner_project / "reports" / ".lock").exists()


def test_table_failure_fails_the_run_without_running_notebooks(runner_project, monkeypatch, capsys):
    from analysis.errors import AnalysisError
    from analysis.run import tables

    def broken(*args, **kwargs):
        raise AnalysisError("the population engine is not available")

    monkeypatch.setattr(tables, "build_tables", broken)
    assert run_cli("--units", "licheng", "--run-id", "t") == 1
    manifest = read_manifest(runner_project / "reports" / "runs" / "t")
    assert manifest["status"] == "failed" and manifest["jobs"] == []
    assert "population engine is not available" in manifest["error"]
    assert latest(runner_project) is None
    assert "table computation failed" in capsys.readouterr().out


def test_notebook_selection_defaults_and_names(runner_project):
    per_unit, once = runner.select_notebooks(None, with_city=True)
    assert [p.stem for p in per_unit] == ["01_population_projection", "02_elder_care_beds"]
    assert [p.stem for p in once] == ["90_city_overview"]
    assert runner.select_notebooks(None, with_city=False)[1] == []
    per_unit, once = runner.select_notebooks(["02", "99_scenario_explorer"], with_city=False)
    assert [p.stem for p in per_unit] == ["02_elder_care_beds"] and [p.stem for p in once] == ["99_scenario_explorer"]


def test_params_file_and_p_split_into_overrides_and_extras(tmp_path):
    from analysis.run.cli import read_params_file, split_parameters

    f = tmp_path / "p.yaml"
    f.write_text("fail_unit: licheng\nbeds:\n  occupancy: {value: 0.8, source: test}\n", encoding="utf-8")
    extras, overrides = split_parameters(read_params_file(str(f)))
    assert extras == {"fail_unit": "licheng"} and overrides == {"beds.occupancy": 0.8}


def test_publish_switch_latest_is_a_relative_symlink(runner_project):
    one = publish.runs_dir() / "one"
    two = publish.runs_dir() / "two"
    one.mkdir(parents=True)
    two.mkdir()
    publish.switch_latest(one)
    publish.switch_latest(two)
    link = runner_project / "reports" / "latest"
    assert os.readlink(link) == os.path.join("runs", "two") and publish.latest_run() == two.resolve()


def test_old_runs_are_pruned_but_never_latest_or_the_last_complete_one(runner_project):
    from analysis.run import publish

    base = ["run", "--quiet", "--publish", "--units", "licheng", "--notebooks", "01"]
    for name in ("r1", "r2", "r3"):
        assert cli.main(base + ["--run-id", name, "--keep", "0"]) == 0
    runs = runner_project / "reports" / "runs"
    assert {p.name for p in runs.iterdir()} == {"r1", "r2", "r3"}
    assert cli.main(base + ["--run-id", "r4", "--keep", "2"]) == 0
    assert {p.name for p in runs.iterdir()} == {"r3", "r4"}
    assert publish.latest_run() == runs / "r4"
    # a run in which everything fails keeps the last good one even with --keep 1
    assert cli.main(base + ["--run-id", "r5", "--keep", "1", "-p", "fail_unit=licheng", "--notebooks", "02"]) != 0
    assert (runs / "r4").exists() and publish.latest_run() == runs / "r4"
    assert cli.main(base + ["--keep", "-1"]) == 2


def test_the_tables_are_cached_under_the_jobs_environment(runner_project, monkeypatch):
    """The run-wide cache only helps if the kernels' keys equal the parent's; the keys include the
    pinned data vintages, so the parent must compute the tables under the jobs' pins."""
    import os

    from analysis.run.speed import cache
    from analysis.run.manifest import vintage_env

    seen = []
    real_cached = cache.cached

    def spy(name, parts, compute):
        seen.append({k: v for k, v in os.environ.items() if k.startswith("QZ_")})
        return real_cached(name, parts, compute)

    monkeypatch.setattr(cache, "cached", spy)
    assert cli.main(["run", "--quiet", "--publish", "--units", "licheng", "--notebooks", "01", "--run-id", "c"]) == 0
    assert seen, "the tables' models went through the run cache"
    pins = vintage_env(read_manifest(runner_project / "reports" / "runs" / "c")["vintages"])
    for env in seen:
        assert {k: env.get(k) for k in pins} == pins
        assert env[cache.ENV_VAR].endswith(".cache")


def test_a_subset_run_does_not_replace_latest_and_is_listed_by_name(runner_project):
    root = runner_project
    assert run_cli("--units", "licheng", "--notebooks", "01", "--run-id", "full-ish", "--publish") == 0
    assert (
        cli.main(
            [
                "run",
                "--quiet",
                "--draws",
                "3",
                "--end-year",
                "2030",
                "--units",
                "licheng",
                "--notebooks",
                "01",
                "--run-id",
                "mine",
                "--name",
                "鲤城 <试算>",
                "-p",
                "beds.occupancy_pct=70",
            ]
        )
        == 0
    )
    assert latest(root) == root / "reports" / "runs" / "full-ish"  # the bookmarked index stays
    listing = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="runs/mine/index.html"' in listing and 'href="runs/full-ish/index.html"' in listing
    assert "鲤城 &lt;试算&gt;" in listing and "部分 subset" in listing and "北京时间" in listing
    index = (root / "reports" / "runs" / "mine" / "index.html").read_text(encoding="utf-8")
    assert "已修改 overridden: beds.occupancy_pct=70" in index and "情景 baseline ·" not in index
    assert read_manifest(root / "reports" / "runs" / "mine")["name"] == "鲤城 <试算>"

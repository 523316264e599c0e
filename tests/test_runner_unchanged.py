"""``--incremental`` with nothing changed (analysis.run.unchanged): the whole previous run is
hard-linked; any change of input, scenario, override, notebook or output gives a real run."""

from __future__ import annotations


import os
import subprocess
import sys

import nbformat

from analysis import cli
from analysis.run import manifest as mf
from runner_fixtures import read_manifest

ARGS = ("--units", "licheng", "--notebooks", "01", "02")


def run_cli(*args: str) -> int:
    return cli.main(["run", "--quiet", "--publish", "--draws", "1", "--end-year", "2022", *ARGS, *args])


def runs(root):
    return root / "reports" / "runs"


def test_an_unchanged_rerun_hard_links_every_file_of_the_previous_run(runner_project):
    assert run_cli("--run-id", "a") == 0
    assert run_cli("--incremental", "--run-id", "b") == 0
    a, b = runs(runner_project) / "a", runs(runner_project) / "b"
    manifest = read_manifest(b)
    assert manifest["reused"]["run"] == "a" and manifest["run_id"] == "b" and manifest["status"] == "complete"
    assert [j["status"] for j in manifest["jobs"]] == ["skipped", "skipped"]
    files = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert files == sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert len(files) > 10 and set(map(str, manifest["files"])) == {p.as_posix() for p in files}
    for rel in files:  # the same inode: linked, not copied
        assert os.stat(b / rel).st_ino == os.stat(a / rel).st_ino, rel
    assert (runner_project / "reports" / "latest").resolve() == b
    assert read_manifest(a)["run_key"] == manifest["run_key"]


def test_the_unchanged_path_imports_no_pandas_papermill_or_matplotlib(runner_project):
    assert run_cli("--run-id", "a") == 0
    code = (
        "import sys\nfrom analysis import cli\n"
        f"code = cli.main(['run', '--quiet', '--publish', '--draws', '1', '--end-year', '2022', "
        f"*{list(ARGS)!r}, '--incremental', '--run-id', 'b'])\n"
        "heavy = [m for m in ('pandas', 'papermill', 'matplotlib', 'nbconvert') if m in sys.modules]\n"
        "print('HEAVY', heavy, code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "QZ_FORECAST_ROOT": str(runner_project)},
    )
    assert "HEAVY [] 0" in proc.stdout, proc.stdout + proc.stderr
    assert read_manifest(runs(runner_project) / "b")["reused"]["run"] == "a"


def _real_run(root, run_id):
    manifest = read_manifest(runs(root) / run_id)
    assert "reused" not in manifest, f"{run_id} reused {manifest.get('reused')}"
    return manifest


def test_a_changed_input_file_scenario_override_or_notebook_gives_a_real_run(runner_project):
    root = runner_project
    assert run_cli("--run-id", "a") == 0
    (root / "data" / "raw" / "extra_note.txt").write_text("a new input file\n", encoding="utf-8")
    assert run_cli("--incremental", "--run-id", "b") == 0
    assert [j["status"] for j in _real_run(root, "b")["jobs"]] == ["ok", "ok"]  # data are in every job key

    assert run_cli("--incremental", "--run-id", "c", "-p", "beds.occupancy_pct=75") == 0
    assert _real_run(root, "c")["scenario"]["overrides"] == {"beds.occupancy_pct": 75}

    path = next((root / "notebooks").glob("02_*.ipynb"))
    nb = nbformat.read(str(path), 4)
    nb.cells.append(nbformat.v4.new_code_cell("print('edited')"))
    nbformat.write(nb, str(path))
    assert run_cli("--incremental", "--run-id", "d") == 0
    jobs = {j["notebook"]: j["status"] for j in _real_run(root, "d")["jobs"]}
    assert jobs == {"01_population_projection": "skipped", "02_elder_care_beds": "ok"}  # only 02 reran
    assert run_cli("--incremental", "--run-id", "e") == 0  # and now nothing changed again
    assert read_manifest(runs(root) / "e")["reused"]["run"] == "d"


def test_a_tampered_file_of_the_previous_run_is_not_reused(runner_project):
    root = runner_project
    assert run_cli("--run-id", "a") == 0
    table = runs(root) / "a" / "tables" / "indicators.csv"
    table.write_bytes(table.read_bytes() + b"tampered,1\n")
    assert run_cli("--incremental", "--run-id", "b") == 0
    _real_run(root, "b")
    assert b"tampered" not in (runs(root) / "b" / "tables" / "indicators.csv").read_bytes()


def test_reused_job_outputs_are_hard_links(runner_project):
    root = runner_project
    assert run_cli("--run-id", "a") == 0
    (root / "data" / "processed" / "unrelated.txt").write_text("x", encoding="utf-8")  # not an input
    path = next((root / "notebooks").glob("02_*.ipynb"))
    nb = nbformat.read(str(path), 4)
    nb.cells.append(nbformat.v4.new_code_cell("print('edited')"))
    nbformat.write(nb, str(path))
    assert run_cli("--incremental", "--run-id", "b") == 0
    job = {j["notebook"]: j for j in _real_run(root, "b")["jobs"]}["01_population_projection"]
    assert job["status"] == "skipped" and job["copied_from"] == "a"
    rel = job["output"]  # the executed notebook: a hard link, no bytes copied
    assert os.stat(runs(root) / "b" / rel).st_ino == os.stat(runs(root) / "a" / rel).st_ino
    # the page carries this run's citation block: a new file, and run a's page keeps its own bytes
    page_a, page_b = (runs(root) / r / job["html"] for r in ("a", "b"))
    assert os.stat(page_b).st_ino != os.stat(page_a).st_ino
    assert page_b.read_text(encoding="utf-8").count('class="cite"') == 1
    a_job = {j["notebook"]: j for j in read_manifest(runs(root) / "a")["jobs"]}["01_population_projection"]
    assert mf.sha256_file(page_a) == a_job["output_sha256"][job["html"]]


def test_the_speed_installer_alone_loads_no_pandas_or_matplotlib():
    """A process with QZ_SPEED_INSTALLER set (a kernel of a run, or a test process a job's environment
    leaked into) imports analysis.hooks without pandas or matplotlib: installing the speed room is light."""
    code = "import sys, analysis.hooks as h; print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))"
    env = {**os.environ, "QZ_SPEED_INSTALLER": "analysis.run.speed"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr

"""Benchmark of the papermill runner: full run wall time, per-job median, and the floor.

The floor is papermill executing a one-cell notebook that imports pandas, numpy and matplotlib
on the same kernel and engine: no run can make a job cheaper than that. The run is made in a
throw-away copy of the project (``QZ_FORECAST_ROOT``), so the real ``reports/`` is untouched.

Usage::

    .venv/bin/python benchmarks/bench_runner.py                  # full default run (all units)
    .venv/bin/python benchmarks/bench_runner.py --units 晋江 quanzhou --draws 20 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def floor_seconds(repeat: int, workdir: Path) -> list[float]:
    """Seconds of papermill.execute_notebook on a one-cell import notebook (one process)."""
    import nbformat
    import papermill as pm

    from analysis.config import KERNEL_NAME

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import numpy, pandas, matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot")])
    src, out = workdir / "floor.ipynb", workdir / "floor_out.ipynb"
    nbformat.write(nb, str(src))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pm.execute_notebook(str(src), str(out), parameters={"x": 2}, kernel_name=KERNEL_NAME, language="python",
                            cwd=str(workdir), progress_bar=False)
        times.append(time.perf_counter() - start)
    return times


def make_project(root: Path) -> None:
    for sub in ("data/raw", "scenarios", "notebooks"):
        shutil.copytree(REPO / sub, root / sub)
    (root / "data" / "processed").mkdir(parents=True)
    (root / "reports").mkdir()


def full_run(root: Path, extra: list[str]) -> dict:
    """Run ``python -m analysis run`` as a user would; return wall time and the manifest."""
    env = {**os.environ, "QZ_FORECAST_ROOT": str(root)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "analysis", "run", "--quiet", *extra], env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    latest = root / "reports" / "runs"
    runs = sorted((p for p in latest.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    manifest = json.loads((runs[-1] / "manifest.json").read_text(encoding="utf-8"))
    return {"wall": wall, "exit": proc.returncode, "manifest": manifest, "stdout": proc.stdout.strip()}


def tables_seconds(draws: int) -> float:
    from analysis.run.tables import build_tables
    from analysis.scenarios import load_scenario

    start = time.perf_counter()
    build_tables(load_scenario("baseline"), 2020, 2035, draws=draws, seed=20201101)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="floor repetitions")
    parser.add_argument("--units", nargs="*", default=None)
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    extra = []
    if args.units:
        extra += ["--units", *args.units]
    if args.draws:
        extra += ["--draws", str(args.draws)]
    if args.workers:
        extra += ["--workers", str(args.workers)]

    with tempfile.TemporaryDirectory(prefix="qz-bench-") as tmp:
        tmp = Path(tmp)
        floor = floor_seconds(args.repeat, tmp)
        print(f"floor  papermill one-cell import notebook: median {statistics.median(floor):.2f} s "
              f"(first {floor[0]:.2f} s, n={len(floor)})")
        print(f"tables build_tables, both bases, draws={args.draws or 200}: "
              f"{tables_seconds(args.draws or 200):.2f} s")
        root = tmp / "project"
        make_project(root)
        result = full_run(root, extra)
        jobs = [j for j in result["manifest"]["jobs"] if j["status"] == "ok"]
        per_job = [j["seconds"] for j in jobs]
        print(f"run    python -m analysis run {' '.join(extra) or '(defaults)'}: wall {result['wall']:.1f} s, "
              f"exit {result['exit']}, {len(result['manifest']['jobs'])} jobs, status "
              f"{result['manifest']['status']}")
        if per_job:
            print(f"       per-job median {statistics.median(per_job):.2f} s "
                  f"(min {min(per_job):.2f}, max {max(per_job):.2f}); sum of job times {sum(per_job):.1f} s "
                  f"→ parallel speed-up {sum(per_job) / result['wall']:.2f}×")
            workers = result["manifest"]["parameters"].get("workers") or 2
            ideal = len(result["manifest"]["jobs"]) * statistics.median(floor) / workers
            print(f"       floor-based ideal (jobs x floor / {workers} workers) {ideal:.1f} s; this run is "
                  f"{result['wall'] / ideal:.2f}x of it (aim: within 1.5x)")
            by_nb = {}
            for j in jobs:
                by_nb.setdefault(j["notebook"], []).append(j["seconds"])
            for nb, secs in sorted(by_nb.items()):
                print(f"       {nb:<32} median {statistics.median(secs):.2f} s over {len(secs)} units")
        print(result["stdout"].splitlines()[0] if result["stdout"] else "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

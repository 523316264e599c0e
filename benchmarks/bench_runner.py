"""Benchmark of the papermill runner: full run wall time, per-job median, and the floor.

The floor is papermill executing a one-cell notebook that imports pandas, numpy and matplotlib
on the same kernel and engine: no run can make a job cheaper than that. The run is made in a
throw-away copy of the project (``QZ_FORECAST_ROOT``), so the real ``reports/`` is untouched.

Usage::

    .venv/bin/python benchmarks/bench_runner.py                  # full default run (all units)
    .venv/bin/python benchmarks/bench_runner.py --units 晋江 quanzhou --draws 20 --repeat 3
    .venv/bin/python benchmarks/bench_runner.py --cold-kernels       # the same on a fresh kernel per job
    .venv/bin/python benchmarks/bench_runner.py --blank-charts       # lower bound: charts made, not printed

Printed ratios (issue 14): full suite wall time ÷ (jobs × one-cell floor ÷ workers), per-job median
÷ one-cell floor, and the wall seconds of ``run --incremental`` repeated with nothing changed.

``--blank-charts`` runs the same suite with every chart made but not printed (a 1 × 1 PNG and SVG
instead, ``benchmarks/blank_charts/sitecustomize.py``): a lower bound of what any faster chart
printing could reach with the report's content unchanged. Its pages are not a report.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import re
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

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(
                "import numpy, pandas, matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot"
            ),
        ]
    )
    src, out = workdir / "floor.ipynb", workdir / "floor_out.ipynb"
    nbformat.write(nb, str(src))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pm.execute_notebook(
            str(src),
            str(out),
            parameters={"x": 2},
            kernel_name=KERNEL_NAME,
            language="python",
            cwd=str(workdir),
            progress_bar=False,
        )
        times.append(time.perf_counter() - start)
    return times


def make_project(root: Path) -> None:
    for sub in ("data/raw", "scenarios", "notebooks"):
        shutil.copytree(REPO / sub, root / sub)
    (root / "data" / "processed").mkdir(parents=True)
    (root / "reports").mkdir()


BLANK_CHARTS = Path(__file__).resolve().parent / "blank_charts"


def full_run(root: Path, extra: list[str], blank_charts: bool = False) -> dict:
    """Run ``python -m analysis run`` as a user would; return wall time and the manifest.
    ``blank_charts``: every process of the run imports :data:`BLANK_CHARTS`' sitecustomize."""
    env = {**os.environ, "QZ_FORECAST_ROOT": str(root)}
    if blank_charts:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BLANK_CHARTS), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "run", "--quiet", *extra], env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    latest = root / "reports" / "runs"
    runs = sorted((p for p in latest.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    manifest = json.loads((runs[-1] / "manifest.json").read_text(encoding="utf-8"))
    return {
        "wall": wall,
        "exit": proc.returncode,
        "manifest": manifest,
        "stdout": proc.stdout.strip(),
        "run_dir": runs[-1],
    }


def blank_charts_reached(run_dir: Path) -> bool:
    """True when every chart file of the run is the hook's 1 x 1 PNG: it reached the kernels."""
    pngs = sorted(run_dir.glob("*/*_charts/*.png"))
    return bool(pngs) and all(int.from_bytes(p.read_bytes()[16:20], "big") == 1 for p in pngs)


def unchanged_rerun(root: Path, extra: list[str]) -> dict:
    """``run --incremental`` again with nothing changed: wall seconds and whether it was all reused."""
    env = {**os.environ, "QZ_FORECAST_ROOT": str(root)}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "run", "--quiet", "--incremental", *extra],
        env=env,
        capture_output=True,
        text=True,
    )
    return {"wall": time.perf_counter() - start, "exit": proc.returncode, "stdout": proc.stdout.strip()}


def load() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"
    except OSError:
        return "load average unknown"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="floor repetitions")
    parser.add_argument("--units", nargs="*", default=None)
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--cold-kernels", action="store_true", help="run the suite on a fresh kernel per job")
    parser.add_argument(
        "--blank-charts",
        action="store_true",
        help="lower bound: every chart made but not printed (blank_charts/sitecustomize.py)",
    )
    args = parser.parse_args(argv)
    extra = []
    if args.units:
        extra += ["--units", *args.units]
    if args.draws:
        extra += ["--draws", str(args.draws)]
    if args.workers:
        extra += ["--workers", str(args.workers)]
    if args.cold_kernels:
        extra += ["--cold-kernels"]

    print(f"       {load()} (before)")
    with tempfile.TemporaryDirectory(prefix="qz-bench-") as tmp:
        tmp = Path(tmp)
        floor = floor_seconds(args.repeat, tmp)
        one_cell = statistics.median(floor)
        print(
            f"floor  cold papermill one-cell notebook importing pandas/numpy/matplotlib: median {one_cell:.2f} s "
            f"(first {floor[0]:.2f} s, n={len(floor)})"
        )
        root = tmp / "project"
        make_project(root)
        # The command make report runs: an --incremental first run reuses nothing either, but it
        # queues no prefetch (run/speed/prefetch.py), so it measured a slower path than people run.
        result = full_run(root, extra, blank_charts=args.blank_charts)
        manifest = result["manifest"]
        jobs = [j for j in manifest["jobs"] if j["status"] == "ok"]
        per_job = [j["seconds"] for j in jobs]
        n_jobs, workers = len(manifest["jobs"]), manifest["parameters"].get("workers") or 2
        if args.blank_charts:
            if not blank_charts_reached(result["run_dir"]):
                print(
                    "       --blank-charts: no bound — the run wrote no chart files or printed its charts "
                    f"(the hook did not reach its kernels); exit {result['exit']}"
                )
                return 1
            print("       LOWER BOUND: charts made but not printed (1 x 1 PNG and SVG); not a report")
        print(
            f"run    python -m analysis run {' '.join(extra) or '(defaults)'}: wall {result['wall']:.1f} s, "
            f"exit {result['exit']}, {n_jobs} jobs, status {manifest['status']}, "
            f"kernels {manifest['parameters'].get('kernels', 'cold')}"
        )
        phases = manifest.get("phases") or {}
        if phases:
            extra_products = {k: (manifest.get(k) or {}).get("seconds") for k in ("comparison", "pdf")}
            print(
                "       phases "
                + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items())
                + " (products: "
                + ", ".join(f"{k} {v:.1f} s" for k, v in extra_products.items() if v)
                + ")"
            )
        if per_job:
            ideal = n_jobs * one_cell / workers
            median = statistics.median(per_job)
            print(
                f"       RATIO full suite / (jobs x one-cell floor / workers) = {result['wall']:.1f} / "
                f"({n_jobs} x {one_cell:.2f} / {workers}) = {result['wall'] / ideal:.2f}x  (issue 28 target <= 1.5)"
            )
            print(
                f"       RATIO per-job median / one-cell floor = {median:.2f} / {one_cell:.2f} = "
                f"{median / one_cell:.2f}x  (min {min(per_job):.2f}, max {max(per_job):.2f} s)"
            )
            if phases.get("notebooks"):
                print(
                    f"       RATIO notebook phase / (jobs x one-cell floor / workers) = {phases['notebooks']:.1f} / "
                    f"{ideal:.1f} = {phases['notebooks'] / ideal:.2f}x  (the jobs alone, without tables and products)"
                )
            busy = phases.get("notebooks") or result["wall"]
            print(
                f"       sum of job times {sum(per_job):.1f} s -> parallel speed-up {sum(per_job) / busy:.2f}x "
                f"over the {'notebook phase' if phases.get('notebooks') else 'whole run'} ({busy:.1f} s)"
            )
            by_nb = {}
            for j in jobs:
                by_nb.setdefault(j["notebook"], []).append(j["seconds"])
            for nb, secs in sorted(by_nb.items()):
                print(f"       {nb:<32} median {statistics.median(secs):.2f} s over {len(secs)} units")
        print("       " + (result["stdout"].splitlines()[0] if result["stdout"] else ""))
        again = unchanged_rerun(root, extra)
        first = (again["stdout"].splitlines() or [""])[0]
        every = re.search(r" 0 ok, 0 failed, (\d+) reused of (\d+) jobs", first)
        reused = bool(every) and every.group(1) == every.group(2) != "0"  # every job reused, none run
        print(
            f"rerun  run --incremental, nothing changed{' (reusing the blank run)' if args.blank_charts else ''}: "
            f"{again['wall']:.2f} s wall (exit {again['exit']}; "
            f"target < 3 s)" + ("" if reused else "  NOT REUSED: " + again["stdout"][:200])
        )
    print(f"       {load()} (after)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

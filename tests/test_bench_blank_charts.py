"""The lower-bound experiment of ``bench_runner.py --blank-charts`` replaces the real printers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HOOK = Path(__file__).resolve().parents[1] / "benchmarks" / "blank_charts"

PROBE = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import analysis.present.plots as plots
fig, ax = plots.subplots()
ax.plot([1, 2], [3, 4])
png, svg = plots.png_bytes(fig), plots._svg(fig)
width = int.from_bytes(png[16:20], "big")
print(width, len(png), svg.count("<path"), plots._png_200dpi(fig)[1])
"""


def _probe(with_hook: bool) -> list[str]:
    env = dict(os.environ)
    if with_hook:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HOOK), env.get("PYTHONPATH")]))
    else:
        env.pop("PYTHONPATH", None)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_hook_blanks_both_printers_and_only_under_it():
    width, size, paths = _probe(with_hook=True)[:3]
    assert (width, paths) == ("1", "0") and int(size) < 100
    width, size, paths = _probe(with_hook=False)[:3]
    assert int(width) == 1800 and int(paths) > 0

"""Fresh clone to complete report: clone this repository into a temporary folder, then time
``make setup`` and ``make report`` there (``make bench ARGS=fresh``).

Clones the committed ``HEAD`` (uncommitted changes are not included), with the same ``python3``
and the package index settings of this machine. Prints set-up seconds, run seconds and the
total against the issue's target (< 2 min). ``--keep`` leaves the clone in place;
``NO_UV=1`` in the environment times the pip fallback instead of uv.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], cwd: Path, log: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with open(log, "ab") as out:
        code = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT).returncode
    return time.perf_counter() - start, code


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="qz-fresh-"))
    clone, log = tmp / "clone", tmp / "fresh.log"
    try:
        print(f"fresh  git clone {REPO} -> {clone} (log {log})", flush=True)
        clone_s, code = timed(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)], tmp, log)
        if code:
            print(f"       git clone failed (exit {code}); see {log}")
            return 1
        setup_s, code = timed(["make", "setup"], clone, log)
        print(f"       make setup   {setup_s:6.1f} s (exit {code})", flush=True)
        if code:
            return 1
        run_s, code = timed(["make", "report", "ARGS=--quiet"], clone, log)
        latest = clone / "reports" / "latest" / "index.html"
        lines = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.startswith("run ")]
        print(f"       make report  {run_s:6.1f} s (exit {code}); {lines[-1] if lines else 'no summary line'}")
        total = clone_s + setup_s + run_s
        print(
            f"       TOTAL fresh clone -> complete report {total:.1f} s = {total / 60:.2f} min "
            f"(clone {clone_s:.1f} s; target < 2 min); index {'written' if latest.exists() else 'MISSING'}"
        )
        try:
            print(f"       load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        except OSError:
            pass
        return 0 if code == 0 and latest.exists() else 1
    finally:
        if args.keep:
            print(f"       kept {clone}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

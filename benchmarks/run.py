"""Run every ``benchmarks/bench_*.py`` script in turn (``make bench``); each prints its figures."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    failed = 0
    for script in sorted(here.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        try:
            runpy.run_path(str(script), run_name="__main__")
        except Exception as exc:  # report and continue with the next benchmark
            failed += 1
            print(f"   FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

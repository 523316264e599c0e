"""Run every ``benchmarks/bench_*.py`` script in turn (``make bench``); each prints its figures.

Names given on the command line pick scripts by substring (``make bench ARGS=projection`` runs
only ``bench_projection.py``).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def main(names: list[str]) -> int:
    here = Path(__file__).resolve().parent
    failed = 0
    scripts = [s for s in sorted(here.glob("bench_*.py")) if not names or any(n in s.stem for n in names)]
    if not scripts:
        print(f"no benchmark matches {names}", file=sys.stderr)
        return 1
    for script in scripts:
        print(f"== {script.name}", flush=True)
        saved, sys.argv = sys.argv, [str(script)]  # the scripts read their own arguments
        try:
            runpy.run_path(str(script), run_name="__main__")
        except Exception as exc:  # report and continue with the next benchmark
            failed += 1
            print(f"   FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            sys.argv = saved
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

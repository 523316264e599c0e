"""Run every ``benchmarks/bench_*.py`` script in turn (``make bench``); each prints its figures.

Names given on the command line pick scripts by substring (``make bench ARGS=projection`` runs
only ``bench_projection.py``). ``make bench ARGS=fresh`` runs ``fresh_start.py`` instead: a fresh
clone of the repository, ``make setup`` and ``make report`` there, timed (it is not part of the
default set: it installs a whole environment).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def main(names: list[str]) -> int:
    here = Path(__file__).resolve().parent
    failed = 0
    if "fresh" in names:
        names = [n for n in names if n != "fresh"]
        failed += _run(here / "fresh_start.py", [])
        if not names:
            return 1 if failed else 0
    scripts = [s for s in sorted(here.glob("bench_*.py")) if not names or any(n in s.stem for n in names)]
    if not scripts:
        print(f"no benchmark matches {names}", file=sys.stderr)
        return 1
    for script in scripts:
        failed += _run(script, [])
    return 1 if failed else 0


def _run(script: Path, args: list[str]) -> int:
    """Run one benchmark script as ``__main__``; 1 if it raised or exited non-zero."""
    print(f"== {script.name}", flush=True)
    saved, sys.argv = sys.argv, [str(script), *args]  # the scripts read their own arguments
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        return 1 if exc.code not in (None, 0) else 0
    except Exception as exc:  # report and continue with the next benchmark
        print(f"   FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        sys.argv = saved
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

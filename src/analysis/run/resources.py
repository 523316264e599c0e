"""How much memory a run needs, and the limits of ``--draws`` and ``--workers``.

Checked before anything is written (:func:`analysis.run.runner.check_options`).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AnalysisError

MAX_DRAWS, MAX_WORKERS = 20_000, 32
WORKER_BYTES = 600 * 2**20  # a process holding the models and their tables, before the draws
CELL_BYTES = 8 * 13 * 2 * 101 * 7  # per draw and year: float64 × units × sexes × ages, 7 copies
# Measured (issue 27; peak RSS of one process computing the run's tables, baseline 2020–2035,
# 2026-12-05): 50 draws 360 MB, 200 draws 498 MB, 400 draws 738 MB — about 1.2 MB a draw, i.e.
# After the county-evidence draws and the later-origin vintages were merged (2026-12-05): 40 draws
# 401 MB, 240 draws 816 MB — about 2.1 MB a draw: a fixed part (now 600 MiB, below) and 7 copies per draw and year.
# 3.6 float64 copies of the unit × sex × age cells per draw and year above ≈ 300 MB. The old
# estimate (1.5 copies, 250 MB) was 2.4× too low at many draws (--draws 20000 grew a kernel to
# 21 GB); tests/test_memory_estimate.py measures it again at small draws.
# The fixed part differs between machines of the same kind (2026-12-06, 40 draws: 429 MB here,
# 522 MB on the CI machine, which the 400 MiB fixed part missed by 9 MB); 600 MiB covers both
# with about 20 % to spare. The per-draw part is what --draws 20000 turns on, and is unchanged.
HEADROOM = 0.8  # a run may plan on at most 80 % of the memory available now


def memory_needed(options) -> int:
    """Bytes a run needs at its peak: every worker's kernel holding its projection, and the parent."""
    years = options.end_year - options.start_year + 1
    projection = options.draws * years * CELL_BYTES
    workers = 1 if options.scheduler else options.workers
    return (workers + 1) * (WORKER_BYTES + projection)


def available_memory() -> int | None:
    """``MemAvailable`` of /proc/meminfo in bytes (None where unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(options) -> None:
    """Refuse --draws/--workers whose estimated memory exceeds :data:`HEADROOM` of what the
    machine has free (the rest is left to other processes)."""
    need, free = memory_needed(options), available_memory()
    if free is not None and need > HEADROOM * free:
        raise AnalysisError(
            f"--draws {options.draws} with --workers {options.workers} needs about {need / 2**30:.1f} GB "
            f"of memory; {free / 2**30:.1f} GB is available and a run may use {HEADROOM:.0%} of it. "
            "Use fewer draws or workers"
        )

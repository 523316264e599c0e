"""How much memory a run needs, and the limits of ``--draws`` and ``--workers``.

Checked before anything is written (:func:`analysis.run.runner.check_options`).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AnalysisError

MAX_DRAWS, MAX_WORKERS = 20_000, 32
WORKER_BYTES = 250 * 2**20          # a worker process with its kernel, before the projection
CELL_BYTES = 8 * 13 * 2 * 101 * 3 // 2  # per draw and year: float64 × units × sexes × ages, ≈ 1.5 copies
# (measured: 100,000 draws to 2035 needed ≈ 36 GB; 200 draws ≈ 280 MB a worker)


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
    """Refuse --draws/--workers whose estimated memory exceeds what the machine has free."""
    need, free = memory_needed(options), available_memory()
    if free is not None and need > free:
        raise AnalysisError(
            f"--draws {options.draws} with --workers {options.workers} needs about {need / 2**30:.1f} GB "
            f"of memory; {free / 2**30:.1f} GB is available. Use fewer draws or workers")

"""File descriptor 2 pointed at a job's log file and back (local worker processes only).

Shared by :mod:`.jobs` (each job) and :mod:`.warm_kernel` (the worker's warm-up), so the kernel a
worker starts writes its chatter into the run's ``logs/`` folder instead of the terminal and cron mail.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def redirect_stderr(path: str | None) -> int | None:
    """Point file descriptor 2 at ``path`` (the kernel inherits it); return the saved descriptor.

    Used by local worker processes only (one job at a time per process), so kernel chatter goes
    to the run's ``logs/`` folder instead of the terminal and cron mail.
    """
    if not path:
        return None
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as handle:
        os.dup2(handle.fileno(), 2)
    return saved


def restore_stderr(saved: int | None) -> None:
    if saved is None:
        return
    sys.stderr.flush()
    os.dup2(saved, 2)
    os.close(saved)

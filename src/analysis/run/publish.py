"""Where a run writes and how it becomes visible.

A run writes into ``reports/runs/.staging-<run-id>/``; only when it has finished is the folder
renamed to ``reports/runs/<run-id>/`` and, if at least one job succeeded, ``reports/latest`` is
switched to it atomically (a symlink made under a temporary name, then ``os.replace``). A run
that is killed midway leaves only its staging folder; ``reports/latest`` still points at the
previous run.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from .. import config
from ..errors import AnalysisError
from .manifest import read_manifest


def runs_dir() -> Path:
    return config.reports_dir() / "runs"


def latest_link() -> Path:
    return config.reports_dir() / "latest"


def new_run_id(now: datetime | None = None) -> str:
    """``YYYYMMDD-HHMMSS-<pid>``: sortable, unique on one machine."""
    now = now or datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{os.getpid()}"


def check_run_id(run_id: str) -> str:
    """A run id is used as a folder name: letters, digits, ``-``, ``_``, ``.`` only, not hidden."""
    if not run_id or run_id.startswith(".") or any(not (c.isalnum() or c in "-_.") for c in run_id):
        raise AnalysisError(f"run id {run_id!r} must be letters, digits, '-', '_' or '.' and not start with '.'")
    if (runs_dir() / run_id).exists():
        raise AnalysisError(f"run id {run_id!r} already exists under {runs_dir()}; choose another --run-id")
    return run_id


def remove_abandoned_staging() -> list[Path]:
    """Delete ``.staging-*`` folders of runs that were killed (call only while holding the run lock)."""
    removed = []
    if runs_dir().is_dir():
        for path in runs_dir().glob(".staging-*"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def staging_dir(run_id: str) -> Path:
    """Create and return ``reports/runs/.staging-<run-id>``."""
    path = runs_dir() / f".staging-{run_id}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def finalize(staging: Path, run_id: str) -> Path:
    """Rename the staging folder into place as ``reports/runs/<run-id>``."""
    final = runs_dir() / run_id
    os.replace(staging, final)
    return final


def switch_latest(run_dir: Path) -> None:
    """Point ``reports/latest`` at ``run_dir`` atomically (relative symlink, temp name + replace)."""
    link = latest_link()
    tmp = link.with_name(f".latest-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(run_dir, link.parent), tmp)
    if link.is_dir() and not link.is_symlink():
        raise AnalysisError(f"{link} is a real folder, not a link; move it away so runs can publish")
    os.replace(tmp, link)


def latest_run() -> Path | None:
    """The run folder ``reports/latest`` points to, if any."""
    link = latest_link()
    return link.resolve() if link.exists() else None


def last_complete_run() -> Path | None:
    """The most recently finished run whose manifest says ``complete`` (for ``--incremental``)."""
    best, best_time = None, ""
    if not runs_dir().is_dir():
        return None
    for folder in runs_dir().iterdir():
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        manifest = read_manifest(folder)
        if manifest and manifest.get("status") == "complete" and str(manifest.get("finished", "")) > best_time:
            best, best_time = folder, str(manifest.get("finished", ""))
    return best


def prune_runs(keep: int) -> list[Path]:
    """Delete all but the ``keep`` most recent run folders (0 = keep everything).

    The run ``reports/latest`` points to and the last complete run (which ``--incremental``
    copies from) are never deleted. Call only while holding the run lock. Returns what was removed.
    """
    if keep <= 0 or not runs_dir().is_dir():
        return []
    folders = [f for f in runs_dir().iterdir() if f.is_dir() and not f.name.startswith(".")]
    folders.sort(key=lambda f: (str((read_manifest(f) or {}).get("finished") or ""), f.name), reverse=True)
    protected = {p.resolve() for p in (latest_run(), last_complete_run()) if p is not None}
    removed = []
    for folder in folders[keep:]:
        if folder.resolve() not in protected:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed

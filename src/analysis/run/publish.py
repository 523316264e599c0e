"""Where a run writes and how it becomes visible.

A run writes into ``reports/runs/.staging-<run-id>/``; only when it has finished is the folder
renamed to ``reports/runs/<run-id>/`` and, if at least one job succeeded, ``reports/latest`` is
switched to it atomically (a symlink made under a temporary name, then ``os.replace``). A run
that is killed midway leaves only its staging folder; ``reports/latest`` still points at the
previous run.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

from .. import config
from ..errors import AnalysisError, short
from .manifest import finished_at, read_manifest


def runs_dir() -> Path:
    return config.reports_dir() / "runs"


def latest_link() -> Path:
    return config.reports_dir() / "latest"


def new_run_id(now: datetime | None = None) -> str:
    """``YYYYMMDD-HHMMSS-<pid>`` in UTC: sortable whatever ``TZ`` says, unique on one machine."""
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%d-%H%M%S}-{os.getpid()}"


def check_run_id(run_id: str) -> str:
    """A run id is used as a folder name: letters, digits, ``-``, ``_``, ``.`` only, not hidden."""
    # ASCII only: str.isalnum() accepts look-alike letters (Cyrillic 'а' for 'a', full-width digits)
    if (
        not run_id
        or len(run_id) > MAX_RUN_ID
        or run_id.startswith(".")
        or any(not (c.isascii() and (c.isalnum() or c in "-_.")) for c in run_id)
    ):
        raise AnalysisError(
            f"run id {short(run_id)} must be 1–{MAX_RUN_ID} ASCII letters, digits, '-', '_' or '.' "
            "and not start with '.'"
        )
    if (runs_dir() / run_id).exists():
        raise AnalysisError(f"run id {run_id!r} already exists under {runs_dir()}; choose another --run-id")
    return run_id


MAX_RUN_ID = 80
MAX_RUN_NAME = 120
# Control characters and the bidirectional controls that could reorder how a name reads.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def check_run_name(name: str | None) -> str | None:
    """``--name`` for the index: control and bidi characters removed, spaces collapsed, at most
    :data:`MAX_RUN_NAME` characters (longer is an error); an empty name is no name."""
    if name is None:
        return None
    cleaned = " ".join(_INVISIBLE.sub(" ", str(name)).split())
    if len(cleaned) > MAX_RUN_NAME:
        raise AnalysisError(f"--name is {len(cleaned)} characters; at most {MAX_RUN_NAME}")
    return cleaned or None


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
    best, best_key = None, None
    if not runs_dir().is_dir():
        return None
    for folder in runs_dir().iterdir():
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        manifest = read_manifest(folder)
        key = (finished_at(manifest), folder.name)  # parsed time: offsets differ between TZ settings
        if manifest and manifest.get("status") == "complete" and (best_key is None or key > best_key):
            best, best_key = folder, key
    return best


def prune_runs(keep: int, finishing: Path | None = None) -> list[Path]:
    """Delete all but the ``keep`` most recent run folders (0 = keep everything), newest by the
    parsed ``finished`` time (never by its text: a run under ``TZ=UTC`` after one under
    ``Asia/Shanghai`` sorted before it and deleted itself, issue 27).

    The run being finished (``finishing``), the run ``reports/latest`` points to and the last
    complete run (which ``--incremental`` copies from) are never deleted. Call only while
    holding the run lock. Returns what was removed.
    """
    if keep <= 0 or not runs_dir().is_dir():
        return []
    folders = [f for f in runs_dir().iterdir() if f.is_dir() and not f.is_symlink() and not f.name.startswith(".")]
    folders.sort(key=lambda f: (finished_at(read_manifest(f)), f.name), reverse=True)
    protected = {p.resolve() for p in (latest_run(), last_complete_run(), finishing) if p is not None}
    removed = []
    for folder in folders[keep:]:
        if folder.resolve() not in protected:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed

"""What a run used and produced, recorded in ``manifest.json``.

Input hashes (sha256 of every file under ``data/raw``, the ingested vintages in use, the
scenario file and the notebooks), package versions, the code version (``git rev-parse HEAD`` and
whether the work tree was dirty), the data vintages and one entry per job.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import config
from ..present.clock import beijing_time  # noqa: F401 - re-exported

PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "pandera",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "openpyxl",
    "dask",
    "distributed",
    "PyYAML",
    "tqdm",
)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(config.project_root()).as_posix()
    except ValueError:
        return str(path.resolve())


def vintage_env(vintages: dict[str, str]) -> dict[str, str]:
    """Environment pins (``QZ_VINTAGE_<TABLE>``) so every job reads the vintages recorded here."""
    return {f"QZ_VINTAGE_{name.upper()}": vintage for name, vintage in vintages.items()}


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that shape the numbers and the reports."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    import platform

    out["python"] = platform.python_version()
    return out


def code_version(root: Path | None = None) -> dict[str, Any]:
    """``{'commit': sha or None, 'dirty': bool or None}`` from git, if git and a repository exist."""
    root = root or Path(__file__).resolve().parents[3]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as pretty UTF-8 JSON atomically (temp file + ``os.replace``)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


# The fields later runs read from a kept run's manifest, and the type each must have.
SHAPE = {
    "status": str,
    "finished": str,
    "started": str,
    "name": str,
    "run_id": str,
    "scenario": dict,
    "parameters": dict,
    "unit_names": dict,
    "jobs": list,
    "files": dict,
    "run_key": str,
    "full": bool,
}
_WARNED: set[str] = set()


def shape_problem(data: Any) -> str | None:
    """What is wrong with the shape of a manifest (None when later runs can read it safely)."""
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__}, not an object"
    for key, kind in SHAPE.items():
        if data.get(key) is not None and not isinstance(data[key], kind):
            return f"'{key}' is a {type(data[key]).__name__}, expected a {kind.__name__}"
    if any(not isinstance(job, dict) for job in data.get("jobs") or []):
        return "'jobs' holds an entry that is not an object"
    return None


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    """The manifest of a run folder, or None if it has none, it is unreadable or of the wrong
    shape (:func:`shape_problem`; said once per folder on stderr): whatever a kept run holds,
    a later run never fails on it after publishing (issue 27)."""
    path = Path(run_dir) / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    problem = shape_problem(data)
    if problem is None:
        return data
    if str(path) not in _WARNED:
        _WARNED.add(str(path))
        print(f"warning: skipping the run in {Path(run_dir).name}: its manifest.json is {problem}", file=sys.stderr)
    return None


def utc_now() -> str:
    """Now as an ISO timestamp in UTC (``2026-12-05T09:00:00+00:00``): every stored time is UTC;
    pages show Beijing time (:func:`analysis.present.clock.beijing_time`)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def moment(value: Any) -> datetime:
    """A stored timestamp as an aware datetime for ordering (never compare the strings: offsets
    differ between runs made under different ``TZ``); naive means UTC; unreadable sorts first."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=timezone.utc)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def finished_at(manifest: dict[str, Any] | None) -> datetime:
    """When a run finished (:func:`moment` of its ``finished``)."""
    return moment((manifest or {}).get("finished"))

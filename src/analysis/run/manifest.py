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
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from .. import config

PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pandera", "papermill", "nbclient",
            "nbconvert", "nbformat", "ipykernel", "openpyxl", "dask", "distributed", "PyYAML", "tqdm")


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


def vintages_in_use() -> dict[str, str]:
    """The vintage each raw table is read from in this run (``'raw'`` = ``data/raw``)."""
    from ..data import loaders
    from ..data.ingest import POPULATION_KINDS
    from ..data.vintages import current_vintage, vintage_of

    return {**{name: current_vintage(spec) for name, spec in loaders.TABLES.items()},
            **{kind: vintage_of(kind) for kind in POPULATION_KINDS}}


def vintage_env(vintages: dict[str, str]) -> dict[str, str]:
    """Environment pins (``QZ_VINTAGE_<TABLE>``) so every job reads the vintages recorded here."""
    return {f"QZ_VINTAGE_{name.upper()}": vintage for name, vintage in vintages.items()}


def input_hashes(scenario_file: Path | None, notebooks: Iterable[Path],
                 vintages: dict[str, str]) -> dict[str, str]:
    """sha256 of every input file, keyed by path relative to the project root."""
    from ..data import loaders
    from ..data.vintages import vintage_dir

    files: list[Path] = sorted(p for p in config.raw_dir().rglob("*") if p.is_file())
    for name, vintage in vintages.items():
        if vintage != "raw":
            files.append(loaders.TABLES[name].path() if name in loaders.TABLES
                         else vintage_dir(name) / f"{vintage}.csv")
    if scenario_file is not None:
        files.append(Path(scenario_file))
    files.extend(Path(n) for n in notebooks)
    return {_rel(p): sha256_file(p) for p in dict.fromkeys(files) if p.exists()}


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
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10)
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, timeout=30)
        return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as pretty UTF-8 JSON atomically (temp file + ``os.replace``)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    """The manifest of a run folder, or None if it has none (or it is unreadable)."""
    try:
        return json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None

"""``--incremental`` with nothing changed: hash, hard-link the previous run, publish — nothing else.

Before any table is built, :func:`run_key` hashes everything a run's outputs depend on: every
file under ``data/raw`` and ``data/processed/vintages`` (all vintages, in use or not), the
``QZ_VINTAGE_*`` pins, every file of the scenario's ``extends`` chain, the run's overrides and
options (units, notebooks, scenario, base, years, draws, seed, extra parameters), every
notebook in ``notebooks/``, the package source, the package versions and the kernel name. Every run records
that key and the sha256 of each file it wrote (``manifest.json``: ``run_key``, ``files``).

When an ``--incremental`` run finds a kept run with the same key, status ``complete`` and every
recorded file still carrying its sha256, the new run folder is made of hard links to that run's
files (copies across file systems) — index, reports, workbooks, briefs, PDFs, tables, inputs
and whatever else a run writes — with a fresh ``manifest.json`` saying which run was reused.
Nothing here imports pandas, papermill, nbconvert or matplotlib. The data checks are not
repeated: the key covers every byte they checked when that run passed them. Anything
different — an input byte, a scenario file, an override, a notebook, the code — gives another
key and a real run; a tampered output makes the previous run unusable and also gives a real run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ... import config
from ...errors import AnalysisError
from ...scenarios import scenario_chain
from .. import manifest as mf
from .. import publish
from ..product_scope import BUNDLED

# Options that change what a run computes or which jobs it has (the rest are about how it runs).
# ``publish``: a run that publishes also makes the scenario comparison and the PDFs.
KEY_OPTIONS = (
    "units",
    "notebooks",
    "scenario",
    "base",
    "start_year",
    "end_year",
    "draws",
    "seed",
    "params",
    "overrides",
    "publish",
    "origin",
)
NOT_HASHED = ("manifest.json",)


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def comparison_files(options) -> list[Path]:
    """The scenario files a run's comparison page reads: the ``extends`` chains of the bundled
    scenarios (:data:`analysis.run.product_scope.BUNDLED`) in runs that publish (full runs and
    ``--publish``), none otherwise. Other files in ``scenarios/`` — a new scenario, a dangling
    symlink, a folder named ``x.yaml`` — are not read by the run and do not change its key
    (issue 27: adding any scenario file made the next unchanged rerun take 96 s instead of 1 s,
    and one dangling symlink made every run exit 2). A broken bundled file counts as itself."""
    if not (options.publish or (options.units is None and options.notebooks is None)):
        return []
    files: list[Path] = []
    for name in BUNDLED:
        try:
            files += scenario_chain(name)
        except AnalysisError:  # the comparison leaves a broken scenario out: so does the key
            path = config.scenarios_dir() / f"{name}.yaml"
            files += [path] if os.path.lexists(path) else []
    return files


def run_key(options, chain: list[Path], code_sha256: str) -> str:
    """sha256 of everything the outputs of a run with ``options`` depend on (module docstring).

    Computed from the options as given (``--units 晋江`` and ``--units jinjiang`` are two keys)
    and every notebook in ``notebooks/``, so that no unit table has to be read to compute it.
    """
    root = config.project_root()
    files = _files_under(config.raw_dir()) + _files_under(config.processed_dir() / "vintages")
    files += [Path(p) for p in chain] + comparison_files(options)
    files += sorted(config.notebooks_dir().glob("*.ipynb"))
    hashes = {}
    for path in dict.fromkeys(files):
        try:
            rel = path.resolve().relative_to(root).as_posix()
        except ValueError:
            rel = str(path.resolve())
        try:
            hashes[rel] = mf.sha256_file(path)
        except OSError:  # a broken comparison scenario: the comparison leaves it out; the key notes it
            hashes[rel] = "unreadable"
    chosen = {name: value for name, value in asdict(options).items() if name in KEY_OPTIONS}
    blob = {
        "files": hashes,
        "options": chosen,
        "code": code_sha256,
        "packages": mf.package_versions(),
        "kernel": config.KERNEL_NAME,
        "pins": {k: v for k, v in sorted(os.environ.items()) if k.startswith("QZ_VINTAGE_")},
    }
    text = json.dumps(blob, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_hashes(run_dir: Path) -> dict[str, str]:
    """sha256 of every file of a run folder (relative POSIX path), ``manifest.json`` excepted."""
    return {
        p.relative_to(run_dir).as_posix(): mf.sha256_file(p)
        for p in _files_under(run_dir)
        if p.relative_to(run_dir).as_posix() not in NOT_HASHED
    }


def intact(run_dir: Path, recorded: dict[str, str]) -> bool:
    """Every recorded file of ``run_dir`` exists with its recorded sha256."""
    if not recorded:
        return False
    for rel, digest in recorded.items():
        try:
            if mf.sha256_file(run_dir / rel) != digest:
                return False
        except OSError:
            return False
    return True


def find_reusable(key: str) -> tuple[Path, dict[str, Any]] | None:
    """The newest kept complete run with ``key`` whose files verify (``reports/latest`` first)."""
    candidates = []
    latest = publish.latest_run()
    if publish.runs_dir().is_dir():
        for folder in publish.runs_dir().iterdir():
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            manifest = mf.read_manifest(folder)
            if manifest and manifest.get("run_key") == key and manifest.get("status") == "complete":
                first = latest is not None and folder.resolve() == latest
                candidates.append((first, mf.finished_at(manifest), folder, manifest))
    for _first, _finished, folder, manifest in sorted(candidates, key=lambda c: (c[0], c[1]), reverse=True):
        if intact(folder, manifest.get("files") or {}):
            return folder, manifest
    return None


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target``; copy where a link is impossible (another file system)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def reuse_run(
    previous: Path, old: dict[str, Any], staging: Path, run_id: str, started: str, options, key: str, seconds: float
) -> dict[str, Any]:
    """Fill ``staging`` with links to ``previous``'s files and write its new manifest; return it."""
    for rel in old["files"]:
        link_or_copy(previous / rel, staging / rel)
    manifest = dict(old)
    jobs = []
    for entry in old.get("jobs", []):
        entry = dict(entry)
        if entry.get("status") == "ok":
            entry.update(status="skipped", seconds=0.0, copied_from=previous.name)
        jobs.append(entry)
    from datetime import datetime, timezone

    manifest.update(
        run_id=run_id,
        started=started,
        finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        command=options.command,
        name=options.name or old.get("name"),
        jobs=jobs,
        run_key=key,
        seconds=round(seconds, 2),
        files=dict(old["files"]),
        reused={
            "run": previous.name,
            "how": "every file hard-linked (nothing changed since that run)",
            "index_html": "the reused run's page (it names that run)",
        },
    )
    manifest["parameters"] = {**old.get("parameters", {}), "incremental": True, "workers": options.workers}
    # nothing changed since the run reused (same key: same inputs, options and code)
    kept = old.get("changes") if isinstance(old.get("changes"), dict) else {}
    manifest["changes"] = {
        "previous": previous.name,
        "previous_finished": old.get("finished"),
        "inputs": [],
        "comparable": True,
        "why_not": "",
        "results": [],
        "interventions": kept.get("interventions") or [],
        "reused": True,
    }
    mf.write_json(staging / "manifest.json", manifest)
    return manifest

"""A run is pinned to the bytes it read: a snapshot of every input, hashed, checked by every job.

At the start of a run (holding the run lock, so ``ingest`` cannot change a vintage meanwhile)
:func:`snapshot` copies into ``<run>/inputs/`` a project tree with exactly what the run reads:

* ``data/raw/*`` and the ingested vintages in use (``data/processed/vintages/<kind>/<v>.csv``),
* the scenario **resolved** (its ``extends`` chain flattened into one file,
  ``scenarios/<name>.yaml``), so a parent edited during the run, or between two incremental
  runs, cannot be read half-way,
* the notebooks.

The parent's tables and every notebook kernel read that tree (``QZ_FORECAST_ROOT``). The
manifest records the sha256 of every original input (``inputs``; by path relative to the
project), of every scenario file in the chain, of the resolved scenario, of the package source
and the package versions. Each job re-hashes the snapshot and the package source before it
starts (:func:`verify`); a difference fails the job instead of publishing numbers from other
inputs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import config
from . import manifest as mf
from ..data.vintages import vintage_dir
from .speed.filememo import file_signature


@dataclass
class Snapshot:
    """The pinned inputs of a run."""

    root: Path  # the snapshot project tree (QZ_FORECAST_ROOT of jobs)
    inputs: dict[str, str]  # original path (relative to the project) -> sha256
    files: dict[str, str]  # path inside the snapshot -> sha256 (what jobs verify)
    scenario_chain: dict[str, str] = field(default_factory=dict)
    scenario_sha256: str = ""  # the resolved scenario (values, sources) plus overrides
    packages_sha256: str = ""
    notebooks: dict[str, Path] = field(default_factory=dict)  # stem -> snapshot copy

    def key_inputs(self) -> dict[str, str]:
        """What a job's ``--incremental`` key depends on besides its notebook and parameters."""
        data = {k: v for k, v in self.inputs.items() if k.startswith("data/")}
        return {**data, "scenario_resolved": self.scenario_sha256, "packages": self.packages_sha256}


def _copy(source: Path, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return mf.sha256_file(target)


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(config.project_root()).as_posix()
    except ValueError:
        return str(path.resolve())


def snapshot(
    folder: Path,
    scenario,
    chain: list[Path],
    notebooks: list[Path],
    vintages: dict[str, str],
    overrides: dict[str, Any],
) -> Snapshot:
    """Copy and hash the run's inputs into ``folder`` (see the module docstring)."""
    from ..data import loaders  # heavy (the table registry imports pandas): only a real run snapshots

    root = folder
    inputs: dict[str, str] = {}
    files: dict[str, str] = {}
    sources = [p for p in sorted(config.raw_dir().rglob("*")) if p.is_file()]
    for name, vintage in vintages.items():
        if vintage != "raw":
            sources.append(
                loaders.TABLES[name].path() if name in loaders.TABLES else vintage_dir(name) / f"{vintage}.csv"
            )
    for source in dict.fromkeys(sources):
        if not source.exists():
            continue
        rel = _rel(source)
        digest = _copy(source, root / rel)
        inputs[rel] = files[rel] = digest
    chain_hashes = {_rel(p): mf.sha256_file(p) for p in chain}
    inputs.update(chain_hashes)
    resolved = scenario.to_yaml()
    scenario_file = root / "scenarios" / f"{scenario.name}.yaml"
    scenario_file.parent.mkdir(parents=True, exist_ok=True)
    scenario_file.write_text(resolved, encoding="utf-8")
    files[f"scenarios/{scenario.name}.yaml"] = mf.sha256_file(scenario_file)
    blob = json.dumps({"scenario": resolved, "overrides": overrides}, sort_keys=True, default=str, ensure_ascii=False)
    copies = {}
    for nb in notebooks:
        rel = f"notebooks/{nb.name}"
        digest = _copy(nb, root / rel)
        inputs[_rel(nb)] = files[rel] = digest
        copies[nb.stem] = root / rel
    packages = json.dumps(mf.package_versions(), sort_keys=True)
    return Snapshot(
        root,
        inputs,
        files,
        chain_hashes,
        hashlib.sha256(blob.encode("utf-8")).hexdigest(),
        hashlib.sha256(packages.encode()).hexdigest(),
        copies,
    )


_SOURCE: dict = {}  # the last (stat signature, sha256) of the package source, per process


def source_hash() -> str:
    """sha256 over the package's Python source (a code change invalidates ``--incremental``, and a
    job refuses to run on other code than its run recorded: :func:`verify`).

    Hashed again only when a file's ``stat`` changed (:func:`analysis.run.speed.filememo.file_signature`:
    size, mtime, ctime, inode): every job checks it, and hashing the source took 0.1 s a job."""

    package = Path(__file__).resolve().parents[1]
    paths = sorted(package.rglob("*.py"))

    def stat_signature() -> tuple:
        return tuple((str(p), *file_signature(p)) for p in paths)

    signature = stat_signature()
    if _SOURCE.get("signature") == signature:
        return _SOURCE["sha256"]
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    if stat_signature() == signature:  # not written while being read
        _SOURCE.update(signature=signature, sha256=digest.hexdigest())
    return digest.hexdigest()


def verify(root: Path | str, files: dict[str, str], code_sha256: str | None = None) -> str | None:
    """``None`` if every file of the snapshot (and the package source) has its recorded hash; else
    a sentence naming the first file that differs."""
    root = Path(root)
    for rel, digest in files.items():
        path = root / rel
        try:
            actual = mf.sha256_file(path)
        except OSError:
            return f"pinned input {rel} is missing from the run's snapshot {root}"
        if actual != digest:
            return f"pinned input {rel} changed during the run (sha256 {actual[:12]}… instead of {digest[:12]}…)"
    if code_sha256 is not None:
        actual = source_hash()
        if actual != code_sha256:
            return "the package source (src/analysis) changed during the run"
    return None

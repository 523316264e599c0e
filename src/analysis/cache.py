"""Opt-in on-disk cache of expensive model results, shared by the jobs of one run.

A full run executes ~70 notebooks that each need the same population projection (same
scenario, base, years, draws and seed). The runner computes it once for the run's tables and
sets ``QZ_CACHE_DIR`` to a folder inside the run's staging area; every notebook kernel then
loads the result instead of recomputing it. Without ``QZ_CACHE_DIR`` (interactive use, tests)
nothing is cached and nothing is written.

The key covers everything the result depends on: the call's parameters, the sha256 of every
input data file (``data/raw`` and ingested vintages) and of the package's source code, so a
changed input or model can never be served a stale result.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any, Callable

from . import config

ENV_VAR = "QZ_CACHE_DIR"


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when caching is off."""
    value = os.environ.get(ENV_VAR)
    return Path(value) if value else None


def _digest_files(paths) -> str:
    sha = hashlib.sha256()
    for path in sorted(paths):
        sha.update(str(path).encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()


def _fingerprint(root: str) -> str:
    base = Path(root)
    data = [p for p in (base / "data" / "raw").rglob("*") if p.is_file()]
    vintages = config.processed_dir() / "vintages"
    data += [p for p in vintages.rglob("*.csv")] if vintages.is_dir() else []
    source = [p for p in Path(__file__).parent.rglob("*.py")]
    return _digest_files(data + source)


def fingerprint() -> str:
    """sha256 over the input data files, the package source and the pinned data vintages.

    Computed on every call (a few milliseconds), so a long-running kernel that ingests new data
    never reuses a stale key.
    """
    pins = sorted((k, v) for k, v in os.environ.items() if k.startswith("QZ_VINTAGE_"))
    return hashlib.sha256((_fingerprint(str(config.project_root())) + repr(pins)).encode()).hexdigest()


def key(*parts: Any) -> str:
    """A stable key of JSON-serialisable ``parts`` plus the inputs' fingerprint."""
    text = json.dumps([fingerprint(), *parts], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def cached(name: str, parts: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its stored result when the cache is on and holds the same key.

    Results are pickled (the cache folder is private to one run) and written atomically, so
    two jobs computing the same key at once both end with a complete file.
    """
    folder = cache_dir()
    if folder is None:
        return compute()
    path = folder / f"{name}-{key(name, *parts)}.pkl"
    if path.exists():
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError):
            pass  # a damaged entry is recomputed and rewritten
    value = compute()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return value

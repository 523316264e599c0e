"""Opt-in on-disk cache of expensive model results, shared by the jobs of one run — no pickle.

A full run executes ~70 notebooks that each need the same population projection (same
scenario, base, years, draws and seed). The runner computes it once for the run's tables and
sets ``QZ_CACHE_DIR`` to a folder inside the run's staging area; every notebook kernel then
loads the result instead of recomputing it. Without ``QZ_CACHE_DIR`` (interactive use, tests)
nothing is cached and nothing is written.

The key covers everything the result depends on: the call's parameters, the sha256 of every
input data file (``data/raw`` and ingested vintages) and of the package's source code, so a
changed input or model can never be served a stale result.

Storage (:mod:`analysis.run.speed.cache_codec`): one folder per entry, ``<name>-<key>/``, holding
``value.json`` (the structure: dataclasses field by field, dicts, lists, scalars), ``arrays.npz``
(every ndarray, loaded with ``allow_pickle=False``), one parquet file per DataFrame, and
``entry.json`` with the full key and the sha256 of each file. Loading checks the key and every
hash; a damaged, tampered or misplaced entry is recomputed, never used. Nothing in an entry can
run code: dataclasses are rebuilt only for classes of this package.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable

from ... import config
from .environment import CACHE_DIR_ENV
from .cache_codec import Uncacheable, read_entry, write_entry
from .filememo import file_signature

ENV_VAR = CACHE_DIR_ENV


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
    source = [p for p in Path(config.__file__).parent.rglob("*.py")]  # the whole package's source
    return _digest_files(data + source)


def fingerprint() -> str:
    """sha256 over the input data files, the package source and the pinned data vintages.

    Computed on every call (a few milliseconds), so a long-running kernel that ingests new data
    never reuses a stale key.
    """
    pins = sorted((k, v) for k, v in os.environ.items() if k.startswith("QZ_VINTAGE_"))
    return hashlib.sha256((_fingerprint(str(config.project_root())) + repr(pins)).encode()).hexdigest()


def full_key(*parts: Any) -> str:
    """The sha256 of JSON-serialisable ``parts`` plus the inputs' fingerprint."""
    text = json.dumps([fingerprint(), *parts], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def key(*parts: Any) -> str:
    """A stable short key (the folder name) of ``parts`` plus the inputs' fingerprint."""
    return full_key(*parts)[:32]


class _ReadEntries:
    """Entries this process has read and verified, with their files' ``stat`` signature: a warm
    kernel serving many jobs of one run loads each entry (parse, hash every file) once, and every
    call gets a deep copy. An entry whose files changed since (:func:`analysis.run.speed.filememo.file_signature`:
    size, mtime, ctime, inode; a same-size rewrite inside one timestamp tick would go unseen) is read
    and verified again.

    Unlike the package's ``lru_cache`` caches it survives a warm kernel's reset (the module is
    imported at the warm-up, :mod:`analysis.run.speed.warm_kernel_side`). So that nothing a job read
    under its own patches (of this module, of ``numpy.load`` or ``pandas.read_parquet``, …) reaches the
    next job, the reset puts this class's methods back and calls :meth:`settle`: every entry put,
    replaced or re-read during the job is read, verified and decoded again by the restored code. Not covered: a
    job that changes a stored value in place through a patched ``copy.deepcopy`` (the values handed
    out are deep copies; the reset does not compare contents)."""

    limit = 12  # entries kept (each a projection of every unit × draw: tens of MB); a kernel of a full run reads 8-12

    def __init__(self) -> None:
        self.entries: dict[str, tuple] = {}

    def get(self, path: Path, digest: str):
        hit = self.entries.get(str(path))
        if hit is None or hit[0] != digest or hit[1] != _signature(path):
            return None
        self.entries[str(path)] = self.entries.pop(str(path))  # most recently used last
        return (copy.deepcopy(hit[2]),)

    def put(self, path: Path, digest: str, signature: tuple, value: Any) -> None:
        self.entries.pop(str(path), None)
        self.entries[str(path)] = (digest, signature, value)
        while len(self.entries) > self.limit:
            del self.entries[next(iter(self.entries))]

    def settle(self, settled: dict[str, tuple]) -> dict[str, tuple]:
        """Read, verify and decode again, with the code as it is now, every entry that is not the very
        entry in ``settled`` (what the previous call returned, kept by the caller): put, replaced or
        re-read since. An entry that cannot be read again is dropped. Returns the entries as settled.

        A warm kernel's reset calls it after putting the job's patches back and keeps what it
        returns itself, so a job that called it under its own patches settles nothing for the next."""
        if not isinstance(self.entries, dict):
            self.entries = {}  # replaced by a job
        for name, entry in list(self.entries.items()):
            if settled.get(name) is entry:
                continue
            del self.entries[name]
            try:
                digest, path = entry[0], Path(name)
                signature = _signature(path)
                value = read_entry(path, digest)
            except Exception:  # noqa: BLE001 - anything odd: the entry is read again when needed
                value = None
            if value is not None:
                self.entries[name] = (digest, signature, value[0])
        return dict(self.entries)

    def forget(self) -> None:
        self.entries.clear()


_READ = _ReadEntries()


def _signature(folder: Path) -> tuple:
    try:
        return tuple(sorted((p.name, *file_signature(p)) for p in folder.iterdir()))
    except OSError:
        return ()


def cached(name: str, parts: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its stored result when the cache is on and holds the same key.

    Entries are written under a temporary name and renamed into place, so two jobs computing
    the same key at once both end with a complete entry. A value the codec cannot store (an
    object array, say) is simply not cached.
    """
    folder = cache_dir()
    if folder is None:
        return compute()
    digest = full_key(name, *parts)
    path = folder / f"{name}-{digest[:32]}"
    if path.is_dir():
        value = _READ.get(path, digest)
        if value is not None:
            return value[0]
        signature = _signature(path)
        value = read_entry(path, digest)
        if value is not None:
            _READ.put(path, digest, signature, value[0])
            return copy.deepcopy(value[0])
    value = compute()
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        write_entry(tmp, digest, value)
        shutil.rmtree(path, ignore_errors=True)  # a damaged entry is replaced
        try:
            os.replace(tmp, path)
        except OSError:
            pass  # another job stored the same key a moment ago: its entry is as good
    except (Uncacheable, OSError):
        pass  # not storable, or no room: the result is still correct, just not shared
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return value

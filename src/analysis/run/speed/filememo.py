"""Values read from one input file, kept by a warm kernel for all the jobs it serves.

A warm kernel (:mod:`analysis.run.speed.warm_kernel`) is reset before every job, and the reset empties
the package's ``lru_cache`` caches, so every job read and validated the same raw CSV files
(pandera) and parsed the same scenario YAML again: about 0.4 s of a notebook's time (issue 14,
cProfile of five notebooks, 34 validated reads and 10 scenario parses). This store keeps those
values across the jobs, without letting one job's state reach another:

* **keyed by the file**: its resolved path and ``stat`` signature (:func:`file_signature`);
  a file written since is read again (its ctime changes on every write);
* **filled only before any notebook runs**: a warm kernel fills it during its warm-up
  (:func:`filling`) and then seals it. After that a miss is computed and *not* stored, so a value
  computed under a notebook's monkey-patch never reaches a later job;
* **a copy for every caller** (:func:`copy.deepcopy` of the stored value);
* **off everywhere else** (the runner's parent process, tests, JupyterLab): :func:`remembered`
  just computes, so nothing changes outside warm kernels.

The store is an object, not a module-level dict: a warm kernel's reset puts it back to its
state after the warm-up (:func:`snapshot`, :func:`restore`).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

OFF, FILLING, SEALED = "off", "filling", "sealed"


class _Store:
    def __init__(self) -> None:
        self.state = OFF
        self.values: dict[tuple, tuple[tuple, Any]] = {}

    def clear(self) -> None:
        self.state, self.values = OFF, {}


_STORE = _Store()


def file_signature(path: Path | str) -> tuple[int, int, int, int]:
    """What tells a file was rewritten without reading it: ``(size, mtime_ns, ctime_ns, inode)``.

    Every write moves the ctime (which, unlike the mtime, no tool can set back); a rewrite with the
    same size inside one timestamp tick (nanoseconds on current Linux, 1-10 ms on kernels before
    6.13 and some file systems) would go unseen. Shared by this memo, the model cache's read-once
    store (:mod:`analysis.run.speed.cache`) and the package-source hash (:func:`analysis.run.inputs.source_hash`).
    Raises ``OSError`` for a missing file."""
    st = Path(path).stat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _signature(path: Path) -> tuple | None:
    try:
        return file_signature(path)
    except OSError:
        return None


def remembered(kind: str, path: Path | str, compute: Callable[[], T]) -> T:
    """``compute()``, a value that depends only on the bytes of ``path`` (and the package code).

    While the store is filling the value is stored; once sealed a stored value whose file is
    unchanged is returned (a deep copy). ``kind`` separates different readings of one file."""
    if _STORE.state == OFF:
        return compute()
    path = Path(path).resolve()
    key = (kind, str(path))
    signature = _signature(path)
    if _STORE.state == SEALED:
        hit = _STORE.values.get(key)
        if hit is not None and signature is not None and hit[0] == signature:
            return copy.deepcopy(hit[1])
        return compute()
    value = compute()
    if signature is not None and _signature(path) == signature:  # not rewritten while being read
        _STORE.values[key] = (signature, copy.deepcopy(value))
    return value


@contextlib.contextmanager
def filling() -> Iterator[None]:
    """Store what is read inside the block, then seal the store (also when the block fails)."""
    _STORE.state = FILLING
    try:
        yield
    finally:
        _STORE.state = SEALED


def stored() -> int:
    """How many values the store holds (for logs and tests)."""
    return len(_STORE.values)


def forget() -> None:
    """Empty the store and switch it off (tests)."""
    _STORE.clear()


def snapshot() -> tuple[str, dict]:
    """The store's state and entries (a warm kernel's snapshot, taken after its warm-up)."""
    return _STORE.state, dict(_STORE.values)


def restore(saved: tuple[str, dict]) -> None:
    """Back to :func:`snapshot` (a warm kernel's reset: a job that switched the store off, emptied
    it or filled it under its own patches leaves the next job the store of the warm-up)."""
    _STORE.state, _STORE.values = saved[0], dict(saved[1])

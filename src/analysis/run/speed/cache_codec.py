"""Store model results as arrays, tables and JSON — generically, so new result fields need nothing.

:func:`encode` walks a value: a dataclass field by field (``ProjectionResult`` gains a field →
it is stored too), dicts (any keys), lists, tuples, scalars, ``numpy`` arrays and scalars,
``pandas`` DataFrames (with their ``attrs``) and Series, paths. Arrays go to one ``.npz`` (no
object arrays: ``allow_pickle=False``), DataFrames to parquet, the rest to JSON. Anything else
raises :class:`Uncacheable` (the caller then does not cache). :func:`decode` is the inverse and
imports nothing but dataclasses of this package.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import math
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import pandas as pd

PACKAGE = "analysis"
FORMAT = 1


class Uncacheable(TypeError):
    """A value the codec does not store."""


class _Writer:
    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}
        self.frames: list[pd.DataFrame] = []

    def array(self, value: np.ndarray) -> dict:
        if value.dtype.hasobject:
            raise Uncacheable("object arrays are not cached")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = value
        return {"__ndarray__": name}

    def frame(self, value: pd.DataFrame) -> dict:
        if not all(isinstance(c, str) for c in value.columns):
            raise Uncacheable("DataFrames with non-text column names are not cached")
        self.frames.append(value)
        return {"__frame__": len(self.frames) - 1, "attrs": self.encode(dict(value.attrs))}

    def encode(self, value: Any) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, np.generic):  # before int/float: np.float64 is a float subclass
            return {"__npscalar__": self.array(np.asarray(value))["__ndarray__"]}
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, np.ndarray):
            return self.array(value)
        if isinstance(value, pd.DataFrame):
            return self.frame(value)
        if isinstance(value, pd.Series):
            name = value.name if isinstance(value.name, str) else "__series__"
            return {"__series__": self.frame(value.to_frame(name)), "name": self.encode(value.name)}
        if isinstance(value, PurePath):
            return {"__path__": str(value)}
        if isinstance(value, (list, tuple)):
            items = [self.encode(v) for v in value]
            return items if isinstance(value, list) else {"__tuple__": items}
        if isinstance(value, dict):
            if all(isinstance(k, str) and not k.startswith("__") for k in value):
                return {k: self.encode(v) for k, v in value.items()}
            return {"__items__": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            cls = type(value)
            if not cls.__module__.split(".")[0] == PACKAGE:
                raise Uncacheable(f"dataclass {cls.__qualname__} is not part of {PACKAGE}")
            return {
                "__dataclass__": f"{cls.__module__}:{cls.__qualname__}",
                "fields": {f.name: self.encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
            }
        raise Uncacheable(f"values of type {type(value).__name__} are not cached")


class _Reader:
    def __init__(self, arrays, frames):
        self.arrays = arrays
        self.frames = frames

    def decode(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            return node
        if "__ndarray__" in node:
            return self.arrays[node["__ndarray__"]]
        if "__npscalar__" in node:
            return self.arrays[node["__npscalar__"]][()]
        if "__float__" in node:
            return float(node["__float__"])
        if "__frame__" in node:
            frame = self.frames[node["__frame__"]]
            frame.attrs.update(self.decode(node["attrs"]))
            return frame
        if "__series__" in node:
            frame = self.decode(node["__series__"])
            series = frame.iloc[:, 0]
            series.name = self.decode(node["name"])
            return series
        if "__path__" in node:
            return Path(node["__path__"])
        if "__tuple__" in node:
            return tuple(self.decode(v) for v in node["__tuple__"])
        if "__items__" in node:
            return {self._key(self.decode(k)): self.decode(v) for k, v in node["__items__"]}
        if "__dataclass__" in node:
            return self._dataclass(node["__dataclass__"], node["fields"])
        return {k: self.decode(v) for k, v in node.items()}

    @staticmethod
    def _key(key):
        return tuple(key) if isinstance(key, list) else key

    def _dataclass(self, name: str, fields: dict) -> Any:
        module_name, _, qualname = name.partition(":")
        if module_name.split(".")[0] != PACKAGE:
            raise ValueError(f"refusing to rebuild {name}: not a class of {PACKAGE}")
        cls: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            cls = getattr(cls, part)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise ValueError(f"{name} is not a dataclass")
        values = {k: self.decode(v) for k, v in fields.items()}
        known = {f.name: f for f in dataclasses.fields(cls)}
        if set(values) - set(known):
            raise ValueError(f"{name} has no fields {sorted(set(values) - set(known))} (the class changed)")
        obj = cls(**{k: v for k, v in values.items() if known[k].init})
        for k, v in values.items():
            if not known[k].init:
                object.__setattr__(obj, k, v)
        return obj


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_entry(folder: Path, key: str, value: Any) -> None:
    """Write ``value`` into the new folder ``folder`` (raises :class:`Uncacheable` first if it cannot)."""
    writer = _Writer()
    tree = writer.encode(value)
    folder.mkdir(parents=True)
    (folder / "value.json").write_text(json.dumps(tree, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    np.savez(folder / "arrays.npz", **writer.arrays)
    for i, frame in enumerate(writer.frames):
        plain = frame.copy()
        plain.attrs = {}
        try:
            plain.to_parquet(folder / f"frame{i}.parquet")
        except (ValueError, TypeError, ImportError, NotImplementedError) as exc:  # pyarrow errors
            raise Uncacheable(f"DataFrame not storable as parquet: {exc}") from None
    files = {p.name: _sha(p) for p in sorted(folder.iterdir())}
    entry = {"format": FORMAT, "key": key, "files": files}
    (folder / "entry.json").write_text(json.dumps(entry), encoding="utf-8")


def read_entry(folder: Path, key: str) -> tuple[Any] | None:
    """``(value,)`` stored in ``folder`` for ``key``, or ``None`` if it is damaged, tampered or another key's."""
    try:
        entry = json.loads((folder / "entry.json").read_text(encoding="utf-8"))
        if entry.get("format") != FORMAT or entry.get("key") != key:
            return None
        files = entry["files"]
        present = {p.name for p in folder.iterdir()} - {"entry.json"}
        if present != set(files):
            return None
        for name, digest in files.items():
            if _sha(folder / name) != digest:
                return None
        with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        frames = [
            pd.read_parquet(folder / f"frame{i}.parquet") for i in range(sum(n.startswith("frame") for n in files))
        ]
        tree = json.loads((folder / "value.json").read_text(encoding="utf-8"))
        return (_Reader(arrays, frames).decode(tree),)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ImportError):
        return None

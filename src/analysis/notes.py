"""Notes as data (issue 23 item 4): a note is a record — an id, its fields and, where it applies, a base.

Models create notes with :func:`note` (``note("outmigration_cut", moves=310, where=…)``). Every id
has its templates in ``catalogue/notes.yaml``: ``dev``, the developer sentence of ``manifest.json``
and the logs (rendered here, :func:`developer_text`, also ``str(note)``), and the reader texts
``topic``/``zh``/``en`` that :mod:`analysis.present.method_notes` fills for the appendix. Nothing reads the
prose back: the reader texts are found by id and filled from the fields.

Templates are ``str.format`` strings over the fields (``{moves:,.0f}``); a field holding a list is
joined by the format spec (``{units:、}``; ``, `` when the spec is empty).

This module is the models' floor: it imports nothing of the package (it reads the YAML file itself),
so models, inputs and pages may all use it. A :class:`Note` is a frozen dataclass of plain values, so
it pickles (worker processes) and survives :mod:`analysis.run.speed.cache_codec` (tests/test_notes.py).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from .yamlio import SAFE_LOADER


BASES = ("registered", "resident")
_SCALARS = (str, int, float, bool, type(None))


TEMPLATES_FILE = Path(__file__).with_name("catalogue") / "notes.yaml"


def _plain(value, where: str):
    """``value`` as a hashable plain value (lists become tuples, numpy scalars Python numbers);
    anything else is refused."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v, where) for v in value)
    if isinstance(value, _SCALARS):
        return value
    raise TypeError(
        f"{where}: note fields hold str, int, float, bool, None or lists of them, not {type(value).__name__}"
    )


@dataclass(frozen=True)
class Note:
    """One note: ``id`` names its templates; ``fields`` are ``(name, value)`` pairs in the order given;
    ``base`` is ``"registered"``, ``"resident"`` or ``None`` (true of both / of no base)."""

    id: str
    fields: tuple = ()
    base: str | None = None

    def __post_init__(self):
        if not (isinstance(self.id, str) and self.id.isidentifier() and self.id == self.id.lower()):
            raise ValueError(f"note id {self.id!r} is not a lower-case identifier")
        if self.base not in BASES + (None,):
            raise ValueError(f"note {self.id}: base {self.base!r} is not one of {BASES}")
        pairs = tuple((str(k), _plain(v, f"note {self.id}.{k}")) for k, v in self.fields)
        object.__setattr__(self, "fields", pairs)

    @property
    def values(self) -> dict:
        """The fields as a dict (for filling a template)."""
        return dict(self.fields)

    def with_base(self, base: str | None) -> Note:
        """The same note, said of ``base``."""
        return replace(self, base=base)

    @property
    def text(self) -> str:
        """The developer sentence (:func:`developer_text`), without the base."""
        return developer_text(self)

    def __str__(self) -> str:
        """The developer sentence as ``manifest.json`` shows it: ``"registered: …"`` when said of a base."""
        return (f"{self.base}: " if self.base else "") + self.text

    def record(self) -> dict:
        """The note as JSON-ready data (``manifest.json``'s ``note_records``); :func:`from_record` reverses it."""
        return {
            "id": self.id,
            "base": self.base,
            "fields": {k: list(v) if isinstance(v, tuple) else v for k, v in self.fields},
        }


def note(id: str, base: str | None = None, **fields) -> Note:
    """A note with id ``id`` and ``fields``; e.g. ``note("workers_allocated", count=2620)``."""
    return Note(id, tuple(fields.items()), base)


def from_record(record: dict) -> Note:
    """The :class:`Note` of a :meth:`Note.record` (e.g. read back from ``manifest.json``)."""
    return Note(record["id"], tuple((record.get("fields") or {}).items()), record.get("base"))


@lru_cache(maxsize=1)
def templates() -> dict[str, dict]:
    """The templates of every note id (``catalogue/notes.yaml``): ``{id: {dev, topic, zh, en, …}}``."""
    with open(TEMPLATES_FILE, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


class _Formatter(string.Formatter):
    """``str.format`` whose format spec of a list field is the separator that joins it."""

    def format_field(self, value, format_spec):
        if isinstance(value, tuple):
            return (format_spec or ", ").join(str(v) for v in value)
        return super().format_field(value, format_spec)


FORMATTER = _Formatter()


def fill(template: str, fields: dict) -> str:
    """``template`` filled from ``fields`` (lists joined by their format spec)."""
    return FORMATTER.vformat(template, (), fields)


def worded(fields: dict, values: dict | None) -> dict:
    """``fields`` with each value that ``values`` (``{field: {value: wording}}``, ``"*"``: any other
    value) words replaced by its wording."""
    out = dict(fields)
    for name, words in (values or {}).items():
        if name in out:
            out[name] = words.get(out[name], words.get("*", out[name]))
    return out


def list_field(entry: dict, fields: dict, which: str) -> dict:
    """``fields`` with ``list`` built from the list fields, one item each, by the item template
    ``entry["list"][which]`` (``dev`` when there is none), joined by ``entry["list"]["sep"]``."""
    spec = entry.get("list")
    if not spec:
        return fields
    lists = {k: v for k, v in fields.items() if isinstance(v, tuple)}
    n = len(next(iter(lists.values()))) if lists else 0
    template = spec.get(which, spec["dev"])
    items = [fill(template, {**fields, **{k: v[i] for k, v in lists.items()}}) for i in range(n)]
    return {**fields, "list": spec.get("sep", ", ").join(items)}


def developer_text(n: Note) -> str:
    """The developer sentence of ``n``: its id's ``dev`` template filled from its fields. A
    :class:`KeyError` names an id without templates."""
    entry = templates().get(n.id)
    if entry is None or "dev" not in entry:
        raise KeyError(f"note id {n.id!r} has no developer template in catalogue/notes.yaml")
    fields = list_field(entry, worded(n.values, (entry.get("values") or {}).get("dev")), "dev")
    return fill(entry["dev"], fields)


def reader_texts(n: Note, extra_fields: dict | None = None) -> tuple[str, str, str, str]:
    """``(reader id, topic, Chinese text, English gloss)`` of ``n`` from its id's reader templates
    (``reader:`` borrows another id's); ``extra_fields`` override the note's own fields in the
    Chinese text (e.g. a name looked up in the catalogue). An id whose reader text is not yet in
    plain Chinese gives its developer sentence, under its topic (``other``)."""
    entry = templates()[n.id]
    reader = templates()[entry["reader"]] if "reader" in entry else entry
    if "zh" not in reader:
        return n.id, reader.get("topic", "other"), developer_text(n), reader.get("en", "")
    fields = list_field(entry, worded(n.values, (reader.get("values") or {}).get("zh")), "zh")
    fields.update(extra_fields or {})
    return entry.get("reader", n.id), reader["topic"], fill(reader["zh"], fields), reader.get("en", "")


def is_estimate(n: Note) -> bool:
    """Whether ``n`` says an input is estimated or derived (``estimated: true`` in its templates)."""
    return bool(templates().get(n.id, {}).get("estimated", False))

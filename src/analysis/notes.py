"""Notes as data (issue 23 item 4): a note is a record — an id, its fields and, where it applies, a base.

Models will create notes with :func:`note` instead of writing developer sentences that
:mod:`analysis.method_notes` reads back with regexes; reader texts (Chinese first, English beside)
and the developer wording of ``manifest.json`` are then templates keyed by :attr:`Note.id`.

This module is the models' floor: it imports nothing of the package, so models, inputs and pages may
all use it. A :class:`Note` is a frozen dataclass of plain values, so it pickles (worker processes)
and survives :mod:`analysis.cache_codec` (tests/test_notes.py).

Not yet done: the models still emit strings; the templates and the switch of ``method_notes`` to
look-up by id are the next step of the issue.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

BASES = ("registered", "resident")
_SCALARS = (str, int, float, bool, type(None))


def _plain(value, where: str):
    """``value`` as a hashable plain value (lists become tuples); anything else is refused."""
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v, where) for v in value)
    if isinstance(value, _SCALARS):
        return value
    raise TypeError(f"{where}: note fields hold str, int, float, bool, None or lists of them, "
                    f"not {type(value).__name__}")


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


def note(id: str, base: str | None = None, **fields) -> Note:
    """A note with id ``id`` and ``fields``; e.g. ``note("workers_allocated", count=2620)``."""
    return Note(id, tuple(fields.items()), base)

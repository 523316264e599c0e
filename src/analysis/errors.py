"""One exception hierarchy for the suite; every error carries the context a user needs.

The CLI turns :class:`AnalysisError` into a message and exit status 2 (bad input) without a
traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import reprlib
from pathlib import Path

MAX_MESSAGE = 300
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxstring, _REPR.maxother = 3, 6, 6, 80, 80


def short(value) -> str:
    """A bounded ``repr`` of ``value``: error messages never grow with the input (a YAML bomb)."""
    text = _REPR.repr(value)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "..."


class AnalysisError(Exception):
    """Base class of every error the suite raises on purpose."""


class DataValidationError(AnalysisError, ValueError):
    """A raw or ingested data file does not match its schema.

    Attributes name the file, the 1-based line of the CSV file (``row``; the header is line 1,
    ``None`` when the problem is not tied to a row), the column, what was expected and what
    was found.
    """

    def __init__(self, file: Path | str, row: int | None, column: str | None, expected: str, found: str, more: int = 0):
        self.file = Path(file)
        self.row = row
        self.column = column
        self.expected = expected
        self.found = found
        self.more = more
        where = f"line {row}" if row is not None else "whole file"
        col = f", column '{column}'" if column else ""
        extra = f" (and {more} more problem{'s' if more != 1 else ''} in this file)" if more else ""
        super().__init__(f"{self.file.name}: {where}{col}: expected {expected}; found {found}{extra}  [{self.file}]")


class UnknownUnitError(AnalysisError, KeyError):
    """A reporting unit name or id that the geography does not know."""

    def __init__(self, name: str, valid: list[str]):
        self.name = name
        self.valid = valid
        super().__init__(name)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return f"unknown reporting unit {self.name!r}; valid units: {', '.join(self.valid)}"


class ParameterError(AnalysisError, ValueError):
    """A scenario or model parameter outside its allowed range."""

    def __init__(self, name: str, value, allowed: str):
        self.name = name
        self.value = value
        self.allowed = allowed
        super().__init__(f"parameter '{short(name)[1:-1]}' = {short(value)} is not allowed: expected {allowed}")

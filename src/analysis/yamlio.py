"""Read the YAML people write (scenario files, ``--params-file``, ``-p`` values) safely and clearly.

Every problem is one :class:`~analysis.errors.AnalysisError` naming the file and, where YAML
knows it, the line and column: a missing file, a directory, an unreadable or non-UTF-8 file, an
empty file, a list or a scalar where a mapping is needed, invalid YAML. Messages are bounded
(:func:`short`), files are limited to :data:`MAX_BYTES`, and YAML aliases (``*name``, the
"billion laughs" bomb) and absurd nesting are refused before they can cost memory or time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import MAX_MESSAGE, AnalysisError, short

MAX_BYTES = 1_000_000


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without aliases: a file cannot make one node stand for millions."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed here",
                                              event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        """A mapping; a key given twice is an error (YAML would silently keep the last one and
        drop a whole section, issue 27)."""
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # an unhashable key: the constructor reports it
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {short(key)} appears twice in one mapping", key_node.start_mark)
        return super().construct_mapping(node, deep)


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {str(problem)[:MAX_MESSAGE]}"
    return str(problem)[:MAX_MESSAGE]


def loads(text: str, what: str) -> Any:
    """Parse YAML ``text``; errors name ``what`` (a file or a parameter) and the line and column."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise AnalysisError(f"{what}: not valid YAML at {_where(exc)}") from None
    except RecursionError:
        raise AnalysisError(f"{what}: YAML nested too deeply") from None


def read_text(path: Path | str, what: str | None = None) -> str:
    """The UTF-8 text of a small file, or one clear error (missing, directory, unreadable, too big)."""
    path = Path(path)
    what = what or str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise AnalysisError(f"{what}: is a directory, not a file")
        if size > MAX_BYTES:
            raise AnalysisError(f"{what}: {size:,} bytes, more than the {MAX_BYTES:,} a YAML file may have")
        data = path.read_bytes()
    except FileNotFoundError:
        raise AnalysisError(f"{what}: no such file") from None
    except OSError as exc:
        raise AnalysisError(f"{what}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AnalysisError(f"{what}: line {line}: not UTF-8 text (re-save the file as UTF-8)") from None


def read_mapping(path: Path | str, what: str | None = None) -> dict:
    """A YAML file that must hold a mapping (``name: value`` lines)."""
    what = what or str(path)
    text = read_text(path, what)
    if not text.strip():
        raise AnalysisError(f"{what}: the file is empty; expected a mapping of name: value")
    tree = loads(text, what)
    if tree is None:
        raise AnalysisError(f"{what}: the file holds no values (only comments); expected a mapping of name: value")
    if not isinstance(tree, dict):
        kind = "a list" if isinstance(tree, list) else f"a single value {short(tree)}"
        raise AnalysisError(f"{what}: expected a mapping of name: value, found {kind}")
    bad = [k for k in tree if not isinstance(k, str)]
    if bad:
        raise AnalysisError(f"{what}: every name must be text; found {short(bad[0])}")
    return tree

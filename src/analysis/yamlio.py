"""Read the YAML people write (scenario files, ``--params-file``, ``-p`` values) safely and clearly.

Every problem is one :class:`~analysis.errors.AnalysisError` naming the file and, where YAML
knows it, the line and column: a missing file, a directory, an unreadable or non-UTF-8 file, an
empty file, a list or a scalar where a mapping is needed, invalid YAML. Messages are bounded
(:func:`fragment`: at most :data:`FRAGMENT` escaped characters of the content, none of a file
outside the project, e.g. a scenario symlinked to ``/etc/passwd``, issue 27), files are limited to :data:`MAX_BYTES`, and YAML aliases (``*name``, the
"billion laughs" bomb) and absurd nesting are refused before they can cost memory or time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from . import config
from .errors import MAX_MESSAGE, AnalysisError, short

MAX_BYTES = 1_000_000
#: For the package's own YAML (the indicator catalogue, the note templates): libyaml's parser under
#: PyYAML's safe constructor, the same values in a tenth of the time (6 against 55 ms for the catalogue,
#: 4 against 42 ms for notes.yaml; a warm kernel reads both once per job). Pure Python where PyYAML was
#: built without libyaml. Files people write go through the strict loader of :func:`loads` instead.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FRAGMENT = 40  # characters of a file's content an error may quote


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A key given twice (its message quotes the key: not shown for a file outside the project)."""


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without aliases: a file cannot make one node stand for millions."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed here", event.start_mark)
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
                    raise _DuplicateKey(
                        None, None, f"the key {fragment(key)} appears twice in one mapping", key_node.start_mark
                    )
        return super().construct_mapping(node, deep)


def fragment(value: Any, quote: bool = True) -> str:
    """What an error may show of a file's content: a ``repr`` (escaped: control characters and
    newlines as ``\\n``) of at most :data:`FRAGMENT` characters, or nothing when the file lies
    outside the project (``quote=False``: a symlink to ``/etc/passwd`` must not print it)."""
    if not quote:
        return "(not shown: the file is outside the project)"
    text = repr(value) if not isinstance(value, (list, dict)) else short(value)
    return text if len(text) <= FRAGMENT else text[:FRAGMENT] + "…"


def inside_project(path: Path | str) -> bool:
    """Whether ``path`` (symlinks followed) lies inside the project root."""
    try:
        Path(path).resolve().relative_to(config.project_root())
    except (ValueError, OSError):
        return False
    return True


def _where(exc: yaml.YAMLError, quote: bool = True) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if not quote and isinstance(exc, _DuplicateKey):  # YAML's own problems name tokens, not content
        problem = "a key appears twice in one mapping (not shown: the file is outside the project)"
    problem = str(problem)[:MAX_MESSAGE]
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return problem


def loads(text: str, what: str, quote: bool = True) -> Any:
    """Parse YAML ``text``; errors name ``what`` (a file or a parameter) and the line and column
    (and, unless ``quote`` is false, the problem as YAML words it)."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise AnalysisError(f"{what}: not valid YAML at {_where(exc, quote)}") from None
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
    quote = inside_project(path)  # never print the content of a file outside the project
    text = read_text(path, what)
    if not text.strip():
        raise AnalysisError(f"{what}: the file is empty; expected a mapping of name: value")
    tree = loads(text, what, quote)
    if tree is None:
        raise AnalysisError(f"{what}: the file holds no values (only comments); expected a mapping of name: value")
    if not isinstance(tree, dict):
        kind = "a list" if isinstance(tree, list) else f"a single value {fragment(tree, quote)}"
        raise AnalysisError(f"{what}: expected a mapping of name: value, found {kind}")
    bad = [k for k in tree if not isinstance(k, str)]
    if bad:
        raise AnalysisError(f"{what}: every name must be text; found {fragment(bad[0], quote)}")
    return tree

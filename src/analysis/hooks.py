"""挂钩 · The three places where the runner's speed machinery may plug into the data path.

Models, inputs, scenarios and charts call these hooks and nothing of the speed machinery itself
(``analysis.run.speed``, issue 23). Each hook's default does the plain thing, so the package reads,
runs and gives the same numbers without the runner:

* :func:`memo` ``(name, parts, compute)`` — a model result by its name and the parts it depends on;
  default: ``compute()``. The runner installs its run-wide result cache (``run/speed/cache.py``).
* :func:`remembered` ``(kind, path, read)`` — a value that depends only on the bytes of one file;
  default: ``read()``. The runner installs the warm kernel's file memo (``run/speed/filememo.py``).
* :func:`share_text_measures` ``()`` — called by :func:`analysis.present.plots.apply_style` before the
  figures of a job; default: nothing (matplotlib measures every string itself). The runner
  installs one cache of measured strings per process (``run/speed/text_metrics.py``); the pixels
  are the same.

Who installs them: :func:`analysis.run.speed.install`, never the data path. The runner calls it
in its own process (its workers are forked from it); a notebook kernel, warm or cold, is started
with ``QZ_SPEED_INSTALLER=analysis.run.speed`` in its environment, and the first import of this
module there imports that module by name and calls its ``install()`` (no module below the runner imports
the runner in its source; the import by name is invisible to the import-linter contracts, and
``tests/test_runner_unchanged.py`` checks that installing stays light). Without that
variable (JupyterLab, tests, scripts), or with ``QZ_SPEED=off``, the defaults stay.

This module imports nothing of the package.
"""

from __future__ import annotations

import importlib
import os
from typing import Any, Callable, TypeVar

T = TypeVar("T")

INSTALLER_ENV = "QZ_SPEED_INSTALLER"


def compute_every_time(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """The default :func:`memo`: no memory, ``compute()`` every time."""
    return compute()


def read_every_time(kind: str, path: Any, read: Callable[[], T]) -> T:
    """The default :func:`remembered`: the file is read every time."""
    return read()


def matplotlib_measures() -> None:
    """The default :func:`share_text_measures`: matplotlib's own per-renderer cache only."""


_memo = compute_every_time
_remembered = read_every_time
_share_text_measures = matplotlib_measures


def memo(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or the same result remembered by the installed memo under ``name`` and
    ``parts`` (everything the result depends on besides the input files and the code)."""
    return _memo(name, parts, compute)


def remembered(kind: str, path: Any, read: Callable[[], T]) -> T:
    """``read()``, a value depending only on the bytes of ``path``, or the same value remembered by
    the installed file memo; ``kind`` separates different readings of one file."""
    return _remembered(kind, path, read)


def share_text_measures() -> None:
    """Let the figures that follow share measured strings, when a text-measure hook is installed."""
    _share_text_measures()


def install(
    memo: Callable | None = None, remembered: Callable | None = None, share_text_measures: Callable | None = None
) -> None:
    """Set the hooks (``None``: the default); the runner's :func:`analysis.run.speed.install` calls it."""
    global _memo, _remembered, _share_text_measures
    _memo = memo or compute_every_time
    _remembered = remembered or read_every_time
    _share_text_measures = share_text_measures or matplotlib_measures


def installed() -> dict[str, Callable]:
    """The hooks in place (for logs and tests)."""
    return {"memo": _memo, "remembered": _remembered, "share_text_measures": _share_text_measures}


def _install_from_environment() -> None:
    """In a process started with :data:`INSTALLER_ENV` (a notebook kernel of a run), call the named
    module's ``install()``."""
    name = os.environ.get(INSTALLER_ENV, "").strip()
    if name:
        importlib.import_module(name).install()


_install_from_environment()

"""The environment variables the speed machinery reads (its part of a run's context).

* ``QZ_SPEED``: ``off`` (or 0, no, false) switches every speed hook off (:func:`enabled`);
* ``QZ_CACHE_DIR``: the run's model-cache folder (:mod:`.cache`; unset: nothing is cached);
* ``QZ_SPEED_INSTALLER`` (:data:`analysis.hooks.INSTALLER_ENV`): the module whose ``install()`` a
  notebook kernel calls when it first imports :mod:`analysis.hooks`.

A module of its own so that the light package (:mod:`analysis.run.speed`) and the heavy cache
read the same names without importing each other.
"""

from __future__ import annotations

import os

SWITCH_ENV = "QZ_SPEED"
CACHE_DIR_ENV = "QZ_CACHE_DIR"
OFF_VALUES = ("off", "0", "no", "false")


def enabled() -> bool:
    """The speed machinery is on unless ``QZ_SPEED`` says ``off`` (or 0, no, false)."""
    return os.environ.get(SWITCH_ENV, "").strip().lower() not in OFF_VALUES

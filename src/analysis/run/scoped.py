"""Scoped process state for a run: SIGTERM turned into an orderly exit, environment variables set
for a block (the runner's tables and the comparison read the run's input snapshot through them)."""

from __future__ import annotations

import contextlib
import os


class RunTerminated(SystemExit):
    """SIGTERM arrived: unwind (workers killed, staging removed, lock released), exit 143."""


@contextlib.contextmanager
def terminate_cleanly():
    """Turn SIGTERM into :class:`RunTerminated` in the main thread for the duration of a run."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise RunTerminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def environment(values: dict[str, str]):
    """Set environment variables for the duration of a block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old

"""The run lock now lives in :mod:`analysis.run_lock` (below the runner: ``ingest`` holds it too).
Re-exported here for the runner's modules and older callers."""

from ..run_lock import RunLock, RunLockedError  # noqa: F401 - re-exported

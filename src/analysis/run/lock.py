"""``reports/.lock``: only one run writes under ``reports/`` at a time.

The lock file holds the pid, host, start time and command of the run holding it. It is created
with ``O_CREAT | O_EXCL`` (atomic). A lock whose process is gone (same host, pid not alive) is
stale and is taken over; otherwise :class:`RunLockedError` names the holder.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from datetime import datetime, timezone
from pathlib import Path

from ..errors import AnalysisError


class RunLockedError(AnalysisError):
    """Another run holds ``reports/.lock``."""

    def __init__(self, path: Path, holder: dict):
        self.path = path
        self.holder = holder
        super().__init__(
            f"another run is writing reports/ (lock {path}): pid {holder.get('pid')} on "
            f"{holder.get('host')}, started {holder.get('started')}, command: {holder.get('command')}. "
            "Wait for it to finish; if that process no longer exists, delete the lock file.")


def pid_alive(pid: int) -> bool:
    """True if a process with ``pid`` exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """Context manager holding ``path`` for the duration of a run."""

    def __init__(self, path: Path, command: str | None = None):
        self.path = Path(path)
        self.command = command if command is not None else " ".join(sys.argv)
        self.held = False

    def holder(self) -> dict | None:
        """The current lock contents, or None when there is no lock file."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, OSError):
            return {"pid": None, "host": "?", "started": "?", "command": "unreadable lock file"}

    def is_stale(self, holder: dict) -> bool:
        pid = holder.get("pid")
        return holder.get("host") == socket.gethostname() and isinstance(pid, int) and not pid_alive(pid)

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "command": self.command}
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self.holder()
                if holder is None:
                    continue
                if self.is_stale(holder):
                    self.path.unlink(missing_ok=True)
                    continue
                raise RunLockedError(self.path, holder) from None
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(info, handle)
            self.held = True
            return
        raise RunLockedError(self.path, self.holder() or {})

    def release(self) -> None:
        if self.held:
            holder = self.holder()
            if holder and holder.get("pid") == os.getpid():
                self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

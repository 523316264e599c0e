"""``reports/.lock``: only one run writes under ``reports/`` at a time.

The lock file holds the pid, host, start time and command of the run holding it. It is written
complete under a temporary name and then hard-linked into place (``os.link`` fails if the lock
exists: atomic, and a lock file is never seen half-written). A lock whose process is gone (same
host, pid not alive) is stale and is taken over; so is a lock file that cannot be read or parsed
(left by a full disk, say) once it is older than :data:`GRACE_SECONDS`. Otherwise
:class:`RunLockedError` names the holder. A lock that cannot be created (read-only or full
``reports/``) is a clear :class:`~analysis.errors.AnalysisError`, never a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from .errors import AnalysisError

GRACE_SECONDS = 2.0


class RunLockedError(AnalysisError):
    """Another run holds ``reports/.lock``."""

    def __init__(self, path: Path, holder: dict):
        self.path = path
        self.holder = holder
        super().__init__(
            f"another run is writing reports/ (lock {path}): pid {holder.get('pid')} on "
            f"{holder.get('host')}, started {holder.get('started')}, command: {holder.get('command')}. "
            "Wait for it to finish; if that process no longer exists, delete the lock file."
        )


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
        """The current lock contents, None when there is no lock file, ``{}`` when it is unreadable."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, OSError):
            return {}
        return data if isinstance(data, dict) else {}

    def is_stale(self, holder: dict) -> bool:
        if not holder:  # empty or garbage: no live run writes its lock that way (see module doc)
            try:
                return time.time() - self.path.stat().st_mtime > GRACE_SECONDS
            except OSError:
                return True
        pid = holder.get("pid")
        return holder.get("host") == socket.gethostname() and isinstance(pid, int) and not pid_alive(pid)

    def _create(self, info: dict) -> bool:
        """Create the lock with ``info``; False if a lock file exists already."""
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(info), encoding="utf-8")
            try:
                os.link(tmp, self.path)
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                self._create_exclusive(info)  # a file system without hard links
            return True
        except FileExistsError:
            return False
        except OSError as exc:
            raise AnalysisError(
                f"cannot create the run lock {self.path}: {exc.strerror or exc} "
                "(is reports/ read-only or the disk full?)"
            ) from None
        finally:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass

    def _create_exclusive(self, info: dict) -> None:
        fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(info, handle)
        except OSError:
            self.path.unlink(missing_ok=True)  # never leave an empty lock behind
            raise

    def acquire(self) -> None:
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": self.command,
        }
        for _ in range(3):
            if self._create(info):
                self.held = True
                return
            holder = self.holder()
            if holder is None:
                continue
            if self.is_stale(holder):
                try:
                    self.path.unlink(missing_ok=True)
                except OSError as exc:
                    raise AnalysisError(
                        f"the run lock {self.path} is stale but cannot be removed: "
                        f"{exc.strerror or exc}; delete it by hand"
                    ) from None
                continue
            raise RunLockedError(self.path, holder or {"command": "unreadable lock file (just written?)"})
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

"""Fault injection, processes and disks: SIGTERM cleans up, workers die with their parent, a full
disk or a read-only reports/ is exit 2, and a broken lock file never blocks the next run."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from analysis import cli

TESTS = Path(__file__).resolve().parent
QUICK = ["run", "--quiet", "--publish", "--units", "licheng", "--notebooks", "01", "--draws", "1", "--end-year", "2022"]


def processes_of(root: Path) -> list[int]:
    """Pids (other than ours) whose environment points at the throw-away project ``root``."""
    marker = f"QZ_FORECAST_ROOT={root}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def start_slow_run(root: Path, run_id: str) -> subprocess.Popen:
    script = root / f"{run_id}.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        from runner_fixtures import install_fake_models
        install_fake_models()
        from analysis.cli import main
        sys.exit(main(["run", "--quiet", "--publish", "--units", "jinjiang", "licheng", "--run-id", {run_id!r},
                       "--draws", "1", "--end-year", "2022", "-p", "sleep=60"]))
    """),
        encoding="utf-8",
    )
    env = {**os.environ, "QZ_FORECAST_ROOT": str(root)}
    proc = subprocess.Popen([sys.executable, str(script)], env=env, start_new_session=True)
    staging = root / "reports" / "runs" / f".staging-{run_id}"
    assert wait_for(lambda: len(list(staging.glob("logs/*.log"))) >= 2), "the run never started its jobs"
    return proc


@pytest.mark.slow
def test_sigterm_kills_the_workers_and_cleans_staging_and_lock(runner_project):
    root = runner_project
    proc = start_slow_run(root, "termed")
    assert len(processes_of(root)) >= 3  # the parent and two workers (and their kernels)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert not (root / "reports" / "runs" / ".staging-termed").exists()
    assert not (root / "reports" / ".lock").exists()
    assert wait_for(lambda: not processes_of(root)), f"left behind: {processes_of(root)}"


@pytest.mark.slow
def test_workers_and_kernels_die_when_the_parent_is_killed(runner_project):
    root = runner_project
    proc = start_slow_run(root, "orphans")
    os.kill(proc.pid, signal.SIGKILL)  # the parent only, not its process group
    proc.wait(timeout=30)
    assert wait_for(lambda: not processes_of(root)), f"orphans: {processes_of(root)}"
    assert cli.main(QUICK + ["--run-id", "after"]) == 0  # the dead parent's lock is taken over


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]"])
def test_an_empty_or_garbled_lock_never_blocks_later_runs(runner_project, content):
    lock = runner_project / "reports" / ".lock"
    lock.write_text(content, encoding="utf-8")
    old = time.time() - 60
    os.utime(lock, (old, old))
    assert cli.main(QUICK + ["--run-id", "free"]) == 0
    assert not lock.exists()


def test_a_live_lock_still_blocks_with_exit_3(runner_project, capsys):
    lock = runner_project / "reports" / ".lock"
    lock.write_text(
        json.dumps({"pid": os.getppid(), "host": socket.gethostname(), "started": "now", "command": "another run"}),
        encoding="utf-8",
    )
    assert cli.main(QUICK) == 3
    assert "another run is writing" in capsys.readouterr().err


def test_read_only_reports_is_exit_2_without_a_traceback(runner_project, monkeypatch, capsys):
    real_link = os.link

    def read_only(src, dst, *args, **kwargs):
        if str(dst).endswith(".lock"):
            raise OSError(errno.EROFS, "Read-only file system", str(dst))
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", read_only)
    assert cli.main(QUICK) == 2
    err = capsys.readouterr().err
    assert "cannot create the run lock" in err and "Read-only file system" in err and "Traceback" not in err


def test_a_failing_write_during_the_run_is_exit_2_and_leaves_nothing(runner_project, monkeypatch, capsys):
    from analysis.run import tables

    def disk_full(self, folder):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "indicators.csv"))

    monkeypatch.setattr(tables.Tables, "write", disk_full)
    assert cli.main(QUICK + ["--run-id", "full"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "indicators.csv" in err
    runs = runner_project / "reports" / "runs"
    assert not list(runs.iterdir()) and not (runner_project / "reports" / ".lock").exists()
    assert not (runner_project / "reports" / "latest").exists()


@pytest.fixture
def small_disk(runner_project):
    """``reports/`` on a 256 kB tmpfs (skipped where mounting is not allowed)."""
    reports = runner_project / "reports"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(reports)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield reports
    finally:
        subprocess.run(["umount", "-l", str(reports)], capture_output=True)


def test_a_full_disk_is_exit_2_and_never_leaves_a_lock(small_disk, runner_project, capsys):
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY)
    try:
        while os.write(fd, b"x" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    assert cli.main(QUICK + ["--run-id", "full"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert not (small_disk / ".lock").exists()
    filler.unlink()
    # With room for the lock but not for the run: still exit 2, nothing published, no lock left.
    code = cli.main(QUICK + ["--run-id", "small"])
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in err
    assert not (small_disk / ".lock").exists() and not (small_disk / "latest").exists()
    assert not [p for p in (small_disk / "runs").iterdir()] if (small_disk / "runs").exists() else True

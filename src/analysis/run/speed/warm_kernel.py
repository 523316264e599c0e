"""Warm Jupyter kernels: one kernel per local worker process, reused for many notebook jobs.

Papermill stays the execution engine (parameters cell, injected parameters, the executed
notebook written even on failure); it is handed a kernel manager that this module started
(``execute_notebook(..., km=...)``). nbclient does not shut down a kernel manager it did not
create (``NotebookClient.owns_km``), so the kernel survives the job.

A new kernel is warmed once: numpy, pandas, matplotlib (pyplot on the inline backend), every
module of the ``analysis`` package and the libraries it imports lazily (statsmodels, pyarrow …)
are imported (and, in a run's kernel, the model cache :mod:`analysis.run.speed.cache`, whose store of
verified entries then outlives every reset and is settled by it), the run's raw tables, units table,
plans and scenario files are read into :mod:`analysis.run.speed.filememo`,
a figure (with the Chinese font) and a DataFrame are rendered; then a snapshot of the process is
taken (:data:`_KERNEL_SIDE`, kept in a hidden module ``_qz_warm``) and its objects are frozen out
of the garbage collector's view (``gc.freeze``: a reset's collection walks only what jobs made).
Before every job the kernel is reset to that snapshot:

* the user namespace is cleared (IPython's ``%reset -f``: variables, ``In``/``Out``, ``_``…),
  and the execution counter goes back to 1 so cell numbers match a fresh kernel;
* every module imported since the snapshot is removed from ``sys.modules`` (and from its
  parent package's attributes);
* every module attribute of the snapshot's modules is put back (a monkey-patched
  ``numpy.sum`` or ``analysis.config.X`` is undone; attributes added are deleted); for the
  ``analysis`` package also the contents of module-level dicts, lists and sets, and its
  ``functools.lru_cache`` caches are cleared;
* matplotlib figures are closed and ``rcParams`` restored, and ``RendererAgg.draw_text`` (which
  :mod:`analysis.run.speed.text_metrics` replaces) put back; pandas options restored;
  warning filters restored (and the once-only registries invalidated);
* cwd, ``os.environ`` and ``sys.path`` restored, then the job's cwd and environment applied;
* ``random`` and numpy's global generator reseeded from the OS (no seed carried over).

Limits: state held *inside* objects of third-party modules (a mutated class attribute except
``RendererAgg.draw_text`` and the model cache store's methods, a registry of a C extension, threads a notebook started, open files)
is not rolled back; the
kernel-machinery packages (IPython, ipykernel, zmq, tornado, asyncio, …) are never touched.
A kernel is discarded — the next job gets a fresh one — after a failed job, a timeout, a
failing reset, or when its resident memory exceeds ``QZ_KERNEL_MAX_RSS_MB`` (default 1500).
``QZ_COLD_KERNELS=1`` (or ``--cold-kernels``) forces papermill's own kernel per job.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ...present.notebook_html import warm_exporter
from ..stderr_log import redirect_stderr, restore_stderr

ENV_COLD = "QZ_COLD_KERNELS"
ENV_MAX_RSS = "QZ_KERNEL_MAX_RSS_MB"
DEFAULT_MAX_RSS_MB = 1500
START_TIMEOUT = 60
RESET_TIMEOUT = 60

_KERNEL_SIDE = Path(__file__).with_name("warm_kernel_side.py")
# Loads the kernel side as the hidden module ``_qz_warm`` and warms up; leaves no user names.
_BOOT = """
def _qz_boot(path):
    import importlib.util, sys
    spec = importlib.util.spec_from_file_location("_qz_warm", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_qz_warm"] = module
    spec.loader.exec_module(module)
    module.install()
_qz_boot({path!r})
del _qz_boot
"""


def enabled() -> bool:
    """Warm kernels are used unless ``QZ_COLD_KERNELS`` is set to a true value."""
    return os.environ.get(ENV_COLD, "").strip().lower() not in ("1", "true", "yes", "on")


def max_rss_bytes() -> int:
    """The resident-memory threshold above which a kernel is replaced after its job."""
    try:
        return int(float(os.environ.get(ENV_MAX_RSS, DEFAULT_MAX_RSS_MB)) * 2**20)
    except ValueError:
        return DEFAULT_MAX_RSS_MB * 2**20


def _tracking_manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class TrackingKernelManager(AsyncKernelManager):
        """Remembers the clients nbclient makes, so their channels can be closed after the job."""

        def client(self, *args, **kwargs):
            kc = super().client(*args, **kwargs)
            self.__dict__.setdefault("_qz_clients", []).append(kc)
            return kc

    return TrackingKernelManager


class KernelError(RuntimeError):
    """The warm kernel could not be started, warmed or reset."""


class WarmKernel:
    """One running kernel: its manager (for papermill), a control client, and how often used."""

    def __init__(self, kernel_name: str, env: dict[str, str], cwd: str):
        from jupyter_client.blocking import BlockingKernelClient
        from nbclient.util import run_sync

        self.kernel_name, self.env_key = kernel_name, _env_key(env)
        self.jobs = 0
        self.km = _tracking_manager_class()(kernel_name=kernel_name)
        run_sync(self.km.start_kernel)(
            cwd=cwd,
            env=dict(os.environ),  # history as nbclient keeps it
            extra_arguments=["--HistoryManager.hist_file=:memory:"],
        )
        # A client of its own (own session) for warm-up and resets; readiness is the boot's reply.
        self.control = BlockingKernelClient()
        self.control.load_connection_info(self.km.get_connection_info())
        self.control.start_channels()
        try:
            self._run(_BOOT.format(path=str(_KERNEL_SIDE)), START_TIMEOUT * 3)
        except Exception:
            self.shutdown()
            raise

    @property
    def pid(self) -> int | None:
        """The kernel's process id (local provisioner), or None."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    def rss(self) -> int:
        """Resident memory of the kernel process in bytes (0 where unknown)."""
        if not self.pid:
            return 0
        try:  # /proc (Linux); psutil (an ipykernel dependency) elsewhere
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        try:
            import psutil

            return psutil.Process(self.pid).memory_info().rss
        except Exception:
            return 0

    def alive(self) -> bool:
        from nbclient.util import run_sync

        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:
            return False

    def _run(self, code: str, timeout: float) -> None:
        """Execute ``code`` silently (no output, no history, no execution count); raise on error."""
        import queue
        import time

        msg_id = self.control.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self.control.get_shell_msg(timeout=1)
            except queue.Empty:
                if not self.alive():
                    raise KernelError("the kernel died") from None
                if time.monotonic() > deadline:
                    raise KernelError(f"kernel did not answer within {timeout} s") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelError(f"{content.get('ename')}: {content.get('evalue')}")

    def prepare(self, cwd: str, env: dict[str, str]) -> None:
        """Reset the kernel to its warm snapshot, then apply the job's cwd and environment."""
        args = json.dumps({"cwd": cwd, "env": env})
        self._run(f"__import__('_qz_warm').reset({args!r})", RESET_TIMEOUT)
        self.jobs += 1

    def after_job(self) -> None:
        """Close the client channels nbclient opened for the job (the kernel keeps running)."""
        for kc in self.km.__dict__.pop("_qz_clients", []):
            try:
                kc.stop_channels()
            except Exception:
                pass

    def shutdown(self) -> None:
        """Stop the kernel now and release its resources (never raises)."""
        from nbclient.util import run_sync

        self.after_job()
        try:
            self.control.stop_channels()
        except Exception:
            pass
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            pass
        try:
            run_sync(self.km.cleanup_resources)()
        except Exception:
            pass


def _env_key(env: dict[str, str]) -> str:
    return json.dumps(sorted(env.items()))


_current: WarmKernel | None = None
_finalizer_registered = False


def acquire(kernel_name: str, env: dict[str, str], cwd: str) -> WarmKernel:
    """This process's warm kernel for ``kernel_name`` and ``env``, started if needed.

    A kernel started for another kernel name or another job environment (project root, pinned
    vintages, cache folder) is replaced: the environment a kernel starts with is part of the
    contract that every job reads the run's own inputs.
    """
    global _current
    if _current is not None and (
        _current.kernel_name != kernel_name or _current.env_key != _env_key(env) or not _current.alive()
    ):
        discard()
    if _current is None:
        _register_finalizer()
        _current = WarmKernel(kernel_name, env, cwd)
    return _current


def warm_up(kernel_name: str, env: dict[str, str], cwd: str, stderr_log: str | None = None) -> str:
    """Start this worker's warm kernel for the jobs to come (``env`` is the jobs' environment, so
    :func:`acquire` finds it); the kernel's stderr goes to ``stderr_log`` (the run's logs), not
    the terminal. Never raises: a kernel that fails here is started again by the first job.
    Returns what happened, for logs."""
    os.environ.update(env)
    saved = redirect_stderr(stderr_log)
    outcome = "interrupted"
    try:
        Path(cwd).mkdir(parents=True, exist_ok=True)  # the first job's folder: not made yet
        kernel = acquire(kernel_name, env, cwd)
        warm_exporter()
        outcome = f"warm pid {kernel.pid}"
    except Exception as exc:  # noqa: BLE001 - the job path retries and falls back to cold
        discard()
        outcome = f"warm-up failed: {type(exc).__name__}: {exc}"
    finally:
        line = f"worker {os.getpid()} warm-up: {outcome}\n"
        os.write(2, line.encode("utf-8"))  # file descriptor 2 is the log now (sys.stderr may be another object)
        restore_stderr(saved)
    return outcome


def release(kernel: WarmKernel, healthy: bool) -> None:
    """After a job: keep the kernel if the job was healthy and memory is below the threshold."""
    kernel.after_job()
    if not healthy or not kernel.alive() or kernel.rss() > max_rss_bytes():
        discard()


def discard() -> None:
    """Shut down this process's warm kernel (the next job starts a fresh one)."""
    global _current
    kernel, _current = _current, None
    if kernel is not None:
        kernel.shutdown()


def current() -> WarmKernel | None:
    """The warm kernel of this process, if one is running."""
    return _current


def _register_finalizer() -> None:
    """Shut the kernel down when the process exits (normal exit and multiprocessing workers)."""
    global _finalizer_registered
    if _finalizer_registered:
        return
    import atexit
    from multiprocessing import util

    atexit.register(discard)
    util.Finalize(None, discard, exitpriority=20)  # pool workers exit through multiprocessing
    _finalizer_registered = True


def _after_fork() -> None:
    """A forked child must not share (or shut down) its parent's kernel."""
    global _current, _finalizer_registered
    _current, _finalizer_registered = None, False


os.register_at_fork(after_in_child=_after_fork)

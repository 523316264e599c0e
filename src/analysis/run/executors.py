"""Executors: run the same job function in local worker processes or on a dask.distributed cluster.

Both yield ``(job, result)`` pairs as jobs finish, in completion order. A job whose worker
crashed (or that raised, which :func:`~analysis.run.jobs.run_job` never does on purpose) yields
a failed :class:`~analysis.run.jobs.JobResult` instead of stopping the run.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Iterator, Sequence

from ..errors import AnalysisError
from .jobs import Job, JobResult


def crashed(job: Job, exc: BaseException) -> JobResult:
    """The result recorded for a job whose worker died or raised."""
    return JobResult(
        job.unit_id,
        job.stem,
        "failed",
        0.0,
        f"{job.unit_id}/{job.stem}.ipynb",
        key=job.key,
        error_name=type(exc).__name__,
        error_message=str(exc) or repr(exc),
    )


def _die_with_parent(parent_pid: int) -> None:
    """Worker initializer: ask Linux to SIGKILL this worker when its parent dies (even by kill -9).

    The worker's Jupyter kernel polls its own parent (``JPY_PARENT_PID``) and exits in turn.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's clean-up below still applies
        pass
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if os.getppid() != parent_pid:  # the parent died before the prctl call
        os._exit(1)


def no_task() -> None:
    """A task that does nothing: :meth:`LocalExecutor.warm_up` with it only starts the workers."""


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.kill()
        except (OSError, ValueError):
            pass


class LocalExecutor:
    """``concurrent.futures.ProcessPoolExecutor`` with ``workers`` processes (fork start method:
    ``python -m analysis`` has no ``__main__`` guard, and forking keeps worker start-up cheap).

    Workers die with their parent: Linux kills them when the parent dies (``PR_SET_PDEATHSIG``),
    and when the run stops early (SIGTERM, Ctrl-C, an error) the parent kills them itself.
    """

    def __init__(self, workers: int = 2):
        if workers < 1:
            raise AnalysisError(f"--workers must be at least 1, not {workers}")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )

    def warm_up(self, fn: Callable, *args) -> None:
        """Start the worker processes now and run ``fn(*args)`` once in each, while the parent goes
        on (the runner starts each worker's warm kernel while it computes the tables: the parent
        uses one core, so the warm-ups cost no wall time). :meth:`run` then uses these workers."""
        self.close()
        self._pool = self._new_pool(self.workers)
        for _ in range(self.workers):  # each submit finds no idle worker and starts one
            self._pool.submit(fn, *args)

    def background(self, fn: Callable, *args) -> None:
        """Queue ``fn(*args)`` on the workers :meth:`warm_up` started, ahead of the jobs (the first
        worker free runs it; its result and errors are ignored). Nothing happens without them."""
        if self._pool is not None:
            self._pool.submit(fn, *args)

    def close(self) -> None:
        """Stop workers started by :meth:`warm_up` that :meth:`run` did not use (the tables failed,
        nothing was left to run, or the run was interrupted): killed at once, their kernels with them."""
        pool, self._pool = self._pool, None
        if pool is not None:
            _kill_workers(pool)
            pool.shutdown(wait=False, cancel_futures=True)

    def run(self, fn: Callable[[Job], JobResult], jobs: Sequence[Job]) -> Iterator[tuple[Job, JobResult]]:
        if not jobs:
            self.close()
            return
        pool, self._pool = self._pool, None
        if pool is not None and getattr(pool, "_broken", False):  # a warm-up worker died (OOM …)
            _kill_workers(pool)
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
        pool = pool or self._new_pool(min(self.workers, len(jobs)))
        finished = False
        try:
            futures = {pool.submit(fn, job): job for job in jobs}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    yield job, future.result()
                except Exception as exc:  # BrokenProcessPool, pickling errors …
                    yield job, crashed(job, exc)
            finished = True
        finally:
            if not finished:  # SIGTERM, Ctrl-C or an error in the parent: the workers go too
                _kill_workers(pool)
            pool.shutdown(wait=finished, cancel_futures=True)


class DaskExecutor:
    """Submit each job to a dask.distributed scheduler at ``address`` (``client.submit(fn, job)``).

    The workers must have this package installed and see the same project files (shared disk):
    jobs carry absolute paths.
    """

    connect_timeout = "10s"

    def __init__(self, address: str):
        self.address = address

    def run(self, fn: Callable[[Job], JobResult], jobs: Sequence[Job]) -> Iterator[tuple[Job, JobResult]]:
        if not jobs:
            return
        try:  # optional heavy dependency (the `distributed` extra): imported only for a cluster run
            from distributed import Client
            from distributed import as_completed as dask_as_completed
        except ImportError:
            raise AnalysisError(
                "--scheduler needs dask.distributed: install the extra with `.venv/bin/pip install -e '.[distributed]'`"
            ) from None

        try:
            client = Client(self.address, timeout=self.connect_timeout)
        except OSError as exc:
            raise AnalysisError(f"cannot reach the dask scheduler at {self.address}: {exc}") from None
        try:
            futures = {
                client.submit(fn, job, pure=False, key=f"{job.unit_id}-{job.stem}-{i}"): job
                for i, job in enumerate(jobs)
            }
            try:
                for future in dask_as_completed(list(futures)):
                    job = futures[future]
                    try:
                        yield job, future.result()
                    except Exception as exc:
                        yield job, crashed(job, exc)
            finally:
                for future in futures:
                    future.cancel()
        finally:
            client.close()


def make_executor(workers: int = 2, scheduler: str | None = None):
    """A :class:`DaskExecutor` when ``scheduler`` is given, else a :class:`LocalExecutor`."""
    return DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)

"""One job = one notebook executed by papermill for one reporting unit, then exported to HTML.

:func:`run_job` is the single function every executor runs (a local worker process or a
dask.distributed worker). It never raises for a failing notebook: the executed notebook that
papermill writes on failure is kept, exported to HTML with the error shown at the top, and the
failure is described in the returned :class:`JobResult` (error name, message, failing cell).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .stderr_log import redirect_stderr, restore_stderr
from ..present.chart_files import extract
from ..present.notebook_html import export_notebook_html
from .inputs import verify
from .speed import warm_kernel
from .manifest import sha256_file


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to execute one notebook for one unit (plain, picklable values).

    ``output_dir`` is ``<staging>/<unit>``; the notebook is written to ``<output_dir>/<stem>.ipynb``
    and its HTML next to it. ``env`` is set in the worker before the kernel starts (project root,
    pinned data vintages) so every job reads the same inputs as the parent recorded.
    """

    unit_id: str
    notebook: str  # absolute path of the source notebook
    output_dir: str  # absolute path of the unit folder in the staging run folder
    parameters: dict[str, Any]
    kernel_name: str
    cwd: str  # working directory of the kernel
    env: dict[str, str] = field(default_factory=dict)
    key: str = ""  # hash of notebook + parameters + inputs (for --incremental)
    stderr_log: str | None = None  # send the worker's (and kernel's) stderr here during the job
    pinned: dict[str, str] = field(default_factory=dict)  # snapshot file -> sha256, verified first
    code_sha256: str | None = None  # the package source the run started with

    @property
    def stem(self) -> str:
        return Path(self.notebook).stem

    @property
    def output_ipynb(self) -> Path:
        return Path(self.output_dir) / f"{self.stem}.ipynb"

    @property
    def output_html(self) -> Path:
        return Path(self.output_dir) / f"{self.stem}.html"


@dataclass
class JobResult:
    """Outcome of one job, as recorded in ``manifest.json``."""

    unit: str
    notebook: str
    status: str  # 'ok' | 'failed' | 'skipped' (copied from a previous run)
    seconds: float
    output: str  # .ipynb path relative to the run folder
    html: str | None = None
    key: str = ""
    error_name: str | None = None
    error_message: str | None = None
    failed_cell_index: int | None = None
    failed_cell_source: str | None = None
    copied_from: str | None = None
    log: str | None = None
    worker: str | None = None  # host:pid of the process that ran the job
    output_sha256: dict[str, str] | None = None  # output file (relative) -> sha256, for --incremental
    kernel: str | None = None  # "warm pid <pid> job <n>" (n-th job on that kernel) or "cold"
    charts: int | None = None  # chart files written by the job's worker (None: not written yet)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def job_key(notebook_sha256: str, parameters: dict[str, Any], input_hashes: dict[str, str]) -> str:
    """sha256 of the notebook's hash, the parameters and every input file hash (sorted JSON)."""
    blob = json.dumps(
        {"notebook": notebook_sha256, "parameters": parameters, "inputs": input_hashes},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def run_job(job: Job) -> JobResult:
    """Execute ``job`` with papermill and export HTML.

    The notebook runs on this worker's warm kernel, reset to its post-warm-up snapshot
    (:mod:`analysis.run.speed.warm_kernel`), or with ``QZ_COLD_KERNELS=1`` on a kernel papermill
    starts for it alone; either way in ``job.cwd`` with ``job.env``.

    Returns a :class:`JobResult`; a notebook error is recorded, not raised. Paths in the result
    are relative to the run folder (the parent of ``job.output_dir``).
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .engine import engine_name  # heavy (papermill, as the two lines above): only a worker runs a job

    os.environ.update(job.env)
    import socket

    out_dir = Path(job.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rel = f"{job.unit_id}/{job.stem}"
    result = JobResult(
        job.unit_id, job.stem, "ok", 0.0, rel + ".ipynb", key=job.key, worker=f"{socket.gethostname()}:{os.getpid()}"
    )
    started = time.perf_counter()

    changed = verify(job.env.get("QZ_FORECAST_ROOT", ""), job.pinned, job.code_sha256) if job.pinned else None
    if changed:  # never run a notebook on other bytes than the run recorded
        result.status, result.error_name, result.error_message = "failed", "InputChanged", changed
        result.seconds = round(time.perf_counter() - started, 3)
        return result
    saved_stderr = redirect_stderr(job.stderr_log)
    kernel = executed = None  # executed: the notebook papermill wrote, when it returned one
    try:
        kernel = _warm_kernel(job, result)
        extra = {"km": kernel.km} if kernel is not None else {}

        def execute():
            return pm.execute_notebook(
                job.notebook,
                str(job.output_ipynb),
                parameters=dict(job.parameters),
                engine_name=engine_name(),
                kernel_name=job.kernel_name,
                language="python",
                cwd=job.cwd,
                progress_bar=False,
                log_output=False,
                report_mode=False,
                execution_timeout=job_timeout(),
                **extra,
            )

        try:
            executed = execute()
        except (RuntimeError, TimeoutError) as exc:
            if kernel is not None or not kernel_never_started(exc):
                raise
            # papermill's own kernel died before its first reply (no cell ran): start it once more
            result.kernel = f"{result.kernel}; kernel started again after: {exc}"
            executed = execute()
    except PapermillExecutionError as exc:
        result.status = "failed"
        result.error_name = exc.ename
        result.error_message = str(exc.evalue)
        result.failed_cell_index = exc.cell_index
        result.failed_cell_source = exc.source
    except Exception as exc:  # kernel died, notebook unreadable, …: still a job failure, not a crash
        result.status = "failed"
        result.error_name = type(exc).__name__
        result.error_message = str(exc) or traceback.format_exc(limit=3)
    finally:
        if kernel is not None:  # a failed or timed-out job, or a bloated kernel: a fresh one next time
            warm_kernel.release(kernel, healthy=result.status == "ok")
        restore_stderr(saved_stderr)
    if job.stderr_log:
        result.log = Path(job.stderr_log).relative_to(out_dir.parent).as_posix()
    result.seconds = round(time.perf_counter() - started, 3)
    if job.output_ipynb.exists():
        if executed is not None and result.status == "ok":  # before the export drops the SVGs
            try:
                result.charts = len(extract(job.output_ipynb, executed))
            except Exception:  # noqa: BLE001 - left to the parent, which reads the notebook and
                pass  # writes them (and fails the run if it cannot) before printing
        try:
            export_notebook_html(job.output_ipynb, job.output_html, result, executed)
            result.html = rel + ".html"
        except Exception as exc:  # an export problem must not hide the notebook's own status
            if result.status == "ok":
                result.status = "failed"
                result.error_name = f"HTML export: {type(exc).__name__}"
                result.error_message = str(exc)
    result.output_sha256 = _hashes(out_dir.parent, [result.output, result.html])
    return result


#: jupyter_client's words when a kernel it started never answered (``KernelManager`` waiting for its first
#: ``kernel_info`` reply): the kernel process died or hung at start-up, before any cell of the job ran.
KERNEL_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")


def kernel_never_started(exc: BaseException) -> bool:
    """True when ``exc`` says a freshly started kernel never answered (see :data:`KERNEL_START_FAILURES`).

    Seen once in 1,066 tests (a fresh-clone ``make test``, two kernels starting at the same moment): a
    job then failed although its notebook was fine. Such a job is started once more (:func:`run_job`);
    a kernel that dies while a cell runs is a job failure as before."""
    return any(words in str(exc) for words in KERNEL_START_FAILURES)


def job_timeout() -> int | None:
    """Seconds a single cell may run (``QZ_JOB_TIMEOUT``; unset or 0 = no limit)."""
    try:
        value = int(float(os.environ.get("QZ_JOB_TIMEOUT", "0") or 0))
    except ValueError:
        return None
    return value if value > 0 else None


def _warm_kernel(job: Job, result: JobResult):
    """This worker's warm kernel, reset for ``job`` (None: the cold path, papermill's own kernel).

    A kernel that cannot be started or reset is discarded and the job runs cold, so a kernel
    problem never costs a job (see :mod:`analysis.run.speed.warm_kernel`).
    """

    if not warm_kernel.enabled():
        result.kernel = "cold"
        return None
    try:
        kernel = warm_kernel.acquire(job.kernel_name, job.env, job.cwd)
        kernel.prepare(job.cwd, job.env)
    except Exception as exc:
        warm_kernel.discard()
        result.kernel = f"cold (warm kernel failed: {type(exc).__name__}: {exc})"
        return None
    result.kernel = f"warm pid {kernel.pid} job {kernel.jobs}"
    return kernel


def _hashes(run_dir: Path, rels) -> dict[str, str]:

    return {rel: sha256_file(run_dir / rel) for rel in rels if rel and (run_dir / rel).exists()}

"""The jobs of a run and, for ``--incremental``, which of them can reuse an earlier output.

A job's key (:func:`~analysis.run.jobs.job_key`) covers its notebook's bytes, its parameters,
the sha256 of every data file it reads, the *resolved* scenario (its ``extends`` chain included,
plus the run's overrides), the package source, the package versions and the kernel. A job is
reused only from an earlier run in which a job with the same key succeeded **and** whose
outputs still have the sha256 recorded then (a corrupted or tampered output is recomputed).
Any earlier run can supply a job — a run of one unit or one notebook no longer hides the full
run before it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import config, geography
from . import manifest as mf
from . import publish
from .inputs import Snapshot
from .jobs import Job, JobResult, job_key
from .speed.unchanged import link_or_copy

REUSABLE = ("ok", "skipped")
MAX_RUNS_SEARCHED = 50


def notebook_parameters(options, unit_id: str, scenario_name: str | None = None) -> dict[str, Any]:
    """Parameters injected into every notebook (papermill): the extras, then the standard ones.

    The standard ones are applied last, so an extra can never shadow them (the CLI refuses such
    names anyway, :func:`analysis.run.params.check_parameters`). ``scenario`` is the name of the
    resolved scenario in the run's input snapshot.
    """
    params: dict[str, Any] = dict(options.params)
    params.update(
        {
            "unit": unit_id,
            "scenario": scenario_name or str(options.scenario),
            "base": options.base,
            "start_year": options.start_year,
            "end_year": options.end_year,
            "draws": options.draws,
            "seed": options.seed,
        }
    )
    for name in ("plan", "report_year", "origin"):  # resolved by the runner (resolve_plan, check_options)
        if getattr(options, name, None) is not None:
            params[name] = getattr(options, name)
    params.pop("overrides", None)
    if options.overrides:
        params["overrides"] = dict(options.overrides)
    return params


def plan_jobs(
    options,
    pairs: list[tuple[str, Path]],
    staging: Path,
    snap: Snapshot,
    env: dict[str, str],
    code_hash: str,
    scenario_name: str,
    capture_stderr: bool = True,
) -> list[Job]:
    """One :class:`Job` per (unit, notebook) pair, reading the snapshot's copy of the notebook."""
    key_inputs = {**snap.key_inputs(), "code": code_hash, "kernel": config.KERNEL_NAME}
    jobs = []
    for uid, nb in pairs:
        params = notebook_parameters(options, uid, scenario_name)
        pinned_nb = snap.notebooks.get(nb.stem, nb)
        key = job_key(mf.sha256_file(pinned_nb), params, key_inputs)
        out = staging / uid
        log = str(staging / "logs" / f"{uid}__{nb.stem}.log") if capture_stderr else None
        jobs.append(
            Job(
                uid,
                str(Path(pinned_nb).resolve()),
                str(out),
                params,
                config.KERNEL_NAME,
                str(out),
                env,
                key,
                log,
                pinned=dict(snap.files),
                code_sha256=code_hash,
            )
        )
    return jobs


def pairs_for(options, unit_ids: list[str], select_notebooks) -> list[tuple[str, Path]]:
    """(unit, notebook) of every job: each per-unit notebook for each unit, the city-once ones once."""
    per_unit, once = select_notebooks(options.notebooks, geography.CITY_ID in unit_ids)
    return [(uid, nb) for uid in unit_ids for nb in per_unit] + [(geography.CITY_ID, nb) for nb in once]


def _earlier_outputs() -> dict[str, tuple[Path, dict]]:
    """key -> (run folder, job entry) of every reusable job of earlier runs, newest run first."""
    runs = []
    if publish.runs_dir().is_dir():
        for folder in publish.runs_dir().iterdir():
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            manifest = mf.read_manifest(folder)
            if manifest and manifest.get("status") in ("complete", "partial"):
                runs.append((mf.finished_at(manifest), folder, manifest))
    runs.sort(key=lambda r: r[0], reverse=True)
    found: dict[str, tuple[Path, dict]] = {}
    for _, folder, manifest in runs[:MAX_RUNS_SEARCHED]:
        for entry in manifest.get("jobs", []):
            if entry.get("status") in REUSABLE and entry.get("key") and entry["key"] not in found:
                found[entry["key"]] = (folder, entry)
    return found


def _intact(folder: Path, entry: dict) -> bool:
    """The recorded outputs of ``entry`` exist and still have their recorded sha256."""
    recorded = entry.get("output_sha256") or {}
    if not recorded or entry.get("output") not in recorded:
        return False  # an entry without hashes (older runs) cannot be verified: recompute
    for rel, digest in recorded.items():
        path = folder / rel
        try:
            if mf.sha256_file(path) != digest:
                return False
        except OSError:
            return False
    return True


def reuse_previous(jobs: list[Job], staging: Path) -> tuple[list[Job], list[JobResult]]:
    """For ``--incremental``: hard-link (or, across file systems, copy) the verified outputs of
    unchanged jobs from earlier runs."""
    earlier = _earlier_outputs()
    todo, reused = [], []
    for job in jobs:
        hit = earlier.get(job.key)
        if hit is None or not _intact(*hit):
            todo.append(job)
            continue
        folder, entry = hit
        Path(job.output_dir).mkdir(parents=True, exist_ok=True)
        link_or_copy(folder / entry["output"], job.output_ipynb)  # a hard link: no bytes copied
        html = None
        if entry.get("html") and entry["html"] in entry["output_sha256"]:
            link_or_copy(folder / entry["html"], job.output_html)
            html = f"{job.unit_id}/{job.stem}.html"
        result = JobResult(
            job.unit_id,
            job.stem,
            "skipped",
            0.0,
            f"{job.unit_id}/{job.stem}.ipynb",
            html=html,
            key=job.key,
            copied_from=folder.name,
        )
        result.output_sha256 = {result.output: entry["output_sha256"][entry["output"]]}
        if html:
            result.output_sha256[html] = entry["output_sha256"][entry["html"]]
        reused.append(result)
    return todo, reused

"""What the runs index and the run's own page print of a run: its status in words, its readable
name and its scope. Pure and light (no pandas): the runs index (:mod:`analysis.run.runs_index`) is
written by every run, an unchanged ``--incremental`` rerun included; the run's ``index.html``
(:mod:`analysis.present.html`) prints the same status words."""

from __future__ import annotations

from .labels import scenario_label

STATUS_ZH = {
    "ok": "成功 ok",
    "failed": "失败 failed",
    "skipped": "沿用上次 reused",
    "complete": "完成 complete",
    "partial": "部分失败 partial",
    "failed_run": "失败 failed",
}


def run_name(manifest: dict) -> str:
    """The readable name of a run: ``--name`` if given, else scenario and scope."""

    if manifest.get("name"):
        return str(manifest["name"])
    scen = manifest.get("scenario", {})
    return f"{scenario_label(str(scen.get('name', '')), scen.get('overrides'))} · {scope(manifest)}"


def scope(manifest: dict) -> str:
    """全部 full, or which units and notebooks a subset run covered."""
    if manifest.get("full"):
        return "全部单位与报告 full run"
    params = manifest.get("parameters", {})
    names = manifest.get("unit_names", {})
    units = "、".join(names.get(u, str(u)) for u in params.get("units") or [])
    notebooks = "、".join(str(n).split("_", 1)[0] for n in params.get("notebooks") or [])
    return f"部分 subset：{units or '—'}；报告 {notebooks or '—'}"

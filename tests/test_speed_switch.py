"""The speed machinery changes no number (issue 23): a normal run (warm kernels, model cache, file
memo, text-measure cache, prefetch), a ``--cold-kernels`` run and a ``--no-speed`` run (every hook of
analysis.hooks at its default) publish the same tables and the same notebook tables and text."""

from __future__ import annotations

import json

import nbformat
import pytest

from analysis import cli, hooks
from analysis.run import speed

pytestmark = pytest.mark.slow

ARGS = ("run", "--quiet", "--units", "dehua", "--draws", "20", "--notebooks", "01", "02", "--workers", "2")


def _published(run) -> dict[str, str]:
    """Every table of the run (``tables/*.csv``) and every text, HTML and Markdown output of its
    notebooks (charts aside: their pixels are checked in tests/test_text_metrics.py)."""
    found = {f"tables/{p.name}": p.read_text(encoding="utf-8") for p in sorted((run / "tables").glob("*.csv"))}
    for path in sorted(run.glob("*/*.ipynb")):
        notebook = nbformat.read(str(path), 4)
        texts = []
        for cell in notebook.cells:
            for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
                if output.output_type == "stream":
                    texts.append(output.text)
                for kind in ("text/html", "text/markdown"):
                    texts.append(str(output.get("data", {}).get(kind, "")))
        found[path.relative_to(run).as_posix()] = "\n".join(texts)
    return found


def _run(root, run_id: str, *flags: str) -> dict[str, str]:
    assert cli.main([*ARGS, "--run-id", run_id, *flags]) == 0
    run = root / "reports" / "runs" / run_id
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    return manifest["parameters"], _published(run)


def test_a_run_with_every_speed_hook_off_and_a_cold_kernel_run_publish_a_normal_runs_numbers(project_copy, monkeypatch):
    monkeypatch.delenv("QZ_COLD_KERNELS", raising=False)  # the normal run: warm kernels, as real runs
    saved = hooks.installed()
    try:
        normal_parameters, normal = _run(project_copy, "normal")
        cold_parameters, cold = _run(project_copy, "cold", "--cold-kernels")
        off_parameters, off = _run(project_copy, "off", "--no-speed")
    finally:
        hooks.install(**saved)
    assert (normal_parameters["kernels"], normal_parameters["speed"]) == ("warm", "on")
    assert (cold_parameters["kernels"], cold_parameters["speed"]) == ("cold", "on")
    assert (off_parameters["kernels"], off_parameters["speed"]) == ("cold", "off")
    assert len(normal) >= 6 and any(name.endswith(".ipynb") for name in normal)
    for name, text in normal.items():
        assert cold.get(name) == text, f"--cold-kernels changed {name}"
        assert off.get(name) == text, f"--no-speed changed {name}"
    assert set(cold) == set(off) == set(normal)


def test_the_switch_leaves_every_hook_at_its_default(monkeypatch):
    saved = hooks.installed()
    try:
        monkeypatch.delenv(speed.SWITCH_ENV, raising=False)
        speed.install()
        assert hooks.installed()["memo"] is not hooks.compute_every_time
        monkeypatch.setenv(speed.SWITCH_ENV, "off")
        speed.install()
        assert hooks.installed() == {
            "memo": hooks.compute_every_time,
            "remembered": hooks.read_every_time,
            "share_text_measures": hooks.matplotlib_measures,
        }
        assert speed.job_environment("/tmp/cache", speed.enabled()) == {speed.SWITCH_ENV: "off"}
    finally:
        hooks.install(**saved)

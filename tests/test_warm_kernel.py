"""Warm kernels (analysis.run.speed.warm_kernel): reuse, isolation between jobs, recovery, cold path.

Jobs run through :func:`analysis.run.jobs.run_job` in this test process, so they share this
process's warm kernel exactly as the jobs of one worker process do.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from analysis.config import KERNEL_NAME
from analysis import hooks
from analysis.run import speed
from analysis.run.speed import warm_kernel
from analysis.run.jobs import Job, run_job
from conftest import REPO

pytestmark = pytest.mark.slow

# Leaves behind every kind of state a notebook can leave.
DIRTY = r"""
import os, sys, random, warnings
import numpy, pandas, matplotlib
import matplotlib.pyplot as plt
import analysis.config
leaked_variable = 42
sys.path.insert(0, "/nonexistent/qz-leaky")
with open("leaky_module.py", "w") as f:
    f.write("VALUE = 1\n")
import leaky_module
numpy.sum = lambda *a, **k: "patched"
analysis.config.KERNEL_NAME = "patched"
analysis.config.project_root = lambda: "patched"
pandas.set_option("display.max_rows", 3)
matplotlib.rcParams["lines.linewidth"] = 9.0
plt.figure()
os.environ["QZ_LEAKED"] = "1"
warnings.simplefilter("ignore")
random.seed(1); numpy.random.seed(1)
os.chdir("/")
print(os.getpid())
"""

# Fails (the job fails) if anything DIRTY left is visible.
CLEAN = r"""
import os, sys, random
import numpy, pandas, matplotlib
import matplotlib.pyplot as plt
import analysis.config
assert "leaked_variable" not in globals(), "a variable leaked"
assert "leaky_module" not in sys.modules, "an imported module leaked"
assert numpy.sum([1, 2]) == 3, "a monkey-patched numpy attribute leaked"
assert analysis.config.KERNEL_NAME == "quanzhou-forecast", "a patched package constant leaked"
assert str(analysis.config.project_root()) != "patched", "a patched package function leaked"
assert pandas.get_option("display.max_rows") != 3, "a pandas option leaked"
assert matplotlib.rcParams["lines.linewidth"] != 9.0, "an rcParam leaked"
assert not plt.get_fignums(), "an open figure leaked"
assert "QZ_LEAKED" not in os.environ, "an environment variable leaked"
assert "/nonexistent/qz-leaky" not in sys.path and os.getcwd() != "/", "cwd or sys.path leaked"
assert random.random() != random.Random(1).random(), "the random seed was carried over"
assert numpy.random.random() != numpy.random.RandomState(1).random_sample(), "numpy's seed was carried over"
print(os.getpid())
"""


def _notebook(folder: Path, name: str, *cells: str) -> str:
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]})]
        + [nbformat.v4.new_code_cell(c) for c in cells]
    )
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return str(path)


def _job(notebook: str, out: Path, params=None, env=None) -> Job:
    """A job whose kernel installs the speed machinery behind analysis.hooks, as every run's job."""
    env = {hooks.INSTALLER_ENV: speed.__name__, **(env or {})}
    return Job("u", notebook, str(out), dict(params or {"x": 1}), KERNEL_NAME, str(out), env)


def _pid(result) -> int:
    assert result.kernel and result.kernel.startswith("warm"), result.kernel
    return int(result.kernel.split()[2])


@pytest.fixture(autouse=True)
def _fresh_pool(monkeypatch):
    monkeypatch.delenv(warm_kernel.ENV_COLD, raising=False)
    saved = dict(os.environ)  # run_job puts the job's environment in this process, as in a worker
    yield
    warm_kernel.discard()
    os.environ.clear()
    os.environ.update(saved)


def test_state_left_by_one_notebook_cannot_reach_the_next_on_the_same_kernel(tmp_path):
    dirty = _notebook(tmp_path, "dirty", DIRTY)
    clean = _notebook(tmp_path, "clean", CLEAN)
    first = run_job(_job(dirty, tmp_path / "a"))
    second = run_job(_job(clean, tmp_path / "b"))
    third = run_job(_job(clean, tmp_path / "c"))
    assert first.status == "ok", first.error_message
    assert second.status == "ok", f"{second.error_name}: {second.error_message}"
    assert third.status == "ok", third.error_message
    assert _pid(first) == _pid(second) == _pid(third)  # one kernel served all three jobs
    assert [r.kernel.split()[-1] for r in (first, second, third)] == ["1", "2", "3"]
    # the printed pid in the notebook agrees: the same kernel process executed both notebooks
    out = nbformat.read(str(tmp_path / "b" / "clean.ipynb"), 4)
    assert out.cells[-1].outputs[0]["text"].strip() == str(_pid(first))
    assert [c.execution_count for c in out.cells] == [1, 2, 3]  # numbered as on a fresh kernel


def test_a_failed_and_a_timed_out_job_do_not_poison_the_next(tmp_path, monkeypatch):
    dirty = _notebook(tmp_path, "dirty", DIRTY)
    failing = _notebook(tmp_path, "failing", "leaked_variable = 1\nraise ValueError('boom')")
    slow = _notebook(tmp_path, "slow", "import time\nleaked_variable = 1\ntime.sleep(120)")
    clean = _notebook(tmp_path, "clean", CLEAN)

    ok = run_job(_job(dirty, tmp_path / "a"))
    bad = run_job(_job(failing, tmp_path / "b"))
    assert ok.status == "ok" and bad.status == "failed" and bad.error_name == "ValueError"
    assert (tmp_path / "b" / "failing.ipynb").exists() and bad.html  # written and exported on failure
    after_failure = run_job(_job(clean, tmp_path / "c"))
    assert after_failure.status == "ok", after_failure.error_message
    assert _pid(after_failure) != _pid(bad)  # a fresh kernel after the failure

    monkeypatch.setenv("QZ_JOB_TIMEOUT", "3")
    timed_out = run_job(_job(slow, tmp_path / "d"))
    assert timed_out.status == "failed" and timed_out.seconds < 60
    assert (tmp_path / "d" / "slow.ipynb").exists()
    monkeypatch.delenv("QZ_JOB_TIMEOUT")
    after_timeout = run_job(_job(clean, tmp_path / "e"))
    assert after_timeout.status == "ok", after_timeout.error_message
    assert _pid(after_timeout) != _pid(timed_out)


def test_memory_threshold_and_cold_switch(tmp_path, monkeypatch):
    clean = _notebook(tmp_path, "clean", CLEAN)
    monkeypatch.setenv(warm_kernel.ENV_MAX_RSS, "1")  # every kernel is over 1 MB: replaced after each job
    one, two = run_job(_job(clean, tmp_path / "a")), run_job(_job(clean, tmp_path / "b"))
    assert one.status == two.status == "ok" and _pid(one) != _pid(two)
    assert warm_kernel.current() is None

    monkeypatch.delenv(warm_kernel.ENV_MAX_RSS)
    monkeypatch.setenv(warm_kernel.ENV_COLD, "1")
    cold = [run_job(_job(clean, tmp_path / d)) for d in ("c", "d")]
    assert [r.status for r in cold] == ["ok", "ok"] and [r.kernel for r in cold] == ["cold", "cold"]
    pids = [nbformat.read(str(tmp_path / d / "clean.ipynb"), 4).cells[-1].outputs[0]["text"] for d in "cd"]
    assert pids[0] != pids[1] and warm_kernel.current() is None


def test_a_new_job_environment_gets_a_new_kernel(tmp_path):
    clean = _notebook(tmp_path, "clean", CLEAN)
    one = run_job(_job(clean, tmp_path / "a", env={"QZ_SOME_PIN": "a"}))
    two = run_job(_job(clean, tmp_path / "b", env={"QZ_SOME_PIN": "b"}))
    assert one.status == two.status == "ok" and _pid(one) != _pid(two)


def _outputs(path: Path) -> list:
    """Cell sources, execution counts and outputs: everything but timing and execution metadata."""
    nb = nbformat.read(str(path), 4)
    return [(c.cell_type, c.source, c.get("execution_count"), c.get("outputs")) for c in nb.cells]


def test_real_notebooks_give_the_same_output_warm_as_cold(tmp_path, monkeypatch):
    """02 and 04 for 晋江 on a kernel that has just run 01 for the city, against fresh kernels."""
    params = {"unit": "jinjiang", "draws": 3, "end_year": 2030}
    nbs = {s: str(next((REPO / "notebooks").glob(f"{s}_*.ipynb"))) for s in ("01", "02", "04")}
    warm_dir, cold_dir = tmp_path / "warm", tmp_path / "cold"
    first = run_job(_job(nbs["01"], warm_dir / "city", {"unit": "quanzhou", "draws": 3, "end_year": 2030}))
    warm = [run_job(_job(nbs[s], warm_dir / "u", params)) for s in ("02", "04")]
    assert first.status == "ok" and [r.status for r in warm] == ["ok", "ok"], [r.error_message for r in warm]
    assert _pid(first) == _pid(warm[0]) == _pid(warm[1])
    monkeypatch.setenv(warm_kernel.ENV_COLD, "1")
    cold = [run_job(_job(nbs[s], cold_dir / "u", params)) for s in ("02", "04")]
    assert [r.kernel for r in cold] == ["cold", "cold"] and [r.status for r in cold] == ["ok", "ok"]
    for stem in (Path(nbs["02"]).stem, Path(nbs["04"]).stem):
        assert _outputs(warm_dir / "u" / f"{stem}.ipynb") == _outputs(cold_dir / "u" / f"{stem}.ipynb"), stem


def test_a_run_reuses_one_warm_kernel_per_worker(runner_project):
    """Through the runner: one worker process, one kernel for all of its jobs (manifest 'kernel')."""
    from analysis import cli
    from runner_fixtures import read_manifest

    assert (
        cli.main(
            [
                "run",
                "--quiet",
                "--workers",
                "1",
                "--draws",
                "1",
                "--end-year",
                "2022",
                "--units",
                "licheng",
                "fengze",
                "--notebooks",
                "01",
                "02",
                "--run-id",
                "w",
            ]
        )
        == 0
    )
    manifest = read_manifest(runner_project / "reports" / "runs" / "w")
    kernels = [j["kernel"].split() for j in manifest["jobs"]]
    assert manifest["parameters"]["kernels"] == "warm" and all(k[0] == "warm" for k in kernels), kernels
    assert len({k[2] for k in kernels}) == 1 and sorted(int(k[-1]) for k in kernels) == [1, 2, 3, 4]
    assert len({j["worker"] for j in manifest["jobs"]}) == 1


def test_warm_up_before_the_first_job_serves_that_job(tmp_path):
    """The runner warms each worker's kernel while it computes the tables, for a first job whose
    folder does not exist yet; that job then runs on the same kernel, started nowhere else."""
    clean = _notebook(tmp_path, "clean", CLEAN)
    job = _job(clean, tmp_path / "not-made-yet")
    log = tmp_path / "warm-up.log"
    outcome = warm_kernel.warm_up(job.kernel_name, job.env, job.cwd, str(log))
    assert outcome.startswith("warm pid "), outcome
    result = run_job(job)
    assert result.status == "ok" and _pid(result) == int(outcome.split()[2]) and result.kernel.endswith("job 1")
    assert "warm-up: warm pid" in log.read_text(encoding="utf-8")


def test_the_run_engine_writes_the_notebook_at_start_and_end_not_at_every_cell(tmp_path, monkeypatch):
    """Papermill wrote the whole notebook twice per cell; the run's engine writes it before the
    first cell (papermill's execute_notebook writes the end), SAVE_EVERY throttles the cell
    boundaries, and a timeout still leaves the cells that ran in the file."""
    import papermill.engines

    from analysis.run import engine

    writes = []
    real_write = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb", lambda nb, path: writes.append(path) or real_write(nb, path))
    quick = _notebook(tmp_path, "quick", *[f"print({i})" for i in range(8)])
    result = run_job(_job(quick, tmp_path / "a"))
    assert result.status == "ok" and len(writes) == 1, writes
    out = nbformat.read(str(tmp_path / "a" / "quick.ipynb"), 4)
    cells = len(out.cells)  # the parameters, papermill's injected parameters and the eight prints
    assert [c.outputs[0]["text"].strip() for c in out.cells[2:]] == [
        str(i) for i in range(8)
    ]  # after the injected parameters

    writes.clear()
    failing = _notebook(tmp_path, "failing", "print('before')", "raise ValueError('boom')", "print('never')")
    bad = run_job(_job(failing, tmp_path / "b"))
    out = nbformat.read(str(tmp_path / "b" / "failing.ipynb"), 4)
    assert bad.status == "failed" and out.metadata.papermill.exception is True and bad.html
    assert any(o.get("ename") == "ValueError" for c in out.cells for o in c.get("outputs", []))

    writes.clear()
    monkeypatch.setenv("QZ_JOB_TIMEOUT", "3")
    slow = _notebook(tmp_path, "slow", "print('ran before the timeout')", "import time\ntime.sleep(120)")
    timed_out = run_job(_job(slow, tmp_path / "d"))
    out = nbformat.read(str(tmp_path / "d" / "slow.ipynb"), 4)
    assert timed_out.status == "failed" and out.cells[2].outputs[0]["text"].strip() == "ran before the timeout"
    monkeypatch.delenv("QZ_JOB_TIMEOUT")

    writes.clear()
    monkeypatch.setattr(engine, "SAVE_EVERY", 0.0)  # no throttle: every boundary saves, as papermill does
    assert run_job(_job(quick, tmp_path / "c")).status == "ok" and len(writes) == 1 + 2 * cells


def test_a_chart_is_drawn_for_display_only_not_again_by_pyplot(tmp_path):
    """pyplot's after-cell hook redrew every new figure before the inline backend showed it (an
    unseen full render); plots.subplots puts the inline backend's flush first, so pyplot finds no
    figure left to draw."""
    counting = r"""
import matplotlib.pyplot as plt
from matplotlib import _pylab_helpers
redrawn = []
_draw_all = plt.draw_all
def draw_all(force=False):
    redrawn.extend(m.num for m in _pylab_helpers.Gcf.get_all_fig_managers() if force or m.canvas.figure.stale)
    return _draw_all(force)
plt.draw_all = draw_all
"""
    chart = (
        'from analysis.present import plots\nfig, ax = plots.new_figure("测试", "年份", "人数（人）", "测试数据")\n'
        "ax.plot([2020, 2025], [1, 2])"
    )
    nb = _notebook(tmp_path, "chart", counting, chart, chart, "assert redrawn == [], redrawn")
    result = run_job(_job(nb, tmp_path / "a"))
    assert result.status == "ok", f"{result.error_name}: {result.error_message}"
    out = nbformat.read(str(tmp_path / "a" / "chart.ipynb"), 4)
    assert all(any("image/png" in o.get("data", {}) for o in out.cells[i].outputs) for i in (3, 4))


def test_one_jobs_text_measurements_do_not_reach_the_next(tmp_path):
    """analysis.run.speed.text_metrics shares measured and laid-out strings between a job's figures; a job
    that poisons them (every string 1 px, no glyphs) and patches matplotlib's measuring and
    drawing (before its first chart and after its last) leaves the next job none of it."""
    poison = r"""
from analysis.present import plots
from analysis.run.speed import text_metrics
import matplotlib.text
from matplotlib.backends.backend_agg import RendererAgg
own_draw_text = RendererAgg.draw_text
patched = RendererAgg.draw_text = lambda *args, **kwargs: None  # the job's own, before its first chart: kept
fig, ax = plots.new_figure("测试", "年份", "人数（人）", "测试数据")
fig.canvas.draw()
assert text_metrics._measured and RendererAgg.draw_text is patched and not text_metrics._laid_out
RendererAgg.draw_text = own_draw_text
fig, ax = plots.new_figure("测试", "年份", "人数（人）", "测试数据")
fig.canvas.draw()
assert RendererAgg.draw_text is text_metrics.shared_draw_text and text_metrics._laid_out
for key in text_metrics._measured:
    text_metrics._measured[key] = (1.0, 1.0, 0.0)
for key, (font, glyphs) in text_metrics._laid_out.items():
    text_metrics._laid_out[key] = (font, [])
matplotlib.text._get_text_metrics_with_cache = lambda *args, **kwargs: (1.0, 1.0, 0.0)
RendererAgg.draw_text = lambda *args, **kwargs: None  # a class attribute left patched
"""
    check = r"""
from analysis.present import plots
from analysis.run.speed import text_metrics
import matplotlib.text
from matplotlib.backends.backend_agg import RendererAgg
assert not text_metrics._measured and not text_metrics._laid_out, "the last job's strings reached this one"
assert matplotlib.text._get_text_metrics_with_cache.__module__ == "matplotlib.text", "a patched matplotlib.text leaked"
assert RendererAgg.draw_text.__module__ == "matplotlib.backends.backend_agg", "a patched RendererAgg leaked"
fig, ax = plots.new_figure("测试", "年份", "人数（人）", "测试数据")
fig.canvas.draw()
assert text_metrics._measured and (1.0, 1.0, 0.0) not in set(text_metrics._measured.values())
assert text_metrics._behind_drawing.__module__ == "matplotlib.backends.backend_agg", "the last job's patch is drawn"
assert all(glyphs for font, glyphs in text_metrics._laid_out.values())
"""
    first = run_job(_job(_notebook(tmp_path, "poison", poison), tmp_path / "a"))
    second = run_job(_job(_notebook(tmp_path, "check", check), tmp_path / "b"))
    assert first.status == "ok", f"{first.error_name}: {first.error_message}"
    assert second.status == "ok", f"{second.error_name}: {second.error_message}"
    assert _pid(first) == _pid(second)


def test_a_warm_kernel_reads_the_raw_tables_once_and_no_job_changes_them_for_the_next(tmp_path):
    """The warm-up fills analysis.run.speed.filememo with every validated raw table and a job's loads are
    served from it (the reader is not called); a job that changes a table it loaded, or empties and
    refills the memo under its own patch, leaves the next job the warm-up's tables."""
    tamper = r"""
from analysis.run.speed import filememo
from analysis.data import loaders
assert filememo.stored() >= len(loaders.TABLES), filememo.stored()
def read_again(*args):
    raise AssertionError("a raw table was read again although the memo holds it")
loaders.clear_cache()
loaders._load_cached = read_again
units = loaders.load_units()  # served by the memo: the patched reader is never called
units.iloc[0, 0] = "tampered"
assert loaders.load_units().iloc[0, 0] != "tampered"
with filememo.filling():  # a job that refills the memo under its own patch …
    loaders._load_cached = lambda *args: units
    filememo.forget()
    filememo.remembered("raw table units", loaders.table("units").path(), lambda: units)
"""
    check = r"""
from analysis.run.speed import filememo
from analysis.data import loaders
assert filememo.stored() >= len(loaders.TABLES), "the reset did not restore the warm-up's memo"
assert loaders._load_cached.__name__ == "_load_cached"
assert loaders.load_units().iloc[0, 0] != "tampered"  # … leaves the next job the warm-up's tables
"""
    first = run_job(_job(_notebook(tmp_path, "tamper", tamper), tmp_path / "a"))
    second = run_job(_job(_notebook(tmp_path, "check", check), tmp_path / "b"))
    assert first.status == "ok", f"{first.error_name}: {first.error_message}"
    assert second.status == "ok", f"{second.error_name}: {second.error_message}"
    assert _pid(first) == _pid(second)


def test_a_finished_job_writes_its_chart_files(tmp_path, monkeypatch):
    """The worker writes the PNG and SVG of every chart from the notebook it has just written
    (before the HTML export drops the SVG from the page)."""
    monkeypatch.setenv("QZ_CHART_FILES", "1")
    chart = (
        'from analysis.present import plots\nfig, ax = plots.new_figure("测试", "年份", "人数（人）", "测试数据")\n'
        "ax.plot([2020, 2025], [1, 2])"
    )
    result = run_job(_job(_notebook(tmp_path, "chart", chart), tmp_path / "a"))
    assert result.status == "ok" and result.charts == 2, (result.error_message, result.charts)
    folder = tmp_path / "a" / "chart_charts"
    assert sorted(p.name for p in folder.iterdir()) == ["chart01.png", "chart01.svg"]
    assert 'href="chart_charts/chart01.svg"' in (tmp_path / "a" / "chart.html").read_text(encoding="utf-8")


def test_a_warm_kernel_skips_the_run_renderers_and_nothing_a_page_needs():
    """The wing's run-level renderers (workbook, index, briefs …) moved out of ``analysis.run`` (issue 23);
    a kernel's warm-up must still skip them (openpyxl and all), and must not skip a module a notebook's
    page imports (the job would then import it anew and drop it after every job)."""
    import grimp

    from analysis.run.speed.warm_kernel_side import SKIP_WARM

    graph = grimp.build_graph("analysis")
    pages = {"analysis.present.pages", *graph.find_descendants("analysis.present.pages")}
    needed = set().union(*(graph.find_upstream_modules(p) for p in pages)) | pages
    skipped_wing = [m for m in SKIP_WARM if m.startswith("analysis.present.")]
    assert {"analysis.present.excel", "analysis.present.html", "analysis.present.brief"} <= set(skipped_wing)
    assert [m for m in needed if m.startswith(tuple(skipped_wing))] == []


def test_a_kernel_that_dies_before_its_first_reply_is_started_once_more(tmp_path, monkeypatch):
    """A fresh-clone ``make test`` once failed a runner test with "Kernel died before replying to
    kernel_info" (two kernels starting at the same moment): the notebook was fine and no cell had run.
    The cold path now starts the kernel once more and says so in the job's ``kernel``; a second
    start failure, or a kernel dying while a cell runs, still fails the job."""
    import papermill

    clean = _notebook(tmp_path, "clean", "print(1)")
    monkeypatch.setenv(warm_kernel.ENV_COLD, "1")
    real = papermill.execute_notebook
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    once = run_job(_job(clean, tmp_path / "a"))
    assert once.status == "ok" and len(calls) == 2, once.error_message
    assert "kernel started again" in once.kernel

    def always(*args, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", always)
    twice = run_job(_job(clean, tmp_path / "b"))
    assert twice.status == "failed" and "kernel_info" in twice.error_message

    def died_in_a_cell(*args, **kwargs):
        raise RuntimeError("Kernel died")  # not a start-up failure: no second start

    calls.clear()
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: (calls.append(1), died_in_a_cell())[1])
    dead = run_job(_job(clean, tmp_path / "c"))
    assert dead.status == "failed" and len(calls) == 1


def test_a_warm_kernel_keeps_the_model_caches_verified_entries_across_jobs(tmp_path):
    """The model cache's read-once store (``analysis.run.speed.cache._READ``) outlives a job in a warm
    kernel, as its docstring says: the second job gets the entry the first read and verified without
    reading it from disk again. On the code before 6 Dec 2026 the cache module was first imported by a
    job, dropped at the reset with the job's imports, and every job read every projection again."""
    from analysis.run.speed.environment import CACHE_DIR_ENV

    env = {CACHE_DIR_ENV: str(tmp_path / "cache")}
    (tmp_path / "cache").mkdir()
    first = r"""
import pandas as pd
from analysis import hooks
hooks.memo("probe", (1,), lambda: pd.DataFrame({"a": [1.0, 2.0]}))  # computed and stored on disk
def never():
    raise AssertionError("computed again")
assert list(hooks.memo("probe", (1,), never)["a"]) == [1.0, 2.0]  # read from disk and verified once
"""
    second = r"""
from analysis import hooks
from analysis.run.speed import cache
def no_disk(*args, **kwargs):
    raise AssertionError("the entry was read from disk again")
cache.read_entry = no_disk
def never():
    raise AssertionError("computed again")
assert list(hooks.memo("probe", (1,), never)["a"]) == [1.0, 2.0]
"""
    one = run_job(_job(_notebook(tmp_path, "first", first), tmp_path / "a", env=env))
    two = run_job(_job(_notebook(tmp_path, "second", second), tmp_path / "b", env=env))
    assert one.status == "ok", f"{one.error_name}: {one.error_message}"
    assert two.status == "ok", f"{two.error_name}: {two.error_message}"
    assert _pid(one) == _pid(two)


def test_an_entry_read_under_a_jobs_patch_does_not_serve_the_next_job(tmp_path):
    """The store of verified entries outlives the reset, so what a job puts in it under its own patches
    must not reach the next job: the reset puts the store's methods back and reads every entry the job
    put, replaced or settled itself again with the restored code (``_ReadEntries.settle``). Found by review of the first version of this change, where a clean third
    job was served the tampered value [99.0]."""
    from analysis.run.speed.environment import CACHE_DIR_ENV

    env = {CACHE_DIR_ENV: str(tmp_path / "cache")}
    (tmp_path / "cache").mkdir()
    store = r"""
import pandas as pd
from analysis import hooks
hooks.memo("probe", (2,), lambda: pd.DataFrame({"a": [1.0, 2.0]}))  # computed and stored on disk
"""
    tamper = r"""
from analysis import hooks
from analysis.run.speed import cache
import pandas as pd
cache._READ.forget()  # so that this job reads the entry itself, under its patch
pd.read_parquet = lambda *args, **kwargs: pd.DataFrame({"a": [99.0]})  # how a stored frame is read back
def never():
    raise AssertionError("computed again")
assert list(hooks.memo("probe", (2,), never)["a"]) == [99.0]  # this job sees its own patch
cache._READ.settle({})  # settled under the patch, by the job itself
cache._ReadEntries.get = lambda self, path, digest: (pd.DataFrame({"a": [99.0]}),)  # a patched method
"""
    clean = r"""
from analysis import hooks
from analysis.run.speed import cache
import pandas as pd
assert pd.read_parquet.__name__ == "read_parquet"  # the patch was put back
def never():
    raise AssertionError("computed again")
assert list(hooks.memo("probe", (2,), never)["a"]) == [1.0, 2.0], "a job's patched read reached the next job"
"""
    results = [
        run_job(_job(_notebook(tmp_path, name, code), tmp_path / name, env=env))
        for name, code in (("store", store), ("tamper", tamper), ("clean", clean))
    ]
    for result in results:
        assert result.status == "ok", f"{result.error_name}: {result.error_message}"
    assert len({_pid(r) for r in results}) == 1


def test_the_kernel_side_names_the_hooks_installer_variable_as_the_hooks_do():
    """warm_kernel_side is loaded into kernels without importing the package, so it spells the speed
    installer's variable itself; it must be the one analysis.hooks reads."""
    from analysis.run.speed import warm_kernel_side

    assert warm_kernel_side.INSTALLER_ENV == hooks.INSTALLER_ENV

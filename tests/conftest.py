"""Shared fixtures. Runner fixtures live in runner_fixtures.py and are imported here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reference.make_real_tables import RUN_ARGS as REAL_RUN_ARGS  # the reference digest runs the same case

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _cold_kernels_by_default(monkeypatch):
    """Runs in tests use a fresh kernel per job (QZ_COLD_KERNELS=1): most tests run a handful of
    tiny notebooks, for which a warm-up costs more than it saves. tests/test_warm_kernel.py
    removes the variable to test the warm path, the default of real runs."""
    monkeypatch.setenv("QZ_COLD_KERNELS", "1")


@pytest.fixture
def speed_hooks():
    """The run's speed machinery behind analysis.hooks for one test, as in a run's processes
    (analysis.run.speed.install), then the hooks as they were."""
    from analysis import hooks
    from analysis.run import speed

    saved = hooks.installed()
    speed.install(True)
    yield
    hooks.install(**saved)


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """A throw-away project tree (data/raw, scenarios, notebooks) with QZ_FORECAST_ROOT pointing at it."""
    root = tmp_path / "project"
    for sub in ("data/raw", "scenarios", "notebooks"):
        if (REPO / sub).is_dir():
            shutil.copytree(REPO / sub, root / sub)
        else:
            (root / sub).mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    (root / "reports").mkdir()
    monkeypatch.setenv("QZ_FORECAST_ROOT", str(root))
    from analysis.data import loaders

    loaders.clear_cache()
    yield root
    loaders.clear_cache()


@pytest.fixture(scope="session")
def real_run(tmp_path_factory):
    """One run of the real notebooks and models on two units (晋江市 and the city, 3 draws; ``REAL_RUN_ARGS``), in a
    throw-away project; shared by the end-to-end, browser and products tests. ``--publish``: it
    also prints the PDFs and builds the scenario comparison. Yields the project root."""
    import os

    from analysis import cli
    from analysis.data import loaders

    try:  # the run prints its PDFs only where Chromium is installed: install it first if we can
        from browser_support import ensure_chromium

        ensure_chromium()
    except (pytest.skip.Exception, Exception):  # noqa: BLE001 - the browser tests then skip or fail
        pass
    root = tmp_path_factory.mktemp("real") / "project"
    for sub in ("data/raw", "scenarios", "notebooks"):
        shutil.copytree(REPO / sub, root / sub)
    (root / "data" / "processed").mkdir(parents=True)
    (root / "reports").mkdir()
    saved = os.environ.get("QZ_FORECAST_ROOT")
    os.environ["QZ_FORECAST_ROOT"] = str(root)
    loaders.clear_cache()
    try:
        code = cli.main(REAL_RUN_ARGS)
        yield root, code
    finally:
        if saved is None:
            os.environ.pop("QZ_FORECAST_ROOT", None)
        else:
            os.environ["QZ_FORECAST_ROOT"] = saved
        loaders.clear_cache()


try:  # fixtures of the runner tests, when present
    from runner_fixtures import *  # noqa: F401,F403
except ImportError:
    pass


def plain_svg(text: str) -> str:
    """An SVG without what differs between any two prints of one figure (ids, hashes, the date)."""
    import re

    return re.sub(r'id="[^"]*"|#[0-9a-z]{10,}|<dc:date>.*?</dc:date>', "", text)

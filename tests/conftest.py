"""Shared fixtures. Runner fixtures live in runner_fixtures.py and are imported here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis import config

REPO = Path(__file__).resolve().parents[1]


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


try:  # fixtures of the runner tests, when present
    from runner_fixtures import *  # noqa: F401,F403
except ImportError:
    pass

"""Fixtures for the runner and ingest tests: a temp project with tiny stand-in notebooks and
fake models (a synthetic ProjectionResult and tidy service frames), so the tests do not depend
on the real models' speed or on their being finished.

The fakes are test doubles, not data: their numbers are simple formulas of a synthetic population.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from analysis import geography, tidy
from analysis.demography.result import N_AGES, ProjectionResult

STANDIN_NOTEBOOKS = {
    "01_population_projection": [
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([start_year, end_year], [1, 2])\n"
        "ax.set_title(unit)\nplt.show()",
        "print('人口预测 population', unit, base, draws, seed)",
    ],
    "02_elder_care_beds": [
        "if unit == fail_unit:\n    raise ValueError('stand-in failure for ' + unit)",
        "print('床位 beds', unit)",
    ],
    "90_city_overview": ["print('全市 city overview', unit)"],
    "99_scenario_explorer": ["raise RuntimeError('99_* must not run unless named')"],
}
STANDIN_PARAMETERS = (
    'unit = "quanzhou"\nscenario = "baseline"\nbase = "registered"\nstart_year = 2020\n'
    'end_year = 2035\ndraws = 200\nseed = 20201101\nfail_unit = ""\nsleep = 0.0'
)


def write_standin_notebooks(folder: Path, names=None) -> list[Path]:
    """Write tiny notebooks (parameters cell tagged for papermill + a few quick cells)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.ipynb"):
        old.unlink()
    paths = []
    for name, cells in STANDIN_NOTEBOOKS.items():
        if names is not None and name not in names:
            continue
        params = nbformat.v4.new_code_cell(STANDIN_PARAMETERS, metadata={"tags": ["parameters"]})
        sleeper = nbformat.v4.new_code_cell("import time\ntime.sleep(float(sleep))")
        nb = nbformat.v4.new_notebook(cells=[params, sleeper] + [nbformat.v4.new_code_cell(c) for c in cells])
        nb.metadata["kernelspec"] = {
            "name": "quanzhou-forecast",
            "display_name": "quanzhou-forecast",
            "language": "python",
        }
        path = folder / f"{name}.ipynb"
        nbformat.write(nb, str(path))
        paths.append(path)
    return paths


# --- fake models -------------------------------------------------------------------------------


def fake_project(scenario, base="resident", start_year=2020, end_year=2035, draws=1, seed=20201101):
    """A synthetic ProjectionResult: every unit a smooth age profile growing 1 % a year."""
    units = geography.county_ids()
    years = np.arange(start_year, end_year + 1)
    rng = np.random.default_rng(seed)
    ages = np.arange(N_AGES)
    profile = np.exp(-ages / 40.0) * 1000.0
    scale = (1.0 + 0.1 * np.arange(len(units)))[None, None, :, None, None]
    growth = (1.01 ** (years - start_year))[None, :, None, None, None]
    noise = 1.0 + 0.02 * rng.standard_normal((draws, 1, 1, 1, 1)) if draws > 1 else np.ones((1, 1, 1, 1, 1))
    factor = 1.0 if base == "resident" else 0.8
    pop = (
        profile[None, None, None, None, :]
        * scale
        * growth
        * noise
        * factor
        * np.ones((draws, len(years), len(units), 2, N_AGES))
    )
    return ProjectionResult(pop, years, units, base, getattr(scenario, "name", str(scenario)), seed=seed)


def _service_rows(result, spec):
    frames = []
    for uid in result.units_with_city():
        old = result.age_sum(uid, 60)
        total = result.age_sum(uid)
        for name, (fn, measure) in spec.items():
            frames.append(tidy.quantity_frame(uid, result.years, name, fn(old, total), measure))
    return tidy.concat(frames)


def fake_beds(result, scenario):
    return _service_rows(
        result,
        {
            "beds_required": (lambda o, t: 0.038 * o, "beds"),
            "nursing_beds_required": (lambda o, t: 0.012 * o, "beds"),
            "beds_need_view": (lambda o, t: 0.03 * o, "beds"),
            # a stock of exactly 10 nursing-type beds per 1,000 persons 60+, 60 % of
            # institutional beds: the plan odds are then known by hand
            "nursing_bed_stock": (lambda o, t: 0.010 * o, "beds"),
            "nursing_bed_share_target": (lambda o, t: 60.0 + 0.0 * o, "percent"),
        },
    )


def fake_workforce(result, scenario):
    return _service_rows(
        result,
        {
            "certified_social_workers_required": (lambda o, t: t / 1000.0, "persons"),
            "social_work_talent_required": (lambda o, t: 0.002 * t, "persons"),
        },
    )


def fake_dibao(scenario, start_year, end_year, draws=1, seed=0, **_):
    years = np.arange(start_year, end_year + 1)
    frames = []
    for uid in geography.county_ids() + [geography.CITY_ID]:
        wage = 2000.0 + 30.0 * (years - start_year)
        ratio = np.full(len(years), 44.5)
        frames += [
            tidy.quantity_frame(uid, years, "min_wage_monthly", wage, "yuan per month"),
            tidy.quantity_frame(uid, years, "dibao_monthly", wage * ratio / 100, "yuan per month"),
            tidy.quantity_frame(uid, years, "dibao_to_min_wage_ratio", ratio, "percent"),
        ]
    return tidy.concat(frames)


def fake_backtest_table(scenario):
    return pd.DataFrame(
        [
            {
                "geography": "quanzhou",
                "indicator": "pop_60plus",
                "year": 2020,
                "base": "resident",
                "method": "suite",
                "tests": "resident seed variant",
                "projected": 110.0,
                "observed": 100.0,
                "error_pct": 10.0,
            }
        ]
    )


FAKES = {
    ("analysis.pipeline", "backtest_table"): fake_backtest_table,
    ("analysis.demography", "project"): fake_project,
    ("analysis.services.beds", "bed_requirements"): fake_beds,
    ("analysis.services.workforce", "workforce_requirements"): fake_workforce,
    ("analysis.services.assistance", "dibao_path"): fake_dibao,
}


def install_fake_models(setattr_=setattr) -> None:
    """Make the models :func:`analysis.pipeline.run_models` calls the fakes (``setattr_`` may be
    monkeypatch.setattr)."""
    import importlib

    for (module, name), fake in FAKES.items():
        setattr_(importlib.import_module(module), name, fake)


@pytest.fixture
def fake_models(monkeypatch):
    install_fake_models(monkeypatch.setattr)
    return FAKES


@pytest.fixture
def runner_project(project_copy, fake_models, monkeypatch):
    """A temp project (QZ_FORECAST_ROOT) with stand-in notebooks and fake models installed; runs
    skip the scenario comparison and the PDFs (QZ_QUICK_PRODUCTS: tested on the real run)."""
    monkeypatch.setenv("QZ_QUICK_PRODUCTS", "1")
    write_standin_notebooks(project_copy / "notebooks")
    return project_copy


def read_manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def load_indicators(run_dir: Path) -> pd.DataFrame:
    return pd.read_csv(run_dir / "tables" / "indicators.csv")

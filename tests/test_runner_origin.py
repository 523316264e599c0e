"""``run --origin`` end to end on stand-in notebooks and fake models (issue 25, the runner side):
the default origin is the latest data year, 2020 is kept on request, every run writes
``tables/vintages.csv``, and a made-up end-2025 registered table ingested re-bases the next run.

The fake projections ignore the data; the origin record, the estimates and the scores use the
real bundled data (the estimates are cheap).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import cli
from analysis.data.base_tables import SEXES
from analysis.demography import estimates
from analysis.run.vintage_table import COLUMNS
from runner_fixtures import load_indicators, read_manifest


def run_cli(*args: str) -> int:
    return cli.main(
        [
            "run",
            "--quiet",
            "--publish",
            "--draws",
            "3",
            "--end-year",
            "2030",
            "--units",
            "quanzhou",
            "--notebooks",
            "01",
            *args,
        ]
    )


def test_the_default_run_starts_from_the_latest_estimate_and_says_so(runner_project):
    root = runner_project
    assert run_cli("--run-id", "d1") == 0
    run_dir = root / "reports" / "runs" / "d1"
    manifest = read_manifest(run_dir)
    origin = manifest["origin"]
    assert origin["year"] == manifest["parameters"]["origin"] == 2024
    assert origin["bases"]["registered"]["year"] == 2024 and origin["bases"]["resident"]["year"] == 2020
    assert origin["estimates"]["modelled_years"] == 2 and origin["estimates"]["carry_sd_pct"] > 0
    ind = load_indicators(run_dir)
    assert ind.loc[ind["base"] == "registered", "year"].min() == 2024  # jumps off from the estimate
    assert ind.loc[ind["base"] == "resident", "year"].min() == 2020  # the census base
    executed = json.loads((run_dir / "quanzhou" / "01_population_projection.ipynb").read_text(encoding="utf-8"))
    injected = "".join(
        next(c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", []))["source"]
    )
    assert "origin = 2024" in injected
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "户籍 registered 2024年末" in index and "常住 resident 2020年11月1日普查基期" in index

    vintages = pd.read_csv(run_dir / "tables" / "vintages.csv")
    assert list(vintages.columns) == COLUMNS
    assert set(vintages["origin"]) == {2020, 2021, 2022, 2023, 2024}
    scored = vintages[vintages["observed"].notna()]
    # never scored on an observation it used: every observation dated after the origin's year-end
    assert (pd.to_datetime(scored["reference_date"]) > pd.to_datetime(scored["origin"].astype(str) + "-12-31")).all()
    first = vintages[vintages["origin"] == 2020].iloc[0]
    assert first["observations_used"] == 0 and first["horizon"] == 1
    assert vintages.loc[vintages["origin"] == 2022, "observations_used"].iloc[0] == 9
    assert manifest["tables"]["vintages"]["rows"] == len(vintages)


def test_origin_2020_gives_the_2020_figures_and_the_index_says_the_origin_moved(runner_project):
    root = runner_project
    assert run_cli("--run-id", "d1") == 0
    assert run_cli("--origin", "2020", "--run-id", "o2020") == 0
    run_dir = root / "reports" / "runs" / "o2020"
    manifest = read_manifest(run_dir)
    assert manifest["origin"]["year"] == 2020 and manifest["origin"]["estimates"]["modelled_years"] == 0
    assert manifest["origin"]["since_previous"] == {"run_id": "d1", "origin": 2024, "new_data": []}
    ind = load_indicators(run_dir)
    assert set(ind.groupby("base")["year"].min()) == {2020}
    from analysis.run.tables import build_tables  # the 2020-origin path, called as before issue 25
    from analysis.scenarios import load_scenario

    old = build_tables(load_scenario("baseline"), 2020, 2030, 3, 20201101).indicators
    got = ind[ind["unit_id"] == "quanzhou"].reset_index(drop=True)
    want = old[old["unit_id"] == "quanzhou"].reset_index(drop=True)
    assert np.allclose(got["value"].to_numpy(float), want["value"].to_numpy(float), rtol=1e-9, equal_nan=True)
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "起点 origin 2024 → 2020" in index


def test_a_bad_origin_stops_before_a_run_folder_exists(runner_project, capsys):
    assert run_cli("--origin", "2019", "--run-id", "bad") == 2
    assert "--origin must be a year from 2020" in capsys.readouterr().err
    assert not (runner_project / "reports" / "runs" / "bad").exists()


def _fixture_table(path):
    """A MADE-UP end-2025 registered table (as a 2025 1 % survey on the registered definition
    might give): the estimate carried to end-2025 with 60+ × 1.03 (0–59 smaller by as many)."""
    est = estimates.registered_estimates(last_year=2025)
    pop = est.population[-1].copy()
    old, young = pop[:, :, 60:].sum(axis=(1, 2)), pop[:, :, :60].sum(axis=(1, 2))
    pop[:, :, 60:] *= 1.03
    pop[:, :, :60] *= ((young - 0.03 * old) / young)[:, None, None]
    U, _, A = pop.shape
    u, s, a = np.meshgrid(np.arange(U), np.arange(2), np.arange(A), indexing="ij")
    pd.DataFrame(
        {
            "unit": np.asarray(est.unit_ids)[u.ravel()],
            "sex": np.asarray(SEXES)[s.ravel()],
            "age": a.ravel(),
            "population": pop.ravel(),
        }
    ).to_csv(path, index=False)


def test_a_2025_table_ingested_rebases_the_next_run(runner_project, tmp_path, capsys):
    root = runner_project
    assert run_cli("--run-id", "before") == 0
    table = tmp_path / "survey2025_registered.csv"
    _fixture_table(table)
    assert cli.main(["ingest", str(table), "--kind", "population_registered_2025", "--vintage", "2026-12"]) == 0
    assert run_cli("--run-id", "after") == 0
    manifest = read_manifest(root / "reports" / "runs" / "after")
    origin = manifest["origin"]
    assert origin["year"] == origin["latest_possible"] == 2025  # the origin moved to the new base
    est = origin["estimates"]
    assert est["base_of_estimates"] == 2025 and est["modelled_years"] == 0
    assert "Re-based at end-2025" in est["rebase"]
    assert est["revision"]["pop_60plus"]["change_pct"] == pytest.approx(3.0, abs=1e-6)
    assert est["revision"]["pop_total"]["change"] == pytest.approx(0.0, abs=1e-3)
    moved = origin["since_previous"]
    assert moved["origin"] == 2024 and moved["new_data"] == [
        "data/processed/vintages/population_registered_2025/2026-12.csv"
    ]
    index = (root / "reports" / "runs" / "after" / "index.html").read_text(encoding="utf-8")
    assert "起点 origin 2024 → 2025" in index and "Re-based at end-2025" in index
    vintages = pd.read_csv(root / "reports" / "runs" / "after" / "tables" / "vintages.csv")
    assert 2025 in set(vintages["origin"])


def test_a_partial_rebasing_table_is_refused_naming_the_file(runner_project, tmp_path, capsys):
    table = tmp_path / "part.csv"
    pd.DataFrame(
        {
            "unit": ["licheng"] * 202,
            "sex": ["male"] * 101 + ["female"] * 101,
            "age": list(range(101)) * 2,
            "population": [1000.0] * 202,
        }
    ).to_csv(table, index=False)
    assert cli.main(["ingest", str(table), "--kind", "population_registered_2025", "--vintage", "2026-x1"]) == 2
    err = capsys.readouterr().err
    assert "part.csv" in err and "all 13 units" in err

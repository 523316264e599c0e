"""``python -m analysis ingest``: validated, atomic new vintages; broken files change nothing."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from analysis import cli
from analysis.data import loaders
from analysis.intake import ingest
from analysis.data.vintages import current_path, current_vintage
from analysis.errors import AnalysisError, DataValidationError


def snapshot(folder):
    return sorted((p.relative_to(folder).as_posix(), p.read_bytes()) for p in folder.rglob("*") if p.is_file())


def broken_min_wage(tmp_path):
    lines = (loaders.TABLES["min_wage"].path()).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("value")] = "nine hundred"
    lines[2] = ",".join(cells)
    bad = tmp_path / "min_wage_bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bad


def test_ingest_stores_a_new_vintage_that_runs_then_use(project_copy, capsys):
    source = project_copy / "data" / "raw" / "min_wage_fujian.csv"
    assert cli.main(["ingest", str(source), "--kind", "min_wage", "--vintage", "2025"]) == 0
    stored = project_copy / "data" / "processed" / "vintages" / "min_wage" / "2025.csv"
    assert stored.read_bytes() == source.read_bytes()
    spec = loaders.TABLES["min_wage"]
    assert current_vintage(spec) == "2025" and current_path(spec) == stored
    assert len(loaders.load_min_wage()) == len(pd.read_csv(source))
    assert "stored min_wage vintage 2025" in capsys.readouterr().out
    assert not [p for p in stored.parent.iterdir() if p.name.startswith(".")]  # no temp file left


def test_broken_file_fails_naming_file_row_column_and_changes_nothing(project_copy, tmp_path, capsys):
    reports = project_copy / "reports"
    (reports / "runs" / "old").mkdir(parents=True)
    os.symlink("runs/old", reports / "latest")
    processed_before = snapshot(project_copy / "data" / "processed")
    bad = broken_min_wage(tmp_path)
    with pytest.raises(DataValidationError) as info:
        ingest.ingest(bad, "min_wage", "2025")
    assert info.value.file == bad and info.value.row == 3 and info.value.column == "value"
    assert cli.main(["ingest", str(bad), "--kind", "min_wage", "--vintage", "2025"]) == 2
    err = capsys.readouterr().err
    assert "min_wage_bad.csv" in err and "line 3" in err and "'value'" in err and "nine hundred" in err
    assert snapshot(project_copy / "data" / "processed") == processed_before
    assert os.readlink(reports / "latest") == "runs/old"


def test_existing_vintage_and_bad_names_are_refused(project_copy):
    source = project_copy / "data" / "raw" / "min_wage_fujian.csv"
    ingest.ingest(source, "min_wage", "2025")
    with pytest.raises(AnalysisError, match="already exists"):
        ingest.ingest(source, "min_wage", "2025")
    ingest.ingest(source, "min_wage", "2025", replace=True)
    with pytest.raises(AnalysisError, match="must be a year"):
        ingest.ingest(source, "min_wage", "../2025")
    with pytest.raises(AnalysisError, match="unknown raw table"):
        ingest.ingest(source, "no_such_table", "2025")


def test_the_run_manifest_names_the_ingested_vintage(runner_project):
    source = runner_project / "data" / "raw" / "min_wage_fujian.csv"
    ingest.ingest(source, "min_wage", "2025")
    assert (
        cli.main(
            [
                "run",
                "--quiet",
                "--publish",
                "--units",
                "licheng",
                "--notebooks",
                "01",
                "--draws",
                "1",
                "--end-year",
                "2022",
                "--run-id",
                "v",
            ]
        )
        == 0
    )
    from runner_fixtures import read_manifest

    manifest = read_manifest(runner_project / "reports" / "runs" / "v")
    assert manifest["vintages"]["min_wage"] == "2025" and manifest["vintages"]["census2020"] == "raw"
    assert "data/processed/vintages/min_wage/2025.csv" in manifest["inputs"]
    assert manifest["jobs"][0]["status"] == "ok"


def grouped_population(path, bad_row=None):
    """The estimated resident 2020 base in 5-year groups (so it agrees with the census); returns
    the persons of the first group of 鲤城区's men and the total."""
    from analysis.demography.base import estimate_resident_2020

    single = estimate_resident_2020().frame()
    single["age_group"] = [f"{a // 5 * 5}-{a // 5 * 5 + 4}" if a < 100 else "100+" for a in single["age"]]
    frame = single.groupby(["unit_id", "sex", "age_group"], sort=False, as_index=False)["population"].sum()
    frame = frame.rename(columns={"unit_id": "unit"})
    if bad_row is not None:
        frame["population"] = frame["population"].astype(object)
        frame.loc[bad_row, "population"] = "-5"
    frame.to_csv(path, index=False)
    return frame["population"].iloc[0], single["population"].sum()


def test_population_in_age_groups_is_stored_in_single_years_keeping_totals(project_copy, tmp_path):
    source = tmp_path / "pop.csv"
    first, total = grouped_population(source)
    stored = ingest.ingest(source, "population_resident_2020", "2020")
    single = pd.read_csv(stored)
    assert list(single.columns)[:4] == ["unit", "sex", "age", "population"] and set(single["age"]) == set(range(101))
    assert (single["population"] >= 0).all() and not single["estimated"].any()
    assert single["population"].sum() == pytest.approx(total)
    one = single[(single["unit"] == "licheng") & (single["sex"] == "male")]
    assert one.loc[one["age"] < 5, "population"].sum() == pytest.approx(first)


def test_an_ingested_population_table_replaces_the_estimate(project_copy, tmp_path):
    from analysis.demography.base import load_base_population

    source = tmp_path / "pop.csv"
    first, total = grouped_population(source)
    assert load_base_population("resident", 2020).estimated
    ingest.ingest(source, "population_resident_2020", "2026")
    real = load_base_population("resident", 2020)
    assert not real.estimated
    assert real.population[0, 0, :5].sum() == pytest.approx(first)
    assert real.population.sum() == pytest.approx(total)


def test_broken_population_table_names_row_and_column(project_copy, tmp_path, capsys):
    source = tmp_path / "pop.csv"
    grouped_population(source, bad_row=10)
    before = snapshot(project_copy / "data" / "processed")
    assert cli.main(["ingest", str(source), "--kind", "population_resident_2020", "--vintage", "2020"]) == 2
    err = capsys.readouterr().err
    assert "pop.csv" in err and "line 12" in err and "'population'" in err
    assert snapshot(project_copy / "data" / "processed") == before

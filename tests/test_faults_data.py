"""Fault injection, data: bad tables are refused on the one path validate / ingest / run share.

Every bad file is made in the test (in a throw-away project); a refused file changes nothing.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from analysis import cli
from analysis.data import loaders, reader
from analysis.intake import ingest
from analysis.data.vintages import available_vintages, version_key, vintage_dir


def snapshot(folder):
    return sorted((p.relative_to(folder).as_posix(), p.read_bytes()) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def estimate():
    from analysis.demography.base import estimate_resident_2020

    return estimate_resident_2020().frame().rename(columns={"unit_id": "unit"})


def write(frame, path):
    frame.to_csv(path, index=False)
    return path


def no_one_over_50(f):
    young = f["population"].where(f["age"] <= 50, 0.0)
    return f.assign(population=young * f["population"].sum() / young.sum())  # same total, no old


def drop_women(f):
    return f[~((f["unit"] == "nanan") & (f["sex"] == "female"))]


def set_first(column, value):
    def change(f):
        f = f.copy()
        f[column] = f[column].astype(object)
        f.loc[f.index[3], column] = value
        return f

    return change


BAD_BASE_TABLES = {
    # refused by the per-unit structure gate (issue 27) before the comparison with the census
    "no one over 50": (no_one_over_50, "whole file, column 'age': expected a share aged 60+ of licheng within"),
    "doubled totals": (lambda f: f.assign(population=f["population"] * 2), "泉州市 total"),
    "1e30 persons": (set_first("population", 1e30), "a number of persons 0…500,000"),
    "inf persons": (set_first("population", "inf"), "a number of persons"),
    "a unit with no women": (drop_women, "both sexes of nanan"),
    "a duplicated row": (lambda f: pd.concat([f, f.iloc[[7]]]), "a second row for licheng, male, 7"),
    "age 150": (set_first("age", 150), "a whole number of years 0…100"),
    "age 3.7": (set_first("age", 3.7), "a whole number of years 0…100"),
    "a missing age": (lambda f: f.drop(index=f.index[5]), "missing ages [5]"),
    "an unknown unit": (set_first("unit", "厦门市"), "one of the 13 reporting units"),
    "header only": (lambda f: f.iloc[:0], "a header only"),
}


@pytest.mark.parametrize("case", list(BAD_BASE_TABLES))
def test_bad_base_population_tables_are_refused(project_copy, tmp_path, estimate, capsys, case):
    change, fragment = BAD_BASE_TABLES[case]
    path = write(change(estimate), tmp_path / "base.csv")
    before = snapshot(project_copy / "data" / "processed")
    assert cli.main(["ingest", str(path), "--kind", "population_resident_2020", "--vintage", "2025"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "base.csv" in err and "Traceback" not in err
    assert snapshot(project_copy / "data" / "processed") == before


def test_a_small_difference_from_the_census_is_stored_with_a_warning(project_copy, tmp_path, estimate, capsys):
    path = write(estimate.assign(population=estimate["population"] * 1.03), tmp_path / "base.csv")
    assert cli.main(["ingest", str(path), "--kind", "population_resident_2020", "--vintage", "2025"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "泉州市 total" in err and "+3.0%" in err


def test_a_base_table_for_some_counties_is_merged_and_says_so(project_copy, tmp_path, estimate, capsys):
    part = estimate[estimate["unit"] == "jinjiang"]
    path = write(part, tmp_path / "jinjiang.csv")
    assert cli.main(["ingest", str(path), "--kind", "population_resident_2020", "--vintage", "2025"]) == 0
    out = capsys.readouterr().out
    assert "merged" in out and "licheng" in out
    stored = pd.read_csv(vintage_dir("population_resident_2020") / "2025.csv")
    assert len(stored) == 13 * 2 * 101
    assert set(stored.loc[~stored["estimated"], "unit"]) == {"jinjiang"}
    assert cli.main(["validate"]) == 0  # ... and every run says which units are still the estimate
    assert "licheng" in capsys.readouterr().out.split("the base population of")[1].split("is the estimate")[0]


def test_a_facts_table_for_some_counties_is_merged(project_copy, tmp_path, capsys):
    raw = pd.read_csv(project_copy / "data" / "raw" / "resident_pop_county_2021.csv", dtype=str, keep_default_na=False)
    part = raw[raw["geography"] == "晋江市"].copy()
    part.loc[part["indicator"] == "resident_population_yearend", "value"] = "207"
    path = write(part, tmp_path / "jinjiang_2021.csv")
    assert cli.main(["ingest", str(path), "--kind", "resident2021", "--vintage", "2025"]) == 0
    assert "merged" in capsys.readouterr().out
    merged = loaders.load("resident2021")
    assert len(merged) == len(raw)
    assert loaders.fact(merged, "晋江市", "resident_population_yearend", 2021) == 207


def _facts_with(project_copy, tmp_path, value):
    raw = (project_copy / "data" / "raw" / "census2020_county.csv").read_text(encoding="utf-8").splitlines()
    cells = raw[1].split(",")
    cells[3] = value
    path = tmp_path / "census.csv"
    path.write_text("\n".join([raw[0], ",".join(cells)] + raw[2:]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "value, fragment", [("inf", "a finite number"), ("1e30", "a plausible value"), ("-inf", "found '-inf'")]
)
def test_infinite_or_absurd_facts_are_refused(project_copy, tmp_path, capsys, value, fragment):
    path = _facts_with(project_copy, tmp_path, value)
    assert cli.main(["ingest", str(path), "--kind", "census2020", "--vintage", "2025"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "line 2" in err and "'value'" in err
    assert available_vintages("census2020") == []


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("", "an empty file"),
        ("geography,year,indicator,value,unit,source\n", "a header only"),
        (None, "a directory"),
        ("big", "bytes"),
    ],
)
def test_empty_header_only_directory_and_huge_files_are_refused(project_copy, tmp_path, capsys, content, fragment):
    path = tmp_path / "census.csv"
    if content is None:
        path.mkdir()
    elif content == "big":
        with open(path, "wb") as handle:
            handle.truncate(reader.MAX_CSV_BYTES + 1)  # sparse: no disk used
    else:
        path.write_text(content, encoding="utf-8")
    assert cli.main(["ingest", str(path), "--kind", "census2020", "--vintage", "2025"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_validate_reports_every_table_even_after_a_directory(project_copy, capsys):
    beds = project_copy / "data" / "raw" / "beds_quanzhou.csv"
    beds.unlink()
    beds.mkdir()
    (project_copy / "data" / "raw" / "social_workers.csv").write_text("", encoding="utf-8")
    assert cli.main(["validate"]) == 2
    out = capsys.readouterr().out
    assert "FAIL  beds" in out and "a directory" in out and "FAIL  social_workers" in out
    assert "ok    plan_targets" in out  # later tables are still checked


def test_validate_checks_ingested_base_tables(project_copy, tmp_path, estimate, capsys):
    folder = vintage_dir("population_resident_2020")
    folder.mkdir(parents=True)
    write(estimate.assign(population=estimate["population"] * 2), folder / "2025.csv")  # bypassing ingest
    assert cli.main(["validate"]) == 2
    assert "FAIL  population_resident_2020" in capsys.readouterr().out


def test_a_run_refuses_a_failing_vintage_and_rollback_fixes_it(runner_project, capsys):
    folder = vintage_dir("census2020")
    folder.mkdir(parents=True)
    good = runner_project / "data" / "raw" / "census2020_county.csv"
    lines = good.read_text(encoding="utf-8").splitlines()
    (folder / "2025.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines[1] = lines[1].replace("8782285", "inf")
    (folder / "2025-rev2.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")  # tampered, newest
    args = [
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
    ]
    assert cli.main(args + ["--run-id", "x"]) == 2
    err = capsys.readouterr().err
    assert "2025-rev2.csv" in err and "ingest --rollback census2020" in err
    assert not (runner_project / "reports" / "runs").exists() or not list(
        (runner_project / "reports" / "runs").iterdir()
    )
    assert cli.main(["ingest", "--rollback", "census2020"]) == 0
    assert "runs now read 2025" in capsys.readouterr().out
    assert cli.main(args + ["--run-id", "y"]) == 0


def test_vintages_are_ordered_by_version_and_names_are_ascii(project_copy):
    assert sorted(["2025-rev10", "2025-rev9", "2025", "2030", "2024-b"], key=version_key) == [
        "2024-b",
        "2025",
        "2025-rev9",
        "2025-rev10",
        "2030",
    ]
    source = project_copy / "data" / "raw" / "min_wage_fujian.csv"
    for name in ("２０２５", "2025/../x", "2025-rev 1", "99999"):
        with pytest.raises(Exception, match="must be a year"):
            ingest.ingest(source, "min_wage", name)
    ingest.ingest(source, "min_wage", "2025-rev9")
    ingest.ingest(source, "min_wage", "2025-rev10")
    (vintage_dir("min_wage") / "２０３０.csv").write_bytes(source.read_bytes())  # planted: ignored
    assert available_vintages("min_wage") == ["2025-rev9", "2025-rev10"]
    assert loaders.TABLES["min_wage"].path().name == "2025-rev10.csv"


def test_list_and_template(project_copy, capsys):
    source = project_copy / "data" / "raw" / "min_wage_fujian.csv"
    ingest.ingest(source, "min_wage", "2025")
    assert cli.main(["ingest", "--list"]) == 0
    out = capsys.readouterr().out
    assert "min_wage" in out and "2025*" in out and "census2020" in out
    assert cli.main(["ingest", "--template", "census2020"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert (
        header == (project_copy / "data" / "raw" / "census2020_county.csv").read_text(encoding="utf-8").splitlines()[0]
    )
    assert cli.main(["ingest", "--template", "population_resident_2020"]) == 0
    assert capsys.readouterr().out.startswith("unit,sex,age,population\n")
    assert cli.main(["ingest", "--rollback", "census2020"]) == 2  # nothing to roll back


def test_ingest_takes_the_run_lock(project_copy, capsys):
    import json
    import socket

    lock = project_copy / "reports" / ".lock"
    lock.write_text(
        json.dumps({"pid": os.getppid(), "host": socket.gethostname(), "started": "now", "command": "a run"}),
        encoding="utf-8",
    )
    source = project_copy / "data" / "raw" / "min_wage_fujian.csv"
    assert cli.main(["ingest", str(source), "--kind", "min_wage", "--vintage", "2025"]) == 2
    assert "another run is writing" in capsys.readouterr().err
    assert available_vintages("min_wage") == []

"""Issue 27, item 2: two units' labels swapped, and tables that would make a model fail later, are
refused at ingest with exit 2 naming the file (and line and column where the table has them).

The trials, each accepted by the code before: 晋江市's registered totals written as 德化县's
(``registered_county``, 德化 new to the table); two units swapped in a base population whose
bands both still pass; a census table whose share aged 65+ exceeds the share aged 60+ (every later
run failed in the base fit with "IPF: negative margin total"); any table that passes every gate
but still breaks the base-population build.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.data import gates
from analysis.intake import ingest
from analysis.data.vintages import available_vintages, vintage_dir
from analysis.errors import AnalysisError, DataValidationError


def raw(project, name):
    return pd.read_csv(project / "data" / "raw" / name, dtype=str, keep_default_na=False)


def swap(frame, a, b):
    return frame.assign(geography=frame["geography"].map(lambda g: {a: b, b: a}.get(g, g)))


def test_registered_totals_under_another_units_label_are_refused(project_copy, tmp_path, capsys):
    path = tmp_path / "registered.csv"
    swap(raw(project_copy, "registered_by_county.csv"), "晋江市", "德化县").to_csv(path, index=False)
    assert cli.main(["ingest", str(path), "--kind", "registered_county", "--vintage", "2026"]) == 2
    err = capsys.readouterr().err
    # 晋江's 1,176,300 registered against 德化's 337,000 residents (2021 year-end): 3.49 ×
    assert "registered population of 德化县 within 0.3…2.5" in err and "3.49 ×" in err
    assert "registered.csv: line 2, column 'value'" in err
    assert available_vintages("registered_county") == []


@pytest.fixture(scope="module")
def bases():
    from analysis.demography.base import load_base_population

    return {b: load_base_population(b, 2020) for b in ("resident", "registered")}


@pytest.mark.parametrize("base", ["resident", "registered"])
@pytest.mark.parametrize("a, b", [("jinjiang", "dehua"), ("licheng", "anxi")])
def test_two_units_swapped_in_a_base_population_are_refused(bases, base, a, b):
    bp = bases[base]
    pop = bp.population.copy()
    i, j = bp.unit_ids.index(a), bp.unit_ids.index(b)
    pop[[i, j]] = pop[[j, i]]
    with pytest.raises(DataValidationError, match="labels swapped|晋江市 total"):  # the census check first
        gates.cross_check(pop, bp.unit_ids, base, 2020, Path("base.csv"))
    gates.cross_check(bp.population, bp.unit_ids, base, 2020, Path("base.csv"))  # the bundled estimate passes


def test_a_registered_base_with_two_units_swapped_is_refused_at_ingest(project_copy, bases, tmp_path, capsys):
    frame = bases["registered"].frame().rename(columns={"unit_id": "unit"})
    frame["unit"] = frame["unit"].map({"jinjiang": "dehua", "dehua": "jinjiang"}).fillna(frame["unit"])
    path = tmp_path / "registered_base.csv"
    frame[["unit", "sex", "age", "population"]].to_csv(path, index=False)
    assert cli.main(["ingest", str(path), "--kind", "population_registered_2020", "--vintage", "2026"]) == 2
    assert "registered total of jinjiang (晋江市) within 0.3…2.5" in capsys.readouterr().err


@pytest.mark.parametrize(
    "geo, edits",
    [
        ("泉州市", {"share_age_65plus": "20"}),
        ("晋江市", {"share_age_60plus": "0.5", "share_age_15_59": "81.17"}),
    ],
)
def test_a_share_aged_65_above_the_share_aged_60_is_refused_at_ingest(project_copy, tmp_path, capsys, geo, edits):
    frame = raw(project_copy, "census2020_county.csv")
    for indicator, value in edits.items():
        frame.loc[(frame["geography"] == geo) & (frame["indicator"] == indicator), "value"] = value
    path = tmp_path / "census.csv"
    frame.to_csv(path, index=False)
    assert cli.main(["ingest", str(path), "--kind", "census2020", "--vintage", "2026"]) == 2
    err = capsys.readouterr().err
    assert f"share_age_65plus of {geo} 2020 at most its share_age_60plus" in err and "census.csv: line " in err
    assert available_vintages("census2020") == []


def test_a_table_that_breaks_the_base_population_build_is_refused_and_nothing_stored(
    project_copy, tmp_path, capsys, monkeypatch
):
    from analysis.demography import base as base_module

    path = tmp_path / "census.csv"
    raw(project_copy, "census2020_county.csv").to_csv(path, index=False)
    assert cli.main(["ingest", str(path), "--kind", "census2020", "--vintage", "2026"]) == 0
    stored = (vintage_dir("census2020") / "2026.csv").read_text(encoding="utf-8")
    capsys.readouterr()

    def broken(base, year):
        raise AnalysisError("IPF: negative margin total")

    monkeypatch.setattr(base_module, "load_base_population", broken)
    path.write_text(path.read_text(encoding="utf-8").replace("8782285", "8782286"), encoding="utf-8")
    for args in (["--vintage", "2027"], ["--vintage", "2026", "--replace"]):
        assert cli.main(["ingest", str(path), "--kind", "census2020", *args]) == 2
        err = capsys.readouterr().err
        assert "IPF: negative margin total" in err and "nothing was stored" in err and "census.csv" in err
    assert available_vintages("census2020") == ["2026"]
    assert (vintage_dir("census2020") / "2026.csv").read_text(encoding="utf-8") == stored
    assert not (vintage_dir("census2020") / "2027.json").exists()
    ingest.model_trial("beds", "2026", path)  # a table the base does not read: not tried


def _reverse_ages(frame):
    frame = frame.copy()
    rows = frame.index[
        (frame["indicator"] == "mx_central_death_rate")
        & (frame["sex"] == "female")
        & (frame["period"] == frame["period"].iloc[0])
    ]
    frame.loc[rows, "value"] = frame.loc[rows[::-1], "value"].to_numpy()
    return frame


@pytest.mark.parametrize(
    "change, fragment",
    [
        (
            lambda f: f.assign(value=f["value"].where(f["indicator"] != "e0_life_expectancy_at_birth", "119")),
            "e0_life_expectancy_at_birth within 20…100",
        ),
        (
            lambda f: f.assign(value=f["value"].where(f["indicator"] != "mx_central_death_rate", "0")),
            "mx_central_death_rate within 1e-05…2",
        ),
        (_reverse_ages, "death rates rise with age"),
    ],
)
def test_an_absurd_life_table_is_refused_at_ingest(project_copy, tmp_path, capsys, change, fragment):
    path = tmp_path / "life.csv"
    change(raw(project_copy, "life_table.csv")).to_csv(path, index=False)
    assert cli.main(["ingest", str(path), "--kind", "life_table", "--vintage", "2026"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "life.csv: line " in err and "'value'" in err, err
    assert available_vintages("life_table") == []

"""Issue 27: plausibility across rows and tables, at ingest and before every run.

The trials that published as complete: 晋江's 2021 year-end population typed 1999 (万) instead of
206.9; all 2021 totals ×1.5; age shares adding to 139 %; every birth rate 0; a unit written
``Persons`` (its bound was looked up by the literal string); a registered base with everyone aged
0–14; an all-male base; 开发区's ages reversed. Each is refused with exit 2 naming file, line and
column; the bundled tables and base estimates still pass (docs/plausibility.md).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.data import loaders, plausibility
from analysis.data.vintages import available_vintages
from analysis.errors import DataValidationError


def raw(project, name):
    return pd.read_csv(project / "data" / "raw" / name, dtype=str, keep_default_na=False)


def set_value(frame, geo, indicator, value):
    frame = frame.copy()
    frame.loc[(frame["geography"] == geo) & (frame["indicator"] == indicator), "value"] = value
    return frame


def times(frame, indicator, factor):
    frame = frame.copy()
    rows = frame["indicator"] == indicator
    frame.loc[rows, "value"] = (frame.loc[rows, "value"].astype(float) * factor).round(1).astype(str)
    return frame


FACTS_TRIALS = {
    "晋江 2021 typed 1999 万": (
        "resident_pop_county_2021.csv",
        "resident2021",
        lambda f: set_value(f, "晋江市", "resident_population_yearend", "1999"),
        "city's",
    ),
    "all 2021 totals x1.5": (
        "resident_pop_county_2021.csv",
        "resident2021",
        lambda f: times(f, "resident_population_yearend", 1.5),
        "census total",
    ),
    "every birth rate 0": (
        "resident_pop_county_2021.csv",
        "resident2021",
        lambda f: f.assign(value=f["value"].where(f["indicator"] != "crude_birth_rate", "0")),
        "demographic range",
    ),
    "age shares add to 139": (
        "census2020_county.csv",
        "census2020",
        lambda f: set_value(f, "泉州市", "share_age_15_59", "90"),
        "adding to",
    ),
    "a share above 100": (
        "census2020_county.csv",
        "census2020",
        lambda f: set_value(f, "晋江市", "share_age_60plus", "110").assign(
            unit=lambda g: g["unit"].replace("percent", "Percent")
        ),
        "0…100",
    ),
    "Persons disables the bound": (
        "census2020_county.csv",
        "census2020",
        lambda f: f.assign(unit=f["unit"].replace("persons", "Persons")).pipe(
            set_value, "晋江市", "resident_population", "1e9"
        ),
        "at most",
    ),
    "men + women not the total": (
        "census2020_county.csv",
        "census2020",
        lambda f: set_value(f, "晋江市", "resident_population_male", "2100438"),
        "its men + women",
    ),
}


@pytest.mark.parametrize("case", list(FACTS_TRIALS))
def test_implausible_facts_tables_are_refused_at_ingest(project_copy, tmp_path, capsys, case):
    filename, kind, change, fragment = FACTS_TRIALS[case]
    path = tmp_path / filename
    change(raw(project_copy, filename)).to_csv(path, index=False)
    assert cli.main(["ingest", str(path), "--kind", kind, "--vintage", "2026"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and filename in err and "line " in err and "'value'" in err, err
    assert available_vintages(kind) == []


def test_a_bad_table_placed_in_data_raw_stops_the_run_before_it_starts(project_copy, capsys):
    path = project_copy / "data" / "raw" / "resident_pop_county_2021.csv"
    set_value(raw(project_copy, path.name), "晋江市", "resident_population_yearend", "1999").to_csv(path, index=False)
    loaders.clear_cache()
    assert cli.main(["validate"]) == 2
    assert "resident2021" in capsys.readouterr().out


def test_the_bundled_tables_pass(project_copy):
    frames = {name: (loaders.load(name), Path(name)) for name in loaders.TABLES}
    plausibility.check_across_tables(frames)


@pytest.fixture(scope="module")
def bases():
    from analysis.demography.base import load_base_population
    from analysis.geography import county_ids

    return {
        (b, y): load_base_population(b, y).population
        for b, y in (("resident", 2020), ("registered", 2020), ("resident", 2010))
    }, county_ids()


def test_the_bundled_base_estimates_pass(bases):
    pops, ids = bases
    for pop in pops.values():
        plausibility.check_structure(pop, ids, Path("base.csv"))


def _everyone_young(pop, k):
    pop = pop.copy()
    pop[k, :, :15] += pop[k, :, 15:].sum(axis=1)[:, None] / 15
    pop[k, :, 15:] = 0
    return pop


def _all_male(pop, k):
    pop = pop.copy()
    pop[k, 0] += pop[k, 1]
    pop[k, 1] = 0
    return pop


def _reversed(pop, k):
    pop = pop.copy()
    pop[k] = pop[k][:, ::-1]
    return pop


@pytest.mark.parametrize(
    "change, fragment", [(_everyone_young, "aged 0–14"), (_all_male, "men per woman"), (_reversed, "aged 0–14")]
)
def test_impossible_base_structures_are_refused(bases, change, fragment):
    pops, ids = bases
    k = ids.index("kaifaqu")
    with pytest.raises(DataValidationError, match=fragment):
        plausibility.check_structure(change(pops[("registered", 2020)], k), ids, Path("base.csv"))


def test_a_growing_old_age_tail_is_refused(bases):
    pops, ids = bases
    pop = pops[("resident", 2020)].copy()
    pop[ids.index("jinjiang"), 1, 90:95] *= 4
    with pytest.raises(DataValidationError, match="old-age tail of jinjiang female"):
        plausibility.check_structure(pop, ids, Path("base.csv"))


def test_an_all_young_registered_base_is_refused_at_ingest(project_copy, tmp_path, capsys):
    from analysis.demography.base import load_base_population

    frame = load_base_population("registered", 2020).frame().rename(columns={"unit_id": "unit"})
    frame = frame[frame["unit"] == "anxi"].copy()
    frame.loc[frame["age"] >= 15, "population"] = 0.0
    path = tmp_path / "registered.csv"
    frame[["unit", "sex", "age", "population"]].to_csv(path, index=False)
    assert cli.main(["ingest", str(path), "--kind", "population_registered_2020", "--vintage", "2026"]) == 2
    assert "share aged 0–14 of anxi" in capsys.readouterr().err

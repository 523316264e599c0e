"""Broken raw files give one clear error naming file, line, column, expected and found; exit 2."""

from __future__ import annotations

import pytest

from analysis import cli
from analysis.data import loaders
from analysis.errors import DataValidationError


def rewrite(path, edit):
    text = path.read_text(encoding="utf-8")
    path.write_text(edit(text), encoding="utf-8")


def line_of(path, needle):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def snapshot(root):
    return {
        p.relative_to(root): p.read_bytes()
        for base in ("data/processed", "reports")
        for p in (root / base).rglob("*")
        if p.is_file()
    }


def test_bundled_data_is_valid(capsys):
    assert cli.main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.count("\nok") + out.startswith("ok") == len(loaders.TABLES)


def test_missing_column(project_copy):
    path = project_copy / "data/raw/census2020_county.csv"
    rewrite(
        path,
        lambda t: t.replace(
            "geography,year,indicator,value,unit,source", "geography,year,indicator,val,unit,source", 1
        ),
    )
    with pytest.raises(DataValidationError) as err:
        loaders.load("census2020")
    e = err.value
    assert e.file == path and e.row == 1 and e.column == "value"
    assert "census2020_county.csv" in str(e) and "header" not in str(e).split(":")[0]


def test_text_in_a_number_column(project_copy):
    path = project_copy / "data/raw/census2010_county.csv"
    rewrite(
        path, lambda t: t.replace("鲤城区,2010,resident_population,368059", "鲤城区,2010,resident_population,三十六万")
    )
    with pytest.raises(DataValidationError) as err:
        loaders.load("census2010")
    e = err.value
    assert e.row == line_of(path, "三十六万")
    assert e.column == "value" and e.expected == "a number" and "三十六万" in e.found


def test_negative_count(project_copy):
    path = project_copy / "data/raw/social_workers.csv"
    rewrite(path, lambda t: t.replace("certified_social_workers,1021,", "certified_social_workers,-1021,"))
    with pytest.raises(DataValidationError) as err:
        loaders.load("social_workers")
    e = err.value
    assert e.row == line_of(path, "-1021") and e.column == "value"
    assert ">= 0" in e.expected and "-1021" in e.found


def test_share_above_100(project_copy):
    path = project_copy / "data/raw/census2020_county.csv"
    rewrite(path, lambda t: t.replace("share_age_60plus,13.21,", "share_age_60plus,132.1,"))
    with pytest.raises(DataValidationError) as err:
        loaders.load("census2020")
    assert err.value.row == line_of(path, "132.1") and "between 0 and 100" in err.value.expected


def test_duplicate_key(project_copy):
    path = project_copy / "data/raw/beds_quanzhou.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[1]]), encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        loaders.load("beds")
    e = err.value
    assert e.row == len(lines) + 1
    assert "geography" in e.column and "unique" in e.expected and "30023" not in e.expected


def test_unknown_unit(project_copy):
    path = project_copy / "data/raw/resident_pop_county_2021.csv"
    rewrite(path, lambda t: t.replace("德化县,2021,crude_birth_rate", "德华县,2021,crude_birth_rate"))
    with pytest.raises(DataValidationError) as err:
        loaders.load("resident2021")
    e = err.value
    assert e.row == line_of(path, "德华县") and e.column == "geography" and "德华县" in e.found
    assert "晋江市" in e.expected


def test_gbk_encoded_file(project_copy):
    path = project_copy / "data/raw/dibao_quanzhou.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    with pytest.raises(DataValidationError) as err:
        loaders.load("dibao")
    e = err.value
    assert e.row == 2 and e.expected == "UTF-8 encoded text" and "GBK" in e.found


def test_cli_exits_2_and_touches_nothing(project_copy, capsys):
    (project_copy / "reports" / "keep.txt").write_text("last good report")
    (project_copy / "data" / "processed" / "keep.txt").write_text("derived")
    before = snapshot(project_copy)
    rewrite(
        project_copy / "data/raw/census2010_county.csv",
        lambda t: t.replace("泉港区,2010,resident_population,313539", "泉港区,2010,resident_population,abc"),
    )
    assert cli.main(["validate"]) == 2
    out = capsys.readouterr().out
    assert "FAIL  census2010" in out and "census2010_county.csv: line" in out and "column 'value'" in out
    assert snapshot(project_copy) == before


def test_missing_figure_is_an_error_not_zero():
    from analysis.errors import AnalysisError

    frame = loaders.load_census2020()
    assert loaders.fact(frame, "泉州市", "resident_population", 2020) == 8782285
    with pytest.raises(AnalysisError, match="missing figure"):
        loaders.fact(frame, "德化县", "resident_population", 2020)

"""Issue 27: an ingest merges with the table in use and keeps every row it does not touch.

A one-row table for a county new to ``registered_county`` used to *replace* the table (the
merge only ran when the file's units were a subset of the table's), dropping 晋江, 南安 and 安溪
without a word. Each test here fails on that code.
"""

from __future__ import annotations

import json

import pandas as pd

from analysis import cli
from analysis.data import loaders
from analysis.intake import checks, ingest
from analysis.data.vintages import vintage_dir

HEADER = "geography,year,indicator,value,unit,source,quote_or_note\n"
DEHUA = "德化县,2020,registered_population,33.1,10k persons,https://example.gov.cn/dehua,test row\n"


def counts(frame):
    return frame.groupby("geography").size().to_dict()


def test_a_one_county_table_for_a_county_new_to_the_table_keeps_every_other_county(project_copy, tmp_path, capsys):
    before = counts(loaders.load("registered_county"))
    assert "德化县" not in before
    path = tmp_path / "dehua.csv"
    path.write_text(HEADER + DEHUA, encoding="utf-8")
    assert cli.main(["ingest", str(path), "--kind", "registered_county", "--vintage", "2026"]) == 0
    after = counts(loaders.load("registered_county"))
    assert after == {**before, "德化县": 1}
    out = capsys.readouterr().out
    assert "德化县: 1 added, 0 replaced, 0 kept, 0 dropped" in out
    assert "晋江市: 0 added, 0 replaced, 6 kept, 0 dropped" in out
    record = json.loads((vintage_dir("registered_county") / "2026.json").read_text(encoding="utf-8"))
    assert record["changes"]["德化县"] == {"added": 1, "replaced": 0, "kept": 0, "dropped": 0}
    assert record["changes"]["南安市"]["kept"] == 1 and record["rows"] == sum(after.values())


def test_a_file_mixing_new_and_existing_counties_replaces_only_its_rows(project_copy, tmp_path, capsys):
    raw = pd.read_csv(project_copy / "data" / "raw" / "registered_by_county.csv", dtype=str, keep_default_na=False)
    jinjiang = raw[(raw["geography"] == "晋江市") & (raw["year"] == "2019")].copy()
    jinjiang.loc[jinjiang["indicator"] == "registered_population", "value"] = "119.5"
    path = tmp_path / "mixed.csv"
    path.write_text(jinjiang.to_csv(index=False) + DEHUA, encoding="utf-8")
    assert cli.main(["ingest", str(path), "--kind", "registered_county", "--vintage", "2026"]) == 0
    merged = loaders.load("registered_county")
    assert len(merged) == len(raw) + 1
    assert loaders.fact(merged, "晋江市", "registered_population", 2019) == 119.5
    assert loaders.fact(merged, "晋江市", "registered_population", 2018) == 117.63  # untouched year kept
    assert "晋江市: 0 added, 3 replaced, 3 kept, 0 dropped" in capsys.readouterr().out


def test_successive_partial_ingests_keep_both_updates(project_copy, tmp_path):
    first = tmp_path / "dehua.csv"
    first.write_text(HEADER + DEHUA, encoding="utf-8")
    second = tmp_path / "yongchun.csv"
    second.write_text(HEADER + DEHUA.replace("德化县", "永春县").replace("33.1", "60.2"), encoding="utf-8")
    ingest.ingest(first, "registered_county", "2026")
    ingest.ingest(second, "registered_county", "2026-rev1")
    geos = set(loaders.load("registered_county")["geography"])
    assert {"德化县", "永春县", "晋江市", "南安市", "安溪县"} <= geos


def test_the_table_in_use_is_read_under_the_ingest_lock(project_copy, tmp_path, monkeypatch):
    lock = project_copy / "reports" / ".lock"
    seen = []
    real = checks.prepare

    def watching(path, kind):
        seen.append(lock.exists())
        return real(path, kind)

    monkeypatch.setattr(checks, "prepare", watching)
    path = tmp_path / "dehua.csv"
    path.write_text(HEADER + DEHUA, encoding="utf-8")
    ingest.ingest(path, "registered_county", "2026")
    assert seen == [True]


def test_a_complete_file_is_stored_as_it_is(project_copy, capsys):
    source = project_copy / "data" / "raw" / "registered_by_county.csv"
    assert cli.main(["ingest", str(source), "--kind", "registered_county", "--vintage", "2026"]) == 0
    assert (vintage_dir("registered_county") / "2026.csv").read_bytes() == source.read_bytes()
    assert "晋江市: 0 added, 6 replaced, 0 kept, 0 dropped" in capsys.readouterr().out

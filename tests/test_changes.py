"""Issue 27, item 7: every change visible. After an ingest or a rerun the run's index and manifest
say which inputs changed since the previous complete run (table, vintage, rows, rows per unit),
how each unit's key results moved (largest first) and which model interventions happened.

On the code before, no manifest had ``changes`` and no page said any of it: each test fails there.
"""

from __future__ import annotations

import json

import pytest

from analysis import cli
from analysis.notes import note
from analysis.run import changes
from runner_fixtures import read_manifest

QUICK = ["run", "--quiet", "--units", "licheng", "--notebooks", "01", "--draws", "1", "--end-year", "2022"]
HEADER = "geography,year,indicator,value,unit,source,quote_or_note\n"
DEHUA = "德化县,2020,registered_population,33.1,10k persons,https://example.gov.cn/dehua,test row\n"


def _manifest(values, base="registered", year=2025, inputs=None, rows=None):
    """A manifest with key results ``{unit: {indicator: p50}}`` (hand-made)."""
    key_rows = [
        {"unit_id": u, "unit_name": u.upper(), "points": [{"indicator": k, "p50": v} for k, v in vals.items()]}
        for u, vals in values.items()
    ]
    return {
        "run_id": "r",
        "finished": "2026-12-05T09:00:00+00:00",
        "key_results": {"base": base, "year": year, "rows": key_rows},
        "inputs": inputs or {},
        "input_rows": rows or {},
        "vintages": {},
        "notes": [],
    }


def test_key_results_before_and_after_largest_moves_first():
    old = _manifest(
        {
            "jinjiang": {"pop_60plus": 185_000.0, "beds_required": 4000.0},
            "nanan": {"pop_60plus": 349_000.0, "beds_required": 3000.0},
        }
    )
    new = _manifest(
        {
            "jinjiang": {"pop_60plus": 266_000.0, "beds_required": 4000.0},
            "nanan": {"pop_60plus": 272_000.0, "beds_required": 3300.0},
        }
    )
    result = changes.what_changed(new, old)
    assert result["comparable"] and result["previous"] == "r"
    moves = [(r["unit_id"], r["indicator"], r["before"], r["after"]) for r in result["results"]]
    # 晋江 +81,000 / 185,000 = +43.8 %; 南安 −77,000 / 349,000 = −22.1 %; 南安 beds +10 %; 晋江 beds unchanged
    assert moves == [
        ("jinjiang", "pop_60plus", 185_000.0, 266_000.0),
        ("nanan", "pop_60plus", 349_000.0, 272_000.0),
        ("nanan", "beds_required", 3000.0, 3300.0),
    ]
    assert result["results"][0]["relative"] == pytest.approx(81_000 / 185_000)
    assert result["results"][1]["change"] == -77_000.0
    page = changes.render_changes(result)
    assert page.index("JINJIANG") < page.index("NANAN")
    assert "18.5 → 26.6" not in page and "18.5" in page and "26.6" in page and "+43.8%" in page


def test_a_result_that_appears_counts_as_the_largest_move_and_other_bases_are_not_compared():
    old = _manifest({"jinjiang": {"pop_60plus": 100.0}})
    new = _manifest({"jinjiang": {"pop_60plus": 101.0}, "dehua": {"pop_60plus": 5.0}})
    rows = changes.what_changed(new, old)["results"]
    assert [r["unit_id"] for r in rows] == ["dehua", "jinjiang"] and rows[0]["before"] is None
    other = changes.what_changed(_manifest({"jinjiang": {"pop_60plus": 1.0}}, base="resident"), old)
    assert not other["comparable"] and other["results"] == [] and "base" in other["why_not"]
    assert "不可比" in changes.render_changes(other)


@pytest.mark.parametrize(
    "bad",
    [
        {"key_results": "x"},
        {"key_results": {"rows": [1, {"unit_id": 5}]}},
        {
            "key_results": {
                "base": "registered",
                "year": 2025,
                "rows": [{"unit_id": "a", "points": ["x", {"p50": "1"}]}],
            }
        },
        {"inputs": ["a"], "input_rows": {"x.csv": "many"}, "vintages": 3},
        {"inputs": {"data/raw/a.csv": 5}},
    ],
)
def test_a_previous_manifest_of_the_wrong_shape_is_read_field_by_field(bad):
    new = _manifest({"jinjiang": {"pop_60plus": 1.0}}, inputs={"data/raw/a.csv": "h"})
    result = changes.what_changed(new, {"run_id": "old", **bad})
    changes.render_changes(result)  # never an error after publication
    assert result["previous"] == "old"


def test_changed_inputs_say_table_vintage_and_rows():
    old = _manifest(
        {},
        inputs={"data/raw/a.csv": "1", "data/raw/gone.csv": "2", "data/raw/same.csv": "3"},
        rows={"data/raw/a.csv": 10, "data/raw/gone.csv": 4, "data/raw/same.csv": 1},
    )
    new = _manifest(
        {},
        inputs={
            "data/raw/a.csv": "9",
            "data/raw/same.csv": "3",
            "data/processed/vintages/registered_county/2026.csv": "5",
        },
        rows={"data/raw/a.csv": 11, "data/raw/same.csv": 1, "data/processed/vintages/registered_county/2026.csv": 19},
    )
    rows = {i["path"]: i for i in changes.what_changed(new, old)["inputs"]}
    assert set(rows) == {"data/raw/a.csv", "data/raw/gone.csv", "data/processed/vintages/registered_county/2026.csv"}
    assert (
        rows["data/raw/a.csv"]["change"],
        rows["data/raw/a.csv"]["rows_before"],
        rows["data/raw/a.csv"]["rows_after"],
    ) == ("changed", 10, 11)
    assert rows["data/raw/gone.csv"]["change"] == "removed"
    vintage = rows["data/processed/vintages/registered_county/2026.csv"]
    assert (vintage["table"], vintage["vintage_after"], vintage["change"]) == ("registered_county", "2026", "added")


def test_a_table_read_from_a_new_vintage_is_compared_with_its_raw_file():
    raw = "data/raw/registered_by_county.csv"
    vintage = "data/processed/vintages/registered_county/2026.csv"
    old = _manifest({}, inputs={raw: "1"}, rows={raw: 12})
    new = _manifest({}, inputs={raw: "1", vintage: "2"}, rows={raw: 12, vintage: 13})
    new["vintages"] = {"registered_county": "2026"}
    [entry] = changes.what_changed(new, old)["inputs"]
    assert (
        entry["table"],
        entry["change"],
        entry["vintage_before"],
        entry["vintage_after"],
        entry["rows_before"],
        entry["rows_after"],
    ) == ("registered_county", "changed", "raw", "2026", 12, 13)


def test_clipping_appears_as_a_reader_note_with_its_amount():
    new = _manifest({})
    cut = note("outmigration_cut", base="registered", moves=1033.4, where="in total over all draws and years")
    new["note_records"] = [cut.record(), note("elderly_definition", base="registered").record()]
    new["notes"] = [str(cut)]  # the developer sentence is not read: the records are
    result = changes.what_changed(new, None)
    assert [(n["id"], n["amount"]) for n in result["interventions"]] == [("outmigration_cut", "1,033")]
    page = changes.render_changes(result)
    assert "模型干预" in page and "户籍人口口径：个别年龄组的迁出人数超过现有人数时" in page and "1,033人次" in page
    assert "没有可比较的上次完整运行" in page


def test_after_an_ingest_the_rerun_says_what_changed(runner_project, tmp_path):
    assert cli.main(QUICK + ["--run-id", "a"]) == 0
    first = read_manifest(runner_project / "reports" / "runs" / "a")
    assert first["changes"]["previous"] is None
    path = tmp_path / "dehua.csv"
    path.write_text(HEADER + DEHUA, encoding="utf-8")
    assert cli.main(["ingest", str(path), "--kind", "registered_county", "--vintage", "2026"]) == 0
    assert cli.main(QUICK + ["--run-id", "b"]) == 0
    run = runner_project / "reports" / "runs" / "b"
    manifest = read_manifest(run)
    changed = manifest["changes"]
    assert changed["previous"] == "a" and changed["comparable"]
    entry = next(i for i in changed["inputs"] if i["table"] == "registered_county")
    assert entry["vintage_after"] == "2026" and entry["rows_after"] == entry["rows_before"] + 1
    assert entry["rows_by_unit"]["德化县"] == {"added": 1, "replaced": 0, "kept": 0, "dropped": 0}
    assert entry["rows_by_unit"]["晋江市"]["kept"] == 6
    page = (run / "index.html").read_text(encoding="utf-8")
    assert "与上次完整运行相比的变化" in page and "德化县: 新增 1" in page and "registered_county" in page
    json.dumps(manifest)  # stored as JSON

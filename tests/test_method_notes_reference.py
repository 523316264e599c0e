"""What readers see of the method notes stays as recorded (issue 23 item 4, "notes as data").

``tests/reference/method_notes.json`` was written by ``tools/make_method_notes_reference.py`` from
the regex catalogue before notes became records: for every scenario file, the tables of both bases
(city and units). A fresh run must give the same appendix (group_notes: headings, Chinese, English)
and the same reader text per note.
"""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference" / "method_notes.json"


def _tool():
    spec = importlib.util.spec_from_file_location(
        "make_method_notes_reference", ROOT / "tools" / "make_method_notes_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_covers_every_scenario_and_both_bases():
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert set(reference["scenarios"]) == set(_tool().SCENARIOS)
    for recorded in reference["scenarios"].values():
        prefixes = {n.split(":")[0] for n in recorded["notes"] if n.startswith(("registered:", "resident:"))}
        assert prefixes == {"registered", "resident"}
        assert [v for v in recorded["reader_text"].values() if v[0] == "unknown"] == []


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["baseline", "high", "low"])
def test_method_notes_appendix_reads_as_recorded(scenario):
    recorded = json.loads(REFERENCE.read_text(encoding="utf-8"))["scenarios"][scenario]
    fresh = _tool().collect(scenario)
    assert fresh["group_notes"] == recorded["group_notes"]
    assert fresh["reader_text"] == recorded["reader_text"]

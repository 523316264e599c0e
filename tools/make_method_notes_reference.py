"""Write tests/reference/method_notes.json: what readers see of the method notes for a real run.

Issue 23 item 4 ("notes as data") replaced the regex catalogue of :mod:`analysis.present.method_notes`
by note records and templates keyed by id. The appendix a reader sees must not change, so this
script recorded it *before* that change (main 6c98fa7), and the test compares the records' output
with it, keyed by the developer sentence (so the developer templates must reproduce it too): for every scenario file (baseline, high, low), the tables of
both bases (city and every unit, 2020–2026, 2 draws, seed 20201101) and the 2010→2020 backtest of
every fertility method (the notes page 91 shows), it stores the developer notes,
each note's reader text (id, topic, Chinese, English) and :func:`group_notes`' output.
``tests/test_method_notes_reference.py`` compares a fresh run with this file.

Run from the worktree root: ``PYTHONPATH=src python tools/make_method_notes_reference.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SCENARIOS = ("baseline", "high", "low")
ARGS = dict(start_year=2020, end_year=2026, draws=2, seed=20201101)
OUT = Path(__file__).resolve().parents[1] / "tests" / "reference" / "method_notes.json"


def collect(scenario_name: str) -> dict:
    """The notes of one scenario's tables (both bases) and what readers see of them."""
    from analysis import method_notes as mn
    from analysis.run.tables import build_tables
    from analysis.scenarios import load_scenario

    from analysis.demography.backtest import FERTILITY_METHODS, run_backtest

    scenario = load_scenario(scenario_name)
    notes = list(build_tables(scenario, ARGS["start_year"], ARGS["end_year"], ARGS["draws"], ARGS["seed"]).notes)
    for method in dict.fromkeys(("national",) + FERTILITY_METHODS):  # the 91 backtest's methods
        notes += run_backtest(scenario, method).notes
    readers = {}
    for note in dict.fromkeys(notes):  # note records; keyed by their developer sentence, as recorded
        readers[note.text] = list(mn.reader_text(note))
    return {
        "notes": [str(n) for n in notes],
        "reader_text": readers,
        "group_notes": [[heading, [list(item) for item in items]] for heading, items in mn.group_notes(notes)],
    }


def main() -> int:
    reference = {"args": ARGS, "scenarios": {name: collect(name) for name in SCENARIOS}}
    OUT.write_text(json.dumps(reference, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(OUT, sum(len(s["notes"]) for s in reference["scenarios"].values()), "notes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Method notes for readers (analysis.method_notes): every note the models emit on the bundled data
has a plain-Chinese reader text, shown once, grouped by topic, without developer jargon."""

import pytest

from analysis import method_notes as mn


def test_notes_merged_across_bases_prefixed_when_one_base_only():
    notes = ["registered: Elderly = persons aged 60+ (plan: 60周岁及以上).",
             "resident: Elderly = persons aged 60+ (plan: 60周岁及以上).",
             "resident: Township bands use the projected RESIDENT population in place of the registered",
             "registered: Net out-migration larger than the persons present was cut: 21,473 person-moves",
             "resident: Net out-migration larger than the persons present was cut: 201 person-moves"]
    groups = dict(mn.group_notes(notes))
    texts = [zh for items in groups.values() for zh, _ in items]
    assert len(texts) == 3 and len(set(texts)) == 3
    assert "“老年人”指60周岁及以上人口，与规划口径一致。" in texts
    assert any(t.startswith("常住口径：乡镇人口档次") for t in texts)
    assert list(groups)[0].startswith("口径与区间")


def test_numbers_a_reader_needs_come_from_the_note():
    _, topic, zh, _ = mn.reader_text("The 2020 count of certified social workers (2,620) is allocated to units "
                                     "by population share (ESTIMATE).")
    assert topic == "workforce" and "2,620人" in zh
    _, topic, zh, _ = mn.reader_text("缺失 missing: bed_gap for jinjiang, nanan (not computed by the model)")
    assert topic == "data" and "晋江市、南安市" in zh and "bed_gap" not in zh


def test_unknown_note_is_folded_away_and_escaped():
    page = mn.appendix_html(["registered: some new <b>developer</b> note"])
    assert "<details>" in page and "&lt;b&gt;" in page and "<b>developer" not in page
    assert mn.unknown_notes(["registered: some new note", "Gap = required − stock; positive"]) == ["some new note"]
    assert mn.appendix_html([]) == ""


@pytest.mark.slow
def test_every_note_of_the_bundled_data_has_a_reader_text_without_jargon():
    """The notes a run and the notebooks show (tables of both bases, the 91 backtest's methods)."""
    from analysis.demography.backtest import FERTILITY_METHODS, run_backtest
    from analysis.run.tables import build_tables
    from analysis.scenarios import load_scenario

    notes = []
    for name in ("baseline", "high"):
        scenario = load_scenario(name)
        notes += build_tables(scenario, 2020, 2026, 2, 20201101).notes
        for method in dict.fromkeys(("national",) + FERTILITY_METHODS):
            notes += run_backtest(scenario, method).notes
    assert len(notes) > 40
    assert mn.unknown_notes(notes) == []
    page = mn.appendix_html(notes)
    assert [w for w in mn.JARGON if w in page] == []
    topics = [t for t, _ in mn.group_notes(notes)]
    assert len(topics) >= 6 and not any(t.startswith("其他") for t in topics)
    shown = [zh for _, items in mn.group_notes(notes) for zh, _ in items]
    assert len(shown) == len(set(shown)) and len(shown) < len(set(notes))

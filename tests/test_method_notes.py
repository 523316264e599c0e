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


def test_county_evidence_notes_have_reader_texts_with_their_figures():
    """Issue 26's notes: a derived county total, the log error as ±percent, dates in brackets."""
    _, topic, zh, _ = mn.reader_text(
        "泉港区: registered total 382,979 on 2013-07-31 (DERIVED from its centenarian count ÷ rate per 100,000; "
        "third-party-copy) carried to end-2020 by the city's registered growth ×1.0876 → 416,510.")
    assert topic == "base" and "382,979人" in zh and "推算" in zh and "第三方" in zh and "416,510人" in zh
    _, _, zh, _ = mn.reader_text("Registered totals of 7 units have NO county evidence up to end-2020 and are "
                                 "ESTIMATED: … (RMS log error 0.175; this is the spread of these totals in the bands).")
    assert "7个单位" in zh and "±19%" in zh                      # exp(0.175) − 1 = 19.1 %
    _, _, zh, _ = mn.reader_text("The city's registered 100+ is placed among the units by their published shares of the "
                                 "city's centenarians (南安市 25.2 % on 2016-07-31); the other units share the rest.")
    assert "南安市 25.2%（2016-07-31）" in zh and " on " not in zh
    _, _, zh, _ = mn.reader_text("Registered 100+ at end-2020 set to 394: the trend of the published city counts (303 in "
                                 "2013, 337 in 2016, +3.6 % a year) carried to the base (an estimate); ages 80–99 absorb")
    assert "394人" in zh and "2013年303人" in zh
    _, _, zh, _ = mn.reader_text("泉港区: registered ages fitted to its registry's own counts (60–岁 70,000 on "
                                 "2020-09-30); published (户籍统计), not estimated.")
    assert zh.startswith("泉港区") and "户籍统计" in zh
    assert mn.reader_text("County figures dated after end-2020 (泉港 2024) only EVALUATE this forecast")[0] \
        == "post_origin_evaluate"


def test_band_note_names_the_famine_depth_and_the_mortality_level():
    _, _, zh, _ = mn.reader_text("Uncertainty bands include the estimated base (elderly level, …) as well as fertility")
    assert "饥荒低谷" in zh and "全市死亡水平" in zh


def test_every_entry_has_a_template_whose_fields_the_note_supplies():
    """The reader texts live in catalogue/notes.yaml keyed by id (issue 23 item 4): one template per
    catalogue id, no template without an entry, a known topic, and every {field} of the Chinese text
    given by the note (a group of the entry's pattern)."""
    import re
    import string

    templates = mn.templates()
    ids = [e.id for e in mn.CATALOGUE]
    assert len(ids) == len(set(ids)) and set(ids) == set(templates)
    for entry in mn.CATALOGUE:
        template = templates[entry.id]
        assert template["topic"] in mn.TOPICS and template["zh"]
        fields = {name for _, name, _, _ in string.Formatter().parse(template["zh"]) if name}
        assert fields <= set(re.compile(entry.pattern).groupindex), entry.id

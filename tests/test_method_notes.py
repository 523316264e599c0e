"""Method notes for readers (analysis.method_notes): every note the models emit is a record whose id
has a developer template and a plain-Chinese reader text, shown once, grouped by topic, without
developer jargon (issue 23 item 4: notes as data, no regex reads prose back)."""

import ast
import string
from pathlib import Path

import pytest

from analysis import method_notes as mn
from analysis.notes import developer_text, note, templates

SRC = Path(__file__).resolve().parents[1] / "src" / "analysis"


def test_notes_merged_across_bases_prefixed_when_one_base_only():
    notes = [
        note("elderly_definition", base="registered"),
        note("elderly_definition", base="resident"),
        note("township_resident", base="resident"),
        note("outmigration_cut", base="registered", moves=21473, where="in total over all draws and years"),
        note("outmigration_cut", base="resident", moves=201, where="in total over all draws and years"),
    ]
    groups = dict(mn.group_notes(notes))
    texts = [zh for items in groups.values() for zh, _ in items]
    assert len(texts) == 3 and len(set(texts)) == 3
    assert "“老年人”指60周岁及以上人口，与规划口径一致。" in texts
    assert any(t.startswith("常住口径：乡镇人口档次") for t in texts)
    assert list(groups)[0].startswith("口径与区间")


def test_numbers_a_reader_needs_come_from_the_note():
    _, topic, zh, _ = mn.reader_text(note("social_workers_allocated", n=2620))
    assert topic == "workforce" and "2,620人" in zh
    _, topic, zh, _ = mn.reader_text(note("missing_indicator", name="bed_gap", units=["jinjiang", "nanan"]))
    assert topic == "data" and "晋江市、南安市" in zh and "bed_gap" not in zh
    assert (
        str(note("missing_indicator", base="resident", name="bed_gap", units=["jinjiang", "nanan"]))
        == "resident: 缺失 missing: bed_gap for jinjiang, nanan (not computed by the model)"
    )


def test_a_plain_string_is_folded_away_and_escaped_and_an_unknown_id_fails():
    page = mn.appendix_html(["registered: some new <b>developer</b> note"])
    assert "<details>" in page and "&lt;b&gt;" in page and "<b>developer" not in page
    assert mn.unknown_notes(["some new note", note("gap_definition")]) == ["some new note"]
    assert mn.appendix_html([]) == ""
    with pytest.raises(KeyError):
        mn.reader_text(note("no_such_note"))
    with pytest.raises(KeyError, match="no_such_note"):
        str(note("no_such_note"))


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
    evidence = note(
        "county_registered_evidence",
        unit="泉港区",
        n=382979,
        d="2013-07-31",
        kind="DERIVED",
        src="third-party-copy",
        y=2020,
        factor=1.0876,
        m=416510,
    )
    assert evidence.text == (
        "泉港区: registered total 382,979 on 2013-07-31 (DERIVED from its centenarian count ÷ rate "
        "per 100,000; third-party-copy) carried to end-2020 by the city's registered growth ×1.0876 "
        "→ 416,510."
    )
    _, topic, zh, _ = mn.reader_text(evidence)
    assert topic == "base" and "382,979人" in zh and "推算" in zh and "第三方" in zh and "416,510人" in zh
    _, _, zh, _ = mn.reader_text(
        note(
            "registered_totals_no_evidence",
            n=7,
            y=2020,
            rule="…",
            units_with=6,
            loo_units=["nanan"],
            loo_pct=[12.0],
            e=0.175,
            e_pct=19.1,
        )
    )
    assert "7个单位" in zh and "±19%" in zh  # exp(0.175) − 1 = 19.1 %
    centenarians = note("registered_centenarians_by_unit", units=["南安市"], shares=[25.2], dates=["2016-07-31"])
    _, _, zh, _ = mn.reader_text(centenarians)
    assert "南安市 25.2%（2016-07-31）" in zh and " on " not in zh
    assert "(南安市 25.2 % on 2016-07-31);" in centenarians.text
    _, _, zh, _ = mn.reader_text(note("registered_100plus", y=2020, n=394.2, a=303, ya=2013, b=337, yb=2016, g=3.6))
    assert "394人" in zh and "2013年303人" in zh
    _, _, zh, _ = mn.reader_text(
        note("registry_ages_published", unit="泉港区", lo=[60], hi=[""], persons=[70000], dates=["2020-09-30"])
    )
    assert zh.startswith("泉港区") and "户籍统计" in zh and "60–岁 70,000（2020-09-30）" in zh
    assert mn.reader_text(note("post_origin_evaluate", y=2020, list="泉港 2024"))[0] == "post_origin_evaluate"


def test_band_note_names_the_famine_depth_and_the_mortality_level():
    _, _, zh, _ = mn.reader_text(
        note(
            "uncertainty",
            elderly_sd=1,
            p80_sd=4.9,
            entrant_sd=4,
            county_sd=0.1,
            famine_sd=0.5,
            level_sd=0.5,
            uncertainty="all",
        )
    )
    assert "饥荒低谷" in zh and "全市死亡水平" in zh


def _note_calls():
    """Every ``note("id", field=…)`` call in the package: ``(file, id, fields or None when **kwargs)``.
    Ids given as ``"a" if … else "b"`` count as both."""
    calls = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "note"):
                continue
            assert node.args, f"{path}: note() without an id"
            first, ids = node.args[0], []
            for part in [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]:
                assert isinstance(part, ast.Constant) and isinstance(part.value, str), (
                    f"{path}:{node.lineno}: a note id must be written out (a literal), so that this test sees it"
                )
                ids.append(part.value)
            names = [k.arg for k in node.keywords]
            fields = None if None in names else set(names) - {"base"}
            calls += [(f"{path.name}:{node.lineno}", i, fields) for i in ids]
    return calls


def _fields(template: str) -> set:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_id_the_models_emit_has_templates_whose_fields_the_call_supplies():
    """A static walk of the package's ``note(…)`` calls: each id has a developer template and a reader
    text (or borrows one, or is shown in developer wording under 其他), in a known topic, and every
    {field} of its templates is given by each call; no template is left without a call."""
    calls = _note_calls()
    assert len(calls) > 60
    known = templates()
    emitted = {i for _, i, _ in calls}
    assert sorted(emitted - set(known)) == []
    assert sorted(set(known) - emitted) == []  # no template of a note no model emits
    for where, nid, fields in calls:
        entry = known[nid]
        reader = known[entry["reader"]] if "reader" in entry else entry
        assert reader["topic"] in mn.TOPICS, nid
        assert "zh" in reader or reader["topic"] == "other", nid
        if fields is None:
            continue
        spec = entry.get("list") or {}
        item_fields = set().union(*(_fields(t) for k, t in spec.items() if k != "sep")) if spec else set()
        given = fields | ({"list"} if spec else set())
        assert item_fields <= fields, (where, nid, item_fields - fields)
        assert _fields(entry["dev"]) <= given, (where, nid, _fields(entry["dev"]) - given)
        assert _fields(reader.get("zh", "")) <= given, (where, nid, _fields(reader.get("zh", "")) - given)


def test_templates_render_numbers_as_the_developer_sentence_did():
    """A reader text shows a figure in the developer sentence's format (the records carry numbers)."""
    n = note("registered_check_2019", a=1101909.4, b=1110000, d=-0.7288)
    assert "1,101,909 at end-2019 against the plan's 1,110,000 (-0.73 %)" in developer_text(n)
    assert "60岁及以上为1,101,909人" in mn.reader_text(n)[2] and "-0.73%" in mn.reader_text(n)[2]


def test_a_page_made_from_a_manifest_lists_odd_records_under_other_instead_of_failing():
    manifest = {
        "note_records": [
            note("gap_definition", base="resident").record(),
            {"id": "gone_note", "fields": {"n": 1}},
            {"id": "<script>", "fields": {}},
        ],
        "notes": ["ignored: the records are read"],
    }
    notes = mn.manifest_notes(manifest)
    groups = dict(mn.group_notes(notes))
    assert any(k.startswith("养老床位") for k in groups) and "ignored" not in str(groups)
    other = [zh for k, items in groups.items() if k.startswith("其他") for zh, _ in items]
    assert len(other) == 2 and "&lt;script&gt;" in mn.appendix_html(notes)
    assert mn.manifest_notes({"notes": ["registered: an old manifest's sentence"]}) == [
        "registered: an old manifest's sentence"
    ]

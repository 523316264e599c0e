"""Method notes for readers: note records (:mod:`analysis.notes`) turned into plain Chinese.

The models return notes as records, ``note(id, base=…, **fields)``. Their developer sentence (English,
``manifest.json``, logs) and their **reader text** are templates of the same id in
``catalogue/notes.yaml``: a topic, a sentence in plain Chinese (``zh``) with a short English gloss
(``en``), filled from the note's fields. Nothing reads the prose back: the id names the templates.
Figures a reader needs (a count, a rate) are fields; method details stay in the developer sentence.

Template keys beside ``dev``/``topic``/``zh``/``en``: ``reader: other_id`` borrows another id's reader
texts (variants of one statement); ``values: {dev|zh: {field: {value: wording}}}`` words a field's
value (``"*"``: any other value); ``list: {dev, zh, sep}`` builds the field ``{list}`` from the
note's list fields, one item each; ``estimated: true`` marks a note on an estimated input. An id
with ``topic: other`` and no ``zh`` is shown in its developer wording, folded away (as before the
records, for notes no one has yet put into plain Chinese).

Every note is shown once: notes of both bases with the same reader text are merged; a reader text
true of one base only is prefixed 户籍口径 / 常住口径. A plain string (a manifest written before the
records) is listed under 其他 in its original wording.
"""

from __future__ import annotations

import html

from .. import catalogue, geography
from ..notes import Note, from_record, reader_texts, templates

# Topics in the order the appendix shows them: id -> (Chinese heading, English heading).
TOPICS = {
    "general": ("口径与区间", "Definitions and bands"),
    "base": ("人口基数", "Base population"),
    "rates": ("生育、死亡与迁移", "Births, deaths and migration"),
    "beds": ("养老床位", "Elder-care beds"),
    "workforce": ("社会工作人才", "Social workers"),
    "dibao": ("低保与最低工资", "低保 and the minimum wage"),
    "backtest": ("回溯检验", "Backtest 2010→2020"),
    "data": ("数据警告", "Data warnings"),
    "other": ("其他（未整理的技术说明）", "Other technical notes"),
}
BASE_PREFIX = {"registered": "户籍口径：", "resident": "常住口径："}

# Words a reader must not meet in the appendix (developer jargon, code names); used by the tests.
JARGON = (
    "IPF",
    "PCHIP",
    "exp(",
    "θ",
    "scipy",
    "least_squares",
    "statsmodels",
    "WLS",
    "m(x)",
    "e0",
    "WPP",
    "TFR",
    "CDR",
    "Rogers",
    "ESTIMATE",
    "per mille",
    "person-moves",
    "_monthly",
    "_annual",
    "pop_",
    "registered:",
    "resident:",
    "assistance.",
    "demography.",
    "data/raw",
    "hazard",
)


def _unit_names(units) -> str:
    names = {u.id: u.name_zh for u in geography.all_units()}
    return "、".join(names.get(u, u) for u in units)


# Fields whose reader wording is looked up elsewhere in the package (indicator and unit names).
READER_FIELDS = {
    "missing_indicator": lambda f: {
        "name": catalogue.indicator(f["name"]).name_zh if catalogue.known(f["name"]) else f["name"],
        "units": _unit_names(f["units"]),
    },
}


def reader_text(note) -> tuple[str, str, str, str]:
    """``(id, topic, Chinese text, English gloss)`` of one note record, looked up by its id; a plain
    string (an old manifest's note) comes back as ``("unknown", "other", text, "")``. An id without
    templates raises :class:`KeyError` (tests/test_method_notes.py walks every id the models emit)."""
    if not isinstance(note, Note):
        return "unknown", "other", str(note), ""
    # an id without templates raises KeyError; one not yet in plain Chinese gives its developer wording
    return reader_texts(note, READER_FIELDS[note.id](note.values) if note.id in READER_FIELDS else None)


def _as_note(note):
    """A record (:class:`Note` or its JSON form from ``manifest.json``) as a :class:`Note`; other
    values (an old manifest's strings) unchanged."""
    if isinstance(note, dict) and "id" in note:
        try:
            return from_record(note)
        except (TypeError, ValueError, AttributeError):  # a damaged manifest: shown as it stands, under 其他
            return str(note)
    return note


def manifest_notes(manifest: dict) -> list:
    """The notes of a run's manifest as records (``note_records``); a manifest written before the
    records gives its developer sentences (strings), shown under 其他."""
    records = manifest.get("note_records")
    if isinstance(records, list):
        return [_as_note(r) for r in records]
    notes = manifest.get("notes")
    return list(notes) if isinstance(notes, list) else []


def group_notes(notes) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(topic heading, [(Chinese text, English gloss), …]), …]``: each reader text once, in
    catalogue topic order; a text true of one base only is prefixed 户籍口径 / 常住口径. Plain strings
    and records of ids without templates are listed under 其他 (:func:`unknown_notes` finds them)."""
    seen: dict[tuple[str, str, str], set] = {}
    for note in map(_as_note, notes):
        if isinstance(note, Note) and note.id in templates():
            _id, topic, zh, en = reader_text(note)
            seen.setdefault((topic, zh, en), set()).add(note.base)
        elif isinstance(note, Note):  # an id this code has no templates for (an older run's manifest)
            seen.setdefault(("other", f"{note.id}: {dict(note.fields)}", ""), set()).add(note.base)
        elif str(note).strip():
            seen.setdefault(("other", str(note).strip(), ""), set()).add(None)
    groups: dict[str, list[tuple[str, str]]] = {t: [] for t in TOPICS}
    for (topic, zh, en), bases in seen.items():
        if len(bases) == 1 and None not in bases:
            zh = BASE_PREFIX[next(iter(bases))] + zh
        groups[topic].append((zh, en))
    return [(f"{TOPICS[t][0]} {TOPICS[t][1]}", items) for t, items in groups.items() if items]


def unknown_notes(notes) -> list:
    """The notes that are not records of a known id (plain strings, or ids without templates)."""
    out = []
    for note in map(_as_note, notes):
        if not isinstance(note, Note):
            out.append(note)
        elif note.id not in templates():
            out.append(note)
    return out


def appendix_html(notes, heading_level: int = 2) -> str:
    """The appendix 附录：方法说明 as escaped HTML (``<div class="method-notes">``), one list per
    topic; '' when there are no notes."""
    esc = html.escape
    h, sub = heading_level, heading_level + 1
    parts = []
    for topic, items in group_notes(notes):
        lis = "".join(
            f"<li>{esc(zh)}" + (f' <small class="en">{esc(en)}</small>' if en else "") + "</li>" for zh, en in items
        )
        if topic.startswith(TOPICS["other"][0]):
            parts.append(f"<details><summary>{esc(topic)}</summary><ul>{lis}</ul></details>")
        else:
            parts.append(f"<h{sub}>{esc(topic)}</h{sub}><ul>{lis}</ul>")
    if not parts:
        return ""
    return (
        f'<div class="method-notes"><h{h}>附录：方法说明 Appendix: method notes</h{h}>'
        "<p><small>以下为本报告所用数据和方法的要点；完整的技术说明见 manifest.json。"
        " Plain-language summary; the technical wording is kept in manifest.json.</small></p>"
        + "".join(parts)
        + "</div>"
    )


def parameter_sources_html(scenario, keys) -> str:
    """The scenario parameters a notebook uses with their values and sources, folded away
    (``<details>``: a technical reference, in the scenario file's own wording), escaped."""
    from .people import plain  # heavy (pandas): the unchanged-rerun path reads reader texts without it

    esc = html.escape
    rows = "".join(
        f"<tr><td><code>{esc(k)}</code></td><td>{esc(plain(scenario[k]))}</td>"
        f"<td>{esc(str(scenario.source(k) or '—'))}</td></tr>"
        for k in keys
    )
    return (
        "<details><summary>情景参数及来源（技术参考，情景文件原文）Scenario parameters and sources</summary>"
        "<table><tr><th>参数 parameter</th><th>取值 value</th><th>来源 source</th></tr>" + rows + "</table></details>"
    )


def parameter_sources(scenario, keys):
    """:func:`parameter_sources_html` for a notebook (an IPython ``HTML`` object)."""
    from IPython.display import HTML

    return HTML(parameter_sources_html(scenario, keys))

"""Method notes for readers: one catalogue from the models' developer wording to plain Chinese.

The models write notes in developer English (``result.notes``, ``frame.attrs["notes"]``,
``manifest["notes"]``): they name methods (IPF, least squares), variables and parameters, and they
stay that way in ``manifest.json``. What a reader sees in a report's appendix or the index is the
**reader text** of the catalogue entry that matches the note (:data:`CATALOGUE`): a stable id, a
topic, and a sentence in plain Chinese with a short English gloss. The id and the fields come from
the entry's pattern; topic and texts are the template of that id in ``catalogue/notes.yaml``.
Figures a reader needs (a count, a rate) are taken from the note; method details are left out.

Every note is shown once: notes given for both bases (``registered: …``, ``resident: …``) with the
same reader text are merged; a reader text true of one base only is prefixed 户籍口径 / 常住口径.
A note the catalogue does not know is listed under 其他 in its original wording (folded away), and
``tests/test_method_notes.py`` fails when the bundled data produces one.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import catalogue, geography, yamlio

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
BASE_ZH = {"registered": "户籍人口", "resident": "常住人口", "RESIDENT": "常住人口", "REGISTERED": "户籍人口"}

# Words a reader must not meet in the appendix (developer jargon, code names); used by the tests.
JARGON = ("IPF", "PCHIP", "exp(", "θ", "scipy", "least_squares", "statsmodels", "WLS", "m(x)", "e0",
          "WPP", "TFR", "CDR", "Rogers", "ESTIMATE", "per mille", "person-moves", "_monthly", "_annual",
          "pop_", "registered:", "resident:", "assistance.", "demography.", "data/raw", "hazard")


TEMPLATES_FILE = Path(catalogue.__file__).with_name("notes.yaml")


@lru_cache(maxsize=1)
def templates() -> dict[str, dict[str, str]]:
    """The reader texts keyed by note id (``catalogue/notes.yaml``): ``{id: {topic, zh, en}}``."""
    return yamlio.read_mapping(TEMPLATES_FILE)


@dataclass(frozen=True)
class Entry:
    """One kind of note: a stable id and the pattern of its developer wording; its topic and reader
    text (Chinese, English gloss) are the template of the same id in ``catalogue/notes.yaml``."""

    id: str
    pattern: str

    @property
    def topic(self) -> str:
        return templates()[self.id]["topic"]

    @property
    def zh(self) -> str:
        return templates()[self.id]["zh"]

    @property
    def en(self) -> str:
        return templates()[self.id].get("en", "")

    def match(self, text: str):
        return re.search(self.pattern, text, re.DOTALL)


N = r"[+\-−]?[\d,.]+"  # a number as the models print it

CATALOGUE = (
    # --- definitions and bands
    Entry("elderly_definition", r"^Elderly = persons aged 60\+"),
    Entry("model_base", r"^population, beds, workforce, recipients and cost on the (?P<base>\w+) base"),
    Entry("uncertainty", r"^Uncertainty bands include the estimated base"),
    Entry("ratios_hold", r"^Ratios after their last given year stay"),
    # --- base population
    Entry("county_base_estimated", r"^县级分年龄性别基期人口为估计值"),
    Entry("resident_totals_estimated", r"^2020 resident totals of (?P<units>.+?) are ESTIMATED"),
    Entry("taishang_derived", r"^泉州台商投资区 2020 total is DERIVED"),
    Entry("age_structure_estimated", r"^Age-sex structure of every unit is ESTIMATED"),
    Entry("jinjiang_own_census", r"^晋江市 is fitted to its own census"),
    Entry("county_ages_from_migration", r"^County age structures of the 12 units other than 晋江市 are ESTIMATED from migration.*?"
          r"60\+ shares (?P<lo>[\d.]+) % \((?P<lo_unit>\S+)\) – (?P<hi>[\d.]+) % \((?P<hi_unit>\S+)\)"),
    Entry("county_ages_from_deaths", r"^County age structures of the 12 units other than 晋江市 are ESTIMATED.*?60\+ shares (?P<lo>[\d.]+)–(?P<hi>[\d.]+) %"),
    Entry("mortality_level_factor", r"^Mortality level: the national schedule gives the city's census"),
    Entry("kaifaqu_death_rate", r"^泉州开发区's crude death rate (?P<cdr>[\d.]+) ‰"),
    Entry("registered_base_cohorts", r"^Registered \(户籍\) base ESTIMATED by cohort accounting: end-2017 60\+ (?P<a>[\d,]+) and 80\+ (?P<b>[\d,]+)"),
    Entry("registered_check_2019", r"^Aged two years by cohort survival.*?gives 60\+ (?P<a>[\d,]+) at end-2019 against the plan's (?P<b>[\d,]+) \((?P<d>" + N + r") %\)"),
    Entry("registered_80plus", r"^80\+ carried forward by cohort survival: (?P<a>[\d,]+) at end-2019, (?P<b>[\d,]+) at end-2020"),
    Entry("registered_2020", r"^Registered base end-2020: total (?P<t>[\d,]+) .*?60\+ (?P<o>[\d,]+) \((?P<s>[\d.]+) %\)"),
    Entry("county_registered_published", r"^(?P<unit>\S+): registered total (?P<n>[\d,]+) at end-(?P<y>\d{4}) \(published.*?→ (?P<m>[\d,]+)"),
    Entry("registered_totals_estimated", r"^Registered totals of (?P<n>\d+) units are NOT PUBLISHED"),
    # issue 26: county registered figures from county evidence
    Entry("registered_100plus", r"^Registered 100\+ at end-(?P<y>\d{4}) set to (?P<n>[\d,]+): .*?\((?P<a>[\d,]+) in (?P<ya>\d{4}), (?P<b>[\d,]+) in "
          r"(?P<yb>\d{4}), (?P<g>" + N + r") % a year\)"),
    Entry("county_registered_evidence", r"^(?P<unit>\S+): registered total (?P<n>[\d,]+) on (?P<d>\d{4}-\d{2}-\d{2}) \((?P<kind>published|DERIVED)[^;)]*"
          r"(?:; (?P<src>[\w-]+))?\) carried to end-(?P<y>\d{4}).*?→ (?P<m>[\d,]+)"),
    Entry("registered_totals_no_evidence", r"^Registered totals of (?P<n>\d+) units have NO county evidence up to end-(?P<y>\d{4}).*?RMS log error (?P<e>[\d.]+)"),
    Entry("registered_ages_migration", r"^Registered ages by unit = its residents \+ its net out-migrants"),
    Entry("registered_centenarians_by_unit", r"^The city's registered 100\+ is placed among the units by their published shares of the city's centenarians "
          r"\((?P<list>.+?)\); the other units share the rest"),
    Entry("registry_ages_published", r"^(?P<unit>\S+): registered ages fitted to its registry's own counts \((?P<list>.+)\); published"),
    Entry("post_origin_evaluate", r"^County figures dated after end-(?P<y>\d{4}) \((?P<list>[^)]+)\) only EVALUATE"),
    Entry("base_read_published", r"^Base population (?P<base>\w+) (?P<y>\d{4}) read from .*?\(not estimated\)"),
    Entry("base_read_merged", r"^Base population (?P<base>\w+) (?P<y>\d{4}) read from .*?published for (?P<n>\d+) units"),
    Entry("five_year_groups", r"^Five-year groups split to single years"),
    # --- births, deaths, migration
    Entry("fertility_resident", r"^Fertility calibrated by unit to the 2021 yearbook crude birth rates \(city (?P<cbr>[\d.]+) ‰\).*?TFR 2021 ≈ (?P<tfr>[\d.]+)"),
    Entry("fertility_registered", r"^Registered fertility calibrated to the registered 2020 crude birth rate (?P<cbr>[\d.]+) ‰"),
    Entry("migration_resident", r"^Resident net migration calibrated to the 2021 yearbook: city (?P<n>" + N + r") persons a year"),
    Entry("migration_registered", r"^Registered net transfers: (?P<r>" + N + r") per mille a year"),
    Entry("mortality_national", r"^Mortality level: national \(UN WPP.*?; (?P<m>[\d.]+) men / (?P<f>[\d.]+) women in (?P<y>\d{4})\)"),
    Entry("mortality_local", r"^Mortality level ESTIMATED for Quanzhou from the (?P<y>\d{4}) crude death rates"),
    Entry("mortality_schedule", r"^Mortality: UN WPP 2022 China death-rate schedule"),
    Entry("migration_ages", r"^Migration age profile: .*?peak age (?P<peak>[\d.]+), (?P<fem>[\d.]+) % female.*?, (?P<old>[\d.]+) % aged 60\+"),
    Entry("outmigration_cut", r"^Net out-migration larger than the persons present was cut"),
    # --- beds
    Entry("gap_definition", r"^Gap = required − stock"),
    Entry("county_bed_stock", r"^County bed stock is an ESTIMATE"),
    Entry("city_bed_stock", r"^City stock 2020 = .*?= (?P<n>[\d,]+) beds"),
    Entry("nursing_stock", r"^Nursing-type stock is an ESTIMATE"),
    Entry("need_view", r"^Need view is an ESTIMATE"),
    Entry("build_schedule", r"^Build schedule:"),
    # --- social workers
    Entry("social_workers_allocated", r"^The 2020 count of certified social workers \((?P<n>[\d,]+)\)"),
    Entry("townships", r"^Township counts per unit \((?P<n>\d+) in all\)"),
    Entry("one_per_thousand", r"^'One social worker per 1,000 elderly and per 100 beds'"),
    Entry("township_resident", r"^Township bands use the projected RESIDENT population"),
    # --- 低保 and the minimum wage
    Entry("city_dibao_weights", r"^city (低保 )?standards(:| weighted by the \d{4} resident)"),
    Entry("dibao_county_tier", r"^低保 standard set by each county"),
    Entry("dibao_city_setting", r"^低保 standard set by the city"),
    Entry("min_wage", r"^min_wage_monthly: annual average of the Fujian tier wage.*?fitted from (?P<y>\d{4})"),
    Entry("min_wage_override", r"^min_wage_monthly: median growth set to (?P<g>[\d.]+) % a year"),
    Entry("tekun_factor", r"^tekun_monthly = (?P<f>[\d.]+) x dibao"),
    Entry("dibao_recipients", r"^dibao_recipients and dibao_cost_annual are ESTIMATES: recipients = (?P<pct>[\d.]+) % .*?gap = (?P<gap>[\d.]+) x"),
    Entry("dibao_recipients_missing", r"^dibao_recipients and dibao_cost_annual are missing"),
    # --- backtest
    Entry("bt_base", r"^2010 base ESTIMATED"),
    Entry("bt_age_shape", r"^2010 age shape ESTIMATED"),
    Entry("bt_fertility_national", r"^Backtest fertility: national"),
    Entry("bt_fertility_registered", r"^Backtest fertility calibrated to the REGISTERED crude birth rate 2010 \((?P<cbr>[\d.]+) ‰.*?TFR 2011 ≈ (?P<tfr>[\d.]+)"),
    Entry("bt_fertility_age04", r"^Backtest fertility calibrated to the crude birth rate ESTIMATED from the yearbook's 2010 share of ages 0–4.*?→ (?P<cbr>[\d.]+) ‰\).*?TFR 2011 ≈ (?P<tfr>[\d.]+)"),
    Entry("bt_migration", r"^Backtest migration: .*?net migration (?P<n>" + N + r")/year"),
    Entry("bt_cutoff", r"^Backtest calibration uses only data dated"),
    Entry("bt_mortality", r"^Backtest mortality:"),
    Entry("bt_migrants_female", r"^Backtest migrants (?P<f>[\d.]+) % female"),
    # --- data warnings
    Entry("data_warning", r"^数据警告 data warning: (?P<w>.+)"),
    Entry("missing_indicator", r"^缺失 missing: (?P<name>\S+) for (?P<units>.+?) \("),
)


def _indicator_zh(name: str) -> str:
    return catalogue.indicator(name).name_zh if catalogue.known(name) else name


def _unit_names(text: str) -> str:
    names = {u.id: u.name_zh for u in geography.all_units()}
    return "、".join(names.get(u.strip(), u.strip()) for u in text.split(","))


# Field values of a note turned into reader wording (issue 26's county evidence notes).
KIND_ZH = {"published": "公布数", "DERIVED": "由该县百岁老人数及其每10万人比例推算"}
SOURCE_ZH = {"third-party-copy": "，据第三方转载", "official": "，官方发布"}


def _reader_fields(fields: dict) -> dict:
    """Reader wording of the fields a reader text shows: a log error as ±percent, 'on DATE' as （DATE）."""
    out = dict(fields)
    if "kind" in out:
        out["kind"] = KIND_ZH.get(out["kind"], out["kind"])
    if "src" in out:
        out["src"] = SOURCE_ZH.get(out["src"], "")
    if "e" in out:
        out["e"] = f"{100 * (math.exp(float(out['e'])) - 1):.0f}"
    if "list" in out:
        out["list"] = re.sub(r" on (\d{4}-\d{2}-\d{2})", r"（\1）", out["list"]).replace(" %", "%")
    return out


def reader_text(note: str) -> tuple[str, str, str, str]:
    """``(id, topic, Chinese text, English gloss)`` of one developer note (its ``base:`` prefix
    removed first); unknown notes come back as ``("unknown", "other", note, "")``."""
    for entry in CATALOGUE:
        m = entry.match(note)
        if m is None:
            continue
        fields = {k: (v or "") for k, v in m.groupdict().items()}
        if "base" in fields:
            fields["base"] = BASE_ZH.get(fields["base"], fields["base"])
        if entry.id == "missing_indicator":
            fields = {"name": _indicator_zh(fields["name"]), "units": _unit_names(fields["units"])}
        fields = _reader_fields(fields)
        return entry.id, entry.topic, entry.zh.format(**fields), entry.en
    return "unknown", "other", note, ""


def split_base(note: str) -> tuple[str | None, str]:
    """``("registered", "text")`` for ``"registered: text"``; ``(None, note)`` otherwise."""
    text = str(note).strip()
    for base in BASE_PREFIX:
        if text.startswith(base + ": "):
            return base, text[len(base) + 2:]
    return None, text


def group_notes(notes) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(topic heading, [(Chinese text, English gloss), …]), …]``: each reader text once, in
    catalogue topic order; a text true of one base only is prefixed 户籍口径 / 常住口径."""
    seen: dict[tuple[str, str, str], set] = {}
    for note in notes:
        base, text = split_base(note)
        if text:
            _id, topic, zh, en = reader_text(text)
            seen.setdefault((topic, zh, en), set()).add(base)
    groups: dict[str, list[tuple[str, str]]] = {t: [] for t in TOPICS}
    for (topic, zh, en), bases in seen.items():
        if len(bases) == 1 and None not in bases:
            zh = BASE_PREFIX[next(iter(bases))] + zh
        groups[topic].append((zh, en))
    return [(f"{TOPICS[t][0]} {TOPICS[t][1]}", items) for t, items in groups.items() if items]


def unknown_notes(notes) -> list[str]:
    """The notes (base prefix removed) no catalogue entry matches."""
    return [text for _, text in map(split_base, notes) if text and reader_text(text)[0] == "unknown"]


def appendix_html(notes, heading_level: int = 2) -> str:
    """The appendix 附录：方法说明 as escaped HTML (``<div class="method-notes">``), one list per
    topic; '' when there are no notes."""
    esc = html.escape
    h, sub = heading_level, heading_level + 1
    parts = []
    for topic, items in group_notes(notes):
        lis = "".join(f"<li>{esc(zh)}" + (f' <small class="en">{esc(en)}</small>' if en else "") + "</li>"
                      for zh, en in items)
        if topic.startswith(TOPICS["other"][0]):
            parts.append(f"<details><summary>{esc(topic)}</summary><ul>{lis}</ul></details>")
        else:
            parts.append(f"<h{sub}>{esc(topic)}</h{sub}><ul>{lis}</ul>")
    if not parts:
        return ""
    return (f'<div class="method-notes"><h{h}>附录：方法说明 Appendix: method notes</h{h}>'
            "<p><small>以下为本报告所用数据和方法的要点；完整的技术说明见 manifest.json。"
            " Plain-language summary; the technical wording is kept in manifest.json.</small></p>"
            + "".join(parts) + "</div>")


def parameter_sources_html(scenario, keys) -> str:
    """The scenario parameters a notebook uses with their values and sources, folded away
    (``<details>``: a technical reference, in the scenario file's own wording), escaped."""
    from .people import plain  # heavy (pandas): the unchanged-rerun path reads reader texts without it

    esc = html.escape
    rows = "".join(f"<tr><td><code>{esc(k)}</code></td><td>{esc(plain(scenario[k]))}</td>"
                   f"<td>{esc(str(scenario.source(k) or '—'))}</td></tr>" for k in keys)
    return ("<details><summary>情景参数及来源（技术参考，情景文件原文）Scenario parameters and sources</summary>"
            "<table><tr><th>参数 parameter</th><th>取值 value</th><th>来源 source</th></tr>"
            + rows + "</table></details>")


def parameter_sources(scenario, keys):
    """:func:`parameter_sources_html` for a notebook (an IPython ``HTML`` object)."""
    from IPython.display import HTML

    return HTML(parameter_sources_html(scenario, keys))

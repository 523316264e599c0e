"""Page of notebook 02 (elder-care beds): everything its cells use, and the prevalence table it shows.

Beds and persons are counts; prevalence in percent of persons of the sex and age group.
"""

from __future__ import annotations

import pandas as pd

from ...data.origin import start_year_of
from ...demography import project
from ...geography import resolve
from ...scenarios import load_scenario
from ...services import beds, care_users, prevalence
from .. import beds_report, charts_care
from .. import charts_beds_workforce as charts
from ..keypoints import notebook_box, notes_appendix, resolve_report_year
from ..labels import markdown_scenario_label as scenario_label  # user text shown as text
from ..method_notes import parameter_sources
from ..people import people_table

__all__ = [
    "beds",
    "beds_report",
    "charts",
    "charts_care",
    "load_scenario",
    "notebook_box",
    "notes_appendix",
    "observed_adl_text",
    "parameter_sources",
    "people_table",
    "prevalence",
    "prevalence_table",
    "project",
    "resolve",
    "resolve_report_year",
    "scenario_label",
    "start_year_of",
]

SEX_ZH = {"male": "男", "female": "女"}
SEVERITY_ZH = {"severe": "重度（生活不能自理）", "moderate": "轻中度（不健康但能自理）"}


def prevalence_table(scenario) -> pd.DataFrame:
    """The prevalence schedule the scenario's ``beds.prevalence_schedule`` uses, for people: one row
    per 5-year age group from 60 (index 年龄组（岁）), one column per sex and severity (e.g.
    ``男·重度（生活不能自理） %``), percent of persons. The schedule is chosen as the bed model
    chooses it (:func:`analysis.services.care_users.grouped_schedule`)."""
    table = (
        care_users.grouped_schedule(scenario["beds.prevalence_schedule"])
        .pivot_table(index="age_group", columns=["sex", "severity"], values="prevalence_pct")
        .rename_axis("年龄组（岁）")
    )
    table.columns = [
        f"{SEX_ZH.get(sex, sex)}·{SEVERITY_ZH.get(severity, severity)} %" for sex, severity in table.columns
    ]
    return table


def observed_adl_text() -> str:
    """The observed CHNS 2006 ADL disability rates by age group, one line (percent of persons)."""
    return "CHNS 2006 ADL失能率（观测）observed: " + "；".join(
        f"{r.age_group}岁 {r.prevalence_pct:.1f}%" for r in prevalence.adl_table().itertuples()
    )

"""Disability (生活不能自理) prevalence by 5-year age group: the proxy table and its extension.

The only age table we have is a PROXY: Shanghai 2010 census, town part (表8-2b), share of older
people unable to care for themselves, for ages 60–64, 65–69, 70–74 (``disability_prevalence.csv``).
Quanzhou or Fujian figures were not found. Older ages are ESTIMATED by a log-linear fit of
prevalence on age: a Poisson regression of the counts unable to care for themselves on the
group's mid-age with log(persons) as offset (maximum likelihood for ``log p = a + b·age``), then
evaluated at the mid-age of each older group (77.5, 82.5; 87.5 for the open group 85+). The
scenario parameter ``beds.disability_prevalence_pct`` holds the resulting schedule; a test
checks that it equals :func:`proxy_schedule` so the YAML cannot drift from the method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.loaders import load_disability
from ..errors import AnalysisError

PROXY_GEOGRAPHY = "Shanghai (镇 town part only) - PROXY"
SEXES = ("male", "female")
SEVERITY_PREFIX = {"severe": "unable_to_care_for_self", "moderate": "unhealthy_but_self_caring"}
GROUP_WIDTH = 5
FIRST_AGE = 60
OPEN_GROUP_MID_OFFSET = 2.5  # 85+ evaluated at 87.5, like a closed 5-year group


def group_labels(n_groups: int, first_age: int = FIRST_AGE) -> list[str]:
    """Labels of ``n_groups`` 5-year groups from ``first_age``; the last one is open: '85+'."""
    starts = first_age + GROUP_WIDTH * np.arange(n_groups)
    return [f"{s}-{s + GROUP_WIDTH - 1}" for s in starts[:-1]] + [f"{starts[-1]}+"]


def proxy_table(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The observed proxy groups: age_group, first_age, persons, unable (persons), prevalence_pct."""
    frame = load_disability() if frame is None else frame
    proxy = frame[frame["geography"] == PROXY_GEOGRAPHY]
    rows = []
    for ind in proxy["indicator"]:
        if not ind.startswith("unable_to_care_for_self_") or ind.endswith("60+"):
            continue
        group = ind.rsplit("_", 1)[1]
        if ind != f"unable_to_care_for_self_{group}":
            continue  # the by-sex rows (schedule_by_sex reads them)
        pop = proxy.loc[proxy["indicator"] == f"pop_60plus_in_age_group_{group}", "value"]
        unable = proxy.loc[proxy["indicator"] == ind, "value"]
        if len(pop) != 1:
            raise AnalysisError(f"disability_prevalence.csv: missing figure pop_60plus_in_age_group_{group}")
        rows.append(
            {
                "age_group": group,
                "first_age": int(group.split("-")[0]),
                "persons": float(pop.iloc[0]),
                "unable": float(unable.iloc[0]),
            }
        )
    table = pd.DataFrame(rows).sort_values("first_age", ignore_index=True)
    table["prevalence_pct"] = 100.0 * table["unable"] / table["persons"]
    return table


def fit_log_linear(mid_ages, unable, persons) -> tuple[float, float]:
    """Maximum-likelihood ``(a, b)`` of ``log p(age) = a + b·age`` from counts (Poisson, log offset)."""
    mid_ages = np.asarray(mid_ages, dtype=float)
    unable = np.asarray(unable, dtype=float)
    persons = np.asarray(persons, dtype=float)
    if len(mid_ages) < 2:
        raise AnalysisError("a log-linear fit of prevalence on age needs at least two age groups")
    import statsmodels.api as sm  # imported here: only the fit needs it

    model = sm.GLM(unable, sm.add_constant(mid_ages), family=sm.families.Poisson(), offset=np.log(persons))
    a, b = model.fit().params
    return float(a), float(b)


def proxy_schedule(n_groups: int = 6, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Prevalence (percent) by 5-year group 60-64 … open group: observed where the proxy has it,
    log-linear extrapolation above (capped at 100 %).

    Returns age_group, prevalence_pct, basis ('observed (Shanghai 2010 proxy)' or 'estimated:
    log-linear extrapolation').
    """
    table = proxy_table(frame)
    a, b = fit_log_linear(table["first_age"] + GROUP_WIDTH / 2, table["unable"], table["persons"])
    labels = group_labels(n_groups)
    starts = FIRST_AGE + GROUP_WIDTH * np.arange(n_groups)
    fitted = np.minimum(100.0, 100.0 * np.exp(a + b * (starts + OPEN_GROUP_MID_OFFSET)))
    observed = dict(zip(table["first_age"], table["prevalence_pct"]))
    values = [observed.get(s, f) for s, f in zip(starts, fitted)]
    basis = [
        "observed (Shanghai 2010 proxy)" if s in observed else "estimated: log-linear extrapolation" for s in starts
    ]
    return pd.DataFrame({"age_group": labels, "prevalence_pct": values, "basis": basis})


def by_single_age(schedule_pct, n_ages: int = 101, first_age: int = FIRST_AGE) -> np.ndarray:
    """A 5-year schedule (percent) as a fraction per single age 0…n_ages-1 (0 below ``first_age``;
    the last group covers every older age)."""
    schedule = np.asarray(schedule_pct, dtype=float) / 100.0
    ages = np.arange(n_ages)
    group = np.clip((ages - first_age) // GROUP_WIDTH, 0, len(schedule) - 1)
    return np.where(ages >= first_age, schedule[group], 0.0)


def sex_severity_table(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observed proxy counts by sex and severity: sex, severity, age_group, first_age, persons, cases."""
    frame = load_disability() if frame is None else frame
    proxy = frame[frame["geography"] == PROXY_GEOGRAPHY].set_index("indicator")["value"]
    rows = []
    for sex in SEXES:
        for severity, prefix in SEVERITY_PREFIX.items():
            for ind in proxy.index:
                head = f"{prefix}_{sex}_"
                if not ind.startswith(head):
                    continue
                group = ind[len(head) :]
                pop_key = f"pop_60plus_in_age_group_{sex}_{group}"
                if pop_key not in proxy.index:
                    raise AnalysisError(f"disability_prevalence.csv: missing figure {pop_key}")
                rows.append(
                    {
                        "sex": sex,
                        "severity": severity,
                        "age_group": group,
                        "first_age": int(group.split("-")[0]),
                        "persons": float(proxy[pop_key]),
                        "cases": float(proxy[ind]),
                    }
                )
    if not rows:
        raise AnalysisError("disability_prevalence.csv: no by-sex rows of the proxy")
    return pd.DataFrame(rows).sort_values(["sex", "severity", "first_age"], ignore_index=True)


def schedule_by_sex(n_groups: int = 6, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Prevalence (percent) by sex, severity and 5-year group 60-64 … open group (ESTIMATE above 75).

    Observed where the proxy has the group; above it, the log-linear Poisson fit of
    :func:`fit_log_linear` on that sex and severity, evaluated at the group's mid-age (87.5 for
    85+). Severe + moderate are capped at 100 % (moderate is reduced first). Columns: sex,
    severity, age_group, prevalence_pct, basis.
    """
    table = sex_severity_table(frame)
    labels = group_labels(n_groups)
    starts = FIRST_AGE + GROUP_WIDTH * np.arange(n_groups)
    out = []
    for sex in SEXES:
        values = {}
        for severity in SEVERITY_PREFIX:
            obs = table[(table["sex"] == sex) & (table["severity"] == severity)]
            a, b = fit_log_linear(obs["first_age"] + GROUP_WIDTH / 2, obs["cases"], obs["persons"])
            fitted = 100.0 * np.exp(a + b * (starts + OPEN_GROUP_MID_OFFSET))
            observed = dict(zip(obs["first_age"], 100.0 * obs["cases"] / obs["persons"]))
            values[severity] = (
                np.array([observed.get(s, f) for s, f in zip(starts, fitted)]),
                [s in observed for s in starts],
            )
        severe = np.minimum(values["severe"][0], 100.0)
        moderate = np.minimum(values["moderate"][0], 100.0 - severe)
        for severity, vals in (("severe", severe), ("moderate", moderate)):
            for label, v, seen in zip(labels, vals, values[severity][1]):
                out.append(
                    {
                        "sex": sex,
                        "severity": severity,
                        "age_group": label,
                        "prevalence_pct": float(v),
                        "basis": "observed (Shanghai 2010 proxy)" if seen else "estimated: log-linear extrapolation",
                    }
                )
    return pd.DataFrame(out)


ADL_GEOGRAPHY = "China"
ADL_YEAR = 2006
ADL_GROUPS = {"60-69": 64.5, "70-79": 74.5, "80+": 85.0}
"""CHNS 2006 age groups and the mid-age each is fitted at (80+ at 85: an ASSUMPTION, about the mean
age of persons aged 80 and over)."""


def adl_table(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """CHNS 2006 basic-ADL disability by age group: age_group, mid_age, persons, cases, prevalence_pct."""
    frame = load_disability() if frame is None else frame
    rows = frame[(frame["geography"] == ADL_GEOGRAPHY) & (frame["year"] == ADL_YEAR)].set_index("indicator")["value"]
    out = []
    for group, mid in ADL_GROUPS.items():
        keys = (f"chns_adl_sample_persons_{group}", f"chns_adl_disabled_{group}")
        missing = [k for k in keys if k not in rows.index]
        if missing:
            raise AnalysisError(f"disability_prevalence.csv: missing figure {missing[0]} ({ADL_GEOGRAPHY} {ADL_YEAR})")
        out.append({"age_group": group, "mid_age": mid, "persons": float(rows[keys[0]]), "cases": float(rows[keys[1]])})
    table = pd.DataFrame(out)
    table["prevalence_pct"] = 100.0 * table["cases"] / table["persons"]
    return table


def adl_schedule(n_groups: int = 6, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """ADL-based prevalence by sex, severity and 5-year group (ESTIMATE), columns as :func:`schedule_by_sex`.

    Level and age shape: the CHNS 2006 basic-ADL disability rates (national; 60–69, 70–79, 80+)
    through a log-linear Poisson fit evaluated at each 5-year group's mid-age (87.5 for 85+),
    the same for both sexes. Split into severities by the Shanghai 2010 census proxy: severe =
    ADL × 生活不能自理 / (生活不能自理 + 不健康但能自理) of that sex and group, moderate = the rest.
    """
    adl = adl_table(frame)
    a, b = fit_log_linear(adl["mid_age"], adl["cases"], adl["persons"])
    starts = FIRST_AGE + GROUP_WIDTH * np.arange(n_groups)
    total = np.minimum(100.0, 100.0 * np.exp(a + b * (starts + OPEN_GROUP_MID_OFFSET)))
    split = schedule_by_sex(n_groups, frame).set_index(["sex", "severity", "age_group"])["prevalence_pct"]
    labels = group_labels(n_groups)
    out = []
    for sex in SEXES:
        severe = np.array([split[(sex, "severe", g)] for g in labels])
        moderate = np.array([split[(sex, "moderate", g)] for g in labels])
        share = np.divide(severe, severe + moderate, out=np.zeros_like(severe), where=(severe + moderate) > 0)
        for severity, values in (("severe", total * share), ("moderate", total * (1 - share))):
            for g, v in zip(labels, values):
                out.append(
                    {
                        "sex": sex,
                        "severity": severity,
                        "age_group": g,
                        "prevalence_pct": float(v),
                        "basis": "estimated: CHNS 2006 ADL level, Shanghai 2010 severity split",
                    }
                )
    return pd.DataFrame(out)

"""Users of institutional elder care, then beds: the cell-based method of long-term-care planners.

Method (PSSRU/CPEC, Wittenberg et al.; ``../shared/DESIGN.md`` "Care demand: users first")::

    prevalent(s)   = Σ_age,sex elderly(age, sex) × prevalence(s, age, sex)          persons
    users(s)       = k × w(s) × prevalent(s)                                         persons
    k              : calibrated per unit so that Σ_s users(s) in the base year
                     = bed stock × observed occupancy (today's residents)
    beds needed    = Σ_s users(s) ÷ target occupancy
    nursing needed = users(severe) ÷ target occupancy

Severity levels (``SEVERITIES``): ``severe`` = 生活不能自理 (cannot care for self), ``moderate`` =
不健康但生活能自理 (unhealthy but self-caring). ``w(s)`` are the *relative* institutional use rates
per person by severity (``beds.use_rate_relative``, an assumption: only their ratio matters, the
level is calibrated). So the base year reproduces today's residents exactly, and later years grow
with the severity-weighted elderly population — not with the observed occupancy.

Prevalence schedules (``beds.prevalence_schedule``)

- ``adl_chns2006`` (default): the level and age shape of basic-ADL disability from the China Health
  and Nutrition Survey 2006 (national; Liang et al. 2015, Table 2: 60–69, 70–79, 80+), fitted
  log-linearly to 5-year groups, split into the two severities by sex with the Shanghai 2010
  census shares (:func:`analysis.services.prevalence.adl_schedule`, an ESTIMATE).
- ``sex_severity``: both severities by sex, observed 60–74 in the Shanghai 2010 census (镇,
  表8-2b; a PROXY for Quanzhou), extended above 75 by a log-linear Poisson fit per sex and
  severity (:func:`analysis.services.prevalence.schedule_by_sex`).
- ``single``: the earlier schedule ``beds.disability_prevalence_pct`` (both sexes, severe only).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..demography.result import N_AGES, ProjectionResult
from . import prevalence

SEVERITIES = ("severe", "moderate")
SCHEDULES = ("adl_chns2006", "sex_severity", "single")


def grouped_schedule(schedule: str):
    """The grouped prevalence table (sex × severity × 5-year group from 60, ``prevalence_pct`` in
    percent) behind a ``beds.prevalence_schedule``: the CHNS 2006 ADL schedule for ``adl_chns2006``,
    the Shanghai 2010 census proxy by sex and severity otherwise (``single`` uses it only for its
    table in notebook 02: its prevalence is the scenario's own percentages)."""
    return prevalence.adl_schedule() if schedule == "adl_chns2006" else prevalence.schedule_by_sex()


def prevalence_array(schedule: str, single_pct=None, n_ages: int = N_AGES) -> np.ndarray:
    """Prevalence as a fraction, array (severity, sex, age); sex 0 = male, 1 = female.

    ``single``: ``single_pct`` (5-year groups from 60, percent) as severe for both sexes, no
    moderate level.
    """
    out = np.zeros((len(SEVERITIES), 2, n_ages))
    if schedule == "single":
        out[0, :, :] = prevalence.by_single_age(single_pct, n_ages)[None, :]
        return out
    table = grouped_schedule(schedule)
    for i, sev in enumerate(SEVERITIES):
        for j, sex in enumerate(prevalence.SEXES):
            rows = table[(table["severity"] == sev) & (table["sex"] == sex)]
            out[i, j] = prevalence.by_single_age(rows["prevalence_pct"].to_numpy(), n_ages)
    return out


def prevalent_persons(population: np.ndarray, prev: np.ndarray) -> np.ndarray:
    """Persons in each severity: (draw, year, unit, severity) from population (d, t, u, sex, age)."""
    return np.einsum("dtuxa,sxa->dtus", population, prev)


def calibrated_users(
    prevalent: np.ndarray, residents_base: np.ndarray, base_index: int, relative_use: np.ndarray
) -> np.ndarray:
    """Users by severity (d, t, u, s) with the base year equal to ``residents_base`` (d, u).

    ``k = residents_base / Σ_s w(s) prevalent(base, s)``; a unit without any prevalent person in
    the base year has no users (k = 0), never a division by zero.
    """
    w = np.asarray(relative_use, dtype=float)
    weighted = prevalent * w[None, None, None, :]
    base = weighted[:, base_index].sum(axis=-1)  # (d, u)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # tiny test populations
        k = np.where(base > 0, residents_base / np.where(base > 0, base, 1.0), 0.0)
    return weighted * k[:, None, :, None]


def use_rates_pct(users: np.ndarray, prevalent: np.ndarray, base_index: int) -> np.ndarray:
    """Calibrated institutional use rate by severity in the base year, percent (d, u, s)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            prevalent[:, base_index] > 0,
            100.0 * users[:, base_index] / np.where(prevalent[:, base_index] > 0, prevalent[:, base_index], 1.0),
            0.0,
        )


def need_arrays(
    result: ProjectionResult, p: Mapping[str, Any], residents_base: np.ndarray, base_index: int
) -> dict[str, np.ndarray]:
    """Users and need-view beds per (draw, year, unit) — units only, no city column.

    ``p``: the checked ``beds.*`` parameters; ``residents_base``: (d, u) residents in the base year.
    """
    prev = prevalence_array(
        p["beds.prevalence_schedule"], p["beds.disability_prevalence_pct"], result.population.shape[-1]
    )
    prevalent = prevalent_persons(result.population, prev)
    rel = p["beds.use_rate_relative"]
    w = np.array([float(rel[s]) for s in SEVERITIES])
    users = calibrated_users(prevalent, residents_base, base_index, w)
    target = p["beds.target_occupancy_pct"] / 100.0
    return {
        "disabled_elderly": prevalent.sum(axis=-1),
        "disabled_elderly_severe": prevalent[..., 0],
        "care_users": users.sum(axis=-1),
        "care_users_severe": users[..., 0],
        "beds_need_view": users.sum(axis=-1) / target,
        "nursing_beds_need_view": users[..., 0] / target,
    }

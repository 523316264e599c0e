"""Social-work workforce (社会工作) requirements per unit and year, and which ratio binds.

From a :class:`~analysis.demography.result.ProjectionResult` (either base; ``frame.attrs['base']``):

- ``certified_social_workers_required`` = certified social workers per 10,000 residents ×
  population / 10,000: 10 by 2025 (社会工作和志愿服务 section, line 409; 专栏7 item 3, line 415:
  "到2025年，全市力争实现每万人拥有持证社工10人"). No target before 2025 (missing).
- ``certified_social_workers_path``: from the 2020 count (2,620, 第一章第一节 line 16) linearly to
  the 2025 requirement, then the requirement; ``certified_social_workers_additions`` = its
  year-on-year increase (net additions, before attrition). The 2020 count is allocated to units
  by their share of the population in 2020 (ESTIMATE: no county counts are published).
- ``social_work_talent_required`` = 1.6 ‰ (2020) → 2.1 ‰ (2025) of the population (专栏2 row 13).
- ``social_workers_for_elderly_required`` = 1 per 1,000 elderly (60+) and
  ``social_workers_for_beds_required`` = 1 per 100 elder-care beds: the plan's 养老服务 chapter,
  加强养老人才队伍建设 (line 472): "推动实现每千名老年人、每百张养老床位配备1名社会工作者" — a
  推动 (aspiration) without a year or a 专栏 entry; set either ratio to 0 to switch it off. Beds are
  the estimated stock or the ratio-view requirement (``workforce.beds_basis``).
- ``social_workers_binding_required`` = per unit the largest of the certified path, the elderly
  ratio and the bed ratio (per draw); :func:`binding_ratio` names the one that binds.
- ``assistance_coordinators_required``: 社会救助协管员 by township population band (第二章第二节,
  line 349); township counts and sizes are ESTIMATES (:mod:`analysis.services.townships`).
  The bands are defined on the registered population; with a resident-base projection the
  resident population stands in for it (said in ``notes``).
- ``volunteers_required`` = registered volunteers above 18 % of the population by 2025 (line 412).

Ratios after their last given year stay at that value (2025 for the plan).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..data.loaders import plan_target
from ..demography.result import ProjectionResult
from ..errors import ParameterError
from ..notes import note
from ..scenarios import Rule, Scenario
from ..tidy import concat
from . import beds as beds_model
from . import townships as township_model
from .unit_arrays import (
    ELDERLY_AGE,
    anchor_index,
    parameters,
    persons,
    ratio_path,
    scenario_name,
    shares_in_year,
    tidy_units,
    with_city,
)

PARAMETER_RULES: dict[str, Rule] = {
    "workforce.certified_per_10k": Rule(
        0,
        10_000,
        kind="mapping",
        description=("certified social workers per 10,000 population, by year (plan: 10 by 2025)"),
    ),
    "workforce.talent_per_mille": Rule(
        0, 1000, kind="mapping", description=("social-work talent per 1,000 population, by year (专栏2 row 13)")
    ),
    "workforce.social_workers_per_1000_elderly": Rule(
        0, 1000, description=("social workers per 1,000 persons aged 60+ (0 switches the ratio off)")
    ),
    "workforce.social_workers_per_100_beds": Rule(
        0, 100, description=("social workers per 100 elder-care beds (0 switches the ratio off)")
    ),
    "workforce.beds_basis": Rule(
        kind="str",
        choices=("stock", "required"),
        description=("beds the per-100-beds ratio applies to: estimated stock or ratio-view requirement"),
    ),
    "workforce.coordinator_band_limits": Rule(
        0, 10_000_000, kind="list", description=("registered-population limits (persons) of the township bands")
    ),
    "workforce.coordinators_per_band": Rule(
        0, 100, kind="list", description=("coordinators per township in each band (one more value than limits)")
    ),
    "workforce.volunteer_share_pct": Rule(
        0,
        100,
        kind="mapping",
        description=("registered volunteers, percent of the population, by year (plan: above 18 % by 2025)"),
    ),
}

COUNT_YEAR = 2020
COUNT_TARGET_ID = "certified_social_workers"
TOWNSHIPS_TARGET_ID = "township_social_work_stations"  # 163 乡镇（街道）社会工作服务站 = 163 乡镇（街道）

#: The indicators of the workforce model, in table order (reader names: :mod:`analysis.catalogue`).
INDICATORS = (
    "certified_social_workers_required",
    "certified_social_workers_path",
    "certified_social_workers_additions",
    "social_work_talent_required",
    "social_workers_for_elderly_required",
    "social_workers_for_beds_required",
    "social_workers_binding_required",
    "assistance_coordinators_required",
    "townships_estimated",
    "volunteers_required",
)

BINDING_CANDIDATES = {
    "certified_social_workers_path": "每万人持证社工（达标路径）",
    "social_workers_for_elderly_required": "每千名老年人1名社工",
    "social_workers_for_beds_required": "每百张养老床位1名社工",
}

_MEASURES = {name: "persons" for name in INDICATORS}
_MEASURES["townships_estimated"] = "townships"


def workforce_parameters(scenario: Scenario | str | Mapping[str, Any]) -> dict[str, Any]:
    """The ``workforce.*`` parameters of a scenario, checked (ParameterError names a bad one)."""
    return parameters(scenario, PARAMETER_RULES)


def certified_path(required: np.ndarray, count_2020: np.ndarray, years, target_year: int) -> np.ndarray:
    """On-track path of certified social workers: the 2020 count, linear to the requirement of
    ``target_year``, then the requirement. (draw, year, unit) persons; NaN where undefined
    (before 2020, or when 2020 or the target year is outside the projection)."""
    years = np.asarray(years, dtype=int)
    path = np.full(required.shape, np.nan)
    hits = np.flatnonzero(years == target_year)
    if COUNT_YEAR not in years or not len(hits):
        return path
    end = required[:, hits[0], :]  # (d, u)
    frac = (years - COUNT_YEAR) / (target_year - COUNT_YEAR)
    between = (years >= COUNT_YEAR) & (years < target_year)
    path[:, between, :] = count_2020[:, None, :] + frac[between][None, :, None] * (end - count_2020)[:, None, :]
    path[:, years >= target_year, :] = required[:, years >= target_year, :]
    return path


def workforce_arrays(result: ProjectionResult, scenario: Scenario | str | Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Every workforce quantity per draw as (draw, year, unit+city) persons (townships: (year, unit+city))."""
    p = workforce_parameters(scenario)
    years = result.years
    pop = persons(result)  # (d, t, u)
    elderly = persons(result, ELDERLY_AGE)

    per_10k = ratio_path("workforce.certified_per_10k", p["workforce.certified_per_10k"], years)
    required = per_10k[None, :, None] * pop / 10_000.0
    target_year = int(min(int(str(k)) for k in p["workforce.certified_per_10k"]))
    share_pop = shares_in_year(pop, anchor_index(result, COUNT_YEAR))
    count_2020 = plan_target(COUNT_TARGET_ID, COUNT_YEAR) * share_pop  # (d, u)
    path = certified_path(required, count_2020, years, target_year)
    additions = np.full(path.shape, np.nan)
    additions[:, 1:, :] = np.diff(path, axis=1)

    talent = (
        ratio_path("workforce.talent_per_mille", p["workforce.talent_per_mille"], years)[None, :, None] * pop / 1000.0
    )
    for_elderly = p["workforce.social_workers_per_1000_elderly"] * elderly / 1000.0
    bed_arrays = beds_model.bed_arrays(result, scenario)
    basis = "bed_stock" if p["workforce.beds_basis"] == "stock" else "beds_required"
    for_beds = p["workforce.social_workers_per_100_beds"] * bed_arrays[basis][..., :-1] / 100.0
    binding = np.fmax(np.fmax(path, for_elderly), for_beds)  # NaN only where all three are missing

    n_town = township_model.allocate_townships(
        pop[:, anchor_index(result, COUNT_YEAR), :].mean(axis=0), int(plan_target(TOWNSHIPS_TARGET_ID))
    )
    limits, per_band = p["workforce.coordinator_band_limits"], p["workforce.coordinators_per_band"]
    if len(per_band) != len(limits) + 1:
        raise ParameterError(
            "workforce.coordinators_per_band",
            per_band,
            f"{len(limits) + 1} values (one more than workforce.coordinator_band_limits)",
        )
    coordinators = township_model.coordinators_required(pop, n_town, limits, per_band)
    volunteers = (
        ratio_path("workforce.volunteer_share_pct", p["workforce.volunteer_share_pct"], years)[None, :, None]
        * pop
        / 100.0
    )

    return {
        "certified_social_workers_required": with_city(required),
        "certified_social_workers_path": with_city(path),
        "certified_social_workers_additions": with_city(additions),
        "social_work_talent_required": with_city(talent),
        "social_workers_for_elderly_required": with_city(for_elderly),
        "social_workers_for_beds_required": with_city(for_beds),
        "social_workers_binding_required": with_city(binding),
        "assistance_coordinators_required": with_city(coordinators),
        "townships_estimated": np.tile(np.append(n_town, n_town.sum()).astype(float), (len(years), 1)),
        "volunteers_required": with_city(volunteers),
    }


def workforce_requirements(result: ProjectionResult, scenario: Scenario | str | Mapping[str, Any]) -> pd.DataFrame:
    """Social-work workforce requirements per unit (and the city) and year.

    Parameters
    ----------
    result : ProjectionResult
    scenario : Scenario, scenario name, or mapping of the dotted ``workforce.*`` and ``beds.*``
        parameters (the per-100-beds ratio needs the beds).

    Returns
    -------
    DataFrame
        Tidy long format; all quantities in persons (``townships_estimated`` in townships);
        percentiles across draws. The city of every quantity is the sum of the units draw by
        draw (``social_workers_binding_required`` of the city = what every unit meeting its own
        binding ratio adds up to). ``frame.attrs``: ``base``, ``scenario``, ``notes``.
    """
    arrays = workforce_arrays(result, scenario)
    frames = [tidy_units(result.unit_ids, result.years, name, arrays[name], _MEASURES[name]) for name in INDICATORS]
    frame = concat(frames)
    notes = list(NOTES)
    if result.base == "resident":
        notes.append(note("township_resident"))
    frame.attrs.update(base=result.base, scenario=scenario_name(scenario), notes=notes)
    return frame


NOTES = [
    note("social_workers_allocated", n=2620),
    note("townships", n=163),
    note("one_per_thousand"),
    note("ratios_hold"),
]


def binding_ratio(frame: pd.DataFrame) -> pd.DataFrame:
    """Which social-worker ratio binds (gives the largest requirement, medians) per unit and year.

    Returns unit_id, year, binding (indicator), binding_zh, required (persons, p50) and the
    three candidates' medians. Rows where every candidate is missing have ``binding`` <NA>.
    """
    rows = frame[frame["indicator"].isin(list(BINDING_CANDIDATES))]
    wide = rows.pivot_table(index=["unit_id", "year"], columns="indicator", values="p50", dropna=False)
    wide = wide.reindex(columns=list(BINDING_CANDIDATES))
    has_any = wide.notna().any(axis=1)
    binding = pd.Series(pd.NA, index=wide.index, dtype="object")
    binding[has_any] = wide[has_any].idxmax(axis=1, skipna=True)
    out = wide.copy()
    out.insert(0, "binding", binding)
    out.insert(1, "binding_zh", binding.map(BINDING_CANDIDATES))
    out.insert(2, "required", wide.max(axis=1, skipna=True))
    return out.reset_index()

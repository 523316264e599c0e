"""National single-year age shapes built from birth cohorts, not from smoothing.

UN WPP 2019 gives China's population only in 5-year groups. A smooth graduation (PCHIP through
the cumulative counts, :func:`pchip_shape`) erases what happened between single birth years:
the famine trough of 1959–61 (20.3, 19.3, 16.9 million births) and the boom of 1962–63 (26.8,
33.5 million) fall into the same groups, so a smooth curve puts roughly average cohorts where
the real ones differ by a factor of two. Those cohorts turn 60 in 2019–2025, the plan period.

:func:`cohort_shape` keeps each WPP group total and splits it over its single ages **in
proportion to the surviving birth cohorts**: births in each calendar year (UN WPP 2024,
``wpp2024_china_births_by_year.csv``) × survival from birth to the age (national life table of
the year, :func:`national_mx`). Where a cohort was born before 1950 (no births series) the split
follows survival alone. The shape at another date is the anchor moved along cohorts
(:func:`move_along_cohorts`): persons aged *a* at time *t* were aged *a − Δ* at the anchor and
survived Δ years.

Dates are decimal years of an exact moment: ``2020.5`` is mid-2020 (the WPP date), ``2018.0``
the end of 2017 (31 December, the date of registry year-end figures), ``2020 + 10/12`` the census
moment 1 November 2020.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ...data import loaders
from ...data.base_tables import N_AGES, SEXES
from ...errors import AnalysisError
from .. import lifetable

#: WPP 2019 estimates exist for these mid-years (``wpp2019_china_population_age5_sex.csv``).
WPP_YEARS = (2015, 2020)


def national_mx(year: int) -> np.ndarray:
    """National death rates m(sex, age) of ``year`` (deaths per person-year), shape (2, 101).

    The UN WPP 2022 standard schedule levelled to the WPP life expectancy of ``year`` (2010–2060)
    by one proportional-hazards factor per sex.
    """
    year = int(min(max(year, 2010), 2060))
    std = lifetable.standard_mx([year])                                    # (1, 2, A)
    k = lifetable.solve_hazard_factor(std, lifetable.e0_path([year]))      # (1, 2)
    return std[0] * k[0][:, None]


def births_by_year() -> dict[int, float]:
    """China's births per calendar year, persons (UN WPP 2024 estimates)."""
    frame = loaders.load_wpp_births()
    return {int(y): float(v) * 1000.0 for y, v in zip(frame["year"], frame["value"])}


def _groups(sex: str, year: int) -> list[tuple[int, int | None, float]]:
    from ..graduation import parse_age_group

    wpp = loaders.load_wpp_population()
    sel = wpp[(wpp["sex"] == sex) & (wpp["year"] == year)]
    if sel.empty:
        raise AnalysisError(f"wpp2019_china_population_age5_sex.csv has no {sex} {year}")
    return [(*parse_age_group(g), float(v) * 1000.0) for g, v in zip(sel["age_group"], sel["value"])]


def pchip_shape(year: int) -> np.ndarray:
    """WPP 2019 China mid-``year`` population by sex × single age, graduated smoothly (PCHIP).

    The earlier method, kept for comparison and for the spread between base methods.
    """
    from ..graduation import graduate_groups

    wpp = loaders.load_wpp_population()
    out = np.empty((2, N_AGES))
    for s, sex in enumerate(SEXES):
        sel = wpp[(wpp["sex"] == sex) & (wpp["year"] == year)]
        if sel.empty:
            raise AnalysisError(f"wpp2019_china_population_age5_sex.csv has no {sex} {year}")
        out[s] = graduate_groups(sel["age_group"].tolist(), sel["value"].to_numpy() * 1000.0)
    return out


@lru_cache(maxsize=4)
def _anchor(year: int) -> np.ndarray:
    births = births_by_year()
    lx = lifetable.life_table(national_mx(year))["l"]                      # (2, 101)
    mid_l = 0.5 * (lx[:, :-1] + lx[:, 1:])                                 # survival to age a + ½
    out = np.zeros((2, N_AGES))
    for s, sex in enumerate(SEXES):
        for first, last, total in _groups(sex, year):
            if last is None or first >= N_AGES - 1:
                out[s, min(first, N_AGES - 1)] += total
                continue
            ages = np.arange(first, last + 1)
            # persons aged a at mid-year were born in the second half of year − a − 1 or the first of year − a
            cohort = np.array([0.5 * (births.get(year - a - 1, np.nan) + births.get(year - a, np.nan))
                               for a in ages])
            weight = mid_l[s, ages] * (cohort if np.all(np.isfinite(cohort)) else 1.0)
            out[s, ages] = total * weight / weight.sum()
    return out


def anchor_shape(year: int) -> np.ndarray:
    """China at mid-``year`` (2015 or 2020) by sex × single age: WPP 2019 group totals split in
    proportion to surviving birth cohorts (persons)."""
    if year not in WPP_YEARS:
        raise AnalysisError(f"no WPP 2019 population for {year}; have {WPP_YEARS}")
    return _anchor(int(year)).copy()


def move_along_cohorts(population: np.ndarray, delta: float, mx: np.ndarray,
                       newborn_per_birth: np.ndarray | None = None, anchor_time: float | None = None) -> np.ndarray:
    """Move a single-age population (2, 101) by ``delta`` years along its cohorts.

    Persons aged *a* after the move were aged *a − Δ* before (linear interpolation between the
    single-age bins, which is how completed ages mix two cohorts when Δ is not whole) and survive
    ``exp(−m(a) Δ)`` (Δ < 0 moves back and divides by it). For ages younger than Δ (born after the
    anchor) persons are births of that year × ``newborn_per_birth`` (2,) (persons aged 0 per birth
    at the anchor), needing ``anchor_time``. The open age 100+ keeps its survivors.
    """
    pop = np.asarray(population, dtype=float)
    ages = np.arange(N_AGES, dtype=float)
    src = ages - delta
    out = np.empty_like(pop)
    for s in range(2):
        out[s] = np.interp(src, ages, pop[s], left=np.nan, right=pop[s, -1])
    out *= np.exp(-np.asarray(mx) * delta)
    young = src < 0
    if young.any():
        if newborn_per_birth is None or anchor_time is None:
            raise AnalysisError("moving forward past the anchor needs births (newborn_per_birth, anchor_time)")
        births = births_by_year()
        for a in np.flatnonzero(young):
            born = int(np.floor(anchor_time + delta - a - 0.5))
            if born not in births:
                raise AnalysisError(f"no WPP births for {born}")
            out[:, a] = births[born] * np.asarray(newborn_per_birth)
    return out


def cohort_shape(time: float) -> np.ndarray:
    """China by sex × single age at the exact date ``time`` (decimal year), persons.

    The nearer WPP anchor (mid-2015 or mid-2020, :func:`anchor_shape`) moved along cohorts with
    the national death rates of the years in between (:func:`move_along_cohorts`). Valid for
    2010–2024 (WPP 2024 births end in 2023).
    """
    anchor_year = 2015 if time < 2018.0 else 2020
    anchor = anchor_shape(anchor_year)
    t0 = anchor_year + 0.5
    delta = float(time) - t0
    if abs(delta) < 1e-9:
        return anchor
    mx = national_mx(int(np.floor(min(time, t0) + 0.5 * abs(delta))))
    births = births_by_year()
    per_birth = anchor[:, 0] / (0.5 * (births[anchor_year - 1] + births[anchor_year]))
    return move_along_cohorts(anchor, delta, mx, per_birth, t0)

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
follows survival alone. The anchor is held as half-year birth cohorts; the shape at another date
moves each cohort along its own line (persons born at *b* are aged *t − b* at *t* and survived
*t − t₀* years) and counts completed ages, so at a year-end each age is exactly one birth year.

Dates are decimal years of an exact moment: ``2020.5`` is mid-2020 (the WPP date), ``2018.0``
the end of 2017 (31 December, the date of registry year-end figures), ``2020 + 10/12`` the census
moment 1 November 2020.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ...data import loaders
from ...data.base_tables import N_AGES, SEXES
from ...data.graduation import graduate_groups, parse_age_group
from ...errors import AnalysisError
from .. import lifetable

#: The open age group 100+ is held as single-year cohorts up to this many years past 100.
OPEN_AGE_SPREAD = 10
#: WPP 2019 estimates exist for these mid-years (``wpp2019_china_population_age5_sex.csv``).
WPP_YEARS = (2015, 2020)


def national_mx(year: int) -> np.ndarray:
    """National death rates m(sex, age) of ``year`` (deaths per person-year), shape (2, 101).

    The UN WPP 2022 standard schedule levelled to the WPP life expectancy of ``year`` (2010–2060)
    by one proportional-hazards factor per sex.
    """
    year = int(min(max(year, 2010), 2060))
    std = lifetable.standard_mx([year])  # (1, 2, A)
    k = lifetable.solve_hazard_factor(std, lifetable.e0_path([year]))  # (1, 2)
    return std[0] * k[0][:, None]


def births_by_year() -> dict[int, float]:
    """China's births per calendar year, persons (UN WPP 2024 estimates)."""
    frame = loaders.load_wpp_births()
    return {int(y): float(v) * 1000.0 for y, v in zip(frame["year"], frame["value"])}


def _groups(sex: str, year: int) -> list[tuple[int, int | None, float]]:
    wpp = loaders.load_wpp_population()
    sel = wpp[(wpp["sex"] == sex) & (wpp["year"] == year)]
    if sel.empty:
        raise AnalysisError(f"wpp2019_china_population_age5_sex.csv has no {sex} {year}")
    return [(*parse_age_group(g), float(v) * 1000.0) for g, v in zip(sel["age_group"], sel["value"])]


def pchip_shape(year: int) -> np.ndarray:
    """WPP 2019 China mid-``year`` population by sex × single age, graduated smoothly (PCHIP).

    The earlier method, kept for comparison and for the spread between base methods.
    """
    wpp = loaders.load_wpp_population()
    out = np.empty((2, N_AGES))
    for s, sex in enumerate(SEXES):
        sel = wpp[(wpp["sex"] == sex) & (wpp["year"] == year)]
        if sel.empty:
            raise AnalysisError(f"wpp2019_china_population_age5_sex.csv has no {sex} {year}")
        out[s] = graduate_groups(sel["age_group"].tolist(), sel["value"].to_numpy() * 1000.0)
    return out


@lru_cache(maxsize=4)
def _half_cohorts(year: int) -> tuple[np.ndarray, np.ndarray]:
    """China at mid-``year`` as half-year birth cohorts: (birth-interval starts (H,), persons (2, H)).

    At mid-year a completed age *a* holds the second half of birth year ``year − a − 1`` and the
    first half of ``year − a``. Each WPP 2019 group total is split over its half-year cohorts in
    proportion to half the births of the calendar year × survival to the cohort's mean age at the
    anchor (*a* + ¾ and *a* + ¼); where a group holds a cohort born before 1950 (no births series)
    the split follows survival alone. The open group (100+) is spread over ages 100–109 by the
    open-age death rate (so that a move back in time finds persons aged 98–99).
    """
    births = births_by_year()
    mx = national_mx(year)
    lx = lifetable.life_table(mx)["l"]  # (2, 101)
    grid = np.arange(N_AGES, dtype=float)
    oldest = N_AGES - 1 + OPEN_AGE_SPREAD
    starts = np.array([year - a - 0.5 for a in range(oldest)] + [year - a for a in range(oldest)])
    order = np.argsort(starts)
    starts = starts[order]
    pop = np.zeros((2, starts.size))
    old = np.arange(N_AGES - 1, oldest)
    old_halves = np.concatenate([year - old - 0.5, year - old.astype(float)])
    old_index = np.searchsorted(starts, old_halves)
    for s, sex in enumerate(SEXES):
        for first, last, total in _groups(sex, year):
            if last is None or first >= N_AGES - 1:
                old_age = np.concatenate([old + 0.75, old + 0.25]) - (N_AGES - 1)
                weight = np.exp(-mx[s, -1] * old_age)
                pop[s, old_index] += total * weight / weight.sum()
                continue
            ages = np.arange(first, min(last, N_AGES - 2) + 1)
            halves = np.concatenate([year - ages - 0.5, year - ages.astype(float)])
            mean_age = np.concatenate([ages + 0.75, ages + 0.25])
            cohort = np.array([0.5 * births.get(int(np.floor(b)), np.nan) for b in halves])
            weight = np.interp(mean_age, grid, lx[s]) * (cohort if np.all(np.isfinite(cohort)) else 0.5)
            index = np.searchsorted(starts, halves)
            pop[s, index] += total * weight / weight.sum()
    starts.setflags(write=False)  # cached: callers share these arrays
    pop.setflags(write=False)
    return starts, pop


def _completed_ages(starts: np.ndarray, pop: np.ndarray, time: float) -> np.ndarray:
    """Half-year cohorts (births spread evenly over each half year) counted by completed age at
    ``time``, (2, 101); ages 100 and over in the last bin."""
    out = np.zeros((2, N_AGES))
    low, high = time - starts - 0.5, time - starts  # the ages each cohort spans at ``time``
    for a in range(N_AGES - 1):
        share = np.clip(np.minimum(high, a + 1) - np.maximum(low, a), 0.0, 0.5) / 0.5
        out[:, a] = pop @ share
    share = np.clip(high - np.maximum(low, N_AGES - 1), 0.0, 0.5) / 0.5
    out[:, -1] = pop @ share
    return out


def _anchor(year: int) -> np.ndarray:
    starts, pop = _half_cohorts(year)
    return _completed_ages(starts, pop, year + 0.5)


def anchor_shape(year: int) -> np.ndarray:
    """China at mid-``year`` (2015 or 2020) by sex × single age: WPP 2019 group totals split in
    proportion to surviving birth cohorts (persons)."""
    if year not in WPP_YEARS:
        raise AnalysisError(f"no WPP 2019 population for {year}; have {WPP_YEARS}")
    return _anchor(int(year)).copy()


def cohort_shape(time: float) -> np.ndarray:
    """China by sex × single age at the exact date ``time`` (decimal year), persons.

    The nearer WPP anchor (mid-2015 or mid-2020) kept as half-year birth cohorts
    (:func:`_half_cohorts`), each moved to ``time`` with the national death rate of its age
    (``exp(−m Δ)``; Δ < 0 divides by it) and counted by completed age at ``time``. Cohorts born
    between the anchor and ``time`` are half the births of their year × the anchor's age-0 persons
    per birth. At a year-end (``2018.0``) every completed age is exactly one calendar birth year,
    so the famine trough (1961) and the boom (1962–63) stay as sharp as the births were; moving
    completed ages by interpolation between single-age bins would blur each cohort with its
    neighbours (¼, ½, ¼), filling the 1961 trough by 18 % (the earlier method). Valid for 2010–2024 (WPP 2024 births
    end in 2023).
    """
    anchor_year = 2015 if time < 2018.0 else 2020
    t0 = anchor_year + 0.5
    delta = float(time) - t0
    if abs(delta) < 1e-9:
        return anchor_shape(anchor_year)
    starts, pop = _half_cohorts(anchor_year)
    mx = national_mx(int(np.floor(min(time, t0) + 0.5 * abs(delta))))
    births = births_by_year()
    per_birth = _anchor(anchor_year)[:, 0] / (0.5 * (births[anchor_year - 1] + births[anchor_year]))
    age_then = np.clip(np.floor(t0 - starts - 0.25).astype(int), 0, N_AGES - 1)
    moved = pop * np.exp(-mx[:, age_then] * delta)
    # a cohort partly born by ``time`` counts for the part born: _completed_ages sees only ages ≥ 0
    if delta > 0:
        new = np.arange(t0, time, 0.5)
        if np.any(np.floor(new).astype(int) > max(births)):
            raise AnalysisError(f"no WPP births after {max(births)}")
        born = np.outer(per_birth, [0.5 * births[int(np.floor(b))] for b in new])
        starts, moved = np.concatenate([starts, new]), np.concatenate([moved, born], axis=1)
    return _completed_ages(starts, moved, time)

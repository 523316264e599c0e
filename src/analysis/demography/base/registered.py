"""The household-registered (户籍) base, rebuilt by cohort accounting from the registry's figures.

Published figures (``registered_elderly.csv``, ``plan_targets.csv``):

- end-2017: 60+ 1,015,000 (13.64 % of the registered population), 80+ 148,000 (news report of
  the civil-affairs bureau);
- the plan's 1.11 million 60+ (14.6 %). **Its date is end-2019**, not end-2020: 1.11 M / 14.6 %
  = 7.60 M, the registered total of end-2019 (760.70万; 1.11 M / 760.70万 = 14.59 %), while the
  end-2020 total (766.14万) would give 14.49 %. Cohort accounting agrees (below);
- registered totals, sex split and crude birth rates for 2015, 2018, 2019, 2020 (year-end).

Method (:func:`estimate_registered_2020`), all dates year-end (31 December):

1. **End-2017 structure.** The national single-age shape at that date
   (:func:`.cohort_shape.cohort_shape`: WPP groups split by surviving birth cohorts, each age one
   birth year at a year-end) fitted to the bands 0–59 / 60–79 / 80+ (total = 1,015,000 /
   13.64 %) with one factor per band for 0–59 and 80+ (:func:`.fitting.fit_bands`: nobody moves
   across 60 or 80, the edges the data define); inside 60–79 the ratio to the nation is linear in
   age and meets the 80+ ratio at 80 (:func:`continuous_at_80`, the default since 2026-12). One
   factor for 60–79 too (``ages_60_79="flat"``, the earlier default) left the cohorts aged 79 and
   80 with ratios 0.78 and 1.16, too few turning 80, and the 80+/60+ share falling from 14.6 %
   (end-2017) to 12.8 % (end-2020) while China's rose; the 60+ accounting below cannot choose
   between the two (their end-2019 gaps differ by 0.3 %, less than the rounding of the plan's
   111万). The spread between them is in the bands. Sex split: the 2015 and 2018 registered
   shares, interpolated (an estimate).
2. **Roll to end-2019** by cohort survival (national WPP m(x) of each year, the engine's life-table
   survival ratios) with births = registered crude birth rate × population. The 60+ it gives is
   the *accounting check* of the plan's anchor (:data:`ACCOUNTING_TOLERANCE`); 80+ is **carried
   forward by cohort survival**, not by a fixed 80+/60+ ratio.
3. **Anchor at end-2019**: 60+ = the plan's 1.11 M; 0–59 = total − 60+; 80+ as rolled; the shape
   inside each band is the rolled one; sex from the 2019 registered split.
4. **Roll to end-2020** (the base; the registered projection's years are year-ends) and fit the
   0–59 band and the sexes to the 2020 registered total and split (60+ stays as accounted).

A registered base at the **2010** census (the registered backtest, :mod:`analysis.demography.backtest_registered`)
cannot use steps 1–3: no registered age figure is dated by 2011. It is built from the 6th census
instead (:func:`city_registered_from_census`): the city's residents minus its net in-migrants, the
same rule the county split applies to a receiving unit.

Registered net transfers (户口迁移) are left out of steps 2 and 4 at ages 60+ (older people rarely
move their registration); the rest of the total change lands in 0–59 through the band fit.
The county split is :mod:`.registered_county`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...data import loaders
from ...data.base_tables import N_AGES
from ...errors import AnalysisError
from ...notes import Note, note
from .. import lifetable, migration
from ..oldest_old import anchor_open_age, city_centenarians_at
from .cohort_shape import cohort_shape, national_mx, pchip_shape
from .fitting import fit_bands
from .registered_county import registered_seed
from .seed import migrant_female_share, migrant_share_60plus

REGISTERED_BANDS = [(0, 59), (60, 79), (80, None)]
#: Largest accepted gap (share) between the 60+ rolled from end-2017 and the plan's anchor.
ACCOUNTING_TOLERANCE = 0.01
#: Date of the plan's "2020" figure (year-end): see the module docstring.
PLAN_ANCHOR_YEAR = 2019
#: Date of the registered base (31 December of this year).
BASE_YEAR = 2020
SHAPE_METHODS = ("cohort", "pchip")


def _fact(indicator: str, year: int) -> float:
    return loaders.fact(loaders.load_registered(), "泉州市", indicator, year)


def registered_total(year: int) -> float:
    """Registered population at the end of ``year``, persons (published, or 2017 derived from the
    published 60+ count and share)."""
    if year == 2017:
        return _fact("registered_pop_60plus", 2017) / (_fact("registered_share_60plus", 2017) / 100.0)
    return _fact("registered_population", year) * 1e4


def registered_sexes(year: int) -> np.ndarray:
    """Registered males and females at the end of ``year`` (2017: the 2015 and 2018 male shares
    interpolated, an estimate), persons (2,), scaled to add up to the total."""
    if year == 2017:
        share = [_fact("registered_population_male", y) / _fact("registered_population", y) for y in (2015, 2018)]
        male = share[0] + (share[1] - share[0]) * 2 / 3
        return registered_total(2017) * np.array([male, 1 - male])
    sexes = np.array([_fact("registered_population_male", year), _fact("registered_population_female", year)])
    return sexes / sexes.sum() * registered_total(year)  # published to 0.01万: make them add up


def age_one_year(pop: np.ndarray, year: int, births: float, srb: float = 1.06) -> np.ndarray:
    """Persons (2, 101) at the end of ``year − 1`` → end of ``year``: cohort survival with the
    national m(x) of ``year`` (life-table survival ratios, as the engine) plus ``births``."""
    S, Sb = lifetable.survival_ratios(national_mx(year))
    out = np.zeros_like(pop)
    out[:, 1:] = pop[:, :-1] * S[:, :-1]
    out[:, -1] += pop[:, -1] * S[:, -1]
    out[:, 0] = births * np.array([srb, 1.0]) / (1.0 + srb) * Sb
    return out


def _roll(pop: np.ndarray, start: int, end: int) -> np.ndarray:
    for year in range(start + 1, end + 1):
        cbr = _fact("registered_crude_birth_rate", year)
        pop = age_one_year(pop, year, cbr / 1000.0 * pop.sum())
    return pop


@dataclass
class RegisteredAccounting:
    """The registered city structures by sex × single age at year-ends, and the checks.

    ``structures`` maps a year (2017, 2019, 2020) to persons (2, 101); ``rolled_2019`` is the
    end-2017 structure aged two years (before the anchor), ``gap_2019`` = rolled 60+ / anchor − 1.
    """

    structures: dict
    rolled_2019: np.ndarray
    anchor_60plus: float
    gap_2019: float
    shape: str
    p80_method: str


def shape_at_year_end(year: int, method: str = "cohort") -> np.ndarray:
    """National single-age shape at the end of ``year`` (cohort-shaped, or the old PCHIP one)."""
    if method == "cohort":
        return cohort_shape(year + 1.0)
    if method == "pchip":
        return pchip_shape(2020 if year >= 2018 else 2015)
    raise AnalysisError(f"registered base shape {method!r}: use one of {SHAPE_METHODS}")


def continuous_at_80(fitted: np.ndarray, national: np.ndarray) -> np.ndarray:
    """Ages 60–79 of a band-fitted table (2, 101) re-shaped so that its ratio to the national shape
    is linear in age and meets the 80+ ratio at 80, with the 60–79 total of each sex kept.

    One factor per band leaves the cohorts aged 79 and 80 — neighbours born a year apart — with
    ratios to the nation that differ by half (end-2017: 0.78 against 1.16), so too few would turn
    80 and the 80+ would stay flat while China's grows. At 60 the step stays: there the end-2017 →
    end-2019 accounting supports it (a continuous ratio would put fewer at 58–59 and widen the gap).
    The default structure inside 60–79 (see the module docstring).
    """
    out = np.asarray(fitted, dtype=float).copy()
    dist = 80 - np.arange(60, 80)
    for s in range(2):
        r80 = fitted[s, 80] / national[s, 80]
        nat = national[s, 60:80]
        slope = (fitted[s, 60:80].sum() - r80 * nat.sum()) / (nat * dist).sum()
        out[s, 60:80] = nat * np.maximum(r80 + slope * dist, 0.0)
    return out


def registered_accounting(
    shape: str = "cohort",
    p80_method: str = "cohort_survival",
    anchor_60plus: float | None = None,
    ages_60_79: str = "continuous",
) -> RegisteredAccounting:
    """Steps 1–4 of the module docstring for the city.

    ``p80_method``: ``cohort_survival`` (default) or ``ratio_2017`` (80+ = 60+ × the 2017 ratio, the
    earlier method). ``ages_60_79``: ``continuous`` (default, :func:`continuous_at_80`) or ``flat``
    (one factor for the band, the earlier default). The 60+ accounting does not separate them
    (end-2019 gap −0.75 % continuous, −0.42 % flat; the independent reference −1.2 % and −0.9 %;
    the plan's 111万 is rounded to ±0.45 %); ``flat`` makes Quanzhou's 80+/60+ fall from 14.6 % to
    12.8 % by end-2020, ``continuous`` keeps it at 14.3 %, as China's rising ratio (WPP 2019: 10.2 %
    in 2015, 10.7 % in 2020) suggests. The three variants span the 80+ spread of the base
    uncertainty.
    ``anchor_60plus`` overrides the plan's 1.11 M.
    """
    if p80_method not in ("cohort_survival", "ratio_2017"):
        raise AnalysisError(f"p80_method {p80_method!r}: use 'cohort_survival' or 'ratio_2017'")
    if ages_60_79 not in ("continuous", "flat"):
        raise AnalysisError(f"ages_60_79 {ages_60_79!r}: use 'continuous' or 'flat'")
    p60_17, p80_17 = _fact("registered_pop_60plus", 2017), _fact("registered_pop_80plus", 2017)
    t17 = registered_total(2017)
    national = shape_at_year_end(2017, shape)
    s17 = fit_bands(national, REGISTERED_BANDS, [t17 - p60_17, p60_17 - p80_17, p80_17], registered_sexes(2017))
    if ages_60_79 == "continuous":
        s17 = continuous_at_80(s17, national)
    rolled = _roll(s17, 2017, PLAN_ANCHOR_YEAR)
    p60 = float(loaders.plan_target("registered_pop_60plus", 2020) if anchor_60plus is None else anchor_60plus)
    p80 = rolled[:, 80:].sum() if p80_method == "cohort_survival" else p60 * p80_17 / p60_17
    t19 = registered_total(PLAN_ANCHOR_YEAR)
    s19 = fit_bands(rolled, REGISTERED_BANDS, [t19 - p60, p60 - p80, p80], registered_sexes(PLAN_ANCHOR_YEAR))
    r20 = _roll(s19, PLAN_ANCHOR_YEAR, BASE_YEAR)
    t20 = registered_total(BASE_YEAR)
    old = [r20[:, 60:80].sum(), r20[:, 80:].sum()]
    s20 = fit_bands(r20, REGISTERED_BANDS, [t20 - sum(old)] + old, registered_sexes(BASE_YEAR))
    gap = rolled[:, 60:].sum() / p60 - 1.0
    return RegisteredAccounting(
        {2017: s17, PLAN_ANCHOR_YEAR: s19, BASE_YEAR: s20}, rolled, p60, float(gap), shape, p80_method
    )


def accounting_notes(acc: RegisteredAccounting) -> list[Note]:
    """Plain statements of how the registered base was built, with its figures."""
    s17, s19, s20 = acc.structures[2017], acc.structures[PLAN_ANCHOR_YEAR], acc.structures[BASE_YEAR]
    return [
        note("registered_base_cohorts", a=s17[:, 60:].sum(), b=s17[:, 80:].sum()),
        note("registered_check_2019", a=acc.rolled_2019[:, 60:].sum(), b=acc.anchor_60plus, d=100 * acc.gap_2019),
        note(
            "registered_80plus",
            a=s19[:, 80:].sum(),
            b=s20[:, 80:].sum(),
            share=100 * s20[:, 80:].sum() / s20[:, 60:].sum(),
            share17=100 * s17[:, 80:].sum() / s17[:, 60:].sum(),
        )
        if acc.p80_method == "cohort_survival"
        else note("registered_80plus_ratio"),
        note("registered_2020", t=s20.sum(), o=s20[:, 60:].sum(), s=100 * s20[:, 60:].sum() / s20.sum()),
    ]


def city_registered_2020(
    shape: str = "cohort", p80_method: str = "cohort_survival", anchor_60plus: float | None = None
) -> tuple[np.ndarray, RegisteredAccounting]:
    """The city's registered persons (2, 101) at end-2020 and the accounting behind them."""
    acc = registered_accounting(shape, p80_method, anchor_60plus)
    target, _ = city_centenarians_at(float(BASE_YEAR))
    pop = anchor_open_age(acc.structures[BASE_YEAR], target)  # issue 26: 100+ on the published counts' trend
    if pop.shape != (2, N_AGES) or np.any(pop < 0) or not np.all(np.isfinite(pop)):
        raise AnalysisError("registered base: the accounting produced an invalid table")
    return pop, acc


def city_registered_from_census(resident_city: np.ndarray, year: int) -> tuple[np.ndarray, list[Note]]:
    """The city's registered persons (2, 101) at end-``year`` from its census residents (2, 101).

    Registered = residents − the net in-migrants (resident − registered persons, living here and
    registered elsewhere), taken out as a share of the residents at each sex × age that is higher at
    the migrants' ages (:func:`.registered_county.registered_seed`, the county split's rule for a
    receiving unit; migrants with the Rogers–Castro profile, their female share the census's resident
    minus registered women), then each sex scaled to the registered series' sex totals of ``year``.
    Reads only the census of ``year`` and the registered series of ``year``. The census moment
    (1 November) is taken as the year-end: two months of ageing are ignored. An ESTIMATE: no
    registered age figure exists for 2010.
    """
    resident_city = np.asarray(resident_city, dtype=float)
    sexes = registered_sexes(year)
    total = float(sexes.sum())
    female = migrant_female_share((resident_city.sum(), resident_city[1].sum()), (total, sexes[1]))
    profile = migration.age_sex_profile(20.0, female, migrant_share_60plus())
    seed = registered_seed(resident_city, total, profile)
    city = seed * (sexes / seed.sum(axis=1))[:, None]
    if city.shape != (2, N_AGES) or np.any(city < 0) or not np.all(np.isfinite(city)):
        raise AnalysisError(f"registered base {year}: the census split produced an invalid table")
    notes = [
        note(
            "registered_base_from_census",
            y=year,
            next=year + 1,
            residents=resident_city.sum(),
            migrants=resident_city.sum() - total,
            female=female,
            men=sexes[0],
            women=sexes[1],
            p60=city[:, 60:].sum(),
            share60=100 * city[:, 60:].sum() / total,
            p80=city[:, 80:].sum(),
            p100=city[:, 100].sum(),
        )
    ]
    return city, notes

"""The seed of a resident base: locals shaped like the nation, plus the net migrants' own ages.

Quanzhou's residents are its registered people living there plus about 1.1–1.3 million net
in-migrants (resident − registered: 2010 812.85万 − 685.27万; 2020 878.23万 − 766.14万), most of them
young workers. Spreading a band such as 15–59 with the *national* age shape puts far too many
residents at 50–59 — the cohorts that turn 60 in the next ten years: the first backtest
over-projected the 2020 60+ count by 17 %. The seed here is

    registered total × national cohort shape (:func:`.cohort_shape.cohort_shape`)
    + (resident − registered) × the migrants' age-sex profile (:func:`analysis.demography.migration.age_sex_profile`)

and the census margins are then fitted to it. The migrants' profile is the projection's own
Rogers–Castro schedule with the scenario's peak age and share aged 60+; it is the profile of
*flows*, used as an approximation of the migrant stock (an estimate, labelled as such).
"""

from __future__ import annotations

import numpy as np

from ...data import loaders
from .. import migration
from .cohort_shape import cohort_shape


def migrant_share_60plus() -> float:
    """Share (%) of China's floating population aged 60+ (2015, ``migrant_age_structure.csv``)."""
    return loaders.fact(loaders.load_migrant_age(), "China", "floating_population_share_60plus", 2015)


def registered_city(year: int) -> tuple[float, float]:
    """The city's registered (total, women) at the end of ``year``, persons."""
    reg = loaders.load_registered()
    return tuple(loaders.fact(reg, "泉州市", f"registered_population{s}", year) * 1e4 for s in ("", "_female"))


def migrant_female_share(resident: tuple[float, float], registered: tuple[float, float]) -> float:
    """Female share (%) of the net in-migrants: (resident − registered women) / (resident −
    registered persons); each argument is (total, women)."""
    return 100.0 * (resident[1] - registered[1]) / (resident[0] - registered[0])


def census_seed(time: float, year: int, resident: tuple[float, float]) -> np.ndarray:
    """The city's seed (2, 101) at the census moment ``time`` of ``year``: the registered people of
    that year-end shaped like China plus the net in-migrants (resident − registered) with the
    migrants' profile; ``resident`` is the census (total, women)."""
    registered = registered_city(year)
    return resident_seed(
        time, registered[0], resident[0], migrant_female_share(resident, registered), migrant_share_60plus()
    )


def resident_seed(
    time: float,
    registered_total: float,
    resident_total: float,
    migrant_female_share_pct: float,
    migrant_share_60plus_pct: float,
    peak_age: float = 20.0,
) -> np.ndarray:
    """Seed (2, 101) of a resident population of ``resident_total`` persons at ``time``.

    ``registered_total`` locals are shaped like China; the remainder (if positive) like migrants.
    A unit with more registered than resident people (net out-migration) gets the national shape.
    """
    national = cohort_shape(time)
    national = national / national.sum()
    locals_ = min(registered_total, resident_total)
    migrants = max(resident_total - registered_total, 0.0)
    profile = migration.age_sex_profile(peak_age, migrant_female_share_pct, migrant_share_60plus_pct)
    return locals_ * national + migrants * profile

"""Net migration: an age–sex profile (Rogers–Castro) times calibrated annual totals.

Age profile: the 7-parameter Rogers–Castro model migration schedule (Rogers & Castro 1981,
*Model Migration Schedules*, IIASA RR-81-30)::

    m(x) = a1·exp(-α1·x) + a2·exp(-α2·(x-μ2) - exp(-λ2·(x-μ2))) + c

with the typical values reported there (a1 = 0.02, α1 = 0.10, a2 = 0.06, α2 = 0.10,
λ2 = 0.40, c = 0.003); the labour-force peak age μ2 is a scenario parameter
(``demography.migration_peak_age``). The profile is evaluated at x + 0.5 for x = 0…100,
normalised to sum to 1, and split by sex with ``demography.migration_female_share``. It is an
assumption (no age data on Quanzhou's migrants were found), used for in- and out-flows alike.

Totals (persons per year, by unit), calibrated from data in :func:`resident_migration_2021` and
:func:`registered_transfer_rate`.
"""

from __future__ import annotations

import numpy as np

from ..data import loaders
from ..errors import AnalysisError
from ..notes import Note, note
from .result import N_AGES

ROGERS_CASTRO = {"a1": 0.02, "alpha1": 0.10, "a2": 0.06, "alpha2": 0.10, "lambda2": 0.40, "c": 0.003}
MONTHS_2020_11_TO_2021_12 = 14


def rogers_castro(peak_age: float, ages=None, **overrides) -> np.ndarray:
    """Rogers–Castro schedule at ``ages + 0.5`` (default 0…100), normalised to sum to 1."""
    p = {**ROGERS_CASTRO, **overrides}
    x = (np.arange(N_AGES) if ages is None else np.asarray(ages)) + 0.5
    m = (
        p["a1"] * np.exp(-p["alpha1"] * x)
        + p["a2"] * np.exp(-p["alpha2"] * (x - peak_age) - np.exp(-p["lambda2"] * (x - peak_age)))
        + p["c"]
    )
    return m / m.sum()


def _age_terms(peak_age: float) -> np.ndarray:
    """Un-normalised Rogers–Castro age terms (childhood + labour force, no constant) at x + 0.5."""
    p = ROGERS_CASTRO
    x = np.arange(N_AGES) + 0.5
    return p["a1"] * np.exp(-p["alpha1"] * x) + p["a2"] * np.exp(
        -p["alpha2"] * (x - peak_age) - np.exp(-p["lambda2"] * (x - peak_age))
    )


def constant_for_elderly_share(peak_age: float, share_60plus_percent: float) -> float:
    """The Rogers–Castro constant ``c`` that puts ``share_60plus_percent`` % of migrants at 60+.

    The share is (S60 + 41c) / (S + 101c), S and S60 the sums of the age terms over all ages and
    over 60–100 (41 ages), so ``c = (t S − S60) / (41 − 101 t)``. The typical c = 0.003 puts ≈ 13 %
    at 60+, far more than migration to a Chinese city has.
    """
    t = share_60plus_percent / 100.0
    n_old = N_AGES - 60
    if not 0 < t < n_old / N_AGES:
        raise AnalysisError(f"share of migrants aged 60+ must be between 0 and 40 %, not {share_60plus_percent}")
    terms = _age_terms(peak_age)
    return max((t * terms.sum() - terms[60:].sum()) / (n_old - N_AGES * t), 0.0)


def age_sex_profile(
    peak_age: float, female_share_percent: float, share_60plus_percent: float | None = None
) -> np.ndarray:
    """Share of net migrants by sex × age, shape (2, 101), summing to 1.

    With ``share_60plus_percent`` the constant term is set so that this share of migrants is aged
    60+ (:func:`constant_for_elderly_share`); without it the typical c = 0.003.
    """
    c = (
        ROGERS_CASTRO["c"]
        if share_60plus_percent is None
        else constant_for_elderly_share(peak_age, share_60plus_percent)
    )
    rc = rogers_castro(peak_age, c=c)
    f = female_share_percent / 100.0
    return np.stack([(1 - f) * rc, f * rc])


def resident_migration_2021(
    base_totals: np.ndarray, unit_names_zh: list[str], births=None, deaths=None
) -> tuple[np.ndarray, list[Note]]:
    """Annual net migration by unit (persons/year) implied by the 2021 yearbook.

    From 1 Nov 2020 (census base) to 31 Dec 2021 (year-end, 14 months), per unit::

        M = (P_2021 − P_2020) × 12/14 − (B − D)

    where B and D are the births and deaths of one year: the projection engine's own first-step
    figures when ``births`` and ``deaths`` (U,) are given — so that the engine's births, deaths
    and migration add up to the yearbook's change — otherwise the yearbook's 2021 crude rates
    × the mid-year population ``(P_2020 + P_2021)/2``. Flows are taken as constant over the 14
    months. The yearbook gives populations in 10k persons with one decimal (±500 persons),
    which limits small units.
    """
    y = loaders.load_resident2021()
    n = len(unit_names_zh)
    if (births is None) != (deaths is None):
        raise AnalysisError("resident_migration_2021: give both births and deaths (the engine's first step) or neither")
    p21 = np.array(
        [
            loaders.fact(y, name, "resident_population_yearend", loaders.RESIDENT_TABLE_YEAR) * 1e4
            for name in unit_names_zh
        ]
    )
    base = np.asarray(base_totals, dtype=float)
    if births is None:
        cbr = np.array(
            [loaders.fact(y, name, "crude_birth_rate", loaders.RESIDENT_TABLE_YEAR) for name in unit_names_zh]
        )
        cdr = np.array(
            [loaders.fact(y, name, "crude_death_rate", loaders.RESIDENT_TABLE_YEAR) for name in unit_names_zh]
        )
        mid = 0.5 * (base + p21)
        births, deaths = cbr / 1000 * mid, cdr / 1000 * mid
        how = "natural increase at the yearbook's 2021 crude birth and death rates"
    else:
        how = (
            "the projection's own first-year births (calibrated to the yearbook's crude birth rates) "
            f"and deaths (city {np.sum(deaths):,.0f}, at the scenario's mortality level)"
        )
    births = np.broadcast_to(np.asarray(births, dtype=float), (n,))
    deaths = np.broadcast_to(np.asarray(deaths, dtype=float), (n,))
    out = (p21 - base) * 12 / MONTHS_2020_11_TO_2021_12 - (births - deaths)
    notes = [note("migration_resident", n=out.sum(), how=how)]
    return out, notes


def registered_transfer_rate(death_rate: float | None = None, max_year: int | None = None) -> tuple[float, list[Note]]:
    """Net registered transfers per person per year, from the registered series 2018–2020.

    For each pair of consecutive years with data: (change − (CBR − CDR)/1000 × mean population)
    / mean population; the average of the pairs is returned. ``death_rate`` (‰), if given,
    replaces the registered CDR of every year — the projection passes its own first-year
    crude death rate so that its deaths are part of the accounting. ``max_year``: only years up to
    it are read (the registered backtest from 2010); with no consecutive pair the rate is 0, an
    assumption said in the note.
    """
    reg = loaders.load_registered()
    years = sorted(
        int(y)
        for y in reg.loc[reg["indicator"] == "registered_population", "year"]
        if max_year is None or y <= max_year
    )
    if max_year is not None and not any(y1 == y0 + 1 for y0, y1 in zip(years[:-1], years[1:])):
        return 0.0, [note("migration_registered_none", max_year=max_year, years=", ".join(map(str, years)) or "none")]
    rates = []
    for y0, y1 in zip(years[:-1], years[1:]):
        if y1 != y0 + 1:
            continue
        p0 = loaders.fact(reg, "泉州市", "registered_population", y0) * 1e4
        p1 = loaders.fact(reg, "泉州市", "registered_population", y1) * 1e4
        cbr = loaders.fact(reg, "泉州市", "registered_crude_birth_rate", y1)
        cdr = loaders.fact(reg, "泉州市", "registered_crude_death_rate", y1) if death_rate is None else death_rate
        mid = 0.5 * (p0 + p1)
        rates.append(((p1 - p0) - (cbr - cdr) / 1000 * mid) / mid)
    rate = float(np.mean(rates))
    notes = [
        note("migration_registered", r=1000 * rate, years=len(rates))
        if death_rate is None
        else note("migration_registered_own_deaths", r=1000 * rate, years=len(rates), cdr=death_rate)
    ]
    return rate, notes

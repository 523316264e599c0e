"""Draws of the estimated base population, so that the projection's bands include its error.

At a five-year horizon the error of an estimated base is larger than that of the rates. Each draw
multiplies the central base by three independent factors, with spreads from measured errors
(scenario ``demography.base_*``, each with its source):

- **elderly level** (registered base only): every unit's 60+ × ``1 + sd · z``; the unit's 0–59
  absorb the difference so the registered totals (published) stay. Spread: the gaps of cohort
  accounting 2017 → 2019 (engine −0.75 %, independent reference −1.2 %) and the rounding of
  "111多万" (±0.5 %, sd 0.3 %).
- **80+ within the 60+** (registered base only): 80+ × ``1 + sd · z``, 60–79 absorb it. Spread: the
  three defensible ways to carry the 2017 figure forward span 9.9 % at end-2019 (cohort survival
  with a ratio continuous at 80, the default: 157,880; with one factor for 60–79: 146,505; the 2017
  ratio 80+/60+: 161,852); half of the range is one sd.
- **cohorts about to turn 60** (ages 40–59 at the base; they are the entrants to 60+ until 2040):
  × ``1 + sd · z``, ages 0–39 absorb it so 0–59 stays (resident base: ages 15–39, so the
  published 0–14 and 15–59 bands stay). Spread: the difference between the
  national cohort shape and the same shape with Quanzhou's own registered births at ages 0–9
  (registered crude birth rate ≈ 17 ‰ in 2010–2017 against ≈ 12 ‰ nationally), ≈ 4 %.
- **county totals** of units whose total is estimated: × ``max(1 + sd · z_u, 0.3)`` (a relative sd; symmetric,
  so the unit medians stay their central totals), renormalised so the
  estimated units still add up to what the published ones leave of the city, then raked back to
  the draw's city sex × age table (the county draw moves persons between units, not ages). Spread: resident
  base, the leave-one-out error of the county split over the four published totals (洛江 +2.2 %,
  晋江 −0.3 %, 南安 −0.1 %, 惠安 0.0 %: RMS 1.1 %);
  registered base, the leave-one-out error of the county registered-total rule (crude-death-rate
  ratio rule, :mod:`.registered_county`) over the six units with evidence up to end-2020 (RMS log
  0.175, :func:`.county_checks.registered_total_spread`; resident:
  :func:`.county_checks.resident_total_spread`). Units whose registered total comes from their own
  evidence are drawn with their measured carry error instead (diagnostics ``registered_total_sd_log``: 0.5 % a year carried, measured on
  晋江 2013 → 2019, with the figure's rounding); the estimated units absorb the rest of the city.
  On the registered base a drawn total moves persons as the method places them — with the
  migrants' age profile (:func:`.registered_county.unit_profile`), since registered = residents ±
  net migrants — not in proportion to the whole unit: a total 17.5 % off puts the unit's 60+ off by
  the migrants' 60+ share of that, not by 17.5 %. (The proportional draw made the registered 60+
  2025 band 44–56 % of the median for the units without evidence; 27–32 % with the migrant profile
  and the old 16.4 % structure spread; 21–26 % with the measured 10.0 %, evidence units 14–16 %:
  400 draws, seed 20201101.)
- **county age structures** (``structure_sd_pct``, both bases): each unit's 60+ × ``1 + sd · z_u``
  (its 0–59 absorb it), then raked to what the units with a published structure leave of the
  city's table (:func:`structure_draw`). Spread: the leave-one-out of the age method in use
  (natives plus net migrants) on 晋江, the only unit with published shares (+1.01 points on
  10.10 %: 10.0 %, :func:`.county_checks.structure_spread_pct`; the crude-death-rate tilt it
  replaced was 16.4 % off). The registered county ages are these residents ± net migrants, so
  the same spread. 晋江 and every unit whose registry supplied its own age counts (diagnostics
  ``registry_age_units``) are not drawn.
- **famine-trough depth** (``famine_sd``, both bases, one draw for the city): the base's cohorts born
  1959–61 (the trough) and 1962–63 (the rebound) differ from the pre-famine cohorts (1957–58) by
  ``λ`` × their central difference, ``λ = max(1 + sd · z, 0)``; each changed age is paid for by
  the rest of its band (40–59, 60–64, 65–79), so the published 60+, 65+ and 80+ stay and only who turns 60
  in 2021–2026 moves (:func:`famine_draw`). The central shape takes China's trough (national
  births by year); Quanzhou's own is not published. Spread: the one provincial figure at hand —
  Fujian's population grew 3.0 % a year in 1950–58 and 1.1 % in 1959–61 (福建省统计局, 新中国成立70年
  人口发展, 2019), a dip of 1.9 points against China's 2.33 (2.26 % → −0.07 %: year-end totals
  55,196 / 65,994 / 65,859万 in 1950 / 1958 / 1961, 中国统计年鉴1999 表4-1): relative depth 0.815, so
  one sd = 0.185 (scenario ``demography.base_famine_depth_sd``).
"""

from __future__ import annotations

import numpy as np

from ...data.base_tables import BasePopulation
from .. import migration
from .registered_county import SEED_FLOOR, unit_profile
from .seed import migrant_share_60plus

#: First and last age (inclusive) of the cohorts about to turn 60, at the base.
ENTRANT_AGES = (40, 59)
#: Units whose base age structure is published (晋江市: its 2020 census shares); their structure is not drawn.
PUBLISHED_STRUCTURE_UNITS = ("jinjiang",)
#: Birth years of the famine trough, of the rebound after it, and of the pre-famine reference cohorts.
FAMINE_YEARS, REBOUND_YEARS, PRE_FAMINE_YEARS = (1959, 1960, 1961), (1962, 1963), (1957, 1958)
#: Bands whose totals a famine draw keeps: every published band of both bases (resident 15–59, 60+,
#: 65+; registered 0–59, 60–79, 80+) stays.
FAMINE_BANDS = ((40, 59), (60, 64), (65, 79))
#: Raking passes that restore the unit totals and the city's sex × age table after the county draw.
RAKE_PASSES = 3


def rake_units(pop: np.ndarray, unit_totals: np.ndarray, city: np.ndarray) -> np.ndarray:
    """Rake (D, U, 2, A) to unit totals (D, U) and the city table (D, 2, A), vectorised over draws."""
    out = pop.copy()
    for _ in range(RAKE_PASSES):
        have = out.sum(axis=(-1, -2))
        out *= np.where(have > 0, unit_totals / np.where(have > 0, have, 1.0), 0.0)[:, :, None, None]
        cells = out.sum(axis=1)
        out *= np.where(cells > 0, city / np.where(cells > 0, cells, 1.0), 0.0)[:, None]
    return out


def structure_draw(pop: np.ndarray, z: np.ndarray, sd: float, drawn: np.ndarray) -> np.ndarray:
    """Each drawn unit's 60+ × ``max(1 + sd · z_u, 0.5)`` with its ages 0–59 absorbing the change (unit
    totals kept), then raked back to the draw's city sex × age table: the county age-structure
    error moves old people between units, not into or out of the city. ``pop`` (D, U, 2, A),
    ``z`` (D, U), ``drawn`` (U,) bool."""
    f = np.where(drawn[None], np.maximum(1.0 + sd * z, 0.5), 1.0)  # (D, U)
    old = pop[..., 60:].sum(axis=(-1, -2))
    young = pop[..., :60].sum(axis=(-1, -2))
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(young > 0, (young - (f - 1.0) * old) / young, 1.0)
    g = np.maximum(g, 0.1)
    out = pop.copy()
    out[..., 60:] *= f[:, :, None, None]
    out[..., :60] *= g[:, :, None, None]
    # units with a published structure stay as they are; the drawn ones are raked to what they leave of the city
    rest = pop.sum(axis=1) - pop[:, ~drawn].sum(axis=1)
    out[:, drawn] = rake_units(out[:, drawn], pop[:, drawn].sum(axis=(-1, -2)), rest)
    out[:, ~drawn] = pop[:, ~drawn]
    return out


def famine_draw(pop: np.ndarray, lam: np.ndarray, base_year: int) -> np.ndarray:
    """Draws (D, U, 2, A) of ``pop`` (U, 2, A, end of ``base_year``) with the famine trough and its
    rebound ``lam`` (D,) times as deep as in ``pop``: at each age born in :data:`FAMINE_YEARS` or
    :data:`REBOUND_YEARS`, persons = reference + λ · (persons − reference), the reference the mean of
    the ages born in :data:`PRE_FAMINE_YEARS`; the other ages of the same band (:data:`FAMINE_BANDS`)
    absorb the change in proportion, so every unit's sex × band totals stay."""
    pop = np.asarray(pop, dtype=float)
    lam = np.maximum(np.asarray(lam, dtype=float), 0.0)
    out = np.broadcast_to(pop, (len(lam),) + pop.shape).copy()
    ref_ages = [base_year - y for y in PRE_FAMINE_YEARS]
    ref = pop[..., ref_ages].mean(axis=-1)  # (U, 2)
    changed = [base_year - y for y in FAMINE_YEARS + REBOUND_YEARS if 0 < base_year - y < pop.shape[-1] - 1]
    for lo, hi in FAMINE_BANDS:
        ages = [a for a in changed if lo <= a <= hi]
        if not ages:
            continue
        rest = [a for a in range(lo, hi + 1) if a not in ages]
        delta = (lam[:, None, None, None] - 1.0) * (pop[..., ages] - ref[..., None])[None]  # (D, U, 2, n)
        out[..., ages] += delta
        have = pop[..., rest].sum(axis=-1)  # (U, 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(have > 0, (have[None] - delta.sum(axis=-1)) / np.where(have > 0, have, 1.0)[None], 1.0)
        out[..., rest] *= np.maximum(g, 0.0)[..., None]
    return out


def base_draws(
    bp: BasePopulation,
    draws: int,
    seed: int | None,
    anchor_sd_pct: float,
    entrant_sd_pct: float,
    county_sd_log: float,
    oldest_sd_pct: float = 0.0,
    structure_sd_pct: float = 0.0,
    famine_sd: float = 0.0,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per-draw base populations (D, U, 2, 101) and the factors drawn.

    With ``draws == 1`` (central) or all spreads 0 the base itself is returned (shape (1, U, 2, A)).
    ``anchor_sd_pct`` applies only to a registered base. The generator is seeded independently of
    the rate draws (``seed + 1``) so adding base draws does not change the rate draws; the famine
    depth ``famine_sd`` (a fraction, :func:`famine_draw`) has its own generator (``seed + 3``) so
    adding it leaves the other draws as they were.
    """
    pop = np.asarray(bp.population, dtype=float)
    U = pop.shape[0]
    anchor_sd = anchor_sd_pct / 100.0 if bp.base == "registered" else 0.0
    oldest_sd = oldest_sd_pct / 100.0 if bp.base == "registered" else 0.0
    entrant_sd = entrant_sd_pct / 100.0
    estimated = (
        np.array([bp.unit_total_estimated.get(uid, False) for uid in bp.unit_ids])
        if bp.estimated
        else np.zeros(U, dtype=bool)
    )
    county_sd = county_sd_log if estimated.sum() >= 2 else 0.0
    structure_sd = structure_sd_pct / 100.0 if bp.estimated else 0.0
    # evidence-based registered totals carried to the base date keep their measured carry error
    carry_sd = bp.diagnostics.get("registered_total_sd_log", {}) if bp.base == "registered" else {}
    unit_sd = np.array(
        [
            county_sd if estimated[i] else (carry_sd.get(uid, 0.0) if county_sd > 0 else 0.0)
            for i, uid in enumerate(bp.unit_ids)
        ]
    )
    ones = np.ones(draws)
    famine = (
        ones
        if draws == 1 or famine_sd == 0
        else np.maximum(
            1.0 + famine_sd * np.random.default_rng(None if seed is None else seed + 3).standard_normal(draws), 0.0
        )
    )
    if draws == 1 or (anchor_sd == 0 and entrant_sd == 0 and county_sd == 0 and oldest_sd == 0 and structure_sd == 0):
        out = (
            famine_draw(pop, famine, bp.year)
            if famine_sd > 0 and draws > 1
            else (np.broadcast_to(pop, (draws,) + pop.shape) if draws > 1 else pop[None])
        )
        return out, {
            "base_elderly_factor": ones,
            "base_entrant_factor": ones,
            "base_80plus_factor": ones,
            "base_famine_depth": famine,
        }
    rng = np.random.default_rng(None if seed is None else seed + 1)
    z = rng.standard_normal((draws, 3 + U))
    elderly = np.maximum(1.0 + anchor_sd * z[:, 0], 0.5)
    entrant = np.maximum(1.0 + entrant_sd * z[:, 1], 0.5)
    lo, hi = ENTRANT_AGES
    first = 0 if bp.base == "registered" else 15  # resident: 0–14 is a published band, keep it
    young = pop[..., first:lo].sum(axis=(-1, -2))  # (U,)
    mid = pop[..., lo : hi + 1].sum(axis=(-1, -2))
    old = pop[..., 60:].sum(axis=(-1, -2))
    # 0–59 absorbs the elderly change, 0–39 the entrants' change; unit totals are kept
    band_0_59 = young + mid - (elderly[:, None] - 1.0) * old[None]  # (D, U): ages first…59
    scale_0_59 = band_0_59 / (young + mid)[None]
    mid_new = mid[None] * scale_0_59 * entrant[:, None]
    young_factor = (band_0_59 - mid_new) / young[None]
    age_factor = np.ones((draws, U, 1, pop.shape[-1]))
    age_factor[..., first:lo] = young_factor[:, :, None, None]
    age_factor[..., lo:60] = (scale_0_59 * entrant[:, None])[:, :, None, None]
    age_factor[..., 60:] = elderly[:, None, None, None]
    # the 80+ share of the 60+: 80+ × f, 60–79 absorbs it so the 60+ stay
    oldest = np.maximum(1.0 + oldest_sd * z[:, 2 + U], 0.5)
    p60_79, p80 = pop[..., 60:80].sum(axis=(-1, -2)), pop[..., 80:].sum(axis=(-1, -2))
    with np.errstate(divide="ignore", invalid="ignore"):
        f60_79 = np.where(p60_79 > 0, (p60_79[None] - (oldest[:, None] - 1.0) * p80[None]) / p60_79[None], 1.0)
    age_factor[..., 60:80] *= f60_79[:, :, None, None]
    age_factor[..., 80:] *= oldest[:, None, None, None]
    out = (famine_draw(pop, famine, bp.year) if famine_sd > 0 else pop[None]) * age_factor
    if structure_sd > 0:
        published = set(PUBLISHED_STRUCTURE_UNITS) | set(bp.diagnostics.get("registry_age_units", []))
        out = structure_draw(
            out, rng.standard_normal((draws, U)), structure_sd, np.array([uid not in published for uid in bp.unit_ids])
        )
    if unit_sd.max() > 0:
        totals = out.sum(axis=(-1, -2))  # (D, U)
        # evidence units: their own small carry error; estimated units share what they leave of the
        # city, with symmetric factors so each unit's median stays its central total
        f = np.where(unit_sd[None] > 0, np.maximum(1.0 + unit_sd[None] * z[:, 2 : 2 + U], 0.3), 1.0)
        new = totals * f
        if estimated.any():
            left = totals.sum(axis=1, keepdims=True) - (new * ~estimated[None]).sum(axis=1, keepdims=True)
            new_est = (new * estimated[None]).sum(axis=1, keepdims=True)
            new = np.where(estimated[None], new * left / new_est, new)
        city = out.sum(axis=1)  # the draw's city table stays
        if bp.base == "registered":
            # the method places a unit's registered total through its migrants (registered = residents ±
            # net migrants with the migrant profile, :mod:`.registered_county`): a total drawn higher or
            # lower moves persons with that profile, not the unit's whole structure
            profile = migration.age_sex_profile(20.0, 50.0, migrant_share_60plus())
            shaped = np.stack([unit_profile(p, profile) for p in pop])  # (U, 2, A)
            out = np.maximum(out + (new - totals)[..., None, None] * shaped[None], SEED_FLOOR * out)
        out = rake_units(out, new, city)
    return out, {
        "base_elderly_factor": elderly,
        "base_entrant_factor": entrant,
        "base_80plus_factor": oldest,
        "base_famine_depth": famine,
    }

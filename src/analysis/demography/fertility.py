"""Fertility schedules: national TFR path, age pattern by single year, sex ratio at birth.

Sources (UN WPP 2022, China): ``fertility.csv`` (TFR estimates 2010–2021 and medium variant to
2030, percent of TFR by mother's 5-year age group 10–14…50–54 for 2010–15, 2015–20, 2020–25,
sex ratio at birth 2010–2030) and ``wpp2022_china_projection_e0_tfr.csv`` (TFR medium variant
2022–2060). The 5-year age pattern is split into single years with the same cumulative PCHIP
graduation as population counts (so each group's share of the TFR is kept exactly) and is
interpolated linearly in time between period mid-points (constant outside). After 2030 the sex
ratio at birth is held at its 2030 value (the file ends there).

Age-specific fertility rate (births per woman per year) at age a in year y:
``asfr(y, a) = TFR(y) × pattern(y, a)`` with ``sum_a pattern(y, a) = 1``.

**The fertility level after a rolling origin** (issue 26 item 6, :func:`births_implied_tfr`): the
WPP 2022 TFR path rises from 1.16 (2021) to 1.27 (2030) while China's births fell from 1062万
(2021) to 954万 (2024) and 792万 (2025) (国家统计局, rows ``base = national`` of
``registry_annual.csv``). A projection that jumps off from a post-censal estimate (origin Y) uses
instead China's *births-implied* TFR: for a year with an NBS births count dated by the end of Y,
``TFR_WPP2024(y) × NBS births(y) / WPP 2024 births(y)`` (the UN's own exposure of women, so the
births ratio is a fertility ratio); after the last such year, the WPP 2024 medium TFR path ×
the mean of that ratio over the latest :data:`LEVEL_YEARS` published years (one year alone would
let the 2024 dragon-year rebound set the level). Sources: ``wpp2024_china_tfr_births.csv``
(UN WPP 2024, R data package wpp2024 ``tfr``/``tfrprojMed``/``births``/``birthsprojMed``, China
row) and the NBS births. The 2020-census origin keeps the WPP 2022 path (it is a vintage of its
own and may not use later figures).
"""

from __future__ import annotations

import numpy as np

from ..data import loaders
from ..data.graduation import graduate_counts, parse_age_group
from ..errors import AnalysisError
from .lifetable import PERIOD_MIDPOINTS
from .registry import national_births
from .result import N_AGES


def asfr_pattern(years) -> np.ndarray:
    """Share of the TFR at each single age of the mother, shape (len(years), 101), rows sum to 1."""
    fert = loaders.load_fertility()
    pct = fert["indicator"].to_numpy() == "percent_of_TFR_by_mother_age"
    period_col = fert["period"].to_numpy()[pct]
    label_col = fert["age_label"].to_numpy()[pct]
    value_col = fert["value"].to_numpy()[pct]
    periods = sorted(set(period_col), key=lambda p: PERIOD_MIDPOINTS[p])
    mids = np.array([PERIOD_MIDPOINTS[p] for p in periods])
    grid = np.empty((len(periods), N_AGES))
    for i, period in enumerate(periods):
        sel = period_col == period
        groups = sorted((parse_age_group(g)[0], float(v)) for g, v in zip(label_col[sel], value_col[sel]))
        first = groups[0][0]
        starts = [0] + [g[0] for g in groups] + [groups[-1][0] + 5]
        counts = [0.0] + [g[1] for g in groups] + [0.0]
        if first <= 0:
            raise AnalysisError("fertility.csv: age pattern must start above age 0")
        single = graduate_counts(starts, counts)
        grid[i] = single / single.sum()
    years = np.atleast_1d(np.asarray(years, dtype=float))
    t = np.clip(years, mids[0], mids[-1])
    i = np.minimum(np.searchsorted(mids, t, side="right") - 1, len(mids) - 2)
    w = ((t - mids[i]) / (mids[i + 1] - mids[i]))[:, None]
    out = (1 - w) * grid[i] + w * grid[i + 1]
    return out / out.sum(axis=1, keepdims=True)


def _series(frame, indicator: str) -> dict[int, float]:
    sel = frame["indicator"].to_numpy() == indicator  # numpy: pandas string filters are slow
    return dict(
        zip(frame["year"].to_numpy()[sel].astype(int).tolist(), frame["value"].to_numpy()[sel].astype(float).tolist())
    )


def national_tfr(years) -> np.ndarray:
    """UN WPP 2022 TFR of China (children per woman) for each year (2010–2060)."""
    series = {**_series(loaders.load_wpp_projection(), "tfr_medium"), **_series(loaders.load_fertility(), "TFR")}
    years = np.atleast_1d(np.asarray(years, dtype=int))
    missing = [int(y) for y in years if int(y) not in series]
    if missing:
        raise AnalysisError(f"no WPP TFR for {missing} (have {min(series)}–{max(series)})")
    return np.array([series[int(y)] for y in years])


def sex_ratio_at_birth(years) -> np.ndarray:
    """Males per female birth (WPP 2022, China); held at the last value after 2030."""
    series = _series(loaders.load_fertility(), "sex_ratio_at_birth")
    last = max(series)
    first = min(series)
    years = np.atleast_1d(np.asarray(years, dtype=int))
    return np.array([series[min(max(int(y), first), last)] for y in years])


#: Published years (NBS births) whose mean ratio to the WPP 2024 births sets the level after the last one.
LEVEL_YEARS = 3


def wpp2024_series(indicator: str) -> dict[int, float]:
    """UN WPP 2024 China ``tfr`` (children per woman) or ``births`` (persons) by year, 2015–2060:
    estimates to 2023, medium variant from 2024 (``wpp2024_china_tfr_births.csv``)."""
    frame = loaders.load_wpp2024_tfr_births()
    scale = 1000.0 if indicator == "births" else 1.0
    return {y: v * scale for y, v in _series(frame, indicator).items()}


def births_level(up_to: int) -> tuple[dict[int, float], float, list[int]]:
    """China's NBS births / WPP 2024 births by year for the NBS years dated by the end of ``up_to``,
    the mean of the latest :data:`LEVEL_YEARS` of them (1.0 if none) and those years."""
    wpp = wpp2024_series("births")
    ratios = {y: b / wpp[y] for y, b in sorted(national_births().items()) if y <= int(up_to) and y in wpp}
    latest = sorted(ratios)[-LEVEL_YEARS:]
    return ratios, float(np.mean([ratios[y] for y in latest])) if latest else 1.0, latest


def births_implied_tfr(years, up_to: int) -> np.ndarray:
    """China's TFR that makes births follow the NBS counts, for each year (see the module docstring).

    ``TFR_WPP2024(y) × NBS(y) / WPP2024 births(y)`` for an NBS year ``y ≤ up_to``; otherwise
    ``TFR_WPP2024(y) ×`` the mean ratio of the latest :data:`LEVEL_YEARS` NBS years ``≤ up_to``.
    Nothing dated after the end of ``up_to`` is read (a forecast vintage's data cut-off).
    """
    tfr = wpp2024_series("tfr")
    ratios, level, _ = births_level(up_to)
    years = np.atleast_1d(np.asarray(years, dtype=int))
    missing = [int(y) for y in years if int(y) not in tfr]
    if missing:
        raise AnalysisError(f"no WPP 2024 TFR for {missing} (have {min(tfr)}–{max(tfr)})")
    return np.array([tfr[int(y)] * ratios.get(int(y), level) for y in years])

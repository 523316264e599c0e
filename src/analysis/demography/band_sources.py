"""What each county's p10–p90 band is made of, source by source (issue 26).

:mod:`.band_components` splits a band into the estimated base and the rates. This module goes one
level down: the same projection (same seed and draws) is run once with every source and once with
each source switched off — its scenario spread set to 0 (:data:`SOURCES`), or for the rates
``uncertainty="base"`` — and the width ``(p90 − p10) / p50`` of each run is compared. Independent
sources add up in variance, so a source's share of the band is

    share = 1 − (width without it / width with everything)²     (percent)

(an approximation: the shares of correlated or non-linear sources need not add up to 100 %).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scenarios import Scenario, load_scenario
from .band_components import FIRST_AGE
from .cached import project

#: Base sources of a band: label and the scenario spreads that switching it off sets to 0
#: (:mod:`.base.uncertainty`). The county-total spread also carries the evidence units' carry error.
SOURCES = {
    "county_structures": ("估算的县级年龄结构 estimated county age structures", ("demography.base_structure_sd_pct",)),
    "county_totals": (
        "估算的县级总数 estimated county totals",
        ("demography.base_county_sd_log_resident", "demography.base_county_sd_log_registered"),
    ),
    "elderly_level": ("基期60岁及以上水平 elderly level (户籍 registered)", ("demography.base_elderly_sd_pct",)),
    "oldest_share": ("80岁及以上占比 80+ within 60+ (户籍 registered)", ("demography.base_80plus_sd_pct",)),
    "entrants": ("即将满60岁的队列 cohorts about to turn 60", ("demography.base_entrant_sd_pct",)),
    "famine_depth": ("1959—61年饥荒低谷深度 famine-trough depth", ("demography.base_famine_depth_sd",)),
}
#: The rates as one source: fertility, the city's mortality level, the life-expectancy gain, migration.
RATES = ("rates", "生育、死亡、迁移 rates (fertility, mortality, migration)")


def band_widths(result, indicator: str, year: int) -> dict[str, float]:
    """Width (p90 − p10) / p50 (%) of ``indicator`` in ``year`` for every unit of ``result`` and the city."""
    y = result.year_index(year)
    out = {}
    for unit in result.units_with_city():
        p10, p50, p90 = np.percentile(result.age_sum(unit, FIRST_AGE[indicator])[:, y], [10, 50, 90])
        out[unit] = 100.0 * (p90 - p10) / p50
    return out


def variance_share(width_all: float, width_without: float) -> float:
    """Share (%) of a band's variance that one independent source makes: ``1 − (without / all)²``."""
    return 100.0 * (1.0 - (width_without / width_all) ** 2) if width_all > 0 else 0.0


def source_widths(
    scenario: Scenario | str,
    base: str,
    year: int,
    draws: int,
    seed: int,
    indicator: str = "pop_60plus",
    sources: tuple[str, ...] | None = None,
    start_year: int = 2020,
) -> pd.DataFrame:
    """Per unit (and the city, ``quanzhou``) and source: the band width with every source
    (``width_all_pct``), without that source (``width_without_pct``) and the source's share of the
    band (``share_pct``, module docstring). Runs from ``start_year`` to ``year`` through the run
    cache; ``sources`` defaults to :data:`SOURCES` and the rates."""
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    names = tuple(SOURCES) + (RATES[0],) if sources is None else sources
    years = {"base": base, "start_year": start_year, "end_year": year, "draws": draws, "seed": seed}
    full = band_widths(project(scn, **years), indicator, year)
    rows = []
    for name in names:
        if name == RATES[0]:
            run = project(scn, **years, uncertainty="base")
        else:
            run = project(scn.with_overrides({key: 0.0 for key in SOURCES[name][1]}), **years)
        without = band_widths(run, indicator, year)
        for unit, width in full.items():
            share = variance_share(width, without[unit])
            rows.append(
                {
                    "unit_id": unit,
                    "source": name,
                    "width_all_pct": width,
                    "width_without_pct": without[unit],
                    "share_pct": share,
                }
            )
    return pd.DataFrame(rows)

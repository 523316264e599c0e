"""What a projection's p10–p90 band is made of: the estimated base, the rates, or both.

Three runs with the same seed and draws (:func:`analysis.demography.projection.project` with
``uncertainty`` = ``all``, ``base``, ``rates``); the width of each band at a year shows how much
of the uncertainty comes from the estimated base population (:mod:`.base.uncertainty`) and how
much from fertility, mortality and migration. :data:`MADE_OF` says what each run draws (issue 26:
the famine trough's depth is a base source, the city's mortality level a rate source).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cached import project
from .result import ProjectionResult

COMPONENTS = {"all": "全部 all sources", "base": "仅基期估计 estimated base only", "rates": "仅生育死亡迁移 rates only"}
#: What each component draws (scenario ``demography.*`` spreads; :mod:`.base.uncertainty`, :mod:`.parameters`).
BASE_SOURCES = (
    "基期60岁及以上水平 elderly level",
    "80岁及以上占比 80+ within 60+",
    "即将满60岁的队列 cohorts about to turn 60",
    "1959—61年饥荒低谷深度 famine-trough depth",
    "估算的县级总数 estimated county totals",
    "估算的县级年龄结构 estimated county age structures",
)
RATE_SOURCES = (
    "生育水平 fertility",
    "全市死亡水平 city mortality level",
    "预期寿命增幅 life-expectancy gain",
    "迁移 migration",
)
MADE_OF = {"all": BASE_SOURCES + RATE_SOURCES, "base": BASE_SOURCES, "rates": RATE_SOURCES}
FIRST_AGE = {"pop_total": 0, "pop_60plus": 60, "pop_65plus": 65, "pop_80plus": 80}


def component_runs(
    scenario, base: str, start_year: int, end_year: int, draws: int, seed: int
) -> dict[str, ProjectionResult]:
    """The three projections (``all``, ``base``, ``rates``), through the run cache."""
    return {
        u: project(scenario, base=base, start_year=start_year, end_year=end_year, draws=draws, seed=seed, uncertainty=u)
        for u in COMPONENTS
    }


def band_table(runs: dict[str, ProjectionResult], unit_id: str, indicator: str, year: int) -> pd.DataFrame:
    """p10, p50, p90 (persons) and the band width (p90 − p10) / p50 (%) of each component."""
    rows = []
    for name, result in runs.items():
        values = result.age_sum(unit_id, FIRST_AGE[indicator])[:, result.year_index(year)]
        p10, p50, p90 = np.percentile(values, [10, 50, 90])
        rows.append({"component": name, "p10": p10, "p50": p50, "p90": p90, "width_pct": 100 * (p90 - p10) / p50})
    return pd.DataFrame(rows)

"""Backtest of the REGISTERED (户籍) method behind the headline figures, from end-2010 to end-2020.

The headline builds a registered base at the census year and projects it with the registered
calibration (:func:`analysis.demography.base.estimate_registered`,
:func:`analysis.demography.projection.calibrate_registered`). This module runs the same code with the
census year 2010 and scores the projection against every registered figure published after 2010.

**Inputs (all dated 2010 or earlier; :data:`CALIBRATION_MAX_YEAR` = 2011 at most):**

- the 6th census (2010) resident base (:func:`analysis.demography.base.estimate_resident_2010`:
  13 unit totals, city sex split and 0–14/15–59/60+, yearbook 2010 shares of 0–4/5–9/10–14);
- the registered series of 2010 (``registered_elderly.csv``): city total 685.27万 and its sex split,
  crude birth rate 17.41 ‰;
- the national inputs the engine always uses (WPP TFR, age pattern, e0 and m(x) — later estimates,
  the same known exception as the resident backtest) and the migrants' 60+ share (2015 report).

**Not used (they are the observations):** registered totals 2015, 2018, 2019, 2020; the end-2017
60+ (1,015,000) and 80+ (148,000); the plan's end-2019 60+ (111万); the centenarian counts 303
(end-July 2013) and 337 (end-July 2016); 晋江's registered totals 2018 and 2019; every county
registered figure (none is dated by 2010) and the 2021 crude death rates.

**What differs from the 2020 headline, because the 2010 data do not allow it:** the city's age
structure (2020: cohort accounting from the end-2017 60+/80+ and the plan's end-2019 60+; 2010: the
census residents minus the net in-migrants, :func:`analysis.demography.base.registered.city_registered_from_census`);
the unit totals (2020: county evidence and the crude-death-rate rule; 2010: no county evidence, so
the city's registered/resident ratio); the 100+ (2020: anchored to the centenarian counts' trend;
2010: as the cohort shape gives it); the oldest-old mortality factor (2020: fitted on the 2013 and
2016 centenarian counts, :mod:`.oldest_old_fit`; 2010: 1, those counts are the observations); the net transfers (2020: the 2018–2020 residual; 2010: no two
consecutive registered years ≤ 2011, so 0, an assumption). So the backtest tests the registered
projection engine and calibration and the census-based base; the 2017/2019 anchors of the 2020
city structure cannot be backtested from 2010.

Error = projected − observed; ``error_pct`` = 100 × error / observed. The centenarian counts
(end-July) are compared with the projection interpolated between year-ends.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .. import catalogue, geography
from ..data import loaders
from ..scenarios import Scenario, load_scenario
from ..notes import note
from .base import estimate_registered
from .parameters import DemographyParameters, draw_parameters
from .projection import assemble_rates, calibrate_registered, run_rates
from .result import ProjectionResult

START, END = 2010, 2020
#: Latest year of any datum the registered backtest's base or calibration may read.
CALIBRATION_MAX_YEAR = 2011
TESTS = (
    "registered (户籍) method of the headline, run from end-2010: registered base from the 6th census "
    "residents and the 2010 registered totals, registered CBR and transfer calibration (base=registered)"
)
#: Observations scored: (geography, indicator, year, fractional year, ages first, last, what it is).
AGES = {"pop_total": (0, None), "pop_60plus": (60, None), "pop_80plus": (80, None), "pop_100plus": (100, None)}


def run_registered_backtest(scenario: Scenario | str = "baseline") -> ProjectionResult:
    """Project the end-2010 registered base to end-2020 (central values) with the registered method.

    The scenario gives the demographic assumptions (migration profile, e0 offset, mortality level
    ``national``); the TFR multiplier, migration scale and extra e0 gain are neutral, as in the resident
    backtest. Reads nothing dated after :data:`CALIBRATION_MAX_YEAR` (module docstring).
    """
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    # the oldest-old factor is fitted on the 2013 and 2016 centenarian counts, which this backtest scores
    params = replace(
        DemographyParameters.from_scenario(scn),
        e0_gain_per_year=0.0,
        tfr_multiplier=1.0,
        net_migration_scale=1.0,
        oldest_old_mortality_factor=1.0,
        oldest_old_mortality_sd=0.0,
    )
    bp = estimate_registered(START)
    factor, mig, cal_notes = calibrate_registered(bp, params, None, START, CALIBRATION_MAX_YEAR)
    years = np.arange(START, END + 1)
    central = draw_parameters(params, 1, None)
    out = run_rates(bp, assemble_rates(bp, params, years, central, factor, mig))
    notes = (
        list(bp.notes)
        + cal_notes
        + [note("bt_registered_mortality"), note("bt_registered_cutoff", y=CALIBRATION_MAX_YEAR)]
    )
    return ProjectionResult(
        out["population"],
        years,
        list(bp.unit_ids),
        "registered",
        f"{scn.name} registered backtest {START}→{END}",
        None,
        True,
        notes,
        out["births"],
        out["deaths"],
        out["net_migration"],
        central,
        out["migration_clipped"],
        calibration={
            "fertility_factor": dict(zip(bp.unit_ids, factor)),
            "net_migration_per_year": dict(zip(bp.unit_ids, mig)),
        },
    )


def observations() -> pd.DataFrame:
    """Registered figures published after 2010: ``geography, indicator, year, time, observed, note``.

    ``time`` is the reference moment in year-ends (2017.0 = 31 Dec 2017; end-July 2013 = 2012 + 7/12).
    Read only here, after the projection (evaluation, never calibration).
    """
    reg = loaders.load_registered()
    rows = [
        (
            "quanzhou",
            "pop_total",
            y,
            float(y),
            loaders.fact(reg, "泉州市", "registered_population", y) * 1e4,
            "registered series (year-end)",
        )
        for y in (2015, 2018, 2019, 2020)
    ]
    rows += [
        (
            "quanzhou",
            "pop_60plus",
            2017,
            2017.0,
            loaders.fact(reg, "泉州市", "registered_pop_60plus", 2017),
            "civil-affairs bureau, end-2017",
        ),
        (
            "quanzhou",
            "pop_80plus",
            2017,
            2017.0,
            loaders.fact(reg, "泉州市", "registered_pop_80plus", 2017),
            "civil-affairs bureau, end-2017",
        ),
        (
            "quanzhou",
            "pop_60plus",
            2019,
            2019.0,
            loaders.plan_target("registered_pop_60plus", 2020),
            "the plan's '2020' 111万, dated end-2019",
        ),
    ]
    rows += [
        (
            "quanzhou",
            "pop_100plus",
            y,
            y - 1 + 7 / 12,
            loaders.fact(reg, "泉州市", "centenarians", y),
            f"centenarians, end-July {y}",
        )
        for y in (2013, 2016)
    ]
    county = loaders.load_registered_county()
    rows += [
        (
            "jinjiang",
            "pop_total",
            y,
            float(y),
            loaders.fact(county, "晋江市", "registered_population", y) * 1e4,
            "晋江 registered total (year-end)",
        )
        for y in (2018, 2019)
    ]
    return pd.DataFrame(rows, columns=["geography", "indicator", "year", "time", "observed", "note"])


def projected_at(result: ProjectionResult, geography_id: str, indicator: str, time: float) -> float:
    """Projected persons of ``indicator`` at ``time`` (year-ends; linear between two year-ends)."""
    first, last = AGES[indicator]
    series = result.unit(geography_id)[0][:, :, first:last].sum(axis=(1, 2))  # (years,)
    return float(np.interp(time, result.years.astype(float), series))


#: Rows already computed, by the scenario's demographic parameters (the notebook runs the resident
#: backtest once per fertility method; the registered one does not depend on that choice).
_ROWS: dict[str, pd.DataFrame] = {}


def registered_rows(result: ProjectionResult | None = None) -> pd.DataFrame:
    """Rows of ``tables/backtest.csv`` for the registered backtest (method ``suite_registered``)."""
    result = run_registered_backtest() if result is None else result
    obs = observations()
    projected = [
        projected_at(result, g, i, t) for g, i, t in obs[["geography", "indicator", "time"]].itertuples(index=False)
    ]
    frame = obs.assign(projected=projected, base="registered", method="suite_registered", tests=TESTS)
    frame["error_pct"] = 100.0 * (frame["projected"] - frame["observed"]) / frame["observed"]
    return frame


def rows_for(scenario: Scenario | str = "baseline") -> pd.DataFrame:
    """:func:`registered_rows` of ``scenario``'s registered backtest, computed once per parameter set."""
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    key = repr(DemographyParameters.from_scenario(scn))
    if key not in _ROWS:
        _ROWS[key] = registered_rows(run_registered_backtest(scn))
    return _ROWS[key].copy()


def summary_text(rows: pd.DataFrame) -> str:
    """What the registered backtest tests and its error (Chinese, then English), figures from ``rows``."""

    def pick(geography_id, indicator, year):
        sel = rows[(rows["geography"] == geography_id) & (rows["indicator"] == indicator) & (rows["year"] == year)]
        return sel.iloc[0]

    p60, p80, t20 = (
        pick("quanzhou", "pop_60plus", 2017),
        pick("quanzhou", "pop_80plus", 2017),
        pick("quanzhou", "pop_total", 2020),
    )
    c13, c16, jj = (
        pick("quanzhou", "pop_100plus", 2013),
        pick("quanzhou", "pop_100plus", 2016),
        pick("jinjiang", "pop_total", 2019),
    )
    main = rows[(rows["geography"] == geography.CITY_ID) & rows["indicator"].isin(["pop_total", "pop_60plus"])]
    mape = float(main["error_pct"].abs().mean())
    return (
        f"**户籍法回测（2010年末→2020年末）：2017年末60岁及以上户籍老人预测{catalogue.wan(p60.projected)}万人，公布"
        f"{catalogue.wan(p60.observed)}万人，误差{p60.error_pct:+.1f}%；2020年末户籍总人口误差{t20.error_pct:+.1f}%；全市总人口和"
        f"60岁及以上{len(main)}项平均绝对误差{mape:.1f}%。高龄部分误差大：2017年80岁及以上{p80.error_pct:+.0f}%，百岁老人"
        f"2013年{c13.error_pct:+.0f}%、2016年{c16.error_pct:+.0f}%**。"  # ** before 。: CommonMark closes it only there
        "它检验的是正式预测所用的户籍方法：同一套基期构建代码（以第六次普查常住人口减去净流入人口，再拟合2010年户籍总数和性别）"
        "和同一套户籍校准（户籍出生率、户籍迁移）与预测程序，只用2011年及以前的数据。2010年没有户籍年龄数据，"
        "所以正式基期所用的2017年60+/80+、规划2019年60+和百岁老人数锚点无法回测——高龄误差正说明了这些锚点的必要："
        "2010年基期的高龄结构只能取全国队列形状。2011年以前也没有两年连续的户籍数据，户籍迁移设为0；没有县级户籍数据，"
        f"各县按全市户籍/常住比例分配（晋江2019年户籍总人口误差{jj.error_pct:+.0f}%）。"
        f"\n\n*Registered-method backtest (end-2010 → end-2020): registered 60+ at end-2017 projected at "
        f"{p60.projected:,.0f} against the published {p60.observed:,.0f}, an error of **{p60.error_pct:+.1f} %**; the "
        f"end-2020 registered total {t20.error_pct:+.1f} %; mean absolute error over the {len(main)} city rows of totals "
        f"and 60+ {mape:.1f} %. The oldest old are far off: 80+ at end-2017 {p80.error_pct:+.0f} %, centenarians "
        f"{c13.error_pct:+.0f} % (2013) and {c16.error_pct:+.0f} % (2016). It tests the registered method the headline "
        "uses — the same base-building code (the 6th census residents minus the net in-migrants, fitted to the 2010 "
        "registered totals and sexes) and the same registered calibration (registered birth rate, transfers) and "
        "engine — with data up to 2011 only. No registered age figure exists for 2010, so the headline base's anchors "
        "(end-2017 60+/80+, end-2019 60+, the centenarian counts) cannot be backtested; the oldest-old errors show why "
        "they are needed, as the 2010 base can only take China's cohort shape at those ages. No two consecutive "
        "registered years exist up to 2011, so net transfers are 0; no county figure either, so units get the city's "
        f"registered/resident ratio (晋江's 2019 registered total: {jj.error_pct:+.0f} %).*"
    )

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

"""The run's machine-readable tables, assembled from the models (never scraped from notebooks).

``tables/indicators.csv``
    ``unit_id, unit_name, scenario, base, year, indicator, value, p10, p90, measure, target``:
    one row per unit (13 units + the city ``quanzhou``) × base (``resident`` 常住 and
    ``registered`` 户籍) × year (start → horizon) × indicator. ``value`` is the median across
    draws (p50); ``p10``/``p90`` are empty where a quantity has no uncertainty; ``target`` is the
    figure for that indicator, unit and year in the tracked plan or the one it follows, where a
    plan gives one (:func:`plan_targets_frame`; a need such as ``*_required`` never gets one),
    else empty.
``tables/population.csv``
    ``unit_id, scenario, base, year, sex, age, population``: persons by single year of age
    (100 = 100 and over), mean across draws (so the units and ages add up to the city; medians
    would not, since the estimated county totals are drawn).
``tables/backtest.csv``
    ``geography, indicator, base, method, tests, projected, observed, error_pct``: the 2010 → 2020
    backtest of the counts total, 0–14, 60+, 65+ for the city and the units with 2020 census
    figures, for the suite's resident seed variant (``suite``) and the naive benchmarks; ``base``
    is the population base scored (all ``resident`` today) and ``tests`` what the row tests
    (:mod:`analysis.demography.backtest_benchmarks`).
``tables/plan_ledger.csv``
    the close-out of the plan that ended (:mod:`analysis.services.plan_ledger`): each target, its
    published outturn with date and source, the 2020-origin forecast and a status.
``tables/plan_odds.csv``
    the tracked plan's targets (:mod:`analysis.services.plan_odds`): probability of meeting each,
    the action that would meet it at 80 % confidence, and the values the projection supports.
``tables/vintages.csv``
    every registered forecast vintage (origin 2020 and each later year-end with data), scored
    against the registry observations after its origin (:mod:`analysis.present.vintage_table`).

This module only assembles: the numbers come from :func:`analysis.pipeline.run_models` (the
population projection and the bed, workforce and 低保 models), once per base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import geography
from ..data.plans import attach_targets, plan_targets_frame, report_year_of  # noqa: F401 - re-exported
from ..errors import AnalysisError
from ..notes import Note, note
from ..present.keypoints import KEY_POINTS, key_points
from ..services.plan_odds import odds_rows  # noqa: F401 - the index's rows, re-exported
from .origin import start_year_of
from ..present.vintage_table import vintage_table
from ..pipeline import plan_models, run_models
from .. import pipeline
from ..safety import neutralise_frame

BASES = ("resident", "registered")

INDICATOR_COLUMNS = [
    "unit_id",
    "unit_name",
    "scenario",
    "base",
    "year",
    "indicator",
    "value",
    "p10",
    "p90",
    "measure",
    "target",
]
POPULATION_COLUMNS = ["unit_id", "scenario", "base", "year", "sex", "age", "population"]

REQUIRED_INDICATORS = (
    "pop_total",
    "pop_60plus",
    "pop_65plus",
    "pop_80plus",
    "share_60plus",
    "old_age_dependency_ratio",
    "beds_required",
    "nursing_beds_required",
    "beds_need_view",
    "certified_social_workers_required",
    "social_work_talent_required",
    "min_wage_monthly",
    "dibao_monthly",
    "dibao_to_min_wage_ratio",
)


@dataclass
class Tables:
    """The tables of a run, plus notes on figures that are missing or estimated.

    ``plan_ledger`` is the close-out of the plan before the tracked one (or of the tracked plan
    itself when none precedes it); ``plan_odds`` the odds of the tracked plan's targets;
    ``plan`` says which plans they are (id, name, status, period, origin).
    """

    indicators: pd.DataFrame
    population: pd.DataFrame
    notes: list[Note] = field(default_factory=list)
    backtest: pd.DataFrame | None = None
    plan_ledger: pd.DataFrame | None = None
    plan_odds: pd.DataFrame | None = None
    plan: dict = field(default_factory=dict)
    vintages: pd.DataFrame | None = None

    def write(self, folder: Path) -> dict[str, Path]:
        """Write ``indicators.csv``, ``population.csv`` and, where present, ``backtest.csv``,
        ``plan_ledger.csv`` and ``plan_odds.csv`` (UTF-8, empty cells for missing)."""
        folder.mkdir(parents=True, exist_ok=True)

        frames = {
            "indicators": self.indicators,
            "population": self.population,
            "backtest": self.backtest,
            "plan_ledger": self.plan_ledger,
            "plan_odds": self.plan_odds,
            "vintages": self.vintages,
        }
        paths = {}
        for name, frame in frames.items():
            if frame is None:
                continue
            paths[name] = folder / f"{name}.csv"
            neutralise_frame(frame).to_csv(paths[name], index=False, encoding="utf-8")
        return paths


def check_required(frame: pd.DataFrame, unit_ids: list[str]) -> list[Note]:
    """Raise if a required indicator is absent altogether; return notes for unit-level gaps."""
    present = set(frame["indicator"].unique())
    absent = [name for name in REQUIRED_INDICATORS if name not in present]
    if absent:
        raise AnalysisError(f"cannot compute the run's tables: the models returned no {', '.join(absent)}")
    notes = []
    for name in REQUIRED_INDICATORS:
        have = set(frame.loc[frame["indicator"] == name, "unit_id"])
        missing = [u for u in unit_ids if u not in have]
        if missing:
            notes.append(note("missing_indicator", name=name, units=missing))
    return notes


def build_tables(
    scenario,
    start_year: int,
    end_year: int,
    draws: int,
    seed: int,
    bases=BASES,
    plan_id: str | None = None,
    origin: int | None = None,
) -> Tables:
    """Compute the tables for every unit and the city, every year, and every base in ``bases``.

    ``scenario`` is a validated :class:`~analysis.scenarios.Scenario`; ``plan_id`` the plan the
    run tracks (default: :func:`analysis.data.plans.default_plan_id`). ``origin`` (issue 25) is
    the year-end the registered projection jumps off from (``None`` = ``start_year``); its rows
    start there, the resident rows at the census (:func:`analysis.run.origin.start_year_of`).
    Raises
    :class:`~analysis.errors.AnalysisError` when a model is unavailable or fails.
    """

    models = {}
    unit_ids = geography.county_ids() + [geography.CITY_ID]
    names = {u.id: u.name_zh for u in geography.all_units()}
    years = range(start_year, end_year + 1)
    origin = start_year if origin is None else int(origin)
    indicator_frames, population_frames, notes = [], [], []
    for base in bases:
        first = start_year_of(base, origin) if origin != start_year else start_year
        run = models[base] = run_models(
            scenario, base=base, start_year=first, end_year=end_year, draws=draws, seed=seed
        )
        result = run.results[base]
        if result.estimated_base:
            notes.append(note("county_base_estimated", base=base))
        notes.extend(n.with_base(base) for n in run.notes)
        indicator_frames.append(run.projected.assign(base=base))
        for uid in unit_ids:
            population_frames.append(result.age_sex_table(uid, stat="mean").assign(unit_id=uid, base=base))
    indicators = pd.concat(indicator_frames, ignore_index=True)
    indicators = indicators[indicators["unit_id"].isin(unit_ids) & indicators["year"].isin(list(years))]
    notes.extend(check_required(indicators, unit_ids))
    ledger, odds, info = plan_models(scenario, plan_id, origin, end_year, draws, seed, models)
    closed_and_tracked = list(dict.fromkeys([info["closed"]["id"], info["id"]]))
    indicators = attach_targets(indicators, plan_targets_frame(years, closed_and_tracked))
    indicators = indicators.assign(
        unit_name=indicators["unit_id"].map(names), scenario=scenario.name, value=indicators["p50"]
    )
    rank = {
        "unit_id": {u: i for i, u in enumerate(unit_ids)},
        "indicator": {n: i for i, n in enumerate(REQUIRED_INDICATORS)},
    }
    indicators = indicators.sort_values(
        ["base", "unit_id", "indicator", "year"],
        key=lambda s: s.map(rank[s.name]).fillna(len(rank[s.name])) if s.name in rank else s,
        kind="stable",
    )[INDICATOR_COLUMNS].reset_index(drop=True)
    population = pd.concat(population_frames, ignore_index=True).assign(scenario=scenario.name)
    population = population[population["year"].isin(list(years))][POPULATION_COLUMNS].reset_index(drop=True)

    vintages = vintage_table(scenario, end_year, draws, seed)  # issue 25: every origin, scored
    return Tables(
        indicators,
        population,
        list(dict.fromkeys(notes)),
        pipeline.backtest_table(scenario),
        ledger,
        odds,
        info,
        vintages,
    )


# The headline figures of the index page: the 要点 indicators (names from the catalogue).
KEY_RESULTS = tuple(name for name, *_ in KEY_POINTS)


def key_results(indicators: pd.DataFrame, base: str, year: int) -> list[dict]:
    """One row per unit (city last) of the KEY_RESULTS medians in ``year`` on ``base``, each with
    its 要点 rows (``points``: :func:`analysis.present.keypoints.key_points`)."""
    sel = indicators[
        (indicators["base"] == base) & (indicators["year"] == year) & indicators["indicator"].isin(list(KEY_RESULTS))
    ]
    wide = sel.pivot_table(index="unit_id", columns="indicator", values="value", aggfunc="first")
    rows = []
    for unit in geography.all_units():
        if unit.id not in wide.index:
            continue
        values = {
            k: (None if pd.isna(wide.at[unit.id, k]) else float(wide.at[unit.id, k]))
            for k in KEY_RESULTS
            if k in wide.columns
        }
        rows.append(
            {
                "unit_id": unit.id,
                "unit_name": unit.name_zh,
                **values,
                "points": key_points(indicators, unit.id, base, year),
            }
        )  # the 要点 rows, with band and plan
    return rows


def ledger_counts(ledger: pd.DataFrame | None) -> dict:
    """How many targets of the closed plan were 达成 / 未达成 / 进展中 / 未公布 (city and all rows)."""
    if ledger is None or not len(ledger):
        return {}
    city = ledger[ledger["unit_id"] == geography.CITY_ID]
    return {
        "plan": str(ledger["plan"].iloc[0]),
        "city": {k: int(v) for k, v in city["status"].value_counts().items()},
        "all": {k: int(v) for k, v in ledger["status"].value_counts().items()},
        "rows": int(len(ledger)),
    }

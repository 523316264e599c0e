"""Run every model once for one scenario and base: the single assembly point of the suite.

The run tables (``tables/indicators.csv``), the indicator tracker (notebook 05) and the city
overview (notebook 90) all need the same thing — the population projection, the bed, workforce
and 低保 models for all 13 units and the city, in the tidy long format of :mod:`analysis.tidy` —
so they all get it from :func:`run_models` (:func:`model_frame`: its rows alone, for the 要点 box
of every notebook). Notebook 04's 低保 path comes from :func:`linkage_models`. Within a run each
is computed once (the memo hook, :func:`analysis.hooks.memo`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from . import config, demography, hooks
from .data import loaders, plans
from .demography.backtest import run_backtest
from .demography.result import ProjectionResult
from .notes import Note, note
from .scenarios import Scenario, load_scenario
from .services import assistance, beds, workforce
from .services.plan_ledger import plan_ledger
from .services.plan_odds import plan_odds
from .tidy import COLUMNS, concat, quantity_frame

# The ledger scores the forecast made when the closed plan began: the suite's 2020-census origin.
LEDGER_ORIGIN = 2020
#: The resident (常住) base starts only at the 2020 census (1 Nov): no resident post-censal estimates yet.
RESIDENT_ORIGIN = 2020

# Measures of the headline population quantities of ProjectionResult.indicators().
POPULATION_MEASURES = {
    "pop_total": "persons",
    "pop_0_14": "persons",
    "pop_15_59": "persons",
    "pop_15_64": "persons",
    "pop_60plus": "persons",
    "pop_65plus": "persons",
    "pop_80plus": "persons",
    "share_0_14": "percent",
    "share_15_59": "percent",
    "share_60plus": "percent",
    "share_65plus": "percent",
    "share_80plus": "percent",
    "old_age_dependency_ratio": "persons 65+ per 100 persons 15-64",
}


@dataclass
class ModelRun:
    """Every model's output for one scenario and base (tidy rows for all units and the city)."""

    scenario: Scenario
    base: str
    projected: pd.DataFrame
    results: dict[str, ProjectionResult]
    notes: list[Note] = field(default_factory=list)


def population_frame(result: ProjectionResult) -> pd.DataFrame:
    """Tidy headline population quantities of every unit and the city (see POPULATION_MEASURES)."""
    frames = []
    for uid in result.units_with_city():
        for name, values in result.indicators(uid).items():
            frames.append(quantity_frame(uid, result.years, name, values, POPULATION_MEASURES[name]))
    return concat(frames)


def run_models(
    scenario: Scenario | str = "baseline",
    base: str = "registered",
    start_year: int = 2020,
    end_year: int = config.DEFAULT_END_YEAR,
    draws: int = 1,
    seed: int | None = 20201101,
) -> ModelRun:
    """Project the population and run the bed, workforce and 低保 models.

    The city's 低保 standard is a mean of the units' standards weighted by the 2020 *resident*
    projection (people living there); everything else uses the requested ``base``.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    results = _projections(sc, base, start_year, end_year, draws, seed)
    projected, notes = _cached_frames(sc, base, start_year, end_year, draws, seed, lambda: results)
    return ModelRun(sc, base, projected, results, notes)


def model_frame(
    scenario: Scenario | str = "baseline",
    base: str = "registered",
    start_year: int = 2020,
    end_year: int = config.DEFAULT_END_YEAR,
    draws: int = 1,
    seed: int | None = 20201101,
) -> tuple[pd.DataFrame, list[Note]]:
    """:func:`run_models`' tidy rows and notes alone. Within a run they are read from its cache
    without loading the projections behind them (issue 14: a notebook's 要点 box 0.114 → 0.082 s)."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return _cached_frames(
        sc, base, start_year, end_year, draws, seed, lambda: _projections(sc, base, start_year, end_year, draws, seed)
    )


def _projections(
    sc: Scenario, base: str, start_year: int, end_year: int, draws: int, seed: int | None
) -> dict[str, ProjectionResult]:
    """The projection on ``base`` and, for the city's 低保 weights, the resident one (one draw)."""

    def project(projection_base: str, projection_draws: int) -> ProjectionResult:
        # The resident base starts only at the census (a later origin is registered only, issue 25):
        # the 低保 weights of a later registered origin come from the 2020 resident projection.
        first = start_year if projection_base == base else RESIDENT_ORIGIN
        return demography.project(
            sc, base=projection_base, start_year=first, end_year=end_year, draws=projection_draws, seed=seed
        )

    results = {base: project(base, draws)}
    if base != "resident":
        results["resident"] = project("resident", 1)
    return results


def _cached_frames(
    sc: Scenario,
    base: str,
    start_year: int,
    end_year: int,
    draws: int,
    seed: int | None,
    projections: Callable[[], dict[str, ProjectionResult]],
) -> tuple[pd.DataFrame, list[Note]]:
    """The tidy rows and notes of every model; ``projections()`` gives the projections when they
    must be computed. Within a run (QZ_CACHE_DIR set) the notebooks that need every model load
    them once computed."""

    def compute() -> tuple[pd.DataFrame, list[Note]]:
        return _model_frames(sc, base, projections(), start_year, end_year, draws, seed)

    return hooks.memo("models", (sc.name, sc.values, base, start_year, end_year, draws, seed), compute)


def _city_weights(resident: ProjectionResult) -> tuple[int, dict[str, float]]:
    """The year and the persons per unit that weight the city's 低保 standard: the resident
    projection in 2020, or in its first year if it starts later."""
    year = 2020 if 2020 in set(resident.years.tolist()) else int(resident.years[0])
    return year, assistance.population_weights(resident, year)


def _model_frames(
    sc: Scenario,
    base: str,
    results: dict[str, ProjectionResult],
    start_year: int,
    end_year: int,
    draws: int,
    seed: int | None,
) -> tuple[pd.DataFrame, list[Note]]:
    weights_year, weights = _city_weights(results["resident"])
    frames = [
        population_frame(results[base]),
        beds.bed_requirements(results[base], sc),
        workforce.workforce_requirements(results[base], sc),
        assistance.dibao_path(
            sc, start_year, end_year, draws=draws, seed=seed, weights=weights, population=results[base]
        ),
    ]
    notes = [note("city_dibao_weights", y=weights_year), note("model_base", population=base)]
    notes += list(results[base].notes)
    for frame in frames:
        notes += [n for n in frame.attrs.get("notes", []) if n not in notes]
    return pd.concat([f[COLUMNS] for f in frames], ignore_index=True), notes


@dataclass
class Linkage:
    """Notebook 04's 低保 models: the city's weights (persons per unit, 2020 resident projection)
    and the path of :func:`analysis.services.assistance.dibao_path` for every unit."""

    weights: dict[str, float]
    path: pd.DataFrame


def linkage_models(
    scenario: Scenario | str = "baseline",
    base: str = "registered",
    start_year: int = 2020,
    end_year: int = config.DEFAULT_END_YEAR,
    draws: int = 1,
    seed: int | None = 20201101,
) -> Linkage:
    """The 低保 path on ``base`` (recipients and cost from that projection) with the city weighted
    by the 2020 resident projection, for every unit. Within a run it is computed once and loaded
    by every 04 job (issue 14: 0.3–0.5 s a job)."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)

    def compute() -> Linkage:
        resident = demography.project(
            sc, base="resident", start_year=2020, end_year=max(end_year, 2020), draws=1, seed=seed
        )
        projection = (
            resident
            if base == "resident"
            else demography.project(sc, base=base, start_year=start_year, end_year=end_year, draws=draws, seed=seed)
        )
        _, weights = _city_weights(resident)  # the projection starts in 2020: its 2020 residents
        return Linkage(
            weights,
            assistance.dibao_path(
                sc, start_year, end_year, draws=draws, seed=seed, weights=weights, population=projection
            ),
        )

    return hooks.memo("linkage", (sc.name, sc.values, base, start_year, end_year, draws, seed), compute)


def backtest_table(scenario) -> pd.DataFrame:
    """The 2010 → 2020 backtest beside its naive benchmarks (``tables/backtest.csv``) under
    ``scenario``'s demographic assumptions (:mod:`analysis.demography.backtest_benchmarks`)."""
    return run_backtest(scenario).benchmarks


def observed_stocks(up_to: int | None = None) -> dict[str, pd.DataFrame]:
    """Published city stock series the odds carry forward (``year, value``): certified social
    workers from ``social_workers.csv`` and the outturns table (comparable rows, persons), only the
    counts dated up to ``up_to`` (the run's origin: a later count evaluates, never calibrates)."""
    sw = loaders.load_social_workers()
    sw = sw[(sw["geography"] == "泉州市") & (sw["indicator"] == "certified_social_workers")][["year", "value"]]
    out = loaders.load_outturns()
    extra = out[
        (out["indicator_id"] == "certified_social_workers")
        & (out["unit"] == "泉州市")
        & out["comparable_to_target"].isin(["yes", "partial"])
    ][["year", "value"]]
    series = pd.concat([sw, extra]).drop_duplicates("year", keep="last").sort_values("year")
    if up_to is not None:
        series = series[series["year"] <= up_to]
    return {"certified_social_workers": series.reset_index(drop=True)}


def plan_models(
    scenario: Scenario | str,
    plan_id: str | None,
    origin: int,
    end_year: int,
    draws: int,
    seed: int | None,
    models: dict[str, ModelRun] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(ledger, odds, plan info) for the tracked plan (``plan_id``, default the city's current plan).

    The ledger (:func:`analysis.services.plan_ledger.plan_ledger`) closes out the plan before the
    tracked one with the forecast of the 2020 origin (the one made when that plan began: computed
    here if the run starts later); the odds (:func:`analysis.services.plan_odds.plan_odds`) use
    the run's own projections on both bases (``models``: base → :class:`ModelRun`, computed if
    not given). Within a run it is computed once (the memo hook, :func:`analysis.hooks.memo`).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    plan = plans.load_plan(plan_id or plans.default_plan_id())

    def compute() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
        # As the run's tables make them (analysis.run.tables.BASES): a later origin is registered only
        # (issue 25), so the resident runs start at the census. A share target without a base
        # (nursing_bed_share) reads the frame its odds model names (SharePath.default_base).
        runs = models or {
            b: run_models(
                sc,
                base=b,
                start_year=origin if b == "registered" else RESIDENT_ORIGIN,
                end_year=end_year,
                draws=draws,
                seed=seed,
            )
            for b in ("resident", "registered")
        }
        closed = plans.load_plan(plans.previous_plan_id(plan) or plan.id)
        if origin == LEDGER_ORIGIN and end_year >= closed.period_end:
            forecast = pd.concat([m.projected.assign(base=b) for b, m in runs.items()], ignore_index=True)
        else:
            forecast = pd.concat(
                [
                    run_models(
                        sc,
                        base=b,
                        start_year=LEDGER_ORIGIN,
                        end_year=max(closed.period_end, LEDGER_ORIGIN + 1),
                        draws=draws,
                        seed=seed,
                    ).projected.assign(base=b)
                    for b in runs
                ],
                ignore_index=True,
            )
        ledger = plan_ledger(closed, loaders.load_outturns(), forecast, LEDGER_ORIGIN)
        odds = plan_odds(
            plan,
            {b: m.results[b] for b, m in runs.items()},
            {b: m.projected for b, m in runs.items()},
            origin=origin,
            observed_stocks=observed_stocks(up_to=origin),
            seed=seed,
        )
        info = {
            "id": plan.id,
            "name_zh": plan.label_zh,
            "status": plan.status,
            "level": plan.level,
            "period": [plan.period_start, plan.period_end],
            "origin": origin,
            "closed": {
                "id": closed.id,
                "name_zh": closed.label_zh,
                "status": closed.status,
                "period": [closed.period_start, closed.period_end],
                "forecast_origin": LEDGER_ORIGIN,
            },
        }
        return ledger, odds, info

    ledger, odds, info = hooks.memo("plans", (sc.name, sc.values, plan.id, origin, end_year, draws, seed), compute)
    return ledger, odds, info

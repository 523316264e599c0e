"""The run's machine-readable tables, assembled from the models (never scraped from notebooks).

``tables/indicators.csv``
    ``unit_id, unit_name, scenario, base, year, indicator, value, p10, p90, measure, target``:
    one row per unit (13 units + the city ``quanzhou``) × base (``resident`` 常住 and
    ``registered`` 户籍) × year (start → horizon) × indicator. ``value`` is the median across
    draws (p50); ``p10``/``p90`` are empty where a quantity has no uncertainty; ``target`` is the
    plan's figure for that indicator, unit and year where the plan gives one (see
    :data:`PLAN_TARGETS`), else empty.
``tables/population.csv``
    ``unit_id, scenario, base, year, sex, age, population``: persons by single year of age
    (100 = 100 and over), mean across draws (so the units and ages add up to the city; medians
    would not, since the estimated county totals are drawn).
``tables/backtest.csv``
    ``geography, indicator, method, projected, observed, error_pct``: the 2010 → 2020 backtest of
    the counts total, 0–14, 60+, 65+ for the city and the units with 2020 census figures, for the
    suite's own method (``suite``) and the naive benchmarks
    (:mod:`analysis.demography.backtest_benchmarks`).

This module only assembles: the numbers come from :func:`analysis.pipeline.run_models` (the
population projection and the bed, workforce and 低保 models), once per base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import geography
from ..errors import AnalysisError

BASES = ("resident", "registered")

INDICATOR_COLUMNS = ["unit_id", "unit_name", "scenario", "base", "year", "indicator", "value", "p10", "p90",
                     "measure", "target"]
POPULATION_COLUMNS = ["unit_id", "scenario", "base", "year", "sex", "age", "population"]

REQUIRED_INDICATORS = (
    "pop_total", "pop_60plus", "pop_65plus", "pop_80plus", "share_60plus", "old_age_dependency_ratio",
    "beds_required", "nursing_beds_required", "beds_need_view", "certified_social_workers_required",
    "social_work_talent_required", "min_wage_monthly", "dibao_monthly", "dibao_to_min_wage_ratio",
)

# The plan's figures matched to table indicators: (indicator, source table, id in that table,
# scope, base). scope 'city' = the figure is for 泉州市 only; 'all' = a ratio the plan sets for
# every county. base None = the figure applies to both bases.
# (No bed_stock ← elderly_care_beds row: the 2020 stock is the bed model's own input, so it would
# match by construction.)
PLAN_TARGETS = (
    ("pop_60plus", "plan_targets", "registered_pop_60plus", "city", "registered"),
    ("share_60plus", "plan_targets", "registered_share_60plus", "city", "registered"),
    ("certified_social_workers_required", "plan_targets", "certified_social_workers", "city", None),
    ("social_work_talent_required", "plan_targets", "social_work_talent_total", "city", None),
    ("dibao_to_min_wage_ratio", "plan_zl2", "dibao_to_min_wage_ratio", "all", None),
)


@dataclass
class Tables:
    """The two tables of a run, plus notes on figures that are missing or estimated."""

    indicators: pd.DataFrame
    population: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    backtest: pd.DataFrame | None = None

    def write(self, folder: Path) -> dict[str, Path]:
        """Write ``indicators.csv``, ``population.csv`` and ``backtest.csv`` (UTF-8, empty cells for missing)."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"indicators": folder / "indicators.csv", "population": folder / "population.csv"}
        from ..safety import neutralise_frame  # a text cell never starts a spreadsheet formula

        neutralise_frame(self.indicators).to_csv(paths["indicators"], index=False, encoding="utf-8")
        neutralise_frame(self.population).to_csv(paths["population"], index=False, encoding="utf-8")
        if self.backtest is not None:
            paths["backtest"] = folder / "backtest.csv"
            neutralise_frame(self.backtest).to_csv(paths["backtest"], index=False, encoding="utf-8")
        return paths


def plan_targets_frame(years) -> pd.DataFrame:
    """The plan's figures as ``unit_id, base, year, indicator, target`` (``base`` empty = both)."""
    from ..data import loaders

    sources = {"plan_targets": loaders.load_plan_targets().rename(columns={"target_id": "key"}),
               "plan_zl2": loaders.load_plan_zl2().rename(columns={"indicator_id": "key"})}
    counties = geography.county_ids()
    rows = []
    for indicator, table, key, scope, base in PLAN_TARGETS:
        frame = sources[table]
        sel = frame[(frame["key"] == key) & frame["value"].notna() & frame["year"].isin(list(years))]
        for year, value in zip(sel["year"], sel["value"]):
            for uid in [geography.CITY_ID] + (counties if scope == "all" else []):
                rows.append({"unit_id": uid, "base": base, "year": int(year), "indicator": indicator,
                             "target": float(value)})
    return pd.DataFrame(rows, columns=["unit_id", "base", "year", "indicator", "target"])


def attach_targets(frame: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Add the ``target`` column to an indicators frame (matching unit, year, indicator, base)."""
    keys = ["unit_id", "year", "indicator"]
    both = targets[targets["base"].isna()].drop(columns="base")
    specific = targets[targets["base"].notna()]
    out = frame.merge(both, on=keys, how="left")
    out = out.merge(specific.rename(columns={"target": "_t"}), on=keys + ["base"], how="left")
    out["target"] = out["target"].fillna(out.pop("_t"))
    return out


def check_required(frame: pd.DataFrame, unit_ids: list[str]) -> list[str]:
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
            notes.append(f"缺失 missing: {name} for {', '.join(missing)} (not computed by the model)")
    return notes


def build_tables(scenario, start_year: int, end_year: int, draws: int, seed: int,
                 bases=BASES) -> Tables:
    """Compute both tables for every unit and the city, every year, and every base in ``bases``.

    ``scenario`` is a validated :class:`~analysis.scenarios.Scenario`. Raises
    :class:`~analysis.errors.AnalysisError` when a model is unavailable or fails.
    """
    from ..pipeline import run_models

    unit_ids = geography.county_ids() + [geography.CITY_ID]
    names = {u.id: u.name_zh for u in geography.all_units()}
    years = range(start_year, end_year + 1)
    indicator_frames, population_frames, notes = [], [], []
    for base in bases:
        models = run_models(scenario, base=base, start_year=start_year, end_year=end_year, draws=draws, seed=seed)
        result = models.results[base]
        if result.estimated_base:
            notes.append(f"{base}: 县级分年龄性别基期人口为估计值 the base population by county, sex and age "
                         "is estimated (no published table)")
        notes.extend(f"{base}: {n}" for n in models.notes)
        indicator_frames.append(models.projected.assign(base=base))
        for uid in unit_ids:
            population_frames.append(result.age_sex_table(uid, stat="mean").assign(unit_id=uid, base=base))
    indicators = pd.concat(indicator_frames, ignore_index=True)
    indicators = indicators[indicators["unit_id"].isin(unit_ids) & indicators["year"].isin(list(years))]
    notes.extend(check_required(indicators, unit_ids))
    indicators = attach_targets(indicators, plan_targets_frame(years))
    indicators = indicators.assign(unit_name=indicators["unit_id"].map(names), scenario=scenario.name,
                                   value=indicators["p50"])
    rank = {"unit_id": {u: i for i, u in enumerate(unit_ids)},
            "indicator": {n: i for i, n in enumerate(REQUIRED_INDICATORS)}}
    indicators = indicators.sort_values(
        ["base", "unit_id", "indicator", "year"],
        key=lambda s: s.map(rank[s.name]).fillna(len(rank[s.name])) if s.name in rank else s,
        kind="stable")[INDICATOR_COLUMNS].reset_index(drop=True)
    population = pd.concat(population_frames, ignore_index=True).assign(scenario=scenario.name)
    population = population[population["year"].isin(list(years))][POPULATION_COLUMNS].reset_index(drop=True)
    from .. import pipeline

    return Tables(indicators, population, list(dict.fromkeys(notes)), pipeline.backtest_table(scenario))


# The headline figures of the index page: (indicator, Chinese label, how to show the number).
KEY_RESULTS = (
    ("pop_60plus", "60岁及以上 persons 60+", "wan"),
    ("share_60plus", "占比 share 60+", "pct"),
    ("beds_required", "养老床位需求 beds required", "int"),
    ("bed_gap", "床位缺口（需求−存量，正值为缺口）bed gap (required − stock, + = shortfall)", "int"),
    ("nursing_beds_required", "护理型床位 nursing beds", "int"),
    ("nursing_bed_gap", "护理型床位缺口（需求−存量，正值为缺口）nursing gap (+ = shortfall)", "int"),
    ("certified_social_workers_required", "持证社工 certified social workers", "int"),
    ("dibao_monthly", "低保 元/人·月 dibao yuan/month", "int"),
)


def key_results(indicators: pd.DataFrame, base: str, year: int) -> list[dict]:
    """One row per unit (city last) of the KEY_RESULTS medians in ``year`` on ``base``, each with
    its 要点 rows (``points``: :func:`analysis.keypoints.key_points`)."""
    from ..keypoints import key_points

    sel = indicators[(indicators["base"] == base) & (indicators["year"] == year)
                     & indicators["indicator"].isin([k for k, _, _ in KEY_RESULTS])]
    wide = sel.pivot_table(index="unit_id", columns="indicator", values="value", aggfunc="first")
    rows = []
    for unit in geography.all_units():
        if unit.id not in wide.index:
            continue
        values = {k: (None if pd.isna(wide.at[unit.id, k]) else float(wide.at[unit.id, k]))
                  for k, _, _ in KEY_RESULTS if k in wide.columns}
        rows.append({"unit_id": unit.id, "unit_name": unit.name_zh, **values,
                     "points": key_points(indicators, unit.id, base, year)})  # the 要点 rows, with band and plan
    return rows

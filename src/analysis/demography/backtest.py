"""Backtest: project from the 2010 census to 2020 with the same engine and compare with 2020.

Inputs known in 2010 only (so that the test is honest):

- base: :func:`analysis.data.base_population.estimate_resident_2010` (6th census margins);
- mortality: WPP standard schedules of 2010–15/2015–20 at the WPP e0 estimates of each year
  (scenario offset applied, no extra gain);
- fertility: the WPP national TFR and age pattern (no county birth rates for 2010 were found,
  so the unit factor is 1 — a known source of error);
- migration: the 2000→2010 city growth (7,283,040 → 8,128,530 persons) continued: annual net
  migration = mean annual growth 2000–2010 minus the model's natural increase in 2010–11, split
  over units by their 2010 population; same Rogers–Castro profile as the forward projection.

Comparison with the 7th census (2020): city total and sex split, broad age shares, and the county
totals known for 2020 (晋江市, 南安市, 惠安县, 泉州台商投资区 derived). Error = projected − observed;
percent error = 100 × error / observed; MPE and MAPE over the population counts (the summary
statistics statistical offices publish for population estimates).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .. import geography
from ..data import loaders
from ..data.base_population import estimate_resident_2010
from ..scenarios import Scenario, load_scenario
from .parameters import DemographyParameters, draw_parameters
from .projection import assemble_rates, run_rates
from .result import ProjectionResult

START, END = 2010, 2020


@dataclass
class Backtest:
    """The 2010→2020 projection, its error table and summary errors."""

    result: ProjectionResult
    table: pd.DataFrame
    mpe: float
    mape: float
    notes: list[str]


def _migration_2000_2010(bp, params) -> tuple[np.ndarray, list[str]]:
    census = loaders.load_census2010()
    p2000 = loaders.fact(census, "泉州市", "resident_population", 2000)
    p2010 = bp.population.sum()
    U = len(bp.unit_ids)
    central = draw_parameters(params, 1, None)
    rates = assemble_rates(bp, params, np.array([START, START + 1]), central, np.ones(U), np.zeros(U))
    out = run_rates(bp, rates)
    natural = out["births"][0, 1].sum() - out["deaths"][0, 1].sum()
    city = (p2010 - p2000) / 10.0 - natural
    weights = bp.population.sum(axis=(1, 2)) / p2010
    note = (f"Backtest migration: mean growth 2000–2010 {(p2010 - p2000) / 10:,.0f}/year minus the model's "
            f"natural increase 2010–11 {natural:,.0f} → net migration {city:,.0f}/year, split by 2010 population.")
    return city * weights, [note]


def run_backtest(scenario: Scenario | str = "baseline") -> Backtest:
    """Project 2010 → 2020 (central values) and compare with the 2020 census."""
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    params = replace(DemographyParameters.from_scenario(scn), e0_gain_per_year=0.0, tfr_multiplier=1.0,
                     net_migration_scale=1.0)
    bp = estimate_resident_2010()
    years = np.arange(START, END + 1)
    mig, mig_notes = _migration_2000_2010(bp, params)
    U = len(bp.unit_ids)
    rates = assemble_rates(bp, params, years, draw_parameters(params, 1, None), np.ones(U), mig)
    out = run_rates(bp, rates)
    notes = list(bp.notes) + mig_notes + [
        "Backtest fertility: national WPP TFR and age pattern (unit factor 1; no 2010 county birth rates).",
        "Backtest mortality: WPP e0 estimates 2011–2020 (national), WPP 2010–15/2015–20 schedules.",
    ]
    result = ProjectionResult(out["population"], years, list(bp.unit_ids), "resident",
                              f"{scn.name} backtest 2010→2020", None, True, notes,
                              out["births"], out["deaths"], out["net_migration"],
                              draw_parameters(params, 1, None), out["migration_clipped"])
    table = error_table(result)
    counts = table[table["measure"] == "persons"]
    return Backtest(result, table, float(counts["percent_error"].mean()),
                    float(counts["percent_error"].abs().mean()), notes)


def error_table(result: ProjectionResult) -> pd.DataFrame:
    """Projected 2020 vs the 7th census: quantity, unit, observed, projected, error, percent error."""
    census = loaders.load_census2020()
    t = result.year_index(END)
    city = result.unit(geography.CITY_ID)[0, t]
    rows = []

    def add(quantity, unit_id, observed, projected, measure):
        rows.append({"quantity": quantity, "unit_id": unit_id, "observed": observed, "projected": projected,
                     "measure": measure})

    add("resident population 常住人口", "quanzhou", loaders.fact(census, "泉州市", "resident_population", END),
        city.sum(), "persons")
    for s, sex in enumerate(("male", "female")):
        add(f"resident population, {sex}", "quanzhou",
            loaders.fact(census, "泉州市", f"resident_population_{sex}", END), city[s].sum(), "persons")
    for name_zh, indicator in (("晋江市", "resident_population"), ("南安市", "resident_population"),
                               ("惠安县", "resident_population"),
                               ("泉州台商投资区", "resident_population_derived")):
        unit = geography.by_name_zh(name_zh)
        add("resident population 常住人口" + (" (derived)" if "derived" in indicator else ""), unit.id,
            loaders.fact(census, name_zh, indicator, END), result.unit(unit.id)[0, t].sum(), "persons")
    total = city.sum()
    for key, first, last in (("0_14", 0, 15), ("15_59", 15, 60), ("60plus", 60, None), ("65plus", 65, None)):
        add(f"share of ages {key.replace('_', '–').replace('plus', '+')}", "quanzhou",
            loaders.fact(census, "泉州市", f"share_age_{key}", END),
            100.0 * city[:, first:last].sum() / total, "percent")
    frame = pd.DataFrame(rows)
    frame["error"] = frame["projected"] - frame["observed"]
    frame["percent_error"] = 100.0 * frame["error"] / frame["observed"]
    return frame[["quantity", "unit_id", "observed", "projected", "error", "percent_error", "measure"]]

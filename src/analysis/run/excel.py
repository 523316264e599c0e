"""``<unit>/<unit>.xlsx``: the key tables of one unit for people who work in Excel (openpyxl).

Sheets: one wide sheet per base (indicator × year, the median), the unit's long indicator rows
with p10/p90 and the plan's target, and population by base, sex and single age with the years
across (median, persons) — wide, because a person reads ages down and years across, and because
it is seven times fewer cells to write than the long table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

BASE_ZH = {"registered": "户籍 registered", "resident": "常住 resident"}


def wide_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """indicator (with measure) × year table of ``value`` for one unit and base."""
    wide = indicators.pivot_table(index=["indicator", "measure"], columns="year", values="value",
                                  aggfunc="first", sort=False)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def wide_population(population: pd.DataFrame) -> pd.DataFrame:
    """base, sex, age × year table of persons (median) for one unit."""
    wide = population.pivot_table(index=["base", "sex", "age"], columns="year", values="population",
                                  aggfunc="first", sort=True)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def write_unit_workbook(path: Path, unit_id: str, indicators: pd.DataFrame, population: pd.DataFrame) -> Path:
    """Write the workbook of ``unit_id`` from the run's two tables; returns ``path``."""
    from ..safety import neutralise_frame  # a text cell never becomes a formula (=HYPERLINK…)

    ind = neutralise_frame(indicators[indicators["unit_id"] == unit_id])
    pop = neutralise_frame(population[population["unit_id"] == unit_id])
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for base in sorted(ind["base"].unique(), reverse=True):
            wide_indicators(ind[ind["base"] == base]).to_excel(
                writer, sheet_name=f"指标 {base}"[:31], index=False)
        ind.to_excel(writer, sheet_name="明细 detail", index=False)
        wide_population(pop).to_excel(writer, sheet_name="人口 population", index=False)
        for sheet in writer.sheets.values():
            sheet.freeze_panes = "B2" if sheet.title.startswith("指标") else "A2"
            sheet.column_dimensions["A"].width = 34
    return path

"""One loader per raw table; each reads ``data/raw/<file>`` and validates it with its schema.

``TABLES`` is the registry the CLI (``python -m analysis validate``), the ingest command and the
run manifest use. A loader returns a validated, type-coerced :class:`pandas.DataFrame` and
raises :class:`~analysis.errors.DataValidationError` on a broken file. Results are cached per
(path, modification time), so repeated calls in one process do not re-read the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pandas as pd
import pandera.pandas as pa

from .. import hooks
from ..errors import AnalysisError
from . import schemas
from .reader import read_validated
from .vintages import current_path


@dataclass(frozen=True)
class RawTable:
    """A raw input table: its file name under ``data/raw``, schema factory and description."""

    name: str
    filename: str
    schema: Callable[[], pa.DataFrameSchema]
    description: str
    estimates: str = ""

    def path(self) -> Path:
        """Where the table is read from: the newest ingested vintage if any, else ``data/raw``."""
        return current_path(self)


def _facts(name: str, value_required: bool = True) -> Callable[[], pa.DataFrameSchema]:
    return lambda: schemas.facts_schema(name, value_required)


TABLES: dict[str, RawTable] = {
    t.name: t
    for t in [
        RawTable(
            "units",
            "units.csv",
            schemas.units_schema,
            "reporting units: ids, Chinese names, aliases, minimum-wage tier",
            "wage tier of 泉州开发区 and 泉州台商投资区 assumed from their parent areas",
        ),
        RawTable(
            "census2020",
            "census2020_county.csv",
            _facts("census2020"),
            "7th census 2020: city and some county totals, sex, broad age shares",
        ),
        RawTable(
            "census2010",
            "census2010_county.csv",
            _facts("census2010"),
            "6th census 2010: resident population of all 13 units; city sex split and broad ages",
        ),
        RawTable(
            "resident2021",
            "resident_pop_county_2021.csv",
            _facts("resident2021"),
            "yearbook 2022 table 3-5: 2021 resident population, birth and death rates by county",
        ),
        RawTable(
            "age_structure_yearbook",
            "quanzhou_age_structure_yearbook.csv",
            _facts("age_structure_yearbook"),
            "yearbook 2020 table 3-6: shares of ages 0-4, 5-9, 10-14 (sample surveys)",
        ),
        RawTable(
            "registered",
            "registered_elderly.csv",
            _facts("registered"),
            "household-registered population 2010-2020; registered 60+ and 80+ in 2017",
        ),
        RawTable(
            "registered_county",
            "registered_by_county.csv",
            _facts("registered_county"),
            "household-registered population of some counties (yearbook / bulletin figures, third-party copies)",
            "rows after 2020 are used only to evaluate the estimated county split",
        ),
        RawTable(
            "registered_county_evidence",
            "registered_county_evidence.csv",
            schemas.county_evidence_schema,
            "county registered evidence with reference dates: totals, centenarian counts and rates per 100k",
            "totals derived from centenarian counts and rates are estimates (county_evidence.derived_totals)",
        ),
        RawTable(
            "observed_registered",
            "observed_registered.csv",
            _facts("observed_registered"),
            "registered 60+/80+ and totals observed after the 2020 origin (evaluation only, never calibration)",
        ),
        RawTable(
            "registry_annual",
            "registry_annual.csv",
            schemas.registry_annual_schema,
            "annual registry series 2021-: registered totals, birth/death rates, age-group counts by unit and "
            "reference date; national births by year",
            "read by the post-censal estimates; a vintage uses only the rows dated on or before its origin",
        ),
        RawTable(
            "migrant_age",
            "migrant_age_structure.csv",
            _facts("migrant_age"),
            "age structure of China's floating population (share aged 60+), 2015",
        ),
        RawTable(
            "min_wage",
            "min_wage_fujian.csv",
            schemas.min_wage_schema,
            "Fujian minimum wage by tier and effective date",
            "2013 values derived (2015 minus 180 yuan); tier membership before 2015 assumed",
        ),
        RawTable(
            "dibao",
            "dibao_quanzhou.csv",
            _facts("dibao"),
            "2012 低保/五保 standards of five units; Fujian 2019 recipient counts",
        ),
        RawTable("beds", "beds_quanzhou.csv", _facts("beds"), "elder-care beds and institutions (2017)"),
        RawTable(
            "social_workers", "social_workers.csv", _facts("social_workers"), "certified social workers and stations"
        ),
        RawTable(
            "china_age_sex_2020",
            "china_age_sex_2020.csv",
            _facts("china_age_sex_2020"),
            "China 2020 census broad age groups; China's 2010 and 2020 census 60+/65+ shares (ratio-to-national "
            "benchmark of the backtest)",
        ),
        RawTable(
            "life_table",
            "life_table.csv",
            schemas.life_table_schema,
            "UN WPP 2022 China: m(x) by 5-year age and sex; e0 by sex",
        ),
        RawTable(
            "fertility",
            "fertility.csv",
            schemas.fertility_schema,
            "UN WPP 2022 China: TFR, age pattern of fertility, sex ratio at birth",
        ),
        RawTable(
            "wpp_population",
            "wpp2019_china_population_age5_sex.csv",
            schemas.wpp_population_schema,
            "UN WPP 2019 China population by 5-year age and sex (age shape for estimation)",
        ),
        RawTable(
            "wpp_births",
            "wpp2024_china_births_by_year.csv",
            schemas.wpp_births_schema,
            "UN WPP 2024 China births per calendar year 1950-2023 (cohort sizes for single ages)",
        ),
        RawTable(
            "wpp_projection",
            "wpp2022_china_projection_e0_tfr.csv",
            schemas.wpp_projection_schema,
            "UN WPP 2022 medium variant: e0 by sex and TFR 2022-2060",
        ),
        RawTable(
            "wpp2024_tfr_births",
            "wpp2024_china_tfr_births.csv",
            schemas.wpp2024_tfr_births_schema,
            "UN WPP 2024 China TFR and births by year: estimates 2015-2023, medium variant 2024-2060",
            "the medium-variant rows (2024-) are the UN's projection, not observations",
        ),
        RawTable(
            "disability",
            "disability_prevalence.csv",
            _facts("disability"),
            "PROXY: Shanghai 2010 (town part) share of elderly unable to care for themselves",
            "the whole table is a proxy for Quanzhou",
        ),
        RawTable(
            "plan_zl1",
            "plan_zl1_13th_fyp_results.csv",
            schemas.plan_zl1_schema,
            "plan 专栏1: 13th five-year plan results (2015, 2020 target, 2020 result)",
        ),
        RawTable(
            "plan_zl2",
            "plan_zl2_14th_fyp_targets.csv",
            schemas.plan_zl2_schema,
            "plan 专栏2: 14th five-year plan annual targets 2021-2025",
        ),
        RawTable(
            "plan_targets",
            "plan_targets.csv",
            schemas.plan_targets_schema,
            "other numeric targets of the plan text (beds, social workers, volunteers, 低保 ratio...)",
        ),
        RawTable(
            "outturns",
            "observed_plan_outturns.csv",
            schemas.outturns_schema,
            "published outturns of plan indicators 2021-2025 (evaluation only, never calibration)",
        ),
    ]
}


def table(name: str) -> RawTable:
    """The registered raw table called ``name``."""
    try:
        return TABLES[name]
    except KeyError:
        raise AnalysisError(f"unknown raw table {name!r}; known tables: {', '.join(TABLES)}") from None


@lru_cache(maxsize=64)
def _load_cached(name: str, path: str, mtime_ns: int) -> pd.DataFrame:
    spec = TABLES[name]
    return read_validated(path, spec.schema(), schemas.CHECK_COLUMNS, schemas.CHECK_MESSAGES)


def load(name: str, path: Path | str | None = None) -> pd.DataFrame:
    """Load and validate raw table ``name`` (from ``path`` if given). Returns a copy."""
    spec = table(name)
    file = Path(path) if path is not None else spec.path()
    mtime = file.stat().st_mtime_ns if file.exists() else 0
    # a warm kernel keeps validated tables across its jobs (the file-memo hook); elsewhere lru only
    return hooks.remembered(f"raw table {spec.name}", file, lambda: _load_cached(spec.name, str(file), mtime)).copy()


def clear_cache() -> None:
    """Forget cached tables (after an ingest, or in tests that rewrite files)."""
    _load_cached.cache_clear()


# Named loaders, one per table, for readable call sites.
def load_units() -> pd.DataFrame:
    return load("units")


def load_census2020() -> pd.DataFrame:
    return load("census2020")


def load_census2010() -> pd.DataFrame:
    return load("census2010")


def load_resident2021() -> pd.DataFrame:
    return load("resident2021")


#: Year of the county figures in ``resident2021.csv`` (year-end residents, crude birth and death
#: rates by county: 泉州统计年鉴2022, table 3-5) — a data year, not a plan year.
RESIDENT_TABLE_YEAR = 2021


def load_age_structure_yearbook() -> pd.DataFrame:
    return load("age_structure_yearbook")


def load_registered() -> pd.DataFrame:
    return load("registered")


def load_registered_county() -> pd.DataFrame:
    return load("registered_county")


def load_registered_county_evidence() -> pd.DataFrame:
    return load("registered_county_evidence")


def load_observed_registered() -> pd.DataFrame:
    return load("observed_registered")


def load_registry_annual() -> pd.DataFrame:
    return load("registry_annual")


def load_migrant_age() -> pd.DataFrame:
    return load("migrant_age")


def load_min_wage() -> pd.DataFrame:
    return load("min_wage")


def load_dibao() -> pd.DataFrame:
    return load("dibao")


def load_beds() -> pd.DataFrame:
    return load("beds")


def load_social_workers() -> pd.DataFrame:
    return load("social_workers")


def load_china_age_sex_2020() -> pd.DataFrame:
    return load("china_age_sex_2020")


def load_life_table() -> pd.DataFrame:
    return load("life_table")


def load_fertility() -> pd.DataFrame:
    return load("fertility")


def load_wpp_population() -> pd.DataFrame:
    return load("wpp_population")


def load_wpp_births() -> pd.DataFrame:
    return load("wpp_births")


def load_wpp_projection() -> pd.DataFrame:
    return load("wpp_projection")


def load_wpp2024_tfr_births() -> pd.DataFrame:
    return load("wpp2024_tfr_births")


def load_disability() -> pd.DataFrame:
    return load("disability")


def load_plan_zl1() -> pd.DataFrame:
    return load("plan_zl1")


def load_plan_zl2() -> pd.DataFrame:
    return load("plan_zl2")


def load_plan_targets() -> pd.DataFrame:
    return load("plan_targets")


def load_outturns() -> pd.DataFrame:
    return load("outturns")


def latest_year(frame: pd.DataFrame, geography: str, *indicators: str) -> int:
    """The latest year in a long 'facts' table with a figure for every one of ``indicators``."""
    years = None
    for indicator in indicators:
        rows = frame[(frame["geography"] == geography) & (frame["indicator"] == indicator) & frame["value"].notna()]
        years = set(rows["year"].astype(int)) if years is None else years & set(rows["year"].astype(int))
    if not years:
        raise AnalysisError(f"missing figure: no year has {', '.join(indicators)} for {geography}")
    return max(years)


def fact(frame: pd.DataFrame, geography: str, indicator: str, year: int | None = None) -> float:
    """The single value of a long 'facts' table; a missing figure is an error, never zero."""
    # on the columns' numpy arrays: pandas' string comparisons cost ~5x more, and the
    # calibration alone looks up ~90 figures per projection
    sel = (frame["geography"].to_numpy() == geography) & (frame["indicator"].to_numpy() == indicator)
    if year is not None:
        sel &= frame["year"].to_numpy() == year
    values = frame["value"].to_numpy()[sel]
    if len(values) != 1 or pd.isna(values[0]):
        raise AnalysisError(
            f"missing figure: {indicator} for {geography}"
            + (f" in {year}" if year else "")
            + f" ({len(values)} rows found)"
        )
    return float(values[0])


def plan_target(target_id: str, year: int | None = None) -> float:
    """A numeric target of the plan text (``plan_targets.csv``): the one for ``year``, or — with no
    year — the target's only row (a rule such as "1–2 倍" or "163 个站" that holds for the whole period)."""
    targets = load_plan_targets()
    sel = targets[targets["target_id"] == target_id]
    if year is not None:
        sel = sel[sel["year"] == year]
    if len(sel) != 1:
        when = f"for {year}" if year is not None else f"with one row (found {len(sel)})"
        raise AnalysisError(f"the plan has no target {target_id!r} {when} in plan_targets.csv")
    return float(sel["value"].iloc[0])

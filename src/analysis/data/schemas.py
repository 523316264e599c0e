"""pandera schemas of the raw tables in ``data/raw``.

Each schema coerces types from the text of the CSV, so a word in a number column, a negative
count, a share above 100 %, a duplicate key or an unknown geography fails validation with the
row and column named (see :mod:`analysis.data.reader`).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from ..geography import all_units
from .areas import COMPOSITE_AREAS, OUTSIDE_AREAS  # noqa: F401 - re-exported
from .units_table import units_schema  # noqa: F401 - re-exported

SHARE_UNITS = ("percent", "percent of resident pop", "percent of registered pop", "percent of TFR")

CHECK_COLUMNS = {
    "share_within_0_100": "value",
    "count_not_negative": "value",
    "known_geography": "geography",
    "unit_fits_indicator": "unit",
    "year_matches_ref_date": "year",
    "date_yyyy_mm_dd": "ref_date",
    "date_in_year": "reference_date",
    "base_of_indicator": "base",
}
CHECK_MESSAGES = {
    "share_within_0_100": "a share between 0 and 100 (percent)",
    "count_not_negative": "a count or rate >= 0",
    "unit_fits_indicator": "a unit allowed for the indicator (COUNTY_EVIDENCE_UNITS)",
    "year_matches_ref_date": "the year of ref_date",
    "date_in_year": "a reference date (YYYY-MM-DD) inside the row's year",
    "base_of_indicator": "'registered' for registered_* indicators, 'national' for China",
}


def _known_geographies() -> list[str]:
    names = [u.name_zh for u in all_units()]
    return names + list(COMPOSITE_AREAS) + list(OUTSIDE_AREAS)


def _share_ok(df: pd.DataFrame) -> pd.Series:
    is_share = df["unit"].isin(SHARE_UNITS)
    return ~is_share | df["value"].isna() | df["value"].between(0, 100)


def _not_negative(df: pd.DataFrame) -> pd.Series:
    return df["value"].isna() | (df["value"] >= 0)


def facts_schema(name: str, value_required: bool = True) -> pa.DataFrameSchema:
    """Long 'facts' tables: one published figure a row, with its unit and source."""
    return pa.DataFrameSchema(
        {
            "geography": pa.Column(str, pa.Check.isin(_known_geographies(), name="known_geography")),
            "year": pa.Column(int, pa.Check.in_range(1990, 2060), coerce=True),
            "indicator": pa.Column(str, pa.Check.str_length(min_value=1)),
            "value": pa.Column(float, nullable=not value_required, coerce=True),
            "unit": pa.Column(str),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
            "quote_or_note": pa.Column(str, nullable=True, required=False),
        },
        checks=[pa.Check(_share_ok, name="share_within_0_100"), pa.Check(_not_negative, name="count_not_negative")],
        unique=["geography", "year", "indicator"],
        name=name,
        coerce=True,
    )


#: Indicators of ``registered_county_evidence.csv`` and the units each may use.
COUNTY_EVIDENCE_UNITS = {
    "registered_population": ("persons", "10k persons"),
    "registered_pop_60plus": ("persons", "10k persons"),
    "registered_pop_80plus": ("persons", "10k persons"),
    "registered_pop_80_89": ("persons",),
    "registered_pop_90_99": ("persons",),
    "centenarians": ("persons",),
    "centenarians_per_100k": ("per 100k persons",),
}


def _evidence_unit_ok(df: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [u in COUNTY_EVIDENCE_UNITS.get(i, ()) for i, u in zip(df["indicator"], df["unit"])], index=df.index
    )


def county_evidence_schema() -> pa.DataFrameSchema:
    """County registered (户籍) evidence: one published county figure a row, with its reference
    date (YYYY-MM-DD), the kind of source (``official`` domain or ``third_party_copy``) and its address.
    Whether a row may calibrate a forecast is decided from ``ref_date`` and the origin in code
    (:mod:`analysis.demography.base.county_evidence`), never stored here."""
    return pa.DataFrameSchema(
        {
            "geography": pa.Column(str, pa.Check.isin(_known_geographies(), name="known_geography")),
            "year": pa.Column(int, pa.Check.in_range(1990, 2060), coerce=True),
            "ref_date": pa.Column(str, pa.Check.str_matches(r"^(19|20)\d\d-[01]\d-[0-3]\d$", name="date_yyyy_mm_dd")),
            "indicator": pa.Column(str, pa.Check.isin(list(COUNTY_EVIDENCE_UNITS), name="known_indicator")),
            "value": pa.Column(float, pa.Check.gt(0, name="positive"), coerce=True),
            "unit": pa.Column(str),
            "source": pa.Column(str, pa.Check.str_startswith("http", name="source_is_an_address")),
            "source_kind": pa.Column(str, pa.Check.isin(["official", "third_party_copy"], name="source_kind")),
            "quote_or_note": pa.Column(str, nullable=True, required=False),
        },
        checks=[
            pa.Check(_evidence_unit_ok, name="unit_fits_indicator"),
            pa.Check(lambda df: df["ref_date"].str[:4].astype(int) == df["year"], name="year_matches_ref_date"),
        ],
        unique=["geography", "ref_date", "indicator"],
        name="registered_county_evidence",
        coerce=True,
    )


def life_table_schema() -> pa.DataFrameSchema:
    """UN WPP central death rates m(x) by 5-year age group and sex, plus e0 rows."""
    return pa.DataFrameSchema(
        {
            "geography": pa.Column(str),
            "sex": pa.Column(str, pa.Check.isin(["male", "female"])),
            "indicator": pa.Column(str, pa.Check.isin(["mx_central_death_rate", "e0_life_expectancy_at_birth"])),
            "age_start": pa.Column(int, pa.Check.in_range(0, 100), coerce=True),
            "age_label": pa.Column(str),
            "period": pa.Column(str),
            "year": pa.Column(str),
            "value": pa.Column(float, pa.Check.ge(0), coerce=True),
            "unit": pa.Column(str),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
            "note": pa.Column(str, nullable=True, required=False),
        },
        unique=["sex", "indicator", "age_start", "period"],
        name="life_table",
        coerce=True,
    )


def fertility_schema() -> pa.DataFrameSchema:
    """UN WPP TFR by year, the percentage age pattern of fertility by period, sex ratio at birth."""
    return pa.DataFrameSchema(
        {
            "geography": pa.Column(str),
            "indicator": pa.Column(str, pa.Check.isin(["TFR", "percent_of_TFR_by_mother_age", "sex_ratio_at_birth"])),
            "age_label": pa.Column(str, nullable=True),
            "period": pa.Column(str),
            "year": pa.Column(str),
            "value": pa.Column(float, pa.Check.ge(0), coerce=True),
            "unit": pa.Column(str),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
            "note": pa.Column(str, nullable=True, required=False),
        },
        checks=[
            pa.Check(
                lambda d: (d["indicator"] != "percent_of_TFR_by_mother_age") | (d["value"] <= 100),
                name="share_within_0_100",
            )
        ],
        unique=["indicator", "age_label", "period"],
        name="fertility",
        coerce=True,
    )


def wpp_population_schema() -> pa.DataFrameSchema:
    """UN WPP 2019 China population by sex and 5-year age group (thousands)."""
    return pa.DataFrameSchema(
        {
            "geography": pa.Column(str),
            "sex": pa.Column(str, pa.Check.isin(["male", "female"])),
            "age_group": pa.Column(str, pa.Check.str_matches(r"^\d+(-\d+|\+)$")),
            "year": pa.Column(int, pa.Check.in_range(1950, 2100), coerce=True),
            "value": pa.Column(float, pa.Check.ge(0), coerce=True),
            "unit": pa.Column(str),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
            "note": pa.Column(str, nullable=True, required=False),
        },
        unique=["sex", "age_group", "year"],
        name="wpp_population",
        coerce=True,
    )


def wpp_births_schema() -> pa.DataFrameSchema:
    """UN WPP 2024 China births per calendar year (thousands), one row per year."""
    return pa.DataFrameSchema(
        {
            "geography": pa.Column(str, pa.Check.isin(["China"])),
            "year": pa.Column(int, pa.Check.in_range(1900, 2100), coerce=True),
            "indicator": pa.Column(str, pa.Check.isin(["births"])),
            "value": pa.Column(float, pa.Check.in_range(0, 100_000), coerce=True),
            "unit": pa.Column(str, pa.Check.isin(["thousand persons"])),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
            "quote_or_note": pa.Column(str, nullable=True, required=False),
        },
        unique=["year"],
        name="wpp_births",
        coerce=True,
    )


def wpp2024_tfr_births_schema() -> pa.DataFrameSchema:
    """UN WPP 2024 China TFR and births by calendar year: estimates to 2023, medium variant from 2024."""
    return pa.DataFrameSchema(
        {
            "geography": pa.Column(str, pa.Check.isin(["China"])),
            "year": pa.Column(int, pa.Check.in_range(1950, 2100), coerce=True),
            "indicator": pa.Column(str, pa.Check.isin(["tfr", "births"])),
            "variant": pa.Column(str, pa.Check.isin(["estimate", "medium"])),
            "value": pa.Column(float, pa.Check.in_range(0, 100_000), coerce=True),
            "unit": pa.Column(str, pa.Check.isin(["children per woman", "thousand persons"])),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
            "quote_or_note": pa.Column(str, nullable=True, required=False),
        },
        checks=[pa.Check(lambda d: (d["indicator"] != "tfr") | (d["value"] <= 10), name="tfr_below_10")],
        unique=["indicator", "year"],
        name="wpp2024_tfr_births",
        coerce=True,
    )


def wpp_projection_schema() -> pa.DataFrameSchema:
    """UN WPP 2022 medium variant: e0 by sex and TFR by year."""
    return pa.DataFrameSchema(
        {
            "geography": pa.Column(str),
            "indicator": pa.Column(str, pa.Check.isin(["e0_male", "e0_female", "tfr_medium"])),
            "year": pa.Column(int, pa.Check.in_range(1950, 2100), coerce=True),
            "value": pa.Column(float, pa.Check.in_range(0, 110), coerce=True),
            "unit": pa.Column(str),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
            "note": pa.Column(str, nullable=True, required=False),
        },
        unique=["indicator", "year"],
        name="wpp_projection",
        coerce=True,
    )


def min_wage_schema() -> pa.DataFrameSchema:
    """Fujian minimum wage by tier and effective date, as published (with adjustment events)."""
    return pa.DataFrameSchema(
        {
            "geography": pa.Column(str, pa.Check.isin(_known_geographies(), name="known_geography")),
            "tier": pa.Column(str, nullable=True),
            "effective_date": pa.Column(str, pa.Check.str_matches(r"^\d{4}(-\d{2}){0,2}$")),
            "indicator": pa.Column(str),
            "value": pa.Column(float, pa.Check.ge(0), nullable=True, coerce=True),
            "unit": pa.Column(str, nullable=True),
            "quanzhou_units_in_tier": pa.Column(str, nullable=True),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
            "quote_or_note": pa.Column(str, nullable=True, required=False),
        },
        unique=["geography", "tier", "effective_date", "indicator"],
        name="min_wage",
        coerce=True,
    )


def plan_zl1_schema() -> pa.DataFrameSchema:
    """专栏1: results of the 13th five-year plan (2015, 2020 target, 2020 result)."""
    return pa.DataFrameSchema(
        {
            "seq": pa.Column(int, pa.Check.in_range(1, 12), coerce=True),
            "indicator_id": pa.Column(str),
            "indicator_zh": pa.Column(str),
            "measure": pa.Column(str),
            "column": pa.Column(str, pa.Check.isin(["2015年", "2020年目标值", "2020年完成情况"])),
            "year": pa.Column(int, pa.Check.isin([2015, 2020]), coerce=True),
            "value": pa.Column(float, pa.Check.ge(0), nullable=True, coerce=True),
            "value_text": pa.Column(str, nullable=True),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
        },
        unique=["indicator_id", "column"],
        name="plan_zl1",
        coerce=True,
    )


def plan_zl2_schema() -> pa.DataFrameSchema:
    """专栏2: annual targets of the 14th five-year plan, 2020 base and 2021–2025."""
    return pa.DataFrameSchema(
        {
            "seq": pa.Column(int, pa.Check.in_range(1, 15), coerce=True),
            "indicator_id": pa.Column(str),
            "indicator_zh": pa.Column(str),
            "measure": pa.Column(str, pa.Check.isin(["%", "张", "平方米", "个", "‰"])),
            "year": pa.Column(int, pa.Check.in_range(2000, 2060), coerce=True),
            "value": pa.Column(float, pa.Check.ge(0), nullable=True, coerce=True),
            "value_text": pa.Column(str, nullable=True),
            "attribute": pa.Column(str, pa.Check.isin(["预期性", "约束性"])),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
        },
        checks=[
            pa.Check(
                lambda d: (d["measure"] != "%") | d["value"].isna() | (d["value"] <= 100), name="share_within_0_100"
            )
        ],
        unique=["indicator_id", "year"],
        name="plan_zl2",
        coerce=True,
    )


def plan_targets_schema() -> pa.DataFrameSchema:
    """Other numeric targets and facts of the plan text, each with its chapter and quote."""
    return pa.DataFrameSchema(
        {
            "target_id": pa.Column(str),
            "description_zh": pa.Column(str),
            "measure": pa.Column(str),
            "year": pa.Column(int, pa.Check.in_range(2000, 2060), coerce=True),
            "value": pa.Column(float, pa.Check.ge(0), coerce=True),
            "bound": pa.Column(str, pa.Check.isin(["equal", "min", "max", "approx", "expected"])),
            "plan_location": pa.Column(str),
            "quote": pa.Column(str, pa.Check.str_length(min_value=1)),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
        },
        checks=[pa.Check(lambda d: (d["measure"] != "percent") | (d["value"] <= 100), name="share_within_0_100")],
        unique=["target_id", "year"],
        name="plan_targets",
        coerce=True,
    )


PLAN_COMPARATORS = (">=", "<=", "=", "about")
PLAN_LEVELS = ("national", "province", "city", "county")
PLAN_STATUSES = ("adopted", "draft")


def plan_schema() -> pa.DataFrameSchema:
    """A plan as rows (``data/raw/plans/<plan_id>.csv``): one target a row, each with its source.

    ``unit_id`` is a unit id, ``quanzhou`` for the city, or ``*`` for the city and every unit (a
    ratio the plan sets for every county); ``base`` the population base a per-person target is
    counted on (empty = either); ``comparator`` how an outturn or forecast meets the target
    (``about`` = an expectation, met within 5 %); ``binding`` 约束性 / 预期性 / 预计 / 未标明.
    """
    return pa.DataFrameSchema(
        {
            "plan_id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
            "plan_name_zh": pa.Column(str, pa.Check.str_length(min_value=2)),
            "level": pa.Column(str, pa.Check.isin(list(PLAN_LEVELS))),
            "status": pa.Column(str, pa.Check.isin(list(PLAN_STATUSES))),
            "period_start": pa.Column(int, pa.Check.in_range(2000, 2060), coerce=True),
            "period_end": pa.Column(int, pa.Check.in_range(2000, 2060), coerce=True),
            "indicator_id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
            "unit_id": pa.Column(str, pa.Check.str_matches(r"^(\*|[a-z][a-z0-9_]*)$")),
            "base": pa.Column(str, pa.Check.isin(["resident", "registered"]), nullable=True),
            "year": pa.Column(int, pa.Check.in_range(2000, 2060), coerce=True),
            "target": pa.Column(float, pa.Check.ge(0), coerce=True),
            "comparator": pa.Column(str, pa.Check.isin(list(PLAN_COMPARATORS))),
            "binding": pa.Column(str, pa.Check.isin(["约束性", "预期性", "预计", "未标明"])),
            "base_year": pa.Column("Int64", pa.Check.in_range(2000, 2060), nullable=True, coerce=True),
            "base_value": pa.Column(float, pa.Check.ge(0), nullable=True, coerce=True),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
            "clause": pa.Column(str, pa.Check.str_length(min_value=1)),
            "quote": pa.Column(str, pa.Check.str_length(min_value=1)),
        },
        checks=[
            pa.Check(
                lambda d: (d["year"] >= d["period_start"]) & (d["year"] <= d["period_end"]), name="year_within_period"
            ),
            pa.Check(lambda d: d["period_end"] >= d["period_start"], name="period_in_order"),
        ],
        unique=["indicator_id", "unit_id", "base", "year"],
        name="plan",
        coerce=True,
    )


OUTTURN_TRUST = ("official", "reprint of official", "third-party")


def outturns_schema() -> pa.DataFrameSchema:
    """Published outturns of plan indicators (``observed_plan_outturns.csv``): one figure a row.

    ``ref_date`` is the date the figure describes (a year-end figure is dated 31 December);
    ``comparable_to_target`` says whether it measures what the target measures (``partial`` =
    a different scope or an earlier date). Used only to evaluate forecasts made before it.
    """
    return pa.DataFrameSchema(
        {
            "indicator_id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
            "unit": pa.Column(str, pa.Check.str_length(min_value=2)),
            "year": pa.Column(int, pa.Check.in_range(1990, 2060), coerce=True),
            "ref_date": pa.Column("datetime64[ns]", coerce=True),
            "value": pa.Column(float, pa.Check.ge(0), coerce=True),
            "measure": pa.Column(str, pa.Check.str_length(min_value=1)),
            "comparable_to_target": pa.Column(str, pa.Check.isin(["yes", "no", "partial"])),
            "source_title": pa.Column(str, pa.Check.str_length(min_value=2)),
            "source_url": pa.Column(str, pa.Check.str_matches(r"^https?://[^\s]+$")),
            "quote": pa.Column(str, pa.Check.str_length(min_value=2)),
            "trust": pa.Column(str, pa.Check.isin(list(OUTTURN_TRUST))),
        },
        name="outturns",
        coerce=True,
    )


#: Indicators of ``registry_annual.csv`` (annual registry series, :func:`registry_annual_schema`).
REGISTRY_INDICATORS = (
    "registered_population",
    "registered_population_male",
    "registered_population_female",
    "registered_crude_birth_rate",
    "registered_crude_death_rate",
    "registered_natural_increase_rate",
    "registered_births",
    "registered_deaths",
    "registered_pop_60plus",
    "registered_pop_65plus",
    "registered_pop_80plus",
    "registered_pop_100plus",
    "registered_pop_80_89",
    "registered_pop_90_99",
    "registered_share_60plus",
    "share_80plus_among_60plus",
    "resident_population",
    "births",
)
#: Reader names of :data:`REGISTRY_INDICATORS` (pages list which registry figures a forecast used).
REGISTRY_INDICATOR_ZH = {
    "registered_population": "户籍总人口",
    "registered_population_male": "户籍男性人口",
    "registered_population_female": "户籍女性人口",
    "registered_crude_birth_rate": "户籍人口出生率",
    "registered_crude_death_rate": "户籍人口死亡率",
    "registered_natural_increase_rate": "户籍人口自然增长率",
    "registered_births": "户籍出生人数",
    "registered_deaths": "户籍死亡人数",
    "registered_pop_60plus": "户籍60岁及以上人口",
    "registered_pop_65plus": "户籍65岁及以上人口",
    "registered_pop_80plus": "户籍80岁及以上人口",
    "registered_pop_100plus": "户籍百岁及以上人口",
    "registered_pop_80_89": "户籍80–89岁人口",
    "registered_pop_90_99": "户籍90–99岁人口",
    "registered_share_60plus": "户籍60岁及以上人口占比",
    "share_80plus_among_60plus": "80岁及以上占60岁及以上比重",
    "resident_population": "常住人口",
    "births": "出生人数",
}
REGISTRY_UNITS = ("10k persons", "persons", "per mille", "percent", "percent of registered pop")


def _date_in_year(df: pd.DataFrame) -> pd.Series:
    dates = pd.to_datetime(df["reference_date"], format="%Y-%m-%d", errors="coerce")
    return dates.notna() & (dates.dt.year == df["year"])


def _base_of_indicator(df: pd.DataFrame) -> pd.Series:
    registered = df["indicator"].str.startswith("registered_") | (df["indicator"] == "share_80plus_among_60plus")
    national = df["geography"] == "China"
    return (
        (~registered | (df["base"] == "registered"))
        & (~national | (df["base"] == "national"))
        & ((df["base"] != "national") | national)
    )


def registry_annual_schema() -> pa.DataFrameSchema:
    """Annual registry series after the 2020 census: one published figure a row, with its
    reference date (registered counts: 31 December or the date the bureau gives; resident: 1 November
    or year-end as published; national births: the calendar year, dated 31 December), its base
    (``registered``, ``resident``, ``national``) and its source. Read by
    :mod:`analysis.demography.estimates`."""
    return pa.DataFrameSchema(
        {
            "geography": pa.Column(str, pa.Check.isin(_known_geographies(), name="known_geography")),
            "year": pa.Column(int, pa.Check.in_range(2020, 2060), coerce=True),
            "reference_date": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$")),
            "base": pa.Column(str, pa.Check.isin(["registered", "resident", "national"])),
            "indicator": pa.Column(str, pa.Check.isin(list(REGISTRY_INDICATORS))),
            "value": pa.Column(float, coerce=True),
            "unit": pa.Column(str, pa.Check.isin(list(REGISTRY_UNITS))),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
            "quote_or_note": pa.Column(str, nullable=True, required=False),
        },
        checks=[
            pa.Check(_share_ok, name="share_within_0_100"),
            pa.Check(_not_negative, name="count_not_negative"),
            pa.Check(_date_in_year, name="date_in_year"),
            pa.Check(_base_of_indicator, name="base_of_indicator"),
        ],
        unique=["geography", "reference_date", "indicator"],
        name="registry_annual",
        coerce=True,
    )

"""``tables/vintages.csv`` of a run: every forecast vintage the bundled data allow, scored (issue 25).

A *vintage* is the registered (户籍, 31 December) projection from one origin: 2020 (the census
base) and every later year-end up to :func:`analysis.run.origin.latest_data_year` (the post-censal
estimate of that year, built only from the registry figures dated up to it,
:mod:`analysis.demography.estimates`). Each is scored by
:func:`analysis.demography.vintage_scores.score` against every registry observation dated after
its origin (never one it used). A vintage with nothing to be scored against yet still gets its
forecasts of the published city counts (:data:`PENDING`) at the plans' end years (:func:`pending_years`) with ``observed``
empty, so that the next published figure can be set beside it.

Columns: :data:`COLUMNS` — ``vintage_scores.COLUMNS`` plus ``horizon`` (whole years from the
origin's year-end to the observation's year), ``observations_used`` (how many registry figures
the vintage rests on), ``used_up_to`` (the last reference date among them) and ``used`` (each of
them as ``unit:indicator:reference date``). Persons; ``error_pct`` in percent of the observation.
"""

from __future__ import annotations

import pandas as pd

from .. import demography, geography
from ..data import plans
from ..data.schemas import REGISTRY_INDICATOR_ZH
from ..demography import registry, vintage_scores
from ..data.origin import CENSUS_YEAR, latest_data_year

COLUMNS = vintage_scores.COLUMNS + ["horizon", "observations_used", "used_up_to", "used"]
#: Published city counts forecast even before an observation exists (registry indicator names).
PENDING = ("registered_population", "registered_pop_60plus", "registered_pop_80plus")


def pending_years() -> list[int]:
    """The years a pending forecast is given for: the last year of every plan in ``data/raw/plans``
    (the close-out year of the plan ending and the end of the plan being written)."""
    return plans.period_ends()


def origins(latest: int | None = None) -> list[int]:
    """The census year and every later year-end up to ``latest`` (default: the latest data year)."""
    return list(range(CENSUS_YEAR, (latest_data_year() if latest is None else int(latest)) + 1))


def used_by(origin: int, observations: pd.DataFrame) -> pd.DataFrame:
    """The observations a vintage from ``origin`` rests on: those dated on or before its year-end
    (the census-origin vintage uses none of them: its base is the 2020 census and registry series)."""
    if origin == CENSUS_YEAR:
        return observations.iloc[0:0]
    return observations[observations["reference_date"] <= pd.Timestamp(f"{origin}-12-31")]


def _pending(result, origin: int, name: str, scored: pd.DataFrame) -> list[dict]:
    """Forecast-only rows (``observed`` empty) for :data:`PENDING` city counts not yet scored."""
    rows = []
    years = [int(y) for y in result.years]
    for indicator in PENDING:
        first, sex = vintage_scores.SCORED[indicator]
        values = vintage_scores._counts(result, registry.CITY, first, sex)
        for year in pending_years():
            done = (
                (
                    (scored["unit_id"] == registry.CITY) & (scored["indicator"] == indicator) & (scored["year"] == year)
                ).any()
                if len(scored)
                else False
            )
            if year <= origin or year not in years or done:
                continue
            p10, p50, p90 = pd.Series(values[:, years.index(year)]).quantile([0.1, 0.5, 0.9])
            rows.append(
                {
                    "vintage": name,
                    "origin": origin,
                    "unit_id": registry.CITY,
                    "base": result.base,
                    "indicator": indicator,
                    "year": year,
                    "reference_date": f"{year}-12-31",
                    "horizon_years": float(year - origin),
                    "forecast": p50,
                    "p10": p10,
                    "p90": p90,
                    "observed": None,
                    "observed_source": "",
                    "error_pct": None,
                    "inside_band": None,
                }
            )
    return rows


def vintage_table(
    scenario, end_year: int, draws: int, seed: int | None, origin_years=None, observations: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every vintage in ``origin_years`` (default :func:`origins`) scored, as :data:`COLUMNS`.

    The projections go through :func:`analysis.demography.project` (the run's cache: the 2020
    vintage and the run's own origin are the projections the tables already made).
    """
    obs = registry.observations() if observations is None else observations
    frames = []
    for origin in origin_years or origins():
        if origin >= end_year:
            continue
        result = demography.project(
            scenario, base="registered", start_year=origin, end_year=end_year, draws=draws, seed=seed
        )
        name = f"origin-{origin}"
        scored = vintage_scores.score(result, obs, name)
        table = pd.concat(
            [scored, pd.DataFrame(_pending(result, origin, name, scored), columns=vintage_scores.COLUMNS)],
            ignore_index=True,
        )
        used = used_by(origin, obs)
        last = used["reference_date"].max() if len(used) else None
        table = table.assign(
            horizon=table["year"].astype(int) - origin,
            observations_used=len(used),
            used_up_to="" if last is None else f"{last:%Y-%m-%d}",
            used="; ".join(f"{r.unit_id}:{r.indicator}:{r.reference_date:%Y-%m-%d}" for r in used.itertuples()),
        )
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def page_table(table: pd.DataFrame) -> pd.DataFrame:
    """The vintages for people (Chinese first): forecast with its p10–p90 band, the observation,
    the error and whether it fell inside the band (``—`` where nothing is published yet)."""
    out = []
    for r in table.itertuples(index=False):
        observed = not pd.isna(r.observed)
        out.append(
            {
                "版本 vintage": f"{r.origin}年末起点",
                "地区 unit": r.unit_id,
                "指标 indicator": REGISTRY_INDICATOR_ZH.get(r.indicator, r.indicator),
                "日期 date": r.reference_date,
                "预测期 horizon": f"{r.horizon_years:g}年",
                "预测 forecast (p10–p90)": f"{r.forecast:,.0f}（{r.p10:,.0f}–{r.p90:,.0f}）",
                "实际 observed": f"{r.observed:,.0f}" if observed else "未公布",
                "误差 error": f"{r.error_pct:+.1f}%" if observed else "—",
                "区间内 inside": ("是" if r.inside_band else "否") if observed else "—",
            }
        )
    return pd.DataFrame(out)


def readable_used(used: str) -> str:
    """``unit:indicator:date; …`` (the CSV's column) for people: 泉州市户籍总人口（2021-12-31）、…"""
    names = {u.id: u.name_zh for u in geography.all_units()}
    out = []
    for token in filter(None, (t.strip() for t in str(used or "").split(";"))):
        unit, indicator, date = (token.split(":") + ["", ""])[:3]
        out.append(f"{names.get(unit, unit)}{REGISTRY_INDICATOR_ZH.get(indicator, indicator)}（{date}）")
    return "、".join(out)


def used_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per vintage: how many registry figures it rests on, up to which date, and which."""
    first = table.drop_duplicates("vintage")
    return pd.DataFrame(
        [
            {
                "版本 vintage": f"{r.origin}年末起点",
                "所用观测 figures used": int(r.observations_used),
                "截至 up to": r.used_up_to or "—",
                "观测 which": readable_used(r.used)
                or "无（2020年普查基期与2020年末户籍序列）none: the 2020 census base",
            }
            for r in first.itertuples(index=False)
        ]
    )

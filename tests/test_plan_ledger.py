"""The close-out ledger (analysis.services.plan_ledger): the status rules, hand-checked, and the
rule that an outturn evaluates only a forecast made before it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data import plans
from analysis.services import plan_ledger as pl


def _outturns(*rows):
    return pd.DataFrame(
        [
            {
                "indicator_id": i,
                "unit": u,
                "year": y,
                "ref_date": pd.Timestamp(d),
                "value": v,
                "comparable_to_target": c,
                "source_title": "t",
                "source_url": "https://x.gov.cn/a",
                "trust": "official",
            }
            for i, u, y, d, v, c in rows
        ],
        columns=[
            "indicator_id",
            "unit",
            "year",
            "ref_date",
            "value",
            "comparable_to_target",
            "source_title",
            "source_url",
            "trust",
        ],
    )


@pytest.mark.parametrize(
    "rows, comparator, kind, expected",
    [
        ([], ">=", "count", pl.NOT_PUBLISHED),
        ([("x", "泉州市", 2025, "2025-12-31", 8100, "yes")], ">=", "count", pl.ACHIEVED),
        ([("x", "泉州市", 2025, "2025-12-31", 7900, "yes")], ">=", "count", pl.NOT_ACHIEVED),
        ([("x", "泉州市", 2023, "2023-03-22", 6555, "partial")], ">=", "count", pl.IN_PROGRESS),
        ([("x", "泉州市", 2023, "2023-03-22", 8555, "yes")], ">=", "count", pl.ACHIEVED),  # met early
        ([("x", "泉州市", 2023, "2023-03-22", 0.9, "yes")], ">=", "ratio", pl.IN_PROGRESS),  # a ratio can fall back
        ([("x", "泉州市", 2026, "2026-06-30", 8100, "yes")], ">=", "count", pl.ACHIEVED),  # published later
        ([("x", "泉州市", 2025, "2025-12-31", 1_550_000, "yes")], "about", "count", pl.ACHIEVED),  # within 5 %
        ([("x", "泉州市", 2025, "2025-12-31", 1_500_000, "yes")], "about", "count", pl.NOT_ACHIEVED),
        ([("x", "泉州市", 2025, "2025-12-31", 9000, "no")], ">=", "count", pl.NOT_PUBLISHED),  # not comparable
    ],
)
def test_status_rules(rows, comparator, kind, expected):
    target = 1_600_000 if comparator == "about" else 8000
    status, used, _ = pl.ledger_status(target, comparator, kind, 2025, _outturns(*rows))
    assert status == expected
    assert (used is None) == (expected == pl.NOT_PUBLISHED)


def test_the_target_years_figure_is_preferred_to_later_ones():
    out = _outturns(("x", "泉州市", 2025, "2025-12-31", 7000, "yes"), ("x", "泉州市", 2026, "2026-12-31", 9000, "yes"))
    status, used, _ = pl.ledger_status(8000, ">=", "count", 2025, out)
    assert status == pl.NOT_ACHIEVED and used["value"] == 7000


def test_ledger_of_the_bundled_plan(project_copy):
    from analysis.data import loaders

    plan = plans.load_plan("qz_civil_affairs_14th")
    forecast = pd.DataFrame(
        {
            "unit_id": ["quanzhou"] * 2,
            "year": [2025, 2025],
            "indicator": ["pop_60plus"] * 2,
            "base": ["registered", "resident"],
            "p10": [1.4e6, 1.6e6],
            "p50": [1.5e6, 1.7e6],
            "p90": [1.6e6, 1.8e6],
        }
    )
    ledger = pl.plan_ledger(plan, loaders.load_outturns(), forecast, forecast_origin=2020)
    assert list(ledger.columns) == pl.LEDGER_COLUMNS
    assert set(ledger["status"]) <= set(pl.STATUSES)
    city = ledger[ledger["unit_id"] == "quanzhou"].set_index("indicator")
    # every 专栏2 indicator and every prose target of the plan has a row
    zl2 = set(loaders.load_plan_zl2()["indicator_id"])
    assert zl2 <= set(city.index)
    assert {"certified_social_workers", "social_work_talent_total", "new_elderly_care_beds", "pop_60plus"} <= set(
        city.index
    )
    # the registered expectation gets the registered forecast, never the resident one
    assert city.at["pop_60plus", "forecast"] == 1.5e6 and city.at["pop_60plus", "base"] == "registered"
    # 2023's 6,555 certified social workers: published, dated, sourced, the target year not yet published
    row = city.loc["certified_social_workers"]
    assert row["status"] == pl.IN_PROGRESS and row["outturn"] == 6555 and row["outturn_date"] == "2023-03-22"
    assert "qzwb.com" in row["outturn_source"]
    # "未公布" is shown, never a blank
    assert (ledger["status"] != "").all() and ledger["status"].notna().all()


def test_an_outturn_never_evaluates_a_forecast_made_after_it(project_copy):
    from analysis.data import loaders

    plan = plans.load_plan("qz_civil_affairs_14th")
    forecast = pd.DataFrame(
        {
            "unit_id": ["quanzhou"],
            "year": [2025],
            "indicator": ["pop_60plus"],
            "base": ["registered"],
            "p10": [1.4e6],
            "p50": [1.5e6],
            "p90": [1.6e6],
        }
    )
    ledger = pl.plan_ledger(plan, loaders.load_outturns(), forecast, forecast_origin=2025)
    assert ledger["forecast"].isna().all() and ledger["forecast_error_pct"].isna().all()


def test_a_value_set_from_the_plan_is_labelled_and_never_forecast(project_copy):
    from analysis.data import loaders

    plan = plans.load_plan("qz_civil_affairs_14th")
    forecast = pd.DataFrame(
        {
            "unit_id": ["quanzhou"],
            "year": [2025],
            "indicator": ["dibao_to_min_wage_ratio"],
            "base": ["registered"],
            "p10": [47.5],
            "p50": [47.5],
            "p90": [47.5],
        }
    )
    ledger = pl.plan_ledger(plan, loaders.load_outturns(), forecast, forecast_origin=2020)
    row = ledger[(ledger["unit_id"] == "quanzhou") & (ledger["indicator"] == "dibao_to_min_wage_ratio")].iloc[0]
    assert np.isnan(row["forecast"]) and "按规划设定" in row["note"]

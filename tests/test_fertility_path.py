"""China's births-implied TFR after a rolling origin (issue 26 item 6): births follow the collapse.

Reference values are typed by hand from the sources, not read through the loaders: UN WPP 2024
(R package wpp2024 at 2da7768, data-raw/tfr.txt, tfrprojMed.txt, births.txt, birthsprojMed.txt,
China row 156) and the NBS births (国家统计局: 1062万 2021, 956万 2022, 902万 2023, 954万 2024,
792万 2025).
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.data import loaders
from analysis.demography import estimates, fertility, projection

WPP24_TFR = {2022: 1.034399, 2023: 0.999488, 2024: 1.012982, 2025: 1.020907, 2030: 1.06119}
WPP24_BIRTHS = {2021: 10461.124, 2022: 9455.32, 2023: 8899.881, 2024: 8822.056, 2025: 8709.352}  # thousands
NBS = {2021: 1062, 2022: 956, 2023: 902, 2024: 954, 2025: 792}  # 10k persons


def ratio(year):
    return NBS[year] * 10 / WPP24_BIRTHS[year]


def test_published_years_follow_the_nbs_births():
    got = fertility.births_implied_tfr([2022, 2023, 2024], up_to=2024)
    want = [WPP24_TFR[y] * ratio(y) for y in (2022, 2023, 2024)]
    assert got == pytest.approx(want, rel=1e-9)


def test_after_the_last_published_year_the_level_is_the_mean_of_the_latest_three():
    level = np.mean([ratio(y) for y in (2022, 2023, 2024)])
    got = fertility.births_implied_tfr([2025, 2030], up_to=2024)
    assert got == pytest.approx([WPP24_TFR[2025] * level, WPP24_TFR[2030] * level], rel=1e-9)
    # with the 2025 count published, 2025 is that year's own figure: 792万 is 9 % below WPP 2024
    assert fertility.births_implied_tfr([2025], up_to=2025)[0] == pytest.approx(WPP24_TFR[2025] * ratio(2025), rel=1e-9)


def test_nothing_dated_after_the_cut_off_is_read(monkeypatch):
    before = fertility.births_implied_tfr(np.arange(2021, 2031), up_to=2023)
    table = loaders.load_registry_annual()
    table.loc[(table["geography"] == "China") & (table["year"] > 2023), "value"] = 100
    monkeypatch.setattr(loaders, "load_registry_annual", lambda: table)
    assert np.array_equal(fertility.births_implied_tfr(np.arange(2021, 2031), up_to=2023), before)


def test_without_any_nbs_year_wpp_2024_is_used_as_published():
    assert fertility.births_implied_tfr([2024], up_to=2020)[0] == pytest.approx(WPP24_TFR[2024], rel=1e-9)


@pytest.fixture(scope="module")
def origin2024():
    return projection.project("baseline", base="registered", start_year=2024, end_year=2030, draws=1)


def test_births_after_the_origin_follow_the_births_implied_tfr(origin2024):
    est = estimates.registered_estimates(last_year=2024, data_up_to=2024)
    path = fertility.births_implied_tfr([2024, 2025], up_to=2024)
    births = np.nansum(origin2024.births[0], axis=(1, 2))
    # first step: the estimated 2024 births × China's births-implied TFR ratio (−3.5 %), not the
    # WPP 2022 ratio (+0.7 %) that kept registered births flat
    assert births[1] == pytest.approx(est.births_in(2024) * path[1] / path[0], rel=1e-9)
    assert births[1] < 0.97 * est.births_in(2024)
    # the applied TFR moves with the national path, year by year
    index = origin2024.calibration["tfr_index"]
    years = np.arange(2025, 2031)
    applied = fertility.national_tfr(years) * np.array([index[int(y)] for y in years])
    want = fertility.births_implied_tfr(years, up_to=2024)
    assert applied / applied[0] == pytest.approx(want / want[0], rel=1e-12)


def test_the_2020_origin_keeps_the_wpp_2022_path():
    res = projection.project("baseline", base="registered", end_year=2022, draws=1)
    assert res.calibration["tfr_index"] is None

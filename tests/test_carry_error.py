"""A later origin's bands carry the error of the years its base total was only modelled
(analysis.demography.carry_error, issue 25)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.demography import carry_error, estimates, projection

# The observed registered city totals at year-ends (万): registered.csv 2018–2020, registry_annual.csv 2021–2022.
TOTALS = {2018: 755.12, 2019: 760.70, 2020: 766.14, 2021: 771.27, 2022: 773.82}


def _hand_sd(last: int) -> float:
    years = [y for y in TOTALS if y <= last]
    rates = [TOTALS[y] / TOTALS[y - 1] - 1 for y in years if y - 1 in TOTALS]
    mean = sum(rates) / len(rates)
    return (sum((r - mean) ** 2 for r in rates) / (len(rates) - 1)) ** 0.5


def test_the_carry_error_is_the_sd_of_the_observed_annual_growth():
    assert carry_error.carry_sd(2024) == pytest.approx(_hand_sd(2022), rel=1e-9)
    assert carry_error.carry_sd(2024) == pytest.approx(0.001908, abs=2e-6)  # 0.19 % a year
    assert carry_error.carry_sd(2021) == pytest.approx(_hand_sd(2021), rel=1e-9)  # only data up to the origin


def test_the_years_modelled_count_from_the_last_observed_city_total():
    est = estimates.registered_estimates(last_year=2024, data_up_to=2024)
    assert [carry_error.modelled_years(est.status, y, 2020) for y in (2021, 2022, 2023, 2024)] == [0, 0, 1, 2]
    empty = pd.DataFrame(columns=estimates.STATUS_COLUMNS).astype({"status": str})
    assert carry_error.modelled_years(empty, 2023, 2020) == 3  # nothing observed: from the base


def test_one_draw_or_no_error_draws_nothing():
    assert np.array_equal(carry_error.factors(1, 7, 0.01), [1.0])
    assert np.array_equal(carry_error.factors(5, 7, 0.0), np.ones(5))
    f = carry_error.factors(4000, 7, 0.01)
    assert f.std() == pytest.approx(0.01, rel=0.05) and f.mean() == pytest.approx(1.0, abs=0.001)


@pytest.fixture(scope="module")
def bands():
    out = {}
    for origin in (2022, 2024):
        res = projection.project(
            "baseline", base="registered", start_year=origin, end_year=origin + 2, draws=400, seed=11
        )
        out[origin] = res.population.sum(axis=(2, 3, 4))  # (draw, year) city totals
    return out


def test_a_modelled_origin_is_not_certain_and_its_band_is_as_wide_as_the_carry_error(bands):
    total = bands[2024][:, 0]
    sd = carry_error.carry_sd(2024) * np.sqrt(2)  # 2023 and 2024 modelled
    implied = 2 * 1.2816 * sd * np.median(total)  # p10–p90 width of the carry error alone
    width = np.percentile(total, 90) - np.percentile(total, 10)
    assert width >= 0.9 * implied  # 400 draws: sampling error ≈ 5 %
    later = bands[2024][:, 2]
    assert np.percentile(later, 90) - np.percentile(later, 10) >= 0.9 * implied


def test_an_observed_origin_total_stays_exact(bands):
    assert np.ptp(bands[2022][:, 0]) == pytest.approx(0.0, abs=1e-3)  # end-2022 total observed

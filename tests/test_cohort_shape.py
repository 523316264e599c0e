"""The national single-age shape keeps each birth cohort at a year-end (analysis.demography.base.cohort_shape).

At 31 December every completed age is exactly one calendar birth year, so the shape divided by
that year's births (≈ survival to the age) must run smoothly across the famine trough (1961:
16.9 M births) and the boom (1962–63: 26.8 M, 33.5 M). Moving completed ages by interpolation
between single-age bins blurred each cohort with its neighbours: the 1961 cohort came out at
0.88 of its births against 0.69 for 1960.
"""

import numpy as np
import pytest

from analysis.demography.base.cohort_shape import _groups, anchor_shape, births_by_year, cohort_shape


@pytest.mark.parametrize("year_end", [2017, 2019, 2020])
def test_each_age_is_one_birth_year_at_a_year_end(year_end):
    births = births_by_year()
    shape = cohort_shape(year_end + 1.0).sum(axis=0)
    ages = np.arange(year_end - 1966, year_end - 1955)  # cohorts born 1956–1966
    ratio = np.array([shape[a] / births[year_end - a] for a in ages])
    assert np.all(np.abs(np.diff(np.log(ratio))) < 0.08), dict(zip(year_end - ages, ratio.round(3)))
    trough = year_end - 1961
    assert shape[trough] < 0.75 * shape[trough - 1]  # 1961 smaller than 1962 as the births were


def test_mid_year_anchor_keeps_every_wpp_group_total():
    shape = anchor_shape(2020)
    for s, sex in enumerate(("male", "female")):
        for first, last, total in _groups(sex, 2020):
            got = shape[s, first:] if last is None else shape[s, first : last + 1]
            assert got.sum() == pytest.approx(total, rel=1e-9), (sex, first)
    assert cohort_shape(2020.5) == pytest.approx(shape, rel=1e-12)


def test_moving_back_keeps_the_oldest_ages():
    """The open group 100+ is held as cohorts up to 109, so 2.5 years earlier ages 98–100 are not empty."""
    shape = cohort_shape(2018.0)
    assert np.all(shape[:, 95:] > 0)
    assert np.all(np.isfinite(shape)) and np.all(shape >= 0)


def test_moving_forward_adds_the_births_of_each_year():
    """Aged 0 and 1 at end-2021 are the births of 2021 and 2020 (× the anchor's persons per birth)."""
    births = births_by_year()
    later = cohort_shape(2022.0).sum(axis=0)
    assert later[0] / later[1] == pytest.approx(births[2021] / births[2020], rel=0.01)
    assert later[1] / later[2] == pytest.approx(births[2020] / births[2019], rel=0.03)


@pytest.mark.parametrize("census", [2010 + 10 / 12, 2020 + 10 / 12])
def test_age_0_at_a_census_is_the_births_of_the_past_year(census):
    """On 1 November, aged 0 are those born in the past twelve months (2/12 of one calendar year's
    births and 10/12 of the next), counted once, not scaled twice for being partly born."""
    births = births_by_year()
    shape = cohort_shape(census).sum(axis=0)
    year = int(census)
    past_year = (2 / 12) * births[year - 1] + (10 / 12) * births[year]
    assert shape[0] == pytest.approx(past_year, rel=0.08)

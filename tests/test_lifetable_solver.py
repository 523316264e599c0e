"""The vectorised e0 root search and one-pass survival ratios against the plain life table."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.demography import lifetable
from analysis.errors import AnalysisError


@pytest.fixture(scope="module")
def std():
    return lifetable.standard_mx(np.arange(2021, 2051))  # (30, 2, 101)


def test_many_targets_reach_e0_exactly(std):
    rng = np.random.default_rng(3)
    target = lifetable.e0_path(np.arange(2021, 2051))[:, None, :] + rng.normal(0, 2, (30, 200, 2))
    k = lifetable.solve_hazard_factor(std[:, None], target, verify=False)
    assert k.shape == (30, 200, 2)
    assert np.abs(lifetable.e0_of(std[:, None] * k[..., None]) - target).max() < 1e-7


@pytest.mark.parametrize("e0", [15.0, 20.0, 35.0, 60.0, 95.0, 110.0, 140.0])
def test_extreme_targets_fall_back_and_still_converge(std, e0):
    k = lifetable.solve_hazard_factor(std[:1], np.full((1, 2), e0))
    assert lifetable.e0_of(std[:1] * k[..., None]) == pytest.approx(np.full((1, 2), e0), abs=1e-6)


def test_survival_at_e0_equals_survival_ratios_of_the_scaled_schedule(std):
    rng = np.random.default_rng(4)
    target = lifetable.e0_path(np.arange(2021, 2051))[:, None, :] + rng.normal(0, 1, (30, 50, 1))
    S, Sb, k = lifetable.survival_at_e0(std[:, None], target, verify=True)
    S_ref, Sb_ref, e0 = lifetable.survival_ratios(std[:, None] * k[..., None], with_e0=True)
    assert S.shape == (30, 50, 2, 101) and Sb.shape == k.shape == (30, 50, 2)
    assert np.abs(S - S_ref).max() < 1e-14
    assert np.abs(Sb - Sb_ref).max() < 1e-14
    assert np.abs(e0 - target).max() < 1e-7
    assert k == pytest.approx(lifetable.solve_hazard_factor(std[:, None], target), rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(level=st.floats(0.3, 3.0), e0=st.floats(40.0, 95.0), slope=st.floats(0.03, 0.12))
def test_random_gompertz_schedules(level, e0, slope):
    ages = np.arange(101)
    mx = level * (0.0002 + 0.00002 * np.exp(slope * ages))
    k = lifetable.solve_hazard_factor(mx, e0)
    assert float(lifetable.e0_of(mx * k)) == pytest.approx(e0, abs=1e-6)
    S, Sb, k2 = lifetable.survival_at_e0(mx[None], np.array([e0]))
    S_ref, Sb_ref = lifetable.survival_ratios(mx * k2[0])
    assert S[0] == pytest.approx(S_ref, rel=1e-12, abs=1e-12)  # l(a) underflows in the old form


def test_bad_rates_rejected():
    with pytest.raises(AnalysisError):
        lifetable.solve_hazard_factor(-np.ones(101), 70.0)
    with pytest.raises(AnalysisError):
        lifetable.survival_at_e0(np.full(101, np.nan), 70.0)


def test_many_distinct_schedules_are_tabulated_in_blocks(std):
    # every (year, draw, sex) schedule distinct: the tables are built a block of schedules at a time
    rng = np.random.default_rng(5)
    mx = std[:, None] * rng.uniform(0.8, 1.2, (30, 40, 2, 1))
    target = lifetable.e0_path(np.arange(2021, 2051))[:, None, :] + rng.normal(0, 1, (30, 40, 2))
    k = lifetable.solve_hazard_factor(mx, target)
    assert np.abs(lifetable.e0_of(mx * k[..., None]) - target).max() < 1e-7

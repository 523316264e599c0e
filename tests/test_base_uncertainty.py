"""The spreads of the base-population draws follow their measurements (scenario demography.base_*)."""

import numpy as np
import pytest

from analysis.demography import base as bp
from analysis.demography.base.county_checks import county_total_loo
from analysis.demography.base.registered import city_registered_2020, registered_accounting
from analysis.demography.base.uncertainty import base_draws
from analysis.scenarios import load_scenario

SCN = load_scenario("baseline")


def test_resident_county_spread_covers_the_leave_one_out_errors():
    errors = np.array(list(county_total_loo().values())) / 100
    assert len(errors) >= 3
    rms = float(np.sqrt(np.mean(np.log1p(errors) ** 2)))
    assert SCN.get("demography.base_county_sd_log_resident") >= 0.9 * rms


def test_registered_county_spread_is_the_measured_leave_one_out_error():
    resident = bp.estimate_resident_2020()
    _, known, diag = bp.registered_unit_totals(resident)
    errors = np.array(list(diag["registered_total_loo_log_error"].values()))
    assert len(errors) == len(known) >= 6
    rms = float(np.sqrt(np.mean(errors ** 2)))
    assert SCN.get("demography.base_county_sd_log_registered") == pytest.approx(rms, abs=0.01)


def test_80plus_spread_is_half_the_range_of_the_methods():
    methods = [registered_accounting(**kw).structures[2019][:, 80:].sum()
               for kw in ({}, {"ages_60_79": "flat"}, {"p80_method": "ratio_2017"})]
    assert len({round(m) for m in methods}) == 3          # three different methods
    spread = 50 * (max(methods) - min(methods)) / np.mean(methods)
    assert SCN.get("demography.base_80plus_sd_pct") == pytest.approx(spread, abs=0.3)


def test_elderly_spread_covers_the_accounting_gap():
    gap = abs(registered_accounting().gap_2019) * 100
    assert SCN.get("demography.base_elderly_sd_pct") >= gap


@pytest.mark.parametrize("base", ["resident", "registered"])
def test_draws_keep_what_is_published(base):
    b = bp.load_base_population(base)
    draws, factors = base_draws(b, 300, 7, 0.8, 4.0, 0.2 if base == "registered" else 0.003, 5.6)
    city = draws.sum(axis=1)
    # every draw keeps the city total; units with published totals keep them
    assert city.sum(axis=(-1, -2)) == pytest.approx(np.full(300, b.population.sum()), rel=1e-6)
    for i, uid in enumerate(b.unit_ids):
        if not b.unit_total_estimated.get(uid, True):
            assert draws[:, i].sum(axis=(-1, -2)) == pytest.approx(np.full(300, b.population[i].sum()), rel=1e-4)
    if base == "resident":   # the published bands 0–14 / 15–59 / 60+ stay in every draw
        for lo, hi in ((0, 15), (15, 60), (60, 101)):
            assert city[..., lo:hi].sum(axis=(-1, -2)) == pytest.approx(
                np.full(300, b.population[..., lo:hi].sum()), rel=1e-6)
    else:                    # the registered 60+ moves with its measured spread
        sixty = city[..., 60:].sum(axis=(-1, -2)) / b.population[..., 60:].sum() - 1
        assert 0.004 < sixty.std() < 0.012
    assert np.all(draws >= 0)


def test_one_draw_is_the_base_itself():
    b = bp.load_base_population("registered")
    draws, _ = base_draws(b, 1, 7, 0.8, 4.0, 0.33, 5.6)
    assert draws[0] == pytest.approx(b.population)

"""project(): base year, accounting, city sums, calibration to 2021 births, draws, bad input."""

import numpy as np
import pytest

from analysis.data import loaders
from analysis.demography import project
from analysis.demography.lifetable import e0_of, solve_hazard_factor, standard_mx
from analysis.errors import AnalysisError, ParameterError
from analysis.scenarios import load_scenario

from demography_helpers import demography_scenario


@pytest.fixture(scope="module")
def resident():
    return project(demography_scenario(), base="resident", end_year=2030, draws=3, seed=7)


@pytest.fixture(scope="module")
def registered():
    return project(demography_scenario(), base="registered", end_year=2026, draws=1)


def test_base_year_reproduces_inputs(resident, registered):
    city = resident.unit("quanzhou")[:, 0]
    assert city.sum(axis=(-1, -2)) == pytest.approx(8_782_285, abs=1)
    ind = resident.indicators("quanzhou")
    assert ind["share_60plus"][:, 0] == pytest.approx(13.21, abs=1e-6)
    assert ind["share_65plus"][:, 0] == pytest.approx(9.00, abs=1e-6)
    jj = resident.indicators("jinjiang")
    assert jj["share_0_14"][:, 0] == pytest.approx(18.33, abs=1e-6)
    assert jj["share_60plus"][:, 0] == pytest.approx(10.10, abs=1e-6)
    assert registered.age_sum("quanzhou", 60)[0, 0] == pytest.approx(1_110_000, rel=0.005)
    assert resident.estimated_base and resident.estimated_inputs()


def test_accounting_every_unit_sex_age(resident):
    pop = resident.population
    S = resident.components["survival"]          # (step, draw, sex, age)
    Sb = resident.components["birth_survival"]   # (step, draw, sex)
    M = resident.components["migration_by_age"]  # (draw, year, unit, sex, age)
    for t in range(len(resident.years) - 1):
        s = S[t][:, None]
        expected = np.zeros_like(pop[:, t])
        expected[..., 1:] = pop[:, t, ..., :-1] * s[..., :-1]
        expected[..., -1] += pop[:, t, ..., -1] * s[..., -1]
        expected[..., 0] = resident.births[:, t + 1] * Sb[t][:, None]
        assert pop[:, t + 1] == pytest.approx(expected + M[:, t + 1], rel=1e-10, abs=1e-6)
        balance = (pop[:, t].sum(-1) + resident.births[:, t + 1] - resident.deaths[:, t + 1]
                   + resident.net_migration[:, t + 1])
        assert pop[:, t + 1].sum(-1) == pytest.approx(balance, rel=1e-10)


def test_no_negative_persons_and_units_add_up(resident, registered):
    for res in (resident, registered):
        assert (res.population >= 0).all()
        assert res.unit("quanzhou") == pytest.approx(res.population.sum(axis=2))
        assert res.age_sum("quanzhou") == pytest.approx(
            sum(res.age_sum(u) for u in res.unit_ids))


def test_2021_births_match_crude_birth_rate(resident):
    y2021 = loaders.load_resident2021()
    cbr = loaders.fact(y2021, "泉州市", "crude_birth_rate", 2021)
    total = resident.age_sum("quanzhou")[0]
    mid = 0.5 * (total[0] + total[1])
    births = resident.births[0, 1].sum()
    assert births == pytest.approx(cbr / 1000 * mid, rel=0.15)


def test_same_seed_same_numbers_and_draws_differ():
    scn = demography_scenario()
    a = project(scn, end_year=2024, draws=4, seed=11)
    b = project(scn, end_year=2024, draws=4, seed=11)
    c = project(scn, end_year=2024, draws=4, seed=12)
    assert np.array_equal(a.population, b.population)
    assert a.draw_parameters.equals(b.draw_parameters)
    assert not np.array_equal(a.population, c.population)
    assert a.population[0, -1].sum() != a.population[1, -1].sum()
    summary = a.summary("quanzhou")
    row = summary[(summary.indicator == "pop_60plus") & (summary.year == 2024)].iloc[0]
    assert row.p10 <= row.p50 <= row.p90


def test_scenarios_order_fertility_and_migration():
    low = project(demography_scenario(tfr_multiplier=0.85, net_migration_scale=0.5), end_year=2030)
    high = project(demography_scenario(tfr_multiplier=1.15, net_migration_scale=1.5), end_year=2030)
    assert low.age_sum("quanzhou", 0, 9)[0, -1] < high.age_sum("quanzhou", 0, 9)[0, -1]
    assert low.age_sum("quanzhou")[0, -1] < high.age_sum("quanzhou")[0, -1]


def test_e0_offset_is_reached():
    mx = standard_mx([2030])
    k = solve_hazard_factor(mx, np.array([[80.0, 85.0]]))
    assert e0_of(mx * k[..., None])[0] == pytest.approx([80.0, 85.0], abs=1e-6)


@pytest.mark.parametrize("key,value,match", [
    ("demography.tfr_multiplier", -0.5, "between 0.0 and 5.0"),
    ("demography.migration_female_share", 120, "between 0.0 and 100.0"),
    ("demography.horizon", 2060, "between 2021 and 2050"),
    ("demography.horizon", 2019, "between 2021 and 2050"),
])
def test_bad_scenario_values_rejected(key, value, match):
    from analysis.demography.parameters import PARAMETER_RULES

    with pytest.raises(ParameterError, match=match) as info:
        PARAMETER_RULES[key].check(key, value)
    assert info.value.name == key


def test_e0_outside_20_110_rejected():
    with pytest.raises(ParameterError, match="20–110") as info:
        project(demography_scenario(e0_offset=29.9, e0_gain_per_year=1.0), end_year=2040)
    assert info.value.name == "demography.e0_offset"


def test_bad_years_and_base_rejected():
    scn = demography_scenario()
    with pytest.raises(ParameterError, match="end_year"):
        project(scn, end_year=2019)
    with pytest.raises(ParameterError, match="end_year"):
        project(scn, end_year=2051)
    with pytest.raises(ParameterError, match="base"):
        project(scn, base="tourists")
    with pytest.raises(AnalysisError, match="draws"):
        project(scn, end_year=2022, draws=0)


def test_shipped_scenarios_have_sourced_demography_parameters():
    scenarios = [load_scenario(n) for n in ("baseline", "low", "high")]
    for scn in scenarios:
        section = scn.section("demography")
        assert section["horizon"] == 2035
        for key in section:
            assert scn.source("demography." + key), key
    base, low, high = (s.section("demography") for s in scenarios)
    assert low["tfr_multiplier"] < base["tfr_multiplier"] < high["tfr_multiplier"]

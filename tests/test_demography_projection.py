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
    # the county draws rake persons between units: ≤ 0.02 points (0.011 measured with the migration
    # structures, whose units differ more in age than the crude-death-rate tilt's did)
    jj = resident.indicators("jinjiang")
    assert jj["share_0_14"][:, 0] == pytest.approx(18.33, abs=0.02)
    assert jj["share_60plus"][:, 0] == pytest.approx(10.10, abs=0.02)
    from analysis.demography.base.registered import city_registered_2020

    assert registered.age_sum("quanzhou", 60)[0, 0] == pytest.approx(city_registered_2020()[0][:, 60:].sum(), rel=1e-9)
    assert resident.estimated_base and resident.estimated_inputs()


def test_accounting_every_unit_sex_age(resident):
    pop = resident.population
    S = resident.components["survival"]  # (step, draw, sex, age)
    Sb = resident.components["birth_survival"]  # (step, draw, sex)
    M = resident.components["migration_by_age"]  # (draw, year, unit, sex, age)
    for t in range(len(resident.years) - 1):
        s = S[t][:, None]
        expected = np.zeros_like(pop[:, t])
        expected[..., 1:] = pop[:, t, ..., :-1] * s[..., :-1]
        expected[..., -1] += pop[:, t, ..., -1] * s[..., -1]
        expected[..., 0] = resident.births[:, t + 1] * Sb[t][:, None]
        assert pop[:, t + 1] == pytest.approx(expected + M[:, t + 1], rel=1e-10, abs=1e-6)
        balance = (
            pop[:, t].sum(-1) + resident.births[:, t + 1] - resident.deaths[:, t + 1] + resident.net_migration[:, t + 1]
        )
        assert pop[:, t + 1].sum(-1) == pytest.approx(balance, rel=1e-10)


def test_no_negative_persons_and_units_add_up(resident, registered):
    for res in (resident, registered):
        assert (res.population >= 0).all()
        assert res.unit("quanzhou") == pytest.approx(res.population.sum(axis=2))
        assert res.age_sum("quanzhou") == pytest.approx(sum(res.age_sum(u) for u in res.unit_ids))


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


@pytest.mark.parametrize(
    "key,value,match",
    [
        ("demography.tfr_multiplier", -0.5, "between 0.0 and 5.0"),
        ("demography.migration_female_share", 120, "between 0.0 and 100.0"),
        ("demography.horizon", 2060, "between 2021 and 2050"),
        ("demography.horizon", 2019, "between 2021 and 2050"),
    ],
)
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


# ---------------------------------------------------------------------------------------------
# mortality level and migration consistent with the 2021 yearbook


@pytest.fixture(scope="module")
def first_years():
    """The projection with mortality levelled to the 2021 yearbook's crude death rates."""
    return project(demography_scenario(mortality_level="yearbook_cdr_2021"), base="resident", end_year=2022, draws=1)


@pytest.fixture(scope="module")
def national_first_years():
    return project(demography_scenario(mortality_level="national"), base="resident", end_year=2022, draws=1)


def yearbook_2021(result, indicator):
    from analysis import geography

    y2021 = loaders.load_resident2021()
    return np.array([loaders.fact(y2021, geography.resolve(u).name_zh, indicator, 2021) for u in result.unit_ids])


def test_2021_deaths_match_the_yearbook_crude_death_rate(first_years):
    """Measured: 60,110 deaths = 6.82 ‰ (national level: 47,025 = 5.33 ‰); yearbook 6.9 ‰."""
    cdr = loaders.fact(loaders.load_resident2021(), "泉州市", "crude_death_rate", 2021)
    total = first_years.age_sum("quanzhou")[0]
    mid = 0.5 * (total[0] + total[1])
    assert first_years.deaths[0, 1].sum() == pytest.approx(cdr / 1000 * mid, rel=0.05)


def test_2021_year_end_populations_reproduce_the_yearbook(first_years):
    """31 Dec 2021 lies 2/12 of the way from the engine's 1 Nov 2021 to 1 Nov 2022: every unit
    within the yearbook's rounding (0.1 万 = 1,000 persons, so ±500)."""
    pop = first_years.population[0].sum(axis=(-1, -2))  # (year, unit)
    year_end = pop[1] + (pop[2] - pop[1]) * 2 / 12
    published = yearbook_2021(first_years, "resident_population_yearend") * 1e4
    assert np.abs(year_end - published).max() <= 500
    assert year_end.sum() == pytest.approx(published.sum(), abs=500)


def test_migration_is_the_yearbook_change_minus_the_engines_own_births_and_deaths(first_years):
    res = first_years
    p20 = res.population[0, 0].sum(axis=(-1, -2))
    p21 = yearbook_2021(res, "resident_population_yearend") * 1e4
    births, deaths = res.births[0, 1].sum(-1), res.deaths[0, 1].sum(-1)
    mig = np.array([res.calibration["net_migration_per_year"][u] for u in res.unit_ids])
    assert mig == pytest.approx((p21 - p20) * 12 / 14 - (births - deaths), abs=1e-6)
    assert res.net_migration[0, 1].sum(-1) == pytest.approx(mig, abs=1e-6)  # nothing clipped
    # the accounting identity, city level
    assert res.population[0, 1].sum() == pytest.approx(p20.sum() + births.sum() - deaths.sum() + mig.sum(), rel=1e-12)


def test_mortality_level_comes_from_the_crude_death_rate_fit(first_years):
    from analysis.demography.base import mortality_schedule
    from analysis.demography.lifetable import e0_path

    level = first_years.calibration["mortality_level"]
    k = first_years.calibration["base_age_structure"]["mortality_level_factor"]
    assert level["hazard_factor"] == pytest.approx(k)
    assert 1.1 < k < 1.5
    e0 = e0_of(k * mortality_schedule(2021))
    assert [level["e0_2021"]["male"], level["e0_2021"]["female"]] == pytest.approx(e0)
    gap = e0 - e0_path([2021])[0]
    assert (gap < 0).all()
    # the gap is carried along the WPP path: the engine's 2022 target e0
    row = first_years.draw_parameters.iloc[0]
    assert [row.e0_male_end, row.e0_female_end] == pytest.approx(e0_path([2022])[0] + gap, abs=1e-9)
    assert any("Mortality level ESTIMATED" in str(n) for n in first_years.notes)


def test_e0_offset_can_return_to_the_national_level(first_years, national_first_years):
    gap = first_years.calibration["mortality_level"]["e0_gap"]
    offset = project(
        demography_scenario(mortality_level="yearbook_cdr_2021", e0_offset=-0.5 * (gap["male"] + gap["female"])),
        end_year=2022,
    )
    assert offset.deaths[0, 1].sum() < 0.90 * first_years.deaths[0, 1].sum()
    assert offset.deaths[0, 1].sum() == pytest.approx(national_first_years.deaths[0, 1].sum(), rel=0.03)


def test_national_level_keeps_the_accounting_and_the_2021_populations(national_first_years, first_years):
    """The default level: WPP national e0, no gap; migration still follows the engine's deaths."""
    national = national_first_years
    level = national.calibration["mortality_level"]
    assert level["hazard_factor"] == 1.0 and level["e0_gap"] == {"male": 0.0, "female": 0.0}
    assert national.deaths[0, 1].sum() < 0.90 * first_years.deaths[0, 1].sum()
    pop = national.population[0].sum(axis=(-1, -2))
    year_end = pop[1] + (pop[2] - pop[1]) * 2 / 12
    assert np.abs(year_end - yearbook_2021(national, "resident_population_yearend") * 1e4).max() <= 600
    assert any("Mortality level: national" in str(n) for n in national.notes)


def test_unknown_mortality_level_is_rejected():
    with pytest.raises(ParameterError, match="demography.mortality_level"):
        demography_scenario(mortality_level="guess")


def test_registered_transfers_use_the_engines_deaths(registered):
    death_rate = 1000 * registered.deaths[0, 1].sum() / registered.population[0, :2].sum(axis=(-1, -2, -3)).mean()
    registered_series = loaders.fact(loaders.load_registered(), "泉州市", "registered_crude_death_rate", 2020)
    assert death_rate > registered_series  # 6.4 ‰ at the national level vs the series' 5.68 ‰ (2020)
    assert any("projection's own crude death rate" in str(n) for n in registered.notes)


def test_key_years_always_include_base_and_horizon():
    from analysis.demography.summaries import key_years

    assert key_years(range(2020, 2051)) == [2020, 2025, 2030, 2035, 2040, 2045, 2050]
    assert key_years(range(2020, 2033)) == [2020, 2025, 2030, 2032]

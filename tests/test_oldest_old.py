"""The oldest old (issue 26, item 5): Kannisto tail of the death rates and the 100+ of the base."""

from dataclasses import replace

import numpy as np
import pytest

from analysis.demography import lifetable, oldest_old
from analysis.demography.base.registered import city_registered_2020, registered_accounting


def test_kannisto_fit_recovers_a_logistic_hazard():
    ages = np.arange(101)
    z = np.exp(np.log(0.05) + 0.11 * (ages - 80.0))
    mx = np.stack([z / (1 + z), 0.5 * z / (1 + 0.5 * z)])
    log_a, b = oldest_old.kannisto_fit(mx)
    assert log_a == pytest.approx([np.log(0.05), np.log(0.025)], abs=1e-9)
    assert b == pytest.approx([0.11, 0.11], abs=1e-9)
    out = oldest_old.kannisto_tail(mx)
    assert out[:, :100] == pytest.approx(mx[:, :100], rel=1e-9)  # the same hazard below 100


def test_open_interval_rate_of_a_constant_hazard_is_that_hazard():
    # b = 0: the logistic is constant, so 1/e(100) is the hazard itself (up to the cut at 130)
    rate = oldest_old.open_interval_rate(np.array(np.log(0.5 / 0.5)), np.array(0.0))
    assert rate == pytest.approx(0.5, rel=1e-3)


def test_national_tail_no_longer_jumps_at_100():
    mx = lifetable.standard_mx([2021])[0]
    for s in range(2):
        assert np.all(np.diff(mx[s, 90:101]) > 0)  # rising through 95–99 (was flat at 97–99)
        assert mx[s, 100] < 1.2 * mx[s, 99] + 0.1  # no jump of +49 % at the open age
    assert mx[0, 100] == pytest.approx(0.55, abs=0.05) and mx[1, 100] == pytest.approx(0.45, abs=0.05)


def test_base_centenarians_follow_the_published_trend_and_80plus_stays():
    value, note = oldest_old.city_centenarians_at(2020.0)
    assert value == pytest.approx(337 * (337 / 303) ** ((2020 - 2015.58) / (2015.58 - 2012.58)), rel=0.01)
    assert "303" in str(note) and "337" in str(note)
    pop, _ = city_registered_2020()
    acc = registered_accounting().structures[2020]
    assert pop[:, 100].sum() == pytest.approx(value, rel=1e-9)
    assert pop[:, 80:].sum() == pytest.approx(acc[:, 80:].sum(), rel=1e-12)
    assert pop[:, 60:].sum() == pytest.approx(acc[:, 60:].sum(), rel=1e-12)


def test_city_centenarians_do_not_collapse():
    """Was 516 (2020) → 365 (2024) while every published count rose; now within 10 % of the base
    through 2024 and above it by 2026."""
    from analysis.demography import project

    r = project("baseline", base="registered", end_year=2026, draws=1)
    c = r.age_sum("quanzhou", 100)[0]
    assert c.min() > 0.9 * c[0]
    assert c[r.year_index(2026)] > c[0]


def test_the_city_centenarians_sit_where_they_were_counted():
    """泉港 had 36 of the city's 303 centenarians in 2013 (11.9 %) with 5 % of its registered people;
    the base places the city's 100+ by these published shares, units and the city kept."""
    from analysis.demography import base as bp
    from analysis.demography.base import county_evidence as ce

    shares = ce.centenarian_shares(2020)
    assert shares["quangang"][0] == pytest.approx(36 / 303) and shares["nanan"][0] == pytest.approx(85 / 337)
    assert "yongchun" not in shares
    reg = bp.estimate_registered_2020()
    city100 = reg.city()[:, 100].sum()
    for uid, (share, _) in shares.items():
        assert reg.population[reg.unit_ids.index(uid)][:, 100].sum() == pytest.approx(share * city100, rel=1e-6)
    assert reg.city() == pytest.approx(city_registered_2020()[0], rel=1e-8)
    # a later count (泉港 55 in 2024) does not enter the 2020 base
    assert shares["quangang"][1] == "2013-07-31"


def test_anchor_open_age_keeps_each_sex_and_its_80plus():
    """Hand-checked: men 100+ 10 → 20, women 30 → 60 (target 80 from 40); each sex's 80–99 gives up
    exactly what its 100+ gained, so totals by sex (published) and 80+ by sex stay."""
    from analysis.demography.oldest_old import anchor_open_age

    pop = np.zeros((2, 101))
    pop[0, :80], pop[1, :80] = 100.0, 100.0
    pop[0, 80:100], pop[1, 80:100] = 50.0, 10.0  # 1,000 men and 200 women aged 80–99
    pop[0, 100], pop[1, 100] = 10.0, 30.0
    out = anchor_open_age(pop, 80.0)
    assert out[:, 100] == pytest.approx([20.0, 60.0])
    assert out[:, 80:100].sum(axis=1) == pytest.approx([990.0, 170.0])
    assert out.sum(axis=1) == pytest.approx(pop.sum(axis=1), rel=1e-12)


# --- the oldest-old mortality factor (issue 26 item 5): fitted on pre-origin counts only ---------------


@pytest.fixture(scope="module")
def fit():
    from analysis.demography.oldest_old_fit import fit_oldest_old_factor

    return fit_oldest_old_factor()


def test_factor_fit_reference_value(fit):
    """Reference (measured 2026-12): factor 0.966, sd of its log 0.058. The target is the 2013 → 2016
    city trend, ln(337/303) / 3.0 years = 3.54 % a year; the engine at factor 1 gives 1.93 %."""
    (y0, t0, c0), (y1, t1, c1) = fit.counts
    assert (y0, c0, y1, c1) == (2013, 303.0, 2016, 337.0)  # the 536 of end-2021 never enters
    assert fit.target_growth == pytest.approx(np.log(337 / 303) / (t1 - t0))
    assert fit.target_growth_sd == pytest.approx(np.sqrt(1 / 303 + 1 / 337) / (t1 - t0))
    assert fit.growth_at_one == pytest.approx(0.0193, abs=5e-4)
    assert fit.factor == pytest.approx(0.966, abs=0.002)
    assert fit.sd_log == pytest.approx(0.058, abs=0.002)
    assert fit.slope < 0  # lower hazards, faster growth


def test_fitted_factor_gives_the_trend_growth_in_the_first_year(fit):
    from analysis.demography.oldest_old_fit import first_year_growth

    assert first_year_growth(fit.factor) == pytest.approx(fit.target_growth, abs=1e-5)
    assert first_year_growth(1.0) < fit.target_growth


def test_fit_uses_only_counts_dated_by_the_origin():
    assert oldest_old.centenarian_trend(2015) is None  # 2016 not yet published: nothing to fit
    assert oldest_old.centenarian_trend(2020) == oldest_old.centenarian_trend(2024)


@pytest.mark.parametrize(
    "key, field, decimals",
    [
        ("demography.oldest_old_mortality_factor", "factor", 3),
        ("demography.oldest_old_mortality_sd", "sd_log", 3),
    ],
)
def test_scenario_factor_is_what_the_fit_measures(fit, key, field, decimals):
    from analysis.scenarios import load_scenario

    assert load_scenario("baseline").get(key) == round(getattr(fit, field), decimals)


def test_scaling_the_oldest_old_hazards_hand_case():
    """S = e^{−m}: × factor on the hazard is S ** factor, at 95+ only; one factor per draw."""
    m = np.linspace(0.01, 0.6, 101)
    S = np.broadcast_to(np.exp(-m), (1, 2, 2, 101))  # (T, D, sex, age)
    out = oldest_old.scale_oldest_old_hazards(S, np.array([0.5, 1.0]))
    assert out[0, 0, :, 95:] == pytest.approx(np.tile(np.exp(-0.5 * m[95:]), (2, 1)))
    assert out[0, 0, :, :95] == pytest.approx(S[0, 0, :, :95])
    assert out[0, 1] == pytest.approx(S[0, 1])


def test_factor_acts_on_the_registered_projection_only():
    from analysis.demography import project
    from analysis.scenarios import load_scenario

    scn = load_scenario("baseline")
    one = scn.with_overrides({"demography.oldest_old_mortality_factor": 1.0})
    reg = [project(s, base="registered", end_year=2022, draws=1).age_sum("quanzhou", 100)[0, -1] for s in (scn, one)]
    assert reg[0] > reg[1]
    res = [project(s, base="resident", end_year=2022, draws=1).age_sum("quanzhou", 100)[0, -1] for s in (scn, one)]
    assert res[0] == pytest.approx(res[1], rel=1e-12)


def test_factor_is_drawn_log_normally_from_its_own_generator():
    from analysis.demography.parameters import DemographyParameters, draw_parameters
    from analysis.scenarios import load_scenario

    params = DemographyParameters.from_scenario(load_scenario("baseline"))
    table = draw_parameters(params, 4000, 7)
    logs = np.log(table["oldest_old_mortality_factor"] / params.oldest_old_mortality_factor)
    assert logs.std() == pytest.approx(params.oldest_old_mortality_sd, rel=0.05)
    assert abs(logs.mean()) < 0.005
    fixed = draw_parameters(replace(params, oldest_old_mortality_sd=0.0), 4000, 7)
    for column in ("tfr_multiplier", "e0_gain_per_year", "net_migration_scale", "mortality_level_z"):
        assert table[column].to_numpy() == pytest.approx(fixed[column].to_numpy())


def test_the_2010_backtest_does_not_use_the_factor_fitted_on_its_observations():
    from analysis.demography import backtest_registered as br

    r = br.run_registered_backtest()
    assert set(r.draw_parameters["oldest_old_mortality_factor"]) == {1.0}


def test_the_note_says_fitted_only_when_the_factor_is_the_fitted_one():
    """A scenario that sets another factor must not be told it was fitted on the centenarian counts:
    its note says the scenario set it and gives the fitted value beside it (the old note said
    "fitted" whatever the value)."""
    from analysis.demography import project
    from analysis.present.method_notes import reader_text
    from analysis.scenarios import load_scenario

    scn = load_scenario("baseline")
    ids = {
        f: {n.id: n for n in project(s, base="registered", end_year=2021, draws=1).notes}
        for f, s in ((None, scn), (1.0, scn.with_overrides({"demography.oldest_old_mortality_factor": 1.0})))
    }
    assert "oldest_old_mortality" in ids[None] and "oldest_old_mortality_set" not in ids[None]
    assert "oldest_old_mortality_set" in ids[1.0] and "oldest_old_mortality" not in ids[1.0]
    assert ids[1.0]["oldest_old_mortality_set"].values["fit"] == scn["demography.oldest_old_mortality_factor"]
    _id, _topic, zh, _en = reader_text(ids[1.0]["oldest_old_mortality_set"])
    assert (
        "情景设定" in zh and f"{scn['demography.oldest_old_mortality_factor']:.3f}" in zh
    )  # the reader is told the scenario set it, and the fit


def test_the_fitted_factor_constant_is_the_fit_and_the_baseline_value(fit):
    """The note's reference value (``oldest_old.FITTED_FACTOR``) is what the fit finds and what
    ``baseline.yaml`` gives, to its three decimals."""
    from analysis.demography import oldest_old
    from analysis.scenarios import load_scenario

    assert oldest_old.FITTED_FACTOR == pytest.approx(fit.factor, abs=5e-4)
    assert oldest_old.FITTED_FACTOR == load_scenario("baseline")["demography.oldest_old_mortality_factor"]


def test_a_run_of_another_scenario_projects_from_its_own_snapshot(project_copy):
    """A run's input snapshot holds only its own scenario, flattened (``run/inputs.py``): the registered
    projection of ``high`` must not need ``baseline.yaml`` (a first version of the oldest-old note read it
    and every non-baseline run failed at its tables with "unknown scenario 'baseline'")."""
    from analysis.demography import project
    from analysis.scenarios import load_scenario

    high = load_scenario("high")
    for path in (project_copy / "scenarios").glob("*.yaml"):
        path.unlink()
    (project_copy / "scenarios" / "high.yaml").write_text(high.to_yaml(), encoding="utf-8")
    result = project(load_scenario("high"), base="registered", end_year=2021, draws=1)
    assert "oldest_old_mortality" in {n.id for n in result.notes}


def test_the_registered_projection_keeps_a_fertility_factor_for_every_unit():
    """The oldest-old note's fields must not replace the fertility calibration: a refactor that named
    them ``factor`` left ``calibration["fertility_factor"]`` as the note's two fields, and the
    explorer's implied TFR failed with KeyError 'luojiang' (caught by ``make bench``)."""
    from analysis.demography import project

    result = project("baseline", base="registered", end_year=2021, draws=1)
    factors = result.calibration["fertility_factor"]
    assert set(factors) == set(result.unit_ids)
    assert all(np.isfinite(float(v)) and float(v) > 0 for v in factors.values())

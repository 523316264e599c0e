"""The spreads of the base-population draws follow their measurements (scenario demography.base_*)."""

import numpy as np
import pytest

from analysis.demography import base as bp
from analysis.demography.base import county_checks, county_evidence
from analysis.demography.base.county_checks import county_total_loo
from analysis.demography.base.registered import registered_accounting
from analysis.demography.base.uncertainty import base_draws
from analysis.scenarios import load_scenario

SCN = load_scenario("baseline")


def test_resident_county_spread_is_the_rms_of_the_leave_one_out_errors():
    errors = np.array(list(county_total_loo().values())) / 100
    assert len(errors) >= 3
    assert county_checks.resident_total_spread() == pytest.approx(np.sqrt(np.mean(np.log1p(errors) ** 2)))


def test_registered_county_spread_is_the_loo_of_the_rule_in_use_on_evidence_dated_by_the_origin():
    """The rule the end-2020 base uses, measured on every unit with a total dated ≤ end-2020 and on no
    later figure (洛江 2022 and 永春 2024 evaluate only)."""
    method, loo, rms = county_checks.registered_total_spread()
    registered = bp.estimate_registered_2020()
    assert method == registered.diagnostics["registered_total_method"] == "crude_death_rate"
    dated = county_evidence.calibration_totals(2020)
    assert set(loo) == set(dated) and len(loo) >= 6
    assert max(e.ref_time for e in dated.values()) <= 2020.0
    later_only = {e.unit_id for e in county_evidence.evaluation_totals(2020)} - set(dated)
    assert {"luojiang", "yongchun"} <= later_only  # they exist, dated after the origin …
    assert not (set(loo) & later_only)  # … and measure nothing
    assert rms == pytest.approx(np.sqrt(np.mean(np.square(list(loo.values())))))


def test_structure_spread_is_the_holdout_error_of_the_age_method_in_use():
    """晋江's 60+ share: migration +1.01 points on 10.10 % (9.96 %); the crude-death-rate tilt, no
    longer used, +1.66 points (16.4 %, the old scenario value)."""
    assert county_checks.structure_spread_pct() == pytest.approx(100 * 1.0064 / 10.10, abs=0.02)
    assert county_checks.structure_spread_pct("crude_death_rate") == pytest.approx(16.40, abs=0.02)
    assert county_checks.structure_spread_pct() < county_checks.structure_spread_pct("crude_death_rate")


@pytest.mark.parametrize(
    "key, measure, decimals",
    [
        ("demography.base_county_sd_log_resident", lambda: county_checks.resident_total_spread(), 3),
        ("demography.base_county_sd_log_registered", lambda: county_checks.registered_total_spread()[2], 3),
        ("demography.base_structure_sd_pct", lambda: county_checks.structure_spread_pct(), 1),
    ],
)
def test_scenario_spread_is_what_its_function_measures(key, measure, decimals):
    """The scenario stores the measured figure, rounded as stored: the two cannot drift apart."""
    assert SCN.get(key) == round(measure(), decimals)


def test_80plus_spread_is_half_the_range_of_the_methods():
    methods = [
        registered_accounting(**kw).structures[2019][:, 80:].sum()
        for kw in ({}, {"ages_60_79": "flat"}, {"p80_method": "ratio_2017"})
    ]
    assert len({round(m) for m in methods}) == 3  # three different methods
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
    carry = b.diagnostics.get("registered_total_sd_log", {}) if base == "registered" else {}
    for i, uid in enumerate(b.unit_ids):
        if not b.unit_total_estimated.get(uid, True):
            if uid in carry:  # registered evidence carried to end-2020: varies with its measured carry error
                spread = np.log(draws[:, i].sum(axis=(-1, -2)) / b.population[i].sum()).std()
                assert spread == pytest.approx(carry[uid], rel=0.25, abs=0.003), uid
            else:
                assert draws[:, i].sum(axis=(-1, -2)) == pytest.approx(np.full(300, b.population[i].sum()), rel=1e-4)
    if base == "resident":  # the published bands 0–14 / 15–59 / 60+ stay in every draw
        for lo, hi in ((0, 15), (15, 60), (60, 101)):
            assert city[..., lo:hi].sum(axis=(-1, -2)) == pytest.approx(
                np.full(300, b.population[..., lo:hi].sum()), rel=1e-6
            )
    else:  # the registered 60+ moves with its measured spread
        sixty = city[..., 60:].sum(axis=(-1, -2)) / b.population[..., 60:].sum() - 1
        assert 0.004 < sixty.std() < 0.012
    assert np.all(draws >= 0)


def test_one_draw_is_the_base_itself():
    b = bp.load_base_population("registered")
    draws, _ = base_draws(b, 1, 7, 0.8, 4.0, 0.33, 5.6)
    assert draws[0] == pytest.approx(b.population)


def test_structure_draw_moves_old_people_between_units_only():
    from analysis.demography.base.uncertainty import structure_draw

    b = bp.load_base_population("resident")
    pop = np.broadcast_to(b.population, (50,) + b.population.shape).copy()
    z = np.random.default_rng(3).standard_normal((50, len(b.unit_ids)))
    drawn = np.array([u != "jinjiang" for u in b.unit_ids])
    out = structure_draw(pop, z, 0.164, drawn)
    assert out.sum(axis=(-1, -2)) == pytest.approx(pop.sum(axis=(-1, -2)), rel=1e-3)  # unit totals
    assert out.sum(axis=1) == pytest.approx(pop.sum(axis=1), rel=1e-6)  # city sex × age
    share = out[..., 60:].sum(axis=(-1, -2)) / out.sum(axis=(-1, -2))
    assert share[:, ~drawn].std(axis=0).max() < 0.2 * share[:, drawn].std(axis=0).min()
    assert share[:, drawn].std(axis=0).min() > 0.005


def test_county_bands_follow_the_measured_errors():
    """Resident 60+ bands include the structure error; registered bands are narrow where a county
    has evidence and wider where its total is estimated (issue 26, item 4)."""
    from analysis.demography import project

    width = {}
    for base in ("resident", "registered"):
        r = project("baseline", base=base, end_year=2025, draws=200, seed=1)
        for u in r.unit_ids:
            p10, p50, p90 = np.percentile(r.age_sum(u, 60)[:, r.year_index(2025)], [10, 50, 90])
            width[base, u] = (p90 - p10) / p50
    assert min(width["resident", u] for u in bp.unit_index()[0] if u != "jinjiang") > 0.12
    evidence = ["anxi", "huian", "jinjiang", "nanan", "quangang", "shishi"]
    estimated = ["licheng", "fengze", "luojiang", "yongchun", "dehua", "taishang"]
    assert max(width["registered", u] for u in evidence) < min(width["registered", u] for u in estimated)
    assert max(width["registered", u] for u in evidence) < 0.40
    assert max(width["registered", u] for u in estimated) < 0.60


def test_famine_draw_hand_case_keeps_the_bands():
    """End-2020: ages 59–61 are born 1961–59 (trough), 57–58 born 1963–62 (rebound), 62–63 the
    pre-famine reference. λ = 2 doubles each cohort's difference from the reference; the other
    ages of the band pay for it, so 40–59 and 60–79 of each sex stay; λ = 1 is the base itself."""
    from analysis.demography.base.uncertainty import famine_draw

    pop = np.full((1, 2, 101), 100.0)
    pop[0, :, 59:62] = 60.0  # trough: 40 below the reference
    pop[0, :, 57:59] = 130.0  # rebound: 30 above
    out = famine_draw(pop, np.array([1.0, 2.0, 0.0]), 2020)[:, 0]  # (draws, sex, age) of the one unit
    p = pop[0]
    assert out[0] == pytest.approx(p)
    assert out[1, 0, 60] == pytest.approx(20.0) and out[1, 0, 58] == pytest.approx(160.0)
    assert out[2, 0, 60] == pytest.approx(100.0)  # no trough at all
    for d in range(3):
        assert out[d][:, 40:60].sum(axis=1) == pytest.approx(p[:, 40:60].sum(axis=1))
        assert out[d][:, 60:65].sum(axis=1) == pytest.approx(p[:, 60:65].sum(axis=1))
        assert out[d][:, 65:80].sum(axis=1) == pytest.approx(p[:, 65:80].sum(axis=1))
        assert out[d][:, 80:].sum() == pytest.approx(p[:, 80:].sum())
    # λ = 2: 57–59 gain 20 net, paid by 40–56 (17 ages); 60–61 lose 80, given to 62–64 (3 ages)
    assert out[1, 0, 45] == pytest.approx(100.0 * (1 - 20 / 1700))
    assert out[1, 0, 63] == pytest.approx(100.0 * (1 + 80 / 300)) and out[1, 0, 70] == pytest.approx(100.0)


def test_famine_spread_is_fujians_relative_dip():
    """sd = 1 − (Fujian's 1959–61 growth dip / China's), from data/raw/famine_growth_fujian_china.csv."""
    import pandas as pd

    from analysis.config import raw_dir

    t = pd.read_csv(raw_dir() / "famine_growth_fujian_china.csv")
    fj = t[t.geography == "福建省"].set_index("period")["value"]
    cn = t[t.geography == "中国"].set_index("period")["value"]
    china_dip = 100 * ((cn["1958"] / cn["1950"]) ** (1 / 8) - 1) - 100 * ((cn["1961"] / cn["1958"]) ** (1 / 3) - 1)
    ratio = (fj["1950-1958"] - fj["1959-1961"]) / china_dip
    assert china_dip == pytest.approx(2.33, abs=0.01) and ratio == pytest.approx(0.815, abs=0.002)
    assert load_scenario("baseline")["demography.base_famine_depth_sd"] == pytest.approx(1 - ratio, abs=0.002)


def test_city_2030_bands_include_famine_depth_and_mortality_level():
    """Registered 60+ and 80+ 2030: the bands widen with the two city-level draws (issue 26 item 4)."""
    from analysis.demography import project

    def width(overrides, age, year=2030):
        sc = load_scenario("baseline").with_overrides(overrides)
        r = project(sc, base="registered", end_year=2030, draws=200, seed=1)
        p10, p50, p90 = np.percentile(r.age_sum("quanzhou", age)[:, r.year_index(year)], [10, 50, 90])
        return (p90 - p10) / p50

    off = {"demography.base_famine_depth_sd": 0.0, "demography.mortality_level_sd": 0.0}
    famine = {"demography.mortality_level_sd": 0.0}
    # the trough and rebound cohorts turn 60 in 2019–2025: 60+ 2024 3.5 % → 4.8 % wide (measured)
    assert width(famine, 60, 2024) > 1.2 * width(off, 60, 2024)
    assert width(famine, 60) > width(off, 60)  # 2030: 6.50 % → 6.56 %, all inside 60+ by then
    assert width({}, 80) > 2.0 * width(off, 80)  # mortality level: 80+ 2030 4.3 % → 14.5 %
    assert width({}, 60) > 1.1 * width(off, 60)  # 60+ 2030 6.5 % → 8.0 %


def test_registered_total_draw_moves_persons_with_the_migrant_profile():
    """Only the county-total draw on: an estimated unit's total moves by its drawn factor, its 60+
    much less (the migrants' 60+ share), and the city table stays (issue 26 item 4)."""
    reg = bp.estimate_registered_2020()
    out, _ = base_draws(reg, 200, 7, 0.0, 0.0, 0.175, 0.0, 0.0)
    i = reg.unit_ids.index("fengze")
    total = out[:, i].sum(axis=(-1, -2)) / reg.population[i].sum()
    old = out[:, i, :, 60:].sum(axis=(-1, -2)) / reg.population[i][:, 60:].sum()
    assert np.std(np.log(total)) > 0.1
    # migrants 7.2 % aged 60+ against 12.5 % of 丰泽's registered: 60+ moves ≈ 0.6 × the total (measured 0.65;
    # the proportional draw moved it 1:1)
    assert np.std(np.log(old)) < 0.8 * np.std(np.log(total))
    assert out.sum(axis=1) == pytest.approx(np.broadcast_to(reg.city(), out.sum(axis=1).shape), rel=1e-6)


def test_every_registered_60plus_2025_band_at_most_40_percent_of_its_median():
    from analysis.demography import project

    r = project("baseline", base="registered", end_year=2025, draws=200, seed=1)
    for u in r.unit_ids:
        p10, p50, p90 = np.percentile(r.age_sum(u, 60)[:, r.year_index(2025)], [10, 50, 90])
        assert (p90 - p10) / p50 <= 0.40, u

"""No steps at the broad-band edges of the estimated base populations.

Plain IPF to band margins (0–14, 15–59, 60–64, 65+) multiplies every age in a band by one factor:
晋江市's single-age counts fell by 43 % from 59 to 60, and the inflated 55–59 cohort then made its
60+ grow 58 % in five years. The smooth band adjustment (:func:`smooth_age_factor`) must meet
every margin exactly and leave the age profile as smooth as the national cohort shape it starts from (whose real steps
between birth cohorts stay).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.demography import base as bp
from analysis.errors import AnalysisError

# Ratio of adjacent single-age counts across a band edge, relative to the same ratio one age
# earlier: the WPP shape itself has 0.99–1.04 at these edges; plain IPF gave 0.57–1.48.
EDGE_BOUND = (0.85, 1.15)


def edge_ratios(pop: np.ndarray, edge: int) -> np.ndarray:
    """(P(e)/P(e−1)) / (P(e−1)/P(e−2)) for every row of ``pop`` (…, 101)."""
    p = np.asarray(pop).reshape(-1, bp.N_AGES)
    return (p[:, edge] / p[:, edge - 1]) / (p[:, edge - 1] / p[:, edge - 2])


def curvature(pop: np.ndarray) -> np.ndarray:
    """(P(a+1)/P(a)) / (P(a)/P(a−1)) for a = 1…99, every row."""
    p = np.asarray(pop).reshape(-1, bp.N_AGES)
    return (p[:, 2:] / p[:, 1:-1]) / (p[:, 1:-1] / p[:, :-2])


@pytest.fixture(scope="module")
def resident():
    return bp.estimate_resident_2020()


def census_shape():
    """The seed of the resident base (1 November 2020): registered people shaped like China's
    birth cohorts plus the net in-migrants' profile."""
    from analysis.demography.base.county import census_margins_2020, seed_2020

    total, sexes, _ = census_margins_2020("泉州市")
    return seed_2020(total, sexes[1])


@pytest.mark.parametrize("edge", [15, 60, 65])
def test_resident_band_edges_have_no_step(resident, edge):
    """The fitted multiplier (base / national cohort seed) has no step at a band edge; the real
    cohort steps of the seed (famine trough, boom) are kept, not smoothed."""
    ratios = edge_ratios(resident.population / census_shape()[None], edge).reshape(len(resident.unit_ids), 2)
    for u, uid in enumerate(resident.unit_ids):
        for s in range(2):
            assert EDGE_BOUND[0] < ratios[u, s] < EDGE_BOUND[1], (uid, bp.SEXES[s], edge, ratios[u, s])


def unit_seeds():
    """Each unit's seed of the default county structures: its natives shaped like China's birth
    cohorts plus (or less) its net migrants (:func:`analysis.demography.base.county.native_migrant_seeds`)."""
    from analysis.demography.base import county
    from analysis.demography.base.cohort_shape import cohort_shape

    ids, _ = bp.unit_index()
    totals, _, _ = county.resident_unit_totals_2020()
    total, sexes, _ = county.census_margins_2020("泉州市")
    return county.native_migrant_seeds(
        cohort_shape(county.CENSUS_TIME_2020),
        county.registered_totals_2020(ids, totals),
        totals,
        county.migrant_profile_2020(total, sexes[1]),
    )


def test_resident_profile_as_smooth_as_the_wpp_shape_everywhere(resident):
    """The adjustment (band factors, the children-by-births factor fading out from 10 to 20) only
    bends each unit's seed's single-age slope a little, nowhere by more than 10 %."""
    bend = curvature(resident.population) / curvature(unit_seeds())
    assert bend.min() > 0.9 and bend.max() < 1.1


def test_earlier_tilted_profile_as_smooth_as_the_wpp_shape_everywhere():
    """The crude-death-rate tilt (log-linear in age) bends the shared seed as little."""
    tilted = bp.estimate_resident_2020(county_ages="crude_death_rate").population
    bend = curvature(tilted) / curvature(np.broadcast_to(census_shape(), tilted.shape))
    assert bend.min() > 0.9 and bend.max() < 1.1


def test_registered_base_moves_nobody_across_band_edges():
    """The end-2017 registered structure is the national cohort shape times one factor per band
    and sex for 0–59 and 80+ (the published edges); inside 60–79 (default) the ratio to the nation
    is linear in age and meets the 80+ ratio at 80, so neighbouring cohorts at 79 and 80 do not
    differ by half. The flat alternative keeps one factor for 60–79 too."""
    from analysis.demography.base.registered import REGISTERED_BANDS, registered_accounting, shape_at_year_end

    national = shape_at_year_end(2017)
    flat = registered_accounting(ages_60_79="flat").structures[2017]
    s17 = registered_accounting().structures[2017]
    for first, last in REGISTERED_BANDS:
        band = (flat / national)[:, first : (None if last is None else last + 1)]
        assert band == pytest.approx(np.repeat(band[:, :1], band.shape[1], axis=1), rel=1e-9)
    for structure in (flat, s17):
        assert structure[:, 60:].sum() == pytest.approx(1_015_000) and structure[:, 80:].sum() == pytest.approx(148_000)
    inner = s17[:, 60:81] / national[:, 60:81]  # default: linear in age, continuous at 80
    assert np.diff(inner, n=2, axis=1) == pytest.approx(0, abs=1e-12)
    assert s17[:, 60:80].sum() == pytest.approx(flat[:, 60:80].sum())
    assert s17[:, :60] == pytest.approx(flat[:, :60]) and s17[:, 80:] == pytest.approx(flat[:, 80:])


def test_2010_base_has_no_step():
    b2010 = bp.estimate_resident_2010()
    for edge in (5, 10, 15, 60):
        r = edge_ratios(b2010.population, edge)
        assert (r > EDGE_BOUND[0]).all() and (r < EDGE_BOUND[1]).all(), edge


def test_plain_ipf_would_have_stepped(resident):
    """The check above can fail: the old step factors break it for 晋江市 at 60."""
    shape = bp.pchip_shape(2020)
    total, sexes, bands = bp.census_margins_2020("晋江市")
    labels = bp.age_band_labels(bp.RESIDENT_BANDS_2020)
    step = bp.ipf(total * shape / shape.sum(), [(np.arange(2)[:, None], sexes), (labels[None, :], bands)])
    assert edge_ratios(step, 60).max() < 0.6
    smooth = resident.population[resident.unit_ids.index("jinjiang")]
    assert smooth.sum(axis=1) == pytest.approx(step.sum(axis=1), rel=1e-9)
    assert np.bincount(labels, smooth.sum(axis=0)) == pytest.approx(bands, rel=1e-9)


def test_jinjiang_60plus_growth_is_plausible():
    """Measured 2020→2025: 晋江市 +29.6 % vs the city +24.2 % (step IPF: +57.7 % vs +37.9 %)."""
    from analysis.demography import project

    res = project("baseline", base="resident", end_year=2025, draws=1)
    i = res.year_index(2025)
    jj = res.age_sum("jinjiang", 60)[0]
    city = res.age_sum("quanzhou", 60)[0]
    growth_jj, growth_city = 100 * (jj[i] / jj[0] - 1), 100 * (city[i] / city[0] - 1)
    assert growth_jj < 40
    assert abs(growth_jj - growth_city) < 10


# ---------------------------------------------------------------------------------------------
# the smooth band adjustment on hand cases


def test_hand_case_log_multiplier_is_piecewise_linear_between_knots():
    profile = np.ones(bp.N_AGES)
    labels = bp.age_band_labels([(0, 14), (15, 59), (60, 64), (65, None)])
    targets = np.array([20.0, 50.0, 4.0, 27.0])
    factor = bp.smooth_age_factor(profile, labels, targets)
    assert np.bincount(labels, profile * factor) == pytest.approx(targets, rel=1e-10)
    knots = bp.band_knots(labels, profile)
    assert knots == pytest.approx([7.0, 37.0, 62.0, 82.5])  # flat profile: open band mean = mid-point
    g = np.log(factor)
    bend = np.abs(np.diff(g, 2))  # second difference at ages 1…99
    at_knot = np.isin(np.arange(1, 100), [7, 37, 62, 82, 83])
    assert bend[~at_knot].max() < 1e-9  # straight between knots
    assert g[:8] == pytest.approx(g[0]) and g[83:] == pytest.approx(g[-1])  # constant outside


def test_margins_already_met_leave_the_profile_alone():
    profile = np.linspace(100.0, 10.0, bp.N_AGES)
    labels = bp.age_band_labels([(0, 59), (60, None)])
    targets = np.bincount(labels, profile)
    assert bp.smooth_age_factor(profile, labels, targets) == pytest.approx(1.0, abs=1e-12)


def test_ipf_mixes_smooth_and_plain_margins():
    rng = np.random.default_rng(3)
    seed = rng.uniform(50, 150, (3, 2, bp.N_AGES))
    labels = bp.age_band_labels([(0, 14), (15, 59), (60, None)])
    units, sexes, bands = (
        np.array([3000.0, 5000.0, 2000.0]),
        np.array([5200.0, 4800.0]),
        np.array([1500.0, 7000.0, 1500.0]),
    )
    fit = bp.ipf(
        seed,
        [(np.arange(3)[:, None, None], units), (np.arange(2)[None, :, None], sexes), bp.AgeBandMargin(labels, bands)],
    )
    assert fit.sum(axis=(1, 2)) == pytest.approx(units, rel=1e-8)
    assert fit.sum(axis=(0, 2)) == pytest.approx(sexes, rel=1e-8)
    assert np.bincount(labels, fit.sum(axis=(0, 1))) == pytest.approx(bands, rel=1e-8)
    ratio = np.log(fit / seed)  # unit × sex constants plus one smooth function of age
    g = ratio - ratio[..., :1]
    assert g == pytest.approx(np.broadcast_to(g[0, 0], g.shape), abs=1e-9)
    # piecewise linear: the slope changes only at the knots (7, 37 and the 60+ mean age)
    assert (np.abs(np.diff(g[0, 0], 2)) > 1e-9).sum() <= 4


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0.3, 3.0), min_size=4, max_size=4),
    st.lists(st.floats(1.0, 100.0), min_size=bp.N_AGES, max_size=bp.N_AGES),
)
def test_any_reasonable_targets_are_met_exactly(scale, profile):
    profile = np.array(profile)
    labels = bp.age_band_labels(bp.RESIDENT_BANDS_2020)
    targets = np.bincount(labels, profile) * np.array(scale)
    factor = bp.smooth_age_factor(profile, labels, targets)
    assert (factor > 0).all()
    assert np.bincount(labels, profile * factor) == pytest.approx(targets, rel=1e-9)


def test_impossible_band_targets_are_clear_errors():
    labels = bp.age_band_labels([(0, 59), (60, None)])
    with pytest.raises(AnalysisError, match="positive target"):
        bp.smooth_age_factor(np.ones(bp.N_AGES), labels, np.array([10.0, 0.0]))
    empty = np.ones(bp.N_AGES)
    empty[60:] = 0
    with pytest.raises(AnalysisError, match="no seed persons"):
        bp.smooth_age_factor(empty, labels, np.array([10.0, 5.0]))

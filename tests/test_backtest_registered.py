"""The registered (户籍) method backtested from end-2010 (issue 26 item 7): same base builder and
calibration as the headline with the census year 2010, no observation after 2010 used."""

import numpy as np
import pytest

from analysis.data import loaders
from analysis.demography import backtest_registered as br
from analysis.present import backtest_report
from analysis.demography.base import estimate_registered, registered_unit_totals, resident_base


@pytest.fixture(scope="module")
def run():
    return br.run_registered_backtest("baseline")


def test_2010_base_adds_up_to_the_2010_registered_series():
    bp = estimate_registered(2010)
    assert bp.year == 2010 and bp.base == "registered"
    # 泉州市 end-2010: 685.27万, men 351.03万, women 334.24万 (registered_elderly.csv)
    assert bp.population.sum() == pytest.approx(6_852_700, rel=1e-9)
    assert bp.population.sum(axis=(0, 2)) == pytest.approx([3_510_300, 3_342_400], rel=1e-9)
    # no county evidence is dated by 2010: every unit total is estimated, by the city's registered/resident ratio
    assert all(bp.unit_total_estimated.values())
    res = resident_base(2010).population.sum(axis=(1, 2))
    assert bp.population.sum(axis=(1, 2)) == pytest.approx(res * 6_852_700 / 8_128_530, rel=1e-6)
    assert bp.diagnostics["registered_total_method"] == "city_ratio"


def test_2010_unit_totals_do_not_read_the_2021_death_rates(monkeypatch):
    def refuse():
        raise AssertionError("the 2010 registered base read the 2021 yearbook")

    monkeypatch.setattr(loaders, "load_resident2021", refuse)
    totals, known, _ = registered_unit_totals(resident_base(2010), origin=2010, city_total=6_852_700.0)
    assert known == {} and sum(totals.values()) == pytest.approx(6_852_700)


def test_projection_runs_year_ends_2010_to_2020(run):
    assert list(run.years) == list(range(2010, 2021)) and run.base == "registered"
    city = run.unit("quanzhou")[0].sum(axis=(1, 2))
    assert city[0] == pytest.approx(6_852_700) and np.all(np.diff(city) > 0)
    assert any("set to 0 (ASSUMPTION)" in str(n) for n in run.notes)  # no two registered years ≤ 2011


def _shift_observations(frame, factor):
    out = frame.copy()
    later = out["year"] > 2010
    out.loc[later, "value"] = out.loc[later, "value"] * factor
    return out


def test_moving_a_post_2010_observation_changes_the_score_not_the_forecast(monkeypatch, run):
    """Fault test: every registered figure dated after 2010 (totals 2015–2020, 2017 60+/80+, centenarians,
    晋江 2018–2019, the plan's 111万) × 1.2 leaves the projection unchanged and moves only the errors."""
    before = br.registered_rows(run)
    registered, county = loaders.load_registered(), loaders.load_registered_county()
    targets = loaders.load_plan_targets()
    monkeypatch.setattr(loaders, "load_registered", lambda: _shift_observations(registered, 1.2))
    monkeypatch.setattr(loaders, "load_registered_county", lambda: _shift_observations(county, 1.2))
    monkeypatch.setattr(loaders, "load_plan_targets", lambda: _shift_observations(targets, 1.2))
    moved = br.run_registered_backtest("baseline")
    np.testing.assert_array_equal(moved.population, run.population)
    after = br.registered_rows(moved)
    assert after["projected"].to_numpy() == pytest.approx(before["projected"].to_numpy(), rel=0, abs=0)
    assert after["observed"].to_numpy() == pytest.approx(1.2 * before["observed"].to_numpy())
    assert not np.allclose(after["error_pct"], before["error_pct"])


def test_centenarians_are_interpolated_between_year_ends(run):
    rows = br.registered_rows(run).set_index(["indicator", "year"])
    c = run.unit("quanzhou")[0][:, :, 100:].sum(axis=(1, 2))
    end_july_2013 = c[2] + 7 / 12 * (c[3] - c[2])  # end-2012 → end-2013
    assert rows.loc[("pop_100plus", 2013), "projected"] == pytest.approx(end_july_2013)


def test_summary_text_says_what_it_tests():
    text = backtest_report.registered_summary_text(br.rows_for("baseline"))
    assert "户籍" in text and "2017" in text and "cannot be backtested" in text and "%" in text
    # the bold lead renders as bold, not as literal asterisks (CommonMark closes ** before 。, not after it)
    import mistune  # the Markdown renderer nbconvert uses for the pages

    rendered = mistune.markdown(text)
    assert "**" not in rendered and rendered.count("<strong>") >= 2

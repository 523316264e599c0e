"""What each county band is made of, source by source (analysis.demography.band_sources, issue 26)."""

import pandas as pd
import pytest

from analysis.demography import band_sources as bs
from analysis.present import band_tables
from analysis.demography.base.uncertainty import PUBLISHED_STRUCTURE_UNITS


def test_every_estimated_resident_structure_widens_its_band():
    """Resident 60+ 2025: every unit whose age structure is estimated has a wider band with the
    structure error than without it, and the structure error is the larger part of that band;
    晋江 (published shares) is not drawn, so its band does not change."""
    table = bs.source_widths("baseline", "resident", 2025, 200, 1, sources=("county_structures",))
    assert len(table) == 14  # 13 units and the city
    for row in table.itertuples():
        if row.unit_id == "quanzhou":  # the structure draw moves people between units only
            assert row.width_without_pct == pytest.approx(row.width_all_pct, rel=0.05)
        elif row.unit_id in PUBLISHED_STRUCTURE_UNITS:
            assert row.width_without_pct == pytest.approx(row.width_all_pct, rel=0.05), row.unit_id
        else:
            assert row.width_all_pct > 1.5 * row.width_without_pct, row.unit_id
            assert row.share_pct > 50, row.unit_id


def test_share_is_one_minus_the_squared_width_ratio():
    """Sources 3 and 4 wide alone give 5 together (independent: variances add): 36 % and 64 %."""
    assert bs.variance_share(5.0, 4.0) == pytest.approx(36.0)
    assert bs.variance_share(5.0, 3.0) == pytest.approx(64.0)
    assert bs.variance_share(0.0, 0.0) == 0.0
    table = pd.DataFrame(
        {
            "unit_id": ["a", "a"],
            "source": ["county_totals", "rates"],
            "width_all_pct": [20.0, 20.0],
            "width_without_pct": [10.0, 20.0],
            "share_pct": [75.0, 0.0],
        }
    )
    out = band_tables.band_sources_table(table, "a")
    assert list(out["占区间方差 share of the band (%)"]) == ["75%", "0%"]
    assert out["不确定性来源 source"].iloc[0].startswith("估算的县级总数")
    assert out.columns[0].split()[0] == "不确定性来源"  # Chinese first


def test_switching_a_source_off_sets_its_spreads_to_zero():
    """Each base source names scenario spreads that exist; the county totals switch off both bases'."""
    from analysis.scenarios import load_scenario

    scn = load_scenario("baseline")
    for _, keys in bs.SOURCES.values():
        for key in keys:
            assert scn.get(key) > 0, key
    assert set(bs.SOURCES["county_totals"][1]) == {
        "demography.base_county_sd_log_resident",
        "demography.base_county_sd_log_registered",
    }

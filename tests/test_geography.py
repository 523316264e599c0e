"""The reporting units: ids, names, aliases, tiers, and the error for an unknown unit."""

import pytest

from analysis import geography
from analysis.errors import UnknownUnitError


def test_thirteen_units_plus_city():
    units = geography.all_units()
    assert len(geography.county_units()) == 13
    assert units[-1].id == geography.CITY_ID == "quanzhou"
    assert len({u.id for u in units}) == 14


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("jinjiang", "jinjiang"),
        ("晋江市", "jinjiang"),
        ("晋江", "jinjiang"),
        ("Jinjiang", "jinjiang"),
        ("台商区", "taishang"),
        ("泉州台商投资区", "taishang"),
        ("开发区", "kaifaqu"),
        ("泉州市", "quanzhou"),
        ("  南安 ", "nanan"),
    ],
)
def test_resolve_accepts_ids_chinese_names_and_aliases(typed, expected):
    assert geography.resolve(typed).id == expected


def test_unknown_unit_lists_the_valid_ones():
    with pytest.raises(UnknownUnitError) as err:
        geography.resolve("厦门市")
    message = str(err.value)
    assert "厦门市" in message
    assert "晋江市 (jinjiang)" in message and "泉州市 (quanzhou)" in message


def test_every_county_unit_has_a_wage_tier():
    tiers = {u.id: u.wage_tier for u in geography.county_units()}
    assert all(t in (2, 3) for t in tiers.values())
    assert {k for k, t in tiers.items() if t == 3} == {"anxi", "yongchun", "dehua"}
    assert geography.city().wage_tier is None

"""Base population: reproduces every census margin it is fitted to; real tables are read as given."""

import numpy as np
import pandas as pd
import pytest

from analysis.demography import base as bp
from analysis.demography.graduation import graduate_groups
from analysis.errors import AnalysisError, DataValidationError


@pytest.fixture(scope="module")
def resident():
    return bp.estimate_resident_2020()


def share(pop, first, last=None):
    return 100.0 * pop[..., first : (None if last is None else last + 1)].sum() / pop.sum()


def test_resident_city_reproduces_census(resident):
    city = resident.city()
    assert city.sum() == pytest.approx(8_782_285, abs=0.5)
    assert city[0].sum() == pytest.approx(4_586_453, abs=0.5)
    assert city[1].sum() == pytest.approx(4_195_832, abs=0.5)
    assert share(city, 0, 14) == pytest.approx(20.62, abs=1e-6)
    assert share(city, 15, 59) == pytest.approx(66.17, abs=1e-6)
    assert share(city, 60) == pytest.approx(13.21, abs=1e-6)
    assert share(city, 65) == pytest.approx(9.00, abs=1e-6)


def test_jinjiang_own_margins(resident):
    jj = resident.population[resident.unit_ids.index("jinjiang")]
    assert jj.sum() == pytest.approx(2_061_551, abs=0.5)
    assert jj[0].sum() == pytest.approx(1_100_438, abs=0.5)
    assert share(jj, 0, 14) == pytest.approx(18.33, abs=1e-6)
    assert share(jj, 15, 59) == pytest.approx(71.57, abs=1e-6)
    assert share(jj, 60) == pytest.approx(10.10, abs=1e-6)
    assert share(jj, 65) == pytest.approx(6.69, abs=1e-6)


def test_published_unit_totals_and_flags(resident):
    totals = dict(zip(resident.unit_ids, resident.population.sum(axis=(1, 2))))
    assert totals["nanan"] == pytest.approx(1_517_514, abs=0.5)
    assert totals["huian"] == pytest.approx(781_397, abs=0.5)
    assert totals["taishang"] == pytest.approx(1_030_626 - 781_397, abs=0.5)
    flags = resident.unit_total_estimated
    assert not flags["jinjiang"] and not flags["nanan"] and flags["anxi"] and flags["taishang"]
    # the estimated nine keep the 2021 yearbook proportions: 安溪 100.2 vs 德化 33.7 (10k persons)
    assert totals["anxi"] / totals["dehua"] == pytest.approx(100.2 / 33.7, rel=1e-9)
    assert resident.estimated and any("ESTIMATED" in str(n) for n in resident.notes)
    assert (resident.population >= 0).all()


def test_registered_base():
    from analysis.demography.base.registered import registered_accounting

    reg = bp.estimate_registered_2020()
    city = reg.city()
    assert city.sum() == pytest.approx(7_661_400, rel=1e-9)
    assert city[0].sum() == pytest.approx(3_966_000, rel=1e-9)
    acc = registered_accounting()
    anchor = acc.structures[2019]
    assert anchor[:, 60:].sum() == pytest.approx(1_110_000, rel=1e-9)  # the plan's figure, end-2019
    assert anchor.sum() == pytest.approx(7_607_000, rel=1e-9)
    assert acc.structures[2017][:, 60:].sum() == pytest.approx(1_015_000, rel=1e-9)
    assert acc.structures[2017][:, 80:].sum() == pytest.approx(148_000, rel=1e-9)
    # the base is the anchor aged one year: 60+ grows, 80+ is carried by survival, not by a ratio
    assert city[:, 60:].sum() == pytest.approx(acc.structures[2020][:, 60:].sum(), rel=1e-9)
    assert 1_110_000 < city[:, 60:].sum() < 1_200_000
    assert city[:, 80:].sum() != pytest.approx(city[:, 60:].sum() * 148_000 / 1_015_000, rel=0.01)
    assert any("end-2019" in str(n) for n in reg.notes)
    assert any(
        "NO county evidence" in str(n) and "ESTIMATED" in str(n) for n in reg.notes
    )  # wording of issue 26: evidence may be derived, not only published


def test_base_2010_margins():
    b = bp.estimate_resident_2010()
    city = b.city()
    assert city.sum() == pytest.approx(8_128_530, abs=0.5)
    assert city[:, :15].sum() == pytest.approx(1_178_882, abs=0.5)
    assert city[:, 60:].sum() == pytest.approx(711_804, abs=0.5)
    assert b.population[b.unit_ids.index("jinjiang")].sum() == pytest.approx(1_986_447, abs=0.5)


def test_ipf_hand_case():
    seed = np.ones((2, 2))
    fitted = bp.ipf(seed, [(np.array([[0], [1]]), np.array([3.0, 7.0])), (np.array([[0, 1]]), np.array([4.0, 6.0]))])
    assert fitted.sum(axis=1) == pytest.approx([3, 7])
    assert fitted.sum(axis=0) == pytest.approx([4, 6])
    assert fitted == pytest.approx(np.outer([3, 7], [4, 6]) / 10)  # independence from a flat seed


def test_ipf_inconsistent_margins_raise():
    with pytest.raises(AnalysisError):
        bp.ipf(np.ones(2), [(np.array([0, 0]), np.array([5.0])), (np.array([0, 0]), np.array([6.0]))], max_iter=50)


def test_graduation_keeps_group_totals_and_is_non_negative():
    labels = [f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"]
    counts = np.abs(np.sin(np.arange(21))) * 1000 + 10
    single = graduate_groups(labels, counts)
    assert (single >= 0).all()
    assert single[:100].reshape(20, 5).sum(axis=1) == pytest.approx(counts[:20])
    assert single[100] == pytest.approx(counts[20])


def real_table(grouped: bool, resident) -> pd.DataFrame:
    rows = []
    for u, uid in enumerate(resident.unit_ids):
        for s, sex in enumerate(("male", "female")):
            values = resident.population[u, s]
            if grouped:
                for a in range(0, 100, 5):
                    rows.append((uid, sex, f"{a}-{a + 4}", values[a : a + 5].sum()))
                rows.append((uid, sex, "100+", values[100]))
            else:
                rows += [(uid, sex, a, v) for a, v in enumerate(values)]
    return pd.DataFrame(rows, columns=["unit", "sex", "age_group" if grouped else "age", "population"])


def test_real_single_year_table_is_used_as_is(resident):
    table = real_table(False, resident)
    real = bp.load_base_population("resident", 2020, table=table)
    assert not real.estimated
    assert real.population == pytest.approx(resident.population)


def test_real_five_year_table_is_graduated(resident):
    real = bp.load_base_population("resident", 2020, table=real_table(True, resident))
    assert not real.estimated
    assert real.population.sum(axis=(1, 2)) == pytest.approx(resident.population.sum(axis=(1, 2)))
    five = real.population[..., :100].reshape(13, 2, 20, 5).sum(-1)
    assert five == pytest.approx(resident.population[..., :100].reshape(13, 2, 20, 5).sum(-1))


def test_real_table_errors_name_the_problem(resident):
    table = real_table(False, resident)
    bad = table.copy()
    bad.loc[3, "population"] = -1
    with pytest.raises(DataValidationError, match="population"):
        bp.base_from_table(bad, "resident", 2020)
    missing = table[table["unit"] != "dehua"]
    with pytest.raises(DataValidationError, match="dehua"):
        bp.base_from_table(missing, "resident", 2020)
    unknown = table.copy()
    unknown.loc[0, "unit"] = "atlantis"
    with pytest.raises(DataValidationError, match="unit"):
        bp.base_from_table(unknown, "resident", 2020)

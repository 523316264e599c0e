"""The registered base against an independent cohort accounting (tests/reference/make_registered_accounting.py).

The reference is computed by separate code (raw CSVs, 5-year death rates as published, no engine
import) from the end-2017 registered 60+ and 80+ with national births per year. It is stored in
``registered_accounting.csv``; regenerate with ``python tests/reference/make_registered_accounting.py``.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.demography.base.registered import city_registered_2020, registered_accounting

REF = pd.read_csv(Path(__file__).parent / "reference" / "registered_accounting.csv")
PLAN_60PLUS = 1_110_000


def ref(path, year, column="registered_60plus"):
    return float(REF[(REF["path"] == path) & (REF["year_end"] == year)][column].iloc[0])


def test_end_2017_figures_reach_the_plan_anchor_at_end_2019_within_1_percent():
    assert ref("from_2017", 2019) == pytest.approx(PLAN_60PLUS, rel=0.01)
    acc = registered_accounting()
    assert acc.rolled_2019[:, 60:].sum() == pytest.approx(PLAN_60PLUS, rel=0.01)
    # 80+ carried by cohort survival from the end-2017 148,000: engine and reference within 1 %
    assert acc.structures[2019][:, 80:].sum() == pytest.approx(ref("from_2017", 2019, "registered_80plus"), rel=0.01)


def test_the_anchor_date_end_2020_would_not_fit():
    """Evidence for reading the plan's 1.11 M as end-2019: aged one more year it misses by > 2 %."""
    assert abs(ref("from_2017", 2020) / PLAN_60PLUS - 1) > 0.02


def test_base_agrees_with_the_independent_accounting():
    city, _ = city_registered_2020()
    assert city[:, 60:].sum() == pytest.approx(ref("from_anchor", 2020), rel=0.01)
    assert city[:, 80:].sum() == pytest.approx(ref("from_anchor", 2020, "registered_80plus"), rel=0.05)


def test_engine_path_agrees_with_the_accounting():
    """The engine's central registered path 2021–2030 stays within 2 % (60+) and 6 % (80+) of the
    accounting: differences are the engine's sex-specific, levelled and improving mortality and the
    registered transfers, which the reference leaves out."""
    from analysis.demography.projection import project

    r = project("baseline", base="registered", end_year=2030, draws=1)
    for year in range(2021, 2031):
        t = r.year_index(year)
        assert r.age_sum("quanzhou", 60)[0, t] == pytest.approx(ref("from_anchor", year), rel=0.02), year
        assert r.age_sum("quanzhou", 80)[0, t] == pytest.approx(ref("from_anchor", year, "registered_80plus"),
                                                                rel=0.06), year


def test_band_includes_the_base_and_shows_its_share():
    from analysis.demography.projection import project

    runs = {u: project("baseline", base="registered", end_year=2025, draws=200, uncertainty=u)
            for u in ("all", "base", "rates")}
    width = {}
    for u, r in runs.items():
        v = r.age_sum("quanzhou", 60)[:, r.year_index(2025)]
        p10, p50, p90 = np.percentile(v, [10, 50, 90])
        width[u] = (p90 - p10) / p50
    assert width["all"] > 0.03                   # several per cent, not ±0.5 %
    assert width["base"] > width["rates"]        # at five years the estimated base dominates
    assert width["all"] >= 0.9 * max(width["base"], width["rates"])


def test_stored_reference_is_what_its_script_makes_from_the_raw_data(tmp_path, monkeypatch):
    """Regenerate the reference from data/raw and compare with the stored CSV (catches input drift)."""
    import runpy

    script = Path(__file__).parent / "reference" / "make_registered_accounting.py"
    namespace = runpy.run_path(str(script), run_name="reference")
    monkeypatch.setitem(namespace["main"].__globals__, "OUT", tmp_path / "fresh.csv")
    namespace["main"]()
    fresh = pd.read_csv(tmp_path / "fresh.csv")
    pd.testing.assert_frame_equal(fresh, REF)

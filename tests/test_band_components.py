"""What a band is made of (analysis.demography.band_components): each component names its sources,
the famine trough's depth among the base sources and the city's mortality level among the rates."""

import pandas as pd

from analysis.demography import band_components as bc
from analysis.present import band_tables


def test_each_component_says_what_it_draws():
    table = pd.DataFrame(
        {
            "component": ["all", "base", "rates"],
            "p10": [90.0] * 3,
            "p50": [100.0] * 3,
            "p90": [110.0] * 3,
            "width_pct": [20.0] * 3,
        }
    )
    made = band_tables.band_components_table(table).set_index("不确定性来源 source")["组成 made of"]
    base, rates, every = made[bc.COMPONENTS["base"]], made[bc.COMPONENTS["rates"]], made[bc.COMPONENTS["all"]]
    assert "饥荒低谷深度" in base and "饥荒" not in rates
    assert "全市死亡水平" in rates and "死亡水平" not in base
    assert all(part in every for part in base.split("；") + rates.split("；"))

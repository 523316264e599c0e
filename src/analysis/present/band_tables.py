"""Notebook 01's uncertainty and outturn tables for people (moved from :mod:`analysis.demography.band_components`,
:mod:`analysis.demography.band_sources` and :mod:`analysis.demography.outturn`, which compute them; issue 23).

Counts in 万人 (:func:`analysis.catalogue.wan`); band widths and errors in % of the median / of the observed count.
"""

from __future__ import annotations

import pandas as pd

from .. import catalogue, geography
from ..data.schemas import REGISTRY_INDICATOR_ZH
from ..demography.band_components import COMPONENTS, MADE_OF
from ..demography.band_sources import RATES, SOURCES
from ..demography.outturn import MAPPED


def band_components_table(table: pd.DataFrame) -> pd.DataFrame:
    """The component table for people (万人, % of the median)."""
    wan = catalogue.wan
    return pd.DataFrame(
        {
            "不确定性来源 source": table["component"].map(COMPONENTS),
            "p10 (万人)": table["p10"].map(wan),
            "中位数 median (万人)": table["p50"].map(wan),
            "p90 (万人)": table["p90"].map(wan),
            "区间宽度 width (p90−p10, % of median)": table["width_pct"].map(lambda v: f"{v:.1f}%"),
            "组成 made of": table["component"].map(lambda c: "；".join(MADE_OF[c])),
        }
    )


def band_sources_table(table: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """One unit's rows of :func:`analysis.demography.band_sources.source_widths` for people: source, width without it, share (%)."""
    labels = {name: label for name, (label, _) in SOURCES.items()} | {RATES[0]: RATES[1]}
    sel = table[table["unit_id"] == unit_id]
    return pd.DataFrame(
        {
            "不确定性来源 source": sel["source"].map(labels).to_numpy(),
            "去掉后的区间宽度 width without it (% of median)": sel["width_without_pct"]
            .map(lambda v: f"{v:.1f}%")
            .to_numpy(),
            "全部来源的区间宽度 width with all (% of median)": sel["width_all_pct"]
            .map(lambda v: f"{v:.1f}%")
            .to_numpy(),
            "占区间方差 share of the band (%)": sel["share_pct"].map(lambda v: f"{max(v, 0.0):.0f}%").to_numpy(),
        }
    )


#: Each count's name in the table: the name of the registry figure it is set against (one home:
#: :data:`analysis.data.schemas.REGISTRY_INDICATOR_ZH`), e.g. pop_total → 户籍总人口.
_NAMES = {count: REGISTRY_INDICATOR_ZH[observed] for observed, (count, _, _) in MAPPED.items()}


def outturn_table(table: pd.DataFrame) -> pd.DataFrame:
    """Forecast-against-outturn for people: Chinese labels, 万人 with one decimal, signed %."""
    names = {u.id: u.name_zh for u in geography.all_units()}

    def wan(v):
        return catalogue.wan(v, 2)

    return pd.DataFrame(
        {
            "地区 area": table["geography"].map(names),
            "年末 year-end": table["year"].astype(int).astype(str),
            "指标 count": table["indicator"].map(_NAMES),
            "实际 observed (万人)": table["observed"].map(wan),
            "预测 forecast p50 (万人)": table["p50"].map(wan),
            "区间 p10–p90 (万人)": [f"{wan(a)}–{wan(b)}" for a, b in zip(table["p10"], table["p90"])],
            "误差 error": table["error_pct"].map(lambda v: f"{v:+.1f}%"),
            "在区间内 inside": table["inside_band"].map({True: "是 yes", False: "否 no"}),
            "说明 note": table["note"],
        }
    )

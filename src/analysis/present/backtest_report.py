"""Notebook 91's benchmark table and lead sentence for people (moved from
:mod:`analysis.demography.backtest_benchmarks`, which computes them; issue 23).

Figures come from the benchmark table (:func:`analysis.demography.backtest_benchmarks.benchmark_table`:
persons, and signed errors in % of the observed count); the Chinese text leads, the English follows.
"""

from __future__ import annotations

import re

import pandas as pd

from .. import catalogue, geography
from ..demography.backtest_benchmarks import (
    METHOD_LABELS,
    NOT_COMPUTABLE,
    PARTLY_COMPUTABLE,
    headline,
    national_share_ratio,
)
from .labels import base_label


def _english(method: str) -> str:
    """The English name of a benchmark method for the English gloss (never its code id): the words of
    its label after the last Chinese character, e.g. 全国比例法 ratio-to-national → ratio-to-national."""
    return re.split(r"[\u3000-\u9fff\uff00-\uffef]", METHOD_LABELS[method])[-1].strip()


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The benchmark table for people: Chinese labels, persons with thousands separators, signed %."""
    names = {u.id: u.name_zh for u in geography.all_units()}
    return pd.DataFrame(
        {
            "地区 area": table["geography"].map(names),
            "指标 count": table["indicator"].map(lambda name: catalogue.label(name, english=True)),
            "口径 base": table["base"].map(lambda base: base_label(base, english=True)),
            "方法 method": table["method"].map(METHOD_LABELS),
            "年份 year": table["year"].map(str),
            "预测 projected (人)": table["projected"].map(lambda v: f"{v:,.0f}"),
            "观测 observed (人)": table["observed"].map(lambda v: f"{v:,.0f}"),
            "误差 error": table["error_pct"].map(lambda v: f"{v:+.1f}%"),
        }
    )


def headline_text(table: pd.DataFrame) -> str:
    """The lead sentence of notebook 91 (Chinese, then English), figures from the table."""
    h = headline(table)
    suite, const, ratio = h.loc["suite"], h.loc["constant_shares"], h.loc["ratio_to_national"]
    jj = headline(table, geography_id="jinjiang")
    china_2010, china_2020 = national_share_ratio("60plus")
    share_err = 100.0 * (
        ratio.projected
        / float(headline(table, "pop_total").loc["suite", "projected"])
        / (ratio.observed / float(headline(table, "pop_total").loc["suite", "observed"]))
        - 1.0
    )
    missing = "；".join(f"{METHOD_LABELS[m]}无法计算：{zh}" for m, (zh, _) in NOT_COMPUTABLE.items())
    partly = "；".join(f"{METHOD_LABELS[m]}：{zh}" for m, (zh, _) in PARTLY_COMPUTABLE.items())
    return (
        f"**2010→2020回测（常住口径）：全市60岁及以上常住人口预测{catalogue.wan(suite.projected)}万人，普查{catalogue.wan(suite.observed)}万人，"
        f"误差{suite.error_pct:+.1f}%**（年龄比重不变基准：{const.error_pct:+.1f}%；全国比例法，即2010年60+比重×全国"
        f"2020/2010年比重之比{china_2020:g}%/{china_2010:g}%：{ratio.error_pct:+.1f}%，按比重计{share_err:+.1f}%）。"
        f"晋江市60岁及以上误差{jj.loc['suite', 'error_pct']:+.1f}%（全国比例法{jj.loc['ratio_to_national', 'error_pct']:+.1f}%）："
        f"2010年各县只有总人口，模型给所有县同一年龄结构，而晋江外来年轻人口多。{missing}。{partly}。"
        f"\n\n*Backtest 2010→2020 (resident base): the city's residents aged 60+ projected at {suite.projected:,.0f} against "
        f"{suite.observed:,.0f} in the census, an error of **{suite.error_pct:+.1f} %** (constant age shares: "
        f"{const.error_pct:+.1f} %; ratio-to-national — the 2010 60+ share × China's 2020/2010 census share ratio "
        f"{china_2020:g} % / {china_2010:g} %: {ratio.error_pct:+.1f} %, {share_err:+.1f} % on the share). For 晋江市 the 60+ "
        f"error is {jj.loc['suite', 'error_pct']:+.1f} % (ratio-to-national {jj.loc['ratio_to_national', 'error_pct']:+.1f} %): "
        "in 2010 only county totals exist, every county gets the city's age structure, and 晋江 has many young "
        "in-migrants. Not computable: "
        + "; ".join(f"{_english(m)} {en}" for m, (_, en) in NOT_COMPUTABLE.items())
        + "; "
        + "; ".join(f"{_english(m)}: {en}" for m, (_, en) in PARTLY_COMPUTABLE.items())
        + ".*"
    )

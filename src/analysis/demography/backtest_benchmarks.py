"""The 2010 → 2020 backtest as statistical offices publish it: the counts that matter, beside naive benchmarks.

Errors of the counts users need — total, 0–14, 60+, 65+ — for the city and every unit with a 2020
census figure (晋江市: total and ages; 南安市, 惠安县, 泉州台商投资区 (derived): totals), for:

- ``suite``: the forward method run from 2010 (:func:`analysis.demography.backtest.run_backtest`);
- ``constant_shares``: the 2010 census age shares (and each unit's 2010 share of the city) × the
  suite's projected city total — what the cohort model adds over "the age structure stays";
- ``linear_trend``: the 2000 → 2010 change continued to 2020 (city total; the 0–14 count from the
  yearbook's 2000 and 2010 shares); other quantities have no 2000 figure in the data;
- ``hamilton_perry`` (cohort-change ratios, Smith, Tayman & Swanson 2013): **not computable** —
  it needs age detail from two censuses before the origin (2000 and 2010 by 5-year group), and the
  data hold only broad bands; the table says so instead of inventing it.
- ``ratio_to_national`` (the unit's 2010 share × China's 2020/2010 share ratio): **not
  computable** — China's 2010 age shares are in neither data/raw nor the shared data (WPP 2019
  national figures start in 2015; the national census figures are for 2020 only).

80+ has no 2020 resident observation in the data, so it has no row. Observations are read only
here, after the projection (evaluation, never calibration). ``error_pct = 100 × (projected −
observed) / observed``. References: Statistik Aargau ``propop`` evaluation vignette; Hyndman,
``demography::compare.demogdata``.

Every row says which population base it is scored on (``base``) and which method it tests
(``tests``): today all rows are on the **resident** (常住) base and the ``suite`` rows test the
resident seed variant run from 2010 (:mod:`.backtest`), not the registered (户籍) method the
headline figures use; a registered-method backtest is not in this table yet (issue 26 item 7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, geography
from ..labels import base_label
from ..data import loaders

COLUMNS = ["geography", "indicator", "base", "method", "tests", "projected", "observed", "error_pct"]
INDICATORS = {"pop_total": (0, None), "pop_0_14": (0, 15), "pop_60plus": (60, None), "pop_65plus": (65, None)}
METHODS = ("suite", "constant_shares", "linear_trend", "hamilton_perry", "ratio_to_national")
#: Why a method has no figure, by method (shown beside the table).
NOT_COMPUTABLE = {
    "hamilton_perry": ("需要2010年以前两次普查的5岁组年龄数据，而数据只有宽年龄组",
                       "needs two censuses before 2010 by 5-year age group; the data have only broad bands"),
    "ratio_to_national": ("需要全国2010年年龄结构，而数据只有全国2015、2020年（WPP 2019）和2020年普查数",
                          "needs China's 2010 age shares; the data hold China only for 2015/2020 (WPP 2019) "
                          "and the 2020 census"),
}
START, END = 2010, 2020
#: What each method's rows test, by method (all rows are on the resident base, see module docstring).
TESTS = {"suite": "resident seed variant of the forward method, run from 2010 (base=resident)",
         "constant_shares": "naive benchmark: 2010 age and unit shares × the suite's city total",
         "linear_trend": "naive benchmark: 2000 → 2010 change continued",
         "hamilton_perry": "benchmark: cohort-change ratios (not computable)",
         "ratio_to_national": "benchmark: 2010 share × China's 2020/2010 share ratio (not computable)"}


def observed_2020() -> pd.DataFrame:
    """2020 census counts: ``geography, indicator, observed`` (persons)."""
    census = loaders.load_census2020()
    rows = []
    for name_zh in ("泉州市", "晋江市"):
        uid = geography.by_name_zh(name_zh).id
        total = loaders.fact(census, name_zh, "resident_population", END)
        rows.append((uid, "pop_total", total))
        for key, indicator in (("0_14", "pop_0_14"), ("60plus", "pop_60plus"), ("65plus", "pop_65plus")):
            rows.append((uid, indicator, total * loaders.fact(census, name_zh, f"share_age_{key}", END) / 100.0))
    for name_zh, indicator in (("南安市", "resident_population"), ("惠安县", "resident_population"),
                               ("泉州台商投资区", "resident_population_derived")):
        rows.append((geography.by_name_zh(name_zh).id, "pop_total", loaders.fact(census, name_zh, indicator, END)))
    return pd.DataFrame(rows, columns=["geography", "indicator", "observed"])


def suite_rows(result) -> list[tuple]:
    """The backtest projection's 2020 counts for every (geography, indicator) observed."""
    t = result.year_index(END)
    out = []
    for uid, indicator in observed_2020()[["geography", "indicator"]].itertuples(index=False):
        first, last = INDICATORS[indicator]
        out.append((uid, indicator, "suite", float(result.unit(uid)[0, t][:, first:last].sum())))
    return out


def constant_share_rows(result) -> list[tuple]:
    """2010 shares (age bands of the city; units' shares of the city) × the suite's city total 2020."""
    census = loaders.load_census2010()
    city_2010 = loaders.fact(census, "泉州市", "resident_population", START)
    shares = {"pop_total": 1.0,
              "pop_0_14": loaders.fact(census, "泉州市", "pop_age_0_14", START) / city_2010,
              "pop_60plus": loaders.fact(census, "泉州市", "pop_age_60plus", START) / city_2010}
    city_2020 = float(result.unit(geography.CITY_ID)[0, result.year_index(END)].sum())
    out = []
    for uid, indicator in observed_2020()[["geography", "indicator"]].itertuples(index=False):
        if indicator not in shares:
            continue   # no 65+ figure in 2010
        unit_share = 1.0 if uid == geography.CITY_ID else \
            loaders.fact(census, geography.resolve(uid).name_zh, "resident_population", START) / city_2010
        out.append((uid, indicator, "constant_shares", city_2020 * unit_share * shares[indicator]))
    return out


def linear_trend_rows() -> list[tuple]:
    """The city's 2000 → 2010 change continued ten more years (total; 0–14 from the yearbook shares)."""
    census = loaders.load_census2010()
    yb = loaders.load_age_structure_yearbook()
    p2000, p2010 = (loaders.fact(census, "泉州市", "resident_population", y) for y in (2000, START))

    def child_share(year):
        return sum(loaders.fact(yb, "泉州市", f"share_age_{k}_both_sexes", year) for k in ("0_4", "5_9", "10_14")) / 100

    c2000, c2010 = p2000 * child_share(2000), p2010 * child_share(START)
    return [(geography.CITY_ID, "pop_total", "linear_trend", 2 * p2010 - p2000),
            (geography.CITY_ID, "pop_0_14", "linear_trend", 2 * c2010 - c2000)]


def benchmark_table(result) -> pd.DataFrame:
    """``tables/backtest.csv``: geography, indicator, method, projected, observed, error_pct."""
    rows = suite_rows(result) + constant_share_rows(result) + linear_trend_rows()
    frame = pd.DataFrame(rows, columns=["geography", "indicator", "method", "projected"])
    frame = frame.merge(observed_2020(), on=["geography", "indicator"], how="left")
    frame["error_pct"] = 100.0 * (frame["projected"] - frame["observed"]) / frame["observed"]
    frame["base"] = "resident"
    frame["tests"] = frame["method"].map(TESTS)
    order = {m: i for i, m in enumerate(METHODS)}
    units = {u: i for i, u in enumerate([geography.CITY_ID] + geography.county_ids())}
    inds = {k: i for i, k in enumerate(INDICATORS)}
    frame = frame.sort_values(["geography", "indicator", "method"], key=lambda s: s.map(
        {"geography": units, "indicator": inds, "method": order}[s.name]))
    return frame[COLUMNS].reset_index(drop=True)


def headline(table: pd.DataFrame, indicator: str = "pop_60plus", geography_id: str = "quanzhou") -> pd.DataFrame:
    """Error of one count (default: the city's 60+) by method, suite first, for the report's lead."""
    sel = table[(table["geography"] == geography_id) & (table["indicator"] == indicator)]
    return sel.set_index("method")[["projected", "observed", "error_pct"]]


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """MAPE (%) of each method over the rows it has, and over the rows every method shares."""
    shared = table.groupby(["geography", "indicator"])["method"].transform("nunique") == table["method"].nunique()
    out = pd.DataFrame({"rows": table.groupby("method").size(),
                        "mape_all_rows": table.groupby("method")["error_pct"].apply(lambda e: np.abs(e).mean()),
                        "mape_shared_rows": table[shared].groupby("method")["error_pct"].apply(lambda e: np.abs(e).mean())})
    return out.reindex([m for m in METHODS if m in out.index])


METHOD_LABELS = {"suite": "本模型 suite", "constant_shares": "年龄比重不变 constant shares",
                 "linear_trend": "线性趋势 linear trend", "hamilton_perry": "汉密尔顿–佩里法（队列变动比） Hamilton–Perry",
                 "ratio_to_national": "全国比例法 ratio-to-national"}


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The benchmark table for people: Chinese labels, persons with thousands separators, signed %."""
    names = {u.id: u.name_zh for u in geography.all_units()}
    return pd.DataFrame({
        "地区 area": table["geography"].map(names),
        "指标 count": table["indicator"].map(lambda name: catalogue.label(name, english=True)),
        "口径 base": table["base"].map(lambda base: base_label(base, english=True)),
        "方法 method": table["method"].map(METHOD_LABELS),
        "预测 projected (人)": table["projected"].map(lambda v: f"{v:,.0f}"),
        "普查 census 2020 (人)": table["observed"].map(lambda v: f"{v:,.0f}"),
        "误差 error": table["error_pct"].map(lambda v: f"{v:+.1f}%"),
    })


def headline_text(table: pd.DataFrame) -> str:
    """The lead sentence of notebook 91 (Chinese, then English), figures from the table."""
    h = headline(table)
    suite, const = h.loc["suite"], h.loc["constant_shares"]
    jj = headline(table, geography_id="jinjiang").loc["suite"]
    missing = "；".join(f"{METHOD_LABELS[m]}无法计算：{zh}" for m, (zh, _) in NOT_COMPUTABLE.items())
    return (
        f"**2010→2020回测：全市60岁及以上常住人口预测{catalogue.wan(suite.projected)}万人，普查{catalogue.wan(suite.observed)}万人，"
        f"误差{suite.error_pct:+.1f}%**（年龄比重不变基准：{const.error_pct:+.1f}%）。晋江市60岁及以上误差{jj.error_pct:+.1f}%："
        f"2010年各县只有总人口，模型给所有县同一年龄结构，而晋江外来年轻人口多。{missing}。"
        f"\n\n*Backtest 2010→2020: the city's residents aged 60+ projected at {suite.projected:,.0f} against "
        f"{suite.observed:,.0f} in the census, an error of **{suite.error_pct:+.1f} %** (constant age shares: "
        f"{const.error_pct:+.1f} %). For 晋江市 the 60+ error is {jj.error_pct:+.1f} %: in 2010 only county totals "
        "exist, every county gets the city's age structure, and 晋江 has many young in-migrants. Not computable: "
        + "; ".join(f"{METHOD_LABELS[m].split(' ', 1)[1]} {en}" for m, (_, en) in NOT_COMPUTABLE.items()) + ".*")

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
  data hold only broad bands (2000 and 2010: 0–4/5–9/10–14 shares only, no ages 15+ by group);
  the table says so instead of inventing it.
- ``ratio_to_national``: the unit's 2010 60+ share × China's 2020/2010 census share ratio
  (18.70 % / 13.26 %, ``china_age_sex_2020.csv``) × the suite's projected 2020 total, like
  ``constant_shares`` (晋江: the city's share, the unit's 2010 share of the city). 65+ is not
  computable: the 2010 city figures have no 65+ count. Not computed on the registered base: no
  registered age figure is dated by 2011, and the registered backtest's own 2010 base would not be
  an independent benchmark.
- ``suite_registered``: the registered (户籍) method of the headline run from end-2010
  (:mod:`.backtest_registered`), scored on the registered figures published after 2010 (city
  totals 2015–2020, 60+ and 80+ at end-2017, the plan's end-2019 60+, centenarians 2013 and 2016,
  晋江's totals 2018–2019); ``year`` says when each was observed.

80+ has no 2020 resident observation in the data, so it has no row. Observations are read only
here, after the projection (evaluation, never calibration). ``error_pct = 100 × (projected −
observed) / observed``. References: Statistik Aargau ``propop`` evaluation vignette; Hyndman,
``demography::compare.demogdata``.

Every row says which population base it is scored on (``base``), which method it tests
(``tests``) and the year of the observation (``year``): the ``suite`` rows test the resident seed
variant run from 2010 (:mod:`.backtest`), the ``suite_registered`` rows the registered (户籍) method
the headline figures use (issue 26 item 7).
"""

from __future__ import annotations


import pandas as pd

from .. import geography
from ..data import loaders
from . import backtest_registered

COLUMNS = ["geography", "indicator", "year", "base", "method", "tests", "projected", "observed", "error_pct"]
INDICATORS = {
    "pop_total": (0, None),
    "pop_0_14": (0, 15),
    "pop_60plus": (60, None),
    "pop_65plus": (65, None),
    "pop_80plus": (80, None),
    "pop_100plus": (100, None),
}
METHODS = ("suite", "constant_shares", "linear_trend", "hamilton_perry", "ratio_to_national", "suite_registered")
#: Why a method has no figure, by method (shown beside the table).
NOT_COMPUTABLE = {
    "hamilton_perry": (
        "需要2010年以前两次普查的5岁组年龄数据，而数据只有宽年龄组",
        "needs two censuses before 2010 by 5-year age group; the data have only broad bands",
    ),
}
#: Rows a computable method still lacks, and why (shown beside the table).
PARTLY_COMPUTABLE = {
    "ratio_to_national": (
        "65岁及以上无法计算（2010年全市无65岁及以上人数）；户籍口径无法计算（2011年前无户籍年龄数据）",
        "no 65+ row (the 2010 city figures have no 65+ count) and no registered row (no registered "
        "age figure dated by 2011)",
    ),
}
START, END = 2010, 2020
#: What each method's rows test, by method.
TESTS = {
    "suite": "resident seed variant of the forward method, run from 2010 (base=resident)",
    "constant_shares": "naive benchmark: 2010 age and unit shares × the suite's city total",
    "linear_trend": "naive benchmark: 2000 → 2010 change continued",
    "hamilton_perry": "benchmark: cohort-change ratios (not computable)",
    "ratio_to_national": "benchmark: 2010 60+ share × China's 2020/2010 census share ratio × the suite's city total",
    "suite_registered": backtest_registered.TESTS,
}


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
    for name_zh, indicator in (
        ("南安市", "resident_population"),
        ("惠安县", "resident_population"),
        ("泉州台商投资区", "resident_population_derived"),
    ):
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
    shares = {
        "pop_total": 1.0,
        "pop_0_14": loaders.fact(census, "泉州市", "pop_age_0_14", START) / city_2010,
        "pop_60plus": loaders.fact(census, "泉州市", "pop_age_60plus", START) / city_2010,
    }
    city_2020 = float(result.unit(geography.CITY_ID)[0, result.year_index(END)].sum())
    out = []
    for uid, indicator in observed_2020()[["geography", "indicator"]].itertuples(index=False):
        if indicator not in shares:
            continue  # no 65+ figure in 2010
        unit_share = (
            1.0
            if uid == geography.CITY_ID
            else loaders.fact(census, geography.resolve(uid).name_zh, "resident_population", START) / city_2010
        )
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
    return [
        (geography.CITY_ID, "pop_total", "linear_trend", 2 * p2010 - p2000),
        (geography.CITY_ID, "pop_0_14", "linear_trend", 2 * c2010 - c2000),
    ]


def national_share_ratio(key: str = "60plus") -> tuple[float, float]:
    """China's census share aged ``key`` (``60plus``/``65plus``) in 2010 and 2020, percent."""
    china = loaders.load_china_age_sex_2020()
    return tuple(loaders.fact(china, "China", f"share_age_{key}", y) for y in (START, END))


def ratio_to_national_rows(result) -> list[tuple]:
    """2010 60+ share × China's 2020/2010 share ratio × the suite's city total 2020 (units: × their 2010
    share of the city, as :func:`constant_share_rows`). No 65+ row: no 2010 65+ count for the city."""
    census = loaders.load_census2010()
    city_2010 = loaders.fact(census, "泉州市", "resident_population", START)
    share = loaders.fact(census, "泉州市", "pop_age_60plus", START) / city_2010
    china_2010, china_2020 = national_share_ratio("60plus")
    city_2020 = float(result.unit(geography.CITY_ID)[0, result.year_index(END)].sum())
    out = []
    for uid, indicator in observed_2020()[["geography", "indicator"]].itertuples(index=False):
        if indicator != "pop_60plus":
            continue
        unit_share = (
            1.0
            if uid == geography.CITY_ID
            else loaders.fact(census, geography.resolve(uid).name_zh, "resident_population", START) / city_2010
        )
        out.append((uid, indicator, "ratio_to_national", city_2020 * unit_share * share * china_2020 / china_2010))
    return out


def benchmark_table(result, registered: pd.DataFrame | None = None) -> pd.DataFrame:
    """``tables/backtest.csv``: geography, indicator, year, base, method, tests, projected, observed,
    error_pct — the resident rows of ``result`` (2010 → 2020) and the registered backtest's rows
    (``registered``: :func:`.backtest_registered.registered_rows`; omitted if None)."""
    rows = suite_rows(result) + constant_share_rows(result) + linear_trend_rows() + ratio_to_national_rows(result)
    frame = pd.DataFrame(rows, columns=["geography", "indicator", "method", "projected"])
    frame = frame.merge(observed_2020(), on=["geography", "indicator"], how="left")
    frame["error_pct"] = 100.0 * (frame["projected"] - frame["observed"]) / frame["observed"]
    frame["base"] = "resident"
    frame["year"] = END
    frame["tests"] = frame["method"].map(TESTS)
    if registered is not None:
        frame = pd.concat([frame, registered[frame.columns]], ignore_index=True)
    order = {m: i for i, m in enumerate(METHODS)}
    units = {u: i for i, u in enumerate([geography.CITY_ID] + geography.county_ids())}
    inds = {k: i for i, k in enumerate(INDICATORS)}
    bases = {"resident": 0, "registered": 1}
    frame = frame.sort_values(
        ["base", "geography", "indicator", "year", "method"],
        key=lambda s: (
            s.map({"base": bases, "geography": units, "indicator": inds, "method": order}[s.name])
            if s.name != "year"
            else s
        ),
    )
    frame["year"] = frame["year"].astype(int)
    return frame[COLUMNS].reset_index(drop=True)


def headline(table: pd.DataFrame, indicator: str = "pop_60plus", geography_id: str = "quanzhou") -> pd.DataFrame:
    """Error of one 2020 resident count (default: the city's 60+) by method, suite first, for the report's lead."""
    sel = table[
        (table["geography"] == geography_id) & (table["indicator"] == indicator) & (table["base"] == "resident")
    ]
    return sel.set_index("method")[["projected", "observed", "error_pct"]]


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """MAPE (%) of each method over the rows it has, and over the rows it shares with the suite of its base.

    ``mape_paired_rows`` is the method's MAPE over the (geography, indicator, year) rows the suite of its
    base (``suite`` on resident, ``suite_registered`` on registered) also has, ``suite_mape_paired_rows``
    the suite's MAPE over the same rows: each benchmark is compared with the suite where both have a
    figure (no row has every method: the linear trend exists for totals and 0–14 only, the ratio to
    national for 60+ only)."""
    key = ["base", "geography", "indicator", "year"]
    suite_of = {"resident": "suite", "registered": "suite_registered"}
    suite = table[table["method"] == table["base"].map(suite_of)].set_index(key)["error_pct"]
    rows = []
    for method, sel in table.groupby("method", sort=False):
        paired = sel.set_index(key)["error_pct"]
        paired = paired[paired.index.isin(suite.index)]
        rows.append(
            {
                "method": method,
                "rows": len(sel),
                "mape_all_rows": float(sel["error_pct"].abs().mean()),
                "mape_paired_rows": float(paired.abs().mean()),
                "suite_mape_paired_rows": float(suite.loc[paired.index].abs().mean()),
            }
        )
    out = pd.DataFrame(rows).set_index("method")
    return out.reindex([m for m in METHODS if m in out.index])


METHOD_LABELS = {
    "suite": "本模型（常住种子法）suite, resident seed",
    "constant_shares": "年龄比重不变 constant shares",
    "linear_trend": "线性趋势 linear trend",
    "hamilton_perry": "汉密尔顿–佩里法（队列变动比） Hamilton–Perry",
    "ratio_to_national": "全国比例法 ratio-to-national",
    "suite_registered": "本模型（户籍法，正式预测所用）suite, registered method",
}

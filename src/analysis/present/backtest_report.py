"""Notebook 91's benchmark table, lead sentence and paragraphs for people and the calibration table (moved from
:mod:`analysis.demography.backtest_benchmarks`, :mod:`analysis.demography.backtest` and
:mod:`analysis.demography.backtest_registered`, which compute them; issue 23).

Figures come from the benchmark table (:func:`analysis.demography.backtest_benchmarks.benchmark_table`:
persons, and signed errors in % of the observed count); the Chinese text leads, the English follows.
"""

from __future__ import annotations

import re

import pandas as pd

from .. import catalogue, geography
from ..demography.backtest import (
    CALIBRATION_MAX_YEAR,
    DEFAULT_FERTILITY,
    END,
    START,
    Backtest,
    implied_cbr_age_0_4,
    target_cbr,
)
from ..demography.backtest_benchmarks import (
    METHOD_LABELS,
    NOT_COMPUTABLE,
    PARTLY_COMPUTABLE,
    headline,
    national_share_ratio,
)
from .labels import base_label

#: Readers' names of the fertility calibrations (Chinese first): what page 91 prints for a method.
FERTILITY_LABELS = {
    "registered_cbr_2010": "户籍人口出生率2010（默认）registered CBR 2010 (default)",
    "age_0_4_2010": "0–4岁比重推算的出生率 CBR from the 0–4 share",
    "national": "全国生育水平（校准前）national fertility (before calibration)",
}
#: Readers' names with units of the calibration quantities shown on page 91.
CALIBRATION_LABELS = {
    "target_cbr_per_mille": "首年出生率目标（‰）",
    "factor": "生育水平系数（倍）",
    "implied_tfr_2011": "隐含总和生育率（2011年）",
    "births_first_step": "首年出生（人）",
    "deaths_first_step": "首年死亡（人）",
    "net_migration_city_per_year": "全市净迁移（人/年）",
    "change_first_step": "首年人口变动（人）",
    "mean_change_2000_2010": "2000–2010年年均人口变动（人）",
}


def calibration_table(runs: dict[str, "Backtest"]) -> pd.DataFrame:
    """The calibration of each run of :func:`analysis.demography.backtest.compare_methods` for readers: one row per quantity
    (:data:`CALIBRATION_LABELS`), one column per method (:data:`FERTILITY_LABELS`)."""
    return pd.DataFrame(
        {
            FERTILITY_LABELS.get(m, m): {CALIBRATION_LABELS[k]: r.calibration[k] for k in CALIBRATION_LABELS}
            for m, r in runs.items()
        }
    ).rename_axis("量 quantity")


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


def _row(run: Backtest, quantity: str) -> pd.Series:
    table = run.table
    return table[table["quantity"] == quantity].iloc[0]


def calibration_text() -> str:
    """The calibration paragraph of notebook 91 (Chinese, then English), figures read from the data."""
    registered, _ = target_cbr("registered_cbr_2010")
    implied, details = implied_cbr_age_0_4(START)
    return (
        f"{START}/{START + 1}年常住人口出生率没有数据。默认用{START}年户籍人口出生率（{registered:g}‰）作为首年"
        f"常住出生率的**代理值**，因为它与正式预测的校准目标同类（基年的年度出生率）；另一个以常住人口为基础的核对值"
        f"来自年鉴{START}年0–4岁人口比重（{details['share_0_4']:g}%，抽样调查）推算的出生率（{implied:.1f}‰，可能偏低："
        f"儿童常被漏登，流动人口的子女多留在原籍）。迁移：首年人口变动取2000–{START}年两次普查之间的年均增长，再减去"
        f"模型自身首年的出生和死亡。所有校准数据的年份都不晚于{CALIBRATION_MAX_YEAR}年；{END}年普查只用于计算误差。"
        f" / The resident crude birth rate of {START}/{START + 1} is not in the data. By default the registered "
        f"(户籍) CBR {START} ({registered:g} ‰) is a **proxy** for the resident rate of the first step, because it "
        f"is the same kind of figure as the forward calibration target; a resident-based check is the CBR implied "
        f"by the yearbook's {START} share of ages 0–4 ({details['share_0_4']:g} %, sample survey; {implied:.1f} ‰, "
        "likely low: young children are under-counted and migrants' children often live at the parents' origin). "
        f"Migration: the mean annual change between the 2000 and {START} censuses minus the engine's own "
        f"first-step births and deaths. Every calibration datum is dated {CALIBRATION_MAX_YEAR} or earlier; the "
        f"{END} census is only used for the errors."
    )


def interpretation_text(runs: dict[str, Backtest], method: str = DEFAULT_FERTILITY) -> str:
    """What the backtest says about the forward method (Chinese, then English), from the runs of
    :func:`compare_methods` (needs ``national``, ``method`` and ``age_0_4_2010``)."""
    before, after, alt = runs["national"], runs[method], runs["age_0_4_2010"]
    c0, c1 = _row(before, "share of ages 0–14"), _row(after, "share of ages 0–14")
    old, total = _row(after, "share of ages 60+"), after.table.iloc[0]
    male, alt_child = _row(after, "resident population, male"), _row(alt, "share of ages 0–14")
    cal = after.calibration
    migration = cal["net_migration_city_per_year"]
    alt_cbr = alt.calibration["target_cbr_per_mille"]
    high = old.error > 0
    more = male.percent_error > 0
    return (
        f"按基年可得信息校准生育后，{END}年0–14岁比重误差由{c0.error:+.1f}个百分点变为{c1.error:+.1f}个百分点；"
        f"全市总人口误差{total.percent_error:+.2f}%，市和县总人口MAPE {after.mape_totals:.2f}%。"
        f"60岁及以上比重仍{'偏高' if high else '偏低'}{abs(old.error):.1f}个百分点：{START}年基期只有三个宽年龄组，"
        "15–59岁内部按全国年龄形状分配，而泉州15–59岁以年轻流入人口为主，50–59岁人数可能被高估；此外迁移只按固定的"
        f"Rogers–Castro年龄曲线分配，并不针对年轻流入人口，男性人口{'偏多' if more else '偏少'}{abs(male.percent_error):.1f}%"
        "也说明迁移的性别构成不准。生育代理值（户籍出生率）与常住出生率的差别是另一项误差来源。"
        f"出生率越高，增长中留给迁移的部分越小：校准后推算的净迁移为{migration:+,.0f}人/年"
        f"（=基年增长{cal['change_first_step']:,.0f} −（出生{cal['births_first_step']:,.0f} − 死亡"
        f"{cal['deaths_first_step']:,.0f}）；这不是符号错误，而是户籍出生率用于常住人口使出生数偏多；"
        f"用0–4岁比重推算的出生率时净迁移为{alt.calibration['net_migration_city_per_year']:+,.0f}人/年）。以0–4岁比重推算的出生率"
        f"（{alt_cbr:.1f}‰）作敏感性检验，0–14岁比重误差为{alt_child.error:+.1f}个百分点。"
        f"\n\n*Calibrating fertility with information available at the base year moves the {END} error of the "
        f"0–14 share from {c0.error:+.1f} to {c1.error:+.1f} percentage points; the city total is off by "
        f"{total.percent_error:+.2f} % and the MAPE of the city and county totals is {after.mape_totals:.2f} %. "
        f"The 60+ share is still {'too high' if high else 'too low'} by {abs(old.error):.1f} points: the {START} "
        "base has only three broad age bands and spreads 15–59 with the national age shape, while Quanzhou's "
        "15–59 are mostly young in-migrants, so ages 50–59 are probably overestimated; migration follows a fixed "
        f"Rogers–Castro profile, and men are {'over' if more else 'under'}-projected by "
        f"{abs(male.percent_error):.1f} %, so the sex mix of migration is off too. The calibrated net migration "
        f"is {migration:+,.0f} persons/year (= base-year change {cal['change_first_step']:,.0f} − (births "
        f"{cal['births_first_step']:,.0f} − deaths {cal['deaths_first_step']:,.0f})); it is a residual, not a sign "
        "error: the registered birth rate applied to all residents gives too many births (with the 0–4-share "
        f"rate the net migration is {alt.calibration['net_migration_city_per_year']:+,.0f} persons/year); with the CBR implied by the 0–4 share ({alt_cbr:.1f} ‰) the 0–14 "
        f"share error is {alt_child.error:+.1f} points.*"
    )


def registered_summary_text(rows: pd.DataFrame) -> str:
    """What the registered backtest tests and its error (Chinese, then English), figures from ``rows``."""

    def pick(geography_id, indicator, year):
        sel = rows[(rows["geography"] == geography_id) & (rows["indicator"] == indicator) & (rows["year"] == year)]
        return sel.iloc[0]

    p60, p80, t20 = (
        pick("quanzhou", "pop_60plus", 2017),
        pick("quanzhou", "pop_80plus", 2017),
        pick("quanzhou", "pop_total", 2020),
    )
    c13, c16, jj = (
        pick("quanzhou", "pop_100plus", 2013),
        pick("quanzhou", "pop_100plus", 2016),
        pick("jinjiang", "pop_total", 2019),
    )
    main = rows[(rows["geography"] == geography.CITY_ID) & rows["indicator"].isin(["pop_total", "pop_60plus"])]
    mape = float(main["error_pct"].abs().mean())
    return (
        f"**户籍法回测（2010年末→2020年末）：2017年末60岁及以上户籍老人预测{catalogue.wan(p60.projected)}万人，公布"
        f"{catalogue.wan(p60.observed)}万人，误差{p60.error_pct:+.1f}%；2020年末户籍总人口误差{t20.error_pct:+.1f}%；全市总人口和"
        f"60岁及以上{len(main)}项平均绝对误差{mape:.1f}%。高龄部分误差大：2017年80岁及以上{p80.error_pct:+.0f}%，百岁老人"
        f"2013年{c13.error_pct:+.0f}%、2016年{c16.error_pct:+.0f}%**。"  # ** before 。: CommonMark closes it only there
        "它检验的是正式预测所用的户籍方法：同一套基期构建代码（以第六次普查常住人口减去净流入人口，再拟合2010年户籍总数和性别）"
        "和同一套户籍校准（户籍出生率、户籍迁移）与预测程序，只用2011年及以前的数据。2010年没有户籍年龄数据，"
        "所以正式基期所用的2017年60+/80+、规划2019年60+和百岁老人数锚点无法回测——高龄误差正说明了这些锚点的必要："
        "2010年基期的高龄结构只能取全国队列形状。2011年以前也没有两年连续的户籍数据，户籍迁移设为0；没有县级户籍数据，"
        f"各县按全市户籍/常住比例分配（晋江2019年户籍总人口误差{jj.error_pct:+.0f}%）。"
        f"\n\n*Registered-method backtest (end-2010 → end-2020): registered 60+ at end-2017 projected at "
        f"{p60.projected:,.0f} against the published {p60.observed:,.0f}, an error of **{p60.error_pct:+.1f} %**; the "
        f"end-2020 registered total {t20.error_pct:+.1f} %; mean absolute error over the {len(main)} city rows of totals "
        f"and 60+ {mape:.1f} %. The oldest old are far off: 80+ at end-2017 {p80.error_pct:+.0f} %, centenarians "
        f"{c13.error_pct:+.0f} % (2013) and {c16.error_pct:+.0f} % (2016). It tests the registered method the headline "
        "uses — the same base-building code (the 6th census residents minus the net in-migrants, fitted to the 2010 "
        "registered totals and sexes) and the same registered calibration (registered birth rate, transfers) and "
        "engine — with data up to 2011 only. No registered age figure exists for 2010, so the headline base's anchors "
        "(end-2017 60+/80+, end-2019 60+, the centenarian counts) cannot be backtested; the oldest-old errors show why "
        "they are needed, as the 2010 base can only take China's cohort shape at those ages. No two consecutive "
        "registered years exist up to 2011, so net transfers are 0; no county figure either, so units get the city's "
        f"registered/resident ratio (晋江's 2019 registered total: {jj.error_pct:+.0f} %).*"
    )

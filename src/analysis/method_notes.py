"""Method notes for readers: one catalogue from the models' developer wording to plain Chinese.

The models write notes in developer English (``result.notes``, ``frame.attrs["notes"]``,
``manifest["notes"]``): they name methods (IPF, least squares), variables and parameters, and they
stay that way in ``manifest.json``. What a reader sees in a report's appendix or the index is the
**reader text** of the catalogue entry that matches the note (:data:`CATALOGUE`): a stable id, a
topic, and a sentence in plain Chinese with a short English gloss. Figures a reader needs (a count,
a rate) are taken from the note; method details are left out.

Every note is shown once: notes given for both bases (``registered: …``, ``resident: …``) with the
same reader text are merged; a reader text true of one base only is prefixed 户籍口径 / 常住口径.
A note the catalogue does not know is listed under 其他 in its original wording (folded away), and
``tests/test_method_notes.py`` fails when the bundled data produces one.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

from . import catalogue, geography

# Topics in the order the appendix shows them: id -> (Chinese heading, English heading).
TOPICS = {
    "general": ("口径与区间", "Definitions and bands"),
    "base": ("人口基数", "Base population"),
    "rates": ("生育、死亡与迁移", "Births, deaths and migration"),
    "beds": ("养老床位", "Elder-care beds"),
    "workforce": ("社会工作人才", "Social workers"),
    "dibao": ("低保与最低工资", "低保 and the minimum wage"),
    "backtest": ("回溯检验", "Backtest 2010→2020"),
    "data": ("数据警告", "Data warnings"),
    "other": ("其他（未整理的技术说明）", "Other technical notes"),
}
BASE_PREFIX = {"registered": "户籍口径：", "resident": "常住口径："}
BASE_ZH = {"registered": "户籍人口", "resident": "常住人口", "RESIDENT": "常住人口", "REGISTERED": "户籍人口"}

# Words a reader must not meet in the appendix (developer jargon, code names); used by the tests.
JARGON = ("IPF", "PCHIP", "exp(", "θ", "scipy", "least_squares", "statsmodels", "WLS", "m(x)", "e0",
          "WPP", "TFR", "CDR", "Rogers", "ESTIMATE", "per mille", "person-moves", "_monthly", "_annual",
          "pop_", "registered:", "resident:", "assistance.", "demography.", "data/raw", "hazard")


@dataclass(frozen=True)
class Entry:
    """One kind of note: a stable id, its topic, the pattern of its developer wording, the reader text."""

    id: str
    topic: str
    pattern: str
    zh: str
    en: str = ""

    def match(self, text: str):
        return re.search(self.pattern, text, re.DOTALL)


N = r"[+\-−]?[\d,.]+"  # a number as the models print it

CATALOGUE = (
    # --- definitions and bands
    Entry("elderly_definition", "general", r"^Elderly = persons aged 60\+",
          "“老年人”指60周岁及以上人口，与规划口径一致。", "Elderly = aged 60 and over, as in the plan."),
    Entry("model_base", "general", r"^population, beds, workforce, recipients and cost on the (?P<base>\w+) base",
          "人口、床位、社工、低保人数和资金均按{base}计算。", "All figures on this population base."),
    Entry("uncertainty", "general", r"^Uncertainty bands include the estimated base",
          "10%–90%区间同时反映估算基期人口的误差（老年人数、80岁以上比重、即将满60岁的人群、1959—61年饥荒低谷的深度、"
          "估算的各县总人口）和生育、死亡（含全市死亡水平）、迁移的不确定性。",
          "The band covers the error of the estimated base (with the famine trough's depth) and of births, deaths "
          "(with the city's mortality level), migration."),
    Entry("ratios_hold", "general", r"^Ratios after their last given year stay",
          "规划比例在最后给定的年份（规划指标为2025年）之后保持不变。", "Plan ratios are held after their last year."),
    # --- base population
    Entry("county_base_estimated", "base", r"^县级分年龄性别基期人口为估计值",
          "各县（市、区）分年龄、分性别的基期人口没有公开数据，由本项目估算。",
          "The county population by age and sex is estimated (no published table)."),
    Entry("resident_totals_estimated", "base", r"^2020 resident totals of (?P<units>.+?) are ESTIMATED",
          "{units}2020年常住人口总数未单独公布：全市总数减去已公布单位后，按2021年末人口比例分配（估算）。",
          "These totals are estimated from the city total."),
    Entry("taishang_derived", "base", r"^泉州台商投资区 2020 total is DERIVED",
          "泉州台商投资区2020年人口 = 惠安县（含台商区）减去惠安县（推算）。", "Derived by subtraction."),
    Entry("age_structure_estimated", "base", r"^Age-sex structure of every unit is ESTIMATED",
          "各单位2020年分年龄、分性别结构是估算的：以户籍人口按全国同期年龄结构、净迁入人口按流动人口年龄结构相加为起点"
          "（与2010—2020年回测所检验的方法相同），调整到与普查的总人口、男女比例和大年龄组比重一致。",
          "Estimated: locals shaped like China plus net in-migrants shaped like migrants (the backtested seed), "
          "fitted to each unit's census totals and shares."),
    Entry("jinjiang_own_census", "base", r"^晋江市 is fitted to its own census",
          "晋江市按本市公布的普查性别比例和年龄构成调整；其余12个单位共用“全市减晋江市”的构成，13个单位合计与全市一致。",
          "晋江市 uses its own census shares; the others share the rest; all add up to the city."),
    Entry("county_ages_from_deaths", "base",
          r"^County age structures of the 12 units other than 晋江市 are ESTIMATED.*?60\+ shares (?P<lo>[\d.]+)–(?P<hi>[\d.]+) %",
          "晋江市以外12个单位的年龄结构是间接估算的：依据2021年统计年鉴各县粗死亡率，死亡率较高的单位估计老年人比重较高；"
          "估算的60岁及以上比重为{lo}%–{hi}%。", "Estimated from each unit's 2021 death rate."),
    Entry("mortality_level_factor", "base", r"^Mortality level: the national schedule gives the city's census",
          "全国死亡率模式算出的全市死亡率低于统计年鉴数值，差距由一个全市共同系数吸收，因此只有各县死亡率的相对高低影响其年龄结构估计。",
          "Only the relative death rates of the units inform their age structures."),
    Entry("kaifaqu_death_rate", "base", r"^泉州开发区's crude death rate (?P<cdr>[\d.]+) ‰",
          "泉州开发区公布的粗死亡率（{cdr}‰）低得不合理（年轻外来务工人员多，死亡多登记在户籍地），其年龄结构按允许的最大调整幅度估计，"
          "不参与全市系数的计算。", "An implausibly low death rate: the zone's age structure is bounded."),
    Entry("registered_base_cohorts", "base",
          r"^Registered \(户籍\) base ESTIMATED by cohort accounting: end-2017 60\+ (?P<a>[\d,]+) and 80\+ (?P<b>[\d,]+)",
          "户籍基期人口按队列逐年推算：起点为公布的2017年末60岁及以上{a}人、80岁及以上{b}人，单岁年龄分布参照全国出生人数；"
          "60—79岁各岁与全国之比随年龄平滑变化并在80岁处与80岁以上衔接，避免79岁与80岁两个相邻出生队列人数相差一半。",
          "Registered base built by cohort accounting from the published end-2017 figures."),
    Entry("registered_check_2019", "base",
          r"^Aged two years by cohort survival.*?gives 60\+ (?P<a>[\d,]+) at end-2019 against the plan's (?P<b>[\d,]+) \((?P<d>" + N + r") %\)",
          "逐年推到2019年末，60岁及以上为{a}人，与规划的{b}人相差{d}%；因此规划中“2020年”的111万人按2019年末数理解。",
          "Checked against the plan's 1.11 million, read as end-2019."),
    Entry("registered_80plus", "base", r"^80\+ carried forward by cohort survival: (?P<a>[\d,]+) at end-2019, (?P<b>[\d,]+) at end-2020",
          "80岁及以上户籍老人逐年推算：2019年末{a}人，2020年末{b}人。", "80+ carried forward year by year."),
    Entry("registered_2020", "base", r"^Registered base end-2020: total (?P<t>[\d,]+) .*?60\+ (?P<o>[\d,]+) \((?P<s>[\d.]+) %\)",
          "2020年末户籍人口{t}人（公布数），其中60岁及以上{o}人，占{s}%。", "Registered base, end-2020."),
    Entry("county_registered_published", "base",
          r"^(?P<unit>\S+): registered total (?P<n>[\d,]+) at end-(?P<y>\d{4}) \(published.*?→ (?P<m>[\d,]+)",
          "{unit}户籍人口：{y}年末公布{n}人，按全市户籍人口增长推到2020年末为{m}人。", "Published total carried to 2020."),
    Entry("registered_totals_estimated", "base", r"^Registered totals of (?P<n>\d+) units are NOT PUBLISHED",
          "另外{n}个单位的户籍人口未公布，由本项目估算：全市其余户籍人口按各单位常住人口和全市户籍/常住比例分配"
          "（人口流动大的单位误差较大，误差已计入区间）。", "Not published: estimated; the error is in the band."),
    # issue 26: county registered figures from county evidence
    Entry("registered_100plus", "base",
          r"^Registered 100\+ at end-(?P<y>\d{4}) set to (?P<n>[\d,]+): .*?\((?P<a>[\d,]+) in (?P<ya>\d{4}), (?P<b>[\d,]+) in "
          r"(?P<yb>\d{4}), (?P<g>" + N + r") % a year\)",
          "{y}年末全市户籍百岁及以上老人取{n}人：按公布的全市百岁老人数（{ya}年{a}人、{yb}年{b}人，年均增长{g}%）的趋势推到基期"
          "（估算）；80—99岁人数相应调整，男女各自的80岁及以上人数不变。",
          "Centenarians follow the published counts' trend; 80+ kept."),
    Entry("county_registered_evidence", "base",
          r"^(?P<unit>\S+): registered total (?P<n>[\d,]+) on (?P<d>\d{4}-\d{2}-\d{2}) \((?P<kind>published|DERIVED)[^;)]*"
          r"(?:; (?P<src>[\w-]+))?\) carried to end-(?P<y>\d{4}).*?→ (?P<m>[\d,]+)",
          "{unit}户籍人口：{d}为{n}人（{kind}{src}），按全市户籍人口增长推到{y}年末为{m}人。",
          "A county's own registered total, carried to the base year."),
    Entry("registered_totals_no_evidence", "base",
          r"^Registered totals of (?P<n>\d+) units have NO county evidence up to end-(?P<y>\d{4}).*?RMS log error (?P<e>[\d.]+)",
          "另外{n}个单位在{y}年末以前没有本县户籍人口数据，由本项目估算：全市其余户籍人口按各单位常住人口乘以户籍/常住比例分配，"
          "该比例随各单位粗死亡率升高（死亡多在户籍地登记）；在有数据的单位上逐一留出检验，典型误差约±{e}%，已计入区间。",
          "Estimated where no county figure exists; the measured error is in the band."),
    Entry("registered_ages_migration", "base", r"^Registered ages by unit = its residents \+ its net out-migrants",
          "各单位户籍人口的年龄结构 = 常住人口 + 户籍在本地、人在外地的净迁出人口 − 人在本地、户籍在外地的净迁入人口"
          "（迁移人口多在青壮年），再与各单位户籍总数和全市户籍分年龄、性别人数保持一致：人口流出地和流入地的结构因此不同。",
          "Registered ages = residents ± net migrants; sending and receiving units differ."),
    Entry("registered_centenarians_by_unit", "base",
          r"^The city's registered 100\+ is placed among the units by their published shares of the city's centenarians "
          r"\((?P<list>.+?)\); the other units share the rest",
          "全市户籍百岁老人按各单位公布的百岁老人占全市比重分到各单位（{list}），其余单位分配剩余部分。",
          "Centenarians placed by the units' published shares."),
    Entry("registry_ages_published", "base",
          r"^(?P<unit>\S+): registered ages fitted to its registry's own counts \((?P<list>.+)\); published",
          "{unit}户籍人口的年龄结构按该县户籍统计的分年龄人数调整（{list}）：为公布数（户籍统计），不是估算。",
          "A county registry's own counts replace the estimate."),
    Entry("post_origin_evaluate", "base",
          r"^County figures dated after end-(?P<y>\d{4}) \((?P<list>[^)]+)\) only EVALUATE",
          "{y}年末以后的县级数据（{list}）只用于检验本预测，不用于建立预测。",
          "Later county figures only evaluate the forecast."),
    Entry("base_read_published", "base", r"^Base population (?P<base>\w+) (?P<y>\d{4}) read from .*?\(not estimated\)",
          "{y}年{base}基期人口取自导入的数据表（非估算）。", "Base population read from an ingested table."),
    Entry("base_read_merged", "base", r"^Base population (?P<base>\w+) (?P<y>\d{4}) read from .*?published for (?P<n>\d+) units",
          "{y}年{base}基期人口取自导入的数据表：{n}个单位为公布数，其余单位仍为估算。", "Partly published, partly estimated."),
    Entry("five_year_groups", "base", r"^Five-year groups split to single years",
          "导入的5岁组人口已平滑拆分为单岁人口。", "Five-year groups split into single years."),
    # --- births, deaths, migration
    Entry("fertility_resident", "rates",
          r"^Fertility calibrated by unit to the 2021 yearbook crude birth rates \(city (?P<cbr>[\d.]+) ‰\).*?TFR 2021 ≈ (?P<tfr>[\d.]+)",
          "生育水平按2021年统计年鉴各县出生率校准（全市{cbr}‰），相当于2021年全市总和生育率约{tfr}（平均每名妇女一生生育的孩子数）。",
          "Fertility calibrated to the 2021 birth rates."),
    Entry("fertility_registered", "rates", r"^Registered fertility calibrated to the registered 2020 crude birth rate (?P<cbr>[\d.]+) ‰",
          "户籍人口的生育水平按2020年户籍出生率{cbr}‰校准，各单位相同（没有分县数据）。", "Registered fertility from the 2020 birth rate."),
    Entry("migration_resident", "rates", r"^Resident net migration calibrated to the 2021 yearbook: city (?P<n>" + N + r") persons a year",
          "常住人口净迁入：由2020年普查到2021年末的人口变化扣除出生、死亡推算，全市每年约{n}人，预测期内保持不变（按情景放大或缩小）。",
          "Net migration from the 2020–21 change, held constant."),
    Entry("migration_registered", "rates", r"^Registered net transfers: (?P<r>" + N + r") per mille a year",
          "户籍人口净迁移（迁入减迁出）：每年约为人口的{r}‰，由近两年户籍人口变化扣除出生、死亡推得，按人口比例分到各单位。",
          "Registered net transfers from the recent registered series."),
    Entry("mortality_national", "rates",
          r"^Mortality level: national \(UN WPP.*?; (?P<m>[\d.]+) men / (?P<f>[\d.]+) women in (?P<y>\d{4})\)",
          "死亡水平采用联合国《世界人口展望》中国中方案（{y}年预期寿命男{m}岁、女{f}岁）；泉州未公布预期寿命。",
          "National life expectancy (UN medium variant); Quanzhou's is not published."),
    Entry("mortality_local", "rates", r"^Mortality level ESTIMATED for Quanzhou from the (?P<y>\d{4}) crude death rates",
          "死亡水平按{y}年统计年鉴死亡率为泉州估算（情景选项），高于全国水平的差距在各年保持。", "Local mortality level (scenario option)."),
    Entry("mortality_schedule", "rates", r"^Mortality: UN WPP 2022 China death-rate schedule",
          "分年龄死亡率采用联合国中国死亡率模式，并按情景设定的预期寿命增幅逐年改善。", "Death rates improve with the scenario's gain."),
    Entry("migration_ages", "rates",
          r"^Migration age profile: .*?peak age (?P<peak>[\d.]+), (?P<fem>[\d.]+) % female.*?, (?P<old>[\d.]+) % aged 60\+",
          "迁移人口的年龄分布（假设）：{peak}岁左右最多，女性占{fem}%，60岁及以上占{old}%（参考《中国流动人口发展报告2016》）。",
          "Age profile of migrants (assumption)."),
    Entry("outmigration_cut", "rates", r"^Net out-migration larger than the persons present was cut",
          "个别年龄组的迁出人数超过现有人数时，迁出以现有人数为限。", "Out-migration never exceeds the persons present."),
    # --- beds
    Entry("gap_definition", "beds", r"^Gap = required − stock",
          "缺口 = 需求 − 存量：正数表示不足，负数表示富余。", "Gap = required − stock; positive = shortfall."),
    Entry("county_bed_stock", "beds", r"^County bed stock is an ESTIMATE",
          "各县床位存量是估算的：全市床位按各县2020年老年人口所占比例分配。", "County bed stocks are estimated."),
    Entry("city_bed_stock", "beds", r"^City stock 2020 = .*?= (?P<n>[\d,]+) beds",
          "2020年全市床位存量取{n}张：规划“每千名老年人38张”× 户籍老年人111万，与规划“突破4万张”一致（估算）；"
          "2021–2025年按规划新增床位平均增加。", "City stock 2020 from the plan's own figures."),
    Entry("nursing_stock", "beds", r"^Nursing-type stock is an ESTIMATE",
          "护理型床位存量没有公开数据：按床位存量 × 机构床位占比（参照全国2022年）× 规划的护理型床位占比估算。",
          "Nursing-type stock estimated."),
    Entry("need_view", "beds", r"^Need view is an ESTIMATE",
          "需求法（估算）：按年龄、性别和失能程度估计需要机构照护的老人（失能率参照中国健康与营养调查2006年，程度划分参照上海2010年普查），"
          "以2020年实际在住人数校准，再除以目标入住率得到床位数。", "Need view: users by disability, ÷ target occupancy."),
    Entry("build_schedule", "beds", r"^Build schedule:",
          "建设计划：目标年的缺口从基年起每年平均补建，目标年后新增床位跟上需求增长；全市计划为各县之和（一县富余不抵另一县缺口）。",
          "Build schedule: the shortfall built up evenly; the city = sum of the units."),
    # --- social workers
    Entry("social_workers_allocated", "workforce", r"^The 2020 count of certified social workers \((?P<n>[\d,]+)\)",
          "2020年全市持证社工{n}人按各县人口比例分配（估算）。", "Certified social workers allocated by population."),
    Entry("townships", "workforce", r"^Township counts per unit \((?P<n>\d+) in all\)",
          "各县乡镇（街道）数量和人口是估算的：全市{n}个按人口分配，同一县内各乡镇按同样大小计算。", "Townships estimated."),
    Entry("one_per_thousand", "workforce", r"^'One social worker per 1,000 elderly and per 100 beds'",
          "“每千名老年人、每百张床位配备1名社工”出自规划养老服务章节（“推动实现”，未定年份）。", "From the plan's elder-care chapter."),
    Entry("township_resident", "workforce", r"^Township bands use the projected RESIDENT population",
          "乡镇人口档次按预测的常住人口划分（规划原文为户籍人口）。", "Township bands use the resident population."),
    # --- 低保 and the minimum wage
    Entry("city_dibao_weights", "dibao", r"^city (低保 )?standards(:| weighted by the \d{4} resident)",
          "全市低保标准是各县标准按常住人口加权的平均数。", "The city standard is a population-weighted mean."),
    Entry("dibao_county_tier", "dibao", r"^低保 standard set by each county",
          "各县低保标准与本县所在的最低工资档次挂钩。", "Each county's standard follows its own wage tier."),
    Entry("dibao_city_setting", "dibao", r"^低保 standard set by the city",
          "全市统一一个低保标准（情景设定）。", "One city-wide standard (scenario setting)."),
    Entry("min_wage", "dibao", r"^min_wage_monthly: annual average of the Fujian tier wage.*?fitted from (?P<y>\d{4})",
          "最低工资为福建省各档最低工资标准的年平均值；2025年4月起的各档数值按公布的平均值估算，此后为预测"
          "（按{y}年以来的历史增速外推，调整时间参照历次调整间隔）。", "Minimum wage: published tiers, then a forecast."),
    Entry("min_wage_override", "dibao", r"^min_wage_monthly: median growth set to (?P<g>[\d.]+) % a year",
          "最低工资年增长率按情景设定为{g}%（不用历史增速）。", "Wage growth set by the scenario."),
    Entry("tekun_factor", "dibao", r"^tekun_monthly = (?P<f>[\d.]+) x dibao",
          "特困人员供养标准按低保标准的{f}倍计算（情景参数，规划原文未给出该倍数）。", "特困 = a multiple of 低保 (assumption)."),
    Entry("dibao_recipients", "dibao",
          r"^dibao_recipients and dibao_cost_annual are ESTIMATES: recipients = (?P<pct>[\d.]+) % .*?gap = (?P<gap>[\d.]+) x",
          "低保人数和低保资金是估算的：低保人数按人口的{pct}%计算，人均补差按标准的{gap}倍计算。", "Recipients and cost estimated."),
    Entry("dibao_recipients_missing", "dibao", r"^dibao_recipients and dibao_cost_annual are missing",
          "没有人口预测，低保人数和资金未计算。", "No population: recipients and cost not computed."),
    # --- backtest
    Entry("bt_base", "backtest", r"^2010 base ESTIMATED",
          "2010年基期：各单位总人口、全市性别和大年龄组人数取自第六次人口普查，0–14岁按统计年鉴比例细分（估算）。", "2010 base from the 6th census."),
    Entry("bt_age_shape", "backtest", r"^2010 age shape ESTIMATED",
          "2010年单岁年龄结构是估算的：户籍人口参照全国年龄结构，净迁入人口参照流动人口年龄结构，各县共用全市结构（2010年无分县年龄数据）。",
          "2010 single-age structure estimated."),
    Entry("bt_fertility_national", "backtest", r"^Backtest fertility: national",
          "校准前：生育水平采用全国水平，不做本地校准。", "Before calibration: national fertility."),
    Entry("bt_fertility_registered", "backtest",
          r"^Backtest fertility calibrated to the REGISTERED crude birth rate 2010 \((?P<cbr>[\d.]+) ‰.*?TFR 2011 ≈ (?P<tfr>[\d.]+)",
          "生育水平按2010年户籍出生率{cbr}‰校准（常住出生率无数据，以户籍代替），相当于总和生育率约{tfr}。",
          "Fertility from the 2010 registered birth rate."),
    Entry("bt_fertility_age04", "backtest",
          r"^Backtest fertility calibrated to the crude birth rate ESTIMATED from the yearbook's 2010 share of ages 0–4.*?→ (?P<cbr>[\d.]+) ‰\).*?TFR 2011 ≈ (?P<tfr>[\d.]+)",
          "生育水平按2010年0–4岁人口比重推算的出生率{cbr}‰校准，相当于总和生育率约{tfr}。", "Fertility from the 2010 share of ages 0–4."),
    Entry("bt_migration", "backtest", r"^Backtest migration: .*?net migration (?P<n>" + N + r")/year",
          "净迁移：2000–2010年年均人口变化扣除模型自身的出生、死亡，约每年{n}人，保持到2020年。", "Net migration from the 2000–10 change."),
    Entry("bt_cutoff", "backtest", r"^Backtest calibration uses only data dated",
          "回溯检验只用2011年及以前的数据校准；2020年普查只用于计算误差。", "Only data up to 2011; the 2020 census only for errors."),
    Entry("bt_mortality", "backtest", r"^Backtest mortality:",
          "死亡水平采用联合国对2011–2020年中国预期寿命的估计。", "National life expectancy 2011–2020."),
    Entry("bt_migrants_female", "backtest", r"^Backtest migrants (?P<f>[\d.]+) % female",
          "迁入人口中女性占{f}%（由2010年常住与户籍人口之差算出，不使用2020年数据）。", "Share of women among migrants."),
    # --- data warnings
    Entry("data_warning", "data", r"^数据警告 data warning: (?P<w>.+)", "数据检查提示：{w}", "A data check warned."),
    Entry("missing_indicator", "data", r"^缺失 missing: (?P<name>\S+) for (?P<units>.+?) \(",
          "模型没有算出以下单位的“{name}”：{units}。", "Not computed for these units."),
)


def _indicator_zh(name: str) -> str:
    return catalogue.indicator(name).name_zh if catalogue.known(name) else name


def _unit_names(text: str) -> str:
    names = {u.id: u.name_zh for u in geography.all_units()}
    return "、".join(names.get(u.strip(), u.strip()) for u in text.split(","))


# Field values of a note turned into reader wording (issue 26's county evidence notes).
KIND_ZH = {"published": "公布数", "DERIVED": "由该县百岁老人数及其每10万人比例推算"}
SOURCE_ZH = {"third-party-copy": "，据第三方转载", "official": "，官方发布"}


def _reader_fields(fields: dict) -> dict:
    """Reader wording of the fields a reader text shows: a log error as ±percent, 'on DATE' as （DATE）."""
    out = dict(fields)
    if "kind" in out:
        out["kind"] = KIND_ZH.get(out["kind"], out["kind"])
    if "src" in out:
        out["src"] = SOURCE_ZH.get(out["src"], "")
    if "e" in out:
        out["e"] = f"{100 * (math.exp(float(out['e'])) - 1):.0f}"
    if "list" in out:
        out["list"] = re.sub(r" on (\d{4}-\d{2}-\d{2})", r"（\1）", out["list"]).replace(" %", "%")
    return out


def reader_text(note: str) -> tuple[str, str, str, str]:
    """``(id, topic, Chinese text, English gloss)`` of one developer note (its ``base:`` prefix
    removed first); unknown notes come back as ``("unknown", "other", note, "")``."""
    for entry in CATALOGUE:
        m = entry.match(note)
        if m is None:
            continue
        fields = {k: (v or "") for k, v in m.groupdict().items()}
        if "base" in fields:
            fields["base"] = BASE_ZH.get(fields["base"], fields["base"])
        if entry.id == "missing_indicator":
            fields = {"name": _indicator_zh(fields["name"]), "units": _unit_names(fields["units"])}
        fields = _reader_fields(fields)
        return entry.id, entry.topic, entry.zh.format(**fields), entry.en
    return "unknown", "other", note, ""


def split_base(note: str) -> tuple[str | None, str]:
    """``("registered", "text")`` for ``"registered: text"``; ``(None, note)`` otherwise."""
    text = str(note).strip()
    for base in BASE_PREFIX:
        if text.startswith(base + ": "):
            return base, text[len(base) + 2:]
    return None, text


def group_notes(notes) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(topic heading, [(Chinese text, English gloss), …]), …]``: each reader text once, in
    catalogue topic order; a text true of one base only is prefixed 户籍口径 / 常住口径."""
    seen: dict[tuple[str, str, str], set] = {}
    for note in notes:
        base, text = split_base(note)
        if text:
            _id, topic, zh, en = reader_text(text)
            seen.setdefault((topic, zh, en), set()).add(base)
    groups: dict[str, list[tuple[str, str]]] = {t: [] for t in TOPICS}
    for (topic, zh, en), bases in seen.items():
        if len(bases) == 1 and None not in bases:
            zh = BASE_PREFIX[next(iter(bases))] + zh
        groups[topic].append((zh, en))
    return [(f"{TOPICS[t][0]} {TOPICS[t][1]}", items) for t, items in groups.items() if items]


def unknown_notes(notes) -> list[str]:
    """The notes (base prefix removed) no catalogue entry matches."""
    return [text for _, text in map(split_base, notes) if text and reader_text(text)[0] == "unknown"]


def appendix_html(notes, heading_level: int = 2) -> str:
    """The appendix 附录：方法说明 as escaped HTML (``<div class="method-notes">``), one list per
    topic; '' when there are no notes."""
    esc = html.escape
    h, sub = heading_level, heading_level + 1
    parts = []
    for topic, items in group_notes(notes):
        lis = "".join(f"<li>{esc(zh)}" + (f' <small class="en">{esc(en)}</small>' if en else "") + "</li>"
                      for zh, en in items)
        if topic.startswith(TOPICS["other"][0]):
            parts.append(f"<details><summary>{esc(topic)}</summary><ul>{lis}</ul></details>")
        else:
            parts.append(f"<h{sub}>{esc(topic)}</h{sub}><ul>{lis}</ul>")
    if not parts:
        return ""
    return (f'<div class="method-notes"><h{h}>附录：方法说明 Appendix: method notes</h{h}>'
            "<p><small>以下为本报告所用数据和方法的要点；完整的技术说明见 manifest.json。"
            " Plain-language summary; the technical wording is kept in manifest.json.</small></p>"
            + "".join(parts) + "</div>")


def parameter_sources_html(scenario, keys) -> str:
    """The scenario parameters a notebook uses with their values and sources, folded away
    (``<details>``: a technical reference, in the scenario file's own wording), escaped."""
    from .people import plain  # heavy (pandas): the unchanged-rerun path reads reader texts without it

    esc = html.escape
    rows = "".join(f"<tr><td><code>{esc(k)}</code></td><td>{esc(plain(scenario[k]))}</td>"
                   f"<td>{esc(str(scenario.source(k) or '—'))}</td></tr>" for k in keys)
    return ("<details><summary>情景参数及来源（技术参考，情景文件原文）Scenario parameters and sources</summary>"
            "<table><tr><th>参数 parameter</th><th>取值 value</th><th>来源 source</th></tr>"
            + rows + "</table></details>")


def parameter_sources(scenario, keys):
    """:func:`parameter_sources_html` for a notebook (an IPython ``HTML`` object)."""
    from IPython.display import HTML

    return HTML(parameter_sources_html(scenario, keys))

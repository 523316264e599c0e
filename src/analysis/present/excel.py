"""``<unit>/<unit>_<中文名>.xlsx``: an analyst's workbook of one unit, to open and hand on (openpyxl).

It opens on the answer: the first sheet, ``一页表``, is the one-pager's table in Chinese with units,
bands and 估/公布 marks, the 60+/80+ chart beside it and the run's 如何引用/版本 rows
(:mod:`analysis.present.excel_summary`). Then the detail sheets, registered base first (the headline
base): ``户籍 registered`` and ``常住 resident``
(indicator × year, median with p10/p90 rows beside it, a native line chart of the 60+
population), ``规划目标达成概率`` (the tracked plan's targets: forecast, probability, action; 草案
for a draft), ``规划收官台账`` (the city's: the close-out ledger of the plan that ended), ``明细 detail`` (every indicator row with p10/p90, the plan's target and an 估
marker), ``人口 population`` (base, sex, single age × year, persons), ``单位 units`` (what each
indicator measures and in which unit), ``说明`` (in Chinese: scenario and every override, run id and
date, data vintages, which figures are estimates, how to cite) and ``附录 开发说明`` (the scenario's
sources and the run's method notes, developers' English). Every sheet prints landscape, one page
wide, with its head row repeated (:func:`print_setup`). The file is named by the unit's id and
Chinese name (:func:`workbook_name`, e.g. ``dehua_德化县.xlsx``).

Heads are Chinese with the code name beside; numbers are stored rounded (no float noise) and
carry number formats (thousands separators, one decimal for shares); years are numbers; headers
are bold and frozen, widths fitted, autofilter on. Every text cell goes through
:func:`analysis.safety.neutralise_frame` so nothing becomes a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .excel_summary import SHEET, summary_years, write_summary
from .. import catalogue
from .labels import base_label
from .plan_report import ledger_table, odds_table
from ..safety import neutralise_frame

# measure → (Chinese unit, Excel number format, decimals stored)
MEASURES = {
    "persons": ("人", "#,##0", 0),
    "beds": ("张", "#,##0", 0),
    "percent": ("%", "0.0", 2),
    "persons 65+ per 100 persons 15-64": ("每百名15–64岁人口", "0.0", 2),
    "yuan per month": ("元/人·月", "#,##0", 0),
    "yuan per year": ("元/年", "#,##0", 0),
    "beds per year": ("张/年", "#,##0", 0),
    "beds per 1000 elderly": ("张/千名老年人", "0.0", 2),
    "townships": ("个", "#,##0", 0),
}
DEFAULT_MEASURE = ("", "#,##0.00", 2)
# City figures resting on estimated inputs (every county figure is an estimate: the county base is).
CITY_ESTIMATE_WORDS = (
    "stock",
    "gap",
    "need_view",
    "care_users",
    "disabled",
    "recipients",
    "cost",
    "to_add",
    "institutional",
    "social_work",
    "certified",
    "coordinators",
    "volunteers",
    "townships",
)
COLUMNS_ZH = {
    "unit_id": "单位代码 unit_id",
    "unit_name": "单位名称 unit name",
    "scenario": "情景 scenario",
    "base": "口径 base",
    "year": "年份 year",
    "indicator": "指标代码 indicator",
    "label": "指标 indicator (zh)",
    "value": "中位数 median",
    "p10": "10%分位 p10",
    "p90": "90%分位 p90",
    "measure": "计量 measure",
    "target": "规划目标 plan target",
    "estimate": "估计 estimate",
    "sex": "性别 sex",
    "age": "年龄 age",
    "stat": "统计量 statistic",
}


def indicator_zh(name: str) -> str:
    """'中文名 code' of an indicator (the catalogue's name; the unit is in its own column)."""
    return f"{catalogue.label(name)} {name}" if catalogue.known(name) else name


def base_zh(base: str) -> str:
    """A base as the workbook names it (sheet names, the 口径 column): '户籍 registered'."""
    return base_label(base, short=True, english=True)


def is_estimate(unit_id: str, indicator: str) -> bool:
    return unit_id != "quanzhou" or any(w in indicator for w in CITY_ESTIMATE_WORDS)


def _rounded(frame: pd.DataFrame, columns) -> pd.DataFrame:
    digits = frame["measure"].map(lambda m: MEASURES.get(m, DEFAULT_MEASURE)[2])
    out = frame.copy()
    for c in columns:
        out[c] = [None if pd.isna(v) else round(float(v), int(d)) + 0.0 for v, d in zip(out[c], digits)]
    return out


def wide_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """indicator × year of the median, with the p10 and p90 rows beside it (one unit and base)."""
    long = indicators.melt(
        id_vars=["indicator", "measure", "year"], value_vars=["value", "p10", "p90"], var_name="stat", value_name="v"
    ).dropna(subset=["v"])
    order = {n: i for i, n in enumerate(dict.fromkeys(indicators["indicator"]))}
    wide = long.pivot_table(
        index=["indicator", "measure", "stat"], columns="year", values="v", aggfunc="first"
    ).reset_index()
    wide["_o"] = wide["indicator"].map(order) * 3 + wide["stat"].map({"value": 0, "p10": 1, "p90": 2})
    wide = wide.sort_values("_o").drop(columns="_o")
    wide.insert(1, "label", wide["indicator"].map(indicator_zh))
    wide["measure"] = wide["measure"].map(lambda m: MEASURES.get(m, DEFAULT_MEASURE)[0] or m)
    wide["stat"] = wide["stat"].map({"value": "中位数 median", "p10": "10%分位 p10", "p90": "90%分位 p90"})
    wide.columns = [c if isinstance(c, str) else int(c) for c in wide.columns]
    return wide


def wide_population(population: pd.DataFrame) -> pd.DataFrame:
    """base, sex, age × year table of persons (mean across draws, whole persons) for one unit."""
    wide = population.pivot_table(
        index=["base", "sex", "age"], columns="year", values="population", aggfunc="first", sort=True
    ).round(0)
    wide.columns = [int(c) for c in wide.columns]
    wide = wide.reset_index()
    wide["base"] = wide["base"].map(base_zh)
    wide["sex"] = wide["sex"].map({"male": "男 male", "female": "女 female"}).fillna(wide["sex"])
    return wide


NOTES_SHEET = "说明"
APPENDIX_SHEET = "附录 开发说明"


def info_rows(unit_id: str, unit_name: str, info: dict[str, Any]) -> pd.DataFrame:
    """The 说明 sheet, in Chinese: what a reader needs to use the numbers without asking (the
    developers' English notes and the scenario's sources are in :func:`appendix_rows`)."""
    rows = [("单位", unit_name), ("情景", info.get("scenario_label") or info.get("scenario") or "—")]
    overrides = info.get("overrides") or {}
    rows += [("情景修改", f"{k} = {v}") for k, v in overrides.items()] or [("情景修改", "无")]
    rows += [
        ("运行编号", str(info.get("run_id", "—"))),
        ("运行日期", str(info.get("date", "—"))),
        ("预测年份", str(info.get("years", "—"))),
        ("抽样次数", str(info.get("draws", "—"))),
    ]
    dated = {k: v for k, v in (info.get("vintages") or {}).items() if str(v) != "raw"}
    rows.append(
        (
            "数据版本",
            "、".join(f"{k} {v}" for k, v in dated.items()) + "；其余为 data/raw"
            if dated
            else "全部为 data/raw（随代码版本提交的原始数据）",
        )
    )
    rows += [
        (
            "工作表",
            "“一页表”为主要数字（基年、上一规划收官年与报告年）；“户籍”“常住”为逐年数字；“明细”为全部指标"
            "（含10%与90%分位、规划目标与“估”标记）；“人口”为分年龄性别人口；“单位”为各指标的计量单位。",
        ),
        (
            "估计值",
            "县级（县、市、区）所有数字都依赖估计的分年龄性别基期人口；全市的床位与护理型床位存量及缺口、"
            "社工人数、低保标准、低保人数与资金为估计值。标“估”的数字依赖这些估计。",
        ),
        ("中位数与区间", "中位数为蒙特卡洛抽样的50%分位；10%与90%分位之间为区间。"),
        ("人口", "分年龄人口为各次抽样的平均值（使各县之和等于全市）。"),
        ("指标代码", "各表的“指标代码”列为程序使用的英文代码，供核对数据表（tables/indicators.csv），阅读时可忽略。"),
    ]
    rows += list(info.get("citation") or [])
    return pd.DataFrame(rows, columns=["项目", "内容"])


def appendix_rows(info: dict[str, Any]) -> pd.DataFrame:
    """The developers' appendix: the scenario's sources and the run's method notes (English)."""
    rows = [("来源 source", f"{k}: {v}") for k, v in (info.get("sources") or {}).items()]
    rows += [("数据版本 vintage", f"{k} = {v}") for k, v in (info.get("vintages") or {}).items()]
    rows += [("说明 note", str(n)) for n in info.get("notes") or []]
    return pd.DataFrame(rows or [("—", "—")], columns=["项目 item", "内容 content"])


def units_sheet(indicators: pd.DataFrame) -> pd.DataFrame:
    pairs = indicators[["indicator", "measure"]].drop_duplicates("indicator")
    return pd.DataFrame(
        {
            "指标 indicator": pairs["indicator"].map(indicator_zh),
            "单位 unit": pairs["measure"].map(lambda m: MEASURES.get(m, DEFAULT_MEASURE)[0] or m),
            "计量 measure (en)": pairs["measure"],
        }
    )


def plan_sheets(
    unit_id: str, odds: pd.DataFrame | None, ledger: pd.DataFrame | None
) -> list[tuple[str, pd.DataFrame, str]]:
    """The plan sheets of a workbook: the tracked plan's targets with their odds (every unit; 草案
    in the sheet name for a draft) and, in the city's, the close-out ledger of the plan that ended."""

    sheets = []
    if odds is not None and (odds["unit_id"] == unit_id).any():
        draft = (odds["plan_status"] == "draft").any()
        sheets.append(("规划目标达成概率" + ("（草案）" if draft else ""), odds_table(odds, unit_id), "B2"))
    if ledger is not None and unit_id == "quanzhou" and len(ledger):
        sheets.append(("规划收官台账 ledger", ledger_table(ledger, unit_id), "B2"))
    return sheets


def write_unit_workbook(
    path: Path,
    unit_id: str,
    indicators: pd.DataFrame,
    population: pd.DataFrame,
    info: dict[str, Any] | None = None,
    plan_odds: pd.DataFrame | None = None,
    plan_ledger: pd.DataFrame | None = None,
) -> Path:
    """Write the workbook of ``unit_id`` from the run's tables; returns ``path``."""

    info = info or {}
    ind = indicators[indicators["unit_id"] == unit_id]
    ind = _rounded(ind, ["value", "p10", "p90", "target"])
    unit_name = str(ind["unit_name"].iloc[0]) if len(ind) else unit_id
    pop = population[population["unit_id"] == unit_id]
    detail = ind.assign(
        label=ind["indicator"].map(indicator_zh),
        estimate=["估" if is_estimate(unit_id, n) else "" for n in ind["indicator"]],
        base=ind["base"].map(base_zh),
    )
    detail = detail[
        [
            "unit_name",
            "base",
            "year",
            "label",
            "value",
            "p10",
            "p90",
            "target",
            "measure",
            "estimate",
            "indicator",
            "unit_id",
            "scenario",
        ]
    ].rename(columns=COLUMNS_ZH)
    sheets: list[tuple[str, pd.DataFrame, str]] = []
    for base in sorted(ind["base"].unique(), key=lambda b: (b != "registered", b)):  # registered first
        wide = wide_indicators(ind[ind["base"] == base]).rename(columns=COLUMNS_ZH)
        wide = wide.rename(columns={"measure": "单位 unit"})
        sheets.append((base_zh(base)[:31], wide, "E2"))
    sheets += plan_sheets(unit_id, plan_odds, plan_ledger)
    sheets += [
        ("明细 detail", detail, "E2"),
        ("人口 population", wide_population(pop).rename(columns=COLUMNS_ZH), "D2"),
        ("单位 units", units_sheet(ind), "B2"),
        (NOTES_SHEET, info_rows(unit_id, unit_name, info), "B2"),
        (APPENDIX_SHEET, appendix_rows(info), "B2"),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame, freeze in sheets:
            neutralise_frame(frame).to_excel(writer, sheet_name=name, index=False)
            _dress(writer.sheets[name], freeze, wrap_last=name in (NOTES_SHEET, APPENDIX_SHEET))
        first = writer.sheets[sheets[0][0]]
        _chart(first, sheets[0][1])
        base = info.get("base") or ("registered" if (ind["base"] == "registered").any() else str(ind["base"].iloc[0]))
        write_summary(
            writer.book,
            unit_id,
            unit_name,
            indicators[indicators["unit_id"] == unit_id],
            base,
            summary_years(ind, info.get("onepager_years")),
            info.get("citation") or [],
        )
        writer.book.active = 0
        for ws in writer.book.worksheets:
            ws.sheet_view.tabSelected = ws.title == SHEET
            print_setup(ws)
    return path


def print_setup(ws, head_rows: str = "1:1") -> None:
    """Landscape A4, fit to one page wide (as many pages long as needed), the head row repeated
    on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = head_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def _dress(ws, freeze: str, wrap_last: bool = False) -> None:
    """Bold frozen header, autofilter, fitted widths, number formats on every number cell."""
    from openpyxl.styles import Alignment, Font

    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = freeze
    ws.auto_filter.ref = ws.dimensions
    heads = [str(c.value) for c in ws[1]]
    unit_col = next((i for i, h in enumerate(heads) if h.startswith(("单位 unit", "计量 measure"))), None)
    for row in ws.iter_rows(min_row=2):
        fmt = "#,##0"
        if unit_col is not None:
            unit = str(row[unit_col].value or "")
            fmt = (
                next((f for u, f, _ in MEASURES.values() if u == unit), None) or MEASURES.get(unit, DEFAULT_MEASURE)[1]
            )
        for cell in row:
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                is_year = heads[cell.column - 1].startswith("年份") or heads[cell.column - 1].startswith("年龄")
                cell.number_format = "0" if is_year else fmt
    for column in ws.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in list(column)[:200])
        letter = column[0].column_letter
        ws.column_dimensions[letter].width = min(max(8, width * 1.2 + 2), 60)
    if wrap_last:
        ws.column_dimensions["B"].width = 100
        for row in ws.iter_rows(min_row=2):
            row[-1].alignment = Alignment(wrap_text=True, vertical="top")


def _chart(ws, wide: pd.DataFrame) -> None:
    """A native line chart of the median, p10 and p90 60+ population beside the key table."""
    from openpyxl.chart import LineChart, Reference

    rows = [i for i, code in enumerate(wide[COLUMNS_ZH["indicator"]], start=2) if code == "pop_60plus"]
    years = [c for c in wide.columns if isinstance(c, int)]
    if not rows or not years:
        return
    first_col = list(wide.columns).index(years[0]) + 1
    last_col = first_col + len(years) - 1
    chart = LineChart()
    chart.title = "60岁及以上人口 persons 60+"
    chart.y_axis.title = "人 persons"
    chart.x_axis.title = "年份 year"
    for r in rows:
        chart.add_data(
            Reference(ws, min_col=first_col - 1, max_col=last_col, min_row=r, max_row=r),
            from_rows=True,
            titles_from_data=True,
        )
    chart.set_categories(Reference(ws, min_col=first_col, max_col=last_col, min_row=1, max_row=1))
    chart.width, chart.height = 18, 9
    ws.add_chart(chart, f"A{len(wide) + 4}")


def workbook_name(unit_id: str, name_zh: str) -> str:
    """The file name of a unit's workbook: its id and its Chinese name (``dehua_德化县.xlsx``), so
    it is found by either; characters a file system refuses are dropped from the name."""
    safe = "".join(c for c in str(name_zh) if c not in '\\/:*?"<>|' and c.isprintable()).strip()
    return f"{unit_id}_{safe}.xlsx" if safe else f"{unit_id}.xlsx"


class WorkbookWriter:
    """Every unit's workbook written by one background thread (the runner starts it when the
    tables are ready and collects it after the notebooks: the parent only waits for its workers
    meanwhile). :meth:`result` gives the manifest's ``workbooks`` entry (unit id → path in the
    run) or raises what writing raised; :meth:`stop` (an interrupted run) lets the book being
    written finish, skips the rest and waits, so nothing writes into a staging folder being removed."""

    def __init__(self, staging: Path, units, tables, info: dict):
        import threading
        from concurrent.futures import ThreadPoolExecutor

        self._stopped = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbooks")
        self._future = self._pool.submit(self._write_all, staging, list(units), tables, info)

    def _write_all(self, staging: Path, units, tables, info: dict) -> dict[str, str]:
        written = {}
        for unit in units:
            if self._stopped.is_set():
                break
            path = write_unit_workbook(
                staging / unit.id / workbook_name(unit.id, unit.name_zh),
                unit.id,
                tables.indicators,
                tables.population,
                info,
                getattr(tables, "plan_odds", None),
                getattr(tables, "plan_ledger", None),
            )
            written[unit.id] = path.relative_to(staging).as_posix()
        return written

    def result(self) -> dict[str, str]:
        try:
            return self._future.result()
        finally:
            self._pool.shutdown()

    def stop(self) -> None:
        self._stopped.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

"""The first sheet of a unit's workbook: the one-pager's table, so the workbook opens on the answer.

``一页表`` holds the figures of :mod:`analysis.present.onepager` (same rows, years and 估/公布 marks,
labels, units and formats from the catalogue), in Chinese: one row per indicator; per year the
median (a number, in the unit the row names: 万人 for populations), the p10–p90 band as text and
the mark. Under the table: what the marks and the two bed views mean, then the run's 如何引用/版本
rows (:mod:`analysis.present.citation`). A native line chart of the 60+ and 80+ medians and bands
stands beside the table at the top; its data are a small block further down the sheet
(``图表数据``). Print set-up (landscape, fit to width, repeated head row) is the caller's
(:func:`analysis.present.excel.print_setup`).
"""

from __future__ import annotations

import pandas as pd
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .. import catalogue
from .labels import base_label
from ..safety import neutralise_cell
from .onepager import VIEWS_SENTENCE, band_text, cells
from .svgchart import series

SHEET = "一页表"
# catalogue format → (Excel number format, decimals stored)
NUMBER_FORMATS = {
    "wan": ("0.0", 1),
    "pct1": ("0.0", 1),
    "dec1": ("0.0", 1),
    "dec2": ("0.00", 2),
    "int": ("#,##0", 0),
    "yuan": ("#,##0", 0),
}
MARKS_NOTE = (
    "估 = 依赖估计输入（县级分年龄性别基期人口、床位存量、社工与低保估算）；公布 = 基年公布数；"
    "无标记 = 由公布数据推算的预测。区间为蒙特卡洛抽样的10%–90%分位。"
)
GAP_NOTE = "护理型床位缺口 = 护理型床位需求（比例法）− 护理型床位存量（估算），正值为缺口。"


def summary_years(indicators: pd.DataFrame, years=None) -> list[int]:
    """The sheet's years: ``years`` (the run's one-pager years) where present, else the first and
    last year of the table."""
    have = sorted({int(y) for y in indicators["year"]})
    if years:
        chosen = [int(y) for y in years if int(y) in have]
        if chosen:
            return chosen
    return [have[0], have[-1]] if len(have) > 1 else have


def write_summary(
    book, unit_id: str, unit_name: str, indicators: pd.DataFrame, base: str, years, citation: list[tuple[str, str]]
) -> object:
    """Add the ``一页表`` sheet as the first sheet of ``book`` (an openpyxl workbook); returns it."""
    ws = book.create_sheet(SHEET, 0)
    rows = cells(indicators, unit_id, base, years)
    head = ["指标", "单位"]
    for y in years:
        head += [f"{y}年 中位数", f"{y}年 区间（10%–90%）", f"{y}年 标记"]
    ws.append(head)
    for r in rows:
        fmt, digits = NUMBER_FORMATS.get(r["format"], ("#,##0.00", 2))
        line = [neutralise_cell(r["label"]), r["unit"]]
        for y in years:
            c = r["years"].get(y)
            if c is None or c["p50"] is None:
                line += [None, "—", ""]
                continue
            value = c["p50"] / 1e4 if r["format"] == "wan" else c["p50"]
            band = band_text(c["p10"], c["p90"], r["format"])
            line += [round(value, digits) + 0.0, band, c["mark"]]
        ws.append(line)
        for col in range(3, len(line) + 1, 3):
            ws.cell(row=ws.max_row, column=col).number_format = fmt
    last_table_row = ws.max_row
    base_zh = base_label(base)
    notes = [
        ("口径", f"{unit_name}，{base_zh}"),
        ("标记", MARKS_NOTE),
        ("床位两种算法", VIEWS_SENTENCE),
        ("护理型床位缺口", GAP_NOTE),
    ]
    ws.append([])
    for label, text in notes + list(citation):
        ws.append([label, neutralise_cell(text)])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=len(head))
        ws.row_dimensions[ws.max_row].height = 30 if len(str(text)) > 60 else 16
    _style(ws, head, last_table_row)
    _chart(ws, indicators[(indicators["unit_id"] == unit_id) & (indicators["base"] == base)], unit_name, len(head) + 2)
    return ws


def _style(ws, head: list[str], last_row: int) -> None:
    fill = PatternFill("solid", fgColor="EEEEFF")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2, max_row=last_row):
        row[0].font = Font(bold=True)
        for cell in row[2:]:
            if cell.value in ("估", "公布"):
                cell.font = Font(bold=True, color="AA6600" if cell.value == "估" else "006600")
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 10
    for i in range(3, len(head) + 1):
        ws.column_dimensions[get_column_letter(i)].width = {0: 8, 1: 12, 2: 10}[i % 3]
    ws.freeze_panes = "C2"


def _chart(ws, frame: pd.DataFrame, unit_name: str, column: int) -> None:
    """The 60+ and 80+ medians and bands (万人) as a native line chart beside the table; data below."""
    data = {name: series(frame, name) for name in ("pop_60plus", "pop_80plus")}
    data = {k: v for k, v in data.items() if len(v)}
    if not data:
        return
    start = ws.max_row + 3
    ws.cell(row=start - 1, column=1, value="图表数据（万人）").font = Font(bold=True)
    heads = ["年份"]
    for name in data:
        label = catalogue.label(name)
        heads += [f"{label} 中位数", f"{label} 10%分位", f"{label} 90%分位"]
    for j, h in enumerate(heads, start=1):
        ws.cell(row=start, column=j, value=h).font = Font(bold=True)
    years = sorted({int(y) for s in data.values() for y in s["year"]})
    for i, year in enumerate(years, start=1):
        ws.cell(row=start + i, column=1, value=year).number_format = "0"
        col = 2
        for s in data.values():
            row = s[s["year"] == year]
            for stat in ("p50", "p10", "p90"):
                if len(row):
                    ws.cell(row=start + i, column=col, value=round(float(row[stat].iloc[0]), 2)).number_format = "0.00"
                col += 1
    chart = LineChart()
    chart.title = f"{unit_name} 60岁及以上与80岁及以上人口（万人）"
    chart.y_axis.title = "万人"
    chart.x_axis.title = "年份"
    last = start + len(years)
    chart.add_data(Reference(ws, min_col=2, max_col=len(heads), min_row=start, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=last))
    chart.width, chart.height = 17, 9
    ws.add_chart(chart, f"{get_column_letter(column)}1")

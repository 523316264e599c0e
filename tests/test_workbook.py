"""The analyst's workbook (analysis.present.excel): Chinese heads, number formats, years as numbers,
registered first, a 单位 and a 说明 sheet, a native chart, text cells neutralised."""

import openpyxl
import pandas as pd

from analysis.present import excel


def _frames():
    rows = []
    for base in ("resident", "registered"):
        for year in (2020, 2025):
            rows += [
                ("pop_60plus", 1_000_000.0 + year + 0.999999, 990_000.0, 1_010_000.0, "persons"),
                ("share_60plus", 17.0412345, 16.5, 17.5, "percent"),
                ("bed_gap", 2061550.999999999, None, None, "beds"),
            ]
            rows = rows  # same rows per base and year
    frame = []
    for base in ("resident", "registered"):
        for year in (2020, 2025):
            for ind, v, lo, hi, m in rows[:3]:
                frame.append(
                    {
                        "unit_id": "quanzhou",
                        "unit_name": "泉州市",
                        "scenario": "low",
                        "base": base,
                        "year": year,
                        "indicator": ind,
                        "value": v,
                        "p10": lo,
                        "p90": hi,
                        "measure": m,
                        "target": 1_600_000.0 if ind == "pop_60plus" and year == 2025 else None,
                    }
                )
    pop = pd.DataFrame(
        {
            "unit_id": ["quanzhou"] * 2,
            "scenario": ["low"] * 2,
            "base": ["registered"] * 2,
            "year": [2020, 2025],
            "sex": ["male"] * 2,
            "age": [60, 60],
            "population": [1.49, 2.5],
        }
    )
    return pd.DataFrame(frame), pop


def test_workbook_for_people(tmp_path):
    ind, pop = _frames()
    info = {
        "scenario_label": "情景 low（已修改 overridden: beds.occupancy_pct=75）",
        "overrides": {"beds.occupancy_pct": 75},
        "run_id": "r1",
        "date": "2026-12-01 18:00 北京时间",
        "vintages": {"census2020": "raw"},
    }
    path = excel.write_unit_workbook(tmp_path / "q.xlsx", "quanzhou", ind, pop, info)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "一页表" and wb.sheetnames[1].startswith("户籍")
    assert "单位 units" in wb.sheetnames and "说明" in wb.sheetnames
    first = wb.worksheets[1]
    heads = [c.value for c in first[1]]
    assert 2020 in heads and 2025 in heads  # years are numbers
    assert any(str(h).startswith("指标") for h in heads) and first.freeze_panes and first.auto_filter.ref
    assert first[1][0].font.b and first._charts
    numbers = [
        c for ws in wb.worksheets for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, (int, float))
    ]
    assert numbers and all(c.number_format != "General" for c in numbers)
    assert not [
        c.value for c in numbers if isinstance(c.value, float) and abs(c.value * 100 - round(c.value * 100)) > 1e-6
    ]
    notes = [str(c.value) for row in wb["说明"].iter_rows() for c in row]
    assert any("已修改" in v for v in notes) and any("beds.occupancy_pct = 75" in v for v in notes)
    detail = wb["明细 detail"]
    dheads = [c.value for c in detail[1]]
    assert "估计 estimate" in dheads and "规划目标 plan target" in dheads
    labels = [c.value for c in first["B"]]
    assert any("60岁及以上人口" in str(v) for v in labels)


def _county_frames():
    """德化县 rows for three years: 60+, 80+ (with bands), beds (no band), 低保."""
    rows = []
    for year in (2020, 2025, 2030):
        for ind, v, m in (
            ("pop_60plus", 62_345.0, "persons"),
            ("pop_80plus", 9_100.0, "persons"),
            ("share_60plus", 18.04, "percent"),
            ("nursing_bed_gap", 512.4, "beds"),
            ("dibao_monthly", 880.0, "yuan per month"),
            ("pop_total", 300_000.0, "persons"),
        ):
            band = 1_000.0 if ind.startswith("pop") and year > 2020 else None
            rows.append(
                {
                    "unit_id": "dehua",
                    "unit_name": "德化县",
                    "scenario": "baseline",
                    "base": "registered",
                    "year": year,
                    "indicator": ind,
                    "value": v,
                    "p10": v - band if band else None,
                    "p90": v + band if band else None,
                    "measure": m,
                    "target": None,
                }
            )
    pop = pd.DataFrame(
        {
            "unit_id": ["dehua"],
            "scenario": ["baseline"],
            "base": ["registered"],
            "year": [2020],
            "sex": ["male"],
            "age": [60],
            "population": [10.0],
        }
    )
    return pd.DataFrame(rows), pop


def test_workbook_opens_on_the_one_pager_table_with_the_chart_beside_it(tmp_path):
    from analysis import catalogue
    from analysis.present.citation import citation_rows

    ind, pop = _county_frames()
    cite = citation_rows(
        {
            "version": "0.1.0",
            "run": "t1",
            "date": "2026-12-05 20:00 北京时间",
            "vintages": "全部为 data/raw",
            "scenario": "情景 baseline",
        }
    )
    info = {
        "onepager_years": [2020, 2025, 2030],
        "base": "registered",
        "citation": cite,
        "sources": {"beds.occupancy_pct": "PROXY: national survey"},
        "notes": ["ASSUMPTION: long English note"],
    }
    path = excel.write_unit_workbook(tmp_path / excel.workbook_name("dehua", "德化县"), "dehua", ind, pop, info)
    assert path.name == "dehua_德化县.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "一页表" and wb.active.title == "一页表"
    assert wb.sheetnames[-2:] == ["说明", "附录 开发说明"]
    ws = wb["一页表"]
    heads = [c.value for c in ws[1]]
    assert heads[:5] == ["指标", "单位", "2020年 中位数", "2020年 区间（10%–90%）", "2020年 标记"]
    assert "2030年 中位数" in heads
    table = {row[0].value: [c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=6)}
    p60 = table[catalogue.label("pop_60plus")]
    assert p60[1] == "万人" and p60[2] == 6.2 and p60[4] == "估"  # 万人 with one decimal, a county: 估
    assert p60[heads.index("2030年 区间（10%–90%）")] == "6.1–6.3"
    assert ws.cell(row=2, column=3).number_format == "0.0"
    assert catalogue.label("nursing_bed_gap") in table and catalogue.label("dibao_monthly") in table
    assert "pop_60plus" not in [c.value for row in ws.iter_rows(max_row=8) for c in row]  # no code names on top
    texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "如何引用" in texts and "t1" in texts and "比例法" in texts
    chart = ws._charts[0]
    assert chart.anchor._from.row == 0 and chart.anchor._from.col >= len(heads)  # at the top, beside the table
    notes = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value is not None)
    assert "PROXY" not in notes and "ASSUMPTION" not in notes and "如何引用" in notes
    appendix = " ".join(str(c.value) for row in wb["附录 开发说明"].iter_rows() for c in row if c.value is not None)
    assert "PROXY" in appendix and "ASSUMPTION" in appendix


def test_every_sheet_prints_landscape_one_page_wide_with_its_head_repeated(tmp_path):
    ind, pop = _county_frames()
    wb = openpyxl.load_workbook(excel.write_unit_workbook(tmp_path / "d.xlsx", "dehua", ind, pop))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title


def test_workbook_name_drops_characters_a_file_system_refuses():
    assert excel.workbook_name("dehua", "德化县") == "dehua_德化县.xlsx"
    assert excel.workbook_name("x", 'a/b:c*?"<>|') == "x_abc.xlsx"
    assert excel.workbook_name("x", "") == "x.xlsx"

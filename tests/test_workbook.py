"""The analyst's workbook (analysis.run.excel): Chinese heads, number formats, years as numbers,
registered first, a 单位 and a 说明 sheet, a native chart, text cells neutralised."""

import openpyxl
import pandas as pd

from analysis.run import excel


def _frames():
    rows = []
    for base in ("resident", "registered"):
        for year in (2020, 2025):
            rows += [("pop_60plus", 1_000_000.0 + year + 0.999999, 990_000.0, 1_010_000.0, "persons"),
                     ("share_60plus", 17.0412345, 16.5, 17.5, "percent"),
                     ("bed_gap", 2061550.999999999, None, None, "beds")]
            rows = rows  # same rows per base and year
    frame = []
    for base in ("resident", "registered"):
        for year in (2020, 2025):
            for ind, v, lo, hi, m in rows[:3]:
                frame.append({"unit_id": "quanzhou", "unit_name": "泉州市", "scenario": "low", "base": base,
                              "year": year, "indicator": ind, "value": v, "p10": lo, "p90": hi, "measure": m,
                              "target": 1_600_000.0 if ind == "pop_60plus" and year == 2025 else None})
    pop = pd.DataFrame({"unit_id": ["quanzhou"] * 2, "scenario": ["low"] * 2, "base": ["registered"] * 2,
                        "year": [2020, 2025], "sex": ["male"] * 2, "age": [60, 60], "population": [1.49, 2.5]})
    return pd.DataFrame(frame), pop


def test_workbook_for_people(tmp_path):
    ind, pop = _frames()
    info = {"scenario_label": "情景 low（已修改 overridden: beds.occupancy_pct=75）", "overrides": {"beds.occupancy_pct": 75},
            "run_id": "r1", "date": "2026-12-01 18:00 北京时间", "vintages": {"census2020": "raw"}}
    path = excel.write_unit_workbook(tmp_path / "q.xlsx", "quanzhou", ind, pop, info)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0].startswith("户籍") and "单位 units" in wb.sheetnames and "说明 notes" in wb.sheetnames
    first = wb.worksheets[0]
    heads = [c.value for c in first[1]]
    assert 2020 in heads and 2025 in heads  # years are numbers
    assert any(str(h).startswith("指标") for h in heads) and first.freeze_panes and first.auto_filter.ref
    assert first[1][0].font.b and first._charts
    numbers = [c for ws in wb.worksheets for row in ws.iter_rows(min_row=2) for c in row
               if isinstance(c.value, (int, float))]
    assert numbers and all(c.number_format != "General" for c in numbers)
    assert not [c.value for c in numbers if isinstance(c.value, float) and abs(c.value * 100 - round(c.value * 100)) > 1e-6]
    notes = [str(c.value) for row in wb["说明 notes"].iter_rows() for c in row]
    assert any("已修改" in v for v in notes) and any("beds.occupancy_pct = 75" in v for v in notes)
    detail = wb["明细 detail"]
    dheads = [c.value for c in detail[1]]
    assert "估计 estimate" in dheads and "规划目标 plan target" in dheads
    labels = [c.value for c in first["B"]]
    assert any("60岁及以上人口" in str(v) for v in labels)

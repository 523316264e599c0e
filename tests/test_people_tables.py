"""Tables for people (analysis.people): one formatter every notebook shares."""

import numpy as np
import pandas as pd

from analysis import people


def test_numbers_for_people():
    frame = pd.DataFrame(
        {
            "year": [2020, 2025],
            "pop_total": [7661400.0, np.nan],
            "share_60plus": [17.04, 19.0],
            "cost": [477108518.5, 2.333020e04],
            "ratio": [0.612, 0.6],
        }
    )
    page = people.people_table_html(frame)
    assert "7,661,400" in page and "477,108,518" in page and "23,330" in page
    assert "17.0" in page and "0.61" in page and ">2020<" in page and "2,020" not in page
    assert "NaN" not in page and "nan" not in page and "e+0" not in page and "—" in page
    assert "总人口 pop_total" in page and "60岁及以上人口占比（%） share_60plus" in page


def test_kinds_index_and_escaping():
    frame = pd.DataFrame({"v": [15_000.0]}, index=pd.Index(["<b>x</b>"], name="unit"))
    page = people.people_table_html(frame, {"v": "wan"}, index=True)
    assert "1.5" in page and "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x" not in page
    assert people.format_value(2.5e8, "yi") == "2.50" and people.format_value(-0.3, "int") == "0"


def test_mixed_magnitudes_per_cell_and_no_truncation():
    frame = pd.DataFrame({"target": [0.6, 8000.0] * 60})
    page = people.people_table_html(frame)
    assert page.count("<tr>") == 121 and "0.60" in page and "8,000" in page


def test_parameter_values_never_show_a_python_repr():
    assert people.plain({"severe": 1.0, "moderate": 0.25}) == "severe = 1, moderate = 0.25"
    assert people.plain(["a", "b"]) == "a、b" and people.plain(None) == "—"

"""Certified social workers: the published history and the growth the 2025 target requires."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.present import workforce_report
from analysis.services import workforce_check as wc


def test_history_has_the_published_counts():
    hist = wc.certified_history().set_index("year")["count"]
    assert hist.to_dict() == {2015: 1021, 2018: 1423, 2019: 2078, 2020: 2620}


def test_growth_required_and_achieved_by_hand():
    frame = pd.DataFrame(
        {
            "unit_id": ["quanzhou"],
            "year": [2025],
            "indicator": ["certified_social_workers_required"],
            "p10": [None],
            "p50": [8000.0],
            "p90": [None],
            "measure": ["persons"],
        }
    )
    table = wc.growth_table(frame, 2025).set_index("period")
    assert table.loc["2015–2020", "growth_pct"] == pytest.approx(100 * ((2620 / 1021) ** 0.2 - 1))  # 20.7 %
    assert table.loc["2020–2025", "growth_pct"] == pytest.approx(100 * ((8000 / 2620) ** 0.2 - 1))  # 25.0 %
    assert table.loc["2020–2025", "kind"] == "required"
    text = workforce_report.check_text_zh(table.reset_index())
    assert "20.7%" in text and "25.0%" in text

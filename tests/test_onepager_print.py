"""The one-pager prints on one A4 page, its chart text is text and it carries the citation block
(issue 28, items 1 and 6a): printed by the runner's own Chromium (analysis.run.chromium)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import catalogue
from analysis.present import onepager
from analysis.run.chromium import print_pages
from analysis.sanitiser import sanitise_page
from browser_support import ensure_chromium, ensure_poppler, pdf_pages, pdf_text

pytestmark = [pytest.mark.slow, pytest.mark.browser]

MANIFEST = {
    "run_id": "p28",
    "started": "2026-12-05T12:00:00+00:00",
    "scenario": {"name": "baseline"},
    "parameters": {"units": ["dehua"], "start_year": 2020, "end_year": 2035, "base": "registered"},
    "plan": {"status": "draft", "closed": {"period": [2021, 2025]}},
    "key_results": {"year": 2030, "base": "registered"},
    "unit_names": {"dehua": "德化县"},
    "briefs": {"dehua": "dehua/brief.html"},
    "workbooks": {"dehua": "dehua/dehua_德化县.xlsx"},
}


def full_table(years=range(2020, 2036)) -> pd.DataFrame:
    """Every row of the one-pager for 德化县, every year, with bands (the largest page)."""
    rows = []
    for year in years:
        grow = 1.03 ** (year - 2020)
        for ind in onepager.ROWS:
            v = {"wan": 62_000.0, "pct1": 18.0}.get(catalogue.indicator(ind).format, 2_400.0) * grow
            rows.append(
                {
                    "unit_id": "dehua",
                    "base": "registered",
                    "year": year,
                    "indicator": ind,
                    "value": v,
                    "p10": 0.9 * v,
                    "p90": 1.1 * v,
                }
            )
    return pd.DataFrame(rows)


def _print(tmp_path, page: str):
    ensure_chromium()
    ensure_poppler()
    src, pdf = tmp_path / "onepager.html", tmp_path / "onepager.pdf"
    src.write_text(page, encoding="utf-8")
    assert print_pages([(src, pdf)]) == {pdf: True}
    return pdf


def test_one_pager_prints_on_one_a4_page_with_searchable_chart_text_and_citation(tmp_path):
    page = sanitise_page(onepager.render_onepager(MANIFEST, full_table(), "dehua"))
    pdf = _print(tmp_path, page)
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert "如何引用" in text and "p28" in text
    assert "中位数与10%–90%区间" in text  # the chart's legend is text in the PDF (inline SVG)
    for ind in onepager.ROWS:
        assert catalogue.label(ind) in text.replace("\n", ""), ind


def test_page_count_check_can_fail(tmp_path):
    """Fault injection: the same page with its table repeated four times is longer than A4."""
    page = onepager.render_onepager(MANIFEST, full_table(), "dehua")
    start, end = page.index("<table>"), page.index("</table>") + len("</table>")
    page = page[:end] + page[start:end] * 3 + page[end:]
    assert pdf_pages(_print(tmp_path, sanitise_page(page))) > 1

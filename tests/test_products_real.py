"""The printable and downloadable products of a small real run (晋江市 and the city, --publish):
PDFs printed by headless Chromium (page counts, Chinese text), chart files at print resolution,
the scenario comparison, and the workbook a reader hands on."""

from __future__ import annotations

import json
import re
import struct

import openpyxl
import pytest

from browser_support import ensure_chromium, ensure_poppler, has_chinese, pdf_pages, pdf_text

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def run_dir(real_run):
    ensure_chromium()
    ensure_poppler()
    root, code = real_run
    assert code == 0
    return (root / "reports" / "latest").resolve()


@pytest.fixture(scope="module")
def manifest(run_dir):
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


# (file, fewest pages, most pages, text it must contain)
PDFS = [
    ("jinjiang/brief.pdf", 1, 1, "晋江市"),
    ("quanzhou/brief.pdf", 1, 1, "泉州市"),
    ("jinjiang/report.pdf", 12, 80, "养老床位"),
    ("quanzhou/report.pdf", 18, 110, "回溯检验"),
]


@pytest.mark.parametrize("name,fewest,most,words", PDFS)
def test_pdfs_exist_with_expected_pages_and_chinese_text(run_dir, name, fewest, most, words):
    pdf = run_dir / name
    assert pdf.exists() and pdf.stat().st_size > 10_000, f"{name} was not printed"
    assert fewest <= pdf_pages(pdf) <= most
    text = pdf_text(pdf)
    assert has_chinese(text) and words in text and "要点" in text
    assert "NaN" not in text


# A code name as printed: snake_case (issue 28 item 4). A cited web page's file name is kept
# (".../content_644686.htm" is part of a source's address, not a code name).
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b(?!\.s?html?)")


def printed_code_names(text: str) -> list[str]:
    """The snake_case tokens and the catalogue's code names in a PDF's printed ``text``."""
    from analysis import catalogue

    ids = [k for k in catalogue.catalogue() if "_" in k]
    found = SNAKE.findall(text)
    found += [k for k in ids if re.search(rf"(?<![A-Za-z0-9_]){re.escape(k)}(?![A-Za-z0-9_])", text)]
    return sorted(set(found))


def test_printed_code_names_by_hand():
    assert printed_code_names("情景参数 beds.build_target_year；data/raw/dibao_quanzhou.csv") == [
        "build_target_year",
        "dibao_quanzhou",
    ]
    assert printed_code_names("https://szb.qzwb.com/html/2023-03/23/content_644686.htm 60岁及以上") == []
    assert printed_code_names("Hamilton–Perry 汉密尔顿–佩里法；MAPE 1.5%") == []


def test_no_code_name_is_printed_in_any_pdf(run_dir):
    """Issue 28 item 4: the printed text of every PDF names things for people — no snake_case
    token, no code name of the indicator catalogue (chart source lines, table heads and rows,
    page prose)."""
    printed = {
        pdf.relative_to(run_dir).as_posix(): printed_code_names(pdf_text(pdf))
        for pdf in sorted(run_dir.glob("*/*.pdf"))
    }
    assert printed and all(v == [] for v in printed.values()), {k: v for k, v in printed.items() if v}


def test_manifest_and_index_say_what_was_printed(run_dir, manifest):
    info = manifest["pdf"]
    assert info["made"] and info["printed"] == 4 and info["failed"] == [] and info["seconds"] > 0
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="quanzhou/report.pdf"' in index and 'href="jinjiang/brief.pdf"' in index
    assert 'href="compare.html"' in index


def _png_size(path):
    head = path.read_bytes()[:24]
    return struct.unpack(">II", head[16:24])


def test_charts_downloadable_as_200_dpi_png_and_svg(run_dir):
    folder = run_dir / "jinjiang" / "02_elder_care_beds_charts"
    pngs, svgs = sorted(folder.glob("*.png")), sorted(folder.glob("*.svg"))
    assert len(pngs) >= 3 and len(svgs) == len(pngs)
    width, height = _png_size(pngs[0])
    assert width >= 9 * 200 * 0.95, f"chart is {width} px wide: below 200 dpi for a 9-inch figure"
    assert svgs[0].read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
    page = (run_dir / "jinjiang" / "02_elder_care_beds.html").read_text(encoding="utf-8")
    assert page.count("02_elder_care_beds_charts/chart") >= 2 * len(pngs) and "Matplotlib v" not in page


def test_comparison_page_sets_the_bundled_scenarios_side_by_side(run_dir, manifest):
    comp = manifest["comparison"]
    assert comp["scenarios"] == ["情景 baseline", "情景 low", "情景 high"] and comp["draws"] == 3
    page = (run_dir / "compare.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64") >= 2 and "晋江市" in page and "3次抽样" in page
    assert page.count('<div class="cite">') == 1  # the 如何引用/版本 block (issue 28)


def test_workbook_numbers_formatted_and_notes_name_the_scenario(run_dir):
    book = openpyxl.load_workbook(run_dir / "jinjiang" / "jinjiang_晋江市.xlsx")
    assert book.sheetnames[0] == "一页表" and book.active.title == "一页表"
    numbers = [
        c
        for ws in book.worksheets
        for row in ws.iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
    ]
    assert len(numbers) > 100
    assert [c.coordinate for c in numbers if c.number_format == "General"][:5] == []
    notes = " ".join(str(c.value) for row in book["说明"].iter_rows() for c in row if c.value is not None)
    assert "情景 baseline" in notes
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} 北京时间", notes) and "<function" not in notes, notes[:300]

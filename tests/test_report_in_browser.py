"""The published report as a person sees it: headless Chromium opens the index and a unit's report.

Screenshots are kept as test artifacts in ``tests/artifacts/`` (ignored by git).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from browser_support import PAGE_PROBE, ensure_chromium, has_chinese, local_links, render, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def chromium():
    return ensure_chromium()


@pytest.fixture(scope="module")
def run_dir(real_run):
    root, code = real_run
    assert code == 0
    return (root / "reports" / "latest").resolve()


def _check_page(chromium, page: Path, shot: str) -> str:
    dom, console = render(chromium, page)
    assert console == [], f"console messages on {page.name}: {console}"
    assert has_chinese(dom), f"no Chinese text in {page.name}"
    screenshot(chromium, page, ARTIFACTS / shot)
    return dom


def test_index_loads_and_every_link_resolves(chromium, run_dir):
    dom = _check_page(chromium, run_dir / "index.html", "index.png")
    links = local_links(dom)
    assert any(link.endswith(".html") for link in links)
    for link in links:
        parsed = urlparse(link)
        assert parsed.scheme in ("", "file"), f"index.html must work offline; it links to {link}"
        target = (run_dir / unquote(parsed.path)).resolve()
        assert target.exists(), f"index.html links to a missing file: {link}"
    assert "泉州市" in dom and "晋江市" in dom


@pytest.mark.parametrize("report", ["jinjiang/01_population_projection.html", "jinjiang/02_elder_care_beds.html"])
def test_unit_report_loads_offline_with_charts(chromium, run_dir, report):
    page = run_dir / report
    dom = _check_page(chromium, page, report.replace("/", "__") + ".png")
    sources = local_links(dom)
    assert not [s for s in sources if s.startswith(("http://", "https://"))], "report must not need the network"
    assert dom.count("data:image/png;base64") >= 2, "charts are embedded as images"
    assert "In&nbsp;[" not in dom and "def " not in dom, "code cells are hidden"


BAD_TEXT = ("NaN", "e+0", "dtype", "Unnamed")
PYTHON_REPR = re.compile(r"\bNone\b|\['|\{'|\[\d+(?:\.\d+)?, \d|\{\"\w+\": ")


def published_pages(run_dir: Path) -> list[Path]:
    """Every HTML page of the run a reader can open (index, comparison, reports, print pages, briefs)."""
    top = sorted(p for p in run_dir.glob("*.html") if p.name != "index.html")
    return [run_dir / "index.html", *top, *sorted(run_dir.glob("*/*.html"))]


def test_every_published_page_shows_no_raw_python_or_pandas_text_and_fits_the_window(chromium, run_dir):
    """Each page as Chromium renders it (one browser, DevTools): no NaN, scientific notation,
    dtype, Unnamed, None, or a Python list/dict repr in the visible text; nothing wider than a
    1366-pixel window; every local link resolves. Briefs open with the 要点 box."""
    from analysis.run.chromium import Browser

    pages = published_pages(run_dir)
    names = {p.relative_to(run_dir).as_posix() for p in pages}
    assert "compare.html" in names and "jinjiang/brief.html" in names and "quanzhou/report_print.html" in names
    assert "quanzhou/91_backtest.html" in names and len(pages) >= 15
    problems = []
    with Browser(chromium, window=(1366, 900)) as browser:
        for page in pages:
            rel = page.relative_to(run_dir).as_posix()
            seen = browser.evaluate(page, PAGE_PROBE)
            text = seen["text"]
            problems += [f"{bad!r} on {rel}" for bad in BAD_TEXT if bad in text]
            if PYTHON_REPR.search(text):
                problems.append(f"Python repr {PYTHON_REPR.search(text).group(0)!r} on {rel}")
            if seen["scroll"] > seen["width"] + 1:
                problems.append(f"{rel} is {seen['scroll']} px wide in a {seen['width']} px window")
            if page.name == "brief.html" and not ("要点" in text and "主要发现" in text):
                problems.append(f"{rel} lacks the 要点 box or the findings")
            for link in local_links(page.read_text(encoding="utf-8")):
                target = unquote(urlparse(link).path)
                if target and not (page.parent / target).exists():
                    problems.append(f"{rel} links to a missing file {link}")
    assert problems == []


def test_overflow_check_can_fail(chromium, tmp_path):
    """The probe sees a page wider than its window (so the check above is not vacuous)."""
    from analysis.run.chromium import Browser

    wide = tmp_path / "wide.html"
    wide.write_text(
        '<html><body><table><tr><td style="min-width:3000px">宽 None</td></tr></table></body></html>', encoding="utf-8"
    )
    with Browser(chromium) as browser:
        seen = browser.evaluate(wide, PAGE_PROBE)
    assert seen["scroll"] > seen["width"] and PYTHON_REPR.search(seen["text"])

"""The published report as a person sees it: headless Chromium opens the index and a unit's report.

Screenshots are kept as test artifacts in ``tests/artifacts/`` (ignored by git).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from browser_support import ensure_chromium, has_chinese, local_links, render, screenshot

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


def test_every_published_page_shows_no_raw_python_or_pandas_text(chromium, run_dir):
    """Each page as Chromium renders it: no NaN, scientific notation, dtype, Unnamed, None, or a
    Python list/dict repr in the visible text; briefs exist and open with the 要点 box."""
    import re

    pages = [run_dir / "index.html", *sorted(run_dir.glob("*/*.html"))]
    assert any(p.name == "brief.html" for p in pages)
    for page in pages:
        dom, _ = render(chromium, page)
        text = re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", dom, flags=re.S)
        for bad in ("NaN", "e+0", "dtype", "Unnamed"):
            assert bad not in text, f"{bad!r} on {page.relative_to(run_dir)}"
        assert not re.search(r"\bNone\b|\['|\{'", text), f"Python repr on {page.relative_to(run_dir)}"
        if page.name == "brief.html":
            assert "要点" in text and "主要发现" in text

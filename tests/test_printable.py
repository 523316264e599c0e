"""Printable products without a real run: the print page joins report sections, chart files and
their download links come from the same notebook, a run without Chromium says no PDFs were made."""

from __future__ import annotations

import base64
import json

import nbformat

from analysis.present import chart_files
from analysis.run import printable
from analysis.present.html import _pdf_line, _print_cell

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 40).decode()


def _page(path, title, extra=""):
    path.write_text(
        f"<!DOCTYPE html><html><head><style>.jp-x{{color:red}}</style></head>"
        f'<body class="jp-Notebook"><main><h1 id="t">{title}<a class="anchor-link">¶</a></h1>'
        f"<table><tr><td>1,234</td></tr></table>{extra}</main></body></html>",
        encoding="utf-8",
    )
    return path


def test_print_page_joins_sections_each_on_a_new_page(tmp_path):
    pages = [
        _page(tmp_path / "01.html", "01 人口预测 Population", "<script>alert(1)</script>"),
        _page(tmp_path / "02.html", "养老床位 Beds"),
    ]
    page = printable.render_print_report(pages, "晋江市", "情景 low", "2026-12-01 20:00 北京时间")
    assert '<html lang="zh-CN">' in page and "@page{size:A4" in page and "<script" not in page
    assert page.count('<section class="nb') == 2 and page.count('class="nb first"') == 1
    assert "<li>01 人口预测 Population</li><li>养老床位 Beds</li>" in page
    assert "晋江市民政事业发展预测报告" in page and "情景 low" in page and ".jp-x" not in page
    assert "break-inside:avoid" in page and ".chart-dl{display:none" in page


def _notebook_with_chart(path):
    out = nbformat.v4.new_output(
        "display_data", data={"image/png": PNG, "image/svg+xml": "<svg></svg>", "text/plain": "<Figure>"}
    )
    cell = nbformat.v4.new_code_cell("plot()", outputs=[out])
    nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell("x", outputs=[])])
    nbformat.write(nb, str(path))
    return nb


def test_chart_files_and_links_come_from_the_same_notebook(tmp_path):
    ipynb = tmp_path / "02_beds.ipynb"
    nb = _notebook_with_chart(ipynb)
    written = chart_files.extract(ipynb)
    assert [p.name for p in written] == ["chart01.png", "chart01.svg"]
    assert written[0].read_bytes().startswith(b"\x89PNG") and written[1].read_text() == "<svg></svg>"
    assert chart_files.add_download_links(nb, "02_beds") == 1
    outputs = nb.cells[0]["outputs"]
    assert "image/svg+xml" not in outputs[0]["data"] and len(outputs) == 2
    link = outputs[1]["data"]["text/html"]
    assert 'href="02_beds_charts/chart01.png"' in link and 'href="02_beds_charts/chart01.svg"' in link
    assert all((tmp_path / href).exists() for href in ("02_beds_charts/chart01.png", "02_beds_charts/chart01.svg"))


def test_without_chromium_the_print_pages_are_written_and_the_run_says_no_pdfs(tmp_path, monkeypatch):
    from analysis.run import chromium

    monkeypatch.setattr(chromium, "find_chromium", lambda: None)
    unit = tmp_path / "jinjiang"
    unit.mkdir()
    _page(unit / "01_population_projection.html", "01 人口预测")
    _notebook_with_chart(unit / "01_population_projection.ipynb")
    manifest = {
        "jobs": [
            {
                "unit": "jinjiang",
                "notebook": "01_population_projection",
                "status": "ok",
                "output": "jinjiang/01_population_projection.ipynb",
                "html": "jinjiang/01_population_projection.html",
            }
        ],
        "scenario": {"name": "baseline", "overrides": {}},
        "unit_names": {"jinjiang": "晋江市"},
        "started": "2026-12-01T12:00:00+00:00",
    }
    out = printable.write_products(tmp_path, manifest, pdf=True)
    assert out["pdf"]["made"] is False and "Chromium" in out["pdf"]["reason"]
    assert out["print_reports"] == {"jinjiang": {"html": "jinjiang/report_print.html"}}
    assert (unit / "report_print.html").exists() and (unit / "01_population_projection_charts" / "chart01.png").exists()
    assert not list(tmp_path.rglob("*.pdf"))
    manifest.update(out)
    assert "未安装 Chromium" in _pdf_line(manifest) and "report.pdf" not in _print_cell(manifest, "jinjiang")
    json.dumps(out)  # the entries go into manifest.json


def test_index_links_the_pdfs_that_were_printed():
    manifest = {
        "print_reports": {"quanzhou": {"html": "quanzhou/report_print.html", "pdf": "quanzhou/report.pdf"}},
        "briefs": {"quanzhou": "quanzhou/brief.html"},
        "pdf": {"made": True, "printed": 2, "failed": [], "seconds": 3.2},
    }
    cell = _print_cell(manifest, "quanzhou")
    assert 'href="quanzhou/report.pdf"' in cell and 'href="quanzhou/brief.pdf"' in cell
    assert "已打印 2 份" in _pdf_line(manifest)
    manifest["pdf"]["failed"] = ["quanzhou/brief.pdf"]
    assert 'href="quanzhou/brief.pdf"' not in _print_cell(manifest, "quanzhou")


def test_one_chromium_prints_several_pages(tmp_path):
    """Five pages through three tabs at once: every PDF is its own page's (the answers of tabs
    printing at the same time are not mixed up), and a tab that finishes makes room for the next."""
    import pytest

    from analysis.run.chromium import find_chromium, print_pages

    if find_chromium() is None:
        pytest.skip("chromium is not installed")
    pages = []
    for i in range(5):
        page = tmp_path / f"p{i}.html"
        page.write_text(
            f'<html lang="zh-CN"><head><style>@page{{size:A4}}</style></head><body><h1>第{i}页 泉州市</h1>'
            + "<p>段落</p>" * (60 * i + 1)
            + "</body></html>",
            encoding="utf-8",
        )
        pages.append((page, page.with_suffix(".pdf")))
    done = print_pages(pages)
    assert done == {pdf: True for _, pdf in pages}
    assert all(pdf.read_bytes().startswith(b"%PDF") for _, pdf in pages)
    from browser_support import ensure_poppler, pdf_pages

    ensure_poppler()
    counts = [pdf_pages(pdf) for _, pdf in pages]
    assert counts[0] == 1 and all(a < b for a, b in zip(counts, counts[1:])), counts


def test_a_page_that_never_loads_or_is_missing_fails_alone(tmp_path, monkeypatch):
    """A page whose load never ends is given up at its deadline (not after the default 90 s); a
    page that is not there is not printed as Chromium's error page; the others print, and the
    answer lists the PDFs in the order they were asked for."""
    import time

    import pytest

    from analysis.run import chromium

    if chromium.find_chromium() is None:
        pytest.skip("chromium is not installed")
    monkeypatch.setattr(chromium, "PAGE_TIMEOUT", 8.0)
    hung = tmp_path / "hung.html"  # its script never ends, so its load event never fires
    hung.write_text("<html><body><p>等待</p><script>while (true) {}</script></body></html>", encoding="utf-8")
    # the hung page last: the browser is given up at its first timeout (issue 27), so a page
    # still queued behind it would not be printed
    pages = [(tmp_path / "missing.html", tmp_path / "missing.pdf")]
    for i in range(3):
        page = tmp_path / f"ok{i}.html"
        page.write_text(f"<html><body><h1>第{i}页</h1></body></html>", encoding="utf-8")
        pages.insert(i, (page, page.with_suffix(".pdf")))
    pages.append((hung, tmp_path / "hung.pdf"))
    started = time.monotonic()
    with chromium.Browser(chromium.find_chromium()) as browser:
        done = browser.print_pdfs(pages, parallel=2)
    assert time.monotonic() - started < 40
    assert list(done) == [pdf for _, pdf in pages]
    assert done == {pdf: not pdf.stem.startswith(("hung", "missing")) for _, pdf in pages}
    assert [pdf.exists() for _, pdf in pages] == list(done.values())


def test_a_tab_that_printed_prints_the_next_page_and_a_failed_one_is_replaced(tmp_path, monkeypatch):
    """A new tab costs a new renderer process: a tab that printed goes on to the next page; the
    tab of a page that could not be loaded is closed and a new one opened."""
    import pytest

    from analysis.run import chromium

    if chromium.find_chromium() is None:
        pytest.skip("chromium is not installed")
    pages = []
    for i in range(4):
        page = tmp_path / f"ok{i}.html"
        page.write_text(
            f"<html><body><h1>第{i}页</h1>" + "<p>段落</p>" * (80 * i + 1) + "</body></html>", encoding="utf-8"
        )
        pages.append((page, page.with_suffix(".pdf")))
    pages.insert(1, (tmp_path / "missing.html", tmp_path / "missing.pdf"))
    sent = []
    real_send = chromium.Browser._send
    monkeypatch.setattr(
        chromium.Browser,
        "_send",
        lambda self, method, params=None, session=None: sent.append(method) or real_send(self, method, params, session),
    )
    with chromium.Browser(chromium.find_chromium()) as browser:
        done = browser.print_pdfs(pages, parallel=1)
    assert done == {pdf: pdf.stem != "missing" for _, pdf in pages}
    # ok0 in the first tab, missing in it too (then closed), ok1–ok3 in the second tab
    assert sent.count("Target.createTarget") == 2 and sent.count("Page.navigate") == 5
    assert sent.count("Page.printToPDF") == 4
    from browser_support import ensure_poppler, pdf_pages

    ensure_poppler()
    counts = [pdf_pages(pdf) for _, pdf in pages if pdf.stem != "missing"]
    assert counts[0] == 1 and all(a < b for a, b in zip(counts, counts[1:])), counts


def test_two_chromiums_at_once_each_print(tmp_path):
    """A Chromium already running (a test, another run) must not swallow the run's printing:
    each Browser has its own profile (with the shared default one, the second exited at once)."""
    import pytest

    from analysis.run.chromium import Browser, find_chromium

    binary = find_chromium()
    if binary is None:
        pytest.skip("chromium is not installed")
    page = tmp_path / "p.html"
    page.write_text("<html><body><h1>泉州市</h1></body></html>", encoding="utf-8")
    with Browser(binary) as first, Browser(binary) as second:
        assert first.print_pdfs([(page, tmp_path / "a.pdf")]) == {tmp_path / "a.pdf": True}
        assert second.print_pdfs([(page, tmp_path / "b.pdf")]) == {tmp_path / "b.pdf": True}


def test_printing_does_not_depend_on_which_fds_the_process_has_open(tmp_path):
    """The pipe ends reach Chromium as fds 3 and 4 whatever the launching process holds there.
    (``make report`` printed no PDF with the earlier launch — EBADF, then "pipe file descriptors
    are not open" — while pytest's processes printed; this test did not reproduce that, the
    manual run did. It guards the two states it can make: fds 3–255 closed, or 3 and 4 held.)"""
    import subprocess
    import sys

    import pytest

    from analysis.run.chromium import find_chromium

    if find_chromium() is None:
        pytest.skip("chromium is not installed")
    page = tmp_path / "p.html"
    page.write_text("<html><body><h1>泉州市</h1></body></html>", encoding="utf-8")
    for setup in ("os.closerange(3, 256)", "os.closerange(3, 256); a = open(os.devnull); b = open(os.devnull)"):
        pdf = tmp_path / f"out{len(setup)}.pdf"
        code = (
            f"import os; {setup}\nfrom pathlib import Path\nfrom analysis.run.chromium import print_pages\n"
            f"print(print_pages([(Path({str(page)!r}), Path({str(pdf)!r}))]))"
        )
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), (setup, proc.stdout, proc.stderr[-500:])


def test_print_report_uses_the_vector_chart_files_when_they_pair_with_the_images(tmp_path):
    from analysis.run.printable import vector_charts

    img = '<img src="data:image/png;base64,AAAA" width="900">'
    link = '<div class="chart-dl"><a href="02_beds_charts/chart{n:02d}.png" download>PNG</a></div>'
    body = "".join(img + link.format(n=n) for n in (1, 2))
    page = tmp_path / "02_beds.html"
    (tmp_path / "02_beds_charts").mkdir()
    assert vector_charts(body, page) == body  # no SVG files: the PNGs stay
    for n in (1, 2):
        (tmp_path / "02_beds_charts" / f"chart{n:02d}.svg").write_text(
            f'<?xml version="1.0"?>\n<svg width="648pt" height="360pt"><metadata>Matplotlib</metadata>'
            f"<text>图{n}</text></svg>",
            encoding="utf-8",
        )
    out = vector_charts(body, page)
    # inlined (an <img> of an SVG prints its text as CJK radicals, without digits): test_print_rules
    assert (
        out.count('<svg class="chart-svg" role="img"') == 2 and "<text>图1</text>" in out and "<text>图2</text>" in out
    )
    assert "data:image/png" not in out and "<?xml" not in out and "Matplotlib" not in out
    assert vector_charts(img + body, page) == img + body  # three images, two links: not paired, unchanged


def test_the_parent_extracts_chart_files_only_where_no_worker_did(tmp_path, monkeypatch):
    """A finished job's worker writes its chart files from the notebook it holds (``charts``); the
    parent reads again only reused notebooks and jobs without that record."""
    from analysis.run import chromium

    monkeypatch.setattr(chromium, "find_chromium", lambda: None)
    read = []
    monkeypatch.setattr(chart_files, "extract", lambda ipynb, nb=None: read.append(ipynb.parent.name) or [])
    jobs = []
    for unit, status, charts in (("jinjiang", "ok", 2), ("nanan", "skipped", 2), ("anxi", "ok", None)):
        (tmp_path / unit).mkdir()
        _notebook_with_chart(tmp_path / unit / "01_population_projection.ipynb")
        jobs.append(
            {
                "unit": unit,
                "notebook": "01_population_projection",
                "status": status,
                "charts": charts,
                "output": f"{unit}/01_population_projection.ipynb",
                "html": None,
            }
        )
    manifest = {
        "jobs": jobs,
        "scenario": {"name": "baseline", "overrides": {}},
        "unit_names": {},
        "started": "2026-12-01T12:00:00+00:00",
    }
    printable.write_products(tmp_path, manifest, pdf=False)
    assert read == ["nanan", "anxi"]


class _ScriptedBrowser:
    """print_pdfs' protocol without Chromium: answers come from a script, and every tab first
    sends a stray load event (its about:blank) before the answer to its navigation."""

    def __init__(self):
        self.queue, self.sent, self.answered_navigations, self._next_id = [], [], 0, 0

    def _send(self, method, params=None, session=None):
        self._next_id += 1
        self.sent.append((method, session))
        if method == "Page.navigate":
            self.queue += [
                {"method": "Page.loadEventFired", "sessionId": session},  # stray
                {"id": self._next_id, "result": {"frameId": "f"}},
                {"method": "Page.loadEventFired", "sessionId": session},
            ]
        elif method == "Page.printToPDF":
            # a print sent before its page's own navigation answered would print the stray page
            assert self.sent.count(("Page.printToPDF", session)) <= self.answered_navigations
            self.queue.append({"id": self._next_id, "result": {"data": "JVBERi0xLjQK"}})
        return self._next_id

    def _open(self, url):
        session = f"s{self.sent.count(('open', None))}"
        self.sent.append(("open", None))
        return "target-" + session, session, self._send("Page.navigate", {"url": url}, session)

    def _next_message(self, deadline):
        message = self.queue.pop(0)
        if "id" in message and "frameId" in message.get("result", {}):
            self.answered_navigations += 1
        return message


def test_a_load_event_before_the_pages_own_navigation_answer_does_not_print_it(tmp_path):
    from analysis.run import chromium

    browser = _ScriptedBrowser()
    pages = [(tmp_path / f"p{i}.html", tmp_path / f"p{i}.pdf") for i in range(3)]
    done = chromium.Browser.print_pdfs(browser, pages, parallel=1)
    assert done == {pdf: True for _, pdf in pages}
    assert [m for m, _ in browser.sent].count("Page.printToPDF") == 3
    assert all(pdf.read_bytes().startswith(b"%PDF") for _, pdf in pages)


class _HangingBrowser(_ScriptedBrowser):
    """A browser that never answers: every page's load runs into its deadline."""

    def _next_message(self, deadline):
        import time

        time.sleep(max(0.0, deadline - time.monotonic()))
        return None


def test_the_browser_is_given_up_after_its_first_timeout(tmp_path, monkeypatch):
    """Issue 27: a hanging Chromium took the full page timeout for every page in turn."""
    from analysis.run import chromium

    monkeypatch.setattr(chromium, "PAGE_TIMEOUT", 0.3)
    browser = _HangingBrowser()
    pages = [(tmp_path / f"p{i}.html", tmp_path / f"p{i}.pdf") for i in range(4)]
    done = chromium.Browser.print_pdfs(browser, pages, parallel=1)
    assert done == {pdf: False for _, pdf in pages}
    assert browser.sent.count(("open", None)) == 1  # no second tab after the first timeout

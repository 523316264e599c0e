"""Print that an office accepts (issue 28, item 4): the print page's rules checked in the printed
PDF — chart text searchable as the characters shown, no code name printed, no word broken inside
a table cell, a heading on the page of what follows it, developer tables left out — and the chart
text floor (≥ 7 pt at print size). The PDF checks print with Chromium and read with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from analysis import catalogue
from analysis.present import plots, print_geometry
from analysis.people import people_table_html
from analysis.run import printable

RADICALS = re.compile(r"[\u2e80-\u2fdf]")  # CJK radicals (⼈⼝): what an <img> SVG's text became


def _chromium():
    from analysis.run.chromium import find_chromium

    if find_chromium() is None or not shutil.which("pdftotext"):
        pytest.skip("chromium or pdftotext is not installed")


def _export(folder, name, body, charts=()):
    """A notebook's exported page (``name``.html) with ``charts`` (figures) as PNG + download line +
    SVG file, as the runner writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}_charts").mkdir(exist_ok=True)
    images = []
    for n, fig in enumerate(charts, 1):
        svg = plots._svg(fig)
        (folder / f"{name}_charts" / f"chart{n:02d}.svg").write_text(svg, encoding="utf-8")
        images.append(
            '<div class="jp-OutputArea-output"><img src="data:image/png;base64,AAAA"></div>'
            f'<div class="chart-dl"><a href="{name}_charts/chart{n:02d}.png">PNG</a></div>'
        )
    page = folder / f"{name}.html"
    page.write_text(f"<html><body><main>{body}{''.join(images)}</main></body></html>", encoding="utf-8")
    return page


def _print(tmp_path, pages):
    from analysis.run.chromium import print_pages

    html = tmp_path / "report_print.html"
    from analysis.sanitiser import sanitise_page

    html.write_text(
        sanitise_page(printable.render_print_report(pages, "德化县", "情景 baseline", "2026-12-05")), encoding="utf-8"
    )
    pdf = tmp_path / "report.pdf"
    assert print_pages([(html, pdf)]) == {pdf: True}
    return pdf


def _pages_text(pdf) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def _chart():
    fig, ax = plots.new_figure("德化县60岁及以上人口", "年份", "人数（万人）", "本项目预测")
    ax.plot([2020, 2025, 2030], [10, 12, 14], label="老年人口中位数")
    ax.legend(fontsize=6)
    return fig


def test_printed_chart_text_is_searchable_and_no_code_name_is_printed(tmp_path):
    _chromium()
    import pandas as pd

    table = people_table_html(pd.DataFrame({"year": [2025], "pop_60plus": [123456.0], "bed_gap": [12.0]}))
    page = _export(
        tmp_path / "dehua",
        "01_population_projection",
        f"<h1>01 人口预测</h1><p>computed from 1000 × bed_stock ÷ pop_60plus</p>{table}",
        [_chart()],
    )
    text = "".join(_pages_text(_print(tmp_path, [page])))
    assert "德化县60岁及以上人口" in text and "老年人口中位数" in text and "2030" in text  # the chart's own text
    assert not RADICALS.search(text), RADICALS.findall(text)[:10]
    ids = [k for k in catalogue.catalogue() if "_" in k]
    printed = [k for k in ids if re.search(rf"(?<![A-Za-z0-9_]){k}(?![A-Za-z0-9_])", text)]
    assert printed == [], printed
    assert "养老床位存量" in text  # replaced by the catalogue's Chinese name, not dropped


def test_no_word_is_broken_inside_a_table_cell(tmp_path):
    """A table whose words all fit unbroken, beside a column of long text: the automatic layout
    used to give the short columns less than their longest word and break it ("reside/nt")."""
    _chromium()
    words = ["registered", "population", "calibration", "benchmarks"]
    long_text = "the projection from the 2010 census compared with the 2020 census, " * 6
    row = f"<td>{long_text}</td>" + "".join(f"<td>{w}</td>" for w in words * 2)
    page = _export(
        tmp_path / "q",
        "91_backtest",
        f'<h1>91</h1><div class="jp-RenderedHTMLCommon"><table><tr>{row}</tr><tr>{row}</tr></table></div>',
    )
    text = "".join(_pages_text(_print(tmp_path, [page])))
    tokens = re.findall(r"[A-Za-z_]+", text)
    assert all(tokens.count(w) >= 4 for w in words), {w: tokens.count(w) for w in words}
    broken = sorted({t for t in tokens if any(t != w and (w.startswith(t) or w.endswith(t)) for w in words)})
    assert broken == [], broken


def _cell(kind, inner):
    """A cell as nbconvert's lab template exports it (wrappers and all)."""
    wrapper = "jp-Cell-inputWrapper" if kind == "markdown" else "jp-Cell-outputWrapper"
    return (
        f'<div class="jp-Cell jp-{"MarkdownCell" if kind == "markdown" else "CodeCell"} jp-Notebook-cell">'
        f'<div class="{wrapper}"><div class="jp-Collapser"></div><div class="jp-OutputArea">{inner}</div></div></div>'
    )


def test_cells_are_kept_with_the_markdown_before_them():
    body = (
        "<main>"
        + _cell("code", "a")
        + _cell("markdown", "<h2>标题</h2>")
        + _cell("markdown", "<p>说明</p>")
        + _cell("code", "图")
        + _cell("code", "b")
        + "</main>"
    )
    out = printable.keep_with_next(body)
    assert out.count('<div class="keep">') == 1
    kept = out[out.index('<div class="keep">') :]
    assert (
        kept.index("标题")
        < kept.index("说明")
        < kept.index("图")
        < kept.index("</div></div></div></div>")
        < kept.index(">b<")
    )
    assert printable.keep_with_next("<p>no cells</p>") == "<p>no cells</p>"


def test_a_heading_stays_on_the_page_of_the_chart_it_introduces(tmp_path):
    """Issue 28: headings and their words at a page's foot, the chart on the next page."""
    _chromium()
    body = (
        "<h1>01 人口预测</h1>"
        + _cell("code", '<div style="height:190mm">前文</div>')
        + _cell("markdown", '<div class="jp-RenderedMarkdown"><h2>孤立标题测试</h2><p>误差 = 预测 − 普查。</p></div>')
        + '<div class="jp-Cell jp-CodeCell jp-Notebook-cell"><div class="jp-Cell-outputWrapper">'
        '<div class="jp-OutputArea"><div class="jp-OutputArea-child">'
    )
    page = _export(tmp_path / "q", "01_population_projection", body, [_chart()])
    pages = _pages_text(_print(tmp_path, [page]))
    with_heading = [i for i, p in enumerate(pages) if "孤立标题测试" in p]
    with_chart = [i for i, p in enumerate(pages) if "老年人口中位数" in p]
    assert with_heading == with_chart, (with_heading, with_chart)


def test_a_developer_table_is_left_out_of_print_with_a_line_saying_where_it_is(tmp_path):
    _chromium()
    import pandas as pd

    table = people_table_html(
        pd.DataFrame({"indicator_id": ["dibao_to_min_wage_ratio"], "target": [45.0]}),
        print_note="打印版略去专栏2原表；见本页网页版。",
    )
    page = _export(tmp_path / "q", "05_plan_indicators", f"<h1>05</h1><h2>专栏2 原表</h2>{table}")
    text = "".join(_pages_text(_print(tmp_path, [page])))
    assert "打印版略去专栏2原表" in text and "45" not in text.replace("2026-12-05", "")
    assert 'class="print-only"' in table and "screen-only" in table  # on screen the table shows


def test_chart_text_prints_at_7_pt_or_more():
    """A 4 × 4 panel chart of 12 × 9.6 in with 7-pt legends and 8-pt ticks (the compare / county
    panels) printed about 5 pt; the floor raises them before the chart is drawn."""
    fig, axes = plots.subplots(4, 4, figsize=(12, 9.6))
    for ax in axes.flat:
        ax.plot([2020, 2035], [1, 2], label="情景")
        ax.tick_params(labelsize=8)
        ax.set_title("晋江市", fontsize=10)
    axes.flat[0].legend(fontsize=7)
    plots.add_source(fig, "本项目预测")
    svg = plots._svg(fig)
    assert printable.smallest_print_pt(svg) >= print_geometry.MIN_TEXT_PT
    assert printable.inline_svg(svg).startswith('<svg class="chart-svg chart-tall"')


def test_the_print_geometry_by_hand():
    # 9 × 5 in = 648 × 360 pt = 228.6 × 127 mm: width-bound, 184 / 228.6 = 0.805
    assert print_geometry.print_scale(648, 360) == pytest.approx(184 / 228.6)
    assert print_geometry.min_font_pt(648, 360) == pytest.approx(7 / (184 / 228.6))
    # 12 × 9.6 in: tall (9.6/12 × 184 = 147 mm > 118 mm), box 184 × 230 mm: width-bound, 184 / 304.8
    assert print_geometry.is_tall(864, 691.2) and print_geometry.print_scale(864, 691.2) == pytest.approx(184 / 304.8)
    assert print_geometry.print_scale(100, 50) == 1.0  # never enlarged

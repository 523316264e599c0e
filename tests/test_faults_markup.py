"""Issue 27: no user text becomes markup, and every exported page passes the ``nh3`` sanitiser.

The trials: a ``-p`` mapping key with a backslash and three backticks put a live ``<img onerror>``
into pages 01–05, 90 and the print page (the Markdown-escaping regex and the renderer disagreed
on where a code span ends); a scenario ``source:`` written as a Markdown link to ``javascript:``
became a live link; a Markdown image loaded from an outside server. Each test fails on that code.
"""

from __future__ import annotations

import base64
import io
import re

import nbformat
import pytest
from nbconvert.filters.markdown import markdown2html

from analysis.errors import AnalysisError
from analysis.labels import markdown_scenario_label, scenario_label
from analysis.people import people_table_html
from analysis.present.notebook_html import export_notebook_html
from analysis.safety import markdown_text
from analysis.sanitiser import sanitise_page

KEY_PAYLOAD = "\\```<img src=x onerror=alert(1)>```"
LINK_PAYLOAD = "[source](javascript:alert(1)) ![i](http://evil.example/x.png)"
ACTIVE = re.compile(
    r"<[a-z][^>]*\son[a-z]+\s*=|<script|<[a-z][^>]*(href|src)=\"?\s*(javascript:|https?://evil|//)", re.IGNORECASE
)


@pytest.mark.parametrize(
    "text",
    [
        KEY_PAYLOAD,
        LINK_PAYLOAD,
        "`` ` ``<b>x</b>`",
        "```\n<img src=x onerror=1>\n```",
        "<script>alert(1)</script>",
        "**bold** _it_ # h | a | b |",
    ],
)
def test_user_text_renders_as_the_same_text_never_markup(text):
    rendered = markdown2html("**晋江市** · " + markdown_text(text))
    assert not re.search(r"<(img|a|script|b|em|h1|table|pre|code)\b", rendered.split("</strong>", 1)[1])
    shown = re.sub(r"<[^>]+>", "", rendered).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert " ".join(text.split()) in shown.replace("&quot;", '"')


def test_the_scenario_label_of_a_notebook_header_shows_a_p_key_as_text():
    label = markdown_scenario_label("baseline", {"beds.x": {KEY_PAYLOAD: 1}, KEY_PAYLOAD: 2})
    assert not ACTIVE.search(markdown2html(f"**晋江市** · {label} · 5 draws"))


def test_bidi_and_control_characters_are_removed():
    assert markdown_text("a\u202eb\u2066c\x07d\ne") == "a b c d e"


def _png() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def test_an_exported_page_keeps_charts_tables_styles_and_links_but_no_active_content(tmp_path):
    import pandas as pd

    png = _png()
    table = people_table_html(pd.DataFrame({"unit_name": ["晋江市"], "pop_60plus": [185000.0]}))
    raw_label = scenario_label("baseline", {KEY_PAYLOAD: 1})  # as a notebook that forgot to escape
    outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": f"**晋江市** · {raw_label}"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": LINK_PAYLOAD}),
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", data={"text/html": table}),
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": '<p><a href="../index.html">back</a> '
                '<img src="x" onerror="alert(1)"><svg viewBox="0 0 1 1">'
                '<path d="M0 0L1 1" onload="alert(1)"/></svg></p>'
            },
        ),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=outputs)])
    out = tmp_path / "01_population_projection.html"
    export_notebook_html(tmp_path / "01_population_projection.ipynb", out, nb=nb)
    page = out.read_text(encoding="utf-8")
    assert not ACTIVE.search(page), ACTIVE.search(page)
    assert f'src="data:image/png;base64,{png[:40]}' in page  # the chart
    assert '<table class="people">' in page and "晋江市" in page and ".people-wrap{" in page  # table and CSS
    assert "jp-OutputArea" in page and "<style" in page  # the notebook's own CSS
    assert 'href="01_population_projection_charts/chart01.png"' in page and 'href="../index.html"' in page
    assert '<path d="M0 0L1 1">' in page  # inline SVG kept, its handler dropped


def test_the_sanitiser_removes_remote_loads_and_scripts_from_a_whole_page():
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title>'
        '<script>alert(1)</script><link rel="stylesheet" href="https://cdn.example/x.css">'
        "<style>@import url(https://evil.example/a.css); .a{background:url(https://evil.example/b.png)}</style>"
        '</head><body class="jp-Notebook"><p style="background:url(http://evil.example/c)">x</p>'
        '<a href="https://www.gov.cn/">gov</a><a href="data:text/html,hi">d</a>'
        '<img src="//evil.example/d.png"><iframe src="x.html"></iframe></body></html>'
    )
    clean = sanitise_page(page)
    assert "evil.example" not in clean and "<script" not in clean and "cdn.example" not in clean
    assert "<iframe" not in clean and "data:text" not in clean
    assert 'href="https://www.gov.cn/"' in clean and '<body class="jp-Notebook">' in clean


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "see ![i](http://evil.example/x.png)",
        "javascript:alert(1)",
        "https://evil.example",
        "data:text/html;base64,AAAA",
    ],
)
def test_a_scenario_source_with_a_script_link_or_remote_address_is_refused(project_copy, source):
    from analysis.scenarios import load_scenario

    path = project_copy / "scenarios" / "evil.yaml"
    path.write_text(
        f'name: evil\nextends: baseline\nbeds:\n  occupancy_pct: {{value: 60, source: "{source}"}}\n', encoding="utf-8"
    )
    with pytest.raises(AnalysisError, match="web address"):
        load_scenario("evil")


@pytest.mark.parametrize("key", [KEY_PAYLOAD, "2025<b>", 1800, "twenty"])
def test_mapping_keys_are_checked_against_the_known_keys(key):
    from analysis.scenarios import load_scenario

    with pytest.raises(AnalysisError, match="key"):
        load_scenario("baseline", {"beds.beds_per_1000_elderly": {key: 40}})
    with pytest.raises(AnalysisError, match="key"):
        load_scenario("baseline", {"beds.use_rate_relative": {key: 1.0}})
    assert load_scenario("baseline", {"beds.beds_per_1000_elderly": {2030: 40}}).get("beds.beds_per_1000_elderly") == {
        2030: 40
    }

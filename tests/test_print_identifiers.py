"""No code name printed for readers (issue 28 item 4), checked on the strings the pages are made of:
every text of the charts (title, axes, legend, the 资料来源 line), the tables' heads and rows, the
generated prose, the scenario parameters' reader names and the notebooks' own words. The end-to-end
form (the printed text of every PDF of a real run) is ``tests/test_products_real.py``; this one runs
in seconds and names the function at fault."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.text import Text

from analysis import catalogue, scenarios
from analysis.scenarios import load_scenario
from analysis.services import assistance, assistance_text, beds, beds_report, charts_assistance, charts_care
from analysis.services import charts_beds_workforce as charts_bw
from analysis.services import min_wage

REPO = Path(__file__).resolve().parents[1]
# snake_case, except a cited web page's file name (".../content_644686.htm" is part of an address)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b(?!\.s?html?)")
CODE_IDS = [k for k in catalogue.catalogue() if "_" in k]


def code_names(text: str) -> list[str]:
    """The snake_case tokens and the catalogue's code names in ``text``."""
    found = SNAKE.findall(text)
    found += [k for k in CODE_IDS if re.search(rf"(?<![A-Za-z0-9_]){re.escape(k)}(?![A-Za-z0-9_])", text)]
    return sorted(set(found))


def figure_text(fig) -> str:
    """Every text a figure prints (ticks drawn first so their labels exist)."""
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(Text)]
    plt.close(fig)
    return "\n".join(texts)


def table_text(table: pd.DataFrame) -> str:
    """The heads, the index and the text cells of a table as people_table shows them."""
    data = table.reset_index()
    cells = [str(v) for col in data.columns for v in data[col] if isinstance(v, str)]
    return "\n".join([*map(str, data.columns), *cells])


def test_code_names_by_hand():
    assert code_names("目标年（情景参数 beds.build_target_year）；见 data/raw/dibao_quanzhou.csv") == [
        "build_target_year",
        "dibao_quanzhou",
    ]
    assert code_names("https://szb.qzwb.com/old/qzwb/html/2023-03/23/content_644686.htm") == []
    assert code_names("汉密尔顿–佩里法 Hamilton–Perry；MAPE 1.5%；pop_60plus") == ["pop_60plus"]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("baseline")


@pytest.fixture(scope="module")
def bed_frame(scenario):
    from test_beds import synthetic_result

    return beds.bed_requirements(synthetic_result(draws=2), scenario)


@pytest.fixture(scope="module")
def linkage(scenario):
    from analysis.pipeline import linkage_models

    return linkage_models(scenario, "registered", 2020, 2030, draws=2, seed=1)


BED_CHARTS = [
    charts_care.plot_nursing_gap,
    charts_care.plot_build_schedule,
    charts_bw.plot_beds_vs_stock,
    charts_bw.plot_bed_views,
]


@pytest.mark.parametrize("chart", BED_CHARTS, ids=lambda f: f.__name__)
def test_no_code_name_in_a_bed_chart(bed_frame, chart):
    fig, _ = chart(bed_frame, "dehua")
    assert code_names(figure_text(fig)) == []


@pytest.mark.parametrize("chart", ["wage_chart", "dibao_chart", "cost_chart"])
def test_no_code_name_in_a_dibao_chart(linkage, chart):
    fig, _ = getattr(charts_assistance, chart)(linkage.path, "dehua")
    assert code_names(figure_text(fig)) == []


def test_no_code_name_in_the_dibao_tables_and_words(linkage, scenario):
    backtest = assistance.backtest_link(linkage.weights, min_wage.load_wage_history())
    fig, _ = charts_assistance.backtest_chart(backtest)
    texts = [
        figure_text(fig),
        assistance_text.summary_zh(linkage.path, scenario, "dehua", 2030),
        assistance_text.backtest_summary_zh(backtest),
        table_text(assistance_text.backtest_table_zh(backtest)),
        table_text(assistance_text.standards_table_zh(linkage.path, "dehua", [2020, 2025, 2030])),
    ]
    assert [code_names(t) for t in texts] == [[]] * len(texts)
    heads = assistance_text.standards_table_zh(linkage.path, "quanzhou", [2025]).columns
    assert "低保资金需求（估算，亿元/年）" in heads and "低保标准（元/人·月）" in heads  # units in the heads


def test_the_need_view_alternatives_are_named_for_people():
    labels = [label for label, _ in beds_report.ALTERNATIVES]
    assert code_names("\n".join(labels)) == []


def test_the_backtest_calibration_and_methods_are_named_for_people():
    from analysis.demography import backtest, backtest_benchmarks
    from analysis.present import backtest_report

    assert (
        code_names(
            "\n".join(
                [
                    *backtest_report.FERTILITY_LABELS.values(),
                    *backtest_report.CALIBRATION_LABELS.values(),
                    *backtest_benchmarks.METHOD_LABELS.values(),
                ]
            )
        )
        == []
    )
    assert set(backtest_report.FERTILITY_LABELS) == set(backtest.FERTILITY_METHODS)
    assert "汉密尔顿–佩里法" in backtest_benchmarks.METHOD_LABELS["hamilton_perry"]


def test_the_parameters_printed_for_readers_have_chinese_names():
    """The dotted keys a page or a chart names (build target year, the 低保 parameters) print as
    their Chinese names; a choice parameter names its choices in Chinese too."""
    printed = [
        "beds.build_target_year",
        "beds.prevalence_schedule",
        "assistance.tekun_multiple",
        "assistance.recipient_share",
        "assistance.average_gap_share",
        "assistance.wage_fit_from_year",
        "assistance.standard_setting",
    ]
    names = {k: scenarios.parameter_label(k) for k in printed}
    assert all(re.search(r"[\u4e00-\u9fff]", v) for v in names.values()), names
    assert names["beds.build_target_year"] == "建设目标年"
    assert scenarios.choice_label("assistance.standard_setting", "city") == "全市统一标准"
    assert scenarios.parameter_label("no.such_key") == "no.such_key"
    for key, rule in scenarios.parameter_rules().items():
        if key.startswith(("beds.", "assistance.")):
            assert rule.label_zh, key
            assert not rule.choices or len(rule.choices_zh) == len(rule.choices), key


PRINTED_NOTEBOOKS = sorted(p for p in (REPO / "notebooks").glob("*.ipynb") if not p.name.startswith("99"))


@pytest.mark.parametrize("notebook", PRINTED_NOTEBOOKS, ids=lambda p: p.stem)
def test_no_code_name_in_the_words_of_a_printed_notebook(notebook):
    """The markdown of every notebook that is printed (99, the interactive explorer, is not)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    words = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert code_names(words) == []

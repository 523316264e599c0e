"""``python -m analysis compare``: scenarios side by side, differences from the first."""

from analysis import cli


def test_compare_page_sets_scenarios_side_by_side(project_copy, fake_models, tmp_path):
    out = tmp_path / "cmp.html"
    assert cli.main(["compare", "baseline", "low", "--draws", "1", "--end-year", "2026", "--out", str(out)]) == 0
    import re

    page = re.sub(r"data:image/png;base64,[^\"]+", "data:image/png;base64,", out.read_text(encoding="utf-8"))
    assert '<html lang="zh-CN">' in page and "情景 baseline" in page and "情景 low" in page
    assert "晋江市" in page and "泉州市" in page and page.count("data:image/png;base64") == 2
    assert "60岁及以上人口" in page  # the catalogue's name and "NaN" not in page and "nan<" not in page


def _tables(page: str) -> str:
    """The page without its charts (the data URIs)."""
    import re

    return re.sub(r'src="data:image/png;base64,[^"]+"', 'src=""', page)


def _results(scenarios, year=2025):
    from analysis import compare

    return compare.scenario_rows(scenarios, "registered", year, 2020, 2026, 1, 20201101)


def test_raising_the_target_occupancy_moves_the_comparison(project_copy, monkeypatch):
    """The real bed model (need view = users ÷ target occupancy) on a fake population: the
    comparison shows the need view, so a higher target occupancy lowers the beds it requires."""
    import re

    from analysis import compare
    from analysis.scenarios import load_scenario
    from runner_fixtures import FAKES

    import importlib

    for (module, name), fake in FAKES.items():
        if name != "bed_requirements":
            monkeypatch.setattr(importlib.import_module(module), name, fake)
    low = load_scenario("low")
    pages = {}
    for occupancy in (85, 95):
        own = load_scenario("baseline", {"beds.target_occupancy_pct": occupancy})
        pages[occupancy] = _tables(compare.render_compare(_results([own, low]), "registered", 2025))
    assert pages[85] != pages[95]
    assert "养老床位需求（需求法，估算）" in pages[85] and "护理型床位缺口（比例法" in pages[85]

    def need_view_city(page):  # the city's row of the need-view beds table: first scenario's median
        section = page[page.index("养老床位需求（需求法，估算）") :]
        row = section[section.index('<tr class="city">') :]
        return int(re.search(r'<td class="num">([\d,]+)', row).group(1).replace(",", ""))

    assert need_view_city(pages[95]) < need_view_city(pages[85])
    # 85 → 95 %: users ÷ occupancy, so the need view falls by the factor 85/95 (rounding aside).
    assert abs(need_view_city(pages[95]) - need_view_city(pages[85]) * 85 / 95) <= 2


def test_the_comparison_marks_estimates_lists_what_else_moves_and_ticks_whole_years(
    project_copy, fake_models, monkeypatch
):
    import numpy as np

    from analysis.present import compare, plots
    from analysis.scenarios import load_scenario

    results = _results([load_scenario("baseline"), load_scenario("low")])
    page = compare.render_compare(results, "registered", 2025)
    dibao = page[page.index("<h2>低保标准") :]
    assert '<span class="est"' in dibao[: dibao.index("</table>")]  # the 低保 standard rests on estimated wage tiers
    assert "其他随情景变化的指标" in page or "其他指标无差异" in page
    figures = []
    monkeypatch.setattr(plots, "png_bytes", lambda fig, dpi=0: figures.append(fig) or b"")
    compare.overlay_chart(results)
    compare.units_chart(results)
    ticks = [t for fig in figures for ax in fig.axes if ax.get_visible() for t in ax.get_xticks()]
    assert ticks and np.allclose(ticks, np.round(ticks))


def test_the_command_defaults_to_the_runners_draws_and_says_so(project_copy, fake_models, tmp_path):
    out = tmp_path / "cmp.html"
    assert cli.main(["compare", "baseline", "--end-year", "2026", "--out", str(out)]) == 0
    assert "各情景均为200次抽样" in out.read_text(encoding="utf-8")

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

"""The runner on the project's real notebooks and models (2 units, few draws)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.run.tables import REQUIRED_INDICATORS
from runner_fixtures import read_manifest
from conftest import REPO

pytestmark = pytest.mark.slow


def test_real_notebooks_on_two_units(real_run):
    project_copy, code = real_run
    run_dir = project_copy / "reports" / "runs" / "real"
    manifest = read_manifest(run_dir)
    failed = [
        (j["unit"], j["notebook"], j["error_name"], j["error_message"]) for j in manifest["jobs"] if j["status"] != "ok"
    ]
    assert code == 0 and manifest["status"] == "complete", failed
    assert (project_copy / "reports" / "latest").resolve() == run_dir
    per_unit = sorted(p.stem for p in (REPO / "notebooks").glob("0*.ipynb"))
    for unit in ("jinjiang", "quanzhou"):
        for stem in per_unit:
            assert (run_dir / unit / f"{stem}.html").stat().st_size > 0
    ind = pd.read_csv(run_dir / "tables" / "indicators.csv")
    assert set(REQUIRED_INDICATORS) <= set(ind["indicator"]) and ind["unit_id"].nunique() == 14
    # Accounting identity: population.csv holds means across draws, so the units add up to the city.
    pop = pd.read_csv(run_dir / "tables" / "population.csv")
    by_unit = pop[pop["unit_id"] != "quanzhou"].groupby(["base", "year"])["population"].sum()
    city = pop[pop["unit_id"] == "quanzhou"].groupby(["base", "year"])["population"].sum()
    assert ((by_unit - city).abs() / city).max() < 1e-6


def test_no_chart_in_any_real_report_lacks_a_glyph(real_run):
    """matplotlib warns 'Glyph … missing from font(s)' when a character would render as a box;
    any such warning in an executed notebook's output fails the report."""
    import json

    project_copy, _ = real_run
    run_dir = project_copy / "reports" / "runs" / "real"
    notebooks = sorted(run_dir.glob("*/*.ipynb"))
    assert notebooks
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "".join(str(o.get("text", "")) for c in cells for o in c.get("outputs", []))
        assert "missing from font" not in text, f"{path.relative_to(run_dir)} has a chart with missing glyphs"


def test_every_real_report_opens_with_the_key_points_and_shows_no_nan(real_run):
    """The answer first: each executed report (and the index) has the 要点 box near its top, the
    method notes in an appendix at the end, and no 'NaN', scientific notation or pandas dump."""
    import re

    project_copy, _ = real_run
    run_dir = project_copy / "reports" / "runs" / "real"
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert 'class="keypoints"' in index and index.index("要点") < index.index("报告 Reports")
    assert "北京时间" in index and "['" not in index
    for page in sorted(run_dir.glob("*/*.html")):
        text = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in text, page.name
        visible = re.sub(
            r"<style.*?</style>|<script.*?</script>|data:image/[a-z]+;base64,[^\"']+", "", text, flags=re.S
        )
        assert "NaN" not in visible and not re.search(r"\d\.\d+e[+-]\d\d", visible), page.name
        assert "rows ×" not in visible and "dtype" not in visible, page.name
        if page.stem.startswith(("0", "90")):
            assert 'class="keypoints"' in visible, page.name
            assert visible.index("要点") < len(visible) // 3, page.name
            assert "附录：方法说明" in visible, page.name


def test_published_tables_equal_the_reference(real_run):
    """Issue 23: a move of the house changes no published number. Every ``tables/*.csv`` of the
    small real run equals ``tests/reference/real_tables.json`` (floats to 10 significant digits);
    a change meant to move numbers regenerates it with ``tests/reference/make_real_tables.py``."""
    import json

    from reference.make_real_tables import OUT, differences, tables_digest

    project_copy, code = real_run
    assert code == 0
    reference = json.loads(OUT.read_text(encoding="utf-8"))
    current = tables_digest(project_copy / "reports" / "runs" / "real" / "tables")
    differ = {
        name: differences(reference.get(name, {}), current.get(name, {}))
        for name in sorted(reference.keys() | current.keys())
    }
    differ = {name: what for name, what in differ.items() if what}
    assert not differ, f"published tables changed: {differ} (regenerate the reference only if meant)"


def test_the_table_digest_sees_a_changed_number_and_not_a_last_bit(tmp_path):
    """The guard above can fail: a number moved in the 7th digit is a difference, one moved in the
    15th is not (two machines' BLAS may differ there)."""
    from reference.make_real_tables import differences, table_digest

    def digest(value: float) -> dict:
        path = tmp_path / "t.csv"
        path.write_text(f"unit_id,value\ndehua,{value!r}\nquanzhou,1.5\n", encoding="utf-8")
        return table_digest(path)

    base = digest(12345.678901234)
    assert differences(base, digest(12345.678901234 * (1 + 1e-14))) == []
    assert differences(base, digest(12345.6790)) == ["column value"]

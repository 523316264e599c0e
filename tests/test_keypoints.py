"""The 要点 box (analysis.keypoints): figures, band, plan, difference, status, 估 marker, notes appendix."""

import pandas as pd

from analysis import keypoints as kp


def _frame():
    rows = [
        ("quanzhou", "pop_60plus", 1_457_000.0, 1_488_000.0, 1_513_000.0, 1_600_000.0),
        ("quanzhou", "bed_gap", 8_171.0, 9_376.0, 10_322.0, None),
        ("quanzhou", "dibao_monthly", float("nan"), 1003.4, float("nan"), None),
        ("licheng", "pop_60plus", 49_000.0, 76_000.0, 99_000.0, None),
    ]
    return pd.DataFrame(
        [
            {
                "unit_id": u,
                "year": 2025,
                "base": "registered",
                "indicator": i,
                "p10": a,
                "p50": b,
                "p90": c,
                "target": t,
            }
            for u, i, a, b, c, t in rows
        ]
    )


def test_rows_carry_band_plan_difference_status_and_estimate():
    rows = {r["indicator"]: r for r in kp.key_points(_frame(), "quanzhou", "registered", 2025)}
    pop = rows["pop_60plus"]
    assert pop["target"] == 1_600_000 and pop["difference"] == -112_000
    # a population is not a performance: below the plan's expectation, never "below plan" (a failure)
    assert pop["status"].startswith("低于规划预期") and not pop["estimated"]
    assert rows["bed_gap"]["status"].startswith("缺口") and rows["bed_gap"]["estimated"]
    assert rows["dibao_monthly"]["p10"] is None
    county = kp.key_points(_frame(), "licheng", "registered", 2025)
    assert county[0]["estimated"] and county[0]["status"] == ""


def test_status_word_inside_band():
    assert kp.status_word(90, 100, 110, 105, "x").startswith("规划预期在区间内")
    assert kp.status_word(90, 100, 110, 80, "x").startswith("高于规划预期")


def test_status_word_follows_the_catalogue_direction():
    # a performance measure (direction higher) is judged; a need or a population only compared
    assert kp.status_word(44, 45, 46, 47.5, "dibao_to_min_wage_ratio").startswith("预计未达目标")
    assert kp.status_word(48, 49, 50, 47.5, "dibao_to_min_wage_ratio").startswith("预计达到目标")
    assert kp.status_word(90, 100, 110, 120, "pop_60plus").startswith("低于规划预期")


def test_status_word_of_a_target_without_a_forecast_is_empty():
    # 2020: the plan gives 2,620 certified social workers, the model computes no requirement then.
    # key_points passes a missing value as None (it crashed) and a frame may hold NaN (it said 低于规划)
    for missing in (None, float("nan")):
        assert kp.status_word(None, missing, None, 2620.0, "certified_social_workers_required") == ""


def test_box_html_is_chinese_escaped_and_has_no_nan():
    rows = kp.key_points(_frame(), "quanzhou", "registered", 2025)
    page = kp.key_points_html(rows, "泉州市<b>", 2025, "registered", kp.scenario_label("low", {"beds.x": 1}))
    assert 'class="keypoints"' in page and "要点" in page and "148.8" in page and "145.7–151.3" in page
    assert "160.0" in page and "−11.2" in page and "9,376" in page
    assert "NaN" not in page and "nan" not in page.replace("keypoints", "")
    assert "泉州市<b>" not in page and "&lt;b&gt;" in page
    assert "已修改 overridden: beds.x=1" in page


def test_fmt_never_prints_nan_or_scientific():
    assert kp.fmt(float("nan"), "beds") == "—" and kp.fmt(None, "wan") == "—"
    assert kp.fmt(2.333020e04, "beds") == "23,330" and kp.fmt(-0.2, "beds") == "0"


def test_notes_grouped_by_topic_each_once():
    from analysis.notes import note

    notes = [
        note("elderly_definition", base="registered"),
        note("elderly_definition", base="resident"),
        note("county_bed_stock", base="registered"),
        "something else",
    ]
    page = kp.notes_appendix_html(notes + ["<script>"])
    assert page.count("60周岁及以上人口") == 1 and "养老床位" in page and "其他" in page
    assert "<h2>附录" in page and "<script>" not in page and "ESTIMATE" not in page.split("<details>")[0]


def test_one_page_brief_has_findings_box_and_caveat(tmp_path):
    from analysis.present.brief import render_brief, write_briefs

    rows = kp.key_points(_frame(), "quanzhou", "registered", 2025)
    key = {
        "year": 2025,
        "base": "registered",
        "scenario_label": "情景 baseline",
        "rows": [{"unit_id": "quanzhou", "unit_name": "泉州市", "points": rows}],
    }
    page = render_brief(key["rows"][0], key, "情景 baseline", "2026-12-01 18:00 北京时间")
    assert "@page{size:A4" in page and 'class="keypoints"' in page and "主要发现" in page
    assert "148.8万人" in page and "低于规划预期" in page and "缺口" in page and "NaN" not in page
    written = write_briefs(tmp_path, {"key_results": key, "parameters": {"units": ["quanzhou"]}})
    assert written == {"quanzhou": "quanzhou/brief.html"} and (tmp_path / "quanzhou" / "brief.html").exists()


def test_box_odds_are_the_runs_odds_whatever_the_notebooks_base(monkeypatch):
    """A resident-base notebook starts at the 2020 census, but the plan odds in its 要点 box must be
    the run's (``tables/plan_odds.csv``: computed at the run's ``--origin``). The old box asked for
    odds at the notebook's own start year (2020), a different computation from the table's."""
    from analysis.present import keypoints as wing

    asked = []

    def fake_plan_models(scenario, plan_id, origin, end_year, draws, seed):
        asked.append(origin)
        return None, pd.DataFrame(), {}

    monkeypatch.setattr(wing, "model_frame", lambda *a, **k: (pd.DataFrame({"unit_id": []}), None))
    monkeypatch.setattr(wing, "with_targets", lambda frame, *a, **k: frame)
    monkeypatch.setattr(wing, "key_points", lambda *a, **k: [])
    monkeypatch.setattr(wing, "plan_models", fake_plan_models)
    monkeypatch.setattr(wing, "odds_rows", lambda odds: [])
    args = ("dehua", "baseline", "resident", 2030, 2020, 2030, 3, 1)
    wing.notebook_box(*args, None, "", 2024)
    wing.notebook_box(*args, None, "")  # a notebook run by hand, no origin: its start year
    assert asked == [2024, 2020]

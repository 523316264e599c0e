"""Issue 27: options and parameters are checked before a run folder exists; duplicate YAML keys,
trailing newlines in names, look-alike run ids and bidi controls in ``--name`` are refused or
removed. Each test fails on the code before.
"""

from __future__ import annotations

import pytest

from analysis import cli, yamlio
from analysis.errors import AnalysisError

QUICK = ["run", "--quiet", "--units", "licheng", "--notebooks", "01", "--draws", "1", "--end-year", "2022"]


@pytest.mark.parametrize(
    "extra, fragment",
    [(["--seed", "-1"], "--seed"), (["--start-year", "2021"], "--start-year"), (["--run-id", "r\u0430n"], "ASCII")],
)
def test_bad_options_fail_before_a_run_folder_exists(project_copy, capsys, extra, fragment):
    assert cli.main(QUICK + extra) == 2
    assert fragment in capsys.readouterr().err
    runs = project_copy / "reports" / "runs"
    assert not runs.exists() or not any(runs.iterdir())


def test_a_notebook_year_outside_the_run_is_refused():
    from analysis.run.params import check_year_parameters

    with pytest.raises(AnalysisError, match="plan_year=2100"):
        check_year_parameters({"plan_year": 2100}, 2020, 2035)
    with pytest.raises(AnalysisError, match="report_year"):
        check_year_parameters({"report_year": "2025"}, 2020, 2035)
    check_year_parameters({"plan_year": 2030, "other": 1}, 2020, 2035)


def test_a_duplicate_yaml_key_is_an_error_naming_its_line():
    with pytest.raises(AnalysisError, match="line 4.*'beds' appears twice"):
        yamlio.loads("name: x\nbeds:\n  occupancy_pct: 60\nbeds:\n  occupancy_pct: 70\n", "s.yaml")


def test_name_patterns_match_the_whole_name(project_copy):
    from analysis.data.vintages import check_vintage
    from analysis.scenarios import check_name, scenario_path

    for bad in ("2025\n",):
        with pytest.raises(AnalysisError):
            check_vintage(bad)
    with pytest.raises(AnalysisError):
        check_name("scenario", "baseline\n")
    with pytest.raises(AnalysisError):
        scenario_path("baseline\n")


def test_a_run_name_loses_control_and_bidi_characters_and_is_bounded():
    from analysis.run.publish import check_run_name

    assert check_run_name("评估\u202e运行\x1b[31m 2026\u2066") == "评估 运行 [31m 2026"
    assert check_run_name("  \u200f ") is None
    with pytest.raises(AnalysisError, match="at most"):
        check_run_name("x" * 500)

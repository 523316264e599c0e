"""Issue 27, item 6: a run reads — and its unchanged-rerun key covers — only the scenarios it uses;
a broken file in ``scenarios/`` affects only runs that use it; YAML errors quote at most a short
escaped fragment and never the content of a file outside the project.

The trials (each fails on the code before): one dangling symlink or a folder named ``x.yaml`` in
``scenarios/`` made every run exit 2; adding any scenario file changed the key of every run (the
next unchanged rerun took 96 s instead of 1 s); a scenario symlinked to ``/etc/passwd`` printed
its first line in the error.
"""

from __future__ import annotations

import os

import pytest

from analysis import cli, scenarios
from analysis.errors import AnalysisError
from analysis.run.speed import unchanged
from analysis.run.inputs import source_hash
from analysis.run.runner import RunOptions

QUICK = ["run", "--quiet", "--units", "licheng", "--notebooks", "01", "--draws", "1", "--end-year", "2022"]


def _clutter(folder):
    os.symlink(folder / "nowhere.yaml", folder / "dangling.yaml")
    (folder / "x.yaml").mkdir()
    (folder / "mine.yaml").write_text("extends: baseline\nname: mine\n", encoding="utf-8")


@pytest.mark.parametrize("publish", [False, True])
def test_the_key_covers_only_the_scenarios_a_run_reads(project_copy, publish):
    options = RunOptions(units=["licheng"], notebooks=["01"], publish=publish)
    chain = scenarios.scenario_chain("baseline")
    before = unchanged.run_key(options, chain, source_hash())
    _clutter(project_copy / "scenarios")
    assert unchanged.run_key(options, chain, source_hash()) == before
    if publish:  # the comparison reads low.yaml: its change is a new key
        (project_copy / "scenarios" / "low.yaml").write_text(
            (project_copy / "scenarios" / "low.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
        )
        assert unchanged.run_key(options, chain, source_hash()) != before


def test_a_broken_file_in_scenarios_affects_only_runs_that_use_it(runner_project, capsys):
    _clutter(runner_project / "scenarios")
    assert cli.main(QUICK + ["--run-id", "ok"]) == 0
    for name in ("dangling", "x"):
        assert cli.main(QUICK + ["--scenario", name]) == 2
        err = capsys.readouterr().err
        assert f"unknown scenario '{name}'" in err and "Traceback" not in err


def test_yaml_errors_never_quote_a_file_outside_the_project(project_copy, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("zsecretz:x:0:0:zsecretz:/home:/bin/bash\n", encoding="utf-8")
    os.symlink(secret, project_copy / "scenarios" / "pw.yaml")
    with pytest.raises(AnalysisError) as caught:
        scenarios.load_scenario("pw")
    assert "zsecretz" not in str(caught.value) and "outside the project" in str(caught.value)
    dup = tmp_path / "dup.yaml"
    dup.write_text("password_hunter2: 1\npassword_hunter2: 2\n", encoding="utf-8")
    os.symlink(dup, project_copy / "scenarios" / "dup.yaml")
    with pytest.raises(AnalysisError, match="line 2") as caught:
        scenarios.load_scenario("dup")
    assert "hunter2" not in str(caught.value)


def test_yaml_errors_quote_at_most_a_short_escaped_fragment(project_copy):
    (project_copy / "scenarios" / "long.yaml").write_text('"\\e[31m' + "A" * 150 + '"\n', encoding="utf-8")
    with pytest.raises(AnalysisError) as caught:
        scenarios.load_scenario("long")
    message = str(caught.value)
    assert "A" * 35 not in message and "\x1b" not in message and "\\x1b[31m" + "A" * 20 in message

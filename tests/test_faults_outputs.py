"""Fault injection, outputs and parameters: hostile text never reaches HTML or a spreadsheet as
markup or a formula, and -p / --params-file / scenario files cannot shadow or be silently dropped.

Every bad file is made in a temp dir; every CLI error must exit 2 with one bounded message.
"""

from __future__ import annotations

import nbformat
import openpyxl
import pandas as pd
import pytest

from analysis import cli, safety, scenarios
from analysis.errors import AnalysisError
from analysis.present import excel, notebook_html
from analysis.present import html as run_html
from analysis.run.tables import Tables

XSS = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://evil.example","click")'


def run_cli(*args: str) -> int:
    return cli.main(["run", "--quiet", "--publish", "--draws", "3", "--end-year", "2030", *args])


# --- S6: spreadsheet formulas ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", FORMULA])
def test_formula_like_cells_are_neutralised(text):
    assert safety.neutralise_cell(text) == "'" + text
    assert safety.neutralise_cell("plain") == "plain" and safety.neutralise_cell(-5.0) == -5.0


def _frames():
    ind = pd.DataFrame(
        {
            "unit_id": ["licheng"] * 2,
            "unit_name": [FORMULA, "鲤城区"],
            "scenario": [FORMULA] * 2,
            "base": ["registered"] * 2,
            "year": [2020, 2021],
            "indicator": ["pop_total"] * 2,
            "value": [-1.0, 2.0],
            "p10": [None, None],
            "p90": [None, None],
            "measure": ["@persons", "persons"],
            "target": [None, None],
        }
    )
    pop = pd.DataFrame(
        {
            "unit_id": ["licheng"],
            "scenario": [FORMULA],
            "base": ["registered"],
            "year": [2020],
            "sex": ["male"],
            "age": [0],
            "population": [1.0],
        }
    )
    return ind, pop


def test_csv_tables_carry_no_formula(tmp_path):
    ind, pop = _frames()
    paths = Tables(ind, pop).write(tmp_path)
    for path in paths.values():
        cells = pd.read_csv(path, dtype=str, keep_default_na=False).to_numpy().ravel()
        bad = [
            c
            for c in cells
            if c.startswith(safety.FORMULA_START)
            and pd.to_numeric(c, errors="coerce") != pd.to_numeric(c, errors="coerce")
        ]
        assert not bad, (path.name, bad)
    back = pd.read_csv(paths["indicators"])
    assert back["value"].tolist() == [-1.0, 2.0]  # numbers are untouched


def test_workbook_has_no_formula_cells(tmp_path):
    ind, pop = _frames()
    book = excel.write_unit_workbook(tmp_path / "licheng.xlsx", "licheng", ind, pop)
    wb = openpyxl.load_workbook(book)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == "'" + FORMULA for c in cells)


# --- S7: HTML ----------------------------------------------------------------------------------


def test_markdown_output_with_markup_is_shown_as_text(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(Markdown(source))")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/markdown": f"**来源 source**: {XSS} and `<b>code</b>`",
                "text/plain": "<IPython.core.display.Markdown object>",
            },
        ),
        nbformat.v4.new_output(
            "display_data", data={"text/html": f"<table><tr><td {XSS[5:]}</td></tr><script>alert(2)</script></table>"}
        ),
    ]
    nb.cells = [cell]
    src = tmp_path / "x.ipynb"
    nbformat.write(nb, str(src))
    out = tmp_path / "x.html"
    notebook_html.export_notebook_html(src, out)
    page = out.read_text(encoding="utf-8")
    assert "onerror" not in page.replace("&lt;img src=x onerror", "")
    assert "<img src=x" not in page and "alert(2)" not in page
    assert "<strong>来源 source</strong>" in page  # Markdown itself still renders


def test_escape_markdown_leaves_code_spans_alone():
    assert safety.escape_markdown("a <b> `x<y`") == "a &lt;b> `x<y`"


def test_index_escapes_scenario_text():
    page = run_html.render_index(
        {
            "run_id": "r",
            "scenario": {"name": XSS},
            "parameters": {"base": XSS},
            "jobs": [],
            "notes": [XSS],
            "vintages": {"census2020": XSS},
        }
    )
    assert XSS not in page and "&lt;img" in page


# --- scenario text validation ------------------------------------------------------------------


def _scenario(tmp_path, text: str, name: str = "evil"):
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, fragment",
    [
        (f"name: '{FORMULA}'\n", "name"),
        ("name: 'a<b'\n", "name"),
        (f"description: '{XSS}'\n", "description"),
        ("description: '=cmd|calc'\n", "description"),
        (f"beds:\n  occupancy_pct: {{value: 60, source: '{XSS}'}}\n", "beds.occupancy_pct.source"),
    ],
)
def test_hostile_scenario_text_is_refused(project_copy, body, fragment):
    path = _scenario(project_copy, "extends: baseline\n" + body)
    with pytest.raises(AnalysisError, match=fragment.replace(".", r"\.")):
        scenarios.load_scenario(path)


# --- S2/S3: parameters -------------------------------------------------------------------------


def test_scenario_sections_accept_plain_values(project_copy):
    path = _scenario(project_copy, "extends: baseline\nbeds: {occupancy_pct: 75}\n", "plain")
    sc = scenarios.load_scenario(path)
    assert sc["beds.occupancy_pct"] == 75 and sc["beds.beds_per_1000_elderly"] == {2020: 38}


def test_params_file_section_form_overrides_the_scenario(project_copy, tmp_path):
    from analysis.run.params import read_params_file, split_parameters

    f = tmp_path / "p.yaml"
    f.write_text(
        "beds: {occupancy_pct: 75}\ndemography.tfr_multiplier: {value: 1.1, source: me}\nreport_year: 2030\n",
        encoding="utf-8",
    )
    extras, overrides = split_parameters(read_params_file(str(f)))
    assert overrides == {"beds.occupancy_pct": 75, "demography.tfr_multiplier": 1.1}
    assert extras == {"report_year": 2030}


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["-p", "unit=nanan"], "use --units"),
        (["-p", "scenario=high"], "use --scenario"),
        (["-p", "end_year=2050"], "use --end-year"),
        (["-p", "draws=9"], "use --draws"),
        (["-p", "seed=1"], "use --seed"),
        (["-p", "base=resident"], "use --base"),
        (["-p", "overrides={}"], "standard parameter"),
        (["-p", "fail_unti=x"], "did you mean 'fail_unit'"),
        (["-p", "occupancy_pct=75"], "did you mean 'beds.occupancy_pct'"),
        (["-p", "beds.occupancy_pct=[1,"], "-p beds.occupancy_pct: not valid YAML at line 1"),
        (["-p", "=3"], "no name"),
        (["--units", ""], "--units was given without any name"),
        (["--notebooks", ","], "--notebooks was given without any name"),
        (["--draws", "100000"], "--draws must be between 1 and 20,000"),
        (["--workers", "1000"], "--workers must be between 1 and 32"),
        (["--draws", "20000", "--workers", "32"], "GB of memory"),
    ],
)
def test_bad_parameters_exit_2_and_write_nothing(runner_project, capsys, args, fragment):
    assert run_cli(*args) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err) < 2000
    assert not (runner_project / "reports" / "runs").exists()


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("", "the file is empty"),
        ("# only a comment\n", "holds no values"),
        ("- beds.occupancy_pct\n- 75\n", "found a list"),
        ("75\n", "found a single value"),  # not quoted: the file is outside the project (issue 27)
        ("beds: [1, 2]\n", "'beds' is a scenario section"),
        ("a: [1,\n", "not valid YAML at line 2"),
        ("a: &x [1, 2]\nb: *x\n", "aliases"),
        (b"\xc4\xe3\xba\xc3: 1\n", "not UTF-8"),
        (None, "is a directory"),
        ("beds:\n  ocupancy_pct: 75\n", "did you mean 'beds.occupancy_pct'"),
    ],
)
def test_bad_params_files_exit_2(runner_project, tmp_path, capsys, content, fragment):
    path = tmp_path / "p.yaml"
    if content is None:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert run_cli("--units", "licheng", "--params-file", str(path)) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err) < 2000


def test_yaml_bomb_is_refused_quickly_with_a_short_message(runner_project, capsys):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    bomb = _scenario(runner_project, "\n".join(lines) + "\n", "bomb")
    assert run_cli("--units", "licheng", "--scenario", str(bomb)) == 2
    err = capsys.readouterr().err
    assert "aliases" in err and len(err) < 2000


def test_extends_cycle_is_an_error_not_a_recursion(runner_project, capsys):
    _scenario(runner_project, "extends: loop_b\n", "loop_a")
    _scenario(runner_project, "extends: loop_a\n", "loop_b")
    assert run_cli("--units", "licheng", "--scenario", "loop_a") == 2
    err = capsys.readouterr().err
    assert "'extends' makes a cycle (loop_a.yaml -> loop_b.yaml -> loop_a.yaml)" in err


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("", "the file is empty"),
        ("- 1\n", "found a list"),
        ("just text\n", "found a single value"),
        ("extends: [baseline]\n", "'extends' must name a scenario"),
    ],
)
def test_broken_scenario_files_exit_2(runner_project, capsys, content, fragment):
    _scenario(runner_project, content, "broken")
    assert run_cli("--units", "licheng", "--scenario", "broken") == 2
    assert fragment in capsys.readouterr().err


def test_failing_cell_source_cannot_break_out_of_the_banner(tmp_path):
    from analysis.run.jobs import JobResult

    nb = nbformat.v4.new_notebook()
    src = tmp_path / "f.ipynb"
    nbformat.write(nb, str(src))
    result = JobResult(
        "licheng",
        "f",
        "failed",
        0.0,
        "licheng/f.ipynb",
        error_name="ValueError",
        error_message=XSS,
        failed_cell_source=f"x = 1\n\n```\n{XSS}\n```",
    )
    out = tmp_path / "f.html"
    notebook_html.export_notebook_html(src, out, result)
    page = out.read_text(encoding="utf-8")
    assert "<img src=x" not in page and "Failing cell" in page


def test_a_params_file_in_section_form_reaches_the_run(runner_project, tmp_path):
    import json

    f = tmp_path / "p.yaml"
    f.write_text("beds:\n  occupancy_pct: 75\n", encoding="utf-8")
    assert run_cli("--units", "licheng", "--notebooks", "01", "--params-file", str(f), "--run-id", "pf") == 0
    manifest = json.loads((runner_project / "reports" / "runs" / "pf" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["values"]["beds.occupancy_pct"] == 75
    assert manifest["scenario"]["overrides"] == {"beds.occupancy_pct": 75}
    assert manifest["parameters"]["extra"] == {}


def test_notebooks_get_the_pinned_scenario_name_not_a_relative_path(runner_project, monkeypatch):
    monkeypatch.chdir(runner_project)
    assert (
        run_cli("--units", "licheng", "--notebooks", "01", "--scenario", "scenarios/low.yaml", "--run-id", "relp") == 0
    )
    run_dir = runner_project / "reports" / "runs" / "relp"
    nb = nbformat.read(str(run_dir / "licheng" / "01_population_projection.ipynb"), as_version=4)
    assert nb.metadata["papermill"]["parameters"]["scenario"] == "low"
    assert (run_dir / "inputs" / "scenarios" / "low.yaml").is_file()
    assert (
        scenarios.load_scenario(run_dir / "inputs" / "scenarios" / "low.yaml").values
        == scenarios.load_scenario("low").values
    )

"""environment.yml is generated from pyproject.toml's pins (tools/environment_yml.py): the two cannot drift."""

from __future__ import annotations

import importlib.util
import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("environment_yml", ROOT / "tools" / "environment_yml.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pip_lines(text: str) -> list[str]:
    return [line.strip()[2:] for line in text.splitlines() if line.startswith("      - ")]


def test_environment_yml_holds_exactly_the_pins_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = set(project["dependencies"]) | {r for reqs in project["optional-dependencies"].values() for r in reqs}
    listed = _pip_lines((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert set(listed) - {"-e ."} == wanted
    assert len(listed) == len(set(listed)), "a pin listed twice"
    assert all("==" in r for r in listed if r != "-e ."), "every requirement pinned exactly"


def test_check_passes_on_the_committed_files():
    assert _tool().main(["--check"]) == 0


def test_check_fails_when_a_pin_moves(tmp_path, capsys):
    shutil.copy(ROOT / "environment.yml", tmp_path / "environment.yml")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"pandas==3.1.1"' in pyproject
    (tmp_path / "pyproject.toml").write_text(pyproject.replace('"pandas==3.1.1"', '"pandas==3.1.2"'), encoding="utf-8")
    assert _tool().main(["--check"], root=tmp_path) == 1
    assert "pandas==3.1.2" in capsys.readouterr().err


def test_dask_is_an_extra_not_a_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(r.startswith(("dask", "distributed")) for r in project["dependencies"])
    assert {"dask==2026.8.0", "distributed==2026.8.0"} <= set(project["optional-dependencies"]["distributed"])

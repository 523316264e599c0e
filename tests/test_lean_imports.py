"""The runner's processes do not load ``rfc3987_syntax`` (analysis.run.lean_imports, issue 14)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from analysis.run.speed.lean_imports import UNUSED_OPTIONAL, skip_unused_optional_imports


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_runner_processes_validate_notebooks_without_the_iri_grammars():
    out = _python("""
        import sys
        # what python -m analysis run imports before it forks its workers
        import analysis.cli, analysis.run.cli, analysis.run.runner, analysis.run.executors  # noqa: F401
        assert "lark" not in sys.modules and "jsonschema" not in sys.modules, "loaded before the marker"
        import nbclient, nbconvert, nbformat, papermill  # noqa: F401
        from nbformat.v4 import new_code_cell, new_notebook
        nbformat.validate(new_notebook(cells=[new_code_cell("1 + 1")]))
        try:
            nbformat.validate({"nbformat": 4})
        except nbformat.ValidationError:
            print("invalid notebook refused")
        print(sys.modules["rfc3987_syntax"] is None, "lark" in sys.modules)
    """)
    assert out.splitlines() == ["invalid notebook refused", "True False"]


def test_a_process_that_loaded_the_package_keeps_it():
    sentinel, missing = object(), object()
    name = UNUSED_OPTIONAL[0]
    saved = sys.modules.get(name, missing)
    try:
        sys.modules[name] = sentinel
        skip_unused_optional_imports()
        assert sys.modules[name] is sentinel
    finally:
        if saved is missing:
            del sys.modules[name]
        else:
            sys.modules[name] = saved

"""A fresh machine: ``make report`` installs what printing needs where it can, and a run that
printed no PDF says so in its last line (issue 28, item 7). No apt-get is run: it is faked."""

from __future__ import annotations

import re
from pathlib import Path

from analysis.run import print_setup, runner

ROOT = Path(__file__).resolve().parents[1]


def _which(present):
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_what_is_missing_is_named_by_its_debian_package(tmp_path):
    font = tmp_path / "NotoSansCJK-Regular.ttc"
    assert print_setup.missing_packages(_which(set()), font) == ["chromium", "fonts-noto-cjk"]
    font.write_bytes(b"")
    assert print_setup.missing_packages(_which({"chromium-browser"}), font) == []


def test_as_root_with_apt_the_missing_packages_are_installed(tmp_path):
    font = tmp_path / "font.ttc"
    font.write_bytes(b"")
    present, calls = {"apt-get"}, []

    def fake_run(cmd, **kw):
        calls.append(cmd)
        if cmd[:2] == ["apt-get", "install"]:
            present.add("chromium")

    ready, line = print_setup.ensure(_which(present), font, euid=lambda: 0, run=fake_run)
    assert ready and "chromium" in line
    assert calls == [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]]
    # Ready: nothing runs a second time.
    calls.clear()
    assert print_setup.ensure(_which(present), font, euid=lambda: 0, run=fake_run) == (True, "")
    assert calls == []


def test_without_root_nothing_is_installed_and_the_line_says_how(tmp_path):
    calls = []
    ready, line = print_setup.ensure(
        _which({"apt-get"}), tmp_path / "none.ttc", euid=lambda: 1000, run=lambda *a, **k: calls.append(a)
    )
    assert not ready and calls == []
    assert "chromium" in line and "fonts-noto-cjk" in line and "apt-get install" in line


def test_a_failing_apt_get_is_reported_not_raised(tmp_path):
    import subprocess

    def fail(cmd, **kw):
        raise subprocess.CalledProcessError(100, cmd)

    ready, line = print_setup.ensure(_which({"apt-get"}), tmp_path / "x.ttc", euid=lambda: 0, run=fail)
    assert not ready and "失败" in line


def test_make_report_sets_up_printing_before_the_run():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^report:.*\n((?:\t.*\n)+)", make, re.M).group(1)
    setup, run = recipe.find("analysis.run.print_setup"), recipe.find("-m analysis run")
    assert 0 <= setup < run and "|| true" in recipe  # never fails the build


def _outcome(pdf):
    manifest = {"jobs": [{"unit": "dehua", "notebook": "01", "status": "ok"}], "seconds": 3.0, "pdf": pdf}
    return runner.RunOutcome("r1", Path("/tmp/r1"), "complete", manifest, 0, True)


def test_the_runs_last_line_says_no_pdf_was_printed_and_how_to_get_them(tmp_path, monkeypatch):
    from analysis.run import chromium, printable

    monkeypatch.setattr(chromium, "find_chromium", lambda: None)
    pdf = printable.write_products(tmp_path, {"jobs": [], "scenario": {"name": "baseline"}}, pdf=True)["pdf"]
    last = runner.summary_line(_outcome(pdf)).splitlines()[-1]
    assert "未打印PDF" in last and "apt-get install chromium fonts-noto-cjk" in last and "report_print.html" in last
    # Printed, or a trial run that prints none by design: no such line.
    assert "PDF" not in runner.summary_line(_outcome({"made": True, "printed": 4, "failed": []}))
    trial = printable.write_products(tmp_path, {"jobs": [], "scenario": {"name": "baseline"}}, pdf=False)["pdf"]
    assert "未打印PDF" not in runner.summary_line(_outcome(trial))

"""Issue 27: a run whose PDFs or comparison failed is not ``complete``.

The trial: a crashing Chromium gave a complete run with 0 PDFs, a silent summary line, exit 0,
and ``--incremental`` then republished it as complete. Fails on that code.
"""

from __future__ import annotations

from analysis import cli
from runner_fixtures import read_manifest


def test_a_run_whose_pdfs_failed_is_partial_names_them_and_is_not_reused(runner_project, monkeypatch, capsys):
    from analysis.run import chromium, product_scope, products
    from analysis.run.speed import unchanged

    monkeypatch.delenv(product_scope.QUICK_ENV)
    monkeypatch.setattr(products, "write_comparison", lambda *a, **k: {"page": "compare.html", "scenarios": []})
    monkeypatch.setattr(chromium, "find_chromium", lambda: "/nonexistent/chromium")
    monkeypatch.setattr(chromium, "print_pages", lambda pairs, binary=None: {pdf: False for _, pdf in pairs})
    code = cli.main(
        [
            "run",
            "--quiet",
            "--publish",
            "--units",
            "licheng",
            "--notebooks",
            "01",
            "--draws",
            "1",
            "--end-year",
            "2022",
            "--run-id",
            "p",
        ]
    )
    out = capsys.readouterr().out
    manifest = read_manifest(runner_project / "reports" / "runs" / "p")
    assert manifest["status"] == "partial" and code != 0
    assert any(m.startswith("PDF ") and m.endswith("report.pdf") for m in manifest["missing"])
    assert "MISSING PDF" in out and ": partial" in out
    assert unchanged.find_reusable(manifest["run_key"]) is None


def test_a_failed_comparison_is_named_missing():
    from analysis.run.products import missing_products

    assert missing_products({"pdf": {"made": True, "failed": []}, "comparison": {"error": "boom"}}) == [
        "compare.html (情景比较 scenario comparison)"
    ]
    assert missing_products({"pdf": {"made": False, "reason": "chromium not installed"}}) == []

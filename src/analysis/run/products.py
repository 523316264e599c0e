"""What a run makes after its notebooks: the scenario comparison, the briefs, the printable reports
and their PDFs, the chart files (one entry point for the runner, :func:`write_products`).

The scenario comparison (``compare.html``, runs that publish): the run's own scenario (with its overrides,
from the run's tables, not recomputed) beside every other bundled scenario (``scenarios/*.yaml`` of
the project: baseline, low, high), each computed by :func:`analysis.pipeline.run_models` with the
run's draws, years and seed on the run's input snapshot; the page is
:func:`analysis.present.compare.render_compare`, the same as ``python -m analysis compare``. Which runs
make it, and with which scenarios, is :mod:`analysis.run.product_scope` (light: the unchanged
rerun and the prefetch read it without this module's imports).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..present import compare
from ..present.keypoints import scenario_label
from ..present.keypoints import with_targets as attach
from ..sanitiser import sanitise_page
from ..present.citation import citation_html, citation_info, with_citation
from .origin import start_year_of
from .printable import write_products as printable
from .product_scope import comparison_scenarios, publishes
from .scoped import environment as _environment


def write_comparison(run_dir: Path, manifest: dict[str, Any], options, tables, env: dict[str, str]) -> dict:
    """Write ``compare.html``; returns the manifest entry (page, scenarios, draws, seconds)."""
    clock = time.perf_counter()
    key = manifest.get("key_results") or {}
    base, year = key.get("base", options.base), key.get("year", options.report_year or options.end_year)
    scen = manifest["scenario"]
    own = tables.indicators[tables.indicators["base"] == base]
    results = {scenario_label(scen["name"], scen.get("overrides")): compare.scenario_result(own, base, year)}
    others = comparison_scenarios(str(options.scenario), scen.get("overrides"))
    with _environment(env):  # the run's input snapshot and model cache
        results.update(
            compare.scenario_rows(
                others, base, year, start_year_of(base, options.origin), options.end_year, options.draws, options.seed
            )
        )
        with_targets = {}
        for label, (frame, _) in results.items():
            with_targets[label] = compare.scenario_result(
                attach(frame, range(options.start_year, options.end_year + 1), options.plan or ""), base, year
            )
    note = (
        f"各情景均为{options.draws}次抽样、{start_year_of(base, options.origin)}–{options.end_year}年、随机种子{options.seed}，"
        f"与本次运行相同；第一个为本次运行的情景。 Every scenario with the run's {options.draws} draws, years and seed; "
        "the first is this run's scenario."
    )
    page = run_dir / "compare.html"
    page.write_text(
        sanitise_page(
            with_citation(
                compare.render_compare(with_targets, base, year, note, index_link=True),
                citation_html(citation_info(manifest)),
            )
        ),
        encoding="utf-8",
    )
    return {
        "page": page.name,
        "scenarios": list(with_targets),
        "draws": options.draws,
        "seconds": round(time.perf_counter() - clock, 2),
    }


def write_products(run_dir: Path, manifest: dict[str, Any], options, tables, env: dict[str, str]) -> dict:
    """Chart files, briefs and print pages always; the comparison and the PDFs in runs that publish
    (full runs or ``--publish``; a trial run of some units stays quick). Returns manifest entries;
    a failing comparison is recorded (``comparison.error``) and does not stop the run."""
    out: dict[str, Any] = {}
    if not publishes(manifest.get("full"), options):
        out.update(printable(run_dir, manifest, pdf=False, indicators=tables.indicators))
        return out
    from concurrent.futures import ThreadPoolExecutor

    # The comparison is made by a thread while Chromium prints the PDFs (its own processes; this
    # thread only waits on its pipe): the other scenarios' models were computed by a worker during
    # the tables (run/speed/prefetch.py), so it mostly loads them, draws its charts and writes the page
    # (a failed prefetch: it computes them, as before). Nothing the print step does reads the
    # environment the comparison sets around its model runs (the run's snapshot).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="comparison") as pool:
        comparison = pool.submit(write_comparison, run_dir, manifest, options, tables, env)
        out.update(printable(run_dir, manifest, pdf=True, indicators=tables.indicators))
        try:
            out["comparison"] = comparison.result()
        except Exception as exc:  # noqa: BLE001 - the reports stand without the comparison
            out["comparison"] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def missing_products(manifest: dict[str, Any]) -> list[str]:
    """What the run set out to make and did not: each PDF that failed to print (a crashed or
    hanging Chromium fails them all) and the scenario comparison if it failed. A run with any of
    these is not ``complete`` (issue 27: a crashing Chromium gave a complete run with 0 PDFs)."""
    missing = []
    pdf = manifest.get("pdf") or {}
    if isinstance(pdf, dict) and pdf.get("made"):
        missing += [f"PDF {p}" for p in pdf.get("failed") or []]
    comparison = manifest.get("comparison")
    if isinstance(comparison, dict) and comparison.get("error"):
        missing.append("compare.html (情景比较 scenario comparison)")
    return missing

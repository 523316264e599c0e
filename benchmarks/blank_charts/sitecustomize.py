"""Lower-bound experiment of ``bench_runner.py --blank-charts``: charts built but never printed.

Put on ``PYTHONPATH`` of a run (the bench does it), this file is imported by every Python process
of the run: the parent, its workers and their kernels. When ``analysis.present.plots`` is imported,
its two printers are replaced: :func:`analysis.present.plots.png_bytes` returns a 1 × 1 PNG and
``analysis.present.plots._svg`` a 1 × 1 SVG. Every figure is still made (data, axes, artists); it is only
neither laid out nor drawn, so the run measures everything but the charts' printing. It never
produces a report anyone reads: the bench runs it in a throw-away copy of the project.
"""

from __future__ import annotations

import base64
import importlib.abc
import importlib.machinery
import sys

BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
BLANK_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'


def _blank(module) -> None:
    for name in ("png_bytes", "_svg"):  # renamed in analysis.present.plots: the bound would measure nothing
        if not callable(getattr(module, name, None)):
            raise ImportError(f"blank_charts: analysis.present.plots has no {name} to replace")
    module.png_bytes = lambda fig, dpi=None: BLANK_PNG
    module._svg = lambda fig: BLANK_SVG if (fig.axes or fig.lines) else None


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds ``analysis.present.plots`` as usual, then blanks its printers once the module has run."""

    def find_spec(self, name, path, target=None):
        if name != "analysis.present.plots":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            _blank(module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _AfterImport())

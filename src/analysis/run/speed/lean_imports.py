"""Optional imports the runner's processes never use, kept out of them (issue 14).

``jsonschema`` (imported by ``nbformat``, hence by papermill, nbclient and nbconvert) loads the
optional ``rfc3987_syntax`` package when it is installed (``jupyter-events`` asks for it) to
check the ``iri`` and ``iri-reference`` string formats. That package builds 39 lark parsers
when it is imported: measured on the project's 2-core machine, ``import nbclient, papermill,
nbconvert`` took 4.0–5.1 CPU-seconds with it and 1.2–1.3 s without, in every worker of every run
(and every run the tests start). Nothing here validates with a format checker (``nbformat``
validates notebooks against their schema without one), so the runner's processes mark the
package as absent: ``jsonschema`` then skips those two format checks, as it does when the package
is not installed. It happens when :mod:`analysis.run` is first imported: in the runner, its
workers (forked, or a dask worker's first job), the tests, and a kernel that imports it lazily
(``keypoints.with_targets``, ``compare.render_compare``; no kernel code uses ``jsonschema``). The
JupyterLab server never imports :mod:`analysis.run` and keeps the checks (``jupyter_events``
validates with a format checker).
"""

from __future__ import annotations

import sys

UNUSED_OPTIONAL = ("rfc3987_syntax",)


def skip_unused_optional_imports() -> None:
    """Mark :data:`UNUSED_OPTIONAL` as not importable in this process (and the workers it forks)
    unless something has imported it already; an ``import`` of it then raises ``ImportError``."""
    for name in UNUSED_OPTIONAL:
        sys.modules.setdefault(name, None)

"""The papermill runner: every notebook for every unit, in parallel, published as one run folder.

Modules: :mod:`.cli` (``python -m analysis run``), :mod:`.runner` (orchestration),
:mod:`.jobs` (one papermill job), :mod:`.executors` (local processes, dask.distributed),
:mod:`.tables` (the run's CSV tables from the models), :mod:`.manifest`, :mod:`.publish`
(staging folder, ``reports/latest``), :mod:`.lock`, :mod:`.printable` (Chromium prints the pages).
What the run writes for people (the index page, each notebook's page, the workbook, briefs,
one-pagers, the citation block, chart files) is rendered by the presentation wing
(:mod:`analysis.present.html`, :mod:`analysis.present.excel`, …, issue 23); their old names here
(``analysis.run.html`` …) are shims: the moved module itself.

Importing this package marks ``rfc3987_syntax`` as absent in the process (:mod:`.speed.lean_imports`):
every run's worker imported it through ``nbformat``, for 3–4 CPU-seconds, and nothing here uses it.
"""

from .speed.lean_imports import skip_unused_optional_imports

skip_unused_optional_imports()  # before papermill or nbclient is imported here or in a worker

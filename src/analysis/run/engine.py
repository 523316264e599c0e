"""The papermill engine of a run: papermill's nbclient engine, saving the notebook less often.

Papermill's own manager writes the whole output notebook at the start and at the end of every
cell, about 40 times for one of our notebooks, and each write serialises and validates every
output so far (the 200-dpi charts are several MB of base64). Issue 14 measured 0.8 s of worker
CPU a job in those writes (cProfile, 10 jobs), on a 2-core machine where that CPU is taken
from the other worker's kernel.

:class:`RunEngine` (registered as ``quanzhou``) keeps papermill's behaviour where it matters:

* the parameterised notebook is written before the first cell (a job that is killed leaves it);
* the executed notebook is written at the end: by papermill's ``execute_notebook`` after the
  engine returns (with the error marker after a failing cell), and by the engine itself when a
  timeout or a dead kernel ends the run early;
* during a long notebook it is written at most every :data:`SAVE_EVERY` seconds between cells,
  so progress shows in the output file as before.
"""

from __future__ import annotations

from papermill.engines import (
    NBClientEngine,
    NotebookExecutionManager,
    papermill_engines,
)

ENGINE_NAME = "quanzhou"
SAVE_EVERY = 10.0  # seconds between saves at cell boundaries (papermill: every boundary)


class _FewerSaves(NotebookExecutionManager):
    """Saves at cell boundaries only when :data:`SAVE_EVERY` seconds have passed since the last
    save; the start and end of the notebook save as papermill does."""

    _at_cell_boundary = False

    def cell_start(self, cell, cell_index=None, **kwargs):
        return self._boundary(super().cell_start, cell, cell_index, **kwargs)

    def cell_complete(self, cell, cell_index=None, **kwargs):
        return self._boundary(super().cell_complete, cell, cell_index, **kwargs)

    def _boundary(self, method, *args, **kwargs):
        self._at_cell_boundary = True
        try:
            return method(*args, **kwargs)
        finally:
            self._at_cell_boundary = False

    _last_save_by_papermill = False

    def save(self, **kwargs):
        if self._last_save_by_papermill:
            return None
        if self._at_cell_boundary and (self.now() - self.last_save_time).total_seconds() < SAVE_EVERY:
            return None
        return super().save(**kwargs)


class RunEngine(NBClientEngine):
    """Papermill's nbclient engine with :class:`_FewerSaves` as its execution manager (the body
    is papermill 2.7's ``Engine.execute_notebook``, which has no hook for the manager class; papermill
    is pinned, and tests/test_warm_kernel.py checks the writes and the notebook after a failure and
    a timeout)."""

    @classmethod
    def execute_notebook(
        cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False, autosave_cell_every=30, **kwargs
    ):
        nb_man = _FewerSaves(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        except BaseException:  # a timeout or a dead kernel: only this save keeps what ran
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
            raise
        nb_man.cleanup_pbar()
        nb_man._last_save_by_papermill = True  # papermill's execute_notebook writes it next
        nb_man.notebook_complete()
        return nb_man.nb


def engine_name() -> str:
    """Register :class:`RunEngine` with papermill (idempotent) and return its name."""
    papermill_engines.register(ENGINE_NAME, RunEngine)
    return ENGINE_NAME

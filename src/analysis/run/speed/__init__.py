"""提速机制 · The speed machinery, in one room under the runner (issue 23).

Nothing here changes a number; it only saves time. The room holds:

* :mod:`.cache` and :mod:`.cache_codec`: the run-wide on-disk cache of model results (one
  projection computed for the tables, loaded by every notebook's kernel);
* :mod:`.filememo`: raw tables and scenario files read once per warm kernel;
* :mod:`.text_metrics`: strings measured and laid out once per process for matplotlib;
* :mod:`.warm_kernel` and :mod:`.warm_kernel_side`: one Jupyter kernel per worker, reset between jobs;
* :mod:`.prefetch`: model results a free worker computes while the runner builds the tables;
* :mod:`.unchanged`: the key of an unchanged ``--incremental`` rerun, which links the last run;
* :mod:`.lean_imports`: an optional import the runner's processes never need;
* :mod:`.environment`: the environment variables it reads (``QZ_SPEED``, ``QZ_CACHE_DIR``, ``QZ_SPEED_INSTALLER``).

The data path (models, inputs, scenarios, charts) knows none of it: it calls the hooks of
:mod:`analysis.hooks`, whose defaults compute, read and measure every time. :func:`install` puts
the cache, the file memo and the text-measure cache behind those hooks:

* the runner calls it in its own process before it computes the tables (its workers are forked
  from it, and a prefetch task calls it again after taking the jobs' environment);
* every notebook kernel of a run, warm or cold, is started with ``QZ_SPEED_INSTALLER`` naming this
  module (:func:`job_environment`); :mod:`analysis.hooks`, when first imported there, imports this
  module by name and calls :func:`install`. One way for both kinds of kernel, and no module below
  the runner imports the runner (the import-linter contracts in ``pyproject.toml``).

The switch: ``QZ_SPEED=off`` (or ``python -m analysis run --no-speed``, which sets it for the run's
processes) leaves every hook at its default, runs every job in a fresh (cold) kernel and queues
no prefetch. Such a run publishes the same tables as a normal run
(``tests/test_speed_switch.py``); it is for checking that, and for finding a fault in the machinery.
"""

from __future__ import annotations

from ... import hooks
from . import filememo
from .environment import CACHE_DIR_ENV, SWITCH_ENV, enabled


def install(on: bool | None = None) -> None:
    """Put the run's speed machinery behind :mod:`analysis.hooks`; all defaults when ``on`` is false
    (``None``: :func:`enabled`).

    The model cache is used only while ``QZ_CACHE_DIR`` is set (a run sets it for its tables and
    kernels), the file memo only in a warm kernel after its warm-up, so installing them elsewhere
    changes nothing."""
    if not (enabled() if on is None else on):
        hooks.install()
        return
    hooks.install(memo=_cached, remembered=filememo.remembered, share_text_measures=_share_text_measures)


def _cached(name: str, parts: tuple, compute):
    """:func:`.cache.cached`, imported at the first memo call: installing stays light, so a process
    that only imports :mod:`analysis.hooks` with ``QZ_SPEED_INSTALLER`` set loads no pandas."""
    from .cache import cached  # heavy (pandas, pyarrow): at the first model result, not at install

    return cached(name, parts, compute)


def _share_text_measures() -> None:
    """:func:`.text_metrics.share`, imported at the first chart (matplotlib), not at install."""
    from .text_metrics import share  # heavy (matplotlib): only a process that draws a chart needs it

    share()


def job_environment(model_cache: str, on: bool) -> dict[str, str]:
    """What the jobs' environment needs for the speed machinery: the model-cache folder and the
    installer kernels call (:mod:`analysis.hooks`), or the switch when it is off."""
    if not on:
        return {SWITCH_ENV: "off"}
    return {CACHE_DIR_ENV: model_cache, hooks.INSTALLER_ENV: __name__}

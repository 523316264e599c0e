"""The kernel side of :mod:`analysis.run.speed.warm_kernel`: warm-up, snapshot and reset.

This file is executed *inside* a Jupyter kernel, loaded as the hidden module ``_qz_warm``
(it is not imported by the package itself). :func:`install` imports the heavy modules once and
takes the snapshot; :func:`reset` brings the kernel back to it before each job. See the
docstring of :mod:`analysis.run.speed.warm_kernel` for what is and is not restored.
"""

import copy
import gc
import importlib
import os
import pkgutil
import random
import sys
import types
import warnings

# Kernel machinery and interpreter internals: their module state is the kernel's, never reset.
PROTECTED = frozenset(
    """
    __main__ builtins sys _qz_warm IPython ipykernel ipywidgets comm zmq tornado asyncio jupyter_client
    jupyter_core traitlets debugpy _pydevd_bundle _pydev_bundle pydevd matplotlib_inline
    nest_asyncio prompt_toolkit pygments jedi parso decorator stack_data executing pure_eval
    asttokens wcwidth pexpect ptyprocess platformdirs psutil _asyncio threading _thread queue
    signal atexit gc weakref _weakref _weakrefset faulthandler logging warnings _warnings
    importlib _imp _frozen_importlib _frozen_importlib_external zipimport encodings codecs io abc
    site selectors socket select ssl contextvars _contextvars linecache typing _io _abc
""".split()
)
SKIP_WARM = ("analysis.run", "analysis.__main__", "analysis.cli")  # the runner is not for kernels
# The wing's run-level renderers (the run's index, the workbook, briefs, one-pagers, the notebook
# pages' export): the runner and its workers use them, no notebook does (no page imports them), so a
# kernel does not load them (openpyxl among them) at its warm-up.
SKIP_WARM += tuple(
    f"analysis.present.{name}"
    for name in (
        "html brief onepager excel excel_summary citation plan_html svgchart notebook_html chart_files "
        "changes_html runs_page clock"
    ).split()
)

# Imported by the package only where needed (inside functions), so not by the loop over its
# modules: without this the first job of every kernel paid ~7 s of imports (statsmodels, scipy)
# and the pure-Python ones (jinja2 for pandas' Styler, patsy, formulaic) were dropped after every
# job and imported again by the next.
LAZY_IMPORTS = (
    "statsmodels.api",
    "pyarrow.parquet",
    "pyarrow.dataset",
    "pandas.io.formats.style",
    "narwhals",
    "formulaic",
    "patsy",
)

# The speed room's model cache, imported by a job at its first model result
# (``analysis.run.speed._cached``). Imported at the warm-up of a run's kernel (the speed installer is
# in its environment), it is in the snapshot and survives the reset, and so does its read-once store
# of verified entries (``cache._READ``), as that store's docstring intends. Imported by the job, it was
# dropped after every job with the job's other imports: every job read and verified each projection
# from disk again (110 reads, about 30 s of a full run's kernel time, measured 6 Dec 2026). The reset
# settles the store (``_settle_model_cache``): what a job put in it is read again by the restored code.
# ``text_metrics`` is left to the jobs on purpose: its caches must be emptied between jobs.
SPEED_ROOM_IMPORTS = ("analysis.run.speed.cache",)
INSTALLER_ENV = "QZ_SPEED_INSTALLER"  # analysis.hooks.INSTALLER_ENV (this file imports no package module at load)

_MISSING = object()
_state: dict = {}


def _protected(name: str) -> bool:
    return name.split(".", 1)[0] in PROTECTED


def _warm_up() -> None:
    """Import what every notebook imports and render once (lazy imports happen here, not per job)."""
    import io

    import matplotlib
    import matplotlib.pyplot  # noqa: F401 - the inline backend is set up now, as in a fresh kernel
    import numpy  # noqa: F401
    import pandas
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    import analysis  # kernel side: the package is imported in the kernel, at warm-up (module docstring)

    for info in pkgutil.walk_packages(analysis.__path__, "analysis."):
        if info.name.startswith(SKIP_WARM):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # an optional module that cannot load here loads (and fails) in its job
            pass
    for name in LAZY_IMPORTS:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - not installed: the job that needs it says so
            pass
    if os.environ.get(INSTALLER_ENV):
        for name in SPEED_ROOM_IMPORTS:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - then each job imports it, as before
                pass
    try:  # the raw tables, units, plans and scenario files, read once for all its jobs (analysis.run.speed.filememo)
        prefill_file_memo()
    except Exception:  # noqa: BLE001 - then every job reads them itself, as without a warm kernel
        pass
    figure = Figure()
    figure.add_subplot().plot([0, 1], [0, 1])
    FigureCanvasAgg(figure).print_png(io.BytesIO())
    try:  # the Chinese font of every chart, loaded once (rcParams are left as they are)
        with matplotlib.rc_context({"font.sans-serif": [analysis.present.plots.cjk_font_name(), "DejaVu Sans"]}):
            figure = Figure()
            figure.add_subplot().set_title("预热 warm-up 0123456789")
            FigureCanvasAgg(figure).print_png(io.BytesIO())
    except Exception:  # noqa: BLE001 - the first chart loads it instead
        pass
    # A pyplot figure resolves the (inline) backend now, so its IPython hooks (flush_figures,
    # pyplot's display hook) are registered before the snapshot and restored with it.
    matplotlib.pyplot.figure()
    matplotlib.pyplot.close("all")
    analysis.present.plots.draw_once_per_cell()  # the snapshot keeps the hooks in the order charts need
    _forget_inline_figures()
    frame = pandas.DataFrame({"a": [1.5], "b": ["x"]})
    frame._repr_html_(), repr(frame), frame.to_string()
    matplotlib.rcParams  # noqa: B018


def prefill_file_memo() -> None:
    """Read every registered raw table, the units table, every plan and every scenario file of the project once, into
    :mod:`analysis.run.speed.filememo`'s store. A file that fails to load is left out: its job reads it and
    reports the error as it always has."""
    import contextlib

    # kernel side, as every import of this file: the package is imported in the kernel at warm-up
    from analysis import config
    from analysis.run.speed import filememo
    from analysis.data import loaders, plans, units_table
    from analysis.errors import AnalysisError
    from analysis.scenarios import load_scenario

    with filememo.filling():
        for name in loaders.TABLES:
            with contextlib.suppress(AnalysisError, OSError, ValueError):
                loaders.load(name)
        with contextlib.suppress(AnalysisError, OSError, ValueError):
            units_table.read_units()
        for plan_id in plans.plan_files():  # one by one: a bad plan leaves the others prefilled
            with contextlib.suppress(AnalysisError, OSError, ValueError):
                plans.load_plan(plan_id)
        for path in sorted(config.scenarios_dir().glob("*.yaml")):
            with contextlib.suppress(AnalysisError, OSError, ValueError):
                load_scenario(path)


def _forget_inline_figures() -> None:
    """The inline backend's list of figures to show at the end of a cell starts empty."""
    inline = sys.modules.get("matplotlib_inline.backend_inline")
    show = getattr(inline, "show", None)
    if show is not None:
        show._to_draw, show._draw_called = [], False


def _pandas_options() -> dict:
    try:
        from pandas._config import config as pconfig
    except ImportError:
        return {}
    values = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in pconfig._registered_options:
            if key in pconfig._deprecated_options:
                continue
            try:
                values[key] = pconfig.get_option(key)
            except Exception:
                pass
    return values


def install() -> None:
    """Warm the kernel up and take the snapshot :func:`reset` returns to."""
    _warm_up()
    gc.collect()
    modules = {}
    containers = {}
    for name, module in list(sys.modules.items()):
        if module is None or _protected(name) or not hasattr(module, "__dict__"):
            continue
        saved = dict(vars(module))
        modules[name] = (module, saved)
        if name == "analysis" or name.startswith("analysis."):
            for key, value in saved.items():
                if type(value) in (dict, list, set):
                    containers[(name, key)] = copy.copy(value)
    import matplotlib

    shell = _shell()
    _state.update(
        names=set(sys.modules),
        modules=modules,
        containers=containers,
        rc={k: v for k, v in dict.items(matplotlib.rcParams) if k != "backend"},
        pandas=_pandas_options(),
        filters=list(warnings.filters),
        cwd=os.getcwd(),
        environ=dict(os.environ),
        path=list(sys.path),
        events={k: list(v) for k, v in shell.events.callbacks.items()} if shell else {},
        memo=_memo().snapshot(),
        classes=_class_attributes(),
    )
    # The snapshot and everything it holds (every imported module, the libraries' state) live as
    # long as the kernel: moved out of the collector's view, so neither the reset's collection nor
    # the full collections during a job walk them again (the reset's gc.collect took 0.17 s of 0.25 s).
    gc.freeze()


# Class attributes the package itself replaces (analysis.run.speed.text_metrics.share), and the methods
# of the model cache's store, which outlives the reset: put back before every job, so a job that wraps
# them leaves the next one nothing.
RESTORED_CLASS_ATTRIBUTES = (("matplotlib.backends.backend_agg", "RendererAgg", "draw_text"),) + tuple(
    ("analysis.run.speed.cache", "_ReadEntries", name) for name in ("get", "put", "settle", "forget", "limit")
)


def _class_attributes() -> dict:
    saved = {}
    for module, cls, name in RESTORED_CLASS_ATTRIBUTES:
        owner = getattr(sys.modules.get(module), cls, None)
        if owner is not None and name in vars(owner):
            saved[(owner, name)] = vars(owner)[name]
    return saved


def _memo():
    return importlib.import_module("analysis.run.speed.filememo")


def _shell():
    try:
        from IPython import get_ipython

        return get_ipython()
    except ImportError:
        return None


def _is_extension(module) -> bool:
    return str(getattr(module, "__file__", "") or "").endswith((".so", ".pyd"))


def droppable(new: list[str], before: set[str]) -> list[str]:
    """Which of the modules imported since the snapshot can be removed from ``sys.modules``.

    A compiled extension module cannot be loaded twice in one process, so a package is dropped
    only as a whole and only when none of its new modules is compiled. New submodules of a
    third-party package that was already imported (its own lazy imports) stay; new modules of
    ``analysis`` (pure Python) and of packages the job imported first go.
    """
    groups: dict[str, list[str]] = {}
    for name in new:
        groups.setdefault(name.split(".", 1)[0], []).append(name)
    drop = []
    for top, names in groups.items():
        if top in PROTECTED or (top in before and top != "analysis"):
            continue
        if not any(_is_extension(sys.modules.get(n)) for n in names):
            drop.extend(names)
    return drop


def _drop_new_modules() -> None:
    new = [n for n in list(sys.modules) if n not in _state["names"]]
    for name in droppable(new, _state["names"]):
        module = sys.modules.pop(name, None)
        parent, _, child = name.rpartition(".")
        holder = sys.modules.get(parent) if parent else None
        if holder is not None and getattr(holder, child, None) is module:
            try:
                delattr(holder, child)
            except AttributeError:
                pass


def _restore_module_attributes() -> None:
    for name, (module, saved) in _state["modules"].items():
        if sys.modules.get(name) is not module:  # a job deleted or replaced the module
            sys.modules[name] = module
        current = module.__dict__
        for key in [k for k in current if k not in saved]:
            value = current[key]
            if isinstance(value, types.ModuleType) and sys.modules.get(value.__name__) is value:
                continue  # a kept submodule's binding (``import numpy.rec`` needs ``numpy.rec``)
            del current[key]
        for key, value in saved.items():
            if current.get(key, _MISSING) is not value:
                current[key] = value
    for (name, key), saved in _state["containers"].items():
        target = _state["modules"][name][1][key]
        try:
            same = target == saved
        except Exception:
            same = False
        if not same:
            target.clear()
            (target.extend if isinstance(target, list) else target.update)(copy.copy(saved))
    for name, (_module, saved) in _state["modules"].items():
        if name == "analysis" or name.startswith("analysis."):
            for value in saved.values():
                clear = getattr(value, "cache_clear", None)
                if callable(clear) and getattr(value, "__module__", None) == name:
                    clear()


def _restore_libraries() -> None:
    _memo().restore(_state["memo"])  # the file memo as sealed after the warm-up (a job may not refill it)
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    _forget_inline_figures()
    for (owner, name), value in _state["classes"].items():
        if vars(owner).get(name) is not value:
            setattr(owner, name, value)
    import matplotlib

    for key, value in _state["rc"].items():
        if dict.get(matplotlib.rcParams, key, _MISSING) is not value:
            dict.__setitem__(matplotlib.rcParams, key, value)
    if _state["pandas"]:
        from pandas._config import config as pconfig

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in _state["pandas"].items():
                try:
                    if pconfig.get_option(key) is not value and pconfig.get_option(key) != value:
                        pconfig.set_option(key, value)
                except Exception:
                    pass
    warnings.filters[:] = _state["filters"]
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()  # once-only warnings are shown again, as in a fresh kernel


def _restore_process(cwd: str, env: dict) -> None:
    os.chdir(_state["cwd"])
    wanted = {**_state["environ"], **env}
    for key in [k for k in os.environ if k not in wanted]:
        del os.environ[key]
    for key, value in wanted.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
    sys.path[:] = _state["path"]
    if cwd:
        os.chdir(cwd)
    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def _settle_model_cache() -> None:
    """The model cache's store of verified entries outlives the reset; what the last job put in it is
    read and verified again by the restored code (``analysis.run.speed.cache._ReadEntries.settle``), so
    an entry read under the job's patches never serves the next job."""
    module = sys.modules.get("analysis.run.speed.cache")
    store = getattr(module, "_READ", None)
    if store is not None:
        for name in set(vars(store)) - {"entries"}:
            delattr(store, name)  # an instance attribute a job set (a method or the limit of its own)
        _state["model_cache_settled"] = store.settle(_state.get("model_cache_settled", {}))


def reset(args) -> None:
    """Bring the kernel back to the snapshot, then apply the job's ``cwd`` and ``env``.

    ``args`` is the JSON text ``{"cwd": …, "env": {…}}`` sent by the worker.
    """
    import json

    args = json.loads(args)
    shell = _shell()
    if shell is not None:
        shell.reset(new_session=True)  # the user namespace, In/Out, the output cache, a new history session
        for event, callbacks in _state["events"].items():
            shell.events.callbacks[event][:] = callbacks
    _drop_new_modules()
    _restore_module_attributes()
    _restore_libraries()
    _restore_process(args.get("cwd") or "", args.get("env") or {})
    _settle_model_cache()
    gc.collect()
    if shell is not None:
        shell.execution_count = 1  # cell numbers as in a fresh kernel

"""Short labels shared by the reports and the runs index, without heavy imports (no pandas):
the runs index is written by every run, an unchanged ``--incremental`` rerun included."""

from __future__ import annotations

from .safety import markdown_text


def scenario_label(name: str, overrides: dict | None) -> str:
    """情景 name, or '情景 name（已修改 overridden: k=v, …）' for an overridden run."""
    if not overrides:
        return f"情景 {name}"
    changes = ", ".join(f"{k}={v}" for k, v in overrides.items())
    return f"情景 {name}（已修改 overridden: {changes}）"


def markdown_scenario_label(name: str, overrides: dict | None) -> str:
    """:func:`scenario_label` as Markdown that shows it as text: the scenario name and the ``-p``
    keys and values are user text (:func:`analysis.safety.markdown_text`). For notebooks'
    ``display(Markdown(…))`` lines; HTML pages escape :func:`scenario_label` with ``html.escape``."""
    return markdown_text(scenario_label(name, overrides))


#: Population base (口径) of a figure, Chinese first, for tables that mix or name the base.
BASE_LABELS = {"resident": "常住人口口径 resident", "registered": "户籍人口口径 registered"}

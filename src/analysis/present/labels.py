"""Short labels shared by the reports and the runs index, without heavy imports (no pandas):
the runs index is written by every run, an unchanged ``--incremental`` rerun included.

The one home of the printed names of a population base (:func:`base_label`) and of a plan
comparator (:func:`comparator_label`); an indicator's names are in :mod:`analysis.catalogue`.
``tests/test_label_homes.py`` fails if a module defines its own map of either."""

from __future__ import annotations

from ..safety import markdown_text


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


#: The one home of a population base's (口径) printed names: (short, full) Chinese; the English is the id.
#: Indicators' names live in :mod:`analysis.catalogue`; these are what the bases are called beside them.
BASES = {"resident": ("常住", "常住人口口径"), "registered": ("户籍", "户籍人口口径")}


def base_label(base: str, *, short: bool = False, english: bool = False) -> str:
    """The printed name of a population base: "户籍人口口径" (a title, a table cell), "户籍" with
    ``short`` (a sheet name, a column head); with ``english`` the id beside it ("户籍人口口径
    registered"). An unknown base prints as given; an empty one as ""."""
    names = BASES.get(base)
    if names is None:
        return str(base or "")
    zh = names[0] if short else names[1]
    return f"{zh} {base}" if english else zh


#: A plan target's comparator (``data/plans`` column ``comparator``) as printed before the target.
COMPARATORS = {">=": "≥", "<=": "≤", "=": "=", "about": "约"}


def comparator_label(comparator: str) -> str:
    """ "≥", "≤", "=" or "约" for a plan comparator; "" for none or an unknown one."""
    return COMPARATORS.get(comparator, "")

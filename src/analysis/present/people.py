"""Tables for people: one formatting function every notebook shares.

:func:`people_table` turns a DataFrame into an escaped HTML table (an IPython ``HTML`` object in a
notebook, or a string with :func:`people_table_html`): Chinese column heads with the English code
name beside, 万人 / 张 / 元 / 亿元 as fits, thousands separators, whole persons and beds, one
decimal for shares, "—" for missing, never scientific notation, no index column unless asked,
never truncated, and wrapped so a wide table scrolls inside the page instead of overflowing it.

Column kinds (``kinds={column: kind}``; guessed from the name and values otherwise):
``wan`` persons shown in 万人 (one decimal) · ``int`` whole number with separators ·
``pct`` percent, one decimal · ``dec1`` / ``dec2`` / ``dec3`` decimals · ``yi`` yuan in 亿元 ·
``year`` a year, no separator · ``num`` each cell on its own (mixed magnitudes) · ``text``.

``print_note`` marks a table for the screen only (a developer or reference table — the backtest's
error table, the 专栏2 transcription — that print leaves out): on paper the note stands in its
place saying where the table is (``analysis.run.printable`` hides ``.screen-only``).
"""

from __future__ import annotations

import html
import math
from typing import Any, Mapping

import pandas as pd

from .. import catalogue

# Chinese heads of the code names that reach report tables (English kept beside). An indicator's
# head is not here: it is the catalogue's (:meth:`analysis.catalogue.Indicator.heading`).
COLUMN_ZH = {
    "seq": "序号",
    "indicator_id": "指标代码",
    "indicator_zh": "指标",
    "indicator": "指标",
    "measure": "计量单位",
    "year": "年份",
    "target": "目标值",
    "value_text": "原文",
    "attribute": "属性",
    "value": "数值",
    "unit_id": "单位代码",
    "unit_name": "单位",
    "p10": "10%分位",
    "p50": "中位数",
    "p90": "90%分位",
    "geography": "地区",
    "method": "方法",
    "projected": "预测",
    "observed": "实际",
    "error_pct": "误差 %",
    "error": "误差",
    "tier": "档次",
    "weights": "权重",
    "computed_from": "计算方式",
    "age_group": "年龄组",
}
PERCENT_HINTS = ("%", "share_", "pct", "占比", "比例", "增长", "rate", "概率")
YEAR_HINTS = ("year", "年份")


def label(column: Any) -> str:
    """'中文 code' for a known code name (an indicator's head from the catalogue, with its unit),
    the text itself otherwise."""
    text = str(column)
    zh = catalogue.heading(text) if catalogue.known(text) else COLUMN_ZH.get(text)
    return f"{zh} {text}" if zh else text


def missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_value(value: Any, kind: str) -> str:
    """One cell as text for ``kind`` (see the module docstring); '—' when missing."""
    if missing(value):
        return "—"
    if kind == "text" or isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "—"
    if kind == "year":
        return f"{int(round(v))}"
    if kind == "wan":
        return catalogue.wan(v)
    if kind == "yi":
        return f"{v / 1e8 + 0.0:,.2f}"
    if kind == "pct":
        return f"{v + 0.0:,.1f}"
    if kind in ("dec1", "dec2", "dec3"):
        return f"{v + 0.0:,.{kind[-1]}f}"
    if kind == "num":  # a column of mixed magnitudes: each cell on its own
        return f"{round(v) + 0:,.0f}" if abs(v) >= 100 or v == round(v) else f"{v + 0.0:,.2f}"
    return f"{round(v) + 0:,.0f}"


def guess_kind(name: Any, values: pd.Series) -> str:
    """The kind of a column from its name and values."""
    text = str(name).lower()
    if values.dtype == object and not all(isinstance(v, (int, float)) or missing(v) for v in values):
        return "text"
    if any(h in text for h in YEAR_HINTS):
        return "year"
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty:
        return "text"
    if any(h in text for h in PERCENT_HINTS):
        return "pct"
    if (numbers == numbers.round()).all():
        return "int"
    if (numbers.abs() >= 100).any():
        return "int" if (numbers.abs() >= 100).all() else "num"
    return "dec2" if (numbers.abs() < 1).all() else "dec1"


_STYLE = (
    "<style>.people-wrap{overflow-x:auto;max-width:100%;margin:0.5em 0}"
    ".people{border-collapse:collapse;font-size:0.92em}"
    ".people th,.people td{border:1px solid #bbb;padding:0.2em 0.5em}"
    "table.people th,table.people td{text-align:left}"
    ".people th{background:#eef;vertical-align:bottom}"
    "table.people td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".print-only{display:none}@media print{.screen-only{display:none!important}.print-only{display:block}}"
    "</style>"
)


def people_table_html(
    frame: pd.DataFrame,
    kinds: Mapping[str, str] | None = None,
    *,
    index: bool = False,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    print_note: str | None = None,
) -> str:
    """``frame`` as an escaped HTML table for people (see the module docstring); ``print_note``
    (plain text): the table is for the screen only and the note stands in its place on paper."""
    esc = html.escape
    kinds, labels = dict(kinds or {}), dict(labels or {})
    data = frame.reset_index() if index else frame
    if isinstance(data.columns, pd.MultiIndex):
        data = data.copy()
        data.columns = [" · ".join(str(p) for p in c if str(p)) for c in data.columns]
    columns = list(data.columns)
    how = {c: kinds.get(str(c)) or guess_kind(c, data[c]) for c in columns}
    head = "".join(f"<th>{esc(labels.get(str(c), label(c)))}</th>" for c in columns)
    body = []
    for row in data.itertuples(index=False, name=None):
        cells = []
        for c, v in zip(columns, row):
            cls = "" if how[c] == "text" or isinstance(v, str) else ' class="num"'
            cells.append(f"<td{cls}>{esc(format_value(v, how[c]))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    table = (
        f'<div class="people-wrap{" screen-only" if print_note else ""}"><table class="people">{cap}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    note = f'<p class="print-only"><small>{esc(print_note)}</small></p>' if print_note else ""
    return _STYLE + table + note


def people_table(
    frame: pd.DataFrame,
    kinds: Mapping[str, str] | None = None,
    *,
    index: bool = False,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    print_note: str | None = None,
):
    """:func:`people_table_html` as an IPython ``HTML`` object (what a notebook cell displays)."""
    from IPython.display import HTML

    return HTML(people_table_html(frame, kinds, index=index, labels=labels, caption=caption, print_note=print_note))


def styler_for_people(styler):
    """A pandas Styler that keeps its colours but shows numbers for people ('—', separators, no index)."""
    return styler.format(
        lambda v: format_value(v, "text" if isinstance(v, str) else ("int" if abs(float(v)) >= 100 else "dec1")),
        na_rep="—",
    ).hide(axis="index")


def plain(value: Any) -> str:
    """A parameter value for people: a mapping as 'a = 1, b = 2', a list as 'a、b', never a Python repr."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k} = {plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        return "、".join(plain(v) for v in value) or "—"
    if value is None:
        return "—"
    return format_value(value, "num") if isinstance(value, float) else str(value)

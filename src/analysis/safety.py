"""Text that leaves the suite is made harmless: escaped for HTML, neutralised for spreadsheets.

Scenario files, data files and ``-p`` parameters are written by people, and their text reaches
the published HTML pages, the Excel workbooks and the CSV tables. Two rules, applied where the
text is written (never trusted to the author):

* **HTML**: every such string is HTML-escaped (:func:`escape_markdown_outputs` for the Markdown a
  notebook displays, :func:`html.escape` in the index); ``<script>`` blocks and ``on…=`` event
  attributes are removed from HTML outputs of notebooks (:func:`strip_active_html`).
* **Spreadsheets**: a string cell that begins with ``= + - @``, a tab or a carriage return would be
  read by Excel or LibreOffice as a formula (``=HYPERLINK(…)``). :func:`neutralise_cell` prefixes
  such a cell with an apostrophe, so it is shown as the text it is (OWASP "CSV injection").
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_SCRIPT = re.compile(r"<\s*script\b.*?<\s*/\s*script\s*>", re.IGNORECASE | re.DOTALL)
_EVENT_ATTR = re.compile(r"""\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_JS_URL = re.compile(r"""(href|src)\s*=\s*(["']?)\s*javascript:""", re.IGNORECASE)


def neutralise_cell(value: Any) -> Any:
    """``value`` unchanged unless it is a string a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a formula."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        out[column] = series.map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def escape_text(value: Any) -> str:
    """HTML-escaped text of ``value`` (quotes included)."""
    return html.escape(str(value), quote=True)


_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)


def escape_markdown(text: str) -> str:
    """Markdown whose inline HTML is shown as text: ``<img onerror=…>`` becomes ``&lt;img …>``.

    Only ``<`` outside code spans is replaced (nothing else can open a tag); Markdown's own syntax
    (``**bold**``, lists, code spans, which Markdown already shows literally) is untouched.
    """
    parts = _CODE.split(text)
    return "".join(part if i % 2 else part.replace("<", "&lt;") for i, part in enumerate(parts))


def strip_active_html(text: str) -> str:
    """Remove ``<script>`` blocks, ``on…=`` handlers and ``javascript:`` links from HTML."""
    text = _SCRIPT.sub("", text)
    text = _EVENT_ATTR.sub("", text)
    return _JS_URL.sub(r"\1=\2#", text)


def escape_notebook_outputs(nb) -> None:
    """Make the outputs of an executed notebook safe to render (in place).

    Markdown outputs (``display(Markdown(f"… {scenario source} …"))``) are escaped, HTML outputs
    (pandas tables, which escape their cells themselves) lose any active content.
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data")
            if not data:
                continue
            if "text/markdown" in data:
                data["text/markdown"] = escape_markdown(_joined(data["text/markdown"]))
            if "text/html" in data:
                data["text/html"] = strip_active_html(_joined(data["text/html"]))
            for mime in [m for m in data if m in ("application/javascript", "text/javascript")]:
                del data[mime]


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)

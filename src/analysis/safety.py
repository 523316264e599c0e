"""Text that leaves the suite is made harmless: escaped for HTML, neutralised for spreadsheets.

Scenario files, data files and ``-p`` parameters are written by people, and their text reaches
the published HTML pages, the Excel workbooks and the CSV tables. Two rules, applied where the
text is written (never trusted to the author):

* **HTML**: every such string enters Markdown through :func:`markdown_text` (text, never markup)
  and HTML through :func:`html.escape`; ``<script>`` blocks and ``on…=`` event attributes are
  removed from HTML outputs of notebooks (:func:`strip_active_html`), and every exported page
  passes the ``nh3`` sanitiser (:mod:`analysis.sanitiser`).
* **Spreadsheets**: a string cell that begins with ``= + - @``, a tab or a carriage return would be
  read by Excel or LibreOffice as a formula (``=HYPERLINK(…)``). :func:`neutralise_cell` prefixes
  such a cell with an apostrophe, so it is shown as the text it is (OWASP "CSV injection").

Light (pandas is imported only by :func:`neutralise_frame`): the runs index and the notebook pages'
export use the HTML helpers on the unchanged-rerun path.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    import pandas as pd  # heavy: the HTML helpers here serve the light path (runs index, notebook pages) without it

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


# Every ASCII character Markdown or HTML could read as syntax (emphasis, code, links, images,
# headings, lists, tables, entities, tags, autolinks): shown through a numeric character reference.
_MARKUP_CHARS = frozenset("\\`*_{}[]()<>#+-.!|~&\"'=:/;$%^@?")
# Control characters and the bidirectional controls (U+202A–U+202E, U+2066–U+2069, LRM/RLM/ALM)
# that could reorder how a label reads.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def markdown_text(value: Any) -> str:
    """The one way user text (scenario names, descriptions, sources, ``-p`` keys and values,
    ``--name``) enters Markdown: Markdown that renders as exactly ``value``, as text.

    Every character Markdown or HTML could read as syntax becomes a numeric character reference
    (``&#96;`` for a backtick, ``&#60;`` for ``<``), which both Markdown renderers and browsers
    show as that character and never as markup — unlike a regex that must agree with the
    renderer on where code spans end (issue 27). Line breaks become spaces (a value never starts
    a block); control and bidirectional-override characters are removed. The result is also
    safe inside HTML text.
    """
    text = " ".join(_INVISIBLE.sub(" ", str(value)).split())
    return "".join(f"&#{ord(c)};" if c in _MARKUP_CHARS else c for c in text)


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

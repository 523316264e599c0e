"""Every exported HTML page passes one well-kept sanitiser (``nh3``, the Ammonia HTML sanitiser).

Escaping user text where it is written (:func:`analysis.safety.markdown_text`, ``html.escape``)
is the first rule; this is the second, applied to the finished page whatever produced it: a
Markdown renderer that disagrees with an escaping regex (issue 27: a ``-p`` key with three
backticks put a live ``<img onerror>`` into every page and the PDF), a pandas table, a chart.

What a page keeps: the document head's ``<meta charset>``, its title as text and its ``<style>``
blocks (remote ``url(…)`` and ``@import`` removed); in the body, the tags of text, tables, figures
and inline SVG, with presentation attributes, ``class``/``id``/``style`` and ``data-*``. What it
loses: ``<script>`` (with its content), every ``on…`` event attribute, ``<iframe>``/``<object>``/
``<form>``, any URL with a scheme other than ``http``/``https``/``mailto`` in a link
(``javascript:``, ``data:``), and any image or resource that is not embedded (``data:image/…``)
or local (a relative path): a page never loads anything from another server.
"""

from __future__ import annotations

import html
import re

import nh3

_SVG_TAGS = {
    "svg",
    "g",
    "path",
    "defs",
    "clippath",
    "clipPath",
    "use",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "symbol",
    "title",
    "desc",
    "metadata",
    "lineargradient",
    "linearGradient",
    "radialgradient",
    "radialGradient",
    "stop",
    "pattern",
    "mask",
    "marker",
    "image",
}
TAGS = set(nh3.ALLOWED_TAGS) | {"style", "main", "section", "figure", "font", "label"} | _SVG_TAGS
_GENERIC = {
    "class",
    "id",
    "style",
    "title",
    "lang",
    "dir",
    "align",
    "valign",
    "width",
    "height",
    "border",
    "colspan",
    "rowspan",
    "scope",
    "alt",
    "src",
    "href",
    "download",
    "name",
    "role",
    "start",
    "cellpadding",
    "cellspacing",
    "summary",
    "span",
    "open",
    "datetime",
    "type",
    "media",
    "scoped",
    # SVG presentation (matplotlib's vector charts)
    "viewbox",
    "viewBox",
    "d",
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-opacity",
    "stroke-miterlimit",
    "opacity",
    "clip-path",
    "clip-rule",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "xmlns",
    "version",
    "preserveaspectratio",
    "preserveAspectRatio",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientunits",
    "gradientUnits",
    "patternunits",
    "patternUnits",
    "xlink:href",
    "xml:space",
    "dx",
    "dy",
    "color",
    "size",
    "face",
    "for",
}
ATTRIBUTES = {"*": _GENERIC}
URL_ATTRIBUTES = {"src", "href", "xlink:href"}

_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.DOTALL | re.IGNORECASE)
_REMOTE_CSS_URL = re.compile(r"url\(\s*(?![\"']?\s*(?:data:image/|#))[^)]*\)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\b[^;]*;?", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>(.*?)</head\s*>", re.DOTALL | re.IGNORECASE)
_BODY = re.compile(r"<body\b([^>]*)>(.*)</body\s*>", re.DOTALL | re.IGNORECASE)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.DOTALL | re.IGNORECASE)
_LANG = re.compile(r"<html\b[^>]*\blang=\"([A-Za-z-]{1,20})\"", re.IGNORECASE)
_BODY_ATTR = re.compile(r"\b(class|data-[a-z][a-z0-9-]{0,40})=\"([A-Za-z0-9_\- ]{0,200})\"")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:")


def _url_ok(attribute: str, value: str) -> bool:
    """A link may go to the web; an image or resource must be embedded or local."""
    value = value.strip()
    scheme = _SCHEME.match(value)
    if value.startswith("//") or value.startswith("\\"):
        return False  # protocol-relative: another server
    if attribute == "href":
        return scheme is None or scheme.group(1).lower() in ("http", "https", "mailto")
    if scheme is None:
        return True  # a relative path or '#fragment': a file of the run
    return value.lower().startswith("data:image/")  # an embedded chart (an <img> runs no script)


def _filter(element: str, attribute: str, value: str) -> str | None:
    if attribute in URL_ATTRIBUTES:
        return value if _url_ok("href" if element == "a" and attribute == "href" else "src", value) else None
    if attribute == "style" and re.search(r"url\(|expression\(|javascript:|@import", value, re.IGNORECASE):
        return None
    return value


def clean_css(css: str) -> str:
    """CSS without ``@import`` and without ``url(…)`` other than embedded images and fragments."""
    return _CSS_IMPORT.sub("", _REMOTE_CSS_URL.sub("none", css)).replace("</", "<\\/")


def clean_fragment(fragment: str) -> str:
    """``fragment`` (HTML body content) through nh3 with the page rules of the module docstring."""
    cleaned = nh3.clean(
        fragment,
        tags=TAGS,
        clean_content_tags={"script"},
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "data"},
        attribute_filter=_filter,
        generic_attribute_prefixes={"data-"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _STYLE_BLOCK.sub(lambda m: f"<style>{clean_css(m.group(1))}</style>", cleaned)


def sanitise_page(page: str) -> str:
    """A whole exported page (``<!DOCTYPE html>…``) or a fragment, made safe to publish.

    A document is rebuilt: ``<html lang>``, a head of charset, title (text) and style blocks,
    and a body (its ``class`` and ``data-*`` kept for the notebook CSS) whose content went through
    :func:`clean_fragment`. Everything else in the head (scripts, remote stylesheets, base
    URLs, refresh) is dropped.
    """
    body = _BODY.search(page)
    if body is None:
        return clean_fragment(page)
    head_match = _HEAD.search(page[: body.start()])
    head = head_match.group(1) if head_match else ""
    lang = _LANG.search(page)
    title = _TITLE.search(head)
    title_text = html.escape(html.unescape(re.sub(r"<[^>]*>", "", title.group(1))).strip()) if title else ""
    styles = "".join(f"<style>{clean_css(m.group(1))}</style>" for m in _STYLE_BLOCK.finditer(head))
    body_open = "<body" + "".join(f' {m.group(1)}="{m.group(2)}"' for m in _BODY_ATTR.finditer(body.group(1))) + ">"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang.group(1) if lang else "zh-CN"}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title_text}</title>\n{styles}\n</head>\n{body_open}\n{clean_fragment(body.group(2))}\n"
        "</body>\n</html>\n"
    )

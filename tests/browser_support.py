"""Headless Chromium for the report tests: install if missing, screenshot, rendered DOM, console.

Chromium and the CJK font come from Debian's packages (``chromium``, ``fonts-noto-cjk``); without
the font the page's Chinese text renders as boxes. They are installed here, by the test set-up,
only where missing (the machines run as root with Debian's registry reachable).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]
CJK = re.compile(r"[\u4e00-\u9fff]")
CONSOLE = re.compile(r":CONSOLE(?:\(\d+\)|:\d+)\]\s*(.*)")


def _font_installed() -> bool:
    return Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists()


def ensure_chromium() -> str:
    """Path of the chromium binary, installing chromium and fonts-noto-cjk with apt if needed."""
    binary = shutil.which("chromium")
    if binary and _font_installed():
        return binary
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is missing and cannot be installed here (needs root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk"], check=True, env=env, capture_output=True
    )
    binary = shutil.which("chromium")
    assert binary, "apt-get installed chromium but it is not on PATH"
    return binary


def ensure_poppler() -> None:
    """``pdfinfo`` and ``pdftotext`` (Debian's ``poppler-utils``), installed with apt if missing."""
    if shutil.which("pdfinfo") and shutil.which("pdftotext"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("poppler-utils is missing and cannot be installed here (needs root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "poppler-utils"], check=True, env=env, capture_output=True)
    assert shutil.which("pdfinfo") and shutil.which("pdftotext"), (
        "apt-get installed poppler-utils but it is not on PATH"
    )


def pdf_pages(pdf: Path) -> int:
    """Page count of ``pdf`` by ``pdfinfo``."""
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def pdf_text(pdf: Path) -> str:
    """The text of ``pdf`` by ``pdftotext``."""
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True
    ).stdout


# Run in every published page: what a reader sees, and whether the page is wider than the window.
PAGE_PROBE = "({text: document.body.innerText, scroll: document.documentElement.scrollWidth, width: window.innerWidth})"


def _run(binary: str, url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *CHROMIUM_FLAGS, *extra, url], capture_output=True, text=True, timeout=120)


def render(binary: str, path: Path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and every console message the page logged."""
    proc = _run(binary, path.resolve().as_uri(), "--dump-dom")
    messages = [m.group(1) for m in map(CONSOLE.search, proc.stderr.splitlines()) if m]
    return proc.stdout, messages


def screenshot(binary: str, path: Path, png: Path, size: str = "1366,900") -> Path:
    """A laptop-sized screenshot of the page at ``path``."""
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(binary, path.resolve().as_uri(), f"--window-size={size}", f"--screenshot={png}")
    assert png.exists() and png.stat().st_size > 1000, f"no screenshot of {path}"
    return png


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("href", "src"):
            value = attrs.get(key)
            if value and not value.startswith(("#", "data:", "mailto:", "javascript:")):
                self.targets.append(value)


def local_links(html: str) -> list[str]:
    """Every href/src in the page (anchors and data URIs excluded)."""
    parser = _Links()
    parser.feed(html)
    return parser.targets


def has_chinese(text: str) -> bool:
    return bool(CJK.search(text))

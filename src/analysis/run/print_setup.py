"""What printing the PDFs needs on this machine, installed where it can be (``make report``).

The PDFs are printed by headless Chromium (:mod:`analysis.run.chromium`) with the Noto CJK font
(without it every Chinese character prints as a box). Both are Debian packages — ``chromium`` and
``fonts-noto-cjk``, the same two the browser tests install (``tests/browser_support.py``). On a
fresh machine neither is there and a run used to finish "complete" with no PDF and no word why
(issue 28).

``python -m analysis.run.print_setup`` (the first step of ``make report``): nothing to do when both
are present; installs the missing ones with ``apt-get`` when run as root on a machine that has it;
otherwise prints one line naming what is missing and the command that installs it. It never fails
the build (exit 0): the run still writes every HTML page, and its last line says that no PDF was
printed and how to get them (:func:`no_pdf_line`, used by the runner's summary).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

PACKAGES = {"chromium": "chromium", "font": "fonts-noto-cjk"}
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
INSTALL_COMMAND = "sudo apt-get install chromium fonts-noto-cjk"
HOW_TO = (
    f"安装 Chromium 与中文字体后重新运行（{INSTALL_COMMAND}；以 root 运行 make report 会自动安装），"
    "或在浏览器中打开各县 report_print.html / brief.html 打印为PDF"
)


def missing_packages(which: Callable[[str], str | None] = shutil.which, font: Path = CJK_FONT) -> list[str]:
    """Debian packages printing needs that are absent here (``[]`` = ready to print)."""
    out = []
    if not any(which(b) for b in BROWSERS):
        out.append(PACKAGES["chromium"])
    if not font.exists():
        out.append(PACKAGES["font"])
    return out


def ensure(
    which: Callable[[str], str | None] = shutil.which,
    font: Path = CJK_FONT,
    euid: Callable[[], int] = os.geteuid,
    run: Callable[..., Any] = subprocess.run,
) -> tuple[bool, str]:
    """Install what is missing where possible: ``(ready to print, one line for the user)``.

    Root with ``apt-get``: ``apt-get update`` then ``apt-get install -y chromium fonts-noto-cjk``
    (only the missing ones); anyone else: nothing is installed and the line says how."""
    missing = missing_packages(which, font)
    if not missing:
        return True, ""
    if euid() != 0 or not which("apt-get"):
        return False, (
            f"打印PDF需要 {', '.join(missing)}，本机未安装且无法自动安装（需 root 与 apt-get）："
            f"{INSTALL_COMMAND}. PDFs need {', '.join(missing)}: not installed here."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
        run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        return False, f"apt-get 安装 {', '.join(missing)} 失败 (failed: {exc})；{INSTALL_COMMAND}"
    still = missing_packages(which, font)
    if still:
        return False, f"apt-get 已运行，但仍缺少 {', '.join(still)} (still missing)；{INSTALL_COMMAND}"
    return True, f"已安装打印所需的 {', '.join(missing)} (installed for printing)"


def no_pdf_line(manifest: dict[str, Any]) -> str:
    """The run's last line when it printed no PDF although it publishes ('' otherwise): that no
    PDF was printed, why, and how to get them."""
    pdf = manifest.get("pdf")
    if not isinstance(pdf, dict) or pdf.get("made") or not pdf.get("install"):
        return ""
    return f"未打印PDF NO PDF printed: {pdf.get('reason', '')}。{HOW_TO}"


def main() -> int:
    ready, line = ensure()
    if line:
        print(line, file=sys.stderr if not ready else sys.stdout, flush=True)
    return 0  # never fails the build: the run writes the HTML pages and says what is missing


if __name__ == "__main__":
    raise SystemExit(main())

"""Refresh the README's tour images from a real run (``reports/latest``).

Usage: ``.venv/bin/python docs/make_tour_images.py [RUN_FOLDER]`` after ``make report`` (default
``reports/latest``). Charts are the PNGs
the notebooks produced; the index and the scenario comparison are headless-Chromium screenshots
(Debian ``chromium`` and ``fonts-noto-cjk`` needed); the printed report's first pages are rendered
from ``report.pdf`` by ``pdftoppm`` (Debian ``poppler-utils``). Images are downscaled and palette-reduced to keep the repository small.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"
WIDTH = 900

# (output name, notebook under reports/latest, index of the image among the notebook's charts)
CHARTS = [
    ("2_plan_expectation.png", "quanzhou/01_population_projection.ipynb", 2),
    ("3_beds_vs_stock.png", "jinjiang/02_elder_care_beds.ipynb", 2),  # after the nursing gap and build charts
    ("4_dibao_path.png", "quanzhou/04_assistance_wage_linkage.ipynb", 1),
    ("5_overview_bed_gap.png", "quanzhou/90_city_overview.ipynb", 1),
]


def shrink(image: Image.Image, path: Path) -> None:
    if image.width > WIDTH:
        image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    image.convert("RGB").quantize(colors=128).save(path, optimize=True)


def chart(notebook: Path, index: int) -> Image.Image:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    images = [o["data"]["image/png"] for c in cells for o in c.get("outputs", [])
              if "data" in o and "image/png" in o["data"]]
    raw = base64.b64decode(images[index])
    tmp = OUT / ".tmp.png"
    tmp.write_bytes(raw)
    image = Image.open(tmp).copy()
    tmp.unlink()
    return image


def explorer_output() -> Path:
    """Execute the scenario explorer headless (default settings) and return the executed copy."""
    import tempfile

    import papermill as pm

    out = Path(tempfile.mkdtemp(prefix="qz-tour-")) / "99_scenario_explorer.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "99_scenario_explorer.ipynb"), str(out),
                        kernel_name="quanzhou-forecast", cwd=str(ROOT / "notebooks"), progress_bar=False)
    return out


def screenshot(chromium: str, page: Path, out: Path, height: int) -> None:
    """A 1366-pixel-wide headless-Chromium screenshot of ``page``, shrunk to ``out``."""
    shot = OUT / ".shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--hide-scrollbars", f"--window-size=1366,{height}", f"--screenshot={shot}", page.as_uri()],
                   check=True, capture_output=True)
    shrink(Image.open(shot), out)
    shot.unlink()


def pdf_pages(pdf: Path, out: Path, pages: int = 3) -> None:
    """The first ``pages`` pages of ``pdf`` side by side (pdftoppm), shrunk to ``out``."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "45", "-png", "-f", "1", "-l", str(pages), str(pdf), f"{tmp}/p"],
                       check=True, capture_output=True)
        images = [Image.open(p).convert("RGB") for p in sorted(Path(tmp).glob("p*.png"))]
    strip = Image.new("RGB", (sum(i.width for i in images) + 10 * len(images), max(i.height for i in images)), "#888")
    x = 0
    for image in images:
        strip.paste(image, (x, 0))
        x += image.width + 10
    shrink(strip, out)


def main() -> int:
    latest = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else (ROOT / "reports" / "latest").resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is needed for the index screenshot (apt-get install chromium fonts-noto-cjk)")
        return 1
    screenshot(chromium, latest / "index.html", OUT / "1_index.png", 1000)
    screenshot(chromium, latest / "compare.html", OUT / "7_compare.png", 1100)
    if shutil.which("pdftoppm") and (latest / "jinjiang" / "report.pdf").exists():
        pdf_pages(latest / "jinjiang" / "report.pdf", OUT / "8_print.png")
    for name, notebook, index in CHARTS:
        shrink(chart(latest / notebook, index), OUT / name)
    shrink(chart(explorer_output(), 0), OUT / "6_explorer.png")
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

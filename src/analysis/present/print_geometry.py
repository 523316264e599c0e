"""How big a chart is on paper: the print report's chart box, and the smallest text it may print.

The print reports (:mod:`analysis.run.printable`) are A4 with 11 mm side margins and 2 mm body
padding, so a chart is at most :data:`WIDTH_MM` = 210 − 2 × 11 − 2 × 2 = 184 mm wide, and at most
:data:`HEIGHT_MM` = 118 mm high (two charts to a page) — :data:`TALL_HEIGHT_MM` = 230 mm for a chart
that would be taller than that at full width (the multi-panel charts of every unit): a chart
drawn larger is scaled down to fit. Text in a chart must be at least :data:`MIN_TEXT_PT` = 7 pt
once scaled (issue 28: multi-panel legends printed at about 5 pt).
:func:`analysis.present.plots.print_text_floor` raises a figure's smaller text to that floor before it is
rendered, so the PNG and the SVG show the same chart.

Units: millimetres and points (1 pt = 1/72 inch = 25.4/72 mm). Pure arithmetic, no imports beyond
the standard library.
"""

from __future__ import annotations

MM_PER_PT = 25.4 / 72
WIDTH_MM = 184.0
HEIGHT_MM = 118.0
TALL_HEIGHT_MM = 230.0
MIN_TEXT_PT = 7.0


def is_tall(width_pt: float, height_pt: float) -> bool:
    """Whether a chart of this size would be taller than :data:`HEIGHT_MM` at full print width."""
    return width_pt > 0 and height_pt / width_pt * WIDTH_MM > HEIGHT_MM


def print_scale(width_pt: float, height_pt: float) -> float:
    """The factor a chart of ``width_pt`` × ``height_pt`` points is printed at (≤ 1: never enlarged)."""
    if width_pt <= 0 or height_pt <= 0:
        return 1.0
    box_h = TALL_HEIGHT_MM if is_tall(width_pt, height_pt) else HEIGHT_MM
    return min(1.0, WIDTH_MM / (width_pt * MM_PER_PT), box_h / (height_pt * MM_PER_PT))


def min_font_pt(width_pt: float, height_pt: float) -> float:
    """The smallest font size (points, at the chart's own size) that prints at :data:`MIN_TEXT_PT`."""
    return MIN_TEXT_PT / print_scale(width_pt, height_pt)

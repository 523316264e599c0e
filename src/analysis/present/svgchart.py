"""A small inline SVG line chart with bands, written by hand (no matplotlib in the runner's parent).

Used by the one-pager and the brief (:mod:`analysis.present.onepager`, :mod:`analysis.present.brief`):
the 60+ and 80+ population paths (median line, p10–p90 band) in 万人 with integer year ticks and
dashed vertical lines at marked years. Text is real SVG ``<text>`` (searchable and copyable in the
browser and in the printed PDF), sized for print: 11 user units ≈ 8 pt at the page's width.
Every label is escaped; the result passes :mod:`analysis.sanitiser` (inline SVG is allowed).
"""

from __future__ import annotations

import html
import math

import pandas as pd

from .. import catalogue

WIDTH, HEIGHT = 700.0, 270.0
LEFT, RIGHT, BOTTOM = 56.0, 16.0, 34.0
SERIES = (("pop_60plus", "#2a5db0"), ("pop_80plus", "#c0392b"))


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low``–``high`` (steps of 1, 2 or 5 × a power of ten)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        high = low + 1.0
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks, t = [], first
    while t <= high + step * 0.5:
        ticks.append(round(t, 10))
        t += step
    return ticks


def series(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """``year, p10, p50, p90`` of one indicator in 万人 (p10/p90 = p50 where there is no band)."""
    median = "p50" if "p50" in frame.columns else "value"
    sel = frame[frame["indicator"] == indicator].drop_duplicates("year").sort_values("year")
    out = pd.DataFrame({"year": sel["year"].astype(int).to_numpy(), "p50": sel[median].to_numpy(dtype=float) / 1e4})
    out["p10"] = sel["p10"].fillna(sel[median]).to_numpy(dtype=float) / 1e4
    out["p90"] = sel["p90"].fillna(sel[median]).to_numpy(dtype=float) / 1e4
    return out.dropna(subset=["p50"])


def elderly_chart(frame: pd.DataFrame, marked_years, title: str, height: float = HEIGHT) -> str:
    """SVG of the 60+ and 80+ paths of one unit and base (``frame``: tidy indicator rows),
    ``height`` user units tall for a width of 700 (the brief's is flatter, to stay on one page).
    The title (none if ``title`` is empty) and the legend are rows above the plot, never over
    the lines. Empty string when the frame has neither indicator."""
    esc = html.escape
    data = {name: series(frame, name) for name, _ in SERIES}
    data = {k: v for k, v in data.items() if len(v)}
    if not data:
        return ""
    years = sorted({int(y) for s in data.values() for y in s["year"]})
    x0, x1 = years[0], max(years[-1], years[0] + 1)
    top = max(float(s["p90"].max()) for s in data.values())
    yticks = nice_ticks(0.0, top * 1.05)
    y_max = yticks[-1]
    legend_y = 32.0 if title else 12.0
    TOP = legend_y + 12.0
    pw, ph = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM

    def px(year):
        return LEFT + (year - x0) / (x1 - x0) * pw

    def py(value):
        return TOP + ph - value / y_max * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {height:.0f}" role="img" '
        f'font-family="Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif" font-size="11">',
        f"<title>{esc(title or '60岁及以上与80岁及以上人口')}</title>",
    ]
    if title:
        parts.append(f'<text x="{LEFT:.0f}" y="16" font-size="13" font-weight="bold" fill="#222">{esc(title)}</text>')
    for t in yticks:
        y = py(t)
        parts.append(
            f'<line x1="{LEFT:.1f}" x2="{WIDTH - RIGHT:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(f'<text x="{LEFT - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{t:g}</text>')
    step = max(1, math.ceil(len(years) / 12))
    for year in years[::step]:
        x = px(year)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + ph:.1f}" y2="{TOP + ph + 4:.1f}" stroke="#333"/>')
        parts.append(f'<text x="{x:.1f}" y="{TOP + ph + 17:.1f}" text-anchor="middle" fill="#333">{year}</text>')
    parts.append(
        f'<line x1="{LEFT:.1f}" x2="{WIDTH - RIGHT:.1f}" y1="{TOP + ph:.1f}" y2="{TOP + ph:.1f}" stroke="#333"/>'
    )
    parts.append(
        f'<text x="12" y="{TOP + ph / 2:.1f}" transform="rotate(-90 12 {TOP + ph / 2:.1f})" '
        f'text-anchor="middle" fill="#333">万人</text>'
    )
    for year in marked_years:
        if x0 <= year <= x1:
            x = px(year)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP:.1f}" y2="{TOP + ph:.1f}" stroke="#888" '
                f'stroke-dasharray="4 3"/>'
            )
    legend_x = LEFT + 10
    for name, colour in SERIES:
        s = data.get(name)
        if s is None:
            continue
        upper = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in zip(s["year"], s["p90"]))
        lower = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in zip(s["year"][::-1], s["p10"][::-1]))
        parts.append(f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="0.18" stroke="none"/>')
        line = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in zip(s["year"], s["p50"]))
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        label = catalogue.label(name)
        parts.append(
            f'<line x1="{legend_x:.1f}" x2="{legend_x + 18:.1f}" y1="{legend_y - 4:.1f}" y2="{legend_y - 4:.1f}" '
            f'stroke="{colour}" stroke-width="3"/>'
        )
        parts.append(
            f'<text x="{legend_x + 22:.1f}" y="{legend_y:.1f}" fill="#222">{esc(label)}（中位数与10%–90%区间）</text>'
        )
        legend_x += 250
    parts.append("</svg>")
    return "".join(parts)

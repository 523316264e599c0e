"""Benchmark: how long the scenario explorer takes to react to each kind of control change.

The explorer (``analysis.present.explorer.ScenarioExplorer`` behind ``analysis.present.explorer_widgets.ExplorerUI``)
with 100 draws, registered base, the city, 2020–2035. Each change is applied three times (to
different values) through the same path a slider takes (``ExplorerUI._changed``): update the
settings, recompute what the change needs, redraw (render to PNG) the charts whose inputs
changed. Prints the median seconds per change (whole reaction), its model part (projection,
beds, 低保 — cached where possible) and its chart part (matplotlib figure + PNG), which charts
were redrawn and whether the population projection was recomputed.
"""

from __future__ import annotations

import statistics
import time

CHANGES = [  # (label, control, three values)
    ("unit 单位", "unit", ["jinjiang", "dehua", "quanzhou"]),
    ("bed ratio 床位比例", "beds_per_1000_elderly", [42.0, 46.0, 38.0]),
    ("nursing ratio 护理型比例", "nursing_beds_per_1000_elderly", [14.0, 10.0, 12.0]),
    ("occupancy 入住率", "occupancy_pct", [70.0, 80.0, 53.0]),
    ("target occupancy 目标入住率", "target_occupancy_pct", [90.0, 80.0, 85.0]),
    ("wage growth 最低工资增长", "wage_growth_pct", [3.0, 8.0, None]),
    ("TFR multiplier 生育", "tfr_multiplier", [1.2, 0.8, 1.1]),
    ("e0 gain 预期寿命", "e0_gain_per_year", [0.1, -0.1, 0.05]),
    ("migration scale 迁移", "net_migration_scale", [2.0, 0.5, 1.5]),
    ("base 口径", "base", ["resident", "registered", "resident"]),  # 2nd and 3rd come from the cache
]


def main(draws: int = 100) -> list[dict]:
    from analysis.present.explorer import ScenarioExplorer
    from analysis.present.explorer_widgets import ExplorerUI

    t0 = time.perf_counter()
    ex = ScenarioExplorer("baseline", unit="quanzhou", base="registered", draws=draws)
    ui = ExplorerUI(ex)
    ui.refresh()  # first computation and drawing of the three charts (no frontend)
    first = time.perf_counter() - t0
    rows = []
    for label, control, values in CHANGES:
        totals, computes, renders, reruns, redrawn = [], [], [], [], set()
        for value in values:
            before = ex.calls["projection"]
            ui.render_seconds.clear()
            t = time.perf_counter()
            drawn = ui._changed(**{control: value})
            totals.append(time.perf_counter() - t)
            renders.append(sum(ui.render_seconds.values()))
            computes.append(ui.compute_seconds)
            reruns.append(ex.calls["projection"] > before)
            redrawn.update(drawn)
        rows.append(
            {
                "change": label,
                "seconds": statistics.median(totals),
                "max": max(totals),
                "reruns": sum(reruns),
                "compute": statistics.median(computes),
                "render": statistics.median(renders),
                "projection": any(reruns),
                "redrawn": ", ".join(n for n in ("elderly", "beds", "dibao") if n in redrawn),
            }
        )
    print(f"bench_explorer: city, registered base, {draws} draws, 2020-{ex.end_year}; median of 3 changes each")
    print(f"  first draw (load, project, beds, 低保, 3 charts): {first:.2f} s")
    print(
        f"  {'change':32s} {'seconds':>8s} {'max':>6s} {'compute':>8s} {'render':>7s}  "
        f"{'projection recomputed':22s} charts redrawn"
    )
    for r in rows:
        rerun = f"yes ({r['reruns']} of 3)" if r["projection"] else "no"
        print(
            f"  {r['change']:32s} {r['seconds']:8.2f} {r['max']:6.2f} {r['compute']:8.2f} {r['render']:7.2f}  "
            f"{rerun:22s} {r['redrawn']}"
        )
    print("  (a projection already in the explorer's cache - e.g. switching back to a base - is not recomputed)")
    return rows


if __name__ == "__main__":
    main()

"""Print timings of the minimum-wage forecast and the 低保 path (run: python benchmarks/bench_forecast.py)."""

from __future__ import annotations

import time

from analysis.services import assistance, indicators, min_wage


def timed(label, func, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<55} {best * 1000:8.1f} ms (best of {repeat})")


if __name__ == "__main__":
    history = min_wage.load_wage_history()
    timed("load + validate wage history", min_wage.load_wage_history)
    timed("forecast 2020-2035, analytic band", lambda: min_wage.forecast(history, 2020, 2035))
    timed("forecast 2020-2035, 1,000 draws", lambda: min_wage.forecast(history, 2020, 2035, draws=1000, seed=1))
    timed("dibao_path all units, analytic band", lambda: assistance.dibao_path("baseline", history=history))
    timed("dibao_path all units, 1,000 draws", lambda: assistance.dibao_path("baseline", draws=1000, history=history))
    frame = assistance.dibao_path("baseline", history=history)
    timed("track (dibao indicators, 14 units)", lambda: indicators.track(frame))

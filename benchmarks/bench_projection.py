"""Benchmark: the population engine at full size.

All 13 units (the city is their sum, so 14 reporting units) × 1,000 draws × 2020 → 2050, resident
base, baseline scenario, population stored as float32 (``dtype=np.float32``: the steps run in
float32 too, component totals are summed in float64; the survival ratios are float64). Prints wall time and peak memory (tracemalloc: peak of Python-allocated memory,
which includes numpy buffers; and the process's maximum resident set size from getrusage).
Targets: well under 2 s and under 1 GiB.

The floor is a plain vectorised numpy CCMPP of the same shape without life tables
(``ccmpp_floor.py``), measured in the same run; the printed ratio is projection ÷ floor, each the
best of two runs (the machine is shared, so single timings are noisy).
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import numpy as np

import ccmpp_floor


def _mortality_seconds(scenario, draws: int, end_year: int) -> float:
    """Best of two runs of the mortality step alone (levels and survival ratios, every schedule)."""
    from analysis.demography import projection
    from analysis.demography.parameters import DemographyParameters, draw_parameters

    params = DemographyParameters.from_scenario(scenario)
    gains = draw_parameters(params, draws, 20201101)["e0_gain_per_year"].to_numpy()
    steps = np.arange(2021, end_year + 1)
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        projection.mortality(steps, 2020, params, gains)
        best = min(best, time.perf_counter() - t0)
    return best


def main(draws: int = 1000, end_year: int = 2050) -> dict:
    from analysis.demography import project
    from analysis.scenarios import load_scenario

    scenario = load_scenario("baseline")
    project(scenario, end_year=2022, draws=2)  # warm-up: imports, data caches

    def run():
        return project(scenario, base="resident", end_year=end_year, draws=draws, seed=20201101, dtype=np.float32)

    wall = float("inf")
    for _ in range(2):  # timed without tracing (tracemalloc slows numpy down)
        t0 = time.perf_counter()
        result = run()
        wall = min(wall, time.perf_counter() - t0)
        del result
    floor = ccmpp_floor.seconds(draws=draws, steps=end_year - 2020)
    life_tables = _mortality_seconds(scenario, draws, end_year)
    tracemalloc.start()
    result = run()  # second run for the memory peak
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t1 = time.perf_counter()
    result.summary("quanzhou")  # timed, the value is not needed
    summary_wall = time.perf_counter() - t1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux → MiB
    figures = {
        "shape": result.population.shape,
        "projection_seconds": wall,
        "floor_seconds": floor,
        "mortality_seconds": life_tables,
        "ratio_to_floor": wall / floor,
        "city_summary_seconds": summary_wall,
        "tracemalloc_peak_mib": peak / 2**20,
        "max_rss_mib": rss,
        "population_mib": result.population.nbytes / 2**20,
    }
    print(f"bench_projection: 14 units (13 + city) x {draws} draws x 2020-{end_year}, float32 storage")
    print(f"  population array      {figures['shape']}  {figures['population_mib']:.0f} MiB")
    print(f"  projection wall time  {wall:.2f} s   (best of 2; target < 2 s)")
    print(f"  floor: plain numpy    {floor:.2f} s   (ccmpp_floor.py, same shape, no life tables)")
    print(f"  ratio to floor        {wall / floor:.2f}x  (target <= 1.0)")
    print(
        f"  of which mortality    {life_tables:.2f} s   (e0 root search + survival ratios, "
        f"{(end_year - 2020) * draws * 2:,} schedules; best of 2)"
    )
    print(f"  city summary          {summary_wall:.2f} s")
    print(f"  peak traced memory    {figures['tracemalloc_peak_mib']:.0f} MiB   (target < 1024 MiB)")
    print(f"  max resident set      {rss:.0f} MiB")
    return figures


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

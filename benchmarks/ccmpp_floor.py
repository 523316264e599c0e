"""The floor for the projection benchmark: a plain vectorised numpy CCMPP of the same shape.

No data files, life tables, calibration or checks: given survival ratios, fertility and migration
arrays of the full shape, each of the T annual steps does only what any cohort-component
projection must do on (draw, unit, sex, age) arrays — survive and age everyone, add migrants, cut
nobody below zero, count births from the mid-year women, and store the year (float32 storage,
float64 arithmetic: the reference as issue 14 measured it, 0.70–0.93 s). ``project()`` ÷ this is
the ratio issue 14 asks to bring to 1.0 or below. Note that ``bench_projection``'s engine steps
in float32 (``dtype=np.float32``); the same plain kernel in float32 arithmetic runs in about half
this time (0.46–0.49 s measured), so this floor is the generous one.
"""

from __future__ import annotations

import time

import numpy as np


def inputs(draws: int = 1000, units: int = 13, steps: int = 30, ages: int = 101, seed: int = 1) -> dict:
    """Random rates of the projection's shape (their values do not matter for the timing)."""
    rng = np.random.default_rng(seed)
    asfr = np.zeros(ages)
    asfr[15:50] = 0.03
    return {
        "base": rng.uniform(0, 5000, (units, 2, ages)),
        "survival": rng.uniform(0.9, 1.0, (steps, draws, 1, 2, ages)),  # by step, draw, sex
        "birth_survival": rng.uniform(0.99, 1.0, (steps, draws, 1, 2)),
        "asfr": asfr * rng.uniform(0.5, 1.5, (steps, draws, units, 1)),
        "migration": rng.normal(0, 20, (steps, draws, units, 1, 1)) * rng.dirichlet(np.ones(ages), 2),
        "male_share": 0.52,
    }


def project_plain(base, survival, birth_survival, asfr, migration, male_share) -> np.ndarray:
    """(T+1, D, U, 2, A) float32 population from the given rates."""
    steps, draws = survival.shape[:2]
    shape = (draws,) + base.shape
    store = np.empty((steps + 1,) + shape, dtype=np.float32)
    current = np.broadcast_to(base, shape).astype(np.float64)
    store[0] = current
    for t in range(steps):
        surv = current * survival[t]
        nxt = np.empty(shape)
        nxt[..., 1:] = surv[..., :-1]
        nxt[..., -1] += surv[..., -1]
        nxt[..., 1:] += np.maximum(migration[t][..., 1:], -nxt[..., 1:])
        births = np.einsum("dua,dua->du", asfr[t], 0.5 * (current[:, :, 1] + nxt[:, :, 1]))
        infants = births[..., None] * np.array([male_share, 1 - male_share]) * birth_survival[t]
        nxt[..., 0] = infants + np.maximum(migration[t][..., 0], -infants)
        current = nxt
        store[t + 1] = current
    return store


def seconds(draws: int = 1000, steps: int = 30, repeat: int = 2) -> float:
    """Best wall time of :func:`project_plain` over ``repeat`` runs (inputs made beforehand)."""
    args = inputs(draws=draws, steps=steps)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        project_plain(**args)
        best = min(best, time.perf_counter() - t0)
    return best


if __name__ == "__main__":
    print(f"plain numpy CCMPP, 13 units x 1000 draws x 30 steps: {seconds():.2f} s")

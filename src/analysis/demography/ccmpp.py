"""The cohort-component step (CCMPP), on plain arrays — no data files, no scenarios.

One annual step from 1 November of year t to year t+1, vectorized over (draw, unit, sex, age):

1. survivors: persons aged a (a = 0…100, 100 = open) survive with ``S[a]`` and are a+1 one year
   later (the open group keeps survivors of 99 and 100+);
2. births: ``sum_a asfr[a] × ½(F_t[a] + F_{t+1}[a])`` (women at the start and at the end of the
   year, i.e. mid-year exposure; F_{t+1} includes the year's migrants), split by the sex ratio at
   birth; newborns alive at the end of the year (``S_birth``) are age 0;
3. net migrants (by age at the end of the year) are added; where net out-migration is larger than
   the persons there, it is cut to what is there (``migration_clipped`` records the cut, persons,
   positive), so nobody becomes negative.

Identity (holds exactly, for every draw, unit, sex and age)::

    P(t+1)[a] = S[a-1]·P(t)[a-1] (+ S[100]·P(t)[100] for a = 100) + M_applied[a]  (a ≥ 1)
    P(t+1)[0] = S_birth · births + M_applied[0]

and at the (unit, sex) level ``P(t+1) = P(t) + births − deaths + M_applied``.
"""

from __future__ import annotations

import numpy as np

from ..errors import AnalysisError


def _at(array, t, shape, name):
    """``array[t]`` broadcast to ``shape`` (validates once per call)."""
    try:
        return np.broadcast_to(array[t], shape)
    except ValueError:
        raise AnalysisError(
            f"project_arrays: {name}[t] of shape {np.shape(array[t])} does not broadcast to {shape}"
        ) from None


def project_arrays(
    base,
    survival,
    birth_survival,
    asfr,
    srb,
    migration,
    *,
    asfr_scale=None,
    migration_scale=None,
    keep_age_components: bool = False,
    dtype=np.float64,
) -> dict[str, np.ndarray]:
    """Project a population ``T`` annual steps with given rates.

    Parameters
    ----------
    base : array (D, U, 2, A) or (U, 2, A)
        Persons at the start (sex 0 = male, 1 = female; age A-1 is open).
    survival : array (T, …) broadcastable per step to (D, U, 2, A)
        One-year survival ratios S[a] (0…1).
    birth_survival : array (T, …) broadcastable to (D, U, 2)
        Share of births alive at the end of the year.
    asfr : array (T, …) broadcastable to (D, U, A)
        Births per woman per year by age of the mother (times ``asfr_scale`` if given).
    srb : array (T, …) broadcastable to (D, U)
        Males per female birth.
    migration : array (T, …) broadcastable to (D, U, 2, A)
        Net migrants, persons (times ``migration_scale`` if given).
    asfr_scale, migration_scale : array (T, …) broadcastable to (D, U), optional
        Multipliers, so that large products need not be stored.
    keep_age_components : bool
        Also return net migration by age (``migration_by_age``), for checks.
    dtype : numpy dtype
        Storage and arithmetic type of the population (float64 default; float32 halves memory
        and time for large draw counts at a relative precision of about 1e-7, i.e. below one
        person per ten million; component totals are always summed in float64).

    Returns
    -------
    dict with ``population`` (D, T+1, U, 2, A); ``births``, ``deaths``, ``net_migration``,
    ``migration_clipped`` (D, T+1, U, 2) — persons during the year ending at step t
    (NaN for the base year); optional ``migration_by_age`` (D, T+1, U, 2, A).
    """
    base = np.asarray(base, dtype=float)
    if base.ndim == 3:
        base = base[None]
    if base.ndim != 4 or base.shape[2] != 2:
        raise AnalysisError(f"base must be (draw, unit, 2, age); got {base.shape}")
    if np.any(base < 0) or not np.all(np.isfinite(base)):
        raise AnalysisError("base population must be finite and not negative")
    n_steps = len(survival)
    for name, arr in (("birth_survival", birth_survival), ("asfr", asfr), ("srb", srb), ("migration", migration)):
        if len(arr) != n_steps:
            raise AnalysisError(f"{name} has {len(arr)} steps; survival has {n_steps}")
    D0, U, _, A = base.shape
    D = D0
    for arr, full_ndim in (
        (survival, 4),
        (migration, 4),
        (birth_survival, 3),
        (asfr, 3),
        (srb, 2),
        (asfr_scale, 2),
        (migration_scale, 2),
    ):
        if arr is not None and np.ndim(arr) - 1 == full_ndim:
            D = max(D, np.shape(arr)[1])
    shape = (D, U, 2, A)
    # stored year-major (each year one contiguous block: much faster to fill), returned as a
    # (draw, year, …) view
    store = np.empty((n_steps + 1, D, U, 2, A), dtype=dtype)
    work = np.dtype(dtype) if np.dtype(dtype) in (np.float32, np.float64) else np.dtype(np.float64)
    current = np.array(np.broadcast_to(base, shape), dtype=work)
    store[0] = current
    comp_shape = (D, n_steps + 1, U, 2)
    births_out = np.full(comp_shape, np.nan)
    deaths_out = np.full(comp_shape, np.nan)
    mig_out = np.full(comp_shape, np.nan)
    clip_out = np.full(comp_shape, np.nan)
    mig_age = np.full((D, n_steps + 1, U, 2, A), np.nan) if keep_age_components else None
    surv = np.empty(shape, dtype=work)
    moves = np.empty(shape, dtype=work)
    applied = np.empty(shape, dtype=work)
    for t in range(n_steps):
        raw = np.asarray(survival[t])
        if np.any(raw < 0) or np.any(raw > 1):
            raise AnalysisError(f"survival ratios must be within 0…1 (step {t})")
        if np.any(np.asarray(asfr[t]) < 0) or (asfr_scale is not None and np.any(np.asarray(asfr_scale[t]) < 0)):
            raise AnalysisError(f"fertility rates must not be negative (step {t})")
        sb = _at(birth_survival, t, (D, U, 2), "birth_survival")
        rates = _at(asfr, t, (D, U, A), "asfr")
        if asfr_scale is not None:
            rates = rates * _at(asfr_scale, t, (D, U), "asfr_scale")[..., None]
        ratio = _at(srb, t, (D, U), "srb")
        if migration_scale is not None:
            np.multiply(
                _at(migration, t, shape, "migration"),
                _at(migration_scale, t, (D, U), "migration_scale")[..., None, None],
                out=moves,
            )
        else:
            moves[...] = _at(migration, t, shape, "migration")

        np.multiply(current, np.broadcast_to(raw.astype(work, copy=False), shape), out=surv)
        nxt = np.empty(shape, dtype=work)
        nxt[..., 0] = 0.0
        nxt[..., 1:] = surv[..., :-1]
        nxt[..., -1] += surv[..., -1]
        # migrants at ages >= 1, cut so that nobody is negative
        np.negative(nxt, out=applied)
        np.maximum(moves, applied, out=applied)
        applied[..., 0] = 0.0
        nxt += applied
        exposure = 0.5 * (current[:, :, 1] + nxt[:, :, 1])
        births = np.einsum("dua,dua->du", rates, exposure, dtype=float)  # (D, U)
        male = ratio / (1.0 + ratio)
        by_sex = np.stack([births * male, births * (1.0 - male)], axis=-1)  # (D, U, 2)
        infants = by_sex * sb
        applied0 = np.maximum(moves[..., 0], -infants)
        applied[..., 0] = applied0
        nxt[..., 0] = infants + applied0

        births_out[:, t + 1] = by_sex
        deaths_out[:, t + 1] = (current.sum(axis=-1, dtype=float) - surv.sum(axis=-1, dtype=float)) + (by_sex - infants)
        mig_out[:, t + 1] = applied.sum(axis=-1, dtype=float)
        clip_out[:, t + 1] = mig_out[:, t + 1] - moves.sum(axis=-1, dtype=float)
        if keep_age_components:
            mig_age[:, t + 1] = applied
        current = nxt
        store[t + 1] = current
    pop = np.moveaxis(store, 0, 1)
    out = {
        "population": pop,
        "births": births_out,
        "deaths": deaths_out,
        "net_migration": mig_out,
        "migration_clipped": clip_out,
    }
    if keep_age_components:
        out["migration_by_age"] = mig_age
    return out

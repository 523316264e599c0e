"""Fitting an age-sex table to known margins: raking (IPF), band-constant and smooth age factors.

Two ways to meet a broad-age margin, for two purposes:

- :func:`fit_bands` (and plain :func:`ipf` margins): every age inside a band is multiplied by the
  same factor, so **no person moves across a band edge that the data define**. Used where the
  single-age shape inside the bands already carries the cohort information
  (:mod:`.cohort_shape`): a step at a published edge is then data, not an artefact.
- :class:`AgeBandMargin` (:func:`smooth_age_factor`): a smooth multiplier of age (piecewise linear
  in log, knots at the band mid-points), which spreads a band's excess over its neighbours. Kept for
  the county tilt fit and the resident bases, whose single-age shape is the PCHIP one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...data.base_tables import N_AGES
from ...errors import AnalysisError


@dataclass(frozen=True)
class AgeBandMargin:
    """A broad-age-band margin met by a *smooth* age adjustment (see :func:`smooth_age_factor`).

    ``labels`` (101,) gives the band of each single age (:func:`age_band_labels`), ``targets``
    (B,) the persons required in each band, summed over every other axis of the table (units,
    sexes). ``knots`` (B,) are the ages where the log-multiplier has its free values; by default
    the band mid-points (:func:`band_knots`).
    """

    labels: np.ndarray
    targets: np.ndarray
    knots: np.ndarray | None = None


def band_knots(labels: np.ndarray, profile: np.ndarray | None = None) -> np.ndarray:
    """Knot ages of the smooth band adjustment: the mid-point of each closed band; for the open
    last band (reaching age 100+) the mean age of that band under ``profile`` (persons by age,
    e.g. ≈ 73 for 65+ in China 2020), or the mid-point of its first age and 100 without one."""
    labels = np.asarray(labels)
    ages = np.arange(N_AGES, dtype=float)
    knots = []
    for b in range(int(labels.max()) + 1):
        inside = ages[labels == b]
        if inside[-1] == N_AGES - 1 and profile is not None and np.asarray(profile)[labels == b].sum() > 0:
            w = np.asarray(profile, dtype=float)[labels == b]
            knots.append(float((w * inside).sum() / w.sum()))
        else:
            knots.append(0.5 * (inside[0] + inside[-1]))
    return np.asarray(knots)


def hat_basis(knots: np.ndarray) -> np.ndarray:
    """(101, K) piecewise-linear interpolation weights: ``basis @ c`` is the function with value
    ``c[k]`` at ``knots[k]``, linear between knots and constant beyond the first and last."""
    ages = np.arange(N_AGES, dtype=float)
    eye = np.eye(len(knots))
    return np.stack([np.interp(ages, knots, eye[k]) for k in range(len(knots))], axis=1)


def smooth_age_factor(
    profile: np.ndarray,
    labels: np.ndarray,
    targets: np.ndarray,
    knots: np.ndarray | None = None,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> np.ndarray:
    """Multiplier by single age (101,) that moves ``profile`` onto the band ``targets`` smoothly.

    The log-multiplier is piecewise linear in age with one free value per band at the band's
    knot (:func:`band_knots`), constant below the first and above the last knot, so it has no
    step anywhere (only changes of slope at the knots, none at a band edge). The B values are
    solved by Newton's method on ``log(band sums) = log(targets)`` (B equations, B unknowns; the
    Jacobian is diagonally dominant because each knot lies inside its own band).

    Parameters
    ----------
    profile : array (101,)
        Persons by single age (summed over the other axes of the table).
    labels : int array (101,)
        Band of each age.
    targets : array (B,)
        Persons required in each band (> 0).

    Raises :class:`AnalysisError` if a band has a target ≤ 0 or no persons, or no solution is found.
    """
    x = np.asarray(profile, dtype=float)
    t = np.asarray(targets, dtype=float)
    labels = np.asarray(labels)
    B = len(t)
    if np.any(t <= 0):
        raise AnalysisError("smooth age adjustment: every band needs a positive target")
    L = (labels[None, :] == np.arange(B)[:, None]).astype(float)  # (B, A)
    if np.any(L @ x <= 0):
        raise AnalysisError("IPF: a margin class with a positive total has no seed persons")
    W = hat_basis(band_knots(labels, x) if knots is None else np.asarray(knots, dtype=float))
    c = np.zeros(B)
    logt = np.log(t)

    def resid(c):
        y = x * np.exp(W @ c)
        s = L @ y
        return np.log(s) - logt, y, s

    r, y, s = resid(c)
    for _ in range(max_iter):
        if np.abs(r).max() < tol:
            return np.exp(W @ c)
        J = (L * y[None, :]) @ W / s[:, None]
        step = np.linalg.solve(J, r)
        lam = 1.0
        while True:
            r_new, y_new, s_new = resid(c - lam * step)
            if np.abs(r_new).max() < np.abs(r).max() or lam < 1e-6:
                break
            lam *= 0.5
        c = c - lam * step
        r, y, s = r_new, y_new, s_new
    if np.abs(r).max() < 1e-9:
        return np.exp(W @ c)
    raise AnalysisError(f"smooth age adjustment did not converge (largest log error {np.abs(r).max():.2e})")


def ipf(seed: np.ndarray, constraints: list, tol: float = 1e-9, max_iter: int = 5000) -> np.ndarray:
    """Iterative proportional fitting (raking) of ``seed`` to marginal totals.

    Parameters
    ----------
    seed : array
        Non-negative starting table (persons); its interactions are kept where no margin speaks.
    constraints : list of (labels, targets) or :class:`AgeBandMargin`
        ``labels`` is an int array broadcastable to ``seed.shape`` giving each cell's class in
        this margin (-1 = not part of it); ``targets[c]`` is the required total of class ``c``;
        every class is multiplied by one factor (a step at class edges). An
        :class:`AgeBandMargin` (last axis = single age 0…100+) is met instead by a smooth
        multiplier of age (:func:`smooth_age_factor`), so broad age bands leave no steps at
        their edges; the other margins used here (units, sexes) are constant in age.
    tol : float
        Largest relative margin error accepted.

    Returns
    -------
    The fitted table. Raises :class:`AnalysisError` if the margins cannot be met (e.g. a class
    with a positive target has no seed mass, or the margins contradict each other).
    """
    x = np.asarray(seed, dtype=float).copy()
    smooth = [isinstance(c, AgeBandMargin) for c in constraints]
    labs = [None if sm else np.broadcast_to(np.asarray(c[0]), x.shape).ravel() for c, sm in zip(constraints, smooth)]
    targets = [np.asarray(c.targets if sm else c[1], dtype=float) for c, sm in zip(constraints, smooth)]
    knots = [None] * len(constraints)
    for i, (c, sm) in enumerate(zip(constraints, smooth)):
        if sm:  # knots fixed once, from the seed's age profile, so the fixed point does not move
            profile = x.reshape(-1, x.shape[-1]).sum(axis=0)
            knots[i] = band_knots(c.labels, profile) if c.knots is None else np.asarray(c.knots, dtype=float)
    for t in targets:
        if np.any(t < 0):
            raise AnalysisError("IPF: negative margin total")
    flat = x.ravel()
    A = x.shape[-1]
    for _ in range(max_iter):
        worst = 0.0
        for i, (lab, target) in enumerate(zip(labs, targets)):
            if smooth[i]:
                profile = flat.reshape(-1, A).sum(axis=0)
                sums = np.bincount(np.asarray(constraints[i].labels), weights=profile, minlength=len(target))
                with np.errstate(divide="ignore", invalid="ignore"):
                    rel = np.where(target > 0, np.abs(sums - target) / target, 0.0)
                worst = max(worst, float(rel.max()))
                factor = smooth_age_factor(profile, constraints[i].labels, target, knots[i])
                flat.reshape(-1, A)[...] *= factor[None, :]
                continue
            inside = lab >= 0
            sums = np.bincount(lab[inside], weights=flat[inside], minlength=len(target))
            if np.any((sums <= 0) & (target > 0)):
                raise AnalysisError("IPF: a margin class with a positive total has no seed persons")
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(sums > 0, target / sums, 0.0)
                rel = np.where(target > 0, np.abs(sums - target) / target, 0.0)
            worst = max(worst, float(rel.max()))
            flat[inside] *= factor[lab[inside]]
        if worst < tol:
            return flat.reshape(x.shape)
    raise AnalysisError(f"IPF did not converge (largest margin error {worst:.2e}); margins inconsistent?")


def age_band_labels(bands) -> np.ndarray:
    """Class of each single age 0…100 for bands like ``[(0, 14), (15, 59), (60, None)]``."""
    labels = np.full(N_AGES, -1)
    for i, (first, last) in enumerate(bands):
        labels[first : (N_AGES if last is None else last + 1)] = i
    if np.any(labels < 0):
        raise AnalysisError("age bands must cover 0…100+")
    return labels


def fit_bands(shape: np.ndarray, bands, targets, sex_totals=None) -> np.ndarray:
    """Fit ``shape`` (2, 101) to band totals with one factor per band (and sex), by raking.

    Parameters
    ----------
    shape : array (2, 101)
        Persons (any scale) by sex and single age; gives the shape *inside* each band.
    bands : list of (first, last)
        Age bands covering 0…100+ (``last`` None = open), as in :func:`age_band_labels`.
    targets : array (B,)
        Persons required in each band (both sexes).
    sex_totals : array (2,), optional
        Persons by sex; without it the sex ratio of ``shape`` inside each band is kept.

    Returns the fitted (2, 101) table: inside every band the single-age profile of ``shape`` is
    kept exactly (a common factor per band × sex), so nobody crosses a band edge.
    """
    labels = age_band_labels(bands)
    constraints = [(labels[None, :], np.asarray(targets, dtype=float))]
    if sex_totals is not None:
        constraints.append((np.arange(2)[:, None], np.asarray(sex_totals, dtype=float)))
    return ipf(np.asarray(shape, dtype=float), constraints, tol=1e-12)

"""Graduation: 5-year age groups → single years of age, and interpolation of age schedules.

Method (used for population counts and for age patterns of fertility): a monotone piecewise-cubic
Hermite interpolant (PCHIP, Fritsch & Carlson 1980; ``scipy.interpolate.PchipInterpolator``)
through the *cumulative* counts at the group boundaries, differenced at single years. Because the
cumulative curve is monotone and passes exactly through every boundary, the single-year values are
never negative and add up exactly to each group total. The open group (e.g. 100+) is kept as it is.

Death rates are interpolated differently (:func:`log_linear_rates`): linearly in log m(x) between
the group mid-points, which is the usual choice for a quantity that rises roughly exponentially with
age (Gompertz).
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import AnalysisError


def parse_age_group(label: str) -> tuple[int, int | None]:
    """``'15-19'`` → (15, 19); ``'100+'`` → (100, None); ``'7'`` → (7, 7)."""
    text = str(label).strip()
    match = re.fullmatch(r"(\d+)\s*-\s*(\d+)", text)
    if match:
        first, last = int(match.group(1)), int(match.group(2))
        if last < first:
            raise AnalysisError(f"age group {label!r}: last age before first age")
        return first, last
    match = re.fullmatch(r"(\d+)\s*\+", text)
    if match:
        return int(match.group(1)), None
    if text.isdigit():
        return int(text), int(text)
    raise AnalysisError(f"cannot read age group {label!r}; expected '15-19', '100+' or '7'")


def graduate_counts(starts, counts, max_age: int = 100) -> np.ndarray:
    """Split grouped counts into single years 0…``max_age`` (the last value is ``max_age``+).

    Parameters
    ----------
    starts : sequence of int
        First age of each group, increasing, starting at 0; the last group is open
        (``starts[-1]``+) and must start at or below ``max_age``.
    counts : array_like, shape (..., n_groups)
        Persons (or any non-negative quantity) per group; leading axes are carried along.
    max_age : int
        Last single age; ages ``max_age`` and over are pooled.

    Returns
    -------
    numpy.ndarray, shape (..., max_age + 1)
        Persons by single year; each group total is reproduced exactly.
    """
    from scipy.interpolate import (
        PchipInterpolator,  # imported here: only graduation needs it
    )

    starts = np.asarray(starts, dtype=float)
    counts = np.asarray(counts, dtype=float)
    if starts[0] != 0 or np.any(np.diff(starts) <= 0):
        raise AnalysisError("age groups must start at 0 and increase")
    if starts[-1] > max_age:
        raise AnalysisError(f"the open age group starts at {starts[-1]:.0f}, above {max_age}")
    if np.any(counts < 0):
        raise AnalysisError("cannot graduate negative counts")
    closed = counts[..., :-1]
    bounds = starts  # boundaries 0, 5, …, open start: cumulative counts are known exactly there
    cum = np.concatenate([np.zeros(closed.shape[:-1] + (1,)), np.cumsum(closed, axis=-1)], axis=-1)
    open_start = int(starts[-1])
    ages = np.arange(open_start + 1)
    flat = cum.reshape(-1, cum.shape[-1])
    single = np.empty((flat.shape[0], open_start))
    for i, row in enumerate(flat):  # loop over a handful of series (sex, unit), not over ages
        curve = PchipInterpolator(bounds, row)(ages)
        single[i] = np.diff(curve)
    single = np.clip(single, 0.0, None).reshape(closed.shape[:-1] + (open_start,))
    out = np.zeros(counts.shape[:-1] + (max_age + 1,))
    out[..., :open_start] = single
    # When the open group starts below max_age its split by age is not identified: it is spread
    # evenly over open_start…max_age (a documented limitation; WPP tables open at 100+).
    if open_start == max_age:
        out[..., max_age] = counts[..., -1]
    else:
        width = max_age - open_start
        share = np.full(width + 1, 1.0 / (width + 1))
        out[..., open_start:] = counts[..., -1:] * share
    return out


def graduate_groups(labels, counts, max_age: int = 100) -> np.ndarray:
    """Like :func:`graduate_counts` with labels such as ``['0-4', '5-9', …, '100+']``.

    Labels may also be single years (``'0', '1', …``) mixed with groups, as long as they tile
    0…open age without gaps.
    """
    parsed = [parse_age_group(label) for label in labels]
    order = np.argsort([p[0] for p in parsed])
    parsed = [parsed[i] for i in order]
    counts = np.asarray(counts, dtype=float)[..., order]
    starts = [p[0] for p in parsed]
    for (first, last), (nxt, _) in zip(parsed[:-1], parsed[1:]):
        if last is None or last + 1 != nxt:
            raise AnalysisError(f"age groups do not tile the age range near {first}-{last} / {nxt}")
    if parsed[-1][1] is not None:
        raise AnalysisError("the last age group must be open (e.g. '100+')")
    return graduate_counts(starts, counts, max_age)


def log_linear_rates(starts, rates, max_age: int = 100) -> np.ndarray:
    """Single-year rates from grouped rates, linear in log between group mid-points.

    ``starts`` like ``[0, 1, 5, 10, …, 100]`` (last group open). Ages below 5 take the rate of
    their own group (0 and 1–4 are already narrow); from age 5 the log-rate is interpolated
    at the middle of each single year (x + 0.5) between group mid-points; the open group keeps
    its own rate. Returns shape (..., max_age + 1).
    """
    starts = np.asarray(starts, dtype=float)
    rates = np.asarray(rates, dtype=float)
    if np.any(rates <= 0):
        raise AnalysisError("death rates must be positive for log-linear interpolation")
    widths = np.append(np.diff(starts), np.nan)
    mids = starts + widths / 2.0
    ages = np.arange(max_age + 1)
    out = np.empty(rates.shape[:-1] + (max_age + 1,))
    group_of_age = np.searchsorted(starts, ages, side="right") - 1
    out[...] = rates[..., group_of_age]
    wide = (starts >= 5) & np.isfinite(mids)
    x = mids[wide]
    interp_ages = (ages >= 5) & (ages < starts[-1])
    flat = np.log(rates.reshape(-1, rates.shape[-1]))
    res = out.reshape(-1, max_age + 1)
    for i, row in enumerate(flat):
        res[i, interp_ages] = np.exp(np.interp(ages[interp_ages] + 0.5, x, row[wide]))
    return res.reshape(out.shape)

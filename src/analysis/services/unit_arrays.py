"""Shared plumbing of the service models: per-unit arrays, year-ratio paths and tidy output.

The service models (beds, workforce) compute every quantity per draw as an array
``(draw, year, unit)`` over the 13 county units, append the city as the sum of the units
(:func:`with_city`) and only then take percentiles (:func:`tidy_units`). So uncertainty is
carried through, and every additive quantity of the city equals the sum of the units draw by
draw.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..demography.result import N_AGES, ProjectionResult, percentiles
from ..errors import ParameterError
from ..geography import CITY_ID
from ..scenarios import Rule, Scenario, load_scenario
from ..tidy import COLUMNS

ELDERLY_AGE = 60
"""老年人 = persons aged 60 and over (the plan: "60周岁及以上户籍老年人口", 养老服务 chapter, line 460)."""


def persons(result: ProjectionResult, first: int = 0, last: int | None = None) -> np.ndarray:
    """Persons aged ``first``…``last`` (inclusive, ``None`` = open end) per (draw, year, unit)."""
    stop = N_AGES if last is None else last + 1
    return result.population[..., first:stop].sum(axis=(-1, -2))


def with_city(values: np.ndarray) -> np.ndarray:
    """Append the city (sum over the unit axis, the last one) to an array ``(..., unit)``."""
    values = np.asarray(values, dtype=float)
    return np.concatenate([values, values.sum(axis=-1, keepdims=True)], axis=-1)


def ratio_path(name: str, values: Mapping[Any, float], years) -> np.ndarray:
    """A ratio given for some years, as a value per year of ``years``.

    Linear between the given years; held at the last given value after the last year (the
    plan's targets stop in 2025: after that the 2025 ratio stays unless the scenario gives
    later years); ``NaN`` (missing, no target) before the first given year.

    Parameters
    ----------
    name : str
        Dotted parameter name, used in the error message.
    values : mapping year → ratio
        Keys are calendar years (int or numeric text).
    years : array of int
    """
    try:
        keys = np.array([int(str(k)) for k in values], dtype=int)
    except ValueError:
        raise ParameterError(name, dict(values), "a mapping keyed by calendar year (e.g. 2025: 10)") from None
    if np.any((keys < 1990) | (keys > 2100)):
        raise ParameterError(name, dict(values), "a mapping keyed by calendar years between 1990 and 2100")
    vals = np.array([float(v) for v in values.values()], dtype=float)
    order = np.argsort(keys)
    keys, vals = keys[order], vals[order]
    years = np.asarray(years, dtype=float)
    out = np.interp(years, keys, vals)
    out[years < keys[0]] = np.nan
    return out


def parameters(scenario: Scenario | str | Mapping[str, Any], rules: Mapping[str, Rule]) -> dict[str, Any]:
    """The values of ``rules``' parameters from a scenario, each checked against its rule.

    ``scenario`` is a :class:`~analysis.scenarios.Scenario`, a scenario name, or a plain
    mapping of dotted names (tests). A missing parameter or a value outside its rule raises
    :class:`~analysis.errors.ParameterError` naming the parameter.
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    values = scenario.values if isinstance(scenario, Scenario) else dict(scenario)
    out = {}
    for key, rule in rules.items():
        if key not in values:
            raise ParameterError(key, None, f"a value in the scenario ({rule.allowed()})")
        out[key] = rule.check(key, values[key])
    return out


def tidy_units(unit_ids, years, indicator: str, values, measure: str) -> pd.DataFrame:
    """Tidy rows for one quantity of every unit and the city.

    ``values`` is ``(draw, year, unit+city)`` (percentiles across draws) or ``(year, unit+city)``
    (no uncertainty: p10/p90 are NaN). ``unit_ids`` are the 13 units; the city comes last.
    """
    ids = list(unit_ids) + [CITY_ID]
    values = np.asarray(values, dtype=float)
    years = np.asarray(years, dtype=int)
    if values.ndim == 2:
        pct = {"p10": np.full(values.shape, np.nan), "p50": values, "p90": np.full(values.shape, np.nan)}
    else:
        with np.errstate(invalid="ignore"):
            pct = percentiles(values, axis=0)
    n_t, n_u = len(years), len(ids)
    frame = pd.DataFrame(
        {
            "unit_id": np.repeat(ids, n_t),
            "year": np.tile(years, n_u),
            "indicator": indicator,
            **{k: np.asarray(v).T.ravel() for k, v in pct.items()},
            "measure": measure,
        }
    )
    return frame[COLUMNS]


def broadcast_units(values_by_year: np.ndarray, n_units: int) -> np.ndarray:
    """A per-year value (e.g. a target ratio) repeated for every unit and the city: (year, unit+city)."""
    return np.repeat(np.asarray(values_by_year, dtype=float)[:, None], n_units + 1, axis=1)


def anchor_index(result: ProjectionResult, year: int = 2020) -> int:
    """Index of ``year`` in the projection, or of the first year when ``year`` is not in it."""
    hits = np.flatnonzero(result.years == year)
    return int(hits[0]) if len(hits) else 0


def shares_in_year(values: np.ndarray, t: int) -> np.ndarray:
    """Each unit's share of the city total in year index ``t`` per draw: (draw, unit), sums to 1.

    A city total of zero gives equal shares (nothing to allocate by).
    """
    year = np.asarray(values, dtype=float)[:, t, :]
    total = year.sum(axis=-1, keepdims=True)
    equal = np.full_like(year, 1.0 / year.shape[-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, year / np.where(total > 0, total, 1.0), equal)


def scenario_name(scenario: Scenario | str | Mapping[str, Any]) -> str:
    """The scenario's name for output metadata ('custom' for a plain mapping)."""
    if isinstance(scenario, Scenario):
        return scenario.name
    return scenario if isinstance(scenario, str) else "custom"

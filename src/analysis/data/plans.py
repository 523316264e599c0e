"""Plans as data: every plan is a table of targets in ``data/raw/plans/<plan_id>.csv``.

A plan — the city's 2021–2025 civil-affairs plan, the national 十五五 plan, a bureau's draft of
the 2026–2030 plan — is rows, not code (:func:`analysis.data.schemas.plan_schema`): plan id and
name, level, status (``adopted`` or ``draft``), period, indicator id (from the catalogue,
:mod:`analysis.catalogue`), unit, base, year, target, comparator, binding, base year and value,
source with clause and quote. Adding a plan or a target is adding a file or a row; the ledger,
the odds, the 要点 box and the workbook pick it up with no code change.

Checks beyond the schema (each an error naming file, line and column): one plan per file, named
as the file; the same name, level, status and period on every row; every indicator in the
catalogue; every unit a known unit id, ``quanzhou`` (the city) or ``*`` (the city and every unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import catalogue, config, hooks
from ..errors import AnalysisError, DataValidationError
from ..geography import CITY_ID, all_units, county_ids
from . import schemas
from .reader import read_validated

PLANS_SUBDIR = "plans"
EVERY_UNIT = "*"
HEADER_COLUMNS = ("plan_name_zh", "level", "status", "period_start", "period_end")
DRAFT_MARK_ZH = "草案"


@dataclass(frozen=True)
class Plan:
    """One plan: its identity and its validated target rows."""

    id: str
    name_zh: str
    level: str
    status: str
    period_start: int
    period_end: int
    targets: pd.DataFrame
    path: Path

    @property
    def is_draft(self) -> bool:
        """A draft is never shown as an adopted target: every page marks it 草案."""
        return self.status == "draft"

    @property
    def label_zh(self) -> str:
        """The plan's name for readers, with 草案 where it is a draft."""
        mark = f"（{DRAFT_MARK_ZH} draft）" if self.is_draft and DRAFT_MARK_ZH not in self.name_zh else ""
        return f"{self.name_zh}{mark}"

    def expanded(self, unit_ids: list[str]) -> pd.DataFrame:
        """The targets with ``*`` replaced by one row per unit in ``unit_ids`` (city included)."""
        rows = self.targets
        every = rows[rows["unit_id"] == EVERY_UNIT]
        fixed = rows[(rows["unit_id"] != EVERY_UNIT) & rows["unit_id"].isin(unit_ids)]
        spread = [every.assign(unit_id=u) for u in unit_ids]
        out = pd.concat([fixed, *spread], ignore_index=True)
        return out.sort_values(["indicator_id", "unit_id", "year"], kind="stable").reset_index(drop=True)


def plans_dir() -> Path:
    """``data/raw/plans``: one CSV per plan (pinned with every other raw input)."""
    return config.raw_dir() / PLANS_SUBDIR


def plan_files() -> dict[str, Path]:
    """Plan id → file, for every ``*.csv`` in :func:`plans_dir` (sorted by id)."""
    folder = plans_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.csv")) if p.is_file()}


def _line(index) -> int:
    return int(index) + 2  # the header is line 1


def _check_plan(frame: pd.DataFrame, path: Path, unit_ids: set[str]) -> None:
    for i, value in zip(frame.index, frame["plan_id"]):
        if value != path.stem:
            raise DataValidationError(path, _line(i), "plan_id", f"the file's name {path.stem!r}", repr(value))
    for column in HEADER_COLUMNS:
        first = frame[column].iloc[0]
        differs = frame.index[frame[column] != first]
        if len(differs):
            raise DataValidationError(
                path,
                _line(differs[0]),
                column,
                f"the same value on every row ({first!r})",
                repr(frame.at[differs[0], column]),
            )
    for i, value in zip(frame.index, frame["indicator_id"]):
        if not catalogue.known(value):
            raise DataValidationError(
                path,
                _line(i),
                "indicator_id",
                "an indicator of the catalogue (src/analysis/catalogue/indicators.yaml)",
                repr(value),
            )
    for i, value in zip(frame.index, frame["unit_id"]):
        if value != EVERY_UNIT and value not in unit_ids:
            raise DataValidationError(path, _line(i), "unit_id", "a unit id, 'quanzhou' or '*'", repr(value))


def load_plan(plan_id: str) -> Plan:
    """The plan ``plan_id`` from ``data/raw/plans/<plan_id>.csv``, validated.

    Raises :class:`~analysis.errors.AnalysisError` for an unknown plan (listing the known ones)
    and :class:`~analysis.errors.DataValidationError` naming file, line and column for a bad row.
    """
    files = plan_files()
    if plan_id not in files:
        known = ", ".join(files) or "none"
        raise AnalysisError(f"no plan {plan_id!r} in {plans_dir()}; known plans: {known}")
    path = files[plan_id]
    # read and validated once per warm kernel (analysis.hooks.remembered: every page's 要点 box reads
    # every plan three times; 0.4 s a job); the checks against the units and the catalogue run every time
    frame = hooks.remembered("plan table", path, lambda: read_validated(path, schemas.plan_schema()))
    _check_plan(frame, path, {u.id for u in all_units()})
    first = frame.iloc[0]
    return Plan(
        plan_id,
        str(first["plan_name_zh"]),
        str(first["level"]),
        str(first["status"]),
        int(first["period_start"]),
        int(first["period_end"]),
        frame.reset_index(drop=True),
        path,
    )


def load_plans() -> list[Plan]:
    """Every plan in ``data/raw/plans``, validated (for ``validate`` and the run's checks)."""
    return [load_plan(plan_id) for plan_id in plan_files()]


def period_ends() -> list[int]:
    """The last year of every plan in ``data/raw/plans``, sorted (the close-out year of the plan
    ending, the end of the plan being written, …): the years a page shows beside its own."""
    return sorted({plan.period_end for plan in load_plans()})


def default_plan_id() -> str:
    """The plan a run tracks unless told: the adopted or draft plan of the city whose period
    ends last (the plan being written now), else the latest-ending plan of any level."""
    plans = load_plans()
    if not plans:
        raise AnalysisError(f"no plan files in {plans_dir()}")
    city = [p for p in plans if p.level == "city"] or plans
    return max(city, key=lambda p: (p.period_end, p.status == "adopted", p.id)).id


def previous_plan_id(plan: Plan) -> str | None:
    """The city plan whose period ended just before ``plan``'s began (the one to close out)."""
    earlier = [p for p in load_plans() if p.level == plan.level and p.period_end < plan.period_start]
    return max(earlier, key=lambda p: p.period_end).id if earlier else None


def report_year_of(plan_id: str | None, start_year: int, end_year: int, report_year: int | None = None) -> int:
    """The year the reports lead with: ``report_year`` if given, else the tracked plan's end year,
    clipped to the projection's years."""
    year = report_year or load_plan(plan_id or default_plan_id()).period_end
    return min(max(int(year), start_year), end_year)


def plan_targets_frame(years, plan_ids: list[str] | None = None) -> pd.DataFrame:
    """The targets of the tracked plans as ``unit_id, base, year, indicator, target, target_plan``
    (``base`` empty = both).

    A plan target attaches to the table indicator of the same catalogue id (e.g. ``pop_60plus``,
    ``dibao_to_min_wage_ratio``); a requirement computed from a ratio (``*_required``) never gets
    a target: it is a need, not a performance. Plans come from ``data/raw/plans``
    (:mod:`analysis.data.plans`); default: the city's current plan and the one before it.
    """
    unit_ids = county_ids() + [CITY_ID]
    if plan_ids is None:
        current = load_plan(default_plan_id())
        plan_ids = [p for p in (previous_plan_id(current), current.id) if p]
    frames = []
    for plan_id in plan_ids:
        plan = load_plan(plan_id)
        rows = plan.expanded(unit_ids)
        rows = rows[rows["year"].isin(list(years))]
        frames.append(
            pd.DataFrame(
                {
                    "unit_id": rows["unit_id"],
                    "base": rows["base"],
                    "year": rows["year"].astype(int),
                    "indicator": rows["indicator_id"],
                    "target": rows["target"].astype(float),
                    "target_plan": plan.id,
                }
            )
        )
    columns = ["unit_id", "base", "year", "indicator", "target", "target_plan"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return out[columns].drop_duplicates(["unit_id", "base", "year", "indicator"], keep="last").reset_index(drop=True)


def attach_targets(frame: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Add the ``target`` column to an indicators frame (matching unit, year, indicator, base)."""
    keys = ["unit_id", "year", "indicator"]
    targets = targets.drop(columns="target_plan", errors="ignore")
    both = targets[targets["base"].isna()].drop(columns="base")
    specific = targets[targets["base"].notna()]
    out = frame.merge(both, on=keys, how="left")
    out = out.merge(specific.rename(columns={"target": "_t"}), on=keys + ["base"], how="left")
    out["target"] = out["target"].fillna(out.pop("_t"))
    return out

"""Post-censal registered (户籍) estimates, end-2020 → the latest year, by unit × sex × single age.

The method of a statistical office's annual estimates (US Census Bureau PEP, ONS mid-year
estimates): the base is carried forward one year at a time by its components, and the stock of
each year is then adjusted to every figure observed for that year.

Each year y (31 December y−1 → 31 December y; all dates are registered year-ends):

1. **Deaths** — cohort survival at the national level (UN WPP 2022 m(x) at the WPP e0 path, the
   projection's default level), one step of :func:`~analysis.demography.ccmpp.project_arrays`.
   The registry's own crude death rate (2021: 4.12 ‰) is far below what any life table gives its
   age structure (≈ 6.7 ‰): deaths reach the register late. It is not used as the death
   component; the registered stock absorbs the difference through step 4 and the margins.
2. **Births** — *observed*: the registered crude birth rate × mid-year population (2021: 10.75 ‰);
   *modelled* otherwise: last year's registered births × China's births ratio of the two years
   (NBS, ``registry_annual.csv``; 2022 956万 / 2021 1062万), or × the WPP TFR ratio where no NBS
   figure is dated within the data. The same fertility factor for every unit (no county births).
3. **Net transfers (户口迁移)** — *observed*: the city's year-end total minus survivors and births;
   *modelled*: the mean residual rate of the observed years so far (before any, the 2018–2020
   series' rate, :func:`analysis.demography.migration.registered_transfer_rate`); split over units
   in proportion to their population and over age and sex by the registered transfer profile.
4. **Raking to the margins** of that year (:func:`analysis.demography.base.fitting.ipf`, one factor
   per class so nobody crosses a published age edge): city total, sex split and age groups; unit
   totals (the units not observed share the rest of the city); unit age groups. A figure dated
   inside the year (泉港区 30 September 2024) is carried to 31 December by the unit's modelled
   change over the rest of the year, and flagged ``observed (date-adjusted)``.

A unit total observed after the base whose base total was only estimated (泉港区: 41.5万 at
2024-09-30 against ≈ 30万 carried from the estimated 2020 split) **revises the base** by the
observed ratio and the series is carried again (:func:`revised_base`, the office's revision of its
back series), instead of booking the base's error as one year's transfers into the unit.

**Re-basing**: a registered table by unit × sex × age with a later year-end
(``data/raw/base_population_registered_<year>.csv``, or its ingested vintage) becomes the base of
the estimates from its year on (:func:`latest_base`); :func:`rebase_revision` says what it changed
against the estimate carried from 2020 (city total, 60+, 80+).

The raking adjustment is part of the net transfers (a residual, as in the PEP), so the accounting
identity holds exactly per unit, sex and age: ``P_y[a] = survivors_y[a] + net_y[a]`` with
``survivors_y[a] = S[a−1]·P_{y−1}[a−1]`` (age 0: surviving births), and per unit and sex
``P_y = P_{y−1} + births − deaths + net``. Every estimate is flagged in :attr:`Estimates.status`:
``observed`` (this unit and count at this date), ``observed (date-adjusted)``, ``partly observed``
(other margins of the year constrain it: city figures, other units), ``modelled`` (nothing observed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import loaders
from ..data.base_tables import BasePopulation, base_from_table, real_table_path
from ..errors import AnalysisError
from ..notes import Note, note
from ..scenarios import load_scenario
from . import fertility, lifetable, migration, registry
from .base import estimate_registered_2020
from .base.fitting import ipf
from .ccmpp import project_arrays
from .estimate_margins import margin_targets
from .parameters import DemographyParameters

BASE_YEAR = 2020
#: Counts reported in the status table: name → first age.
COUNTS = {"pop_total": 0, "pop_60plus": 60, "pop_80plus": 80}
STATUS_COLUMNS = ["year", "unit_id", "count", "value", "status", "observed", "source"]


@dataclass
class Estimates:
    """Registered year-end estimates ``years[0]`` (the base) … ``years[-1]``.

    ``population`` (Y, U, 2, 101) persons; ``survivors`` and ``net_by_age`` (Y, U, 2, 101) with
    ``population[t] = survivors[t] + net_by_age[t]`` for t ≥ 1; ``births``, ``deaths``,
    ``net_migration``, ``adjustment`` (Y, U, 2) persons in the year ending at t (NaN at t = 0);
    ``adjustment`` is the raking part of ``net_migration``. ``status``: one row per year, unit
    (and ``quanzhou``) and count with ``value``, ``status``, ``observed`` and ``source``.
    ``used``: the observations the estimates rest on; ``data_up_to``: their cut-off year.
    """

    years: np.ndarray
    unit_ids: list[str]
    population: np.ndarray
    survivors: np.ndarray
    net_by_age: np.ndarray
    births: np.ndarray
    deaths: np.ndarray
    net_migration: np.ndarray
    adjustment: np.ndarray
    status: pd.DataFrame
    used: pd.DataFrame
    data_up_to: int
    base: BasePopulation
    components: dict = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def index(self, year: int) -> int:
        hits = np.flatnonzero(self.years == int(year))
        if not len(hits):
            raise AnalysisError(
                f"no registered estimate for end-{year}: the estimates cover {self.years[0]}–{self.years[-1]}"
            )
        return int(hits[0])

    def base_population(self, year: int) -> BasePopulation:
        """The estimate at the end of ``year`` as a registered base for :func:`project`."""
        t = self.index(year)
        used = self.used[self.used["reference_date"] <= pd.Timestamp(f"{int(year)}-12-31")]
        notes = (
            list(self.base.notes)
            + self.notes
            + [
                note(
                    "origin_estimate",
                    y=year,
                    base_year=self.base.year,
                    figures=len(used),
                    last=f"{used['reference_date'].max():%Y-%m-%d}",
                )
                if len(used)
                else note("origin_carried" if t else "origin_base", y=year, base_year=self.base.year)
            ]
        )
        diagnostics = dict(self.base.diagnostics)
        diagnostics.update({"origin_year": int(year)})
        return BasePopulation(
            self.population[t].copy(),
            list(self.unit_ids),
            int(year),
            "registered",
            bool(self.base.estimated or t > 0),
            notes,
            dict(self.base.unit_total_estimated),
            diagnostics,
        )

    def births_in(self, year: int) -> float:
        """City registered births in ``year`` (persons); for the base year, :func:`_base_births`."""
        t = self.index(year)
        return _base_births(self.base) if t == 0 else float(self.births[t].sum())

    def city_rate(self, name: str, year: int) -> float:
        """City crude rate (‰) of ``births``/``deaths``/``net_migration`` in ``year``, on the mid-year stock."""
        t = self.index(year)
        mid = 0.5 * (self.population[t - 1].sum() + self.population[t].sum())
        return 1000.0 * float(getattr(self, name)[t].sum()) / mid


def _survival(year: int) -> tuple[np.ndarray, np.ndarray]:
    """National survival (2, 101) and birth survival (2,) of ``year`` at the WPP e0 (the projection's
    default level, gain 0)."""
    std = lifetable.standard_mx([year])
    S, Sb, _ = lifetable.survival_at_e0(std[:, None], lifetable.e0_path([year])[:, None, :])
    return S[0, 0], Sb[0, 0]


def _step(pop: np.ndarray, year: int, births: float, net: float, profile: np.ndarray) -> dict:
    """One year of :func:`project_arrays` with city ``births`` and ``net`` transfers (persons)."""
    S, Sb = _survival(year)
    pattern = fertility.asfr_pattern([year])[0]
    srb = fertility.sex_ratio_at_birth([year])
    share = pop.sum(axis=(1, 2)) / pop.sum()
    mig = profile[None, None]
    scale = (net * share)[None]

    def run(factor):
        return project_arrays(
            pop,
            S[None, None, None],
            Sb[None, None, None],
            (pattern * factor)[None, None, None],
            srb[:, None, None],
            mig,
            migration_scale=scale,
            keep_age_components=True,
        )

    unit = run(1.0)["births"][0, 1].sum()
    return run(births / unit)


def registered_estimates(
    last_year: int | None = None,
    data_up_to: int | None = None,
    base: BasePopulation | None = None,
    params: DemographyParameters | None = None,
    revise_base: bool = True,
) -> Estimates:
    """Registered year-end estimates from the base (default: the 2020 estimate) to ``last_year``
    (default: the last year of any registry figure), using only figures dated on or before
    31 December of ``data_up_to`` (default ``last_year``). See the module docstring for the method.

    ``revise_base``: a unit total observed after the base revises the base's estimated unit split
    (:func:`revised_base`) and the series is carried again, so that the base's error is not booked
    as one year's transfers. ``base``: a new base (e.g. a registry table by age and sex at a later
    year-end, :func:`rebase`); the estimates then start at its year.
    """
    cutoff = data_up_to if data_up_to is not None else last_year if last_year is not None else latest_data_year()
    obs_all = registry.observations(cutoff)
    bp = base or latest_base(int(cutoff))
    if last_year is None:
        last_year = max(int(obs_all["year"].max()) if len(obs_all) else bp.year, bp.year)
    data_up_to = int(last_year if data_up_to is None else data_up_to)
    if last_year < bp.year:
        raise AnalysisError(f"estimates start at the {bp.year} base: last_year {last_year}")
    if bp.base != "registered":
        raise AnalysisError(f"registered estimates need a registered base, not {bp.base}")
    params = params or DemographyParameters.from_scenario(load_scenario("baseline"))
    obs_all = obs_all[obs_all["reference_date"] > pd.Timestamp(f"{bp.year}-12-31")]
    est = _carry(bp, obs_all, int(last_year), data_up_to, params)
    if bp.year > BASE_YEAR and base is None:
        est.components["rebase"] = rebase_revision(bp, params)
        est.notes.insert(0, est.components["rebase"].pop("record"))
    if not revise_base:
        return est
    revised, revision_notes = revised_base(bp, est)
    if revised is None:
        return est
    again = _carry(revised, obs_all, int(last_year), data_up_to, params)
    again.notes = revision_notes + again.notes
    again.components = {**est.components, "unrevised": est}
    return again


def latest_data_year() -> int:
    """The last year with a registry figure or a registered base table (the latest possible origin)."""
    obs = registry.observations()
    last = int(obs["year"].max()) if len(obs) else BASE_YEAR
    later = [y for y in range(BASE_YEAR + 1, last + 6) if real_table_path("registered", y).exists()]
    return max([last] + later)


def latest_base(up_to: int) -> BasePopulation:
    """The newest registered base dated on or before the end of ``up_to``: a real table by unit × sex
    × age (``data/raw/base_population_registered_<year>.csv`` or its ingested vintage — a bureau's full
    registry table, or a census or survey table on the registered definition) re-bases the estimates
    at its year; without one, the estimated 2020 base."""
    for year in range(int(up_to), BASE_YEAR, -1):
        path = real_table_path("registered", year)
        if path.exists():
            return base_from_table(path, "registered", year, source=path.name)
    return estimate_registered_2020()


def rebase_revision(bp: BasePopulation, params: DemographyParameters) -> dict:
    """What a new base changed: the estimate carried from 2020 to the new base's year-end against it
    (city total, 60+, 80+: persons and %), with a one-line ``note`` for the run's index."""
    old = registered_estimates(bp.year, bp.year, estimate_registered_2020(), params).population[-1]
    out = {"base_year": int(bp.year), "source": str(bp.notes[0] if bp.notes else "table")}
    counts, before_after, pct = [], [], []
    for count, first in COUNTS.items():
        before, after = float(old[..., first:].sum()), float(bp.population[..., first:].sum())
        out[count] = {
            "before": before,
            "after": after,
            "change": after - before,
            "change_pct": 100.0 * (after - before) / before,
        }
        counts.append(count)
        before_after.append((before, after))
        pct.append(100.0 * (after - before) / before)
    record = note(
        "rebased",
        y=int(bp.year),
        base_year=BASE_YEAR,
        counts=counts,
        before=[b for b, _ in before_after],
        after=[a for _, a in before_after],
        pct=pct,
    )
    out["note"], out["record"] = str(record), record  # the record goes to the notes, the sentence to the index
    return out


def revised_base(bp: BasePopulation, est: Estimates) -> tuple[BasePopulation | None, list[Note]]:
    """The base with the estimated totals of units observed later revised by their observed ratio.

    For each unit whose base total is estimated (``bp.unit_total_estimated``) and whose total is
    observed at a later year-end, r = raked / carried (the total the margins required against the
    total the components carried to that date, first observation). The base's unit total × r; the
    other estimated units share what is left so the city total stays; the city sex × age table is
    kept (raking). None if no unit needs a revision.
    """
    st = est.status
    hits = st[(st["count"] == "pop_total") & st["status"].str.startswith("observed") & (st["unit_id"] != registry.CITY)]
    ratios = {}
    for r in hits.sort_values("year").itertuples(index=False):
        if r.unit_id in ratios or not bp.unit_total_estimated.get(r.unit_id, False):
            continue
        t, u = est.index(r.year), est.unit_ids.index(r.unit_id)
        carried = est.population[t, u].sum() - est.adjustment[t, u].sum()
        ratios[r.unit_id] = est.population[t, u].sum() / carried
    if not ratios:
        return None, []
    totals = bp.population.sum(axis=(1, 2))
    new = totals.copy()
    fixed = np.array([u in ratios or not bp.unit_total_estimated.get(u, False) for u in bp.unit_ids])
    for u, r in ratios.items():
        new[bp.unit_ids.index(u)] *= r
    free = ~fixed
    if not free.any() or totals.sum() - new[fixed].sum() <= 0:
        raise AnalysisError("revising the registered base: the observed units leave nothing for the others")
    new[free] *= (totals.sum() - new[fixed].sum()) / totals[free].sum()
    city = bp.population.sum(axis=0)
    U, _, A = bp.population.shape
    labels_sa = (np.arange(2)[:, None] * A + np.arange(A)[None, :])[None].repeat(U, axis=0)
    pop = ipf(bp.population, [(np.arange(U)[:, None, None], new), (labels_sa, city.ravel())], tol=1e-10)
    notes = [
        note(
            "base_revised",
            y=bp.year,
            units=list(ratios),
            ratios=list(ratios.values()),
            before=[totals[bp.unit_ids.index(u)] for u in ratios],
            after=[new[bp.unit_ids.index(u)] for u in ratios],
        )
    ]
    diagnostics = dict(bp.diagnostics)
    diagnostics["registered_base_revision"] = {u: float(r) for u, r in ratios.items()}
    return BasePopulation(
        pop,
        list(bp.unit_ids),
        bp.year,
        bp.base,
        True,
        list(bp.notes) + notes,
        dict(bp.unit_total_estimated),
        diagnostics,
    ), notes


def _carry(
    bp: BasePopulation, obs_all: pd.DataFrame, last_year: int, data_up_to: int, params: DemographyParameters
) -> Estimates:
    """Steps 1–4 of the module docstring from ``bp`` (end of ``bp.year``) to the end of ``last_year``."""
    profile = migration.age_sex_profile(
        params.migration_peak_age, params.migration_female_share, params.registered_transfer_share_60plus
    )
    nat = {y: b for y, b in registry.national_births().items() if y <= data_up_to}
    years = np.arange(bp.year, last_year + 1)
    Y, (U, _, A) = len(years), bp.population.shape
    pop = np.zeros((Y, U, 2, A))
    pop[0] = bp.population
    surv, net_age = np.full_like(pop, np.nan), np.full_like(pop, np.nan)
    births, deaths, net, adj = (np.full((Y, U, 2), np.nan) for _ in range(4))
    status, used, notes, rates = [], [], [], []
    fallback, _ = migration.registered_transfer_rate()
    for t, year in enumerate(years[1:], start=1):
        obs = obs_all[obs_all["reference_date"].dt.year == year]
        city = {r.indicator: r.value for r in obs[obs["unit_id"] == registry.CITY].itertuples()}
        p0 = pop[t - 1].sum()
        observed_total = city.get(registry.TOTAL)
        if "registered_crude_birth_rate" in city:
            b_city, b_how = city["registered_crude_birth_rate"] / 1000 * 0.5 * (p0 + (observed_total or p0)), "observed"
        else:
            prev = births[t - 1].sum() if t > 1 else _base_births(bp)
            if year in nat and year - 1 in nat:
                ratio, why = nat[year] / nat[year - 1], f"China's births {year}/{year - 1} (NBS)"
            else:
                tfr = fertility.national_tfr([year - 1, year])
                ratio, why = tfr[1] / tfr[0], "WPP 2022 TFR ratio"
            b_city, b_how = prev * ratio, f"modelled ({why})"
        rate = float(np.mean(rates)) if rates else fallback
        first = _step(pop[t - 1], year, b_city, rate * p0, profile)
        if observed_total is not None:
            stock = first["population"][0, 1]
            mig_total = observed_total - (stock.sum() - first["net_migration"][0, 1].sum())
            first = _step(pop[t - 1], year, b_city, mig_total, profile)
            rates.append(mig_total / (0.5 * (p0 + observed_total)))
        stock = first["population"][0, 1]
        constraints, met = margin_targets(obs, year, stock, pop[t - 1], list(bp.unit_ids))
        raked = ipf(stock, constraints, tol=1e-10) if constraints else stock
        pop[t] = raked
        mig_age = first["migration_by_age"][0, 1]
        surv[t] = stock - mig_age
        net_age[t] = raked - surv[t]
        births[t], deaths[t] = first["births"][0, 1], first["deaths"][0, 1]
        net[t] = net_age[t].sum(axis=-1)
        adj[t] = (raked - stock).sum(axis=-1)
        used.append(obs)
        notes.append(
            note(
                "estimate_year",
                y=year,
                births=b_city,
                how=b_how,
                deaths=deaths[t].sum(),
                net=net[t].sum(),
                raked=0.5 * np.abs(raked - stock).sum(),
                figures=len(obs),
            )
        )
        status += _status_rows(year, raked, met, obs, list(bp.unit_ids))
    used_frame = pd.concat(used, ignore_index=True) if used else obs_all.iloc[:0]
    return Estimates(
        years,
        list(bp.unit_ids),
        pop,
        surv,
        net_age,
        births,
        deaths,
        net,
        adj,
        pd.DataFrame(status, columns=STATUS_COLUMNS),
        used_frame,
        data_up_to,
        bp,
        notes=notes,
    )


def _base_births(bp: BasePopulation) -> float:
    """Registered births of the base year, persons: 2020, the published crude birth rate × the
    end-2020 total; a later base, its persons aged 0 at the year-end over their birth survival."""
    if bp.year == BASE_YEAR:
        cbr = loaders.fact(loaders.load_registered(), "泉州市", "registered_crude_birth_rate", BASE_YEAR)
        return cbr / 1000.0 * bp.population.sum()
    _, Sb = _survival(bp.year)
    return float((bp.population[:, :, 0].sum(axis=0) / Sb).sum())


def _status_rows(year: int, stock: np.ndarray, met: dict, obs: pd.DataFrame, unit_ids: list[str]) -> list[dict]:
    rows = []
    any_obs = len(obs) > 0
    for uid in [registry.CITY, *unit_ids]:
        part = stock if uid == registry.CITY else stock[unit_ids.index(uid)]
        for count, first in COUNTS.items():
            hit = met.get((uid, first))
            src = obs[
                (obs["unit_id"] == uid)
                & (obs["indicator"].map(lambda i: registry.FIRST_AGE.get(i, 0 if i == registry.TOTAL else -1)) == first)
            ]
            rows.append(
                {
                    "year": year,
                    "unit_id": uid,
                    "count": count,
                    "value": float(part[..., first:].sum()),
                    "status": hit[1] if hit else ("partly observed" if any_obs else "modelled"),
                    "observed": hit[0] if hit else np.nan,
                    "source": src["source"].iloc[0] if hit and len(src) else "",
                }
            )
    return rows

"""Base populations by unit × sex × single age 0…100+ — estimated where no real table exists.

One module per job:

- :mod:`.cohort_shape` — national single-age shapes from birth cohorts (WPP 2024 births × survival
  inside the WPP 2019 5-year groups), and the old smooth (PCHIP) shape for comparison;
- :mod:`.fitting` — raking (IPF), band-constant factors and the smooth age factor;
- :mod:`.county` — the 2020 resident base: census margins, county totals, county age structures;
- :mod:`.registered` — the registered (户籍) city base by cohort accounting from the registry's
  figures; :mod:`.registered_county` — its county split;
- :mod:`.census2010` — the 2010 resident base of the backtest;
- :mod:`.uncertainty` — draws of the estimated base for the projection's bands.

:func:`load_base_population` returns a real table where one exists (:mod:`analysis.data.base_tables`)
and the documented estimate otherwise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ... import geography
from ...data import loaders
from ...data.base_tables import (
    N_AGES,
    SEXES,
    BasePopulation,
    base_from_table,
    real_table_path,
    unit_index,
)
from ...errors import ParameterError
from .census2010 import estimate_resident_2010
from .cohort_shape import cohort_shape, pchip_shape
from .county import (
    RESIDENT_BANDS_2020,
    TILT_BOUND,
    census_margins_2020,
    crude_death_rate,
    estimate_resident_2020,
    fit_county_age_structure,
    mortality_schedule,
    resident_unit_totals_2020,
)
from .fitting import (
    AgeBandMargin,
    age_band_labels,
    band_knots,
    fit_bands,
    ipf,
    smooth_age_factor,
)
from .registered import accounting_notes, city_registered_2020
from .registered_county import split_registered

__all__ = ["N_AGES", "SEXES", "BasePopulation", "load_base_population", "base_from_table", "unit_index",
           "estimate_resident_2020", "estimate_registered_2020", "estimate_resident_2010", "crude_death_rate",
           "mortality_schedule", "cohort_shape", "pchip_shape", "RESIDENT_BANDS_2020", "TILT_BOUND",
           "census_margins_2020", "fit_county_age_structure", "resident_unit_totals_2020", "AgeBandMargin",
           "age_band_labels", "band_knots", "fit_bands", "ipf", "smooth_age_factor"]


def published_registered_totals(year: int = 2020) -> tuple[dict[str, float], list[str]]:
    """Registered unit totals published on or before ``year`` (``registered_by_county.csv``),
    carried to the end of ``year`` by the city's registered growth (an estimate), persons."""
    table = loaders.load_registered_county()
    rows = table[(table["indicator"] == "registered_population") & (table["year"] <= year)]
    city = loaders.load_registered()
    city_tot = {int(r.year): float(r.value) for r in city[(city["indicator"] == "registered_population")
                                                           & (city["geography"] == "泉州市")].itertuples()}
    years = sorted(city_tot)
    out, notes = {}, []
    for name, grp in rows.groupby("geography"):
        latest = grp.sort_values("year").iloc[-1]
        value = float(latest["value"]) * (1e4 if latest["unit"] == "10k persons" else 1.0)
        growth = city_tot[year] / float(np.interp(int(latest["year"]), years, [city_tot[y] for y in years]))
        out[geography.resolve(name).id] = value * growth
        notes.append(f"{name}: registered total {value:,.0f} at end-{int(latest['year'])} (published, "
                     f"third-party copy) carried to end-{year} by the city's registered growth ×{growth:.4f} "
                     f"→ {value * growth:,.0f}.")
    return out, notes


def estimate_registered_2020(resident: BasePopulation | None = None, shape: str = "cohort",
                             p80_method: str = "cohort_survival") -> BasePopulation:
    """Estimated end-2020 registered (户籍) base: the city by cohort accounting
    (:mod:`.registered`), split over units (:mod:`.registered_county`)."""
    resident = resident or estimate_resident_2020()
    city, acc = city_registered_2020(shape, p80_method)
    known, known_notes = published_registered_totals(2020)
    pop, flags = split_registered(city, resident, known)
    estimated = [uid for uid, est in flags.items() if est]
    notes = accounting_notes(acc) + known_notes + [
        f"Registered totals of {len(estimated)} units are NOT PUBLISHED and ESTIMATED: the rest of the city total "
        "in proportion to the unit's resident population × the city's registered/resident ratio by sex and age "
        "(weak for units that send or receive many migrants; its error is in the uncertainty draws).",
    ]
    notes += [n for n in resident.notes if "crude death rate" in n or "Mortality level" in n]
    diagnostics = dict(resident.diagnostics)
    diagnostics.update({"registered_accounting_gap_2019": acc.gap_2019,
                        "registered_rolled_60plus_2019": float(acc.rolled_2019[:, 60:].sum()),
                        "registered_anchor_year": 2019,
                        "registered_published_units": sorted(known)})
    return BasePopulation(pop, list(resident.unit_ids), 2020, "registered", True, notes, flags, diagnostics)


def load_base_population(base: str = "resident", year: int = 2020,
                         table: pd.DataFrame | str | Path | None = None) -> BasePopulation:
    """The base population: a supplied/real table if there is one, else the documented estimate."""
    if base not in ("resident", "registered"):
        raise ParameterError("base", base, "'resident' or 'registered'")
    if table is not None:
        return base_from_table(table, base, year)
    path = real_table_path(base, year)
    if path.exists():
        return base_from_table(path, base, year, source=str(path.name))
    if (base, year) == ("resident", 2020):
        return estimate_resident_2020()
    if (base, year) == ("registered", 2020):
        return estimate_registered_2020()
    if (base, year) == ("resident", 2010):
        return estimate_resident_2010()
    raise ParameterError("start_year", year, f"a year with a base population for {base!r}: 2020"
                         + (" or 2010" if base == "resident" else ""))


def county_data_status() -> pd.DataFrame:
    """Which 2020 county figures are published and which are estimated, per unit (for the reports).

    Columns: ``unit_id``, ``常住总人口 resident total``, ``常住年龄结构 resident ages``,
    ``户籍总人口 registered total``, ``户籍年龄结构 registered ages`` — each cell a short label.
    """
    resident = estimate_resident_2020()
    known, _ = published_registered_totals(2020)
    registered_rows = loaders.load_registered_county()
    rows = []
    for unit in geography.county_units():
        derived = unit.id == "taishang"
        res_total = "推算 derived" if derived else ("估计 estimated" if resident.unit_total_estimated[unit.id]
                                                    else "公布 published (七普)")
        ages = "公布 published (七普 shares)" if unit.id == "jinjiang" else "估计 estimated (死亡率倾斜 CDR tilt)"
        if unit.id in known:
            year = int(registered_rows[(registered_rows["geography"] == unit.name_zh)
                                       & (registered_rows["year"] <= 2020)]["year"].max())
            reg_total = f"公布 published ({year}年末, 推至2020 carried to 2020)"
        else:
            reg_total = "估计 estimated (常住 × 全市户籍/常住比)"
        rows.append({"unit_id": unit.id, "地区 unit": unit.name_zh, "常住总人口 resident total": res_total,
                     "常住年龄结构 resident ages": ages, "户籍总人口 registered total": reg_total,
                     "户籍年龄结构 registered ages": "估计 estimated (全市队列推算 × 县结构)"})
    return pd.DataFrame(rows)

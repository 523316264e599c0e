"""Independent cohort accounting of Quanzhou's registered (户籍) 60+ and 80+, end-2017 → 2030.

Written separately from the engine (no import of ``analysis``): it reads the raw CSVs itself,
uses the UN WPP 2022 m(x) of 2015–20 by 5-year group (log-linear between group mid-ages, no
levelling, no interpolation in time) and the national births per year (UN WPP 2024) to size
the cohorts entering 60. Run from the repository root::

    python tests/reference/make_registered_accounting.py

It writes ``tests/reference/registered_accounting.csv``: for each year-end, the 60+ and 80+
aged forward from end-2017 (``from_2017``) and from the plan's anchor (60+ = 1.11 M at end-2019,
``from_anchor``: the elderly of the first path rescaled to the anchor, the entrants unchanged),
for two end-2017 structures inside 60–79 (column ``ages_60_79``): ``flat`` (one factor for the
band) and ``continuous`` (the ratio to China linear in age from 60 and equal to the 80+ ratio
at 80, the band total kept).

Accounting per year: 60+(t) = survivors of 60+(t−1) + survivors of the persons aged 59 at t−1.
At end-2017 each band (0–59 = total − 60+, 60–79, 80+) is spread over single ages like China's
population (:func:`national_end_2017`: WPP 2019 mid-2015 5-year groups, shared among their birth
cohorts by national births, survived to end-2017).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
OUT = Path(__file__).with_name("registered_accounting.csv")


def rows(name):
    with open(RAW / name, encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def fact(name, indicator, year):
    for r in rows(name):
        if r["geography"] == "泉州市" and r["indicator"] == indicator and int(r["year"]) == year:
            return float(r["value"])
    raise KeyError(indicator, year)


def death_rates():
    """m(sex, age 0…100) for 2015–20: the WPP 5-year rates interpolated log-linearly between the
    group mid-ages (constant beyond the first and last), written here without the engine's code."""
    mids, logm = {0: [], 1: []}, {0: [], 1: []}
    for r in rows("life_table.csv"):
        if r["indicator"] == "mx_central_death_rate" and r["period"] == "2015-2020":
            s = 0 if r["sex"] == "male" else 1
            a = int(r["age_start"])
            width = 1 if a == 0 else 4 if a == 1 else 5
            mids[s].append(a + width / 2)
            logm[s].append(np.log(float(r["value"])))
    m = np.zeros((2, 101))
    for s in (0, 1):
        order = np.argsort(mids[s])
        m[s] = np.exp(np.interp(np.arange(101) + 0.5, np.array(mids[s])[order], np.array(logm[s])[order]))
    return m


def national_end_2017(births, p_both):
    """China by single age at end-2017: the WPP 2019 mid-2015 5-year group of each cohort (the age
    2.5 years earlier), shared among its cohorts by births, survived 2.5 years."""
    groups = {}
    for r in rows("wpp2019_china_population_age5_sex.csv"):
        if int(r["year"]) == 2015:
            start = int(r["age_group"].split("-")[0].rstrip("+"))
            groups[start] = groups.get(start, 0.0) + float(r["value"]) * 1000
    out = np.zeros(101)
    members = {}
    for a in range(3, 101):
        g = min(int((a - 2.5) // 5) * 5, 100)
        members.setdefault(g, []).append(a)
    for g, ages in members.items():
        b = np.array([births.get(2017 - a, births[1950]) for a in ages])
        out[ages] = groups[g] * b / b.sum() * (5 if g < 100 else 1) / len(ages) * p_both[ages] ** 2.5
    out[:3] = [births[2017 - a] * p_both[0] for a in range(3)]  # born after mid-2015
    return out


def age_one_year(pop, p):
    new = np.zeros_like(pop)
    new[1:] = pop[:-1] * p[:-1]
    new[-1] += pop[-1] * p[-1]
    return new


def main():
    births = {int(r["year"]): float(r["value"]) * 1000 for r in rows("wpp2024_china_births_by_year.csv")}
    p = np.exp(-death_rates())
    p_both = 0.5 * (p[0] + p[1])  # one-year survival by age, sexes averaged
    p60 = fact("registered_elderly.csv", "registered_pop_60plus", 2017)
    p80 = fact("registered_elderly.csv", "registered_pop_80plus", 2017)
    total = p60 / (fact("registered_elderly.csv", "registered_share_60plus", 2017) / 100)
    ages = np.arange(101)
    w = national_end_2017(births, p_both)
    flat = np.zeros(101)
    for lo, hi, target in ((0, 60, total - p60), (60, 80, p60 - p80), (80, 101, p80)):
        flat[lo:hi] = target * w[lo:hi] / w[lo:hi].sum()
    # continuous: ratio r(a) = r80 + slope × (80 − a) on 60–79, r80 the 80+ band's ratio
    r80 = p80 / w[80:].sum()
    dist = 80 - ages[60:80]
    slope = ((p60 - p80) - r80 * w[60:80].sum()) / (w[60:80] * dist).sum()
    continuous = flat.copy()
    continuous[60:80] = w[60:80] * (r80 + slope * dist)
    records = []
    for variant, pop in (("flat", flat), ("continuous", continuous)):
        records.append((2017, "from_2017", variant, pop))
        for year in range(2018, 2031):
            pop = age_one_year(pop, p_both)
            records.append((year, "from_2017", variant, pop))
        # from the plan's anchor: the end-2019 elderly rescaled to 1.11 M, the younger ages as they are
        at2019 = dict((y, q) for y, _, v, q in records if v == variant)[2019]
        scale = np.where(ages >= 60, 1_110_000 / at2019[60:].sum(), 1.0)
        pop = at2019 * scale
        records.append((2019, "from_anchor", variant, pop))
        for year in range(2020, 2031):
            pop = age_one_year(pop, p_both)
            records.append((year, "from_anchor", variant, pop))
        print(f"{variant}: 60+ end-2019 from 2017 = {at2019[60:].sum():,.0f} (plan 1,110,000)")
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["year_end", "path", "ages_60_79", "registered_60plus", "registered_80plus"])
        for year, path, variant, q in records:
            out.writerow([year, path, variant, round(q[60:].sum()), round(q[80:].sum())])
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

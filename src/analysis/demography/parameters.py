"""Scenario parameters of the population engine (the ``demography`` section of a scenario).

Every value sits in ``scenarios/<name>.yaml`` as ``{value, source}``; :data:`PARAMETER_RULES`
gives the allowed range (an impossible value raises :class:`~analysis.errors.ParameterError`
naming the parameter and the range). :func:`draw_parameters` turns the central values and their
spreads into per-draw values with a seeded generator (same seed → same numbers):

- TFR multiplier: log-normal, median ``tfr_multiplier``, ``sd(log) = tfr_sd``;
- extra life-expectancy gain (years of e0 per calendar year, added to the WPP path):
  normal, mean ``e0_gain_per_year``, sd ``e0_gain_sd``;
- migration scale (multiplies the calibrated net migration): normal, mean
  ``net_migration_scale``, sd ``net_migration_sd``;
- mortality level (``mortality_level_z``, a standard normal from its own generator, ``seed + 2``,
  so the other columns stay as they were): the projection shifts every draw's e0 by
  ``z · mortality_level_sd`` × the gap between the national and the yearbook-death-rate levels;
- oldest-old mortality factor (hazards at ages 95+ of the registered base, issue 26): log-normal,
  median ``oldest_old_mortality_factor``, ``sd(log) = oldest_old_mortality_sd``, from its own
  generator (``seed + 3``), so the columns above stay as they were.

Each draw keeps its values for the whole horizon (fully correlated in time), which gives wider,
more honest bands for cumulative quantities than independent yearly noise. With ``draws=1`` the
central values are used and there is no randomness.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..scenarios import Rule

MIN_YEAR, MAX_YEAR = 2020, 2050
MORTALITY_LEVELS = ("national", "yearbook_cdr_2021")
E0_RANGE = (20.0, 110.0)

PARAMETER_RULES: dict[str, Rule] = {
    "demography.horizon": Rule(
        MIN_YEAR + 1, MAX_YEAR, kind="int", description="last projected year (1 November); base year is 2020"
    ),
    "demography.tfr_multiplier": Rule(
        0.0,
        5.0,
        description=(
            "multiplies the calibrated TFR path of every unit (1 = WPP medium path at Quanzhou's "
            "calibrated level); a TFR cannot be negative"
        ),
    ),
    "demography.tfr_sd": Rule(0.0, 1.0, description="sd of log TFR multiplier across draws"),
    "demography.mortality_level": Rule(
        kind="str",
        choices=MORTALITY_LEVELS,
        description=(
            "where the level of mortality comes from: 'national' = the UN WPP 2022 China e0 path; "
            "'yearbook_cdr_2021' = estimated from Quanzhou's 2021 crude death rates (yearbook 2022 table 3-5) "
            "with the estimated age structure"
        ),
    ),
    "demography.e0_offset": Rule(
        -30.0,
        30.0,
        description=(
            "years added to the life expectancy of the chosen mortality level (Quanzhou's own e0 is not "
            f"published); the resulting e0 must stay within {E0_RANGE[0]:g}–{E0_RANGE[1]:g} years"
        ),
    ),
    "demography.e0_gain_per_year": Rule(
        -1.0, 1.0, description=("extra years of life expectancy per calendar year on top of the WPP medium path")
    ),
    "demography.e0_gain_sd": Rule(0.0, 0.5, description="sd of the extra e0 gain across draws (years/year)"),
    "demography.net_migration_scale": Rule(
        -5.0, 5.0, description=("multiplies the calibrated annual net migration of every unit (1 = calibrated level)")
    ),
    "demography.net_migration_sd": Rule(0.0, 5.0, description="sd of the migration scale across draws"),
    "demography.migration_female_share": Rule(0.0, 100.0, description=("percent of net migrants who are female")),
    "demography.migration_peak_age": Rule(
        12.0, 40.0, description=("age of the labour-force peak (mu2) of the Rogers–Castro migration profile")
    ),
    "demography.migration_share_60plus": Rule(
        0.1, 40.0, description=("percent of resident net migrants aged 60+ (sets the Rogers–Castro constant term)")
    ),
    "demography.registered_transfer_share_60plus": Rule(
        0.1, 40.0, description=("percent of net registered (户籍) transfers aged 60+")
    ),
    "demography.base_elderly_sd_pct": Rule(
        0.0, 20.0, description=("sd (percent) of the registered base's 60+ level across draws")
    ),
    "demography.base_80plus_sd_pct": Rule(
        0.0, 30.0, description=("sd (percent) of the registered base's 80+ within its 60+ across draws")
    ),
    "demography.base_entrant_sd_pct": Rule(
        0.0, 30.0, description=("sd (percent) of the base's cohorts aged 40–59 (the entrants to 60+) across draws")
    ),
    "demography.base_county_sd_log_resident": Rule(
        0.0, 1.0, description=("sd of log of the estimated resident county totals across draws")
    ),
    "demography.base_county_sd_log_registered": Rule(
        0.0, 1.0, description=("sd of log of the estimated registered county totals across draws")
    ),
    "demography.base_structure_sd_pct": Rule(
        0.0,
        50.0,
        description=(
            "sd (percent) of an estimated county age structure's 60+ count across draws (units kept, city kept)"
        ),
    ),
    "demography.base_famine_depth_sd": Rule(
        0.0,
        1.0,
        description=(
            "sd of the depth of the 1959–61 famine trough (and its rebound) in the base, as a fraction of China's "
            "(analysis.demography.base.uncertainty.famine_draw); one draw for the city"
        ),
    ),
    "demography.mortality_level_sd": Rule(
        0.0,
        2.0,
        description=(
            "sd of the mortality level across draws, as a fraction of the e0 gap between the national level and "
            "the level the 2021 yearbook death rates imply; one draw for the city"
        ),
    ),
    "demography.oldest_old_mortality_factor": Rule(
        0.2,
        2.0,
        description=(
            "multiplies the death rates at ages 95+ (and the open 100+) of the registered (户籍) projection; "
            "1 = the national WPP schedule with its Kannisto tail (analysis.demography.oldest_old_fit)"
        ),
    ),
    "demography.oldest_old_mortality_sd": Rule(
        0.0, 1.0, description=("sd of the log of the oldest-old mortality factor across draws")
    ),
}

KEYS = [k.split(".", 1)[1] for k in PARAMETER_RULES]


@dataclass(frozen=True)
class DemographyParameters:
    """The ``demography.*`` values of one scenario (see :data:`PARAMETER_RULES` for units)."""

    horizon: int
    tfr_multiplier: float
    tfr_sd: float
    mortality_level: str
    e0_offset: float
    e0_gain_per_year: float
    e0_gain_sd: float
    net_migration_scale: float
    net_migration_sd: float
    migration_female_share: float
    migration_peak_age: float
    migration_share_60plus: float
    registered_transfer_share_60plus: float
    base_elderly_sd_pct: float
    base_80plus_sd_pct: float
    base_entrant_sd_pct: float
    base_county_sd_log_resident: float
    base_county_sd_log_registered: float
    base_structure_sd_pct: float
    base_famine_depth_sd: float
    mortality_level_sd: float
    oldest_old_mortality_factor: float
    oldest_old_mortality_sd: float

    @classmethod
    def from_scenario(cls, scenario) -> "DemographyParameters":
        """Read the section from a :class:`~analysis.scenarios.Scenario`; every key is required."""
        section = scenario.section("demography")
        missing = [k for k in KEYS if k not in section]
        if missing:
            raise AnalysisError(
                f"scenario {scenario.name!r} lacks demography parameters: "
                + ", ".join("demography." + k for k in missing)
            )
        return cls(**{k: section[k] for k in KEYS})

    def as_dict(self) -> dict:
        return asdict(self)


def draw_parameters(params: DemographyParameters, draws: int, seed: int | None) -> pd.DataFrame:
    """Per-draw values: columns ``draw, tfr_multiplier, e0_gain_per_year, net_migration_scale,
    mortality_level_z, oldest_old_mortality_factor``.

    ``draws == 1`` gives the central values. Otherwise a :func:`numpy.random.default_rng` with
    ``seed`` draws standard normals ``z`` (draws × 3) in a fixed order.
    """
    if draws < 1:
        raise AnalysisError(f"draws must be at least 1, not {draws}")
    if draws == 1:
        z = np.zeros((1, 3))
    else:
        z = np.random.default_rng(seed).standard_normal((draws, 3))
    return pd.DataFrame(
        {
            "draw": np.arange(draws),
            "tfr_multiplier": params.tfr_multiplier * np.exp(params.tfr_sd * z[:, 0]),
            "e0_gain_per_year": params.e0_gain_per_year + params.e0_gain_sd * z[:, 1],
            "net_migration_scale": params.net_migration_scale + params.net_migration_sd * z[:, 2],
            "mortality_level_z": np.zeros(1)
            if draws == 1
            else np.random.default_rng(None if seed is None else seed + 2).standard_normal(draws),
            "oldest_old_mortality_factor": params.oldest_old_mortality_factor
            * (
                np.ones(1)
                if draws == 1
                else np.exp(
                    params.oldest_old_mortality_sd
                    * np.random.default_rng(None if seed is None else seed + 3).standard_normal(draws)
                )
            ),
        }
    )

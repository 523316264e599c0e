"""The reporting units table (``data/raw/units.csv`` or its ingested vintage): schema and reader.

Low in the data floor — below :mod:`analysis.geography`, which builds its units from it, and below
:mod:`.schemas`, whose facts tables check their geographies against those units — so it reads the
file through :func:`.reader.read_validated` directly, not through :mod:`.loaders`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import config, hooks
from .vintages import file_in_use

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa


def units_schema() -> pa.DataFrameSchema:
    """The 13 reporting units and the city: ids, names, aliases, minimum-wage tier."""
    import pandera.pandas as pa  # heavy (pandas): the unchanged-rerun path imports geography without it

    return pa.DataFrameSchema(
        {
            "unit_id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), unique=True),
            "name_zh": pa.Column(str, unique=True),
            "name_en": pa.Column(str),
            "kind": pa.Column(str),
            "aliases": pa.Column(str, nullable=True),
            "wage_tier": pa.Column("Int64", pa.Check.in_range(1, 4), nullable=True, coerce=True),
            "tier_basis": pa.Column(str, pa.Check.isin(["published", "assumed", "aggregate"])),
            "source": pa.Column(str, pa.Check.str_length(min_value=4)),
        },
        name="units",
        coerce=True,
    )


def units_path():
    """The units file a run reads: the newest ingested vintage of ``units``, else ``data/raw/units.csv``."""
    return file_in_use("units", config.raw_dir() / "units.csv")


def read_units() -> pd.DataFrame:
    """The validated units table (one row per unit; see :func:`units_schema`)."""
    from .reader import (
        read_validated,  # heavy (pandas, pandera): only when the units are first read
    )

    path = units_path()
    # a warm kernel reads and validates it once for all its jobs (analysis.hooks.remembered)
    return hooks.remembered("units table", path, lambda: read_validated(path, units_schema()))

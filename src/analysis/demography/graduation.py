"""Graduation of grouped counts now lives in :mod:`analysis.data.graduation` (the data floor splits
5-year tables with it). Re-exported here for older callers."""

from ..data.graduation import (  # noqa: F401
    graduate_counts,
    graduate_groups,
    log_linear_rates,
    parse_age_group,
)

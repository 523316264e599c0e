"""Cohort-component population projection (CCMPP) for the 13 units of Quanzhou.

Public API::

    from analysis.demography import project, project_arrays
    result = project("baseline", base="resident", start_year=2020, end_year=2035, draws=200)

See :mod:`.projection` (assembly and calibration), :mod:`.ccmpp` (the arithmetic),
:mod:`.lifetable`, :mod:`.fertility`, :mod:`.migration`, :mod:`.parameters` (scenario rules and
draws), :mod:`.backtest` (2010 → 2020) and :mod:`.charts`.
"""

from .cached import project
from .ccmpp import project_arrays
from .result import ProjectionResult

__all__ = ["project", "project_arrays", "ProjectionResult"]

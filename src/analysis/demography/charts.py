"""Moved to :mod:`analysis.present.charts_population` (the presentation wing, issue 23); kept so old imports, tests and
notebooks in users' hands still work: this name is the moved module itself."""

import sys

from ..present import charts_population as _moved  # the one model-to-wing import left: ignored in pyproject.toml

sys.modules[__name__] = _moved

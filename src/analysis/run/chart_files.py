"""Moved to :mod:`analysis.present.chart_files` (the presentation wing, issue 23); kept so old imports, tests and
notebooks in users' hands still work: this name is the moved module itself."""

import sys

from ..present import chart_files as _moved

sys.modules[__name__] = _moved

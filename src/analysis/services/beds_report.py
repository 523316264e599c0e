"""Moved to :mod:`analysis.present.beds_report` (the presentation wing, issue 23); kept so old imports, tests and
notebooks in users' hands still work: this name is the moved module itself."""

import sys

from ..present import beds_report as _moved  # a model-to-wing import: ignored in pyproject.toml

sys.modules[__name__] = _moved

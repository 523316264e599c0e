"""Moved to :mod:`analysis.present.assistance_text` (the presentation wing, issue 23); kept so old imports, tests and
notebooks in users' hands still work: this name is the moved module itself."""

import sys

from ..present import assistance_text as _moved  # a model-to-wing import: ignored in pyproject.toml

sys.modules[__name__] = _moved

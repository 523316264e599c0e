"""Moved to :mod:`analysis.present.print_geometry` (the presentation wing, issue 23); kept so old imports, tests and
notebooks in users' hands still work: this name is the moved module itself."""

import sys

from .present import print_geometry as _moved

sys.modules[__name__] = _moved

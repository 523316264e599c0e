"""Moved to :mod:`analysis.present.onepager` (the presentation wing, issue 23); kept so old imports, tests and
notebooks in users' hands still work: this name is the moved module itself."""

import sys

from ..present import onepager as _moved

sys.modules[__name__] = _moved

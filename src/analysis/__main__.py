"""``python -m analysis …`` — see :mod:`analysis.cli`."""

from .cli import main

if __name__ == "__main__":  # worker processes that re-import the main module must not re-run it
    raise SystemExit(main())

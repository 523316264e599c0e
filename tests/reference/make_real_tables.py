"""Digest of the published tables of a small real run: the guard that a move changes no number.

Issue 23 ("every published number unchanged"): the house moves (pages, speed room, plan years as
data) must leave every ``tables/*.csv`` as it was. This script runs the real notebooks and models
on the same small case as the test suite's ``real_run`` fixture (晋江市 and the city, 3 draws,
2020–2030, ``--publish``) in a throw-away copy of the project and writes, for every table, its
columns, its row count, the sha256 of its text columns and checksums of each numeric column (count,
sum, sum of absolute values; compared within a relative 1e-9, so that only a real change shows and
a last-bit difference between machines does not; run ids and dates are not in the tables). Run from the repository
root, and only when the numbers are *meant* to change (say so in the commit message)::

    .venv/bin/python tests/reference/make_real_tables.py

``tests/test_runner_real.py::test_published_tables_equal_the_reference`` compares the fixture's run
with ``tests/reference/real_tables.json`` and names every table that differs.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "real_tables.json"
RUN_ARGS = [
    "run",
    "--quiet",
    "--publish",
    "--units",
    "晋江",
    "quanzhou",
    "--draws",
    "3",
    "--end-year",
    "2030",
    "--run-id",
    "real",
]
#: Relative tolerance of a numeric column's checksums: far below any change a model makes, far above the
#: last-bit differences two machines of the same kind may give (BLAS kernels chosen by CPU).
RTOL = 1e-9


def table_digest(path: Path) -> dict:
    """Columns and rows of a table, the sha256 of its text columns (exact), and for each numeric
    column its count, sum and sum of absolute values (compared with :data:`RTOL`)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    numeric, text = {}, []
    for column in frame.columns:
        values = pd.to_numeric(frame[column].replace("", None), errors="coerce")
        filled = frame[column] != ""
        if filled.any() and values[filled].notna().all():
            numbers = values.dropna().astype(float)
            numeric[column] = [int(numbers.size), float(numbers.sum()), float(numbers.abs().sum())]
        else:
            text.append(column)
    buffer = io.StringIO()
    frame[text].to_csv(buffer, index=False, lineterminator="\n")
    return {
        "columns": list(frame.columns),
        "rows": len(frame),
        "text_sha256": hashlib.sha256(buffer.getvalue().encode("utf-8")).hexdigest(),
        "numeric": numeric,
    }


def differences(reference: dict, current: dict) -> list[str]:
    """What differs between two digests of the same table (empty: the same within :data:`RTOL`)."""
    out = [key for key in ("columns", "rows", "text_sha256") if reference.get(key) != current.get(key)]
    ref, cur = reference.get("numeric", {}), current.get("numeric", {})
    for column in sorted(ref.keys() | cur.keys()):
        a, b = ref.get(column), cur.get(column)
        if (
            a is None
            or b is None
            or a[0] != b[0]
            or any(abs(x - y) > RTOL * max(abs(x), abs(y), 1.0) for x, y in zip(a[1:], b[1:]))
        ):
            out.append(f"column {column}")
    return out


def tables_digest(tables_dir: Path) -> dict[str, dict]:
    """:func:`table_digest` of every ``*.csv`` in a run's ``tables/`` folder, by file name."""
    return {p.name: table_digest(p) for p in sorted(tables_dir.glob("*.csv"))}


def main() -> int:
    sys.path.insert(0, str(REPO / "src"))
    from analysis import cli

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        for sub in ("data/raw", "scenarios", "notebooks"):
            shutil.copytree(REPO / sub, root / sub)
        (root / "data" / "processed").mkdir(parents=True)
        (root / "reports").mkdir()
        os.environ["QZ_FORECAST_ROOT"] = str(root)
        code = cli.main(RUN_ARGS)
        if code != 0:
            print(f"the run failed (exit {code}); nothing written", file=sys.stderr)
            return code
        digest = tables_digest(root / "reports" / "runs" / "real" / "tables")
    OUT.write_text(json.dumps(digest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(digest)} tables)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

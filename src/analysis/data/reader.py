"""Read a CSV file and validate it against a pandera schema, turning failures into one clear error.

Every raw table goes through :func:`read_validated`. A failure raises
:class:`~analysis.errors.DataValidationError` naming the file, the CSV line (the header is
line 1), the column, what was expected and what was found. Reading never writes anything.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from ..errors import DataValidationError
from .plausibility import check_facts
from .value_checks import check_values

HEADER_LINE = 1
MAX_CSV_BYTES = 20_000_000  # the largest table (a single-year base population) is about 100 kB


def read_bytes(path: Path) -> bytes:
    """The bytes of a data file, or one clear error: missing, a directory, unreadable, too big, empty."""
    try:
        if path.is_dir():
            raise DataValidationError(path, None, None, "a CSV file", "a directory")
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise DataValidationError(path, None, None, f"a file of at most {MAX_CSV_BYTES:,} bytes", f"{size:,} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataValidationError(path, None, None, "an existing file", "no such file") from None
    except OSError as exc:
        raise DataValidationError(path, None, None, "a readable file", exc.strerror or str(exc)) from None
    if not data.strip():
        raise DataValidationError(path, None, None, "a header line and data rows", "an empty file")
    return data


def decode_utf8(path: Path) -> str:
    """Return the text of ``path``; a file that is not UTF-8 (e.g. GBK) is a clear error."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 2].hex(" ")
        raise DataValidationError(
            path,
            line,
            None,
            "UTF-8 encoded text",
            f"bytes {bad} that are not UTF-8 (the file looks GBK/GB18030-encoded; re-save it as UTF-8)",
        ) from None


def read_csv_as_text(path: Path) -> pd.DataFrame:
    """Read ``path`` with every cell as a string and empty cells as missing values."""
    text = decode_utf8(path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataValidationError(path, None, None, "a header line and data rows", "no columns") from None
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise DataValidationError(
            path, int(match.group(1)) if match else None, None, "well-formed CSV rows", str(exc)
        ) from None
    frame.columns = [c.strip() for c in frame.columns]
    return frame.replace({"": pd.NA}).map(lambda v: v.strip() if isinstance(v, str) else v)


_EXPECT_PATTERNS = [
    (re.compile(r"coerce_dtype\('(int|Int)\d*'\)"), "a whole number"),
    (re.compile(r"coerce_dtype\('float\d*'\)"), "a number"),
    (re.compile(r"coerce_dtype\('datetime"), "a date (YYYY-MM-DD or YYYY-MM)"),
    (re.compile(r"coerce_dtype"), "a value of the column's type"),
    (re.compile(r"not_nullable"), "a non-empty value"),
    (re.compile(r"greater_than_or_equal_to\((.*)\)"), "a value >= {0}"),
    (re.compile(r"less_than_or_equal_to\((.*)\)"), "a value <= {0}"),
    (re.compile(r"in_range\((.*), (.*)\)"), "a value between {0} and {1}"),
    (re.compile(r"isin\((.*)\)"), "one of {0}"),
    (re.compile(r"column_in_dataframe"), "a column of this name in the header"),
    (re.compile(r"field_uniqueness|multiple_fields_uniqueness|duplicates"), "a unique key"),
    (re.compile(r"str_length"), "a non-empty text"),
]


def _describe_check(check: str, messages: dict[str, str]) -> str:
    if check in messages:
        return messages[check]
    for pattern, template in _EXPECT_PATTERNS:
        match = pattern.search(check)
        if match:
            return template.format(*match.groups())
    return check


def read_validated(
    path: Path | str,
    schema: pa.DataFrameSchema,
    check_columns: dict[str, str] | None = None,
    check_messages: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read ``path`` and validate it with ``schema`` (which should coerce types).

    Parameters
    ----------
    check_columns
        For DataFrame-wide checks, the column each named check is about (so the error can name it).
    check_messages
        Human wording of "expected" for named checks.

    Returns the validated, type-coerced frame. Raises DataValidationError for the first problem
    (in file order), saying how many more there are.
    """
    path = Path(path)

    frame = read_csv_as_text(path)
    if frame.empty:
        raise DataValidationError(path, None, None, "at least one data row", "a header only")
    try:
        valid = schema.validate(frame, lazy=True)
    except (SchemaErrors, SchemaError) as exc:
        raise _first_failure(path, frame, exc, schema, check_columns or {}, check_messages or {}) from None
    check_values(valid, path)  # finite, plausible: the same gate for validate, ingest and runs
    check_facts(valid, path)  # ... and plausible together: parts, shares, rates, unit vs city
    return valid


def _first_failure(path: Path, frame: pd.DataFrame, exc, schema, check_columns, check_messages) -> DataValidationError:
    if isinstance(exc, SchemaError):
        cases = (
            exc.failure_cases
            if isinstance(exc.failure_cases, pd.DataFrame)
            else pd.DataFrame(
                {
                    "index": [None],
                    "failure_case": [exc.failure_cases],
                    "check": [str(exc.check)],
                    "column": [getattr(exc.schema, "name", None)],
                }
            )
        )
        if "check" not in cases:
            cases = cases.assign(check=str(exc.check), column=getattr(exc.schema, "name", None))
    else:
        cases = exc.failure_cases.copy()
    cases["check"] = cases["check"].astype(str)
    # Missing columns first: nothing else can be trusted when the header is wrong.
    header = cases[cases["check"].str.contains("column_in_dataframe")]
    if len(header):
        missing = header.iloc[0]["failure_case"]
        return DataValidationError(
            path,
            HEADER_LINE,
            str(missing),
            f"a column '{missing}' in the header",
            f"columns {list(frame.columns)}",
            more=len(cases) - 1,
        )
    unique = cases["check"].str.contains("uniqueness")
    if unique.any() and schema.unique:
        # Point at the later copy of a duplicated key, not the first occurrence.
        key = [schema.unique] if isinstance(schema.unique, str) else list(schema.unique)
        dup_rows = frame.index[frame.duplicated(subset=key, keep="first")]
        cases = cases[~unique | cases["index"].isin(list(dup_rows))]
        cases.loc[cases["check"].str.contains("uniqueness"), "column"] = key[-1] if len(key) == 1 else ", ".join(key)
    cases["_order"] = pd.to_numeric(cases["index"], errors="coerce")
    if cases["_order"].notna().any():
        cases = cases[cases["_order"].notna()]
    cases = cases.sort_values("_order", kind="stable")
    first = cases.iloc[0]
    idx = first["index"]
    row = int(idx) + HEADER_LINE + 1 if pd.notna(idx) else None
    check = str(first["check"])
    column = check_columns.get(check, first.get("column"))
    column = None if column is None or pd.isna(column) else str(column)
    expected = _describe_check(check, check_messages)
    if row is not None and column and column in frame.columns and "uniqueness" not in check:
        found = repr(frame.iloc[int(idx)][column])
    else:
        found = repr(first["failure_case"])
    if "uniqueness" in check:
        values = frame.iloc[int(idx)][[c.strip() for c in column.split(",")]].tolist() if row else first["failure_case"]
        found = f"a second row with the same key {values}"
    return DataValidationError(path, row, column, expected, found, more=len(cases) - 1)

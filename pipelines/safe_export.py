"""Spreadsheet-safe text for anything a person may open in Excel or Sheets.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is run as
a formula by spreadsheet programs; a district export or a free-text answer can carry one,
by accident or on purpose (OWASP "CSV injection"). Every CSV this project writes passes
its text through ``escape_cell``: such a cell gets a leading apostrophe, which spreadsheets
show as text and do not evaluate. Numbers are left alone, so ``-3`` stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    # Only named in a signature: the command line imports this module on every run, and
    # pandas would add a second to each start.
    import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    """``'=1+1'`` -> ``"'=1+1"``; numbers, None and harmless text pass unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def escaped_sql(column_sql: str) -> str:
    """The SQL expression for ``escape_cell`` of a text column, so that DuckDB can write a
    large table as CSV itself: formula-like text that is not a number gets its apostrophe."""
    apostrophe = "''''"  # a SQL string literal holding one apostrophe
    return (
        f"CASE WHEN left({column_sql}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
        f"AND TRY_CAST({column_sql} AS DOUBLE) IS NULL THEN {apostrophe} || {column_sql} "
        f"ELSE {column_sql} END"
    )


def write_safe_rows(handle: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write rows as CSV to an open text stream, every cell escaped; the rows written."""
    writer = csv.writer(handle)
    writer.writerow([escape_cell(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([escape_cell(v) for v in row])
        count += 1
    return count


def write_safe_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write rows as CSV with every cell escaped; returns the number of rows written."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        return write_safe_rows(handle, header, rows)


def write_safe_frame(path: Path, frame: pd.DataFrame) -> int:
    """Write a data frame as a spreadsheet-safe CSV; missing values become empty cells."""
    cleaned = frame.astype(object).where(frame.notna(), None)
    return write_safe_csv(path, list(frame.columns), cleaned.itertuples(index=False, name=None))

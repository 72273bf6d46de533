"""CSV exports into a staging table, read by DuckDB with every option set by us.

The layout (delimiter, line terminator, header row, columns) comes from ``csv_layout``
and DuckDB is told exactly that, every column VARCHAR, without its own sniffer. Its strict
mode stays on, so a record with the wrong number of fields is rejected and reported rather
than cut or padded.

Row numbers. DuckDB has no row-number column for CSV, but with insertion order preserved
(its default) a table created from ``read_csv`` holds the records in file order, so
``rowid`` is the record's position among the parsed records. Its spreadsheet row follows by
adding the rows DuckDB did not load before it: the header and the lines above it, rejected
records (DuckDB reports their row) and empty lines (which DuckDB skips without a word, so
they are found separately). The row reported is the record's number in the file counting
every record and empty line, which is the row a spreadsheet shows it on: a quoted value that
spans lines is still one row, so it can differ from a text editor's line number.
"""

from __future__ import annotations

import csv
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from pipelines.errors import InputError
from pipelines.ingest.readers.csv_layout import CsvLayout, csv_layout
from pipelines.ingest.readers.formats import read_head
from pipelines.ingest.readers.table import NO_DATA, StagedFile, TableColumn
from pipelines.ingest.readers.text import (
    MAX_BLANK_LINES,
    UTF16_BOMS,
    decode_head,
    normalize_newlines,
    scan_text,
    transcode_to_utf8,
)
from pipelines.sql_text import quote_ident, quote_literal

#: A rejected line's text is cut to this many characters: an unclosed quote can swallow the
#: rest of the file into one record.
MAX_REJECTED_TEXT = 1_000
#: Row-number corrections applied per UPDATE statement.
_STEPS_PER_UPDATE = 64
_PADDED = "({value} LIKE ' %' OR {value} LIKE '% ')"
_NEWLINE_SQL = {"\n": "\\n", "\r\n": "\\r\\n", "\r": "\\r"}
_FIELD_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_REJECT_REASONS = {
    "UNQUOTED VALUE": 'a quote (") is not closed, or text follows a closing quote',
    "LINE SIZE OVER MAXIMUM": "the line is too long",
    "INVALID ENCODING": "it is not valid UTF-8 text",
}


class _ParseFailure(Exception):
    """DuckDB could not parse the file with the layout given."""


@dataclass(frozen=True)
class _Read:
    """A CSV read into the staged table, its rows not yet numbered."""

    source: Path  # the file DuckDB read: the export, or a UTF-8 or LF-only copy of it
    layout: CsvLayout
    parsed: int
    rejected: list[tuple[int, str, str]]
    line_endings_changed: bool
    trimmed: bool  # values were trimmed as they were read


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    head: bytes,
    *,
    table: str,
    expected_headers: set[str] | None,
) -> StagedFile:
    """Stage a CSV file (see the module's description); ``head`` is its first bytes."""
    if head.startswith(UTF16_BOMS):
        return _stage_utf16(con, path, table=table, expected_headers=expected_headers)
    whole = path.stat().st_size <= len(head)
    text, codec, bom = decode_head(head, whole=whole)
    layout = csv_layout(text, path, expected_headers, whole=whole)
    data_start = bom + len(text[: layout.data_start].encode(codec, errors="replace"))
    # Copies (UTF-8 or LF-only) go to a private directory that is removed after loading.
    with (
        ThreadPoolExecutor(max_workers=1) as pool,
        tempfile.TemporaryDirectory(prefix="staging-") as private,
    ):
        # Most exports are UTF-8, so a file that starts as UTF-8 is read by DuckDB while the
        # byte pass (checksum, encoding, empty lines) runs beside it; DuckDB releases the GIL.
        scanning = pool.submit(
            scan_text,
            path,
            newline=layout.newline,
            delimiter=layout.delimiter,
            data_start=data_start,
            name=path.name,
        )
        read = None
        if codec == "utf-8":
            try:
                # Trimming every value costs as much again as reading it; most exports pad
                # none, so values are trimmed as read only when the head shows padding.
                read = _read_csv(
                    con, path, layout, table, Path(private), path.name, trim=layout.padded
                )
            except InputError:
                scanning.result()  # an encoding problem explains more than a parse failure
                raise
        try:
            scan = scanning.result()
        except InputError:
            _drop(con, table)
            raise
        if scan.encoding == "cp1252":
            copy = Path(private) / "utf-8.csv"
            transcode_to_utf8(path, copy, encoding="cp1252", name=path.name)
            read = _read_csv(con, copy, layout, table, Path(private), path.name, trim=scan.padded)
        if scan.padded and not read.trimmed:
            _trim_padded_values(con, table, read.layout.columns)
        gaps = [row for row, _, _ in read.rejected]
        empty_lines = sum(start >= data_start for start in scan.blank_line_starts)
        if empty_lines or read.line_endings_changed:
            known = empty_lines < MAX_BLANK_LINES and not read.line_endings_changed
            gaps += _empty_line_rows(read.source, read.layout, empty_lines if known else None)
        staged, kept = _number_rows(con, table, read, gaps)
    if not staged and not read.rejected:
        raise InputError(path.name, *NO_DATA)
    return StagedFile(
        path=path,
        sha256=scan.sha256,
        file_format="csv",
        encoding=scan.encoding,
        delimiter=layout.delimiter,
        columns=tuple(c.name for c in kept),
        original_columns=tuple(c.original for c in kept),
        rows_read=staged + len(read.rejected),
        dropped_columns=layout.dropped + tuple(c.name for c in layout.columns if c not in kept),
        rejected_lines=tuple(read.rejected),
        header_row=layout.header_row,
    )


def _stage_utf16(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    table: str,
    expected_headers: set[str] | None,
) -> StagedFile:
    """Stage UTF-16 text (Excel's "Unicode Text") from a private UTF-8 copy of the file.

    The copy keeps the file's name, so every message names the file the user gave.
    """
    with tempfile.TemporaryDirectory(prefix="staging-") as private:
        copy = Path(private) / path.name
        sha256 = transcode_to_utf8(path, copy, encoding="utf-16", name=path.name)
        staged = stage_csv(
            con, copy, read_head(copy), table=table, expected_headers=expected_headers
        )
    return replace(staged, path=path, sha256=sha256, encoding="utf-16")


# --- loading --------------------------------------------------------------------------------


def _read_csv(
    con: duckdb.DuckDBPyConnection,
    source: Path,
    layout: CsvLayout,
    table: str,
    private: Path,
    name: str,
    *,
    trim: bool,
) -> _Read:
    """Read ``source`` into ``table``; if DuckDB cannot, read a copy with LF line endings."""
    try:
        return _Read(source, layout, *_read(con, source, layout, table, trim), False, trim)
    except _ParseFailure:
        if layout.newline == "\r":
            raise _unreadable(name) from None
    # Strict parsing needs one line terminator throughout, and a file edited on two systems
    # can mix CRLF and LF.
    copy = private / f"lf-{source.name}"
    normalize_newlines(source, copy)
    layout = replace(layout, newline="\n")
    try:
        return _Read(copy, layout, *_read(con, copy, layout, table, trim), True, trim)
    except _ParseFailure:
        raise _unreadable(name) from None


def _unreadable(name: str) -> InputError:
    return InputError(
        name,
        "could not be read as CSV: its line endings or quotes are inconsistent",
        "open it in Excel and save it again as CSV UTF-8",
    )


def _read(
    con: duckdb.DuckDBPyConnection, source: Path, layout: CsvLayout, table: str, trim: bool
) -> tuple[int, list[tuple[int, str, str]]]:
    """Create ``table`` from ``source`` with placeholder row numbers; rows and rejected lines."""
    errors, scans = f"_{table}_reject_errors", f"_{table}_reject_scans"
    columns = ", ".join(f"{quote_literal(c.name)}: 'VARCHAR'" for c in layout.columns)
    read = (
        f"read_csv({quote_literal(str(source))}, auto_detect = false, all_varchar = true, "
        f"header = false, skip = {layout.header_row}, delim = {quote_literal(layout.delimiter)}, "
        f"""quote = '"', escape = '"', new_line = '{_NEWLINE_SQL[layout.newline]}', """
        f"strict_mode = true, columns = {{{columns}}}, store_rejects = true, "
        f"rejects_table = {quote_literal(errors)}, rejects_scan = {quote_literal(scans)})"
    )
    ordered = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("SET preserve_insertion_order = true")  # rowid must follow the file's order
    try:
        _drop(con, errors, scans)
        parsed = con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(table)} AS SELECT "
            "CAST(0 AS BIGINT) AS _row_id, CAST(0 AS BIGINT) AS _source_row, "
            f"{', '.join(_value(c.name, trim) for c in layout.columns)} FROM {read}"
        ).fetchone()[0]
        rejected = _rejected_lines(con, errors)
    except duckdb.InvalidInputException as error:
        raise _ParseFailure(str(error).splitlines()[0]) from None
    finally:
        _drop(con, errors, scans)
        if not ordered:
            con.execute("SET preserve_insertion_order = false")
    if not parsed and not rejected and layout.sample_rows:
        raise _ParseFailure("DuckDB read no records")  # it can give up without an error
    return parsed, rejected


def _value(name: str, trim: bool) -> str:
    """A column as read, or without surrounding spaces (NULL if nothing is left). DuckDB
    already reads an empty field as NULL, and testing for a space is cheaper than trimming
    every value."""
    value = quote_ident(name)
    if not trim:
        return value
    padded = _PADDED.format(value=value)
    return f"CASE WHEN {padded} THEN NULLIF(trim({value}), '') ELSE {value} END AS {value}"


def _trim_padded_values(
    con: duckdb.DuckDBPyConnection, table: str, columns: tuple[TableColumn, ...]
) -> None:
    """Trim the few padded values of a file whose head had none, column by column."""
    for column in columns:
        value = quote_ident(column.name)
        con.execute(
            f"UPDATE {quote_ident(table)} SET {value} = NULLIF(trim({value}), '') "
            f"WHERE {_PADDED.format(value=value)}"
        )


def _number_rows(
    con: duckdb.DuckDBPyConnection, table: str, read: _Read, gaps: list[int]
) -> tuple[int, list[TableColumn]]:
    """Set ``_row_id`` and ``_source_row``, drop empty rows and unnamed columns without
    values; the rows left and the columns kept.

    An UPDATE of the placeholders costs a fraction of copying the table with ``rowid`` added.
    """
    first_row = read.layout.header_row + 1
    con.execute(
        f"UPDATE {quote_ident(table)} SET _row_id = rowid, _source_row = rowid + {first_row}"
    )
    _skip_gaps(con, table, gaps)
    kept = _drop_empty_unnamed(con, table, read.layout.columns)
    filled = ", ".join(quote_ident(c.name) for c in kept)
    emptied = con.execute(
        f"DELETE FROM {quote_ident(table)} WHERE coalesce({filled}) IS NULL"
    ).fetchone()[0]
    return read.parsed - emptied, kept


def _rejected_lines(con: duckdb.DuckDBPyConnection, errors: str) -> list[tuple[int, str, str]]:
    """One (row, reason, text) per rejected record. DuckDB's ``line`` counts records and
    empty lines from the top of the file, the header and skipped lines included, which is
    the spreadsheet row."""
    found = con.execute(
        f"SELECT line, error_type, error_message, csv_line FROM {quote_ident(errors)} "
        "ORDER BY line, byte_position"
    ).fetchall()
    rejected: dict[int, tuple[int, str, str]] = {}
    for line, error_type, message, text in found:
        if line not in rejected:
            counts = _FIELD_COUNTS.search(message or "")
            if error_type in ("TOO MANY COLUMNS", "MISSING COLUMNS") and counts:
                reason = f"has {counts[2]} fields where the header has {counts[1]}"
            else:
                reason = _REJECT_REASONS.get(error_type, (message or error_type).splitlines()[0])
            # DuckDB's copy of the line can start with the previous line's terminator.
            rejected[line] = (int(line), reason, (text or "").strip("\r\n")[:MAX_REJECTED_TEXT])
    return list(rejected.values())


def _empty_line_rows(source: Path, layout: CsvLayout, expected: int | None) -> list[int]:
    """Spreadsheet rows of the empty lines below the header, found with Python's csv reader.

    Slow, so only run when the byte scan saw such a line, and stopped once the ``expected``
    number is found (it reads to the end when an "empty line" was inside a quoted value).
    """
    rows: list[int] = []
    with open(source, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=layout.delimiter, quotechar='"')
        try:
            for number, fields in enumerate(reader, start=1):
                if not fields and number > layout.header_row:
                    rows.append(number)
                    if len(rows) == expected:
                        break
        except csv.Error:
            pass  # a field over the csv module's size limit: later rows keep DuckDB's count
    return rows


def _drop_empty_unnamed(
    con: duckdb.DuckDBPyConnection, table: str, columns: tuple[TableColumn, ...]
) -> list[TableColumn]:
    """Drop unnamed columns without a single value (trailing commas); the columns kept."""
    unnamed = [c for c in columns if c.unnamed]
    if not unnamed:
        return list(columns)
    counts = ", ".join(f"count({quote_ident(c.name)})" for c in unnamed)
    filled = con.execute(f"SELECT {counts} FROM {quote_ident(table)}").fetchone()
    empty = [c for c, n in zip(unnamed, filled, strict=True) if n == 0]
    if len(empty) == len(columns):
        return list(columns)
    for column in empty:
        con.execute(f"ALTER TABLE {quote_ident(table)} DROP COLUMN {quote_ident(column.name)}")
    return [c for c in columns if c not in empty]


def _skip_gaps(con: duckdb.DuckDBPyConnection, table: str, gaps: list[int]) -> None:
    """Renumber ``_source_row`` past the rows not staged (rejected records, empty lines).

    Rows were numbered consecutively. A staged row comes after the i-th gap (0-based, in
    row order) exactly when its consecutive number is at least ``gap - i``, so each row
    moves down by the number of such thresholds at or below it. Thresholds are applied
    from the highest down, a batch per UPDATE, each row updated once.
    """
    shifts: dict[int, int] = {}
    for index, gap in enumerate(sorted(gaps)):
        shifts[gap - index] = index + 1
    steps = sorted(shifts.items())
    upper = None
    for start in reversed(range(0, len(steps), _STEPS_PER_UPDATE)):
        batch = steps[start : start + _STEPS_PER_UPDATE]
        cases = " ".join(
            f"WHEN _source_row >= {threshold} THEN _source_row + {shift}"
            for threshold, shift in reversed(batch)
        )
        below = f" AND _source_row < {upper}" if upper is not None else ""
        con.execute(
            f"UPDATE {quote_ident(table)} SET _source_row = CASE {cases} END "
            f"WHERE _source_row >= {batch[0][0]}{below}"
        )
        upper = batch[0][0]


def _drop(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    for name in tables:
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")

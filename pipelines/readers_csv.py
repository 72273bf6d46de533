"""CSV exports into a staging table, read by DuckDB with every option set by us.

DuckDB's own sniffer is not used: on odd files it can pick the wrong delimiter (``|`` for a
comma file whose last line is cut short). The layout is decided here from the first
``HEAD_SIZE`` bytes with Python's csv module, quotes respected, and DuckDB is told exactly
what to read: delimiter, line terminator, rows to skip and the column names, all VARCHAR.
Its strict mode stays on, so a record with the wrong number of fields is rejected (and
reported) rather than cut or padded.

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
import io
import re
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from pipelines.checks import quote_ident, quote_literal
from pipelines.encodings import UTF8_BOM, normalize_newlines, scan_text, transcode_cp1252
from pipelines.errors import InputError
from pipelines.readers import (
    NO_DATA,
    StagedFile,
    TableColumn,
    find_header_row,
    name_columns,
)

DELIMITERS = (",", ";", "\t", "|")
#: A rejected line's text is cut to this many characters: an unclosed quote can swallow the
#: rest of the file into one record.
MAX_REJECTED_TEXT = 1_000
#: Row-number corrections applied per UPDATE statement.
_STEPS_PER_UPDATE = 64
_NEWLINE_SQL = {"\n": "\\n", "\r\n": "\\r\\n", "\r": "\\r"}
_FIELD_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_REJECT_REASONS = {
    "UNQUOTED VALUE": 'a quote (") is not closed, or text follows a closing quote',
    "LINE SIZE OVER MAXIMUM": "the line is too long",
    "INVALID ENCODING": "it is not valid UTF-8 text",
}


@dataclass(frozen=True)
class CsvLayout:
    """How a CSV is laid out, decided from its first bytes."""

    delimiter: str
    newline: str
    #: Spreadsheet row of the header: rows above it are a title block or empty.
    header_row: int
    columns: tuple[TableColumn, ...]
    #: Blank header cells past the rows' width (a header ending in commas the rows lack).
    dropped: tuple[str, ...]
    #: Offset, in characters of the decoded head, where the first data record starts.
    data_start: int
    #: Non-empty data records in the head.
    sample_rows: int


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


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    head: bytes,
    *,
    table: str,
    expected_headers: set[str] | None,
) -> StagedFile:
    """Stage a CSV file (see the module's description); ``head`` is its first bytes."""
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
        scanning = pool.submit(scan_text, path, newline=layout.newline, name=path.name)
        read = None
        if codec == "utf-8":
            try:
                read = _read_csv(con, path, layout, table, Path(private))
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
            transcode_cp1252(path, copy, name=path.name)
            read = _read_csv(con, copy, layout, table, Path(private))
        gaps = [row for row, _, _ in read.rejected]
        if read.line_endings_changed or any(s >= data_start for s in scan.blank_line_starts):
            gaps += _empty_line_rows(read.source, read.layout)
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


def csv_header(path: Path, head: bytes, expected: set[str] | None) -> list[TableColumn]:
    """The header's columns, from the first bytes only."""
    whole = path.stat().st_size <= len(head)
    text, _, _ = decode_head(head, whole=whole)
    return list(csv_layout(text, path, expected, whole=whole).columns)


# --- layout ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    fields: list[str]
    end: int  # offset just past the record's line terminator
    terminator: str


def decode_head(head: bytes, *, whole: bool) -> tuple[str, str, int]:
    """Text of the head, the codec that decoded it (utf-8 or cp1252) and the BOM's length.

    Only for sniffing: the whole file's encoding is decided by ``scan_text``.
    """
    bom = len(UTF8_BOM) if head.startswith(UTF8_BOM) else 0
    body = head[bom:]
    try:
        return body.decode("utf-8"), "utf-8", bom
    except UnicodeDecodeError as error:
        if not whole and error.reason == "unexpected end of data" and len(body) - error.start < 4:
            return body[: error.start].decode("utf-8"), "utf-8", bom
        return body.decode("cp1252", errors="replace"), "cp1252", bom


def _records(text: str, delimiter: str, *, whole: bool) -> list[_Record]:
    """The records of ``text`` with where each ends; the last is dropped if it may be cut."""
    lines = io.StringIO(text, newline="")
    consumed = {"end": 0, "line": ""}

    def tracked_lines():
        # csv.reader pulls one physical line at a time, so after each record the lines
        # consumed end exactly where the record ends.
        for line in lines:
            consumed["end"] += len(line)
            consumed["line"] = line
            yield line

    records = []
    try:
        for fields in csv.reader(tracked_lines(), delimiter=delimiter, quotechar='"'):
            line = consumed["line"]
            terminator = next((t for t in ("\r\n", "\n", "\r") if line.endswith(t)), "")
            records.append(_Record(fields, consumed["end"], terminator))
    except csv.Error:
        whole = False  # a field over the csv module's size limit: sniff on what came before
    return records if whole else records[:-1]


def csv_layout(text: str, path: Path, expected: set[str] | None, *, whole: bool) -> CsvLayout:
    """Pick the delimiter that splits the header into names, and the rows below it into as
    many fields, most consistently."""
    best = None
    for delimiter in DELIMITERS:
        records = _records(text, delimiter, whole=whole)
        cells = [[field.strip(" ") or None for field in r.fields] for r in records]
        header_index = find_header_row(cells, expected)
        if header_index is None:
            continue
        header = records[header_index]
        below = zip(records[header_index + 1 :], cells[header_index + 1 :], strict=True)
        data = [record for record, row in below if any(row)]
        width, dropped = _width(header.fields, [len(r.fields) for r in data])
        matching = sum(len(r.fields) == width for r in data)
        named = sum(1 for field in header.fields if field.strip())
        score = (named >= 2, matching, width)
        if best is None or score > best[0]:
            padded = header.fields[:width] + [""] * (width - len(header.fields))
            layout = CsvLayout(
                delimiter=delimiter,
                newline=header.terminator or "\n",
                header_row=header_index + 1,
                columns=tuple(name_columns(padded)),
                dropped=dropped,
                data_start=header.end,
                sample_rows=len(data),
            )
            best = (score, layout, data)
    if best is None:
        raise InputError(path.name, "file is empty", "export it again with the data")
    (_, matching, width), layout, data = best
    first = layout.columns[0].original
    if width == 1 and any(delimiter in first for delimiter in DELIMITERS):
        raise InputError(
            path.name,
            f"its header reads as one column, {first!r}, although it holds a separator",
            "save it again as plain CSV, without quotes around whole lines",
            row=layout.header_row,
        )
    if data and not matching:
        raise InputError(
            path.name,
            f"no row has as many fields as the header ({width}); "
            f"the first row has {len(data[0].fields)}",
            "check that the rows use the header's separator, or export the file again",
            row=layout.header_row + 1,
        )
    if not data and whole:
        raise InputError(path.name, *NO_DATA)
    return layout


def _width(header: list[str], field_counts: list[int]) -> tuple[int, tuple[str, ...]]:
    """How many columns to read, and the blank trailing header cells dropped to get there.

    Rows ending in a comma the header lacks get an extra (unnamed) column; a header ending
    in commas the rows lack loses those blank cells.
    """
    if not field_counts:
        return len(header), ()
    usual = Counter(field_counts).most_common(1)[0][0]
    named = len(header)
    while named and not header[named - 1].strip():
        named -= 1
    if named <= usual < len(header):
        return usual, tuple(f"unnamed_{n}" for n in range(usual + 1, len(header) + 1))
    return max(usual, len(header)), ()


# --- loading --------------------------------------------------------------------------------


def _read_csv(
    con: duckdb.DuckDBPyConnection, source: Path, layout: CsvLayout, table: str, private: Path
) -> _Read:
    """Read ``source`` into ``table``; if DuckDB cannot, read a copy with LF line endings."""
    try:
        return _Read(source, layout, *_read(con, source, layout, table), False)
    except _ParseFailure:
        if layout.newline == "\r":
            raise _unreadable(source) from None
    # Strict parsing needs one line terminator throughout, and a file edited on two systems
    # can mix CRLF and LF.
    copy = private / f"lf-{source.name}"
    normalize_newlines(source, copy)
    layout = replace(layout, newline="\n")
    try:
        return _Read(copy, layout, *_read(con, copy, layout, table), True)
    except _ParseFailure:
        raise _unreadable(source) from None


def _unreadable(path: Path) -> InputError:
    return InputError(
        path.name,
        "could not be read as CSV: its line endings or quotes are inconsistent",
        "open it in Excel and save it again as CSV UTF-8",
    )


def _read(
    con: duckdb.DuckDBPyConnection, source: Path, layout: CsvLayout, table: str
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
            f"{', '.join(_trimmed(c.name) for c in layout.columns)} FROM {read}"
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


def _trimmed(name: str) -> str:
    """A value without surrounding spaces, NULL if nothing is left. DuckDB already reads an
    empty field as NULL, and testing for a space is cheaper than trimming every value."""
    value = quote_ident(name)
    return (
        f"CASE WHEN {value} LIKE ' %' OR {value} LIKE '% ' THEN NULLIF(trim({value}), '') "
        f"ELSE {value} END AS {value}"
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


def _empty_line_rows(source: Path, layout: CsvLayout) -> list[int]:
    """Spreadsheet rows of the empty lines below the header, found with a pass of Python's csv
    reader (slow, so only run when the byte scan saw an empty line there)."""
    rows = []
    with open(source, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=layout.delimiter, quotechar='"')
        try:
            for number, fields in enumerate(reader, start=1):
                if not fields and number > layout.header_row:
                    rows.append(number)
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

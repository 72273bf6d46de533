"""Read one district export file into a staging table: every cell as text, with its row number.

``stage_file`` detects the real format from the file's first bytes (a workbook renamed
``.csv`` is still read as a workbook), checks a CSV's text encoding and computes the checksum
in one streaming pass, and loads the rows into DuckDB without holding the file in Python
memory. Records that cannot be parsed come back as rejected lines for the caller to
quarantine; a file that cannot be read at all raises ``InputError``, one line saying what to do.

The staged table has ``_row_id`` (unique per row, ascending in file order), ``_source_row``
(the spreadsheet row number: the header is row 1 unless a title block sits above it),
``_sheet`` for workbooks, then one VARCHAR column per header column, named by
``contracts.normalize_header`` (a repeated name gets ``_2``, a blank header ``unnamed_<n>``
for column n), with values trimmed of spaces and empty values as NULL. Rows with every cell
empty are left out. Typing is left to the caller.

CSV reading lives in ``readers_csv`` (layout sniffing in ``readers_sniff``), workbooks in
``readers_xlsx``, byte-level checks in ``encodings``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.checks import quote_ident, quote_literal
from pipelines.contracts import normalize_header
from pipelines.encodings import UTF8_BOM, file_sha256
from pipelines.errors import InputError

__all__ = [
    "StagedFile",
    "detect_format",
    "file_sha256",
    "sniff_header",
    "stage_file",
    "unique_names",
]

#: Bytes read to recognise the format and to sniff a CSV's delimiter and header.
HEAD_SIZE = 64 * 1024
#: How far down a sheet or file the header row may be (below a title block).
HEADER_SEARCH_ROWS = 50
_RESAVE = "save the data as CSV UTF-8 or .xlsx"
NO_DATA = ("has a header but no data rows", "export again with the data")

# A cell holding a number, an amount, a percentage or a date: not a column name.
_VALUE = re.compile(
    r"[-+(]?[$€£]?\d[\d,]*(\.\d+)?%?\)?|[-+]?\.\d+|\d+(\.\d+)?[eE][-+]?\d+"
    r"|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
)


@dataclass(frozen=True)
class StagedFile:
    """What ``stage_file`` loaded.

    Attributes
    ----------
    path, sha256
        The file and the SHA-256 of its bytes.
    file_format
        ``"csv"``, ``"xlsx"`` or ``"parquet"``: what the content is, whatever the file's name.
    encoding, delimiter
        For CSV: ``"utf-8"``, ``"utf-8-sig"`` or ``"cp1252"``, and the field separator.
    columns, original_columns
        The staged columns' names in file order, and their headers as written (same length).
    rows_read
        Data records read: staged rows plus rejected lines. Empty lines and rows with every
        cell empty are not counted.
    dropped_columns
        Columns with a blank header and no values (e.g. from trailing commas), as
        ``unnamed_<n>``.
    rejected_lines
        ``(row, reason, text)`` for each record that could not be parsed. Not an error: the
        caller quarantines them. ``text`` is cut to 1,000 characters.
    header_row
        Spreadsheet row of the header (of the first staged sheet for a workbook).
    sheets, skipped_sheets
        For a workbook: the sheets staged, and those left out because their header differs
        from the first sheet's or they hold no table.
    """

    path: Path
    sha256: str
    file_format: str
    encoding: str | None
    delimiter: str | None
    columns: tuple[str, ...]
    original_columns: tuple[str, ...]
    rows_read: int
    dropped_columns: tuple[str, ...] = ()
    rejected_lines: tuple[tuple[int, str, str], ...] = ()
    header_row: int = 1
    sheets: tuple[str, ...] = ()
    skipped_sheets: tuple[str, ...] = ()


def stage_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    table: str,
    expected_headers: set[str] | None = None,
) -> StagedFile:
    """Load ``path`` into table ``table`` of ``con`` (replacing it), every column as text.

    Parameters
    ----------
    con
        Connection to the staging database.
    path
        A CSV, XLSX or Parquet export, recognised by its content.
    table
        Name of the table to create.
    expected_headers
        Normalised header names the caller expects. When given, the header is the first row
        holding at least two of them, which finds it below any title block.

    Raises
    ------
    InputError
        When the file is empty, has no data rows, is not a format we read, or mixes text
        encodings.
    """
    path = Path(path)
    head = _read_head(path)
    file_format = detect_format(path, head)
    if file_format == "xlsx":
        from pipelines.readers_xlsx import stage_workbook

        return stage_workbook(con, path, table=table, expected_headers=expected_headers)
    if file_format == "parquet":
        return _stage_parquet(con, path, table)
    from pipelines.readers_csv import stage_csv

    return stage_csv(con, path, head, table=table, expected_headers=expected_headers)


def sniff_header(path: str | Path, *, expected_headers: set[str] | None = None) -> list[str]:
    """Normalised header names of a file (a workbook's first sheet), from its first bytes.

    Unnamed columns are left out: this is for recognising which kind of export a file is.
    """
    path = Path(path)
    head = _read_head(path)
    file_format = detect_format(path, head)
    if file_format == "xlsx":
        from pipelines.readers_xlsx import workbook_header

        columns = workbook_header(path, expected_headers)
    elif file_format == "parquet":
        import pyarrow.parquet as pq

        columns = name_columns(pq.read_schema(path).names)
    else:
        from pipelines.readers_sniff import csv_header

        columns = csv_header(path, head, expected_headers)
    return [column.name for column in columns if not column.unnamed]


# --- header rows and column names, shared by the readers -------------------------------------


@dataclass(frozen=True)
class TableColumn:
    """One column of a file: its 1-based position, its header as written, its staged name."""

    position: int
    original: str
    name: str

    @property
    def unnamed(self) -> bool:
        return not self.original.strip()


def name_columns(headers: Sequence[str | None]) -> list[TableColumn]:
    """Staged names for a header row: normalised, blank ones ``unnamed_<n>``, repeats ``_2``."""
    taken: set[str] = set()
    columns = []
    for position, header in enumerate(headers, start=1):
        original = (header or "").replace("\ufeff", "")
        base = normalize_header(original)
        if not base:
            base = f"unnamed_{position}" if not original.strip() else f"column_{position}"
        name, suffix = base, 2
        while name in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name)
        columns.append(TableColumn(position, original, name))
    return columns


def unique_names(headers: Sequence[str | None]) -> tuple[list[str], list[str]]:
    """The staged names for ``headers``, and which of them stand for blank headers."""
    columns = name_columns(headers)
    return [c.name for c in columns], [c.name for c in columns if c.unnamed]


def find_header_row(
    rows: Sequence[Sequence[str | None]],
    expected: set[str] | None = None,
    *,
    min_cells: int = 1,
) -> int | None:
    """Index of the header among the first rows of a sheet or file (cells trimmed, None empty).

    With ``expected`` names, the first row holding two of them. Otherwise the first row of
    two or more cells that are all labels (no numbers or dates) and at least as wide as the
    next non-empty row: a title block's rows are narrower than the table below them. Failing
    both, the first row with ``min_cells`` values; None when there is none.
    """
    filled = [[cell for cell in row if cell] for row in rows[:HEADER_SEARCH_ROWS]]
    if expected:
        for index, cells in enumerate(filled):
            if sum(normalize_header(cell) in expected for cell in cells) >= 2:
                return index
    labels = [
        index
        for index, cells in enumerate(filled)
        if len(cells) >= 2 and not any(_VALUE.fullmatch(cell) for cell in cells)
    ]
    for index in labels:
        below = next((len(cells) for cells in filled[index + 1 :] if cells), 0)
        if len(filled[index]) >= below:
            return index
    if labels:
        return labels[0]
    return next((index for index, cells in enumerate(filled) if len(cells) >= min_cells), None)


# --- formats --------------------------------------------------------------------------------

_EXPORT = "export the data itself as CSV UTF-8 or .xlsx"
# Magic bytes of files that end up with a .csv or .xlsx name by mistake.
_NOT_TABLES = (
    (b"%PDF", "a PDF document", _EXPORT),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Excel 97-2003 workbook (.xls) or a password-protected Office file",
        "open it in Excel, remove any password and save it as .xlsx or CSV UTF-8",
    ),
    (b"\x89PNG", "a PNG image", _EXPORT),
    (b"\xff\xd8\xff", "a JPEG image", _EXPORT),
    (b"GIF8", "a GIF image", _EXPORT),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it first"),
    (b"{\\rtf", "a rich-text (RTF) document", _RESAVE),
    (b"\xff\xfe", "UTF-16 text (Excel's Unicode Text)", "save it as CSV UTF-8 instead"),
    (b"\xfe\xff", "UTF-16 text (Excel's Unicode Text)", "save it as CSV UTF-8 instead"),
)
# The member that tells what an Office ZIP container holds, when it is not a workbook.
_ZIP_MEMBERS = (
    ("xl/workbook.bin", "a binary Excel workbook (.xlsb)", "save it as .xlsx or CSV UTF-8"),
    ("word/document.xml", "a Word document", _RESAVE),
    ("ppt/presentation.xml", "a PowerPoint presentation", _RESAVE),
    ("content.xml", "an OpenDocument file (.ods)", "save it as .xlsx or CSV UTF-8"),
)


def detect_format(path: Path, head: bytes) -> str:
    """``"csv"``, ``"xlsx"`` or ``"parquet"`` from a file's first bytes; else InputError."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(path)
    for magic, what, fix in _NOT_TABLES:
        if head.startswith(magic):
            raise _not_a_table(path, what, fix)
    start = head[:512].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")):
        raise _not_a_table(path, "a web page (HTML)", "open it in Excel and save it as .xlsx")
    if start.startswith(b"<?xml"):
        raise _not_a_table(path, "an XML file", "open it in Excel and save it as .xlsx")
    if b"\x00" in head:
        raise _not_a_table(path, "binary data, not text", _RESAVE)
    if not head.removeprefix(UTF8_BOM).strip():
        raise InputError(path.name, "file is empty", "export it again with the data")
    return "csv"


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        raise _not_a_table(path, "a damaged ZIP or .xlsx file", "export it again") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    for member, what, fix in _ZIP_MEMBERS:
        if member in names:
            raise _not_a_table(path, what, fix)
    inside = ", ".join(names[:3]) or "nothing"
    raise _not_a_table(path, f"a ZIP archive holding {inside}", "unzip it and load the export")


def _not_a_table(path: Path, what: str, fix: str) -> InputError:
    return InputError(path.name, f"this is not a CSV, .xlsx or Parquet file but {what}", fix)


def _read_head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(HEAD_SIZE)
    except FileNotFoundError:
        raise InputError(path.name, "no such file", "check the path") from None


# --- Parquet --------------------------------------------------------------------------------


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> StagedFile:
    source = f"read_parquet({quote_literal(str(path))}, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * EXCLUDE (file_row_number) FROM {source}")
        headers, types = zip(*[(row[0], row[1]) for row in described.fetchall()], strict=True)
    except (duckdb.Error, ValueError):
        raise InputError(path.name, "the Parquet file is damaged", "export it again") from None
    columns = name_columns(headers)
    texts = ", ".join(
        f"NULLIF(trim({_parquet_text(quote_ident(c.original), kind)}), '') AS {quote_ident(c.name)}"
        for c, kind in zip(columns, types, strict=True)
    )
    names = ", ".join(quote_ident(c.name) for c in columns)
    staged = con.execute(
        f"CREATE OR REPLACE TABLE {quote_ident(table)} AS SELECT * FROM ("
        f"SELECT file_row_number AS _row_id, file_row_number + 2 AS _source_row, {texts} "
        f"FROM {source}) WHERE coalesce({names}) IS NOT NULL"
    ).fetchone()[0]
    if not staged:
        raise InputError(path.name, *NO_DATA)
    return StagedFile(
        path=path,
        sha256=file_sha256(path),
        file_format="parquet",
        encoding=None,
        delimiter=None,
        columns=tuple(c.name for c in columns),
        original_columns=tuple(c.original for c in columns),
        rows_read=staged,
    )


def _parquet_text(column: str, kind: str) -> str:
    """SQL turning a typed Parquet column into the text a spreadsheet export would hold."""
    if kind in ("FLOAT", "DOUBLE"):
        # Whole numbers without '.0', as in a CSV export; 1e15 and up keep DuckDB's form.
        return (
            f"CASE WHEN isfinite({column}) AND {column} = trunc({column}) "
            f"AND abs({column}) < 1e15 THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({column} AS VARCHAR) END"
        )
    if kind in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"):
        # Dates are often written as midnight timestamps: give them as dates.
        return (
            f"CASE WHEN CAST({column} AS TIME) = TIME '00:00:00' "
            f"THEN CAST(CAST({column} AS DATE) AS VARCHAR) "
            f"ELSE strftime({column}, '%Y-%m-%d %H:%M:%S') END"
        )
    return f"CAST({column} AS VARCHAR)"

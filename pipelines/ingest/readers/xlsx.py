"""XLSX workbooks into a staging table, in the same text form as CSV exports.

Workbooks as districts send them: the table may start below a title block, there may be one
sheet per quarter or per class, dates are real dates, a formula without a cached value is
an empty cell. Sheets are read by calamine (a Rust reader, tens of times faster than
openpyxl on these files: a workbook is at most about a million rows, so one sheet at a
time fits in memory) and go to DuckDB in batches. ``_source_row`` is the row number the
sheet shows, ``_sheet`` the sheet's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineError, CalamineWorkbook

from pipelines.errors import InputError
from pipelines.ingest.readers.table import (
    HEADER_SEARCH_ROWS,
    NO_DATA,
    StagedFile,
    TableColumn,
    find_header_row,
    name_columns,
)
from pipelines.ingest.readers.text import file_sha256
from pipelines.sql_text import quote_ident

#: Rows handed to DuckDB at a time.
BATCH_ROWS = 10_000


@dataclass
class _SheetTable:
    title: str
    header_row: int
    columns: list[TableColumn]
    rows: Iterator[tuple[int, list[str | None]]]  # (sheet row, cells) below the header

    @property
    def named(self) -> set[str]:
        return {c.name for c in self.columns if not c.unnamed}


def cell_text(value: object) -> str | None:
    """A cell's value as a CSV export would hold it; None when empty (calamine reads an
    empty cell as ``""``).

    Dates become ISO text (with the time when there is one), whole numbers lose their
    ``.0``, booleans read TRUE or FALSE as Excel shows them.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, dt.datetime):
        text = f"{value:%Y-%m-%d}" if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M:%S}"
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, dt.time):
        text = f"{value:%H:%M:%S}"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return text.strip(" ") or None


def stage_workbook(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    head: bytes,
    *,
    table: str,
    expected_headers: set[str] | None,
) -> StagedFile:
    """Stage every sheet whose header names the same columns as the first sheet's table."""
    sha256 = file_sha256(path)
    writer = _BatchWriter(con, table)
    first: _SheetTable | None = None
    sheets: list[str] = []
    skipped: list[str] = []
    for title, sheet in _sheet_tables(_open(path), path, expected_headers):
        if sheet is None or (first is not None and sheet.named != first.named):
            skipped.append(title)
            continue
        if first is None:
            first = sheet
            writer.create(sheet.columns)
        sheets.append(title)
        for number, cells in sheet.rows:
            if any(cells):
                writer.add(title, number, sheet.columns, cells)
    writer.flush()
    if first is None:
        raise InputError(path.name, "file is empty: no sheet holds a table", NO_DATA[1])
    if not writer.rows:
        raise InputError(path.name, *NO_DATA)
    dropped = writer.drop_empty_unnamed()
    return StagedFile(
        path=path,
        sha256=sha256,
        file_format="xlsx",
        encoding=None,
        delimiter=None,
        columns=tuple(writer.names),
        original_columns=tuple(writer.originals[name] for name in writer.names),
        rows_read=writer.rows,
        dropped_columns=dropped,
        header_row=first.header_row,
        sheets=tuple(sheets),
        skipped_sheets=tuple(skipped),
    )


def workbook_header(
    path: Path, head: bytes, expected_headers: set[str] | None
) -> list[TableColumn]:
    """The header of the first sheet that holds a table."""
    for _, sheet in _sheet_tables(_open(path), path, expected_headers):
        if sheet is not None:
            return sheet.columns
    return []


def _damaged(path: Path) -> InputError:
    return InputError(
        path.name,
        "the workbook is damaged and cannot be opened",
        "open it in Excel and save it again as .xlsx",
    )


def _open(path: Path) -> CalamineWorkbook:
    # From the bytes, not the name: a workbook named .csv is still a workbook.
    try:
        with open(path, "rb") as handle:
            return CalamineWorkbook.from_filelike(handle)
    except (CalamineError, OSError, ValueError):
        raise _damaged(path) from None


def _sheet_tables(
    workbook: CalamineWorkbook, path: Path, expected: set[str] | None
) -> Iterator[tuple[str, _SheetTable | None]]:
    """Each sheet's title and table (None when it holds none), rows still to be read."""
    for title in workbook.sheet_names:
        try:
            # From A1, empty rows included, so counting from 1 gives the rows the sheet shows.
            values = workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
        except CalamineError:
            raise _damaged(path) from None
        numbered = (
            (number, [cell_text(value) for value in row])
            for number, row in enumerate(values, start=1)
        )
        head = list(islice(numbered, HEADER_SEARCH_ROWS))
        # A table has two columns at least: a cover or notes sheet of sentences is no table.
        index = find_header_row([cells for _, cells in head], expected, min_cells=2)
        if index is None:
            yield title, None
            continue
        header_row, header = head[index]
        while header and header[-1] is None:
            header.pop()
        rows = chain(head[index + 1 :], numbered)
        yield title, _SheetTable(title, header_row, name_columns(header), rows)


class _BatchWriter:
    """Appends rows to the staged table a batch at a time, through an Arrow table."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str) -> None:
        self.con = con
        self.table = table
        self.names: list[str] = []
        self.originals: dict[str, str] = {}
        self.unnamed: list[str] = []
        self.buffer: list[tuple[int, str, dict[str, str]]] = []
        self.rows = 0

    def create(self, columns: list[TableColumn]) -> None:
        self.names = [c.name for c in columns]
        self.originals = {c.name: c.original for c in columns}
        self.unnamed = [c.name for c in columns if c.unnamed]
        cells = ", ".join(f"{quote_ident(name)} VARCHAR" for name in self.names)
        self.con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(self.table)} "
            f"(_row_id BIGINT, _source_row BIGINT, _sheet VARCHAR, {cells})"
        )

    def add(self, sheet: str, number: int, columns: list[TableColumn], cells: list) -> None:
        values = {}
        for position, text in enumerate(cells, start=1):
            if text is None:
                continue
            # A value right of the header's last name is kept in an unnamed column.
            inside = position <= len(columns)
            name = columns[position - 1].name if inside else f"unnamed_{position}"
            if name not in self.originals:
                self._add_unnamed(name)  # sheets share their named columns, not blank ones
            values[name] = text
        self.buffer.append((number, sheet, values))
        if len(self.buffer) >= BATCH_ROWS:
            self.flush()

    def _add_unnamed(self, name: str) -> None:
        self.con.execute(
            f"ALTER TABLE {quote_ident(self.table)} ADD COLUMN {quote_ident(name)} VARCHAR"
        )
        self.names.append(name)
        self.originals[name] = ""
        self.unnamed.append(name)

    def flush(self) -> None:
        if not self.buffer:
            return
        count = len(self.buffer)
        arrays = {
            "_row_id": pa.array(range(self.rows, self.rows + count), pa.int64()),
            "_source_row": pa.array([number for number, _, _ in self.buffer], pa.int64()),
            "_sheet": pa.array([sheet for _, sheet, _ in self.buffer], pa.string()),
        }
        for name in self.names:
            arrays[name] = pa.array([values.get(name) for _, _, values in self.buffer], pa.string())
        batch = pa.table(arrays)
        view = f"_{self.table}_batch"
        self.con.register(view, batch)
        try:
            self.con.execute(
                f"INSERT INTO {quote_ident(self.table)} BY NAME SELECT * FROM {quote_ident(view)}"
            )
        finally:
            self.con.unregister(view)
        self.rows += count
        self.buffer = []

    def drop_empty_unnamed(self) -> tuple[str, ...]:
        """Drop unnamed columns without a value; their names."""
        if not self.unnamed:
            return ()
        counts = ", ".join(f"count({quote_ident(name)})" for name in self.unnamed)
        filled = self.con.execute(f"SELECT {counts} FROM {quote_ident(self.table)}").fetchone()
        empty = tuple(name for name, n in zip(self.unnamed, filled, strict=True) if n == 0)
        for name in empty:
            self.con.execute(
                f"ALTER TABLE {quote_ident(self.table)} DROP COLUMN {quote_ident(name)}"
            )
            self.names.remove(name)
        return empty

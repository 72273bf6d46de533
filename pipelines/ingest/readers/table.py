"""What every reader hands over: the staged file's facts, its columns, its header row.

A reader stages one export as a table of text: ``_row_id`` (unique per row, ascending in
file order), ``_source_row`` (the spreadsheet row number: the header is row 1 unless a
title block sits above it), ``_sheet`` for workbooks, then one VARCHAR column per header
column, named by ``contracts.normalize_header`` (a repeated name gets ``_2``, a blank
header ``unnamed_<n>`` for column n), with values trimmed of spaces and empty values as
NULL. Rows with every cell empty are left out. Typing is left to the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.contracts import header_key, normalize_header

#: How far down a sheet or file the header row may be (below a title block).
HEADER_SEARCH_ROWS = 50
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
        keys = {header_key(name) for name in expected}
        for index, cells in enumerate(filled):
            if sum(header_key(cell) in keys for cell in cells) >= 2:
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

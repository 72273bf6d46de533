"""What an export file is before it is written: its text tables, kind, format and headers."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass
class TextTable:
    """One sheet (or the whole of a CSV): cells as text under contract column names."""

    frame: pl.DataFrame
    sheet: str | None = None
    title: tuple[str, ...] = ()

    @property
    def header_row(self) -> int:
        """Spreadsheet row of the header (1 without a title block)."""
        return len(self.title) + 1 + (1 if self.title else 0)


@dataclass
class ExportSpec:
    """A file to write: its kind, format, tables and header spellings."""

    file_name: str
    kind: str
    file_format: str  # csv | xlsx | qualtrics | google_forms
    tables: list[TextTable]
    headers: dict[str, str] = field(default_factory=dict)
    us_dates: bool = False
    crlf: bool = False
    #: column -> xlsx cell type (number, integer, date, text)
    cell_types: dict[str, str] = field(default_factory=dict)
    #: for survey exports: the item map written beside the export
    item_map: dict | None = None
    school_year: int | None = None
    #: header rows below the first (a Qualtrics export has two: question texts, import ids)
    extra_header_rows: tuple[tuple[str, ...], ...] = ()
    #: further facts for the manifest (a survey export: how many long answers it holds)
    manifest_extra: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(t.frame.height for t in self.tables)

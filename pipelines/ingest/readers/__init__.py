"""Read one district export file into a staging table: every cell as text, with its row number.

``stage_file`` recognises the real format from the file's first bytes (``formats``) and
hands it to its reader: CSV (``csv_file``, its layout sniffed by ``csv_layout``, its bytes
checked by ``text``), XLSX (``xlsx``) or Parquet (``parquet``). Each loads the rows into
DuckDB without holding the file in Python memory, in the form ``table`` describes.
Records that cannot be parsed come back as rejected lines for the caller to quarantine; a
file that cannot be read at all raises ``InputError``, one line saying what to do.

A new format is one module here with a ``stage_*`` and a ``*_header`` function, and one
entry in ``READERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from pipelines.ingest.readers.csv_file import stage_csv
from pipelines.ingest.readers.csv_layout import csv_header
from pipelines.ingest.readers.formats import READABLE_SUFFIXES, detect_format, read_head
from pipelines.ingest.readers.parquet import parquet_header, stage_parquet
from pipelines.ingest.readers.table import StagedFile, TableColumn, unique_names
from pipelines.ingest.readers.text import file_sha256
from pipelines.ingest.readers.xlsx import stage_workbook, workbook_header

__all__ = [
    "READABLE_SUFFIXES",
    "READERS",
    "StagedFile",
    "detect_format",
    "file_sha256",
    "read_head",
    "sniff_header",
    "stage_file",
    "unique_names",
]

#: Per format: how to stage a file, and how to read its header alone (both take the file,
#: its first bytes and the header names the caller expects, if any).
READERS: dict[str, tuple[Callable[..., StagedFile], Callable[..., list[TableColumn]]]] = {
    "csv": (stage_csv, csv_header),
    "xlsx": (stage_workbook, workbook_header),
    "parquet": (stage_parquet, parquet_header),
}


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
    head = read_head(path)
    stage, _ = READERS[detect_format(path, head)]
    return stage(con, path, head, table=table, expected_headers=expected_headers)


def sniff_header(path: str | Path, *, expected_headers: set[str] | None = None) -> list[str]:
    """Normalised header names of a file (a workbook's first sheet), from its first bytes.

    Unnamed columns are left out: this is for recognising which kind of export a file is.
    """
    path = Path(path)
    head = read_head(path)
    _, header = READERS[detect_format(path, head)]
    return [column.name for column in header(path, head, expected_headers) if not column.unnamed]

"""Parquet exports into a staging table, in the same text form as CSV exports."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.errors import InputError
from pipelines.ingest.readers.table import NO_DATA, StagedFile, TableColumn, name_columns
from pipelines.ingest.readers.text import file_sha256
from pipelines.sql_text import quote_ident, quote_literal


def parquet_header(path: Path, head: bytes, expected: set[str] | None) -> list[TableColumn]:
    """The file's columns, from its schema (``head`` and ``expected`` are not needed)."""
    try:
        return name_columns(pq.read_schema(path).names)
    except (pa.ArrowException, OSError):
        raise _damaged(path) from None


def _damaged(path: Path) -> InputError:
    return InputError(path.name, "the Parquet file is damaged", "export it again")


def stage_parquet(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    head: bytes,
    *,
    table: str,
    expected_headers: set[str] | None = None,
) -> StagedFile:
    """Stage a Parquet file: typed columns become the text a spreadsheet export would hold."""
    source = f"read_parquet({quote_literal(str(path))}, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * EXCLUDE (file_row_number) FROM {source}")
        headers, types = zip(*[(row[0], row[1]) for row in described.fetchall()], strict=True)
    except (duckdb.Error, ValueError):
        raise _damaged(path) from None
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

"""One export file staged as one or more uniform sources, each a batch of its own.

A plain export (CSV, XLSX, Parquet) is one source. A survey export (Qualtrics, Google
Forms) is reshaped to the long survey_responses form through its item map, and the item
definitions in that map, if any, are a second source of kind survey_items that loads first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.errors import InputError
from pipelines.ingest.options import IngestOptions
from pipelines.ingest.readers import detect_format, file_sha256, read_head, stage_file
from pipelines.ingest.surveys import detect_survey_layout, load_item_map, reshape_survey
from pipelines.sql_text import quote_ident

ITEM_MAP_SUFFIX = ".item_map.yaml"


@dataclass(frozen=True)
class StagedSource:
    """One batch's worth of rows, staged as text in table ``table`` of the staging database."""

    path: Path
    display_name: str
    kind: str
    table: str
    sha256: str
    file_format: str
    encoding: str | None
    columns: tuple[str, ...]
    rows_read: int
    rejected_lines: tuple[tuple[int, str], ...] = ()
    dropped_columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: For a survey export: its item map, and the items the map uses but does not define
    #: (an earlier survey's map must have defined them).
    item_map: Path | None = None
    undefined_items: tuple[str, ...] = ()


def item_map_for(path: Path, item_map: Path | None) -> Path | None:
    """The item map given, or ``<export name>.item_map.yaml`` beside the export."""
    if item_map is not None:
        return item_map
    beside = path.with_name(path.stem + ITEM_MAP_SUFFIX)
    return beside if beside.exists() else None


def is_survey_export(path: Path) -> bool:
    """Whether ``path`` is a survey tool's export (Qualtrics, Google Forms): text that
    ``pipelines.ingest.readers`` reads as CSV, with a survey layout's header rows."""
    head = read_head(path)
    return detect_format(path, head) == "csv" and detect_survey_layout(path) is not None


def stage_source(
    con: duckdb.DuckDBPyConnection, path: Path, *, kind: str, options: IngestOptions
) -> Iterator[StagedSource]:
    """Stage ``path`` in ``con`` and yield its sources in load order."""
    if kind == "survey_responses" and is_survey_export(path):
        yield from _stage_survey(con, path, item_map_for(path, options.item_map), options)
        return
    staged = stage_file(con, path, table="staged")
    yield StagedSource(
        path=path,
        display_name=path.name,
        kind=kind,
        table="staged",
        sha256=staged.sha256,
        file_format=staged.file_format,
        encoding=staged.encoding,
        columns=tuple(staged.columns),
        rows_read=staged.rows_read,
        rejected_lines=tuple((r[0], r[1]) for r in staged.rejected_lines),
        dropped_columns=tuple(staged.dropped_columns),
    )


def _stage_survey(
    con: duckdb.DuckDBPyConnection, path: Path, item_map: Path | None, options: IngestOptions
) -> Iterator[StagedSource]:
    if item_map is None:
        raise InputError(
            path,
            "this is a survey export but no item map says which question is which item",
            f"write {path.stem}{ITEM_MAP_SUFFIX} beside it or pass --item-map",
        )
    loaded_map = load_item_map(item_map)
    reshaped = reshape_survey(
        path, loaded_map, include_test_responses=options.include_test_responses
    )
    undefined = tuple(item.item_id for item in loaded_map.items if item.definition is None)
    survey = {"item_map": item_map, "undefined_items": undefined}
    if reshaped.items is not None and len(reshaped.items):
        yield _register_frame(
            con,
            reshaped.items,
            table="staged_items",
            path=item_map,
            kind="survey_items",
            sha256=file_sha256(item_map),
            file_format="item_map",
            **survey,
        )
    yield _register_frame(
        con,
        reshaped.responses,
        table="staged",
        path=path,
        kind="survey_responses",
        sha256=file_sha256(path),
        file_format="survey_export",
        notes=reshaped.notes,
        **survey,
    )


def _register_frame(
    con, frame, *, table, path, kind, sha256, file_format, notes=(), **survey
) -> StagedSource:
    """Copy a small reshaped frame into staging as text columns with ``_source_row``."""
    import pandas as pd

    frame = pd.DataFrame(frame) if not isinstance(frame, pd.DataFrame) else frame
    frame = frame.copy()
    if "_source_row" not in frame.columns:
        # Item definitions come from the map, not a sheet: number them as the map lists them.
        frame["_source_row"] = range(1, len(frame) + 1)
    frame["_row_id"] = range(len(frame))
    columns = [c for c in frame.columns if c not in ("_source_row", "_row_id")]
    for column in columns:
        # Same hand-over as the file readers: trimmed text, None for empty cells.
        frame[column] = frame[column].map(_as_text)
    # A cursor of its own: the caller's connection may still hold the unfinished result of
    # its last query (the batch before was one already loaded), and DuckDB refuses to
    # register a frame on such a connection. The table lands in the same staging database.
    with con.cursor() as cursor:
        cursor.register("_frame", frame)
        selected = ", ".join(
            f"CAST({quote_ident(c)} AS VARCHAR) AS {quote_ident(c)}" for c in columns
        )
        cursor.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(table)} AS "
            f"SELECT CAST(_row_id AS BIGINT) AS _row_id, "
            f"CAST(_source_row AS BIGINT) AS _source_row, {selected} FROM _frame"
        )
    return StagedSource(
        path=path,
        display_name=path.name,
        kind=kind,
        table=table,
        sha256=sha256,
        file_format=file_format,
        encoding="utf-8",
        columns=tuple(columns),
        rows_read=len(frame),
        notes=tuple(notes),
        **survey,
    )


def _as_text(value: object) -> str | None:
    if value is None or value != value:  # None or NaN
        return None
    text = str(value).strip()
    return text or None

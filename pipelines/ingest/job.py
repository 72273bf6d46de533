"""The ingest job: every planned file through staging, validation and one load transaction.

For each file: stage it in a private in-memory DuckDB database, map its columns to the
contract, type and pseudonymize it, validate it in place with great-expectations (and the
same checks in SQL to route failing rows, which must agree), then write raw rows, core
versions, quarantine and audit to the warehouse in ONE transaction. A file-level problem
raises ``InputError`` before that transaction starts, so the warehouse is never touched.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.contracts import load_contracts
from pipelines.contracts.rules import reference_table
from pipelines.errors import InputError
from pipelines.ingest.column_map import renames_for
from pipelines.ingest.columns import (
    ColumnMapping,
    drop_personal_extras,
    map_columns,
    require_columns,
)
from pipelines.ingest.fixed_values import add_fixed_values
from pipelines.ingest.options import DEFAULT_OPTIONS, IngestOptions
from pipelines.ingest.plan import PlannedFile, plan_ingest
from pipelines.ingest.pseudonymize import load_key
from pipelines.ingest.sources import StagedSource, stage_source
from pipelines.ingest.staging import Staging
from pipelines.ingest.typed import build_typed_table
from pipelines.ingest.validate import validate_batch
from pipelines.sql_text import quote_ident
from pipelines.warehouse.audit import Batch, find_loaded_batch
from pipelines.warehouse.connection import resolve_db_path
from pipelines.warehouse.load import copy_known_keys, unknown_keys, write_batch
from pipelines.warehouse.transaction import transaction

#: Test hook: seconds to sleep inside the batch transaction, just before COMMIT, so a test
#: can kill the process mid-load and check that no partial batch survives.
PAUSE_BEFORE_COMMIT_ENV = "OUTCOMES_PAUSE_BEFORE_COMMIT"


class _Stopwatch:
    """Seconds spent per named step, measured one after another."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append((name, round(now - self._last, 3)))
        self._last = now


def ingest_paths(
    paths: Iterable[str | Path],
    *,
    db: str | Path | None = None,
    kind: str | None = None,
    district_id: str = "district",
    options: IngestOptions = DEFAULT_OPTIONS,
    on_file: Callable[[PlannedFile], None] | None = None,
) -> list[Batch]:
    """Ingest every file under ``paths`` (files or folders), referenced kinds first.

    Stops at the first file-level error (``InputError``); batches already committed stay.
    """
    plan = plan_ingest(paths, kind=kind, district_id=district_id, options=options)
    return ingest_plan(plan, db=db, options=options, on_file=on_file)


def ingest_plan(
    plan: Iterable[PlannedFile],
    *,
    db: str | Path | None = None,
    options: IngestOptions = DEFAULT_OPTIONS,
    on_file: Callable[[PlannedFile], None] | None = None,
    on_done: Callable[[PlannedFile, list[Batch]], None] | None = None,
) -> list[Batch]:
    """Ingest planned files in order, each into its district: the one ingest loop.

    ``on_file`` is called before a file is loaded and ``on_done`` after, with its batches
    (progress displays use them). Stops at the first file-level error (``InputError``);
    batches already committed stay.
    """
    key = load_key()  # once: a key file is read, or created, a single time
    results = []
    with Staging(resolve_db_path(db), key=key, wait_seconds=options.wait_seconds) as staging:
        for planned in plan:
            if on_file is not None:
                on_file(planned)
            batches = _ingest_staged_file(staging, planned, options=options)
            results.extend(batches)
            if on_done is not None:
                on_done(planned, batches)
    return results


def ingest_file(
    path: str | Path,
    *,
    kind: str,
    db: str | Path | None = None,
    district_id: str = "district",
    key: bytes | None = None,
    options: IngestOptions = DEFAULT_OPTIONS,
) -> list[Batch]:
    """Ingest one file (a survey export also loads its item definitions first)."""
    key = key if key is not None else load_key()
    _, renames = renames_for(Path(path), options.renames, options.column_map)
    planned = PlannedFile(Path(path), kind, district_id, renames)
    with Staging(resolve_db_path(db), key=key, wait_seconds=options.wait_seconds) as staging:
        return _ingest_staged_file(staging, planned, options=options)


def _ingest_staged_file(
    staging: Staging, planned: PlannedFile, *, options: IngestOptions
) -> list[Batch]:
    """Every batch of one file, each staged and written in turn; staging cleared after."""
    results = []
    try:
        stopwatch = _Stopwatch()
        for source in stage_source(staging.con, planned.path, kind=planned.kind, options=options):
            stopwatch.lap("read")
            results.append(
                _ingest_staged(
                    staging,
                    source,
                    district_id=planned.district_id,
                    renames=planned.renames,
                    options=options,
                    stopwatch=stopwatch,
                )
            )
            stopwatch = _Stopwatch()
    finally:
        staging.clear()
    return results


def _ingest_staged(
    staging: Staging,
    source: StagedSource,
    *,
    district_id: str,
    renames: Mapping[str, str],
    options: IngestOptions,
    stopwatch: _Stopwatch,
) -> Batch:
    started = datetime.now()
    clock = time.perf_counter()
    con, key = staging.con, staging.key
    contract = load_contracts()[source.kind]
    mapping = map_columns(contract, source.columns, keep_extra=options.keep_extra, renames=renames)
    read_columns = source.columns
    if options.fixed_values:
        source = add_fixed_values(con, source, contract, mapping, options.fixed_values)
        mapping = map_columns(
            contract, source.columns, keep_extra=options.keep_extra, renames=renames
        )
    require_columns(contract, mapping, source.display_name)
    mapping = drop_personal_extras(con, source.table, mapping)
    date_formats = build_typed_table(con, contract, mapping, key=key, source=source.table)
    # Everything later reads the typed table; the text copy would only crowd staging memory
    # (past its limit DuckDB spills to disk, which doubled the cost of the later passes).
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(source.table)}")
    stopwatch.lap("type and pseudonymize")

    staging.attach_warehouse()
    batch = Batch(
        batch_id=None,
        district_id=district_id,
        kind=contract.kind,
        file_name=source.display_name,
        file_sha256=source.sha256,
        file_format=source.file_format,
        file_encoding=source.encoding,
        contract_version=contract.version,
        rows_read=source.rows_read,
        started_at=started,
        path=source.path,
    )
    loaded = find_loaded_batch(
        con, sha256=source.sha256, kind=contract.kind, district_id=district_id
    )
    # A file given a value with --set is more than its bytes: the same roster set to
    # another year is new rows, found by comparing keys as for any other file.
    if loaded is not None and source.columns == read_columns:
        return replace(
            batch,
            batch_id=loaded,
            status="already_loaded",
            seconds=time.perf_counter() - clock,
            notes=(f"identical to batch {loaded}; nothing changed",),
        )

    _require_item_definitions(con, source, district_id)
    for column in contract.foreign_keys:
        copy_known_keys(con, column, district_id, reference_table(column))
    stopwatch.lap("open warehouse, reference keys")
    validation = validate_batch(con, contract, file_name=source.display_name, lap=stopwatch.lap)
    batch = replace(
        batch,
        extra_columns=mapping.extra,
        dropped_columns=mapping.dropped + source.dropped_columns,
        formula_like_cells=validation.routing.formula_like_cells,
        validation_success=validation.success,
        validation_engine=validation.engine,
        date_formats=date_formats,
        notes=source.notes + _column_notes(mapping),
    )
    # Staged rows carry their row numbers, so the warehouse need not keep file order, and
    # unordered inserts run in parallel.
    con.execute("SET preserve_insertion_order = false")
    with transaction(con):
        batch = write_batch(
            con,
            contract,
            batch,
            outcomes=validation.outcomes(),
            document=validation.document,
            rejected_lines=source.rejected_lines,
        )
        pause = float(os.environ.get(PAUSE_BEFORE_COMMIT_ENV, "0") or 0)
        if pause:
            print(f"pausing {pause:g} s before commit", file=sys.stderr, flush=True)
            time.sleep(pause)
    stopwatch.lap("write (one transaction)")
    return replace(batch, seconds=time.perf_counter() - clock, stage_seconds=tuple(stopwatch.laps))


def _column_notes(mapping: ColumnMapping) -> tuple[str, ...]:
    """What the operator should know about the columns beyond the contract."""
    notes = []
    if mapping.pseudonymized_extra:
        kept = ", ".join(mapping.pseudonymized_extra)
        notes.append(f"kept as pseudonyms (their headers name ids): {kept}")
    if mapping.keepable:
        notes.append(
            "to store a column the contract does not know, pass --keep-extra NAME "
            "(here: " + ", ".join(mapping.keepable) + ")"
        )
    return tuple(notes)


def _require_item_definitions(
    con: duckdb.DuckDBPyConnection, source: StagedSource, district_id: str
) -> None:
    """Refuse a survey export whose item map uses items that neither it nor a survey loaded
    before defines: every answer would be held back for an unknown item."""
    if not source.undefined_items:
        return
    undefined = unknown_keys(con, "survey_items", "item_id", source.undefined_items, district_id)
    if undefined:
        raise InputError(
            source.item_map,
            f"items {', '.join(undefined)} are defined neither in this item map nor by a "
            "survey loaded before",
            "give each a construct:, wording: and response_scale: (data/schemas/ITEM_MAPS.md), "
            "or load the survey whose map defines them first",
        )

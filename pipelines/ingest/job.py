"""The ingest job: every planned file staged, then validated and written kind by kind.

For each file: stage it in a private in-memory DuckDB database, map its columns to the
contract, type and pseudonymize it, each batch in a staging schema of its own. When the
files are staged (or past ``FLUSH_ROWS`` staged rows) the pending batches are validated,
in SQL to route failing rows and with great-expectations over each kind's clean batches
together, which must agree, and each batch is written to the warehouse in ONE transaction:
raw rows, core versions, quarantine and audit (``pipelines.ingest.pending``). A file-level
problem raises ``InputError`` before any of its batches is written: the files staged
before it are written, the refused file and those after it are not.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.contracts import Contract, load_contracts
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
from pipelines.ingest.pending import (
    FLUSH_ROWS,
    READ,
    REFERENCE_KEYS,
    PendingBatches,
    StagedBatch,
    Stopwatch,
)
from pipelines.ingest.plan import PlannedFile, plan_ingest
from pipelines.ingest.pseudonymize import load_key
from pipelines.ingest.sources import StagedSource, stage_source
from pipelines.ingest.staging import Staging
from pipelines.ingest.typed import build_typed_table
from pipelines.sql_text import quote_ident
from pipelines.warehouse.audit import Batch, find_loaded_batch
from pipelines.warehouse.connection import resolve_db_path
from pipelines.warehouse.load import unknown_keys

#: What a staged file yields for each of its batches: the batch once written.
_Outcome = Callable[[], Batch]


def ingest_paths(
    paths: Iterable[str | Path],
    *,
    db: str | Path | None = None,
    kind: str | None = None,
    district_id: str = "district",
    options: IngestOptions = DEFAULT_OPTIONS,
    on_file: Callable[[PlannedFile], None] | None = None,
    on_validate: Callable[[int], None] | None = None,
) -> list[Batch]:
    """Ingest every file under ``paths`` (files or folders), referenced kinds first.

    Stops at the first file-level error (``InputError``); the files staged before it are
    written, that file and the ones after it are not.
    """
    plan = plan_ingest(paths, kind=kind, district_id=district_id, options=options)
    return ingest_plan(plan, db=db, options=options, on_file=on_file, on_validate=on_validate)


def ingest_plan(
    plan: Iterable[PlannedFile],
    *,
    db: str | Path | None = None,
    options: IngestOptions = DEFAULT_OPTIONS,
    on_file: Callable[[PlannedFile], None] | None = None,
    on_done: Callable[[PlannedFile, list[Batch]], None] | None = None,
    on_validate: Callable[[int], None] | None = None,
    key: bytes | None = None,
) -> list[Batch]:
    """Ingest planned files in order, each into its district: the one ingest loop.

    ``on_file`` is called before a file is staged, ``on_validate`` with the number of
    staged batches before they are validated and written, and ``on_done`` once a file's
    batches are written (after the last file is staged, unless the staged rows passed
    ``FLUSH_ROWS`` earlier). Stops at the first file-level error (``InputError``); the
    files staged before it are written first.
    """
    if key is None:
        key = load_key()  # once: a key file is read, or created, a single time
    preload_validator()
    results: list[Batch] = []
    staged_files: list[tuple[PlannedFile, list[_Outcome]]] = []

    def write_pending(pending: PendingBatches) -> None:
        if on_validate is not None and pending.batches:
            on_validate(len(pending.batches))
        pending.flush()
        for planned, outcomes in staged_files:
            batches = [outcome() for outcome in outcomes]
            results.extend(batches)
            if on_done is not None:
                on_done(planned, batches)
        staged_files.clear()

    with Staging(resolve_db_path(db), key=key, wait_seconds=options.wait_seconds) as staging:
        pending = PendingBatches(staging)
        for planned in plan:
            if on_file is not None:
                on_file(planned)
            try:
                outcomes = _stage_file(staging, pending, planned, options=options)
            except InputError:
                write_pending(pending)  # the files before the refused one still load
                raise
            staged_files.append((planned, outcomes))
            if pending.rows >= FLUSH_ROWS:
                write_pending(pending)
        write_pending(pending)
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
    _, renames = renames_for(Path(path), options.renames, options.column_map)
    planned = PlannedFile(Path(path), kind, district_id, renames)
    return ingest_plan([planned], db=db, options=options, key=key)


def preload_validator() -> None:
    """Import great-expectations in a thread: it takes seconds, mostly waiting on files and
    native modules, and the files are staged meanwhile. Validation joins the import."""
    if "pipelines.ingest.validate.gx" in sys.modules:
        return
    threading.Thread(target=_import_validator, daemon=True).start()


def _import_validator() -> None:
    import pipelines.ingest.validate.gx  # noqa: F401


def _stage_file(
    staging: Staging, pending: PendingBatches, planned: PlannedFile, *, options: IngestOptions
) -> list[_Outcome]:
    """Stage every batch of one file; staging's file-level tables are cleared after.

    A file refused after some of its batches were staged (a survey's responses after its
    items) has them discarded: a refused file loads nothing.
    """
    outcomes: list[_Outcome] = []
    staged_here: list[StagedBatch] = []
    sources = stage_source(staging.con, planned.path, kind=planned.kind, options=options)
    try:
        stopwatch = Stopwatch()
        while True:
            pending.use(None)  # files are read into the main schema
            source = next(sources, None)
            if source is None:
                break
            stopwatch.lap(READ)
            outcome = _stage_batch(
                staging,
                pending,
                source,
                district_id=planned.district_id,
                renames=planned.renames,
                options=options,
                stopwatch=stopwatch,
            )
            if isinstance(outcome, StagedBatch):
                staged_here.append(outcome)
                outcomes.append(_written(outcome))
            else:
                outcomes.append(outcome)
            stopwatch = Stopwatch()
    except BaseException:
        pending.discard(staged_here)
        raise
    finally:
        pending.use(None)
        staging.clear()
    return outcomes


def _written(staged: StagedBatch) -> _Outcome:
    def outcome() -> Batch:
        if staged.result is None:
            raise RuntimeError(f"{staged.batch.file_name} was staged but never written")
        return staged.result

    return outcome


def _stage_batch(
    staging: Staging,
    pending: PendingBatches,
    source: StagedSource,
    *,
    district_id: str,
    renames: Mapping[str, str],
    options: IngestOptions,
    stopwatch: Stopwatch,
) -> StagedBatch | _Outcome:
    """Type and pseudonymize one source in a schema of its own and add it to ``pending``;
    or, for a file loaded before, the already-loaded batch."""
    started = datetime.now()
    con = staging.con
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
    schema = pending.open_schema()
    try:
        return _stage_typed(
            staging, pending, source, contract, mapping, schema,
            district_id=district_id, read_columns=read_columns, started=started,
            stopwatch=stopwatch,
        )  # fmt: skip
    except BaseException:
        pending.drop_schema(schema)
        raise


def _stage_typed(
    staging: Staging,
    pending: PendingBatches,
    source: StagedSource,
    contract: Contract,
    mapping: ColumnMapping,
    schema: str,
    *,
    district_id: str,
    read_columns: tuple[str, ...],
    started: datetime,
    stopwatch: Stopwatch,
) -> StagedBatch | _Outcome:
    """``_stage_batch`` from typing on, in the batch's own ``schema``."""
    con, key = staging.con, staging.key
    date_formats = build_typed_table(con, contract, mapping, key=key, source=source.table)
    # Everything later reads the typed table; the text copy would only crowd staging memory
    # (past its limit DuckDB spills to disk, which doubled the cost of the later passes).
    con.execute(f"DROP TABLE IF EXISTS main.{quote_ident(source.table)}")
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
        extra_columns=mapping.extra,
        dropped_columns=mapping.dropped + source.dropped_columns,
        date_formats=date_formats,
        notes=source.notes + _column_notes(mapping),
    )
    # A file given a value with --set is more than its bytes: the same roster set to
    # another year is new rows, found by comparing keys as for any other file.
    if source.columns == read_columns:
        identity = {"sha256": source.sha256, "kind": contract.kind, "district_id": district_id}
        loaded = find_loaded_batch(con, **identity)
        twin = pending.identical(**identity)
        if loaded is not None or twin is not None:
            pending.drop_schema(schema)
            return _already_loaded(batch, loaded, twin, stopwatch)

    _require_item_definitions(con, pending, source, district_id)
    stopwatch.lap(REFERENCE_KEYS)
    staged = StagedBatch(
        contract=contract,
        batch=batch,
        schema=schema,
        source=source,
        rows=source.rows_read,
        laps=stopwatch.laps,
    )
    pending.add(staged)
    return staged


def _already_loaded(
    batch: Batch, loaded: int | None, twin: StagedBatch | None, stopwatch: Stopwatch
) -> _Outcome:
    """The outcome of a file whose bytes were loaded before, or are earlier in this command."""
    stopwatch.lap(REFERENCE_KEYS)
    seconds = sum(s for step, s in stopwatch.laps.items() if step != READ)

    def outcome() -> Batch:
        batch_id = loaded if loaded is not None else twin.result.batch_id
        return replace(
            batch,
            batch_id=batch_id,
            status="already_loaded",
            seconds=seconds,
            notes=(f"identical to batch {batch_id}; nothing changed",),
        )

    return outcome


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
    con: duckdb.DuckDBPyConnection,
    pending: PendingBatches,
    source: StagedSource,
    district_id: str,
) -> None:
    """Refuse a survey export whose item map uses items that neither it nor a survey loaded
    before (or staged earlier in this command) defines: every answer would be held back
    for an unknown item."""
    if not source.undefined_items:
        return
    staged = pending.staged_keys("survey_items", "item_id", district_id)
    not_loaded = unknown_keys(con, "survey_items", "item_id", source.undefined_items, district_id)
    undefined = [item for item in not_loaded if item not in staged]
    if undefined:
        raise InputError(
            source.item_map,
            f"items {', '.join(undefined)} are defined neither in this item map nor by a "
            "survey loaded before",
            "give each a construct:, wording: and response_scale: (data/schemas/ITEM_MAPS.md), "
            "or load the survey whose map defines them first",
        )

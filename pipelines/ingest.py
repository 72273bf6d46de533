"""Ingest district export files into the warehouse, one validated batch per file.

For each file: stage it in a private in-memory DuckDB database, map its columns to the
contract, type and pseudonymize it, validate it in place with great-expectations (and the
same checks in SQL to route failing rows, which must agree), then write raw rows, core
versions, quarantine and audit to the warehouse in ONE transaction. A file-level problem
raises ``InputError`` before that transaction starts, so the warehouse is never touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines import staging
from pipelines.checks import compile_checks, quote_ident, quote_literal, reference_table
from pipelines.contracts import Contract, load_contracts, load_order
from pipelines.errors import InputError
from pipelines.load import BatchFacts, LoadCounts, write_batch
from pipelines.pseudonymize import key_fingerprint, load_key
from pipelines.quarantine import route_rows
from pipelines.sources import StagedSource, discover_files, stage_source
from pipelines.warehouse import ensure_tables, resolve_db_path, retry_while_locked

#: Test hook: seconds to sleep inside the batch transaction, just before COMMIT, so a test
#: can kill the process mid-load and check that no partial batch survives.
PAUSE_BEFORE_COMMIT_ENV = "OUTCOMES_PAUSE_BEFORE_COMMIT"
#: Memory the staging database may use before it spills to disk (a 2 GB file must not
#: need 2 GB of memory).
STAGING_MEMORY_LIMIT = os.environ.get("OUTCOMES_STAGING_MEMORY", "2GB")


@dataclass(frozen=True)
class BatchResult:
    """The outcome of ingesting one file."""

    file: Path
    kind: str
    status: str  # "loaded" or "already_loaded"
    batch_id: int | None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_new: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    extra_columns: tuple[str, ...] = ()
    dropped_columns: tuple[str, ...] = ()
    formula_like_cells: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Wall seconds per step, in the order they ran (read, type and pseudonymize, open the
    #: warehouse, duplicate keys, SQL checks, great-expectations, write). The benchmark
    #: reports them; nothing depends on them.
    stage_seconds: tuple[tuple[str, float], ...] = ()


class _Stopwatch:
    """Seconds spent per named step, measured one after another."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append((name, round(now - self._last, 3)))
        self._last = now


class ValidationDisagreement(RuntimeError):
    """great-expectations and the SQL routing counted different failures: a bug, not bad input."""


def plan_ingest(
    paths: Iterable[str | Path], *, kind: str | None = None, item_map: Path | None = None
) -> list[tuple[Path, str]]:
    """Files to load with their kinds, ordered so referenced kinds load first."""
    contracts = load_contracts()
    planned = []
    for path in discover_files(paths):
        if kind is not None and kind not in contracts:
            raise InputError(
                "--kind", f"unknown kind {kind!r}", "use one of " + ", ".join(sorted(contracts))
            )
        planned.append((path, kind or _infer_kind(path, contracts, item_map)))
    order = {k: i for i, k in enumerate(load_order(contracts))}
    return sorted(planned, key=lambda item: (order[item[1]], str(item[0])))


def _infer_kind(path: Path, contracts: dict[str, Contract], item_map: Path | None) -> str:
    from pipelines.sources import sniff_kind_hint

    hint = sniff_kind_hint(path, item_map)
    if hint is not None:
        return hint
    from pipelines.readers import sniff_header

    return staging.infer_kind(contracts, sniff_header(path), path.name)


def ingest_paths(
    paths: Iterable[str | Path],
    *,
    db: str | Path | None = None,
    kind: str | None = None,
    district_id: str = "district",
    item_map: Path | None = None,
    wait_seconds: float = 60,
    on_file: Callable[[Path, str], None] | None = None,
) -> list[BatchResult]:
    """Ingest every file under ``paths`` (files or folders), referenced kinds first.

    Stops at the first file-level error (``InputError``); batches already committed stay.
    """
    key = load_key()
    results = []
    for path, file_kind in plan_ingest(paths, kind=kind, item_map=item_map):
        if on_file is not None:
            on_file(path, file_kind)
        results.extend(
            ingest_file(
                path,
                kind=file_kind,
                db=db,
                district_id=district_id,
                key=key,
                item_map=item_map,
                wait_seconds=wait_seconds,
            )
        )
    return results


def ingest_file(
    path: str | Path,
    *,
    kind: str,
    db: str | Path | None = None,
    district_id: str = "district",
    key: bytes | None = None,
    item_map: Path | None = None,
    wait_seconds: float = 60,
) -> list[BatchResult]:
    """Ingest one file (a survey export also loads its item definitions first)."""
    key = key if key is not None else load_key()
    db_path = resolve_db_path(db)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    results = []
    stage_name = f":memory:stage_{uuid.uuid4().hex}"
    # Staging spills to a private folder past its memory limit; identifiers are still raw
    # there, so the folder is readable by the owner only and removed afterwards.
    spill = tempfile.TemporaryDirectory(prefix="outcomes-stage-")
    os.chmod(spill.name, 0o700)
    con = duckdb.connect(
        stage_name,
        config={"memory_limit": STAGING_MEMORY_LIMIT, "temp_directory": spill.name},
    )
    # The command line shows its own progress; DuckDB's bar would interleave with it.
    con.execute("SET enable_progress_bar = false")
    try:
        staging.install_macros(con)
        stopwatch = _Stopwatch()
        for source in stage_source(con, Path(path), kind=kind, item_map=item_map):
            stopwatch.lap("read")
            results.append(
                _ingest_staged(
                    con,
                    stage_name,
                    source,
                    db_path=db_path,
                    district_id=district_id,
                    key=key,
                    wait_seconds=wait_seconds,
                    stopwatch=stopwatch,
                )
            )
            stopwatch = _Stopwatch()
    finally:
        _detach_quietly(con)
        con.close()
        spill.cleanup()
    return results


def _ingest_staged(
    con: duckdb.DuckDBPyConnection,
    stage_name: str,
    source: StagedSource,
    *,
    db_path: Path,
    district_id: str,
    key: bytes,
    wait_seconds: float,
    stopwatch: _Stopwatch,
) -> BatchResult:
    started = datetime.now()
    clock = time.perf_counter()
    contract = load_contracts()[source.kind]
    mapping = staging.map_columns(contract, source.columns)
    staging.require_columns(contract, mapping, source.display_name)
    mapping = staging.drop_personal_extras(con, source.table, mapping)
    date_formats = staging.build_typed_table(con, contract, mapping, key=key, source=source.table)
    # Everything later reads the typed table; the text copy would only crowd staging memory
    # (past its limit DuckDB spills to disk, which doubled the cost of the later passes).
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(source.table)}")
    stopwatch.lap("type and pseudonymize")

    _detach_quietly(con)
    retry_while_locked(
        lambda: con.execute(f"ATTACH {quote_literal(str(db_path))} AS wh"),
        wait_seconds=wait_seconds,
        db_path=db_path,
    )
    ensure_tables(con, "wh")
    _check_key(con, key, db_path)
    loaded = con.execute(
        "SELECT batch_id FROM wh.audit.batches WHERE file_sha256 = ? AND kind = ? "
        "AND district_id = ?",
        [source.sha256, contract.kind, district_id],
    ).fetchone()
    if loaded is not None:
        return BatchResult(
            source.path,
            contract.kind,
            "already_loaded",
            loaded[0],
            rows_read=source.rows_read,
            seconds=time.perf_counter() - clock,
            notes=(f"identical to batch {loaded[0]}; nothing changed",),
        )

    _load_reference_keys(con, contract, district_id)
    stopwatch.lap("open warehouse, reference keys")
    staging.build_checked_view(con, contract)
    stopwatch.lap("duplicate keys")
    checks = compile_checks(contract)
    routing = route_rows(con, contract, checks)
    stopwatch.lap("checks and routing (SQL)")
    gx_counts, gx_success, gx_document, engine = _validate_with_gx(con, checks)
    stopwatch.lap("great-expectations")
    disagreements = {
        check_id: (gx_counts[check_id], routing.expected_gx_counts[check_id])
        for check_id in gx_counts
        if gx_counts[check_id] is not None
        and gx_counts[check_id] != routing.expected_gx_counts[check_id]
    }
    if disagreements:
        raise ValidationDisagreement(
            f"{source.display_name}: great-expectations and the quarantine routing disagree "
            f"on {disagreements}; nothing was loaded. Please report this as a bug."
        )

    facts = BatchFacts(
        kind=contract.kind,
        district_id=district_id,
        file_name=source.display_name,
        file_sha256=source.sha256,
        file_format=source.file_format,
        file_encoding=source.encoding,
        contract_version=contract.version,
        rows_read=source.rows_read,
        extra_columns=mapping.extra,
        dropped_columns=mapping.dropped + source.dropped_columns,
        formula_like_cells=routing.formula_like_cells,
        date_formats=date_formats,
        validation_success=gx_success,
        validation_engine=engine,
        started_at=started,
    )
    # Staged rows carry their row numbers, so the warehouse need not keep file order, and
    # unordered inserts run in parallel.
    con.execute("SET preserve_insertion_order = false")
    con.execute("BEGIN TRANSACTION")
    try:
        counts: LoadCounts = write_batch(
            con,
            contract,
            facts,
            checks=checks,
            gx_counts=gx_counts,
            failing_counts=routing.failing_counts,
            gx_document=gx_document,
            rejected_lines=source.rejected_lines,
            loaded_at=started,
        )
        pause = float(os.environ.get(PAUSE_BEFORE_COMMIT_ENV, "0") or 0)
        if pause:
            print(f"pausing {pause:g} s before commit", file=sys.stderr, flush=True)
            time.sleep(pause)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    stopwatch.lap("write (one transaction)")
    return BatchResult(
        source.path,
        contract.kind,
        "loaded",
        counts.batch_id,
        rows_read=source.rows_read,
        rows_accepted=counts.rows_accepted,
        rows_quarantined=counts.rows_quarantined,
        rows_new=counts.rows_new,
        rows_changed=counts.rows_changed,
        rows_unchanged=counts.rows_unchanged,
        extra_columns=mapping.extra,
        dropped_columns=facts.dropped_columns,
        formula_like_cells=facts.formula_like_cells,
        seconds=time.perf_counter() - clock,
        notes=source.notes,
        stage_seconds=tuple(stopwatch.laps),
    )


def _validate_with_gx(
    con: duckdb.DuckDBPyConnection, checks: Sequence
) -> tuple[dict, bool, dict, str]:
    """Run the contract's suite with great-expectations on the staging view, in place."""
    from pipelines.gx_validation import validate_table

    report = validate_table(con, "checked", checks)
    counts = {result.check_id: result.unexpected_count for result in report.results}
    return counts, report.success, report.document, f"great_expectations {report.gx_version}"


def _load_reference_keys(
    con: duckdb.DuckDBPyConnection, contract: Contract, district_id: str
) -> None:
    """Copy the keys each foreign key may point to into staging, for the checks to read."""
    for column in contract.foreign_keys:
        target = quote_ident(column.referenced_column)
        con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(reference_table(column))} AS "
            f"SELECT DISTINCT {target} AS key FROM wh.core.{column.referenced_kind} "
            f"WHERE _district_id = ?",
            [district_id],
        )


def _check_key(con: duckdb.DuckDBPyConnection, key: bytes, db_path: Path) -> None:
    fingerprint = key_fingerprint(key)
    held = con.execute(
        "SELECT value FROM wh.audit.warehouse_facts WHERE fact = 'pseudonym_key_fingerprint'"
    ).fetchone()
    if held is None:
        con.execute(
            "INSERT INTO wh.audit.warehouse_facts VALUES ('pseudonym_key_fingerprint', ?)",
            [fingerprint],
        )
    elif held[0] != fingerprint:
        raise InputError(
            db_path,
            "this warehouse was built with a different pseudonym key, so new ids would not "
            "join the old ones",
            "set OUTCOMES_PSEUDONYM_KEY (or OUTCOMES_KEY_FILE) to the key it was built with",
        )


def _detach_quietly(con: duckdb.DuckDBPyConnection) -> None:
    try:
        attached = con.execute(
            "SELECT count(*) FROM duckdb_databases() WHERE database_name = 'wh'"
        ).fetchone()[0]
        if attached:
            con.execute("DETACH wh")
    except duckdb.Error:
        pass

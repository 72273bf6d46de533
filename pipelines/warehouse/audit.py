"""The audit layer: what was loaded, with which key, and what was held back and why.

Every read and write of ``audit.*`` is here; the tables themselves are created from
``audit_tables.sql``. A batch has one record, ``Batch``, from the moment its file is staged
to its row in ``audit.batches`` and the ingest command's report; ``CheckOutcome`` is one
row of ``audit.validation_results``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.errors import InputError

#: Field metadata of what a ``Batch`` reports but ``audit.batches`` does not hold.
_NOT_STORED = {"stored": False}


@dataclass(frozen=True)
class Batch:
    """One file's batch: its ``audit.batches`` row, and what the ingest command reports.

    Ingestion fills it in as it goes (the file's facts when staged, the counts when
    written); the fields up to ``ended_at`` are the ``audit.batches`` columns, in order.
    """

    batch_id: int | None
    district_id: str
    kind: str
    file_name: str
    file_sha256: str
    file_format: str
    file_encoding: str | None
    contract_version: int
    rows_read: int
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_new: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    extra_columns: tuple[str, ...] = ()
    dropped_columns: tuple[str, ...] = ()
    formula_like_cells: int = 0
    validation_success: bool = False
    validation_engine: str = ""
    started_at: datetime | None = None
    ended_at: datetime | None = None
    #: The file as given (its name is ``file_name``).
    path: Path | None = field(default=None, metadata=_NOT_STORED)
    #: "loaded", or "already_loaded" when the same file was loaded before (``batch_id``
    #: is then that earlier batch, and nothing was written).
    status: str = field(default="loaded", metadata=_NOT_STORED)
    #: date column -> the file's usual spelling of its dates (``strftime`` format); stored
    #: in ``audit.date_formats``.
    date_formats: dict[str, str] = field(default_factory=dict, metadata=_NOT_STORED)
    notes: tuple[str, ...] = field(default=(), metadata=_NOT_STORED)
    seconds: float = field(default=0.0, metadata=_NOT_STORED)
    #: Wall seconds per step, in the order they ran (read, type and pseudonymize, open the
    #: warehouse, duplicate keys, SQL checks, great-expectations, write). The benchmark
    #: reports them; nothing depends on them.
    stage_seconds: tuple[tuple[str, float], ...] = field(default=(), metadata=_NOT_STORED)


#: The columns of ``audit.batches``, in order.
BATCH_COLUMNS = tuple(f.name for f in dataclasses.fields(Batch) if f.metadata.get("stored", True))


@dataclass(frozen=True)
class CheckOutcome:
    """One check's result in one batch: a row of ``audit.validation_results``."""

    check_id: str
    rule: str
    #: Rows great-expectations counted as unexpected (None where it gave no count).
    unexpected_count: int | None
    #: Rows routed to quarantine for this check.
    quarantined_count: int

    @property
    def success(self) -> bool:
        return self.quarantined_count == 0


def record_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    *,
    outcomes: Sequence[CheckOutcome],
    document: dict,
    rejected_lines: Sequence[tuple[int, str]],
) -> None:
    """Write a batch's audit rows into the attached warehouse ``wh``: its date spellings,
    its quarantined rows (staging table ``quarantined``, and the lines no reader could
    parse), each check's outcome, great-expectations' document and the batch itself."""
    for column_name, date_format in batch.date_formats.items():
        con.execute(
            "INSERT INTO wh.audit.date_formats VALUES (?, ?, ?)",
            [batch.batch_id, column_name, date_format],
        )
    con.execute(
        "INSERT INTO wh.audit.quarantine "
        "SELECT ?, ?, ?, _source_row, _sheet, reasons, row_data FROM quarantined",
        [batch.batch_id, batch.kind, batch.file_name],
    )
    for source_row, reason in rejected_lines:
        # The unparsable line itself is not stored: it may hold names or raw student ids.
        con.execute(
            "INSERT INTO wh.audit.quarantine VALUES (?, ?, ?, ?, NULL, ?, NULL)",
            [batch.batch_id, batch.kind, batch.file_name, source_row,
             [f"row could not be read: {reason}"]],
        )  # fmt: skip
    if outcomes:
        # One statement for all checks: a statement each cost about 10 ms a batch.
        rows = ", ".join("(?, ?, ?, ?, ?, ?)" for _ in outcomes)
        con.execute(
            f"INSERT INTO wh.audit.validation_results VALUES {rows}",
            [value for outcome in outcomes
             for value in (batch.batch_id, outcome.check_id, outcome.rule,
                           outcome.unexpected_count, outcome.quarantined_count, outcome.success)],
        )  # fmt: skip
    con.execute(
        "INSERT INTO wh.audit.validation_documents VALUES (?, ?)",
        [batch.batch_id, json.dumps(document, default=str, sort_keys=True)],
    )
    values = [getattr(batch, name) for name in BATCH_COLUMNS]
    con.execute(
        f"INSERT INTO wh.audit.batches ({', '.join(BATCH_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in values)})",
        [list(v) if isinstance(v, tuple) else v for v in values],
    )


def find_loaded_batch(
    con: duckdb.DuckDBPyConnection, *, sha256: str, kind: str, district_id: str
) -> int | None:
    """The batch that already loaded this file (same bytes, kind and district), if any."""
    loaded = con.execute(
        "SELECT batch_id FROM wh.audit.batches WHERE file_sha256 = ? AND kind = ? "
        "AND district_id = ?",
        [sha256, kind, district_id],
    ).fetchall()  # all, so no unfinished result is left on the connection
    return loaded[0][0] if loaded else None


def check_key_fingerprint(con: duckdb.DuckDBPyConnection, fingerprint: str, db_path: Path) -> None:
    """Record the pseudonym key's fingerprint on first use; refuse a different key after."""
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


def list_batches(con: duckdb.DuckDBPyConnection, *, limit: int = 30) -> list[Batch]:
    """The newest ``limit`` batches, newest first."""
    rows = con.execute(
        f"SELECT {', '.join(BATCH_COLUMNS)} FROM audit.batches ORDER BY batch_id DESC LIMIT ?",
        [limit],
    ).fetchall()
    # The stored columns are the record's first fields, in order; lists come back as tuples.
    return [Batch(*(tuple(v) if isinstance(v, list) else v for v in row)) for row in rows]


def last_batch_id(con: duckdb.DuckDBPyConnection) -> int | None:
    """The newest batch the warehouse holds, None when it holds none."""
    return con.execute("SELECT max(batch_id) FROM audit.batches").fetchone()[0]


def contract_versions(
    con: duckdb.DuckDBPyConnection, *, as_of_batch_id: int | None = None
) -> dict[str, int]:
    """The newest contract version each loaded source kind was validated against (by
    ``as_of_batch_id`` when given)."""
    rows = con.execute(
        "SELECT kind, max(contract_version) FROM audit.batches "
        "WHERE batch_id <= coalesce(?, batch_id) GROUP BY kind ORDER BY kind",
        [as_of_batch_id],
    ).fetchall()
    return dict(rows)


def count_quarantined(con: duckdb.DuckDBPyConnection) -> int:
    """Rows held back in all batches."""
    return con.execute("SELECT count(*) FROM audit.quarantine").fetchone()[0]


def list_quarantine(
    con: duckdb.DuckDBPyConnection,
    *,
    batch_id: int | None = None,
    kind: str | None = None,
    limit: int | None = 50,
) -> pd.DataFrame:
    """Quarantined rows, newest batch first: where each came from and every reason."""
    conditions = ["true"]
    parameters: list[object] = []
    if batch_id is not None:
        conditions.append("q.batch_id = ?")
        parameters.append(batch_id)
    if kind is not None:
        conditions.append("q.kind = ?")
        parameters.append(kind)
    limit_sql = f"LIMIT {int(limit)}" if limit else ""
    return con.execute(
        f"""
        SELECT q.batch_id, q.kind, q.file_name, q.source_row, q.sheet,
               array_to_string(q.reasons, ' | ') AS reasons, q.row_data
        FROM audit.quarantine q
        WHERE {" AND ".join(conditions)}
        ORDER BY q.batch_id DESC, q.sheet NULLS FIRST, q.source_row
        {limit_sql}
        """,
        parameters,
    ).df()

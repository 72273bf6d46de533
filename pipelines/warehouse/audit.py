"""The audit layer: what was loaded, with which key, and what was held back and why.

Every query of ``audit.*`` that ingestion or the command line runs is here; the tables
themselves are created from ``audit_tables.sql``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipelines.errors import InputError


def find_loaded_batch(
    con: duckdb.DuckDBPyConnection, *, sha256: str, kind: str, district_id: str
) -> int | None:
    """The batch that already loaded this file (same bytes, kind and district), if any."""
    loaded = con.execute(
        "SELECT batch_id FROM wh.audit.batches WHERE file_sha256 = ? AND kind = ? "
        "AND district_id = ?",
        [sha256, kind, district_id],
    ).fetchone()
    return None if loaded is None else loaded[0]


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


def list_batches(con: duckdb.DuckDBPyConnection, *, limit: int = 30) -> pd.DataFrame:
    """The newest batches: file, checksum, rows read / accepted / quarantined, timings."""
    return con.execute(
        "SELECT batch_id, kind, file_name, left(file_sha256, 12) AS sha256, rows_read, "
        "rows_accepted, rows_quarantined, rows_new, rows_changed, validation_success, "
        "ended_at - started_at AS took FROM audit.batches ORDER BY batch_id DESC LIMIT ?",
        [limit],
    ).df()


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

"""Where the warehouse is, and opening it: one writer at a time, waiting for the lock.

The warehouse is one DuckDB file: ``--db``, else ``$OUTCOMES_DB``, else
``data/warehouse/outcomes.duckdb``. DuckDB lets one process write a file at a time, so a
second writer waits here, polling, rather than failing at once or corrupting anything.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from pipelines.errors import InputError, WarehouseBusyError
from pipelines.sql_text import quote_literal
from pipelines.warehouse.layout import ensure_tables

DEFAULT_DB = Path("data/warehouse/outcomes.duckdb")
DB_ENV = "OUTCOMES_DB"


def resolve_db_path(db: str | Path | None = None) -> Path:
    """``--db`` if given, else ``OUTCOMES_DB``, else ``data/warehouse/outcomes.duckdb``."""
    return Path(db or os.environ.get(DB_ENV) or DEFAULT_DB)


def is_lock_conflict(error: Exception) -> bool:
    text = str(error)
    return "Could not set lock" in text or "Conflicting lock" in text


def retry_while_locked(action, *, wait_seconds: float, db_path: Path):
    """Run ``action`` until it gets past the file lock another process holds, or time out."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return action()
        except (duckdb.IOException, duckdb.Error) as error:
            if not is_lock_conflict(error):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"{db_path}: another process is writing to this warehouse and did not "
                    f"finish within {wait_seconds:g} s; wait for it, or pass a longer --wait"
                ) from error
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def connect(db: str | Path | None = None, *, read_only: bool = False, wait_seconds: float = 60):
    """Open the warehouse (creating it and its tables if needed) and return the connection."""
    db_path = resolve_db_path(db)
    if read_only and not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no warehouse here yet; run `outcomes ingest` first")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = retry_while_locked(
        lambda: duckdb.connect(str(db_path), read_only=read_only),
        wait_seconds=wait_seconds,
        db_path=db_path,
    )
    if not read_only:
        ensure_tables(con)
    return con


def connect_read_only(db: str | Path | None = None):
    """Open an existing warehouse for reading; a missing one is the user's to fix (exit 2)."""
    try:
        return connect(db, read_only=True)
    except FileNotFoundError as error:
        raise InputError(
            db or "warehouse",
            "no warehouse here yet",
            "run `outcomes ingest` (or `outcomes demo`) first, or give --db",
        ) from error


def attach(
    con: duckdb.DuckDBPyConnection, db_path: Path, *, wait_seconds: float, alias: str = "wh"
) -> None:
    """Attach the warehouse file to a staging connection as ``alias``, with its tables."""
    detach(con, alias)
    retry_while_locked(
        lambda: con.execute(f"ATTACH {quote_literal(str(db_path))} AS {alias}"),
        wait_seconds=wait_seconds,
        db_path=db_path,
    )
    ensure_tables(con, alias)


def detach(con: duckdb.DuckDBPyConnection, alias: str = "wh") -> None:
    """Detach ``alias`` if it is attached; a connection being torn down may refuse, harmlessly."""
    try:
        attached = con.execute(
            "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [alias]
        ).fetchone()[0]
        if attached:
            con.execute(f"DETACH {alias}")
    except duckdb.Error:
        pass


def remove_warehouse(db: str | Path | None = None) -> Path:
    """Delete the warehouse file and its write-ahead log (the demo starts from nothing)."""
    db_path = resolve_db_path(db)
    for suffix in ("", ".wal"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    return db_path

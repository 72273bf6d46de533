"""The DuckDB warehouse: where it is, its layers, and its tables.

Layers (schemas in one DuckDB file):

- ``raw.<kind>``: every loaded row as text, pseudonymized, with its batch id and source row;
  columns a file had beyond its contract are kept in ``_extra`` (JSON text).
- ``core.<kind>_history``: typed rows, one version per key and batch; a corrected file
  closes the earlier version (``_superseded_by``) instead of deleting it.
  ``core.<kind>``: the current version of every key (a view).
- ``mart.*``: analysis views at a stated grain (``pipelines/sql/mart_*.sql``).
- ``audit.*``: batches, validation results, quarantined rows, warehouse facts.
"""

from __future__ import annotations

import os
import time
from importlib import resources
from pathlib import Path

import duckdb

from pipelines.checks import quote_ident
from pipelines.contracts import Contract, load_contracts
from pipelines.errors import WarehouseBusyError

DEFAULT_DB = Path("data/warehouse/outcomes.duckdb")
DB_ENV = "OUTCOMES_DB"
LAYERS = ("raw", "core", "mart", "audit")


def resolve_db_path(db: str | Path | None = None) -> Path:
    """``--db`` if given, else ``OUTCOMES_DB``, else ``data/warehouse/outcomes.duckdb``."""
    return Path(db or os.environ.get(DB_ENV) or DEFAULT_DB)


def read_sql(name: str) -> str:
    return resources.files("pipelines").joinpath("sql", name).read_text(encoding="utf-8")


def is_lock_conflict(error: Exception) -> bool:
    text = str(error)
    return "Could not set lock" in text or "Conflicting lock" in text


def retry_while_locked(action, *, wait_seconds: float, db_path: Path):
    """Run ``action`` until it gets past the file lock another process holds, or time out.

    DuckDB lets one process write a database file at a time; a second ingest therefore
    waits here, polling, rather than failing at once or corrupting anything.
    """
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


def table_ddl(contract: Contract, catalog: str | None = None) -> list[str]:
    """CREATE statements for one kind's raw table, core history table and current view."""
    prefix = f"{quote_ident(catalog)}." if catalog else ""
    raw_columns = ",\n    ".join(f"{quote_ident(c.name)} VARCHAR" for c in contract.stored_columns)
    core_columns = ",\n    ".join(
        f"{quote_ident(c.name)} {c.sql_type}" for c in contract.stored_columns
    )
    names = ", ".join(quote_ident(c.name) for c in contract.stored_columns)
    kind = contract.kind
    return [
        f"""CREATE TABLE IF NOT EXISTS {prefix}raw.{kind} (
    _batch_id BIGINT NOT NULL,
    _source_row BIGINT NOT NULL,
    _sheet VARCHAR,
    {raw_columns},
    _extra VARCHAR
)""",
        f"""CREATE TABLE IF NOT EXISTS {prefix}core.{kind}_history (
    {core_columns},
    _district_id VARCHAR NOT NULL,
    _school_year INTEGER,
    _batch_id BIGINT NOT NULL,
    _source_row BIGINT NOT NULL,
    _row_hash UBIGINT NOT NULL,
    _valid_from TIMESTAMP NOT NULL,
    _valid_to TIMESTAMP,
    _superseded_by BIGINT
)""",
        f"""CREATE VIEW IF NOT EXISTS {prefix}core.{kind} AS
SELECT {names}, _district_id, _school_year, _batch_id, _source_row
FROM {prefix}core.{kind}_history
WHERE _superseded_by IS NULL""",
    ]


def ensure_tables(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> None:
    """Create the layers, the audit tables and every kind's tables if they do not exist."""
    prefix = f"{quote_ident(catalog)}." if catalog else ""
    statements = [f"CREATE SCHEMA IF NOT EXISTS {prefix}{layer}" for layer in LAYERS]
    statements += [
        s.replace("audit.", f"{prefix}audit.")
        for s in read_sql("audit_tables.sql").split(";")
        if s.strip()
    ]
    for contract in load_contracts().values():
        statements += table_ddl(contract, catalog)
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            con.execute(statement)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    create_marts(con, catalog)


def create_marts(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> None:
    """(Re)create the mart views; they only read core views, so this is cheap and idempotent."""
    use = f"USE {quote_ident(catalog)}" if catalog else None
    previous = con.execute("SELECT current_database()").fetchone()[0]
    if use:
        con.execute(use)
    try:
        for name in sorted(resources.files("pipelines").joinpath("sql").iterdir(), key=str):
            if name.name.startswith("mart_") and name.name.endswith(".sql"):
                con.execute(name.read_text(encoding="utf-8"))
    finally:
        if use:
            con.execute(f"USE {quote_ident(previous)}")


def history_as_of(contract: Contract, batch_id: int) -> str:
    """SQL for a kind's rows exactly as they were right after batch ``batch_id`` committed.

    Batch ids only grow, so "the version loaded by then and not yet superseded by then"
    reproduces any earlier state of the warehouse.
    """
    names = ", ".join(quote_ident(c.name) for c in contract.stored_columns)
    return (
        f"SELECT {names}, _district_id, _school_year, _batch_id, _source_row "
        f"FROM core.{contract.kind}_history "
        f"WHERE _batch_id <= {int(batch_id)} "
        f"AND (_superseded_by IS NULL OR _superseded_by > {int(batch_id)})"
    )

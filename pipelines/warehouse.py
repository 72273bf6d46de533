"""The DuckDB warehouse: where it is, its layers, and its tables.

Layers (schemas in one DuckDB file):

- ``raw.<kind>``: every loaded row as text, pseudonymized, with its batch id and source row;
  columns a file had beyond its contract are kept in ``_extra`` (JSON text). A view (see
  ``table_ddl``): the text is rebuilt from core, so it is not stored twice.
- ``core.<kind>_history``: typed rows, one version per key and batch; a corrected file
  closes the earlier version (``_superseded_by``) instead of deleting it. Beside each
  typed value, the file's spelling of it where that differs from the standard one.
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

from pipelines.checks import quote_ident, quote_literal, text_column
from pipelines.contracts import Column, Contract, load_contracts
from pipelines.errors import InputError, WarehouseBusyError

DEFAULT_DB = Path("data/warehouse/outcomes.duckdb")
DB_ENV = "OUTCOMES_DB"
LAYERS = ("raw", "core", "mart", "audit")
#: Version of the table layout, kept in ``audit.warehouse_facts``. Layout 2 rebuilds the raw
#: layer from core instead of storing every row twice.
LAYOUT_VERSION = "2"
#: The date formats ingestion recognises as a file's usual spelling of its dates (see
#: ``pipelines.staging``); the raw view spells dates back in them.
DATE_SPELLINGS = ("%m/%d/%Y", "%Y-%m-%d", "%Y/%m/%d")


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


def spelled_columns(contract: Contract) -> list[Column]:
    """Columns whose file text can differ from their value (typed and coded columns).

    For these, core keeps the text beside the value (``<name>__text``) only where the file
    spelled the value differently from its standard spelling (``CAST(value AS VARCHAR)``,
    or for a date the usual date format of its file, kept in ``audit.date_formats``):
    ``9/2/2024`` in a file of ``09/02/2024`` dates, ``Present`` for the code ``present``.
    """
    return [c for c in contract.stored_columns if text_column(c) != c.name]


def standard_spelling_sql(column: Column, value: str, date_format: str | None = None) -> str:
    """SQL spelling a typed value the standard way: ``CAST(value AS VARCHAR)``, or for a date
    in ``date_format`` (SQL giving one of ``DATE_SPELLINGS``, or NULL) where that is known.

    Ingestion keeps a cell's text only where it differs from this, and the raw view puts
    this back where it kept none, so both must use this one definition.
    """
    cast = f"CAST({value} AS VARCHAR)"
    if column.type != "date" or date_format is None:
        return cast
    # strftime takes only a constant format: one branch per format there is.
    branches = " ".join(
        f"WHEN {quote_literal(f)} THEN strftime({value}, {quote_literal(f)})"
        for f in DATE_SPELLINGS
    )
    return f"COALESCE(CASE {date_format} {branches} END, {cast})"


def raw_text_sql(contract: Contract) -> str:
    """The select list that gives a core history row ``h``'s file text, column by column
    (date columns also read their batch's date spelling, joined as ``f_<column>``)."""
    spelled = {c.name for c in spelled_columns(contract)}
    parts = []
    for column in contract.stored_columns:
        name = quote_ident(column.name)
        if column.name in spelled:
            text = quote_ident(text_column(column))
            date_format = quote_ident(f"f_{column.name}") + ".date_format"
            standard = standard_spelling_sql(column, f"h.{name}", date_format)
            parts.append(f"COALESCE(h.{text}, {standard}) AS {name}")
        else:
            parts.append(f"h.{name}")
    return ", ".join(parts)


def _date_format_joins(contract: Contract, prefix: str) -> str:
    joins = []
    for column in spelled_columns(contract):
        if column.type == "date":
            alias = quote_ident(f"f_{column.name}")
            joins.append(
                f"LEFT JOIN {prefix}audit.date_formats {alias} ON {alias}.batch_id = h._batch_id "
                f"AND {alias}.column_name = {quote_literal(column.name)}"
            )
    return "\n".join(joins)


def table_ddl(contract: Contract, catalog: str | None = None) -> list[str]:
    """CREATE statements for one kind's core history table, current view and raw layer.

    The raw layer is not a second copy of every row. ``raw.<kind>`` is a view: the file
    text of each row core holds, rebuilt from its value and the spelling kept where it
    differed, plus ``raw.<kind>_rows``, the text of the rows a batch did not add to core
    (quarantined rows, and rows identical to the version core already held).
    """
    prefix = f"{quote_ident(catalog)}." if catalog else ""
    text_columns = ",\n    ".join(f"{quote_ident(c.name)} VARCHAR" for c in contract.stored_columns)
    core_columns = ",\n    ".join(
        [f"{quote_ident(c.name)} {c.sql_type}" for c in contract.stored_columns]
        + [f"{quote_ident(text_column(c))} VARCHAR" for c in spelled_columns(contract)]
    )
    names = ", ".join(quote_ident(c.name) for c in contract.stored_columns)
    kind = contract.kind
    return [
        f"""CREATE TABLE IF NOT EXISTS {prefix}core.{kind}_history (
    {core_columns},
    _district_id VARCHAR NOT NULL,
    _school_year INTEGER,
    _batch_id BIGINT NOT NULL,
    _source_row BIGINT NOT NULL,
    _sheet VARCHAR,
    _extra VARCHAR,
    _valid_from TIMESTAMP NOT NULL,
    _valid_to TIMESTAMP,
    _superseded_by BIGINT
)""",
        f"""CREATE VIEW IF NOT EXISTS {prefix}core.{kind} AS
SELECT {names}, _district_id, _school_year, _batch_id, _source_row
FROM {prefix}core.{kind}_history
WHERE _superseded_by IS NULL""",
        f"""CREATE TABLE IF NOT EXISTS {prefix}raw.{kind}_rows (
    _batch_id BIGINT NOT NULL,
    _source_row BIGINT NOT NULL,
    _sheet VARCHAR,
    {text_columns},
    _extra VARCHAR
)""",
        f"""CREATE VIEW IF NOT EXISTS {prefix}raw.{kind} AS
SELECT h._batch_id, h._source_row, h._sheet, {raw_text_sql(contract)}, h._extra
FROM {prefix}core.{kind}_history h
{_date_format_joins(contract, prefix)}
UNION ALL
SELECT _batch_id, _source_row, _sheet, {names}, _extra
FROM {prefix}raw.{kind}_rows""",
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
        _check_layout(con, catalog)
        for statement in statements:
            con.execute(statement)
        con.execute(
            f"INSERT INTO {prefix}audit.warehouse_facts VALUES ('layout_version', ?) "
            "ON CONFLICT DO NOTHING",
            [LAYOUT_VERSION],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    create_marts(con, catalog)


def _check_layout(con: duckdb.DuckDBPyConnection, catalog: str | None) -> None:
    """Refuse a warehouse file whose tables were laid out by another version."""
    database = catalog or con.execute("SELECT current_database()").fetchone()[0]
    has_facts = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? "
        "AND schema_name = 'audit' AND table_name = 'warehouse_facts'",
        [database],
    ).fetchone()[0]
    if not has_facts:
        return  # a new warehouse
    held = con.execute(
        f"SELECT value FROM {quote_ident(database)}.audit.warehouse_facts "
        "WHERE fact = 'layout_version'"
    ).fetchone()
    version = held[0] if held else "1"
    if version != LAYOUT_VERSION:
        path = con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = ?", [database]
        ).fetchone()[0]
        raise InputError(
            path or database,
            f"this warehouse was laid out by another version of studio-outcomes (layout "
            f"{version}, this version reads layout {LAYOUT_VERSION})",
            "ingest the district's files again into a new warehouse file (--db)",
        )


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

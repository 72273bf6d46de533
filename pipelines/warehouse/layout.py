"""The warehouse's layers and tables: created from the contracts, checked for their layout.

Layers (schemas in one DuckDB file):

- ``raw.<kind>``: every loaded row as text, pseudonymized, with its batch id and source row;
  columns a file had beyond its contract are kept in ``_extra`` (JSON text). A view (see
  ``table_ddl``): the text is rebuilt from core, so it is not stored twice.
- ``core.<kind>_history``: typed rows, one version per key and batch; a corrected file
  closes the earlier version (``_superseded_by``) instead of deleting it. Beside each
  typed value, the file's spelling of it where that differs from the standard one.
  ``core.<kind>``: the current version of every key (a view).
- ``mart.*``: analysis tables at a stated grain, built from core by ``outcomes build``
  (``pipelines.warehouse.marts``), each with a contract in ``data/schemas/marts/``.
- ``audit.*``: batches, validation results, quarantined rows, warehouse facts
  (``audit_tables.sql``).
"""

from __future__ import annotations

import duckdb

from pipelines.contracts import Column, Contract, load_contracts, text_column
from pipelines.errors import InputError
from pipelines.sql_text import quote_ident, quote_literal, read_sql
from pipelines.warehouse.spelling import spelled_columns, standard_spelling_sql
from pipelines.warehouse.transaction import transaction

LAYERS = ("raw", "core", "mart", "audit")
#: Version of the table layout, kept in ``audit.warehouse_facts``. Layout 2 rebuilds the raw
#: layer from core instead of storing every row twice.
LAYOUT_VERSION = "2"


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


def _core_type(column: Column) -> str:
    """A core column's type, with its compression where DuckDB's own choice is slow.

    Pseudonyms are random hex: neither a dictionary nor FSST shrinks them much, and
    DuckDB's default compression for text spent 2.3 s of a 10-million-row write trying
    both; zstd writes the same column in 1.1 s, and reads it as fast (``make bench``).
    """
    if column.is_pseudonymized:
        return f"{column.sql_type} USING COMPRESSION zstd"
    return column.sql_type


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
        [f"{quote_ident(c.name)} {_core_type(c)}" for c in contract.stored_columns]
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
        for s in read_sql(__package__, "audit_tables.sql").split(";")
        if s.strip()
    ]
    for contract in load_contracts().values():
        statements += table_ddl(contract, catalog)
    with transaction(con):
        _check_layout(con, catalog)
        for statement in statements:
            con.execute(statement)
        con.execute(
            f"INSERT INTO {prefix}audit.warehouse_facts VALUES ('layout_version', ?) "
            "ON CONFLICT DO NOTHING",
            [LAYOUT_VERSION],
        )


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


def history_as_of(contract: Contract, batch_id: int, catalog: str | None = None) -> str:
    """SQL for a kind's rows exactly as they were right after batch ``batch_id`` committed
    (from the warehouse attached as ``catalog``, when given).

    Batch ids only grow, so "the version loaded by then and not yet superseded by then"
    reproduces any earlier state of the warehouse.
    """
    names = ", ".join(quote_ident(c.name) for c in contract.stored_columns)
    prefix = f"{quote_ident(catalog)}." if catalog else ""
    return (
        f"SELECT {names}, _district_id, _school_year, _batch_id, _source_row "
        f"FROM {prefix}core.{contract.kind}_history "
        f"WHERE _batch_id <= {int(batch_id)} "
        f"AND (_superseded_by IS NULL OR _superseded_by > {int(batch_id)})"
    )

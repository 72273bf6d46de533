"""One ingest batch against the warehouse (attached to the staging database as ``wh``).

Before validation, ``copy_known_keys`` gives the checks the keys a foreign key may point
to. After it, ``write_batch`` writes the batch inside the caller's transaction: raw rows,
current and superseded core versions, quarantine and audit. Nothing here commits: the
caller wraps the whole batch in one transaction, so a rejected file or a killed process
leaves the warehouse exactly as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

import duckdb

from pipelines.contracts import Column, Contract, text_column
from pipelines.sql_text import quote_ident, quote_literal, read_sql
from pipelines.warehouse.audit import Batch, CheckOutcome, record_batch
from pipelines.warehouse.spelling import spelled_columns, standard_spelling_sql


def row_hash_sql(contract: Contract, alias: str | None = None) -> str:
    """SQL hashing a row's typed values: equal rows, equal hashes (exact duplicates and
    unchanged re-loads are told from real changes this way). Only computed where rows are
    compared, never stored: a stored hash of millions of rows costs a write of its own."""
    prefix = f"{alias}." if alias else ""
    return "hash(" + ", ".join(prefix + quote_ident(c.name) for c in contract.stored_columns) + ")"


def copy_known_keys(
    con: duckdb.DuckDBPyConnection,
    column: Column,
    district_id: str,
    table: str,
    staged_schemas: Sequence[str] = (),
) -> None:
    """Copy the keys a foreign-key ``column`` may point to into staging table ``table``
    (one column ``key``), for the checks to read: the warehouse's, and those of batches of
    the referenced kind staged in ``staged_schemas`` and not yet written (their rows held
    back in ``quarantined`` left out)."""
    target = quote_ident(column.referenced_column)
    selects = [
        f"SELECT {target} AS key FROM wh.core.{column.referenced_kind} "
        f"WHERE _district_id = {quote_literal(district_id)}"
    ]
    selects += [
        f"SELECT {target} FROM {schema}.typed t WHERE NOT EXISTS "
        f"(SELECT 1 FROM {schema}.quarantined q WHERE q._row_id = t._row_id)"
        for schema in staged_schemas
    ]
    con.execute(
        f"CREATE OR REPLACE TABLE {quote_ident(table)} AS "
        f"SELECT DISTINCT key FROM ({' UNION ALL '.join(selects)})"
    )


def unknown_keys(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    column: str,
    values: Sequence[str],
    district_id: str,
) -> list[str]:
    """Those of ``values`` that no current row of ``core.<kind>`` of the district holds in
    ``column``, in the order given."""
    held = {
        key
        for (key,) in con.execute(
            f"SELECT DISTINCT {quote_ident(column)} FROM wh.core.{kind} "
            f"WHERE _district_id = ? AND {quote_ident(column)} IN (SELECT unnest(?))",
            [district_id, list(values)],
        ).fetchall()
    }
    return [value for value in values if value not in held]


def school_year_sql(contract: Contract) -> str:
    """Ed-Fi school year of a row: its school_year column, or from a date (July 1 boundary)."""
    if contract.school_year_column:
        return f"CAST({quote_ident(contract.school_year_column)} AS INTEGER)"
    if contract.school_year_from_date:
        date = quote_ident(contract.school_year_from_date)
        return f"CAST(year({date}) + CASE WHEN month({date}) >= 7 THEN 1 ELSE 0 END AS INTEGER)"
    return "CAST(NULL AS INTEGER)"


def write_batch(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    batch: Batch,
    *,
    outcomes: Sequence[CheckOutcome],
    document: dict,
    rejected_lines: Sequence[tuple[int, str]],
) -> Batch:
    """Write the batch held in staging tables ``typed`` and ``quarantined``: core versions,
    raw text, and its audit rows. Returns the batch with its id and counts."""
    batch_id = con.execute("SELECT nextval('wh.audit.batch_ids')").fetchone()[0]
    batch = dataclasses.replace(batch, batch_id=batch_id)
    counts = _write_core(con, contract, batch)
    # Rows core did not take keep their text in raw.<kind>_rows; the raw view rebuilds the
    # rest from core.
    text_columns = ", ".join(quote_ident(text_column(c)) for c in contract.stored_columns)
    con.execute(
        f"INSERT INTO wh.raw.{contract.kind}_rows SELECT ?, _source_row, _sheet, {text_columns}, "
        "_extra FROM typed t WHERE _row_id IN (SELECT _row_id FROM not_in_core)",
        [batch_id],
    )
    quarantined = con.execute("SELECT count(*) FROM quarantined").fetchone()[0]
    batch = dataclasses.replace(
        batch,
        rows_accepted=counts["accepted"],
        rows_quarantined=quarantined + len(rejected_lines),
        rows_new=counts["new"],
        rows_changed=counts["changed"],
        rows_unchanged=counts["unchanged"],
        ended_at=datetime.now(),
    )
    record_batch(con, batch, outcomes=outcomes, document=document, rejected_lines=rejected_lines)
    return batch


def _spelling_sql(column: Column, date_format: str | None) -> str:
    """The file's text of a typed or coded value, where it is not the standard spelling
    (for dates, the file's usual date format)."""
    text, value = quote_ident(text_column(column)), quote_ident(column.name)
    usual = quote_literal(date_format) if date_format is not None else None
    standard = standard_spelling_sql(column, value, usual)
    return f"CASE WHEN {text} IS DISTINCT FROM {standard} THEN {text} END"


def _write_core(con: duckdb.DuckDBPyConnection, contract: Contract, batch: Batch) -> dict[str, int]:
    """Insert the batch's new and changed rows into core history, close the versions they
    replace, and leave temp table ``not_in_core`` with the ``_row_id`` of every other row."""
    kind, district_id = contract.kind, batch.district_id
    names = ", ".join(quote_ident(c.name) for c in contract.stored_columns)
    spellings = "".join(
        f", {_spelling_sql(c, batch.date_formats.get(c.name))}" for c in spelled_columns(contract)
    )
    keys = contract.primary_key
    insert = (
        f"INSERT INTO wh.core.{kind}_history "
        f"SELECT {names}{spellings}, $district_id, {school_year_sql(contract)}, $batch_id, "
        "_source_row, _sheet, _extra, $loaded_at, NULL, NULL FROM typed t WHERE {condition}"
    )
    # A version is valid from the moment its batch started loading.
    parameters = {
        "district_id": district_id,
        "batch_id": batch.batch_id,
        "loaded_at": batch.started_at,
    }
    any_quarantined = con.execute("SELECT count(*) FROM quarantined").fetchone()[0] > 0
    not_quarantined = (
        "NOT EXISTS (SELECT 1 FROM quarantined q WHERE q._row_id = t._row_id)"
        if any_quarantined
        else "true"
    )
    held = con.execute(
        f"SELECT count(*) FROM wh.core.{kind}_history "
        "WHERE _superseded_by IS NULL AND _district_id = ?",
        [district_id],
    ).fetchone()[0]
    if held == 0:
        # First load of this kind for the district: nothing to compare against.
        con.execute(insert.format(condition=not_quarantined), parameters)
        con.execute("CREATE OR REPLACE TEMP TABLE not_in_core AS SELECT _row_id FROM quarantined")
        accepted = con.execute(f"SELECT count(*) FROM typed t WHERE {not_quarantined}").fetchone()[
            0
        ]
        return {"accepted": accepted, "new": accepted, "changed": 0, "unchanged": 0}

    key_list = ", ".join(quote_ident(k) for k in keys)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE accepted_keys AS "
        f"SELECT _row_id, {key_list}, {row_hash_sql(contract, 't')} AS _row_hash "
        f"FROM typed t WHERE {not_quarantined}"
    )
    key_match = " AND ".join(f"h.{quote_ident(k)} = a.{quote_ident(k)}" for k in keys)
    # Core holds the same types as staging, so equal values hash equal.
    held_hash = row_hash_sql(contract, "h")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE compared AS "
        f"SELECT a._row_id, {held_hash} AS held_hash, a._row_hash "
        f"FROM accepted_keys a LEFT JOIN wh.core.{kind}_history h "
        f"ON h._superseded_by IS NULL AND h._district_id = ? AND {key_match}",
        [district_id],
    )
    accepted, new, changed, unchanged = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE held_hash IS NULL), "
        "count(*) FILTER (WHERE held_hash <> _row_hash), "
        "count(*) FILTER (WHERE held_hash = _row_hash) FROM compared"
    ).fetchone()
    con.execute(
        read_sql(__package__, "supersede_changed.sql").format(
            kind=kind, key_match=key_match, held_hash=held_hash
        ),
        parameters,
    )
    con.execute(
        insert.format(
            condition="t._row_id IN (SELECT _row_id FROM compared "
            "WHERE held_hash IS NULL OR held_hash <> _row_hash)"
        ),
        parameters,
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE not_in_core AS SELECT _row_id FROM quarantined "
        "UNION ALL SELECT _row_id FROM compared WHERE held_hash = _row_hash"
    )
    return {"accepted": accepted, "new": new, "changed": changed, "unchanged": unchanged}

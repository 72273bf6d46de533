"""One ingest batch against the warehouse (attached to the staging database as ``wh``).

Before validation, ``copy_known_keys`` gives the checks the keys a foreign key may point
to. After it, ``write_batch`` writes the batch inside the caller's transaction: raw rows,
current and superseded core versions, quarantine and audit. Nothing here commits: the
caller wraps the whole batch in one transaction, so a rejected file or a killed process
leaves the warehouse exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from pipelines.contracts import Column, Contract, text_column
from pipelines.sql_text import quote_ident, quote_literal, read_sql
from pipelines.warehouse.spelling import spelled_columns, standard_spelling_sql


@dataclass(frozen=True)
class BatchFacts:
    """What the audit records about a batch, gathered before it is written."""

    kind: str
    district_id: str
    file_name: str
    file_sha256: str
    file_format: str
    file_encoding: str | None
    contract_version: int
    rows_read: int
    extra_columns: tuple[str, ...]
    dropped_columns: tuple[str, ...]
    formula_like_cells: int
    #: date column -> the file's usual spelling of its dates (``strftime`` format)
    date_formats: dict[str, str]
    validation_success: bool
    validation_engine: str
    started_at: datetime


@dataclass(frozen=True)
class LoadCounts:
    """How the accepted rows of a batch compare with what the warehouse already held."""

    batch_id: int
    rows_accepted: int
    rows_quarantined: int
    rows_new: int
    rows_changed: int
    rows_unchanged: int


def row_hash_sql(contract: Contract, alias: str | None = None) -> str:
    """SQL hashing a row's typed values: equal rows, equal hashes (exact duplicates and
    unchanged re-loads are told from real changes this way). Only computed where rows are
    compared, never stored: a stored hash of millions of rows costs a write of its own."""
    prefix = f"{alias}." if alias else ""
    return "hash(" + ", ".join(prefix + quote_ident(c.name) for c in contract.stored_columns) + ")"


def copy_known_keys(
    con: duckdb.DuckDBPyConnection, column: Column, district_id: str, table: str
) -> None:
    """Copy the keys a foreign-key ``column`` may point to into staging table ``table``
    (one column ``key``), for the checks to read."""
    target = quote_ident(column.referenced_column)
    con.execute(
        f"CREATE OR REPLACE TABLE {quote_ident(table)} AS "
        f"SELECT DISTINCT {target} AS key FROM wh.core.{column.referenced_kind} "
        f"WHERE _district_id = ?",
        [district_id],
    )


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
    facts: BatchFacts,
    *,
    checks: Sequence,
    gx_counts: dict[str, int | None],
    failing_counts: dict[str, int],
    gx_document: dict,
    rejected_lines: Sequence[tuple[int, str]],
    loaded_at: datetime,
) -> LoadCounts:
    """Insert the batch held in staging tables ``typed`` and ``quarantined``."""
    batch_id = con.execute("SELECT nextval('wh.audit.batch_ids')").fetchone()[0]
    kind = contract.kind
    counts = _write_core(con, contract, facts, batch_id, loaded_at)
    for column_name, date_format in facts.date_formats.items():
        con.execute(
            "INSERT INTO wh.audit.date_formats VALUES (?, ?, ?)",
            [batch_id, column_name, date_format],
        )
    # Rows core did not take keep their text in raw.<kind>_rows; the raw view rebuilds the
    # rest from core.
    text_columns = ", ".join(quote_ident(text_column(c)) for c in contract.stored_columns)
    con.execute(
        f"INSERT INTO wh.raw.{kind}_rows SELECT ?, _source_row, _sheet, {text_columns}, _extra "
        "FROM typed t WHERE _row_id IN (SELECT _row_id FROM not_in_core)",
        [batch_id],
    )
    con.execute(
        "INSERT INTO wh.audit.quarantine "
        "SELECT ?, ?, ?, _source_row, _sheet, reasons, row_data FROM quarantined",
        [batch_id, kind, facts.file_name],
    )
    for source_row, reason in rejected_lines:
        # The unparsable line itself is not stored: it may hold names or raw student ids.
        con.execute(
            "INSERT INTO wh.audit.quarantine VALUES (?, ?, ?, ?, NULL, ?, NULL)",
            [batch_id, kind, facts.file_name, source_row, [f"row could not be read: {reason}"]],
        )
    quarantined = con.execute("SELECT count(*) FROM quarantined").fetchone()[0] + len(
        rejected_lines
    )
    for check in checks:
        unexpected = gx_counts.get(check.check_id)
        con.execute(
            "INSERT INTO wh.audit.validation_results VALUES (?, ?, ?, ?, ?, ?)",
            [
                batch_id,
                check.check_id,
                check.rule,
                unexpected,
                failing_counts[check.check_id],
                failing_counts[check.check_id] == 0,
            ],
        )
    con.execute(
        "INSERT INTO wh.audit.validation_documents VALUES (?, ?)",
        [batch_id, json.dumps(gx_document, default=str, sort_keys=True)],
    )
    con.execute(
        "INSERT INTO wh.audit.batches VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            facts.district_id,
            kind,
            facts.file_name,
            facts.file_sha256,
            facts.file_format,
            facts.file_encoding,
            facts.contract_version,
            facts.rows_read,
            counts["accepted"],
            quarantined,
            counts["new"],
            counts["changed"],
            counts["unchanged"],
            list(facts.extra_columns),
            list(facts.dropped_columns),
            facts.formula_like_cells,
            facts.validation_success,
            facts.validation_engine,
            facts.started_at,
            datetime.now(),
        ],
    )
    return LoadCounts(
        batch_id=batch_id,
        rows_accepted=counts["accepted"],
        rows_quarantined=quarantined,
        rows_new=counts["new"],
        rows_changed=counts["changed"],
        rows_unchanged=counts["unchanged"],
    )


def _spelling_sql(column: Column, date_format: str | None) -> str:
    """The file's text of a typed or coded value, where it is not the standard spelling
    (for dates, the file's usual date format)."""
    text, value = quote_ident(text_column(column)), quote_ident(column.name)
    usual = quote_literal(date_format) if date_format is not None else None
    standard = standard_spelling_sql(column, value, usual)
    return f"CASE WHEN {text} IS DISTINCT FROM {standard} THEN {text} END"


def _write_core(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    facts: BatchFacts,
    batch_id: int,
    loaded_at: datetime,
) -> dict[str, int]:
    """Insert the batch's new and changed rows into core history, close the versions they
    replace, and leave temp table ``not_in_core`` with the ``_row_id`` of every other row."""
    kind, district_id = contract.kind, facts.district_id
    names = ", ".join(quote_ident(c.name) for c in contract.stored_columns)
    spellings = "".join(
        f", {_spelling_sql(c, facts.date_formats.get(c.name))}" for c in spelled_columns(contract)
    )
    keys = contract.primary_key
    insert = (
        f"INSERT INTO wh.core.{kind}_history "
        f"SELECT {names}{spellings}, $district_id, {school_year_sql(contract)}, $batch_id, "
        "_source_row, _sheet, _extra, $loaded_at, NULL, NULL FROM typed t WHERE {condition}"
    )
    parameters = {"district_id": district_id, "batch_id": batch_id, "loaded_at": loaded_at}
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

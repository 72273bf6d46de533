"""From a staged file (all text) to the typed staging table that validation reads.

``build_typed_table`` casts every column to its contract type, keeps the original text
beside it, and replaces direct identifiers by their pseudonyms (names and e-mails are
never selected, so they go no further than the staging database). The parsers it falls
back on are SQL macros (``typing_macros.sql``), installed once per staging database.
"""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa

from pipelines.contracts import Column, Contract, text_column
from pipelines.ingest.columns import ColumnMapping
from pipelines.ingest.pseudonymize import pseudonym_table
from pipelines.sql_text import quote_ident, quote_literal, read_sql
from pipelines.warehouse.spelling import DATE_SPELLINGS

TYPE_PARSERS = {
    "integer": "parse_integer",
    "double": "parse_double",
    "date": "parse_date",
    "timestamp": "parse_timestamp",
    "boolean": "parse_boolean",
}


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(read_sql(__package__, "typing_macros.sql"))


def build_typed_table(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    mapping: ColumnMapping,
    *,
    key: bytes,
    source: str = "staged",
    target: str = "typed",
) -> dict[str, str]:
    """Create ``target``: typed, pseudonymized columns beside the text they came from.

    Adds ``_row_id`` (unique per staged row), ``_source_row``, ``_sheet``, ``_extra`` (the
    kept extra columns as JSON text, pseudonymized where their headers name identifiers)
    and ``_key_hash`` (over the primary key, for the duplicate search). A row's values are
    hashed only where they are compared (``row_hash_sql``).

    Returns the file's own date spelling per date column (a ``strftime`` format such as
    ``%m/%d/%Y``) where most of its dates share one: core keeps a date's text only where it
    differs from that spelling.
    """
    date_formats: dict[str, str] = {}
    has_sheet = "_sheet" in _columns_of(con, source)
    selects = [
        "s._row_id",
        "s._source_row",
        "s._sheet" if has_sheet else "CAST(NULL AS VARCHAR) AS _sheet",
    ]
    joins = []

    def pseudonymized(file_column: str, lookup: str) -> str:
        """SQL of the column's pseudonyms, joined from a lookup of its distinct values."""
        _register_pseudonyms(con, source, file_column, lookup, key)
        joins.append(
            f"LEFT JOIN {quote_ident(lookup)} "
            f"ON {quote_ident(lookup)}.original = s.{quote_ident(file_column)}"
        )
        return f"{quote_ident(lookup)}.pseudonym"

    for column in contract.stored_columns:
        file_column = mapping.matched.get(column.name)
        # The readers hand over trimmed text with NULL for empty cells (see
        # pipelines.ingest.readers), so no per-cell trimming is repeated here.
        text = "CAST(NULL AS VARCHAR)" if file_column is None else f"s.{quote_ident(file_column)}"
        if column.is_pseudonymized and file_column is not None:
            typed = pseudonymized(file_column, f"p_{column.name}")
        elif column.type == "varchar":
            typed = _code_sql(text, column) if column.allowed is not None else text
        elif file_column is None:
            typed = f"CAST(NULL AS {column.sql_type})"
        else:
            date_format = None
            if column.type == "date":
                date_format = _dominant_date_format(con, source, file_column)
                if date_format is not None:
                    date_formats[column.name] = date_format
            typed = _typed_sql(text, column.type, date_format)
        selects.append(f"{typed} AS {quote_ident(column.name)}")
        if text_column(column) != column.name:
            selects.append(f"{text} AS {quote_ident(text_column(column))}")
    if mapping.extra:
        pairs = ", ".join(
            f"{quote_ident(c)} := "
            + (
                pseudonymized(c, f"p_extra_{position}")
                if c in mapping.pseudonymized_extra
                else f"s.{quote_ident(c)}"
            )
            for position, c in enumerate(mapping.extra)
        )
        selects.append(f"CAST(to_json(struct_pack({pairs})) AS VARCHAR) AS _extra")
    else:
        selects.append("CAST(NULL AS VARCHAR) AS _extra")
    keys = ", ".join(quote_ident(k) for k in contract.primary_key)
    con.execute(
        f"CREATE OR REPLACE TABLE {quote_ident(target)} AS "
        f"SELECT *, hash({keys}) AS _key_hash FROM ("
        f"SELECT {', '.join(selects)} FROM {quote_ident(source)} s {' '.join(joins)})"
    )
    return date_formats


# Fast paths: most cells of a column share one spelling, so each column tries a cheap cast
# first and falls back to the general (regular-expression) parser only where that fails.
# The general parsers in typing_macros.sql stay the definition of what is accepted.
_SPELLING_OF_FORMAT = {spelling.format: spelling for spelling in DATE_SPELLINGS}


def _code_sql(text: str, column: Column) -> str:
    """A coded column's code: the text itself when it is an allowed code (the common case,
    cheapest to test), else the normalised text, read through the contract's spellings
    (``M`` is ``male``)."""
    values = ", ".join(quote_literal(v) for v in column.allowed)
    normalized = f"normalize_code({text})"
    if column.spellings:
        spelled = " ".join(
            f"WHEN {quote_literal(key)} THEN {quote_literal(code)}"
            for key, code in column.spellings.items()
        )
        normalized = f"CASE {normalized} {spelled} ELSE {normalized} END"
    return f"CASE WHEN {text} IN ({values}) THEN {text} ELSE {normalized} END"


def _typed_sql(text: str, kind: str, date_format: str | None = None) -> str:
    parser = f"{TYPE_PARSERS[kind]}({text})"
    if kind == "double":
        return f"COALESCE(TRY_CAST({text} AS DOUBLE), {parser})"
    if kind == "integer":
        # A plain cast would round '12.5' to 13 and read '0x10' as 16: only digits take it.
        return (
            f"CASE WHEN regexp_full_match({text}, '-?[0-9]{{1,18}}') "
            f"THEN CAST({text} AS BIGINT) ELSE {parser} END"
        )
    if kind == "date":
        if date_format is None:
            return parser
        guard = _SPELLING_OF_FORMAT[date_format].four_digit_year.format(text=text)
        fast = f"CAST(try_strptime({text}, {quote_literal(date_format)}) AS DATE)"
        # COALESCE runs the general parser only on the rows the fast path left NULL.
        return f"COALESCE(CASE WHEN {guard} THEN {fast} END, {parser})"
    return parser


def _dominant_date_format(
    con: duckdb.DuckDBPyConnection, source: str, file_column: str
) -> str | None:
    sample = [
        row[0]
        for row in con.execute(
            f"SELECT trim({quote_ident(file_column)}) FROM {quote_ident(source)} "
            f"WHERE {quote_ident(file_column)} IS NOT NULL LIMIT 200"
        ).fetchall()
    ]
    best, best_count = None, 0
    for spelling in DATE_SPELLINGS:
        matches = sum(bool(re.fullmatch(spelling.pattern, value)) for value in sample)
        if matches > best_count:
            best, best_count = spelling.format, matches
    return best


def _register_pseudonyms(
    con: duckdb.DuckDBPyConnection, source: str, file_column: str, table: str, key: bytes
) -> None:
    distinct = con.execute(
        f"SELECT DISTINCT {quote_ident(file_column)} FROM {quote_ident(source)} "
        f"WHERE {quote_ident(file_column)} IS NOT NULL"
    ).fetchall()
    lookup = pa.table(
        pseudonym_table(key, (row[0] for row in distinct)),
        schema=pa.schema([("original", pa.string()), ("pseudonym", pa.string())]),
    )
    con.register("_pseudonym_lookup", lookup)
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(table)} AS SELECT * FROM _pseudonym_lookup"
        )
    finally:
        con.unregister("_pseudonym_lookup")


def _columns_of(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]

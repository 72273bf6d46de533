"""How a typed value's file text is kept: only where the file spelled it unusually.

Beside each typed or coded value, core keeps the text the file held (``<column>__text``)
only where it differs from the value's standard spelling: ``CAST(value AS VARCHAR)``, or
for a date the usual date format of its file (kept per batch in ``audit.date_formats``).
Ingestion decides what to keep and the raw view rebuilds the text with the same
definition, so the two cannot drift.
"""

from __future__ import annotations

from pipelines.contracts import Column, Contract, text_column
from pipelines.sql_text import quote_literal

#: The date formats ingestion recognises as a file's usual spelling of its dates (see
#: ``pipelines.ingest.typed``); the raw view spells dates back in them.
DATE_SPELLINGS = ("%m/%d/%Y", "%Y-%m-%d", "%Y/%m/%d")


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

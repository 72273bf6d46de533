"""How a typed value's file text is kept: only where the file spelled it unusually.

Beside each typed or coded value, core keeps the text the file held (``<column>__text``)
only where it differs from the value's standard spelling: ``CAST(value AS VARCHAR)``, or
for a date the usual date format of its file (kept per batch in ``audit.date_formats``).
Ingestion decides what to keep and the raw view rebuilds the text with the same
definition, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.contracts import Column, Contract, text_column
from pipelines.sql_text import quote_literal


@dataclass(frozen=True)
class DateSpelling:
    """A way a file may write all its dates: ingestion types such a column with a cheap
    ``strptime`` (``pipelines.ingest.typed``), and the raw view spells its dates back in it.

    The general date parser (``typing_macros.sql``) stays the definition of what is
    accepted; a spelling is only a fast path for the usual case.
    """

    #: ``strftime``/``strptime`` format.
    format: str
    #: A regular expression that text written this way matches.
    pattern: str
    #: SQL true where the text ``{text}`` has its four-digit year where the format puts it:
    #: strptime's %Y also reads a two-digit year ('01/05/24' as year 24).
    four_digit_year: str


#: The date spellings, the only list of them.
DATE_SPELLINGS = (
    DateSpelling("%m/%d/%Y", r"\d{1,2}/\d{1,2}/\d{4}", "substr({text}, -5, 1) = '/'"),
    DateSpelling("%Y-%m-%d", r"\d{4}-\d{1,2}-\d{1,2}", "substr({text}, 5, 1) = '-'"),
    DateSpelling("%Y/%m/%d", r"\d{4}/\d{1,2}/\d{1,2}", "substr({text}, 5, 1) = '/'"),
)


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
        f"WHEN {quote_literal(s.format)} THEN strftime({value}, {quote_literal(s.format)})"
        for s in DATE_SPELLINGS
    )
    return f"COALESCE(CASE {date_format} {branches} END, {cast})"

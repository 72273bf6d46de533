"""Contract columns an export leaves out because one value holds for the whole file.

A student information system writes one roster per school year, and most leave the year
out of the file: it is in the export's name, or the coordinator knows it. ``--set
school_year=2025`` gives such a column one value for every row of each file of the
command that lacks it. The value is staged as if the file had held it, so it is typed,
checked and kept as text like any cell, and the batch's notes say it was set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import duckdb

from pipelines.contracts import Contract, load_contracts
from pipelines.errors import InputError
from pipelines.ingest.columns import ColumnMapping
from pipelines.ingest.sources import StagedSource
from pipelines.sql_text import quote_ident, quote_literal

OPTION = "--set"


def parse_fixed_values(pairs: Sequence[str]) -> dict[str, str]:
    """``--set`` options (``"contract_column=value"``) as a mapping.

    Raises
    ------
    InputError
        When a pair has no ``=``, names a column no contract has, or names an identifier or
        personal column (one value for every row of those is never right).
    """
    contracts = load_contracts().values()
    fixed = {}
    for pair in pairs:
        column, equals, value = pair.partition("=")
        column, value = column.strip(), value.strip()
        if not equals or not column or not value:
            raise InputError(
                OPTION,
                f"{pair!r} is not contract_column=value",
                "write it as --set school_year=2025",
            )
        held = [c.column(column) for c in contracts if column in c.column_names]
        if not held:
            raise InputError(
                OPTION,
                f"{column} is a column no contract has",
                "name a column of the data dictionary (data/schemas/README.md)",
            )
        if any(c.privacy == "direct_identifier" for c in held):
            raise InputError(
                OPTION,
                f"{column} identifies a person, so one value for every row cannot be right",
                "give that column in the file itself",
            )
        fixed[column] = value
    return fixed


def add_fixed_values(
    con: duckdb.DuckDBPyConnection,
    source: StagedSource,
    contract: Contract,
    mapping: ColumnMapping,
    fixed: Mapping[str, str],
) -> StagedSource:
    """Add each of ``fixed`` that ``contract`` has to the staged table of ``source``.

    Returns the source with the added columns and a note for each. Columns of other kinds
    are left alone, and a file with the column of its own keeps its values (a note says
    so), so one command can load a folder of several kinds.
    """
    added, notes = [], []
    for column, value in fixed.items():
        if column not in contract.column_names:
            continue
        if column in mapping.matched:
            notes.append(
                f"{column} read from the file's own column {mapping.matched[column]}, "
                f"not from {OPTION} {column}={value}"
            )
            continue
        con.execute(
            f"ALTER TABLE {quote_ident(source.table)} ADD COLUMN {quote_ident(column)} "
            f"VARCHAR DEFAULT {quote_literal(value)}"
        )
        added.append(column)
        notes.append(f"{column} set to {value} for every row ({OPTION})")
    return replace(source, columns=(*source.columns, *added), notes=(*source.notes, *notes))

"""Routing a batch's failing rows to quarantine, with every reason, in one SQL pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from pipelines.contracts import Contract, text_column
from pipelines.contracts.rules import Check
from pipelines.sql_text import quote_ident, read_sql


@dataclass(frozen=True)
class RoutingResult:
    """What the SQL checks found in one batch."""

    #: rows routed to quarantine (the ``quarantined`` staging table holds them)
    quarantined_rows: int
    #: per check: rows failing it (``failing_sql``) and rows great-expectations should count
    #: as unexpected (``counted_sql``)
    failing_counts: dict[str, int]
    expected_gx_counts: dict[str, int]
    #: text cells a spreadsheet would run as formulas
    formula_like_cells: int = 0
    #: rows the checks ran over
    rows_checked: int = 0


def row_json_sql(contract: Contract) -> str:
    """SQL rendering a staging row as JSON text: the file's text, pseudonyms for identifiers."""
    pairs: list[str] = []
    for column in contract.stored_columns:
        pairs.append(f"{quote_ident(column.name)} := {quote_ident(text_column(column))}")
    return f"CAST(to_json(struct_pack({', '.join(pairs)}, _extra := _extra)) AS VARCHAR)"


def route_rows(
    con: duckdb.DuckDBPyConnection, contract: Contract, checks: Sequence[Check]
) -> RoutingResult:
    """Count failures per check and, if any, create table ``quarantined`` from ``checked``.

    One aggregate pass counts every check (for the audit and the comparison with
    great-expectations) and the formula-like cells; only a file with failures pays for a
    second pass that collects the failing rows with all their reasons.
    """
    # Each distinct condition is counted once: most checks count the same rows for
    # great-expectations as they route.
    conditions: list[str] = []
    for check in checks:
        for condition in (check.failing_sql, check.counted_sql):
            if condition not in conditions:
                conditions.append(condition)
    counters = [f"count(*) FILTER (WHERE {condition})" for condition in conditions]
    counters.append(formula_like_sql(contract))
    counters.append("count(*)")
    values = con.execute(f"SELECT {', '.join(counters)} FROM checked").fetchone()
    counted = {condition: int(values[i]) for i, condition in enumerate(conditions)}
    failing = {c.check_id: counted[c.failing_sql] for c in checks}
    expected = {c.check_id: counted[c.counted_sql] for c in checks}
    if any(failing.values()):
        reason_list = (
            "["
            + ", ".join(
                f"CASE WHEN {check.failing_sql} THEN {check.reason_sql} END" for check in checks
            )
            + "]"
        )
        any_failure = " OR ".join(f"({check.failing_sql})" for check in checks)
        con.execute(
            read_sql(__package__, "route_quarantine.sql").format(
                reason_list=reason_list, any_failure=any_failure, row_json=row_json_sql(contract)
            )
        )
    else:
        con.execute(
            "CREATE OR REPLACE TABLE quarantined (_row_id BIGINT, _source_row BIGINT, "
            "_sheet VARCHAR, reasons VARCHAR[], row_data VARCHAR)"
        )
    quarantined = con.execute("SELECT count(*) FROM quarantined").fetchone()[0]
    return RoutingResult(
        int(quarantined), failing, expected, int(values[-2] or 0), rows_checked=int(values[-1])
    )


def formula_like_sql(contract: Contract) -> str:
    """SQL counting text cells a spreadsheet would run as a formula (=, +, -, @ first).

    Numbers such as ``-3`` are not counted. Such cells are stored as the text they are;
    every export escapes them.
    """
    columns = [
        text_column(c)
        for c in contract.stored_columns
        if c.type == "varchar" and not c.is_pseudonymized
    ]
    if not columns:
        return "0"
    # CASE, not AND: DuckDB evaluates both sides of an AND on every row, and the cast costs
    # far more than the first-character test that rules out nearly every cell.
    return " + ".join(
        f"count(*) FILTER (WHERE CASE WHEN left({quote_ident(c)}, 1) IN ('=', '+', '-', '@') "
        f"THEN TRY_CAST({quote_ident(c)} AS DOUBLE) IS NULL ELSE false END)"
        for c in columns
    )

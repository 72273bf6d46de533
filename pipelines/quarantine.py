"""Rows held back: routing them out of a batch, and listing what was held back and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipelines.checks import Check, quote_ident, text_column
from pipelines.contracts import Contract
from pipelines.warehouse import read_sql


@dataclass(frozen=True)
class RoutingResult:
    """What the SQL checks found in one batch."""

    #: rows routed to quarantine (the ``quarantined`` staging table holds them)
    quarantined_rows: int
    #: per check: rows failing it (``failing_sql``) and rows great-expectations should count
    #: as unexpected (``counted_sql``)
    failing_counts: dict[str, int]
    expected_gx_counts: dict[str, int]


def row_json_sql(contract: Contract) -> str:
    """SQL rendering a staging row as JSON text: the file's text, pseudonyms for identifiers."""
    pairs: list[str] = []
    for column in contract.stored_columns:
        pairs.append(f"{quote_ident(column.name)} := {quote_ident(text_column(column))}")
    return f"CAST(to_json(struct_pack({', '.join(pairs)}, _extra := _extra)) AS VARCHAR)"


def route_rows(
    con: duckdb.DuckDBPyConnection, contract: Contract, checks: Sequence[Check]
) -> RoutingResult:
    """Create table ``quarantined`` from view ``checked`` and count failures per check.

    One pass finds the failing rows and all their reasons; a second, aggregate-only pass
    counts each check, for the audit and for the comparison with great-expectations.
    """
    reason_list = (
        "["
        + ", ".join(
            f"CASE WHEN {check.failing_sql} THEN {check.reason_sql} END" for check in checks
        )
        + "]"
    )
    any_failure = " OR ".join(f"({check.failing_sql})" for check in checks)
    con.execute(
        read_sql("route_quarantine.sql").format(
            reason_list=reason_list, any_failure=any_failure, row_json=row_json_sql(contract)
        )
    )
    counters = []
    for check in checks:
        counters.append(f"count(*) FILTER (WHERE {check.failing_sql})")
        counters.append(f"count(*) FILTER (WHERE {check.counted_sql})")
    values = con.execute(f"SELECT {', '.join(counters)} FROM checked").fetchone()
    failing = {c.check_id: int(values[2 * i]) for i, c in enumerate(checks)}
    expected = {c.check_id: int(values[2 * i + 1]) for i, c in enumerate(checks)}
    quarantined = con.execute("SELECT count(*) FROM quarantined").fetchone()[0]
    return RoutingResult(int(quarantined), failing, expected)


def list_quarantine(
    con: duckdb.DuckDBPyConnection,
    *,
    batch_id: int | None = None,
    kind: str | None = None,
    limit: int | None = 50,
) -> pd.DataFrame:
    """Quarantined rows, newest batch first: where each came from and every reason."""
    conditions = ["true"]
    parameters: list[object] = []
    if batch_id is not None:
        conditions.append("q.batch_id = ?")
        parameters.append(batch_id)
    if kind is not None:
        conditions.append("q.kind = ?")
        parameters.append(kind)
    limit_sql = f"LIMIT {int(limit)}" if limit else ""
    return con.execute(
        f"""
        SELECT q.batch_id, q.kind, q.file_name, q.source_row, q.sheet,
               array_to_string(q.reasons, ' | ') AS reasons, q.row_data
        FROM audit.quarantine q
        WHERE {" AND ".join(conditions)}
        ORDER BY q.batch_id DESC, q.sheet NULLS FIRST, q.source_row
        {limit_sql}
        """,
        parameters,
    ).df()

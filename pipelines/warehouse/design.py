"""The design layer: lotteries among applicants, recorded so analyses read them as trials.

``design.lotteries`` holds one row per lottery (its file, seats, blocks, seed, draw number
and balance); ``design.lottery_assignments`` one row per applicant, pseudonymized, with
whether the lottery offered them a seat. The tables are created (``design_tables.sql``)
by the first lottery, inside its transaction, so a warehouse without one has no
``design`` schema; ``load_lottery_assignments`` reads them, or nothing, either way.

The writing functions work on a staging connection with the warehouse attached as ``wh``
(``pipelines.ingest.staging.Staging``), as ingestion's do.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from pipelines.sql_text import quote_ident, read_sql

#: The columns ``load_lottery_assignments`` returns, in order.
ASSIGNMENT_COLUMNS = (
    "lottery_id", "district_id", "student_unique_id", "block", "assigned", "seed",
    "draw_number", "created_at", "file_name",
)  # fmt: skip

#: The columns of ``design.lotteries``, in order.
LOTTERY_COLUMNS = (
    "lottery_id", "district_id", "created_at", "file_name", "file_sha256", "seats",
    "applicants", "blocks", "seed", "draw_number", "max_draws", "max_abs_smd", "smd_bound",
    "roster_school_year", "roster_batch_id", "balance", "package_version",
)  # fmt: skip


def ensure_design_tables(con: duckdb.DuckDBPyConnection, catalog: str | None = "wh") -> None:
    """Create the ``design`` schema and its tables if they do not exist (in the caller's
    transaction, if it has one)."""
    prefix = f"{quote_ident(catalog)}." if catalog else ""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {prefix}design")
    for statement in read_sql(__package__, "design_tables.sql").split(";"):
        if statement.strip():
            con.execute(statement.replace("design.", f"{prefix}design."))


def has_design_tables(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> bool:
    """Whether the warehouse (attached as ``catalog``, else the connection's own) holds
    the lottery tables."""
    database = catalog or con.execute("SELECT current_database()").fetchone()[0]
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? "
        "AND schema_name = 'design' AND table_name IN ('lotteries', 'lottery_assignments')",
        [database],
    ).fetchone()[0]
    return found == 2


def roster_districts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The districts whose student rosters the attached warehouse holds, sorted."""
    rows = con.execute("SELECT DISTINCT _district_id FROM wh.core.students ORDER BY 1").fetchall()
    return [district for (district,) in rows]


def applicant_roster(
    con: duckdb.DuckDBPyConnection, applicants: pd.DataFrame, *, district_id: str
) -> pd.DataFrame:
    """Each applicant's newest roster row in the district (``applicant_roster.sql``).

    ``applicants`` has ``source_row`` and the pseudonymized ``student_unique_id``; the
    result has one row per applicant in the order given, its ``position`` in it (from 0)
    and ``source_row``, with NULL covariates (and ``school_year``) for an applicant the
    roster does not hold.
    """
    ids = applicants[["source_row", "student_unique_id"]].assign(position=range(len(applicants)))
    with con.cursor() as cursor:
        cursor.register("applicant_ids", ids)
        return cursor.execute(
            read_sql(__package__, "applicant_roster.sql"), {"district_id": district_id}
        ).df()


def find_lottery(
    con: duckdb.DuckDBPyConnection, *, file_sha256: str, district_id: str
) -> dict | None:
    """The lottery already drawn from this file (same bytes) in this district, if any."""
    if not has_design_tables(con, "wh"):
        return None
    row = con.execute(
        "SELECT lottery_id, created_at, seed, draw_number FROM wh.design.lotteries "
        "WHERE file_sha256 = ? AND district_id = ? ORDER BY lottery_id LIMIT 1",
        [file_sha256, district_id],
    ).fetchall()
    if not row:
        return None
    return dict(zip(("lottery_id", "created_at", "seed", "draw_number"), row[0], strict=True))


def record_lottery(
    con: duckdb.DuckDBPyConnection, lottery: Mapping[str, object], assignments: pd.DataFrame
) -> int:
    """Write one lottery and its assignments into the attached warehouse; its new id.

    ``lottery`` holds the ``design.lotteries`` columns but ``lottery_id``;
    ``assignments`` has ``student_unique_id`` (pseudonymized), ``block`` and ``assigned``.
    Call inside the caller's transaction: the tables are created here if needed.
    """
    ensure_design_tables(con)
    lottery_id = con.execute(
        "SELECT coalesce(max(lottery_id), 0) + 1 FROM wh.design.lotteries"
    ).fetchone()[0]
    values = [lottery_id] + [lottery[name] for name in LOTTERY_COLUMNS[1:]]
    con.execute(
        f"INSERT INTO wh.design.lotteries ({', '.join(LOTTERY_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in values)})",
        values,
    )
    # Registered on this connection, not a cursor: a cursor is a transaction of its own and
    # would see neither the new tables nor write inside the caller's transaction.
    con.register("lottery_rows", assignments[["student_unique_id", "block", "assigned"]])
    try:
        con.execute(
            "INSERT INTO wh.design.lottery_assignments "
            "SELECT ?, ?, student_unique_id, block, assigned FROM lottery_rows",
            [lottery_id, lottery["district_id"]],
        )
    finally:
        con.unregister("lottery_rows")
    return int(lottery_id)


def load_lottery_assignments(
    con: duckdb.DuckDBPyConnection, *, lottery_id: int | None = None
) -> pd.DataFrame:
    """Every lottery's assignments (or one lottery's), as a plain frame.

    One row per applicant of a lottery: ``ASSIGNMENT_COLUMNS`` (``student_unique_id`` is
    the pseudonym that joins to the marts; ``assigned`` 1 offered a seat, 0 not), sorted
    by lottery and student. Empty, with those columns, when no lottery was drawn. Works
    on a read-only connection.
    """
    if not has_design_tables(con):
        return pd.DataFrame(columns=list(ASSIGNMENT_COLUMNS))
    frame = con.execute(
        read_sql(__package__, "lottery_assignments.sql"), {"lottery_id": lottery_id}
    ).df()
    return frame[list(ASSIGNMENT_COLUMNS)]

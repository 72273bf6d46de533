"""The mart layer: analysis views at a stated grain, and the loaders models read them with.

Each mart is one query in a ``.sql`` file of this package (``<mart>.sql`` creates
``mart.<mart>``), written as import CTEs over core views followed by transform CTEs. The
views only read core, so creating them is cheap and idempotent.
"""

from __future__ import annotations

from importlib import resources

import duckdb

from pipelines.sql_text import quote_ident, read_sql


def mart_names() -> list[str]:
    """The marts this package defines, by name (``student_terms``, ...)."""
    files = resources.files(__package__).iterdir()
    return sorted(f.name.removesuffix(".sql") for f in files if f.name.endswith(".sql"))


def create_marts(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> None:
    """(Re)create the mart views; they only read core views, so this is cheap and idempotent."""
    use = f"USE {quote_ident(catalog)}" if catalog else None
    previous = con.execute("SELECT current_database()").fetchone()[0]
    if use:
        con.execute(use)
    try:
        for name in mart_names():
            con.execute(read_sql(__package__, f"{name}.sql"))
    finally:
        if use:
            con.execute(f"USE {quote_ident(previous)}")


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in each mart view of the warehouse ``con`` is connected to, by mart name."""
    names = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart' ORDER BY 1"
    ).fetchall()
    return {
        name: con.execute(f"SELECT count(*) FROM mart.{quote_ident(name)}").fetchone()[0]
        for (name,) in names
    }

"""The mart layer: analysis views at a stated grain, and the loaders models read them with.

Each mart is one query in a ``.sql`` file of this package (``<mart>.sql`` creates
``mart.<mart>``), written as import CTEs over core views followed by transform CTEs. The
views only read core, so creating them is cheap and idempotent.

Models never open the warehouse: a loader here (``load_student_terms(con)`` and its
siblings, or ``load_mart(con, name)``) reads a mart and hands over a ``MartFrame``, a plain
pandas frame with where its rows came from. A new mart is a ``.sql`` file here and a
loader named for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import duckdb
import pandas as pd

from pipelines.sql_text import quote_ident, read_sql
from pipelines.warehouse.audit import contract_versions, last_batch_id


@dataclass(frozen=True)
class MartFrame:
    """A mart as a model reads it: a plain frame, and where its rows came from.

    Attributes
    ----------
    name
        The mart (``student_terms`` is ``mart.student_terms``).
    frame
        Every row of the mart, sorted by all its columns so a read is reproducible.
    warehouse
        The warehouse file it was read from (empty for an in-memory database).
    last_batch_id
        The newest batch the warehouse held (None when it held none): the state the rows
        reflect, as ``history_as_of`` can reproduce it.
    contract_versions
        The contract version each loaded source kind was validated against, by kind.
    """

    name: str
    frame: pd.DataFrame
    warehouse: str
    last_batch_id: int | None
    contract_versions: dict[str, int]


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


def load_mart(con: duckdb.DuckDBPyConnection, name: str) -> MartFrame:
    """Read ``mart.<name>`` from the warehouse ``con`` is connected to.

    Raises
    ------
    ValueError
        When no mart has that name.
    """
    if name not in mart_names():
        raise ValueError(f"no mart {name!r}; the marts are {', '.join(mart_names())}")
    frame = con.execute(f"SELECT * FROM mart.{quote_ident(name)} ORDER BY ALL").df()
    warehouse = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]
    return MartFrame(
        name=name,
        frame=frame,
        warehouse=warehouse or "",
        last_batch_id=last_batch_id(con),
        contract_versions=contract_versions(con),
    )


def load_student_terms(con: duckdb.DuckDBPyConnection) -> MartFrame:
    """One row per student per team per term of membership (``mart.student_terms``)."""
    return load_mart(con, "student_terms")


def load_team_terms(con: duckdb.DuckDBPyConnection) -> MartFrame:
    """One row per team per term (``mart.team_terms``)."""
    return load_mart(con, "team_terms")


def load_panel_scores(con: duckdb.DuckDBPyConnection) -> MartFrame:
    """One row per employer-panel score, with the student's and team's facts."""
    return load_mart(con, "panel_scores")


def load_portfolio_quarters(con: duckdb.DuckDBPyConnection) -> MartFrame:
    """One row per student per quarter: mean panel score and the 7.0 standard."""
    return load_mart(con, "portfolio_quarters")

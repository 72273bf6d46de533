"""Building the marts: an explicit step after ingestion, as of now or of an earlier batch.

Each mart is one query, ``<mart>.sql`` in this package, that reads ``core.<kind>``, other
marts (``mart.<name>``) and the program's plan (``ref.roadmap_targets``, from
``roadmap_targets.yaml``), and takes its thresholds as ``getvariable('<parameter>')``.
Its contract, ``data/schemas/marts/<mart>.yaml``, states its grain, key, columns and
parameters; a build checks every mart against it before anything is kept.

A build always runs in a scratch in-memory catalog whose ``core`` views show the
warehouse as it was right after one batch (``history_as_of``), so "now" and "as of batch
12" are the same code. A stored build (``outcomes build``) then replaces the warehouse's
``mart`` tables in one transaction and records itself in ``audit.mart_builds``; a read of
another state (``load_mart(..., as_of=12)``) takes the scratch tables and leaves the
warehouse untouched, so it also works on a read-only connection.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipelines.contracts import Contract, ContractError, load_contracts
from pipelines.errors import InputError
from pipelines.sql_text import quote_ident, quote_literal
from pipelines.warehouse.audit import last_batch_id
from pipelines.warehouse.layout import history_as_of
from pipelines.warehouse.marts.definitions import (
    mart_contracts,
    mart_names,
    mart_query,
    roadmap_targets,
    with_dependencies,
)
from pipelines.warehouse.marts.parameters import resolve_parameters
from pipelines.warehouse.transaction import transaction

#: What a date or batch option accepts: a batch id, or a day (the last batch loaded by its end).
AsOf = int | dt.date | str | None


@dataclass(frozen=True)
class MartBuild:
    """What one build made: the state it reflects, the parameters used and each mart's rows.

    Attributes
    ----------
    build_id
        The build's row in ``audit.mart_builds``; None for a build read and not stored.
    as_of_batch_id
        The batch whose state the marts reflect (None: the warehouse held no batch).
    parameters
        Every parameter the marts' queries took, by name.
    row_counts
        Rows of each mart built, by mart name, in build order.
    """

    build_id: int | None
    as_of_batch_id: int | None
    parameters: dict[str, object]
    row_counts: dict[str, int]


def resolve_as_of(con: duckdb.DuckDBPyConnection, as_of: AsOf) -> int | None:
    """The batch a state names: None is the newest; a batch id itself; a day (a ``date`` or
    ``YYYY-MM-DD``) the last batch that had finished loading by the end of that day.

    Raises
    ------
    InputError
        The batch does not exist, the text is neither a batch id nor a date, or no batch
        had been loaded by that day.
    """
    newest = last_batch_id(con)
    if as_of is None:
        return newest
    if isinstance(as_of, str) and as_of.strip().isdigit():
        as_of = int(as_of)
    if isinstance(as_of, int):
        known = con.execute("SELECT count(*) FROM audit.batches WHERE batch_id = ?", [as_of])
        if not known.fetchone()[0]:
            held = f"batches 1 to {newest}" if newest else "no batch yet"
            raise InputError("--as-of", f"there is no batch {as_of}", f"the warehouse holds {held}")
        return as_of
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of.strip())
        except ValueError as error:
            raise InputError(
                "--as-of",
                f"{as_of!r} is neither a batch id nor a date",
                "give a batch id (see outcomes batches) or a date as YYYY-MM-DD",
            ) from error
    batch = con.execute(
        "SELECT max(batch_id) FROM audit.batches WHERE ended_at < ?",
        [dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())],
    ).fetchone()[0]
    if batch is None:
        raise InputError(
            "--as-of", f"no batch had been loaded by the end of {as_of}", "give a later date"
        )
    return batch


def build_marts(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: AsOf = None,
    parameters: dict[str, str] | None = None,
) -> MartBuild:
    """Build every mart and store it in the warehouse's ``mart`` schema.

    The old tables stay until every new one has been built and checked against its
    contract; then all are replaced in one transaction and the build is recorded in
    ``audit.mart_builds``.

    Parameters
    ----------
    con
        A writable connection to the warehouse.
    as_of
        The state to build from: None for now, a batch id, or a date.
    parameters
        Parameter values by name, as text, overriding the contracts' defaults.
    """
    batch = resolve_as_of(con, as_of)
    values = resolve_parameters(parameters)
    names = mart_names()
    with _scratch_build(con, batch, values, names) as scratch:
        counts = {
            name: con.execute(f"SELECT count(*) FROM {scratch}.mart.{name}").fetchone()[0]
            for name in names
        }
        with transaction(con):
            build_id = con.execute("SELECT nextval('audit.mart_build_ids')").fetchone()[0]
            # Warehouses laid out before marts were built kept them as views.
            views = con.execute(
                "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() "
                "AND schema_name = 'mart'"
            ).fetchall()
            for (view,) in views:
                con.execute(f"DROP VIEW mart.{quote_ident(view)}")
            for name in names:
                con.execute(
                    f"CREATE OR REPLACE TABLE mart.{name} AS SELECT * FROM {scratch}.mart.{name}"
                )
            versions = {name: c.version for name, c in mart_contracts().items()}
            con.execute(
                "INSERT INTO audit.mart_builds VALUES (?, current_timestamp, ?, ?, ?, ?)",
                [build_id, batch, _json(values), _json(versions), _json(counts)],
            )
    return MartBuild(build_id, batch, values, counts)


def read_built_mart(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    as_of: AsOf = None,
    parameters: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, MartBuild]:
    """One mart's rows as of a state, and the build they come from.

    The stored table is read when the newest stored build matches the state, the
    parameters and the mart's contract version; otherwise the mart (and the marts it
    reads) is built for this read alone and the warehouse is left as it was.
    """
    batch = resolve_as_of(con, as_of)
    values = resolve_parameters(parameters)
    stored = latest_build(con)
    version = mart_contracts()[name].version
    if (
        stored is not None
        and stored["as_of_batch_id"] == batch
        and stored["parameters"] == json.loads(_json(values))
        and stored["mart_versions"].get(name) == version
        and _has_table(con, "mart", name)
    ):
        frame = con.execute(f"SELECT * FROM mart.{name} ORDER BY ALL").df()
        counts = {name: len(frame)}
        return frame, MartBuild(stored["build_id"], batch, values, counts)
    with _scratch_build(con, batch, values, with_dependencies([name])) as scratch:
        frame = con.execute(f"SELECT * FROM {scratch}.mart.{name} ORDER BY ALL").df()
    return frame, MartBuild(None, batch, values, {name: len(frame)})


def latest_build(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The newest row of ``audit.mart_builds`` with its JSON read, or None before any build."""
    if not _has_table(con, "audit", "mart_builds"):
        return None
    row = con.execute(
        "SELECT build_id, built_at, as_of_batch_id, parameters, mart_versions, row_counts "
        "FROM audit.mart_builds ORDER BY build_id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    build_id, built_at, batch, values, versions, counts = row
    return {
        "build_id": build_id,
        "built_at": built_at,
        "as_of_batch_id": batch,
        "parameters": json.loads(values),
        "mart_versions": json.loads(versions),
        "row_counts": json.loads(counts),
    }


@contextmanager
def _scratch_build(
    con: duckdb.DuckDBPyConnection,
    batch: int | None,
    values: dict[str, object],
    names: list[str],
) -> Iterator[str]:
    """Build ``names`` into a scratch in-memory catalog; yield its quoted name."""
    warehouse = con.execute("SELECT current_database()").fetchone()[0]
    scratch = f"mart_build_{uuid.uuid4().hex[:12]}"
    # READ_WRITE: a read-only connection (a researcher's) would open it read-only too.
    con.execute(f"ATTACH ':memory:' AS {scratch} (READ_WRITE)")
    try:
        con.execute(f"CREATE SCHEMA {scratch}.core")
        con.execute(f"CREATE SCHEMA {scratch}.mart")
        _create_reference_tables(con, scratch)
        for kind, contract in load_contracts().items():
            source = history_as_of(contract, batch or 0, catalog=warehouse)
            con.execute(f"CREATE VIEW {scratch}.core.{kind} AS {source}")
        for name, value in values.items():
            con.execute(f"SET VARIABLE {name} = {_sql_value(value)}")
        con.execute(f"USE {scratch}")
        try:
            for name in names:
                con.execute(f"CREATE TABLE mart.{name} AS {mart_query(name)}")
        finally:
            con.execute(f"USE {quote_ident(warehouse)}")
        for name in names:
            check_mart(con, f"{scratch}.mart.{name}", mart_contracts()[name])
        yield scratch
    finally:
        con.execute(f"DETACH {scratch}")


def _create_reference_tables(con: duckdb.DuckDBPyConnection, scratch: str) -> None:
    """Small tables of the program's own plan that marts hold data against (``ref.*``)."""
    con.execute(f"CREATE SCHEMA {scratch}.ref")
    con.execute(
        f"CREATE TABLE {scratch}.ref.roadmap_targets "
        "(metric VARCHAR, by_month BIGINT, target DOUBLE, source VARCHAR)"
    )
    rows = [(t["metric"], t["by_month"], t["target"], t["source"]) for t in roadmap_targets()]
    con.executemany(f"INSERT INTO {scratch}.ref.roadmap_targets VALUES (?, ?, ?, ?)", rows)


def check_mart(con: duckdb.DuckDBPyConnection, table: str, contract: Contract) -> None:
    """Refuse a built mart that breaks its contract: columns, types, key or required values.

    Raises
    ------
    ContractError
        The query and the contract disagree (a bug in the repo, not in a district's data).
    """
    catalog, _, name = table.split(".")
    described = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = ? AND table_schema = 'mart' AND table_name = ? "
        "ORDER BY ordinal_position",
        [catalog, name],
    ).fetchall()
    expected = [(c.name, c.sql_type) for c in contract.columns]
    if described != expected:
        differences = sorted(set(described) ^ set(expected)) or "the order differs"
        raise ContractError(f"mart {name} does not match its contract: {differences}")
    key = ", ".join(quote_ident(k) for k in contract.primary_key)
    duplicated = con.execute(
        f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()[0]
    if duplicated:
        raise ContractError(
            f"mart {name}: {duplicated} values of its key ({key}) occur more than once"
        )
    required = [c.name for c in contract.required_columns]
    counts = ", ".join(f"count(*) FILTER (WHERE {quote_ident(n)} IS NULL)" for n in required)
    missing = con.execute(f"SELECT {counts} FROM {table}").fetchone() if required else ()
    empty = [f"{n} ({m} rows)" for n, m in zip(required, missing, strict=True) if m]
    if empty:
        raise ContractError(f"mart {name}: required columns are empty: {', '.join(empty)}")


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _sql_value(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"CAST({value} AS BIGINT)"
    if isinstance(value, float):
        return f"CAST({value!r} AS DOUBLE)"
    if isinstance(value, dt.date):
        return f"DATE {quote_literal(value.isoformat())}"
    return quote_literal(value)


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)

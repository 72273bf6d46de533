"""Two changes to great-expectations' own code, for DuckDB and for speed, installed once
per process by ``gx.gx_context``; each says why and when it can go."""

from __future__ import annotations

import functools
from typing import Any

import great_expectations.expectations.expectation as gx_expectation_module
from great_expectations.execution_engine import SqlAlchemyExecutionEngine

# GX's SqlAlchemyExecutionEngine.execute_query runs each query inside `with get_connection()`
# and returns the still-unfetched result after the block has closed the connection. Closing
# rolls back the transaction duckdb_engine opened with a real DuckDB BEGIN, and DuckDB drops a
# pending result on rollback, so every fetch sees no rows and each metric fails with "list
# index out of range" (GX issues 10738 and 11579). For the duckdb dialect only, the override
# runs queries on one connection held open for the execution engine's life, as GX itself
# does for SQLite; a result then stays readable until the next query, and GX always reads a
# result before it sends the next one. Fetching every row before the close (Result.freeze())
# works too, but UnexpectedRowsExpectation selects every failing row to read 20 of them, so
# a column failing on a million rows cost seconds and a gigabyte of Python rows; a held
# DuckDB result streams instead. Remove the override once the test asserting that GX's own
# path still loses DuckDB rows fails.
_ORIGINAL_ATTRIBUTE = "_gx_execute_query"
_HELD_CONNECTION_ATTRIBUTE = "_held_duckdb_connection"
_gx_execute_query = getattr(
    SqlAlchemyExecutionEngine.execute_query,
    _ORIGINAL_ATTRIBUTE,
    SqlAlchemyExecutionEngine.execute_query,
)


def _execute_query_on_held_connection(self: SqlAlchemyExecutionEngine, query: Any) -> Any:
    if self.dialect_name != "duckdb":
        return _gx_execute_query(self, query)
    connection = getattr(self, _HELD_CONNECTION_ATTRIBUTE, None)
    if connection is None or connection.closed:
        connection = self.engine.connect()
        setattr(self, _HELD_CONNECTION_ATTRIBUTE, connection)
    try:
        return self._execute_query_with_recovery(connection, query)
    except Exception:
        # DuckDB aborts the open transaction on an error (a check with bad SQL); without a
        # rollback every later query on the connection would fail too.
        connection.rollback()
        raise


setattr(_execute_query_on_held_connection, _ORIGINAL_ATTRIBUTE, _gx_execute_query)


def install_duckdb_query_override() -> None:
    """Make GX keep DuckDB results readable (idempotent; see the comment above)."""
    SqlAlchemyExecutionEngine.execute_query = _execute_query_on_held_connection


def release_held_connection(execution_engine: SqlAlchemyExecutionEngine | None) -> None:
    """Close the connection the override holds for ``execution_engine``, if any."""
    connection = getattr(execution_engine, _HELD_CONNECTION_ATTRIBUTE, None)
    if connection is not None:
        connection.close()
        setattr(execution_engine, _HELD_CONNECTION_ATTRIBUTE, None)


def gx_execute_query(execution_engine: SqlAlchemyExecutionEngine, query: Any) -> Any:
    """GX's own execute_query, for the test that tells when the override can go."""
    return _gx_execute_query(execution_engine, query)


def install_class_name_cache() -> None:
    """Remember GX's class-name-to-type conversion (idempotent).

    An expectation's ``configuration`` is rebuilt each time GX reads one of its arguments,
    each time converting its class name to snake case with two regular expressions: about
    1,000 conversions a validation, 1.3 of the 9.6 s GX spent on the synthetic district.
    The conversion depends on the name alone, so a cache returns the same strings.
    """
    convert = gx_expectation_module.camel_to_snake
    if not hasattr(convert, "cache_info"):
        gx_expectation_module.camel_to_snake = functools.cache(convert)

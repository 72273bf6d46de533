"""Validate a typed staging table in place with great-expectations (GX).

Every ``Check`` becomes the GX expectation its rule names (``pipelines.contracts.rules``);
all of them run as one suite, in one validation, on a SQL datasource over the table where
it lies in DuckDB. The table is never loaded into Python: GX reads back counts and a few
example values.

Ingestion stages a file in a *named* in-memory database (``":memory:stage_<hex>"``) and keeps
its connection open. In one process, ``duckdb.connect`` of that name returns the same
instance, but only with exactly the config of the first connect ("Can't open a connection to
same database file with a different configuration"). duckdb_engine parses
``"duckdb:///:memory:stage_<hex>"`` fine, but its ``connect`` always adds a
``custom_user_agent`` setting, so that URL never shares an instance opened by someone else
(duckdb_engine 0.17). The SQLAlchemy engine therefore gets connections from a ``creator``:
``duckdb.connect(name, config=<the caller's config>)``, or a cursor of a connection the caller
hands over (a new connection to the same instance, needing no config), wrapped in
duckdb_engine's ``ConnectionWrapper`` as the dialect expects.
"""

from __future__ import annotations

import functools
import os
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import sqlalchemy
from duckdb_engine import ConnectionWrapper
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from pipelines.contracts.rules import RULES_BY_NAME, Check
from pipelines.ingest.validate.gx_fixes import (
    install_class_name_cache,
    install_duckdb_query_override,
    release_held_connection,
)
from pipelines.sql_text import quote_ident

#: Counts and a few example values per expectation; COMPLETE would list every failing value.
#: BASIC, not SUMMARY: SUMMARY's extra tallies of example values cost a fifth of GX's time
#: per batch, and nothing reads them.
RESULT_FORMAT = "BASIC"

#: A database name or path as ``duckdb.connect`` takes it, or an open connection to it.
Database = str | os.PathLike | duckdb.DuckDBPyConnection
#: Where a failing row is in its file (staging's columns), shown with each example row.
ROW_COLUMNS = ("_sheet", "_source_row")


@dataclass(frozen=True)
class CheckResult:
    """What GX found for one check."""

    check_id: str
    success: bool
    #: Rows the expectation counted as unexpected; None when GX reported no count.
    unexpected_count: int | None
    #: Rows GX looked at; None for expectations that do not report it (SQL-query checks).
    element_count: int | None


@dataclass(frozen=True)
class GxReport:
    """The outcome of validating one table: per-check counts and GX's own record of it."""

    success: bool
    results: tuple[CheckResult, ...]
    gx_version: str
    #: GX's full validation result as plain JSON-compatible data, for the audit tables.
    document: dict[str, Any] = field(compare=False, repr=False)

    def result(self, check_id: str) -> CheckResult:
        for result in self.results:
            if result.check_id == check_id:
                return result
        raise KeyError(check_id)


class GxValidationError(RuntimeError):
    """GX could not evaluate some checks (a bug or a broken setup, never bad data)."""

    def __init__(self, message: str, report: GxReport) -> None:
        super().__init__(message)
        self.report = report


@functools.cache
def gx_context() -> Any:
    """The process's ephemeral GX context (importing GX and building it takes seconds)."""
    install_duckdb_query_override()
    install_class_name_cache()
    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


# The context's datasource registry is shared; one validation at a time keeps it consistent.
_context_lock = threading.Lock()


def expectation_for(check: Check, row_columns: Sequence[str] = ()) -> Any:
    """The GX expectation that counts the same rows as ``check.counted_sql``.

    A row-query expectation selects ``row_columns`` (the row number, where the table has
    one) and the check's own columns, not ``*``: GX reads a few failing rows back as
    examples, and carrying every column through a foreign-key lookup tripled its cost.
    """
    meta = {"check_id": check.check_id}
    rule = RULES_BY_NAME.get(check.rule)
    if rule is None:
        raise ValueError(f"{check.check_id}: no expectation for rule {check.rule!r}")
    if not rule.runs_as_row_query:
        expectation = getattr(gxe, rule.expectation)
        return expectation(**rule.expectation_arguments(check), meta=meta)
    # GX fills `{batch}` with str.format, so braces of the check (a regex `{5}`) are doubled
    # to stay literal.
    condition = check.counted_sql.replace("{", "{{").replace("}", "}}")
    selected = list(dict.fromkeys([*row_columns, *check.columns]))
    columns = ", ".join(quote_ident(c).replace("{", "{{").replace("}", "}}") for c in selected)
    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=f"SELECT {columns or '*'} FROM {{batch}} WHERE ({condition})",
        description=f"{check.check_id}: no row where {check.counted_sql}",
        meta=meta,
    )


def validate_table(
    database: Database,
    table: str,
    checks: Sequence[Check],
    *,
    config: Mapping[str, Any] | None = None,
) -> GxReport:
    """Run ``checks`` over ``table`` in ``database`` as one GX suite, in place.

    Parameters
    ----------
    database
        A DuckDB database as ``duckdb.connect`` takes it (a file path, or a named in-memory
        database such as ``":memory:stage_ab12"`` that the caller holds open), or an open
        connection to it.
    table
        The typed staging table (or view) to validate.
    checks
        The checks to run, usually ``compile_checks(contract)``.
    config
        The DuckDB config the caller opened ``database`` with. DuckDB refuses a second
        connection to an open database with any other config. Ignored for a connection.

    Returns
    -------
    GxReport
        Overall success, per-check counts in the order of ``checks``, and GX's document.

    Raises
    ------
    ValueError
        If the database cannot be shared, the table does not exist or check ids repeat.
    GxValidationError
        If GX failed to evaluate any check; the report is attached as ``.report``.
    """
    check_ids = [check.check_id for check in checks]
    if len(set(check_ids)) != len(check_ids):
        raise ValueError(f"check ids must be unique: {check_ids}")
    open_connection = _connection_opener(database, config)
    with _context_lock:
        # Holding a connection keeps an in-memory database alive for the whole validation
        # and turns a config mismatch or a missing table into a plain error up front.
        held, columns = _open_checked(open_connection, table)
        try:
            row_columns = [c for c in ROW_COLUMNS if c in columns]
            result = _run_suite(open_connection, table, checks, row_columns)
        finally:
            held.close()
    report = _report(result, checks)
    failed = {
        r.expectation_config.meta.get("check_id"): _exception_message(r)
        for r in result.results
        if r.exception_info and r.exception_info.get("raised_exception", True)
    }
    if failed:
        raise GxValidationError(f"great-expectations could not evaluate {failed}", report)
    return report


def _connection_opener(
    database: Database, config: Mapping[str, Any] | None
) -> Callable[[], duckdb.DuckDBPyConnection]:
    if isinstance(database, duckdb.DuckDBPyConnection):
        return database.cursor
    name = os.fspath(database)
    settings = dict(config or {})
    return lambda: duckdb.connect(name, config=settings)


def duckdb_engine_kwargs(
    database: Database, config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``sqlalchemy.create_engine("duckdb://", **kwargs)`` arguments that reach ``database``.

    The connections share the caller's DuckDB instance (see the module docstring).
    """
    return _engine_kwargs(_connection_opener(database, config))


def _engine_kwargs(open_connection: Callable[[], duckdb.DuckDBPyConnection]) -> dict[str, Any]:
    return {
        "creator": lambda: ConnectionWrapper(open_connection()),
        # A pooled connection would outlive the call and keep a dropped staging database in
        # memory; opening a connection per query on a live instance is cheap.
        "poolclass": sqlalchemy.pool.NullPool,
    }


def _open_checked(
    open_connection: Callable[[], duckdb.DuckDBPyConnection], table: str
) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """An open connection to the table's database, and the table's column names."""
    try:
        connection = open_connection()
    except duckdb.ConnectionException as error:
        raise ValueError(
            f"cannot share the DuckDB database: {error}; pass config= exactly as the database "
            "was opened with, or pass the open connection instead of its name"
        ) from error
    try:
        described = connection.execute(f"SELECT * FROM {quote_ident(table)} LIMIT 0").description
    except duckdb.CatalogException as error:
        connection.close()
        raise ValueError(f"no table {table!r} to validate: {error}") from error
    return connection, [column[0] for column in described]


class _StagingDatasource:
    """The process's one GX datasource over staging databases, with an asset per table.

    Adding a datasource, an asset and a batch definition, and deleting them, each make the
    ephemeral context serialize its whole configuration to YAML, four times a validation
    (about 1 s over the synthetic district's 44 files). So they are created once, and the
    engine's connections come from whatever opener the current validation sets (one
    validation at a time, under ``_context_lock``).
    """

    def __init__(self, context: Any) -> None:
        self.context = context
        self.open_connection: Callable[[], duckdb.DuckDBPyConnection] | None = None
        self.source: Any = None
        self.batch_definitions: dict[str, Any] = {}

    def _open(self) -> duckdb.DuckDBPyConnection:
        if self.open_connection is None:
            raise RuntimeError("no staging database is being validated")
        return self.open_connection()

    def batch_definition(self, table: str) -> Any:
        """The table's batch definition; the first call adds the datasource (GX connects to
        test it, so a staging database must be set by then)."""
        if self.source is None:
            self.source = self.context.data_sources.add_sql(
                name=f"staging_{uuid.uuid4().hex}",
                connection_string="duckdb://",
                kwargs=_engine_kwargs(self._open),
            )
        if table not in self.batch_definitions:
            asset = self.source.add_table_asset(name=table, table_name=table)
            self.batch_definitions[table] = asset.add_batch_definition_whole_table("whole_table")
        return self.batch_definitions[table]


@functools.cache
def _staging_datasource() -> _StagingDatasource:
    return _StagingDatasource(gx_context())


def _run_suite(
    open_connection: Callable[[], duckdb.DuckDBPyConnection],
    table: str,
    checks: Sequence[Check],
    row_columns: Sequence[str],
) -> Any:
    staging = _staging_datasource()
    staging.open_connection = open_connection
    try:
        batch = staging.batch_definition(table).get_batch()
        suite = gx.ExpectationSuite(
            name=f"{table}_checks", expectations=[expectation_for(c, row_columns) for c in checks]
        )
        return batch.validate(suite, result_format=RESULT_FORMAT)
    finally:
        engine = staging.source.execution_engine if staging.source is not None else None
        release_held_connection(engine)
        # Metrics are cached by batch id, which is the same for every validation of one
        # table: a later file must never be answered from an earlier one's counts.
        if engine is not None and isinstance(getattr(engine, "_metric_cache", None), dict):
            engine._metric_cache.clear()
        staging.open_connection = None


def _report(result: Any, checks: Sequence[Check]) -> GxReport:
    by_check_id = {r.expectation_config.meta.get("check_id"): r for r in result.results}
    per_check = []
    for check in checks:
        outcome = by_check_id[check.check_id]
        counts = outcome.result or {}
        # A query expectation reports its count of unexpected rows as the observed value.
        row_query = RULES_BY_NAME[check.rule].runs_as_row_query
        unexpected = counts.get("observed_value" if row_query else "unexpected_count")
        element_count = counts.get("element_count")
        per_check.append(
            CheckResult(
                check_id=check.check_id,
                success=bool(outcome.success),
                unexpected_count=None if unexpected is None else int(unexpected),
                element_count=None if element_count is None else int(element_count),
            )
        )
    return GxReport(
        success=bool(result.success),
        results=tuple(per_check),
        gx_version=gx.__version__,
        document=result.to_json_dict(),
    )


def _exception_message(result: Any) -> str:
    info = result.exception_info or {}
    if "exception_message" in info:
        return str(info["exception_message"])
    # Metric failures come keyed by metric, one entry each; the first says enough.
    nested = [v for v in info.values() if isinstance(v, dict) and "exception_message" in v]
    return str(nested[0]["exception_message"]) if nested else "unknown error"

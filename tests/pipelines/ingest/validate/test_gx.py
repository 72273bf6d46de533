"""great-expectations validation of a typed staging table, in place in DuckDB."""

from __future__ import annotations

import json
import uuid

import duckdb
import pytest
import sqlalchemy
from duckdb_engine import ConnectionWrapper
from great_expectations.execution_engine import SqlAlchemyExecutionEngine

from pipelines.contracts import Column, Contract, RowRule
from pipelines.contracts.rules import Check, compile_checks
from pipelines.ingest.validate.gx import (
    GxValidationError,
    duckdb_engine_kwargs,
    expectation_for,
    gx_context,
    validate_table,
)
from pipelines.ingest.validate.gx_fixes import (
    gx_execute_query,
    install_class_name_cache,
    install_duckdb_query_override,
    release_held_connection,
)
from pipelines.sql_text import quote_literal

CONTRACT = Contract(
    kind="scores",
    version=1,
    title="Scores",
    description="One test score per student and term.",
    grain="one row per student and term",
    primary_key=("student_unique_id", "term"),
    columns=(
        Column(
            "student_unique_id",
            "varchar",
            "Student.",
            required=True,
            references="students.student_unique_id",
        ),
        Column("term", "varchar", "Term.", required=True, allowed=("fall", "spring")),
        Column("score", "integer", "Score.", minimum=0, maximum=10),
        Column("section_code", "varchar", "Section.", pattern=r"^[A-Z]{2}\d{2}$"),
        Column("taken_on", "date", "Day of the test."),
    ),
    row_rules=(
        RowRule("spring_needs_date", "term = 'spring' AND taken_on IS NULL", "spring needs a date"),
    ),
)
CHECKS = compile_checks(CONTRACT)
KNOWN_STUDENTS = ("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s10")
# The file's text: student, term, score, section, day; the spreadsheet row is the index + 2.
CLEAN_ROWS = [
    ("s1", "fall", "7", "AB12", "2024-09-01"),
    ("s2", "Fall", "8", "AB13", "2024-09-02"),
    ("s6", "spring", "9", "CD04", "2025-01-11"),
]
PLANTED_ROWS = CLEAN_ROWS[:2] + [
    (None, "fall", "5", "AB14", "2024-09-03"),  # required student id missing
    ("s3", "winter", "6", "CD01", "2024-09-04"),  # term outside the set
    ("s4", "spring", "11", "CD02", "2025-01-10"),  # score above the maximum 10
    ("s5", "fall", "ten", "CD03", "2024-09-05"),  # score text that is no integer
    ("s6", "spring", "9", "CD04", "2025-01-11"),  # key s6/spring twice ...
    ("s6", "spring", "9", "CD04", "2025-01-11"),  # ... both copies count
    ("s9", "fall", "4", "EF10", "2024-09-06"),  # student absent from the reference keys
    ("s7", "spring", "3", "EF11", None),  # row rule: spring without a date
    ("s8", "fall", "2", "bad-code", "2024-09-07"),  # section not of the form AA00
    ("s10", "fall", "1", "GH22", "2024-13-45"),  # day that is no date
    (None, "fall", "5", "AB14", "2024-09-03"),  # a NULL key again: never a duplicate
]
PLANTED_COUNTS = {
    "student_unique_id:not_null": 2,
    "student_unique_id:foreign_key": 1,
    "term:not_null": 0,
    "term:in_set": 1,
    "score:castable": 1,
    "score:between": 1,
    "section_code:pattern": 1,
    "taken_on:castable": 1,
    "spring_needs_date:row_rule": 1,
    "student_unique_id+term:unique": 2,
}
SQL_CHECKS = ("castable", "pattern", "foreign_key", "row_rule", "unique")  # GX row queries
# Like ingestion's staging database: opened with a setting, so sharing needs the same one.
STAGING_CONFIG = {"memory_limit": "1GB"}


def build_staging(connection: duckdb.DuckDBPyConnection, table: str, rows: list) -> None:
    """A checked table (see ``pipelines.contracts.rules``) holding ``rows`` as text."""
    connection.execute(
        "CREATE TEMP TABLE raw (_source_row BIGINT, student_unique_id VARCHAR, "
        "term__text VARCHAR, score__text VARCHAR, section_code VARCHAR, taken_on__text VARCHAR)"
    )
    connection.executemany(
        "INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?)",
        [(number, *row) for number, row in enumerate(rows, start=2)],
    )
    connection.execute(
        f"CREATE TABLE {table} AS "
        "WITH typed AS (SELECT _source_row, student_unique_id, lower(term__text) AS term, "
        "term__text, TRY_CAST(score__text AS BIGINT) AS score, score__text, section_code, "
        "TRY_CAST(taken_on__text AS DATE) AS taken_on, taken_on__text FROM raw) "
        "SELECT *, CASE WHEN student_unique_id IS NULL OR term IS NULL THEN 1 "
        "ELSE count(*) OVER (PARTITION BY student_unique_id, term) END AS _rows_with_key, "
        "1 AS _versions_of_key, min(_source_row) OVER (PARTITION BY student_unique_id, term, "
        "score__text, section_code, taken_on__text) AS _first_row_of_version FROM typed"
    )
    connection.execute("DROP TABLE raw")
    keys = ", ".join(quote_literal(key) for key in KNOWN_STUDENTS)
    connection.execute(
        f"CREATE OR REPLACE TABLE ref_students__student_unique_id AS SELECT unnest([{keys}]) AS key"
    )


def sql_counts(connection: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    return {
        check.check_id: connection.execute(
            f"SELECT count(*) FROM {table} WHERE {check.counted_sql}"
        ).fetchone()[0]
        for check in CHECKS
    }


def gx_counts(report) -> dict[str, int | None]:
    return {result.check_id: result.unexpected_count for result in report.results}


@pytest.fixture(scope="module")
def staging():
    """A named in-memory staging database, held open by its creator as ingestion does."""
    gx_context()  # built once here so that no single test pays for it
    name = f":memory:stage_{uuid.uuid4().hex}"
    connection = duckdb.connect(name, config=STAGING_CONFIG)
    build_staging(connection, "scores", PLANTED_ROWS)
    build_staging(connection, "scores_clean", CLEAN_ROWS)
    yield name, connection
    connection.close()


@pytest.fixture(scope="module")
def planted_report(staging):
    name, _ = staging
    return validate_table(name, "scores", CHECKS, config=STAGING_CONFIG)


@pytest.mark.parametrize("check_id", sorted(PLANTED_COUNTS))
def test_count_equals_the_checks_own_sql(staging, planted_report, check_id):
    _, connection = staging
    expected = sql_counts(connection, "scores")[check_id]
    assert planted_report.result(check_id).unexpected_count == expected


def test_counts_are_the_planted_ones(planted_report):
    assert gx_counts(planted_report) == PLANTED_COUNTS


def test_planted_table_fails_check_by_check(planted_report):
    assert planted_report.success is False
    assert {r.check_id for r in planted_report.results if r.success} == {"term:not_null"}


def test_results_follow_the_order_of_the_checks(planted_report):
    assert [r.check_id for r in planted_report.results] == [c.check_id for c in CHECKS]


def test_clean_table_succeeds(staging):
    name, _ = staging
    report = validate_table(name, "scores_clean", CHECKS, config=STAGING_CONFIG)
    assert report.success is True
    assert set(gx_counts(report).values()) == {0}


def test_null_keys_are_never_duplicates(staging, planted_report):
    _, connection = staging
    null_key_rows = connection.execute(
        "SELECT count(*) FROM scores WHERE student_unique_id IS NULL"
    ).fetchone()[0]
    assert null_key_rows == 2
    assert planted_report.result("student_unique_id+term:unique").unexpected_count == 2


def test_element_count_is_given_for_column_checks_only(planted_report):
    for check in CHECKS:
        element_count = planted_report.result(check.check_id).element_count
        assert element_count == (None if check.rule in SQL_CHECKS else len(PLANTED_ROWS))


def test_document_is_json_in_basic_format(planted_report):
    document = json.loads(json.dumps(planted_report.document))
    assert document["meta"]["great_expectations_version"] == planted_report.gx_version
    assert sorted(r["expectation_config"]["meta"]["check_id"] for r in document["results"]) == (
        sorted(PLANTED_COUNTS)
    )
    # BASIC gives counts and a few examples; COMPLETE would add every unexpected value.
    assert not any("unexpected_list" in r["result"] for r in document["results"])


def test_file_database_held_open_by_the_caller(tmp_path):
    path = tmp_path / "stage.duckdb"
    connection = duckdb.connect(str(path))
    try:
        build_staging(connection, "scores", PLANTED_ROWS)
        report = validate_table(path, "scores", CHECKS)
    finally:
        connection.close()
    assert gx_counts(report) == PLANTED_COUNTS


def test_no_connection_outlives_the_call(tmp_path):
    path = tmp_path / "stage.duckdb"
    with duckdb.connect(str(path)) as connection:
        build_staging(connection, "scores", PLANTED_ROWS)
    validate_table(path, "scores", CHECKS)
    # DuckDB refuses another config only while some connection to the file is still open.
    with duckdb.connect(str(path), config={"memory_limit": "256MB"}) as reopened:
        rows = reopened.execute("SELECT count(*) FROM scores").fetchone()[0]
    assert rows == len(PLANTED_ROWS)


def test_open_connection_is_accepted_in_place_of_a_name(staging):
    _, connection = staging
    report = validate_table(connection, "scores", CHECKS)
    assert gx_counts(report) == PLANTED_COUNTS


def test_other_config_than_the_callers_is_refused_with_a_hint(staging):
    name, _ = staging
    with pytest.raises(ValueError, match="pass config= exactly"):
        validate_table(name, "scores", CHECKS)


def test_missing_table_is_refused(staging):
    name, _ = staging
    with pytest.raises(ValueError, match="no table 'absent'"):
        validate_table(name, "absent", CHECKS, config=STAGING_CONFIG)


def test_check_gx_cannot_evaluate_raises_and_spares_the_others(staging):
    name, _ = staging
    broken = Check("broken:row_rule", "row_rule", (), "no_such_column > 1", "'broken'")
    with pytest.raises(GxValidationError, match="broken:row_rule") as raised:
        validate_table(name, "scores", (broken, *CHECKS), config=STAGING_CONFIG)
    counts = gx_counts(raised.value.report)
    assert counts.pop("broken:row_rule") is None
    assert counts == PLANTED_COUNTS


def test_validations_share_one_datasource(planted_report, staging):
    name, _ = staging
    validate_table(name, "scores_clean", CHECKS, config=STAGING_CONFIG)
    assert len(gx_context().data_sources.all()) == 1


def test_a_table_validated_again_is_counted_afresh():
    """Each file is staged under the same table name; GX caches metrics by batch, and a
    later file must not be answered with an earlier one's counts."""
    name = f":memory:stage_{uuid.uuid4().hex}"
    with duckdb.connect(name, config=STAGING_CONFIG) as connection:
        build_staging(connection, "checked", PLANTED_ROWS)
        first = validate_table(name, "checked", CHECKS, config=STAGING_CONFIG)
        connection.execute("DROP TABLE checked")
        build_staging(connection, "checked", CLEAN_ROWS)
        second = validate_table(name, "checked", CHECKS, config=STAGING_CONFIG)
    assert gx_counts(first) == PLANTED_COUNTS
    assert set(gx_counts(second).values()) == {0}


def test_context_is_built_once():
    assert gx_context() is gx_context()


@pytest.mark.parametrize(
    ("rule", "expectation_type"),
    [
        ("not_null", "expect_column_values_to_not_be_null"),
        ("in_set", "expect_column_values_to_be_in_set"),
        ("between", "expect_column_values_to_be_between"),
        ("unique", "unexpected_rows_expectation"),
        ("castable", "unexpected_rows_expectation"),
        ("pattern", "unexpected_rows_expectation"),
        ("foreign_key", "unexpected_rows_expectation"),
        ("row_rule", "unexpected_rows_expectation"),
    ],
)
def test_each_rule_maps_to_its_expectation(rule, expectation_type):
    check = next(c for c in CHECKS if c.rule == rule)
    assert expectation_for(check).expectation_type == expectation_type


def test_uniqueness_counts_the_rows_staging_flagged():
    # GX's own compound-uniqueness expectation cost 5.5 s on 10 million rows; staging has
    # already counted each key's rows, so GX counts the rows flagged as repeated.
    check = Check(
        "id:unique", "unique", ("id",), "false", "''", expectation_sql="_rows_with_key > 1"
    )
    assert "_rows_with_key > 1" in expectation_for(check).unexpected_rows_query


def test_braces_of_a_check_stay_literal_in_its_query():
    check = next(c for c in CHECKS if c.rule == "pattern")
    query = expectation_for(check).unexpected_rows_query
    assert query.format(batch="scores") == (
        f'SELECT "{check.column}" FROM scores WHERE ({check.counted_sql})'
    )


def test_row_queries_select_the_row_number_and_the_checks_columns_only():
    check = next(c for c in CHECKS if c.rule == "castable")
    query = expectation_for(check, ["_source_row"]).unexpected_rows_query
    columns = ", ".join(f'"{c}"' for c in check.columns)
    assert query.startswith(f'SELECT "_source_row", {columns} FROM {{batch}} WHERE')


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="no expectation for rule 'median'"):
        expectation_for(Check("x:median", "median", ("x",), "false", "''"))


def _execution_engine(database, poolclass) -> SqlAlchemyExecutionEngine:
    kwargs = {**duckdb_engine_kwargs(database, STAGING_CONFIG), "poolclass": poolclass}
    return SqlAlchemyExecutionEngine(engine=sqlalchemy.create_engine("duckdb://", **kwargs))


@pytest.mark.parametrize("poolclass", [sqlalchemy.pool.QueuePool, sqlalchemy.pool.NullPool])
def test_gx_alone_still_loses_duckdb_rows(staging, poolclass):
    """When this fails, GX reads DuckDB results by itself: remove the execute_query override."""
    name, _ = staging
    execution_engine = _execution_engine(name, poolclass)
    query = sqlalchemy.text("SELECT count(*) FROM scores")
    try:
        rows = gx_execute_query(execution_engine, query).fetchall()
    except sqlalchemy.exc.DBAPIError:  # the connection is already closed under NullPool
        rows = None
    finally:
        execution_engine.engine.dispose()
    assert rows != [(len(PLANTED_ROWS),)]


def test_override_reads_duckdb_rows(staging):
    name, _ = staging
    install_duckdb_query_override()
    execution_engine = _execution_engine(name, sqlalchemy.pool.NullPool)
    try:
        count = execution_engine.execute_query(sqlalchemy.text("SELECT count(*) FROM scores"))
        assert count.fetchall() == [(len(PLANTED_ROWS),)]
        keys = execution_engine.execute_query(
            sqlalchemy.text("SELECT key FROM ref_students__student_unique_id")
        )
        assert len(keys.fetchmany(3)) == 3
    finally:
        release_held_connection(execution_engine)


def test_override_installs_once_over_gx_original():
    install_duckdb_query_override()
    installed = SqlAlchemyExecutionEngine.execute_query
    install_duckdb_query_override()
    assert SqlAlchemyExecutionEngine.execute_query is installed
    assert installed._gx_execute_query is not installed


def test_connection_wrapper_is_what_the_dialect_expects(staging):
    """duckdb_engine's own URL cannot share the instance; the creator's wrapper can."""
    name, _ = staging
    with pytest.raises(sqlalchemy.exc.OperationalError, match="different configuration"):
        sqlalchemy.create_engine(
            f"duckdb:///{name}", connect_args={"config": STAGING_CONFIG}
        ).connect()
    engine = sqlalchemy.create_engine("duckdb://", **duckdb_engine_kwargs(name, STAGING_CONFIG))
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT count(*) FROM scores")).fetchall()
    assert rows == [(len(PLANTED_ROWS),)]
    raw_connection = engine.raw_connection()
    try:
        assert isinstance(raw_connection.driver_connection, ConnectionWrapper)
    finally:
        raw_connection.close()


def test_the_class_name_cache_gives_gx_its_own_expectation_types():
    import great_expectations.expectations.expectation as gx_expectation_module
    from great_expectations.util import camel_to_snake

    install_class_name_cache()
    install_class_name_cache()  # idempotent: one cache, not a cache of a cache
    cached = gx_expectation_module.camel_to_snake
    assert cached.__wrapped__ is camel_to_snake
    for name in ("ExpectColumnValuesToBeInSet", "UnexpectedRowsExpectation"):
        assert cached(name) == camel_to_snake(name)
    assert cached("ExpectColumnValuesToNotBeNull") == "expect_column_values_to_not_be_null"

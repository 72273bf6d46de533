"""The seam models read through: marts built explicitly, checked against their contracts,
and loaded as plain frames with their provenance, now or as of an earlier state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.contracts import ContractError
from pipelines.errors import InputError
from pipelines.ingest import ingest_paths
from pipelines.warehouse import marts
from pipelines.warehouse.marts import (
    build_marts,
    latest_build,
    load_mart,
    load_panel_scores,
    load_portfolio_quarters,
    load_student_terms,
    load_team_terms,
    mart_contracts,
    mart_names,
)
from pipelines.warehouse.marts.build import check_mart
from pipelines.warehouse.marts.definitions import mart_query

DISTRICT = Path(__file__).resolve().parents[2] / "fixtures" / "district"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """The fixture district ingested and its marts built; read-only for the tests."""
    path = tmp_path_factory.mktemp("marts") / "outcomes.duckdb"
    batches = ingest_paths([DISTRICT], db=path)
    with duckdb.connect(str(path)) as con:
        build_marts(con)
    con = duckdb.connect(str(path), read_only=True)
    yield con, path, batches
    con.close()


@pytest.fixture
def fresh_warehouse(tmp_path):
    """The fixture district ingested, marts not built yet; writable."""
    path = tmp_path / "outcomes.duckdb"
    batches = ingest_paths([DISTRICT], db=path)
    with duckdb.connect(str(path)) as con:
        yield con, batches


def test_every_mart_has_a_query_a_contract_and_a_loader():
    loaders = {name.removeprefix("load_") for name in marts.__all__ if name.startswith("load_")}
    assert set(mart_names()) == set(mart_contracts()) == loaders - {"mart"}


def test_marts_are_built_after_the_marts_they_read():
    order = mart_names()
    assert order.index("student_terms") < order.index("student_years")
    assert order.index("survey_pairs") < order.index("student_years")


def test_a_loaded_mart_is_a_plain_frame_of_every_row(warehouse):
    con, _, _ = warehouse
    loaded = load_student_terms(con)
    held = con.execute("SELECT count(*) FROM mart.student_terms").fetchone()[0]
    assert isinstance(loaded.frame, pd.DataFrame)
    assert (loaded.name, len(loaded.frame)) == ("student_terms", held)
    assert held > 0


def test_a_loaded_mart_says_which_warehouse_state_it_reflects(warehouse):
    con, path, batches = warehouse
    loaded = load_panel_scores(con)
    assert loaded.warehouse == str(path)
    assert loaded.last_batch_id == max(batch.batch_id for batch in batches)
    assert loaded.contract_versions == {batch.kind: batch.contract_version for batch in batches}
    assert (loaded.build_id, loaded.mart_version) == (1, 1)
    assert loaded.parameters["portfolio_standard"] == 7.0


def test_reading_a_mart_twice_gives_the_same_rows_in_the_same_order(warehouse):
    con, _, _ = warehouse
    first, second = load_team_terms(con).frame, load_team_terms(con).frame
    pd.testing.assert_frame_equal(first, second)


def test_an_unknown_mart_is_refused_naming_the_marts():
    with duckdb.connect() as con, pytest.raises(ValueError, match="no mart 'students'"):
        load_mart(con, "students")


def test_ingesting_a_batch_does_not_build_the_marts(fresh_warehouse):
    con, _ = fresh_warehouse
    tables = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'mart'")
    assert tables.fetchone()[0] == 0
    assert latest_build(con) is None


def test_a_build_stores_every_mart_and_records_itself(fresh_warehouse):
    con, batches = fresh_warehouse
    built = build_marts(con)
    stored = latest_build(con)
    assert (built.build_id, built.as_of_batch_id) == (1, max(b.batch_id for b in batches))
    assert stored["row_counts"] == built.row_counts and set(built.row_counts) == set(mart_names())
    for name, rows in built.row_counts.items():
        assert con.execute(f"SELECT count(*) FROM mart.{name}").fetchone()[0] == rows


def test_a_mart_read_before_any_build_is_built_for_the_read(fresh_warehouse):
    con, _ = fresh_warehouse
    loaded = load_student_terms(con)
    assert loaded.build_id is None and len(loaded.frame) == 4
    assert latest_build(con) is None


def test_a_mart_as_of_an_earlier_batch_shows_the_rows_loaded_by_then(fresh_warehouse):
    con, batches = fresh_warehouse
    build_marts(con)
    memberships = next(b.batch_id for b in batches if b.kind == "team_memberships")
    before = load_student_terms(con, as_of=memberships - 1)
    after = load_student_terms(con, as_of=memberships)
    assert (len(before.frame), len(after.frame)) == (0, 4)
    assert before.last_batch_id == memberships - 1 and before.build_id is None
    assert "team_memberships" not in before.contract_versions


def test_a_date_names_the_last_batch_loaded_by_the_end_of_that_day(fresh_warehouse):
    con, batches = fresh_warehouse
    today = load_team_terms(con, as_of=dt.date.today())
    assert today.last_batch_id == max(b.batch_id for b in batches)
    with pytest.raises(InputError, match="no batch had been loaded by the end of 2020-01-01"):
        load_team_terms(con, as_of="2020-01-01")


def test_a_build_as_of_a_batch_is_stored_with_that_batch(fresh_warehouse):
    con, _ = fresh_warehouse
    built = build_marts(con, as_of=2)
    assert latest_build(con)["as_of_batch_id"] == 2 == built.as_of_batch_id


def test_a_batch_the_warehouse_does_not_hold_is_refused(fresh_warehouse):
    con, _ = fresh_warehouse
    with pytest.raises(InputError, match="there is no batch 99; the warehouse holds batches 1 to"):
        build_marts(con, as_of=99)
    with pytest.raises(InputError, match="neither a batch id nor a date"):
        build_marts(con, as_of="last spring")


def test_the_portfolio_standard_is_a_parameter_not_a_literal(warehouse):
    con, _, _ = warehouse
    assert "7.0" not in mart_query("portfolio_quarters")
    usual = load_portfolio_quarters(con).frame
    stricter = load_portfolio_quarters(con, portfolio_standard=8.0).frame
    assert set(usual.portfolio_standard) == {7.0} and set(stricter.portfolio_standard) == {8.0}
    assert stricter.meets_standard.sum() < usual.meets_standard.sum()


def test_an_unknown_parameter_is_refused_naming_the_parameters(fresh_warehouse):
    con, _ = fresh_warehouse
    with pytest.raises(
        InputError, match="no mart takes a parameter 'standard'.*portfolio_standard"
    ):
        build_marts(con, parameters={"standard": "7"})
    with pytest.raises(InputError, match="portfolio_standard=high is not a double"):
        build_marts(con, parameters={"portfolio_standard": "high"})


def test_a_failed_build_leaves_the_stored_marts_as_they_were(fresh_warehouse):
    con, _ = fresh_warehouse
    build_marts(con)
    with pytest.raises(InputError):
        build_marts(con, parameters={"portfolio_standard": "high"})
    assert latest_build(con)["build_id"] == 1


def test_a_mart_that_breaks_its_grain_is_refused():
    contract = mart_contracts()["team_terms"]
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA mart")
        columns = ", ".join(f"{c.name} {c.sql_type}" for c in contract.columns)
        con.execute(f"CREATE TABLE mart.team_terms ({columns})")
        row = ["d", "T1", 2025, "fall", None, None, None, None, 10, 5, 2, 1, 0, "2024-09-01"]
        con.executemany(f"INSERT INTO mart.team_terms VALUES ({', '.join('?' * 14)})", [row, row])
        with pytest.raises(ContractError, match="1 values of its key .* occur more than once"):
            check_mart(con, "memory.mart.team_terms", contract)


def test_a_students_covariates_are_those_of_the_roster_of_that_school_year(tmp_path):
    # The year before, the same students had other GPAs: the 2025 terms must not see them,
    # nor the other way round (a later roster must not rewrite an earlier year).
    path = tmp_path / "outcomes.duckdb"
    roster = (DISTRICT / "students.csv").read_text(encoding="utf-8")
    earlier = tmp_path / "students_2023-24.csv"
    earlier.write_text(
        roster.replace(",3.40,", ",1.10,").replace(",2.90,", ",1.20,").replace(",2025", ",2024"),
        encoding="utf-8",
    )
    ingest_paths([DISTRICT, earlier], db=path)
    with duckdb.connect(str(path)) as con:
        build_marts(con)
        term_gpas = {
            gpa for (gpa,) in con.execute("SELECT prior_gpa FROM mart.student_terms").fetchall()
        }
        rosters = con.execute(
            "SELECT school_year, count(*) FROM core.students GROUP BY ALL ORDER BY 1"
        ).fetchall()
    assert {3.4, 2.9} <= term_gpas and not {1.1, 1.2} & term_gpas
    assert [year for year, _ in rosters] == [2024, 2025] and rosters[0][1] == rosters[1][1]


@pytest.mark.parametrize("name", mart_names())
def test_each_mart_of_the_synthetic_district_keeps_its_contract(synthetic_warehouse, name):
    # The build checks this too; here it is shown mart by mart on a whole district.
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        check_mart(con, f"synthetic.mart.{name}", mart_contracts()[name])
        rows = con.execute(f"SELECT count(*) FROM mart.{name}").fetchone()[0]
    assert rows > 0

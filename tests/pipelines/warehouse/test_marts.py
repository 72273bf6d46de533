"""The seam models read through: marts loaded as plain frames with their provenance."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.ingest import ingest_paths
from pipelines.warehouse.marts import (
    load_mart,
    load_panel_scores,
    load_portfolio_quarters,
    load_student_terms,
    load_team_terms,
    mart_names,
)

DISTRICT = Path(__file__).resolve().parents[2] / "fixtures" / "district"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("marts") / "outcomes.duckdb"
    batches = ingest_paths([DISTRICT], db=path)
    con = duckdb.connect(str(path), read_only=True)
    yield con, path, batches
    con.close()


def test_every_mart_has_its_own_loader():
    loaders = {load_student_terms, load_team_terms, load_panel_scores, load_portfolio_quarters}
    assert {loader.__name__.removeprefix("load_") for loader in loaders} == set(mart_names())


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


def test_reading_a_mart_twice_gives_the_same_rows_in_the_same_order(warehouse):
    con, _, _ = warehouse
    first, second = load_team_terms(con).frame, load_team_terms(con).frame
    pd.testing.assert_frame_equal(first, second)


def test_an_unknown_mart_is_refused_naming_the_marts():
    with duckdb.connect() as con, pytest.raises(ValueError, match="no mart 'students'"):
        load_mart(con, "students")


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
    with duckdb.connect(str(path), read_only=True) as con:
        term_gpas = {
            gpa for (gpa,) in con.execute("SELECT prior_gpa FROM mart.student_terms").fetchall()
        }
        rosters = con.execute(
            "SELECT school_year, count(*) FROM core.students GROUP BY ALL ORDER BY 1"
        ).fetchall()
    assert {3.4, 2.9} <= term_gpas and not {1.1, 1.2} & term_gpas
    assert [year for year, _ in rosters] == [2024, 2025] and rosters[0][1] == rosters[1][1]

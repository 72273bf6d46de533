"""Catalog metrics on the synthetic district: the published number is the mart's, cut and
suppressed as the catalog says, and `outcomes metrics` refuses a wrong name in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipelines.cli import main
from reports.metric_values import metric_values


@pytest.fixture(scope="module")
def con(synthetic_warehouse):
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as connection:
        yield connection


def test_students_in_teams_is_the_marts_count_of_distinct_members(con):
    values = metric_values(con, "students_in_teams")
    expected = con.execute(
        "SELECT school_year, count(DISTINCT student_unique_id) FROM mart.student_years "
        "WHERE is_member GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert [(int(r.school_year), int(r.value)) for r in values.frame.itertuples()] == expected


def test_a_share_is_its_numerator_over_its_n(con):
    frame = metric_values(con, "certificate_rate").frame.dropna(subset=["value"])
    assert (frame["value"] == frame["numerator"] / frame["n"]).all()


def test_a_cut_adds_the_dimension_and_never_publishes_a_small_count(con):
    frame = metric_values(con, "students_in_teams", by="gender").frame
    assert list(frame.columns[:2]) == ["school_year", "gender"]
    published = frame[~frame["suppressed"]]
    # A cell of no one has no one to protect; every other published cell has 11 or more.
    assert ((published["n"] >= 11) | (published["n"] == 0)).all()


def test_a_cut_by_program_month_runs_in_month_order(con):
    frame = metric_values(con, "roadmap_champions_trained", by="program_month").frame
    for _, year in frame.groupby("school_year"):
        months = year["program_month"].astype(int).tolist()
        assert months == sorted(months)


def test_the_sentence_cites_definition_source_and_batch(con):
    sentence = metric_values(con, "students_in_teams").sentence()
    assert sentence.startswith("Students in AI Studio Teams, school year ")
    assert "Source: mart.student_years, as of batch " in sentence
    assert sentence.endswith("counts below 11 suppressed.")


@pytest.fixture
def warehouse_copy(synthetic_warehouse, tmp_path) -> Path:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(synthetic_warehouse.db, copy)
    return copy


def test_an_unknown_metric_gets_one_line_with_the_closest_exit_2(warehouse_copy):
    result = CliRunner().invoke(
        main, ["metrics", "get", "studnets_in_teams", "--db", str(warehouse_copy)]
    )
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: studnets_in_teams: no metric 'studnets_in_teams' (closest: students_in_teams, "
        "roadmap_students_in_teams, studio_teams); `outcomes metrics list` names them all"
    )


def test_an_unknown_dimension_lists_the_allowed_ones_exit_2(warehouse_copy):
    result = CliRunner().invoke(
        main, ["metrics", "get", "students_in_teams", "--by", "gendr", "--db", str(warehouse_copy)]
    )
    assert result.exit_code == 2
    assert "cannot be cut by 'gendr' (closest: gender); it can be cut by school, gender" in (
        result.output
    )


def test_a_claim_without_a_stored_scorecard_says_which_command_to_run(warehouse_copy):
    result = CliRunner().invoke(
        main,
        ["metrics", "get", "claim.female_retention_girls_only", "--db", str(warehouse_copy)],
    )
    assert result.exit_code == 2
    assert "no scorecard is stored; run `outcomes claims` first" in result.output


def test_a_workbook_export_is_safe_to_open(warehouse_copy, tmp_path):
    out = tmp_path / "members.xlsx"
    result = CliRunner().invoke(
        main,
        ["metrics", "get", "students_in_teams", "--by", "grade", "--format", "xlsx", "--out",
         str(out), "--db", str(warehouse_copy)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["metric", "school_year", "grade", "value"]
    texts = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)


def test_xlsx_needs_a_file(warehouse_copy):
    result = CliRunner().invoke(
        main,
        ["metrics", "get", "students_in_teams", "--format", "xlsx", "--db", str(warehouse_copy)],
    )
    assert result.exit_code == 2
    assert "a workbook cannot go to the screen; add --out FILE" in result.output


def test_a_reader_reads_each_mart_once_and_publishes_what_metric_values_does(con, monkeypatch):
    import reports.metric_values as module

    loads = []
    real_load_mart = module.load_mart
    monkeypatch.setattr(
        module,
        "load_mart",
        lambda con, name, **kw: loads.append(name) or real_load_mart(con, name, **kw),
    )
    read = module.metric_reader(con)
    by_gender = read("students_in_teams", by="gender")
    read("participation_rate", by="grade")
    assert loads == ["student_years"]
    monkeypatch.undo()
    expected = metric_values(con, "students_in_teams", by="gender").frame
    pd.testing.assert_frame_equal(by_gender.frame, expected)


def test_a_reader_reads_the_stored_scorecard_once_for_all_its_claims(
    synthetic_warehouse, scored_copy, tmp_path, monkeypatch
):
    import reports.metric_values as module

    claim_ids = ["milestone_champions_month_3", "milestone_students_month_6"]
    db = scored_copy(synthetic_warehouse.db, tmp_path, claim_ids)
    reads = []
    real_read = module.read_claim_estimates
    monkeypatch.setattr(
        module, "read_claim_estimates", lambda con: reads.append(1) or real_read(con)
    )
    with duckdb.connect(str(db), read_only=True) as con:
        read = module.metric_reader(con)
        first, second = (read(f"claim.{claim_id}") for claim_id in claim_ids)
    assert len(reads) == 1
    assert [first.metric.claim_id, second.metric.claim_id] == claim_ids


def test_a_running_count_uncut_is_its_school_years_latest_month(con):
    latest = con.execute(
        "SELECT school_year, max(value) FROM mart.program_milestones "
        "WHERE metric = 'teachers_trained' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    frame = metric_values(con, "roadmap_teachers_trained").frame
    assert [(int(r.school_year), r.shown) for r in frame.itertuples()] == [
        (year, f"{int(value):,}" if value >= 11 or value == 0 else "suppressed")
        for year, value in latest
    ]


def test_a_claim_resting_on_fewer_cases_than_the_threshold_publishes_no_number(
    synthetic_warehouse, scored_copy, tmp_path
):
    db = scored_copy(synthetic_warehouse.db, tmp_path, ["milestone_champions_month_3"])
    with duckdb.connect(str(db)) as con:
        con.execute(
            "UPDATE results.claim_estimates SET n = 7, estimate = 0.987654 "
            "WHERE claim_id = 'milestone_champions_month_3'"
        )
        values = metric_values(con, "claim.milestone_champions_month_3")
    sentence = values.sentence()
    assert "fewer than 11 cases, too few to publish a number" in sentence
    assert "0.988" not in sentence and "n = 7" not in sentence
    assert pd.isna(values.frame["estimate"].iloc[0])

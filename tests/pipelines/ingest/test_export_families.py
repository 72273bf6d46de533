"""Each family of export a district data coordinator sends loads as its kind, or is refused
with the right one line (exit code 2, nothing loaded). Files: tests/fixtures/exports/ and
tests/fixtures/surveys/ (synthetic content, real layouts)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipelines.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EXPORTS = FIXTURES / "exports"
SURVEYS = FIXTURES / "surveys"

#: file, extra options -> (kind, rows accepted) loaded
LOADS = {
    # A roster export holds one school year and does not say which: --set gives it.
    "PowerSchool student export": (
        EXPORTS / "powerschool_students.csv",
        ("--set", "school_year=2025"),
        ("students", 3),
    ),
    "xlsx class roster below a title block": (
        EXPORTS / "class_roster.xlsx",
        ("--set", "school_year=2025"),
        ("students", 2),
    ),
    "Qualtrics, current layout": (
        SURVEYS / "qualtrics_codes.csv",
        ("--item-map", SURVEYS / "student_ai_pre.item_map.yaml"),
        ("survey_responses", 13),
    ),
    "Qualtrics, choice text in Spanish": (
        SURVEYS / "qualtrics_text.csv",
        ("--item-map", SURVEYS / "student_ai_pre.item_map.yaml"),
        ("survey_responses", 13),
    ),
    "Google Forms, Sheets download": (
        SURVEYS / "teacher_ai_pre_sheets.csv",
        ("--item-map", SURVEYS / "teacher_ai_pre_full.item_map.yaml"),
        ("survey_responses", None),
    ),
    "Google Forms, direct download": (
        SURVEYS / "teacher_ai_pre_direct.csv",
        ("--item-map", SURVEYS / "teacher_ai_pre_full.item_map.yaml"),
        ("survey_responses", None),
    ),
    "Qualtrics, legacy layout": (
        SURVEYS / "qualtrics_legacy_2016.csv",
        ("--item-map", SURVEYS / "qualtrics_legacy_2016.item_map.yaml"),
        ("survey_responses", None),
    ),
    "Google Forms, direct download in Spanish": (
        EXPORTS / "google_forms_spanish.csv",
        (),
        ("survey_responses", 3),
    ),
    "SurveyMonkey, expanded": (SURVEYS / "surveymonkey_expanded.csv", (), ("survey_responses", 13)),
}
#: file, extra options -> the start of the one line it is refused with
REFUSED = {
    "School Data Sync student file (no sex column)": (
        EXPORTS / "sds_student.csv",
        ("--kind", "students", "--set", "school_year=2025"),
        "sds_student.csv: column sex: required column sex is missing for kind students",
    ),
    "School Data Sync student file, kind inferred": (
        EXPORTS / "sds_student.csv",
        ("--set", "school_year=2025"),
        "sds_student.csv: its header matches no source kind (sis_id, school_sis_id, username, "
        "password, first_name, last_name); closest is students, which also needs sex",
    ),
    "NWEA MAP assessment results": (
        EXPORTS / "nwea_map_assessment_results.csv",
        (),
        "nwea_map_assessment_results.csv: its header matches no source kind",
    ),
    "DIBELS 8 benchmark scores": (
        EXPORTS / "dibels8_benchmark.csv",
        (),
        "dibels8_benchmark.csv: its header matches no source kind",
    ),
    "ACT student scores": (
        EXPORTS / "act_student_scores.csv",
        (),
        "act_student_scores.csv: its header matches no source kind",
    ),
}


def ingest(warehouse_path, path: Path, options) -> object:
    arguments = ["ingest", "--db", str(warehouse_path), str(path), *map(str, options)]
    return CliRunner().invoke(main, arguments, catch_exceptions=False)


@pytest.mark.parametrize("family", sorted(LOADS))
def test_an_export_family_loads_as_its_kind(warehouse_path, family):
    path, options, (kind, accepted) = LOADS[family]
    result = ingest(warehouse_path, path, options)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        loaded = con.execute(
            "SELECT kind, sum(rows_accepted), sum(rows_quarantined) FROM audit.batches "
            "WHERE kind = ? GROUP BY kind",
            [kind],
        ).fetchone()
    assert loaded[0] == kind
    if accepted is not None:
        assert loaded[1:] == (accepted, 0)


@pytest.mark.parametrize("family", sorted(REFUSED))
def test_an_export_family_outside_the_contracts_is_refused_with_one_line(warehouse_path, family):
    path, options, line = REFUSED[family]
    result = ingest(warehouse_path, path, options)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {line}")
    assert len(result.output.strip().splitlines()) == 1
    assert not warehouse_path.exists()


def test_a_roster_without_its_year_is_refused_with_the_option_that_gives_it(warehouse_path):
    result = ingest(warehouse_path, EXPORTS / "powerschool_students.csv", ())
    assert result.exit_code == 2
    assert result.output.startswith("error: powerschool_students.csv: its header matches no")
    assert (
        "closest is students, which also needs school_year; if the export holds one school "
        "year, give it with --set school_year=YEAR"
    ) in result.output
    assert not warehouse_path.exists()


def test_a_roster_loaded_with_its_year_keeps_the_year_and_says_it_was_set(warehouse_path):
    result = ingest(
        warehouse_path, EXPORTS / "powerschool_students.csv", ("--set", "school_year=2025")
    )
    assert "school_year set to 2025 for every row (--set)" in result.output
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        years = con.execute(
            "SELECT DISTINCT school_year, _school_year FROM core.students"
        ).fetchall()
    assert years == [(2025, 2025)]


def test_two_years_of_a_roster_are_two_rows_per_student_not_a_correction(warehouse_path):
    path = EXPORTS / "powerschool_students.csv"
    ingest(warehouse_path, path, ("--set", "school_year=2025"))
    # The same export a year later: same students, a new year, nothing superseded.
    later = warehouse_path.parent / "powerschool_students_next_year.csv"
    later.write_bytes(path.read_bytes())
    result = ingest(warehouse_path, later, ("--set", "school_year=2026"))
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        per_year = con.execute(
            "SELECT school_year, count(*) FROM core.students GROUP BY ALL ORDER BY 1"
        ).fetchall()
        superseded = con.execute(
            "SELECT count(*) FROM core.students_history WHERE _superseded_by IS NOT NULL"
        ).fetchone()[0]
    assert per_year == [(2025, 3), (2026, 3)]
    assert superseded == 0


@pytest.mark.parametrize(
    ("option", "line"),
    [
        ("school_year", "error: --set: 'school_year' is not contract_column=value"),
        ("term_year=2025", "error: --set: term_year is a column no contract has"),
        (
            "student_unique_id=0888",
            "error: --set: student_unique_id identifies a person, so one value for every row "
            "cannot be right",
        ),
    ],
)
def test_a_set_option_that_cannot_be_right_is_refused_before_any_file(warehouse_path, option, line):
    result = ingest(warehouse_path, EXPORTS / "powerschool_students.csv", ("--set", option))
    assert result.exit_code == 2
    assert result.output.startswith(line)
    assert not warehouse_path.exists()


def test_a_file_with_its_own_year_keeps_it_when_a_folder_is_loaded_with_set(warehouse_path):
    district = FIXTURES / "district"
    result = ingest(warehouse_path, district, ("--set", "school_year=2030"))
    assert result.exit_code == 0, result.output
    assert "read from the file's own column" in result.output
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        years = con.execute("SELECT DISTINCT school_year FROM core.students").fetchall()
    assert years == [(2025,)]

"""How the headers and codes of real student information system exports meet the contracts:
matched whatever their case or punctuation, common code spellings read, a district's own
headers renamed, and a clear line with the nearest header when nothing fits."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.contracts import header_key, load_contracts, normalize_header
from pipelines.errors import InputError
from pipelines.ingest.column_map import load_column_map, parse_renames
from pipelines.ingest.columns import infer_kind, map_columns, require_columns
from pipelines.ingest.readers import stage_file
from pipelines.ingest.typed import build_typed_table, install_macros

KEY = b"unit-test-key-0123456789"
CONTRACTS = load_contracts()
#: The student roster columns of the exports districts send (synthetic headers, real names).
ROSTER_HEADERS = {
    "PowerSchool": ["Student_Number", "SchoolID", "Grade_Level", "Gender", "DOB", "LastFirst"],
    "Infinite Campus": ["studentNumber", "schoolID", "grade", "gender", "birthDate"],
    "Aeries": ["PermID", "SchoolCode", "Grade", "Sex", "Birthdate", "LastName"],
    "Skyward": ["Student ID", "School", "Grade", "Gender", "Birth Date"],
    "School Data Sync": ["SIS ID", "School SIS ID", "Grade", "Gender", "Student Number"],
    "Ed-Fi": ["StudentUniqueId", "SchoolId", "GradeLevelDescriptor", "SexDescriptor"],
}


@pytest.mark.parametrize(
    ("header", "snake", "key"),
    [
        ("StudentID", "student_id", "studentid"),
        ("Student ID", "student_id", "studentid"),
        ("STUDENT-ID", "student_id", "studentid"),
        ("SISStudentID", "sis_student_id", "sisstudentid"),
        ("Grade_Level ", "grade_level", "gradelevel"),
    ],
)
def test_headers_compare_ignoring_case_camel_case_spaces_and_punctuation(header, snake, key):
    assert (normalize_header(header), header_key(header)) == (snake, key)


@pytest.mark.parametrize("system", sorted(ROSTER_HEADERS))
def test_a_student_information_systems_roster_header_is_recognised(system):
    headers = ROSTER_HEADERS[system]
    mapping = map_columns(CONTRACTS["students"], headers)
    assert set(mapping.matched) >= {"student_unique_id", "school_id", "grade_level", "sex"}
    # Their rosters hold one school year without naming it: --set school_year gives it.
    assert infer_kind(CONTRACTS, headers, f"{system}.csv", fixed=["school_year"]) == "students"


def test_staff_exports_name_the_employee_by_their_own_words():
    headers = ["TeacherNumber", "SchoolID", "Position", "Gender"]
    mapping = map_columns(CONTRACTS["staff"], headers)
    assert mapping.matched["staff_unique_id"] == "TeacherNumber"
    assert mapping.matched["school_id"] == "SchoolID"


def typed_codes(write_file, header: str, rows: list[str]) -> list[tuple]:
    """The typed sex, grade and race of a small roster, with the text kept beside sex."""
    path = write_file("roster.csv", header + "\n" + "\n".join(rows) + "\n")
    with duckdb.connect() as con:
        install_macros(con)
        staged = stage_file(con, path, table="staged")
        contract = CONTRACTS["students"]
        build_typed_table(con, contract, map_columns(contract, staged.columns), key=KEY)
        return con.execute(
            "SELECT sex, sex__text, grade_level, race_ethnicity FROM typed ORDER BY _row_id"
        ).fetchall()


def test_common_spellings_of_codes_are_read_as_the_contracts_codes(write_file):
    rows = typed_codes(
        write_file,
        "student_id,school,grade,sex,race",
        [
            "1,HS,KG,M,Black or African American",
            "2,HS,09,F,Two or More Races",
            "3,HS,0,X,Native Hawaiian/Other Pacific Islander",
            "4,HS,10,Non-Binary,Hispanic or Latino",
        ],
    )
    assert rows == [
        ("male", "M", "k", "african_american"),
        ("female", "F", "9", "multiracial"),
        ("nonbinary", "X", "k", "pacific_islander"),
        ("nonbinary", "Non-Binary", "10", "hispanic"),
    ]


def test_an_unknown_spelling_is_still_held_back_by_its_check(write_file):
    (row,) = typed_codes(write_file, "student_id,school,grade,sex", ["1,HS,9,Q"])
    assert row[:2] == ("q", "Q")  # not an allowed code: the in_set check will quarantine it


def test_a_rename_reads_a_districts_own_header_and_wins_over_an_alias():
    headers = ["ID", "Home Campus", "School", "Grade", "Sex"]
    mapping = map_columns(
        CONTRACTS["students"],
        headers,
        renames={"home campus": "school_id", "ID": "student_unique_id"},
    )
    assert mapping.matched["school_id"] == "Home Campus"
    assert mapping.matched["student_unique_id"] == "ID"
    assert "School" in mapping.dropped


def test_a_rename_to_another_kinds_column_is_ignored_for_this_kind():
    mapping = map_columns(
        CONTRACTS["staff"], ["Home Campus"], renames={"Home Campus": "grade_level"}
    )
    assert mapping.matched == {}


def test_a_missing_column_names_the_nearest_header_and_the_rename_that_fixes_it():
    headers = ["student_id", "school_year", "schl_id", "grade", "sex"]
    mapping = map_columns(CONTRACTS["students"], headers)
    with pytest.raises(InputError) as caught:
        require_columns(CONTRACTS["students"], mapping, "roster.csv")
    assert caught.value.line() == (
        "roster.csv: column school_id: required column school_id is missing for kind students "
        "(closest header: schl_id); if schl_id is school_id, pass --rename 'schl_id=school_id'"
    )


def test_a_header_of_no_kind_names_the_closest_kind_and_what_it_lacks():
    with pytest.raises(InputError, match="closest is students, which also needs school_id"):
        infer_kind(CONTRACTS, ["student_id", "year", "campus", "grade", "sex"], "roster.csv")


def test_renames_are_checked_against_the_contracts():
    assert parse_renames(["Home Campus=school_id"]) == {"Home Campus": "school_id"}
    with pytest.raises(InputError, match="^--rename: 'Home Campus' is not YOUR HEADER="):
        parse_renames(["Home Campus"])
    with pytest.raises(InputError, match="renamed to campus, a column no contract has"):
        parse_renames(["Home Campus=campus"])


def test_a_column_map_is_checked_when_loaded(tmp_path):
    path = tmp_path / "roster.column_map.yaml"
    path.write_text("kind: students\nrename:\n  Home Campus: school_id\n", encoding="utf-8")
    assert load_column_map(path).rename == {"Home Campus": "school_id"}
    path.write_text("kind: staff\nrename:\n  Home Campus: grade_level\n", encoding="utf-8")
    with pytest.raises(InputError, match="a column the staff contract does not have"):
        load_column_map(path)
    path.write_text("renames:\n  a: b\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown keys renames"):
        load_column_map(path)


def ingest(warehouse_path, *arguments):
    return CliRunner().invoke(
        main, ["ingest", "--db", str(warehouse_path), *map(str, arguments)], catch_exceptions=False
    )


def test_a_column_map_beside_an_export_gives_its_kind_and_renames(warehouse_path, write_file):
    export = write_file("campus_roster.csv", "ID,Year,Home Campus,Grade,Sex\n0888,2025,HS,9,F\n")
    beside = export.with_name("campus_roster.column_map.yaml")
    beside.write_text(
        "kind: students\nrename:\n  ID: student_unique_id\n  Home Campus: school_id\n",
        encoding="utf-8",
    )
    result = ingest(warehouse_path, export)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        assert con.execute("SELECT school_id, sex FROM core.students").fetchall() == [
            ("HS", "female")
        ]


def test_rename_on_the_command_line_loads_the_file(warehouse_path, write_file):
    export = write_file("roster.csv", "Pupil,Campus,Grade,Sex\n0888,HS,9,F\n")
    result = ingest(
        warehouse_path,
        export,
        "--rename",
        "Pupil=student_unique_id",
        "--rename",
        "Campus=school_id",
        "--set",
        "school_year=2025",
    )
    assert result.exit_code == 0, result.output


def test_a_broken_column_map_is_one_line_and_loads_nothing(warehouse_path, write_file, tmp_path):
    column_map = tmp_path / "map.yaml"
    column_map.write_text("rename: [not, a, mapping]\n", encoding="utf-8")
    export = write_file("roster.csv", "student_id,school,grade,sex\n1,HS,9,F\n")
    result = ingest(warehouse_path, export, "--column-map", column_map)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {column_map}: a column map is a mapping")
    assert not Path(warehouse_path).exists()

"""Typing and pseudonymizing a staged file: from text cells to contract types."""

import datetime as dt
import re

import duckdb
import pytest

from pipelines.contracts import SCHEMA_DIR, load_contract
from pipelines.contracts.rules import compile_checks
from pipelines.errors import InputError
from pipelines.ingest.columns import drop_personal_extras, map_columns, require_columns
from pipelines.ingest.pseudonymize import pseudonym
from pipelines.ingest.typed import build_typed_table, install_macros
from pipelines.ingest.validate.duplicate_keys import build_checked_view
from pipelines.sql_text import quote_literal
from pipelines.warehouse.spelling import DATE_SPELLINGS

KEY = b"unit-test-key-0123456789"


@pytest.fixture
def students():
    return load_contract(SCHEMA_DIR / "students.yaml")


@pytest.fixture
def con():
    connection = duckdb.connect()
    install_macros(connection)
    yield connection
    connection.close()


def stage(con, header, rows):
    """A staged table as the readers leave it: text columns and a spreadsheet row number."""
    columns = ", ".join(f'"{h}" VARCHAR' for h in header)
    con.execute(f"CREATE TABLE staged (_row_id BIGINT, _source_row BIGINT, {columns})")
    for number, row in enumerate(rows, start=2):
        con.execute(
            f"INSERT INTO staged VALUES ({number - 2}, {number}{', ?' * len(row)})", list(row)
        )


def test_headers_map_through_aliases(students):
    headers = ["Student Number", "School Year", "School", "Grade", "Gender", "Email"]
    mapping = map_columns(students, headers)
    assert mapping.matched == {
        "student_unique_id": "Student Number",
        "school_year": "School Year",
        "school_id": "School",
        "grade_level": "Grade",
        "sex": "Gender",
    }
    assert mapping.dropped == ("Email",)
    assert mapping.missing_required == ()


def test_a_column_the_contract_does_not_know_is_not_stored_unless_kept(students):
    columns = ["student_id", "school", "grade", "sex", "Parent Phone", "Bus"]
    mapping = map_columns(students, columns)
    assert (mapping.extra, mapping.dropped, mapping.keepable) == (
        (),
        ("Parent Phone", "Bus"),
        ("Bus",),
    )
    kept = map_columns(students, columns, keep_extra=["bus"])
    assert (kept.extra, kept.dropped, kept.pseudonymized_extra) == (("Bus",), ("Parent Phone",), ())


def test_a_kept_column_whose_header_names_an_id_is_pseudonymized(students):
    columns = ["SIS ID", "school", "grade", "sex", "Student Number", "Locker No"]
    mapping = map_columns(students, columns, keep_extra=["Locker No"])
    assert mapping.matched["student_unique_id"] == "SIS ID"
    assert mapping.extra == ("Locker No",)
    assert mapping.pseudonymized_extra == ("Locker No",)
    assert "Student Number" in mapping.dropped


@pytest.mark.parametrize("header", ["Password", "Username", "Parent Name", "Home Phone"])
def test_personal_data_and_secrets_are_never_kept(students, header):
    with pytest.raises(InputError) as caught:
        map_columns(students, ["student_id", "school", "grade", "sex", header], keep_extra=[header])
    assert caught.value.line() == (
        f"--keep-extra: column {header}: {header} looks like personal data or a secret, which "
        f"is never stored; take {header} out of --keep-extra"
    )


def test_extra_column_holding_email_addresses_is_dropped(students, con):
    stage(
        con,
        ["student_id", "school", "grade", "sex", "contact2"],
        [["1", "A", "9", "F", "kid@example.org"]],
    )
    columns = ["student_id", "school", "grade", "sex", "contact2"]
    mapping = drop_personal_extras(
        con, "staged", map_columns(students, columns, keep_extra=["contact2"])
    )
    assert "contact2" in mapping.dropped
    assert mapping.extra == ()


def test_missing_required_column_names_it(students):
    mapping = map_columns(students, ["student_id", "school_year", "school", "grade"])
    with pytest.raises(InputError) as caught:
        require_columns(students, mapping, "roster.csv")
    assert caught.value.column == "sex"
    assert "roster.csv" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_typed_table_parses_dates_codes_booleans_and_pseudonymizes(students, con):
    header = ["Student ID", "Last, First", "school", "grade", "gender", "dob", "ell", "gpa"]
    stage(
        con,
        header,
        [
            ["0888", "Doe, Jane", "ESHS", "09", "Female", "03/07/2009", "Y", "3.5"],
            ["F08000002", "Roe, Sam", "ESHS", "12", "male", "45000", "no", "2.75"],
        ],
    )
    build_typed_table(con, students, map_columns(students, header), key=KEY)
    rows = con.execute(
        "SELECT student_unique_id, grade_level, sex, birth_date::VARCHAR, english_learner, "
        "prior_gpa FROM typed ORDER BY _source_row"
    ).fetchall()
    assert rows == [
        (pseudonym(KEY, "0888"), "9", "female", "2009-03-07", True, 3.5),
        (pseudonym(KEY, "F08000002"), "12", "male", "2023-03-15", False, 2.75),
    ]
    columns = [r[0] for r in con.execute("DESCRIBE typed").fetchall()]
    assert "last_surname" not in columns and "first_name" not in columns


def test_checks_route_out_of_range_and_uncastable_values(students, con):
    header = ["student_id", "year", "school", "grade", "sex", "gpa", "dob"]
    stage(
        con,
        header,
        [
            ["1", "2025", "A", "9", "female", "6.5", "2009-01-01"],
            ["2", "2025", "A", "9", "female", "3.0", "not a date"],
            ["3", "2025", "A", "14", "female", "3.0", "2009-01-01"],
        ],
    )
    build_typed_table(con, students, map_columns(students, header), key=KEY)
    build_checked_view(con, students)
    failing = {
        check.check_id: con.execute(
            f"SELECT list(_source_row ORDER BY _source_row) FROM checked WHERE {check.failing_sql}"
        ).fetchone()[0]
        for check in compile_checks(students)
    }
    assert failing["prior_gpa:between"] == [2]
    assert failing["birth_date:castable"] == [3]
    assert failing["grade_level:in_set"] == [4]
    assert failing["student_unique_id+school_year:unique"] is None  # list() of no rows


def test_exact_duplicate_keeps_first_copy_and_conflict_holds_both(students, con):
    header = ["student_id", "year", "school", "grade", "sex"]
    stage(
        con,
        header,
        [
            ["1", "2025", "A", "9", "female"],
            ["1", "2025", "A", "9", "female"],
            ["2", "2025", "A", "9", "female"],
            ["2", "2025", "B", "10", "male"],
        ],
    )
    build_typed_table(con, students, map_columns(students, header), key=KEY)
    build_checked_view(con, students)
    unique = next(c for c in compile_checks(students) if c.rule == "unique")
    failing = con.execute(
        f"SELECT _source_row, {unique.reason_sql} FROM checked WHERE {unique.failing_sql} "
        "ORDER BY _source_row"
    ).fetchall()
    assert failing == [
        (3, "duplicate of row 2; the first copy was kept"),
        (
            4,
            "primary key (student_unique_id, school_year) appears on 2 rows with different values; "
            "keep one row per key",
        ),
        (
            5,
            "primary key (student_unique_id, school_year) appears on 2 rows with different values; "
            "keep one row per key",
        ),
    ]


@pytest.mark.parametrize("spelling", DATE_SPELLINGS, ids=lambda s: s.format)
def test_a_date_spelling_recognises_what_its_format_writes(spelling):
    written = dt.date(2024, 9, 2).strftime(spelling.format)
    assert re.fullmatch(spelling.pattern, written)
    with duckdb.connect() as con:
        guard = spelling.four_digit_year.format(text=quote_literal(written))
        assert con.execute(f"SELECT {guard}").fetchone() == (True,)


def test_a_two_digit_year_takes_no_fast_path():
    two_digits = next(s for s in DATE_SPELLINGS if s.format == "%m/%d/%Y")
    with duckdb.connect() as con:
        guard = two_digits.four_digit_year.format(text="'01/05/24'")
        assert con.execute(f"SELECT {guard}").fetchone() == (False,)

"""The text parsers every export passes through (pipelines/ingest/typing_macros.sql)."""

import datetime as dt

import duckdb
import pytest

from pipelines.ingest.typed import install_macros


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    install_macros(connection)
    return connection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-05", dt.date(2024, 1, 5)),
        ("1/5/2024", dt.date(2024, 1, 5)),
        ("01/05/24", dt.date(2024, 1, 5)),  # two-digit year: not year 24
        ("2024/1/5", dt.date(2024, 1, 5)),
        ("2024-01-05 10:30:00", dt.date(2024, 1, 5)),
        ("45000", dt.date(2023, 3, 15)),  # Excel serial day
        ("13/45/2024", None),
        ("05/2024", None),  # month and year only: not a date
        ("soon", None),
    ],
)
def test_parse_date(con, text, expected):
    assert con.execute("SELECT parse_date(?)", [text]).fetchone()[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,200", 1200), ("12.0", 12), ("12.5", None), ("-3", -3), ("0x10", None)],
)
def test_parse_integer_never_rounds(con, text, expected):
    assert con.execute("SELECT parse_integer(?)", [text]).fetchone()[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Yes", True), ("N", False), ("1", True), ("FALSE", False), ("maybe", None)],
)
def test_parse_boolean(con, text, expected):
    assert con.execute("SELECT parse_boolean(?)", [text]).fetchone()[0] is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Girls Only", "girls_only"), ("girls-only", "girls_only"), ("09", "9"), ("Q1", "q1")],
)
def test_normalize_code(con, text, expected):
    assert con.execute("SELECT normalize_code(?)", [text]).fetchone()[0] == expected

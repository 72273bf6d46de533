import csv

import duckdb

from pipelines.safe_export import escape_cell, escaped_sql, write_safe_csv


def test_formula_cells_get_a_leading_apostrophe():
    assert escape_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert escape_cell("+1+1") == "'+1+1"
    assert escape_cell("@SUM(A1)") == "'@SUM(A1)"
    assert escape_cell("-2+3") == "'-2+3"


def test_numbers_and_plain_text_are_left_alone():
    assert escape_cell("-3") == "-3"
    assert escape_cell("+4.5") == "+4.5"
    assert escape_cell("girls_only") == "girls_only"
    assert escape_cell(7) == 7
    assert escape_cell(None) is None


def test_written_csv_is_escaped(tmp_path):
    path = tmp_path / "out.csv"
    write_safe_csv(path, ["brief"], [["=cmd|' /C calc'!A0"], ["ok"]])
    rows = list(csv.reader(path.open()))
    assert rows == [["brief"], ["'=cmd|' /C calc'!A0"], ["ok"]]


def test_missing_values_become_empty_cells(tmp_path):
    import pandas as pd

    from pipelines.safe_export import write_safe_frame

    path = tmp_path / "out.csv"
    write_safe_frame(path, pd.DataFrame({"a": [1.5, None], "b": ["x", pd.NA]}))
    assert path.read_text().splitlines() == ["a,b", "1.5,x", ","]


def test_the_sql_escape_agrees_with_escape_cell():
    cells = ["=1+1", "+1+1", "@SUM(A1)", "-2+3", "-3", "+4.5", "girls_only", "\tx", "\rx", ""]
    with duckdb.connect() as con:
        escaped = [
            con.execute(
                f"SELECT {escaped_sql('c')} FROM (SELECT ?::VARCHAR AS c)", [cell]
            ).fetchone()[0]
            for cell in cells
        ]
    assert escaped == [escape_cell(cell) for cell in cells]

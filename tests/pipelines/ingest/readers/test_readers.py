"""Reading district export files into a staging table: formats, encodings, row numbers."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.errors import InputError
from pipelines.ingest.readers import sniff_header, stage_file
from pipelines.ingest.readers import text as encodings

FILES = Path(__file__).resolve().parents[3] / "fixtures" / "files"

# tests/fixtures/files/roster.csv as staged: (_source_row, student_id, name, school, grade,
# minutes). Identifiers and grades keep their leading zeros.
ROSTER = [
    (2, "0888", "Renée Doe", "ESHS", "09", "90"),
    (3, "F08000002", "José Ruiz", "ESHS", "10", "85"),
    (4, "0890", "Ann Lee", "ESHS", "11", "0"),
]
ROSTER_COLUMNS = ("student_id", "name", "school", "grade", "minutes")
SCAN = {"newline": "\n", "delimiter": ",", "data_start": 0, "name": "a.csv"}
BOMS = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def rows(con, table="staged"):
    """The staged rows in file order, without ``_row_id``."""
    return con.execute(f"SELECT * EXCLUDE (_row_id) FROM {table} ORDER BY _row_id").fetchall()


def roster_text() -> str:
    return (FILES / "roster.csv").read_text(encoding="utf-8")


def input_error(con, path, **options) -> str:
    with pytest.raises(InputError) as caught:
        stage_file(con, path, table="staged", **options)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{Path(path).name}: ")
    return message


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (lambda text: text.encode("utf-8"), "utf-8"),
        (lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8-sig"),
        (lambda text: text.encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1252"],
)
def test_utf8_bom_and_cp1252_files_stage_the_same_values(con, write_file, encoded, encoding):
    path = write_file("roster.csv", encoded(roster_text()))
    staged = stage_file(con, path, table="staged")
    assert staged.encoding == encoding
    assert staged.columns == ROSTER_COLUMNS
    assert rows(con) == ROSTER


def test_cp1252_file_is_transcoded_in_a_private_copy_that_is_removed(
    con, write_file, tmp_path, monkeypatch
):
    import tempfile

    from pipelines.ingest.readers import csv_file as readers_csv

    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    copies = []

    def transcode(source, target, *, encoding, name):
        copies.append(target)
        return encodings.transcode_to_utf8(source, target, encoding=encoding, name=name)

    monkeypatch.setattr(readers_csv, "transcode_to_utf8", transcode)
    stage_file(con, write_file("roster.csv", roster_text().encode("cp1252")), table="staged")
    assert len(copies) == 1 and copies[0].parent.parent == private
    assert list(private.iterdir()) == []


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_stages_the_same_values(con, write_file, codec):
    # Excel's "Unicode Text" is tab-separated UTF-16 with a byte order mark.
    text = roster_text().replace(",", "\t")
    data = text.encode(codec) if codec == "utf-16" else BOMS[codec] + text.encode(codec)
    path = write_file("roster.txt", data)
    staged = stage_file(con, path, table="staged")
    assert (staged.encoding, staged.delimiter, staged.path) == ("utf-16", "\t", path)
    assert staged.sha256 == hashlib.sha256(data).hexdigest()
    assert staged.columns == ROSTER_COLUMNS
    assert rows(con) == ROSTER
    assert sniff_header(path) == list(ROSTER_COLUMNS)


def test_utf16_text_that_is_not_valid_names_its_row(con, write_file):
    data = "a,b\n1,2\n".encode("utf-16") + b"\x00\xd8" + "3\n".encode("utf-16-le")
    assert input_error(con, write_file("broken.txt", data)) == (
        "broken.txt: row 3: row 3 is not valid UTF-16 text; open it in Excel or a text editor "
        "and save the whole file again as CSV UTF-8"
    )


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("a,b\n1,Renée\n".encode(), "utf-8"),
        ("a,b\n1,Renée\n".encode("utf-8-sig"), "utf-8-sig"),
        ("a,b\n1,Renée\n".encode("cp1252"), "cp1252"),
    ],
)
def test_a_small_file_decoded_whole_gets_the_encoding_a_scan_finds(write_file, data, encoding):
    text, decoded_as = encodings.decode_text(data, name="a.csv")
    assert decoded_as == encodings.scan_text(write_file("a.csv", data), **SCAN).encoding
    assert (text, decoded_as) == ("a,b\n1,Renée\n", encoding)


def test_a_small_file_mixing_encodings_is_refused_as_a_large_one_is():
    data = "a,b\n1,Renée\n".encode() + "2,José\n".encode("cp1252")
    with pytest.raises(InputError, match="row 3: the file mixes text encodings"):
        encodings.decode_text(data, name="a.csv")


def test_mixed_encodings_raise_naming_the_first_bad_row(con, write_file):
    good = "student_id,name\n0888,Renée Doe\n".encode()
    bad = "0889,José Ruiz\n".encode("cp1252")
    message = input_error(con, write_file("mixed.csv", good + bad))
    assert message == (
        "mixed.csv: row 3: the file mixes text encodings (this row is not UTF-8, row 2 is); "
        "open it in Excel or a text editor and save the whole file again as CSV UTF-8"
    )


def test_cp1252_byte_far_below_the_sniffed_start_is_transcoded(con, write_file):
    lines = ["student_id,name"] + [f"{i:06d},Student {i}" for i in range(8000)] + ["999999,Renée"]
    path = write_file("late.csv", ("\n".join(lines) + "\n").encode("cp1252"))
    staged = stage_file(con, path, table="staged")
    assert (staged.encoding, staged.rows_read, staged.rejected_lines) == ("cp1252", 8001, ())
    last = con.execute("SELECT * FROM staged WHERE student_id = '999999'").fetchall()
    assert last == [(8000, 8002, "999999", "Renée")]


def test_utf8_character_cut_by_a_chunk_boundary_is_still_utf8(con, write_file, monkeypatch):
    text = "student_id,name\n0888,Renée Doe\n0889,Zoë Park\n"
    for size in range(1, 12):
        monkeypatch.setattr(encodings, "CHUNK_SIZE", size)
        scan = encodings.scan_text(write_file("a.csv", text), **SCAN)
        assert scan.encoding == "utf-8", size


def test_cp1252_byte_at_a_chunk_boundary_is_found(write_file, monkeypatch):
    data = "student_id,name\n0888,Renée\n".encode("cp1252")
    for size in range(1, len(data) + 1):
        monkeypatch.setattr(encodings, "CHUNK_SIZE", size)
        scan = encodings.scan_text(write_file("a.csv", data), **SCAN)
        assert scan.encoding == "cp1252", size


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_empty_lines_are_found_across_chunk_boundaries(write_file, monkeypatch, newline):
    text = newline.join(["a,b", "1,2", "", "3,4", "", "", "5,6", "", ""])
    path = write_file("a.csv", text)
    # Empty lines start at rows 3, 5 and 6; the two at the end are trailing.
    expected = tuple(
        len(newline.join(text.split(newline)[: row - 1]) + newline) for row in (3, 5, 6)
    )
    for size in range(1, len(text) + 1):
        monkeypatch.setattr(encodings, "CHUNK_SIZE", size)
        scan = encodings.scan_text(path, **{**SCAN, "newline": newline})
        assert scan.blank_line_starts == expected, size


@pytest.mark.parametrize(
    ("text", "padded"),
    [
        ("a,b\n1,2\n3,4\n", False),
        ("a , b \n1,2\n", False),  # only the header is padded
        ("a,b\n1,2\n3, 4\n", True),
        ("a,b\n1,2\n 3,4\n", True),
        ('a,b\n1,"2 "\n', True),
        ("a,b\n1,2 ", True),  # at the very end of the file
        ("a,b\n1,two words\n", False),
    ],
)
def test_padded_values_are_found_across_chunk_boundaries(write_file, monkeypatch, text, padded):
    path = write_file("a.csv", text)
    for size in range(1, len(text) + 1):
        monkeypatch.setattr(encodings, "CHUNK_SIZE", size)
        scan = encodings.scan_text(path, **{**SCAN, "data_start": text.index("\n") + 1})
        assert scan.padded is padded, size


def test_padded_value_far_below_a_clean_start_is_trimmed(con, write_file):
    lines = ["student_id,name"] + [f"{i:06d},Student" for i in range(8000)] + ["999999,  Zoë "]
    stage_file(con, write_file("late.csv", "\n".join(lines) + "\n"), table="staged")
    last = con.execute("SELECT name FROM staged WHERE student_id = '999999'").fetchall()
    assert last == [("Zoë",)]


# --- delimiters and layout -------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", "\t", "|"], ids=["semicolon", "tab", "pipe"])
def test_other_delimiters_give_the_same_table_as_comma(con, write_file, delimiter):
    path = write_file("roster.csv", roster_text().replace(",", delimiter))
    staged = stage_file(con, path, table="staged")
    assert staged.delimiter == delimiter
    assert staged.columns == ROSTER_COLUMNS
    assert rows(con) == ROSTER


def test_semicolon_file_with_decimal_commas_is_split_on_semicolons(con, write_file):
    path = write_file("scores.csv", 'student_id;name;score\n0888;"Doe, Jane";7,5\n')
    staged = stage_file(con, path, table="staged")
    assert staged.delimiter == ";"
    assert rows(con) == [(2, "0888", "Doe, Jane", "7,5")]


def test_broken_last_line_does_not_change_the_delimiter(con):
    staged = stage_file(con, FILES / "broken_last_line.csv", table="staged")
    assert staged.delimiter == ","
    assert rows(con) == [(2, "0888", "TEAM-A", "90"), (3, "0889", "TEAM-A", "85")]
    assert staged.rejected_lines == ((4, "has 1 fields where the header has 3", "0890|TEAM"),)


def test_header_quoted_as_one_field_is_reported(con, write_file):
    path = write_file("quoted.csv", '"student_id,team_id"\n"0888,TEAM-A"\n')
    assert input_error(con, path) == (
        "quoted.csv: row 1: its header reads as one column, 'student_id,team_id', although "
        "it holds a separator; save it again as plain CSV, without quotes around whole lines"
    )


def test_title_block_and_empty_lines_keep_spreadsheet_row_numbers(con):
    staged = stage_file(con, FILES / "title_block.csv", table="staged")
    assert staged.header_row == 4
    assert rows(con) == [(5, "0888", "TEAM-A", "90"), (7, "0889", "TEAM-A", "85")]
    assert staged.rows_read == 2


def test_expected_headers_find_the_header_below_a_two_cell_title(con, write_file):
    path = write_file("t.csv", "Term,Fall\nstudent_id,minutes\n0888,90\n")
    staged = stage_file(con, path, table="staged", expected_headers={"student_id", "minutes"})
    assert staged.header_row == 2
    assert rows(con) == [(3, "0888", "90")]


# --- empty and header-only ------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \r\n\n \t\n", b"\xef\xbb\xbf\n"])
def test_empty_file_is_an_input_error(con, write_file, content):
    assert input_error(con, write_file("empty.csv", content)) == (
        "empty.csv: file is empty; export it again with the data"
    )


def test_empty_fixture_is_an_input_error(con):
    assert "file is empty" in input_error(con, FILES / "empty.csv")


def test_header_only_file_is_an_input_error(con):
    assert input_error(con, FILES / "header_only.csv") == (
        "header_only.csv: has a header but no data rows; export again with the data"
    )


def test_rows_with_every_cell_empty_count_as_no_data(con, write_file):
    message = input_error(con, write_file("blank_rows.csv", "student_id,minutes\n,\n , \n"))
    assert "has a header but no data rows" in message


# --- records and values ---------------------------------------------------------------------


def test_trailing_commas_drop_the_empty_unnamed_columns(con):
    staged = stage_file(con, FILES / "trailing_commas.csv", table="staged")
    assert staged.columns == ("student_id", "team_id", "minutes")
    assert staged.dropped_columns == ("unnamed_4", "unnamed_5")
    assert rows(con) == [(2, "0888", "TEAM-A", "90"), (3, "0889", "TEAM-A", "85")]


def test_header_trailing_comma_the_rows_lack_is_dropped(con, write_file):
    staged = stage_file(con, write_file("t.csv", "student_id,minutes,\n0888,90\n"), table="staged")
    assert staged.columns == ("student_id", "minutes")
    assert staged.dropped_columns == ("unnamed_3",)
    assert rows(con) == [(2, "0888", "90")]


def test_unnamed_column_with_values_is_kept_as_unnamed_n(con, write_file):
    path = write_file("t.csv", "student_id,,minutes\n0888,x,90\n0889,,85\n")
    staged = stage_file(con, path, table="staged")
    assert staged.columns == ("student_id", "unnamed_2", "minutes")
    assert staged.original_columns == ("student_id", "", "minutes")
    assert rows(con) == [(2, "0888", "x", "90"), (3, "0889", None, "85")]


def test_crlf_file_with_a_newline_inside_quotes_and_no_final_newline(con, write_file):
    data = b'student_id,comment\r\n0888,"line one\nline two"\r\n0889,plain'
    staged = stage_file(con, write_file("crlf.csv", data), table="staged")
    assert rows(con) == [(2, "0888", "line one\nline two"), (3, "0889", "plain")]
    assert staged.rows_read == 2


def test_mixed_line_endings_still_load_with_their_rows(con, write_file):
    data = b"student_id,minutes\r\n0888,90\n0889,85\r\n\r\n0890,60\r\n"
    stage_file(con, write_file("mixed_endings.csv", data), table="staged")
    assert rows(con) == [(2, "0888", "90"), (3, "0889", "85"), (5, "0890", "60")]


def test_row_with_too_many_fields_is_rejected_and_the_rest_loads(con):
    staged = stage_file(con, FILES / "too_many_fields.csv", table="staged")
    assert staged.rejected_lines == (
        (3, "has 4 fields where the header has 3", "0889,TEAM-A,85,extra"),
    )
    assert rows(con) == [(2, "0888", "TEAM-A", "90"), (4, "0890", "TEAM-B", "60")]
    assert staged.rows_read == 3


def test_rows_after_rejected_records_and_multiline_values_keep_their_rows(con, write_file):
    text = (
        "student_id,comment\n"
        '0888,"two\nlines"\n'  # row 2
        "0889,a,b\n"  # row 3: rejected
        "\n"  # row 4: empty
        "0890,ok\n"  # row 5
        "0891\n"  # row 6: rejected
        "0892,ok\n"  # row 7
    )
    staged = stage_file(con, write_file("gaps.csv", text), table="staged")
    assert [row for row, _, _ in staged.rejected_lines] == [3, 6]
    assert rows(con) == [(2, "0888", "two\nlines"), (5, "0890", "ok"), (7, "0892", "ok")]


def test_many_rejected_lines_keep_every_row_number(con, write_file):
    lines = ["student_id,minutes"]
    for number in range(2, 502):
        lines.append(f"S{number},1,extra" if number % 3 == 0 else f"S{number},1")
    staged = stage_file(con, write_file("many.csv", "\n".join(lines) + "\n"), table="staged")
    assert [row for row, _, _ in staged.rejected_lines] == list(range(3, 502, 3))
    staged_rows = con.execute("SELECT _source_row, student_id FROM staged").fetchall()
    assert all(student_id == f"S{row}" for row, student_id in staged_rows)
    assert len(staged_rows) + len(staged.rejected_lines) == staged.rows_read == 500


def test_unclosed_quote_is_rejected_with_its_row(con, write_file):
    path = write_file("q.csv", 'student_id,name\n0888,ok\n0889,"Doe, Jane\n')
    staged = stage_file(con, path, table="staged")
    assert staged.rejected_lines == (
        (3, 'a quote (") is not closed, or text follows a closing quote', '0889,"Doe, Jane'),
    )
    assert rows(con) == [(2, "0888", "ok")]


def test_leading_zeros_and_codes_stay_text(con, write_file):
    path = write_file("ids.csv", "student_id,grade,zip\n0888,09,02134\nF08000002,10,00501\n")
    stage_file(con, path, table="staged")
    assert rows(con) == [(2, "0888", "09", "02134"), (3, "F08000002", "10", "00501")]
    types = con.execute("SELECT column_name, column_type FROM (DESCRIBE staged)").fetchall()
    assert types == [
        ("_row_id", "BIGINT"),
        ("_source_row", "BIGINT"),
        ("student_id", "VARCHAR"),
        ("grade", "VARCHAR"),
        ("zip", "VARCHAR"),
    ]


def test_headers_and_values_are_trimmed_and_empty_values_are_null(con, write_file):
    path = write_file("t.csv", ' Student ID ,Team ID  ,Note\n 0888 ,  ,""\n')
    staged = stage_file(con, path, table="staged")
    assert staged.columns == ("student_id", "team_id", "note")
    assert staged.original_columns == (" Student ID ", "Team ID  ", "Note")
    assert rows(con) == [(2, "0888", None, None)]


def test_repeated_headers_get_a_numbered_suffix(con, write_file):
    staged = stage_file(con, write_file("t.csv", "score,Score,score\n1,2,3\n"), table="staged")
    assert staged.columns == ("score", "score_2", "score_3")


# --- formats --------------------------------------------------------------------------------


def test_pdf_named_csv_is_a_clear_input_error(con):
    assert input_error(con, FILES / "report_saved_as.csv") == (
        "report_saved_as.csv: this is not a CSV, .xlsx or Parquet file but a PDF document; "
        "export the data itself as CSV UTF-8 or .xlsx"
    )


def _zip(path: Path, member: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, "hello")
    return path


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("grades.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "(.xls)"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(64), "a PNG image"),
        ("noise.csv", bytes(range(256)) * 4, "binary data"),
        ("page.csv", b"<!DOCTYPE html><html><table></table></html>", "web page"),
    ],
)
def test_files_that_are_no_table_name_what_they_look_like(con, write_file, name, content, words):
    assert words in input_error(con, write_file(name, content))


def test_zip_that_is_not_a_workbook_is_an_input_error(con, tmp_path):
    message = input_error(con, _zip(tmp_path / "export.xlsx", "students.csv"))
    assert message == (
        "export.xlsx: this is not a CSV, .xlsx or Parquet file but a ZIP archive holding "
        "students.csv; unzip it and load the export"
    )


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, sheet_rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in sheet_rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_named_csv_is_read_as_xlsx(con, tmp_path):
    path = _workbook(tmp_path / "scores.csv", {"Sheet1": [["student_id", "score"], ["0888", 7]]})
    staged = stage_file(con, path, table="staged")
    assert staged.file_format == "xlsx"
    assert rows(con) == [(2, "Sheet1", "0888", "7")]


def test_xlsx_title_block_and_one_sheet_per_quarter(con, tmp_path):
    header = ["Student ID", "Component", "Score"]
    path = _workbook(
        tmp_path / "panel.xlsx",
        {
            "Read me": [["Scores from the employer panels"], ["One sheet per quarter"]],
            "Q1": [
                ["Employer panel scores 2024-25"],
                ["Panel", "Aerospace partners"],
                [],
                header,
                ["0888", "project_archive", 7.5],
                ["0889", "process_documentation", 6],
            ],
            "Q2": [header[::-1], [8, "project_archive", "0888"]],
            "Notes": [["Scores are out of 10"]],
            "Lookup": [["code", "meaning"], ["PA", "project archive"]],
        },
    )
    staged = stage_file(con, path, table="staged")
    assert staged.header_row == 4
    assert staged.sheets == ("Q1", "Q2")
    assert staged.skipped_sheets == ("Read me", "Notes", "Lookup")
    assert staged.columns == ("student_id", "component", "score")
    assert rows(con) == [
        (5, "Q1", "0888", "project_archive", "7.5"),
        (6, "Q1", "0889", "process_documentation", "6"),
        (2, "Q2", "0888", "project_archive", "8"),
    ]


def test_xlsx_dates_numbers_and_booleans_become_text(con, tmp_path):
    path = _workbook(
        tmp_path / "cells.xlsx",
        {
            "Data": [
                ["student_id", "scored", "scored_at", "score", "minutes", "passed"],
                ["0888", dt.date(2024, 11, 1), dt.datetime(2024, 11, 1, 14, 30), 7.5, 90.0, True],
                ["0889", dt.datetime(2024, 11, 2), dt.datetime(2024, 11, 2, 9, 5, 7), 6, 0, False],
            ]
        },
    )
    stage_file(con, path, table="staged")
    assert rows(con) == [
        (2, "Data", "0888", "2024-11-01", "2024-11-01 14:30:00", "7.5", "90", "TRUE"),
        (3, "Data", "0889", "2024-11-02", "2024-11-02 09:05:07", "6", "0", "FALSE"),
    ]


def test_xlsx_rows_keep_sheet_row_numbers_across_empty_rows(con, tmp_path):
    path = tmp_path / "gaps.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "student_id", "minutes"
    sheet["A2"], sheet["B2"] = "0888", 90
    sheet["A9"], sheet["B9"] = "0889", 85
    sheet["D9"] = "note"  # right of the header: kept in an unnamed column
    workbook.save(path)
    staged = stage_file(con, path, table="staged")
    assert staged.columns == ("student_id", "minutes", "unnamed_4")
    assert rows(con) == [(2, "Sheet", "0888", "90", None), (9, "Sheet", "0889", "85", "note")]


def test_xlsx_expected_headers_pick_the_header_row(con, tmp_path):
    path = _workbook(
        tmp_path / "e.xlsx",
        {"Q1": [["Term", "Fall"], ["Student ID", "Score"], ["0888", 7]]},
    )
    staged = stage_file(con, path, table="staged", expected_headers={"student_id", "score"})
    assert staged.header_row == 2
    assert rows(con) == [(3, "Q1", "0888", "7")]


def test_xlsx_header_only_is_an_input_error(con, tmp_path):
    path = _workbook(tmp_path / "h.xlsx", {"Q1": [["student_id", "score"]]})
    assert (
        input_error(con, path)
        == "h.xlsx: has a header but no data rows; export again with the data"
    )


def test_parquet_columns_become_text(con, tmp_path):
    path = tmp_path / "scores.parquet"
    table = pa.table(
        {
            "Student ID": ["0888", " F08000002 ", None],
            "score": [7.5, 90.0, None],
            "minutes": pa.array([90, 0, None], pa.int64()),
            "scored": pa.array([dt.date(2024, 11, 1), None, None], pa.date32()),
            "seen": pa.array(
                [dt.datetime(2024, 11, 1), dt.datetime(2024, 11, 1, 14, 30), None],
                pa.timestamp("us"),
            ),
        }
    )
    pq.write_table(table, path)
    staged = stage_file(con, path, table="staged")
    assert staged.file_format == "parquet"
    assert staged.columns == ("student_id", "score", "minutes", "scored", "seen")
    assert staged.rows_read == 2  # the third row is empty in every column
    assert rows(con) == [
        (2, "0888", "7.5", "90", "2024-11-01", "2024-11-01"),
        (3, "F08000002", "90", "0", None, "2024-11-01 14:30:00"),
    ]


# --- staged file facts ----------------------------------------------------------------------


def test_checksum_is_the_sha256_of_the_file_bytes(con):
    import hashlib

    staged = stage_file(con, FILES / "roster.csv", table="staged")
    assert staged.sha256 == hashlib.sha256((FILES / "roster.csv").read_bytes()).hexdigest()
    assert staged.rows_read == 3
    assert staged.file_format == "csv"


def test_sniff_header_returns_normalised_names(tmp_path):
    assert sniff_header(FILES / "title_block.csv") == ["student_id", "team_id", "minutes"]
    path = _workbook(tmp_path / "w.xlsx", {"Q1": [["Title"], [], ["Student ID", "Score", None]]})
    assert sniff_header(path) == ["student_id", "score"]


def test_damaged_parquet_is_one_line_when_staged_or_when_its_header_is_read(con, write_file):
    path = write_file("scores.parquet", b"PAR1 not really parquet")
    assert input_error(con, path) == "scores.parquet: the Parquet file is damaged; export it again"
    with pytest.raises(InputError, match="^scores.parquet: the Parquet file is damaged"):
        sniff_header(path)


def test_text_named_xlsx_is_not_an_excel_workbook(con, write_file):
    path = write_file("roster.xlsx", "student_id,name\n0888,Ann\n")
    assert input_error(con, path) == (
        "roster.xlsx: this is not an Excel workbook but text, although its name ends in .xlsx; "
        "open it in Excel and save it as .xlsx, or rename it to .csv if it is CSV"
    )

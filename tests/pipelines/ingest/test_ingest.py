"""Ingestion end to end on a tiny district: what loads, what is held back, and why."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.contracts import load_contracts
from pipelines.ingest.pseudonymize import pseudonym
from pipelines.warehouse import history_as_of

DISTRICT = Path(__file__).resolve().parents[2] / "fixtures" / "district"
ROSTERS = ["staff.csv", "students.csv", "studio_teams.csv"]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def ingest(warehouse_path, *paths) -> object:
    return run("ingest", "--db", str(warehouse_path), *map(str, paths))


def query(warehouse_path, sql, parameters=None):
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


@pytest.fixture
def loaded_rosters(warehouse_path):
    result = ingest(warehouse_path, *(DISTRICT / name for name in ROSTERS))
    assert result.exit_code == 0, result.output
    return warehouse_path


def test_folder_loads_every_kind_in_key_order(warehouse_path):
    result = ingest(warehouse_path, DISTRICT)
    assert result.exit_code == 0, result.output
    kinds = [
        k for (k,) in query(warehouse_path, "SELECT kind FROM audit.batches ORDER BY batch_id")
    ]
    assert kinds.index("staff") < kinds.index("studio_teams")
    assert kinds.index("students") < kinds.index("session_attendance")
    assert set(kinds) == {
        "staff",
        "students",
        "studio_teams",
        "team_memberships",
        "session_attendance",
        "panel_scores",
    }


def test_identifiers_are_pseudonymized_and_names_never_stored(
    loaded_rosters, pseudonym_key, warehouse_texts
):
    ids = query(loaded_rosters, "SELECT student_unique_id FROM core.students ORDER BY 1")
    expected = sorted(
        pseudonym(pseudonym_key.encode(), i) for i in ["0888", "0889", "F08000002", "F08000003"]
    )
    assert [i for (i,) in ids] == expected
    # No text column anywhere holds a raw id, a name or an e-mail.
    personal = re.compile(r"0888|F08000002|Doe|Jane|Rivera|example\.org")
    holding = [
        column
        for column, values in warehouse_texts(loaded_rosters, text_columns_only=True).items()
        if any(personal.search(value) for value in values)
    ]
    assert holding == []


def test_dates_in_every_export_format_parse(loaded_rosters):
    births = query(loaded_rosters, "SELECT birth_date::VARCHAR FROM core.students ORDER BY 1")
    # 03/07/2010, 11/21/2009, 2008-05-02 and Excel serial 39500
    assert [b for (b,) in births] == ["2008-02-22", "2008-05-02", "2009-11-21", "2010-03-07"]


def test_bad_scores_unknown_students_and_duplicates_are_quarantined(loaded_rosters):
    result = ingest(loaded_rosters, DISTRICT / "panel_scores.csv")
    assert result.exit_code == 0, result.output
    held = query(
        loaded_rosters,
        "SELECT source_row, reasons FROM audit.quarantine WHERE kind = 'panel_scores' "
        "ORDER BY source_row",
    )
    assert [row for row, _ in held] == [3, 4, 6, 8]
    reasons = {row: " | ".join(r) for row, r in held}
    assert "score: '11' is outside the allowed range 0 to 10" in reasons[3]
    assert "score: '-1' is outside the allowed range 0 to 10" in reasons[4]
    assert "student_unique_id: no students row has this student_unique_id" in reasons[6]
    assert reasons[8] == "duplicate of row 7; the first copy was kept"
    assert query(loaded_rosters, "SELECT count(*) FROM core.panel_scores") == [(3,)]
    audit = query(
        loaded_rosters,
        "SELECT rows_read, rows_accepted, rows_quarantined "
        "FROM audit.batches WHERE kind = 'panel_scores'",
    )
    assert audit == [(7, 3, 4)]


def test_quarantine_command_lists_rows_and_reasons(loaded_rosters, tmp_path):
    ingest(loaded_rosters, DISTRICT / "panel_scores.csv")
    result = run("quarantine", "--db", str(loaded_rosters), "--csv", str(tmp_path / "q.csv"))
    assert result.exit_code == 0
    assert "panel_scores.csv" in result.output and "outside the allowed range" in result.output
    assert (tmp_path / "q.csv").read_text().count("panel_scores.csv") == 4


def test_same_file_twice_is_a_no_op(loaded_rosters):
    before = query(loaded_rosters, "SELECT count(*) FROM audit.batches")
    result = ingest(loaded_rosters, DISTRICT / "students.csv")
    assert result.exit_code == 0
    assert query(loaded_rosters, "SELECT count(*) FROM audit.batches") == before
    assert query(loaded_rosters, "SELECT count(*) FROM core.students_history") == [(4,)]


def test_corrected_file_supersedes_and_keeps_history(loaded_rosters, write_file):
    corrected = (DISTRICT / "students.csv").read_text().replace("3.40", "3.45")
    ingest(loaded_rosters, write_file("students_corrected.csv", corrected))
    batches = query(
        loaded_rosters,
        "SELECT batch_id, rows_new, rows_changed, rows_unchanged "
        "FROM audit.batches WHERE kind = 'students' ORDER BY batch_id",
    )
    assert [b[1:] for b in batches] == [(4, 0, 0), (0, 1, 3)]
    assert query(loaded_rosters, "SELECT count(*) FROM core.students") == [(4,)]
    assert query(
        loaded_rosters,
        "SELECT max(prior_gpa) FILTER (WHERE prior_gpa BETWEEN 3.3 AND 3.5) FROM core.students",
    ) == [(3.45,)]
    first_state = history_as_of(load_contracts()["students"], batches[0][0])
    assert 3.40 in [g for (g,) in query(loaded_rosters, f"SELECT prior_gpa FROM ({first_state})")]


def test_raw_layer_gives_back_each_row_as_written(loaded_rosters):
    ingest(loaded_rosters, DISTRICT / "session_attendance.csv")
    raw = query(
        loaded_rosters,
        "SELECT session_date, attendance_status, minutes_attended "
        "FROM raw.session_attendance ORDER BY _source_row LIMIT 4",
    )
    assert raw == [
        ("09/10/2024", "Present", "90"),
        ("09/10/2024", "Absent", "0"),
        ("09/10/2024", "present", "85"),
        ("09/10/2024", "Tardy", "60"),
    ]


def test_core_keeps_a_spelling_only_where_it_is_not_the_standard_one(loaded_rosters):
    ingest(loaded_rosters, DISTRICT / "session_attendance.csv")
    spellings = query(
        loaded_rosters,
        "SELECT attendance_status__text, minutes_attended__text "
        "FROM core.session_attendance_history ORDER BY _source_row LIMIT 4",
    )
    assert spellings == [("Present", None), ("Absent", None), (None, None), ("Tardy", None)]


def test_dates_in_the_files_usual_format_are_not_stored_twice(loaded_rosters):
    # Two of the four birth dates are MM/DD/YYYY, the file's usual spelling: only the
    # other two keep their text beside the date, and raw spells all four as written.
    spellings = query(
        loaded_rosters,
        "SELECT birth_date__text FROM core.students_history ORDER BY _source_row",
    )
    assert spellings == [(None,), (None,), ("2008-05-02",), ("39500",)]
    usual = query(
        loaded_rosters,
        "SELECT f.column_name, f.date_format FROM audit.date_formats f "
        "JOIN audit.batches b USING (batch_id) WHERE b.kind = 'students'",
    )
    assert usual == [("birth_date", "%m/%d/%Y")]
    raw = query(loaded_rosters, "SELECT birth_date FROM raw.students ORDER BY _source_row")
    assert raw == [("03/07/2010",), ("11/21/2009",), ("2008-05-02",), ("39500",)]


def test_raw_layer_holds_quarantined_and_unchanged_rows_too(loaded_rosters, write_file):
    ingest(loaded_rosters, DISTRICT / "panel_scores.csv")
    corrected = (DISTRICT / "students.csv").read_text().replace("3.40", "3.45")
    ingest(loaded_rosters, write_file("students_corrected.csv", corrected))
    per_batch = query(
        loaded_rosters,
        "SELECT b.kind, b.rows_read, count(r._source_row) FROM audit.batches b "
        "JOIN (SELECT _batch_id, _source_row FROM raw.panel_scores UNION ALL "
        "SELECT _batch_id, _source_row FROM raw.students) r ON r._batch_id = b.batch_id "
        "GROUP BY b.batch_id, b.kind, b.rows_read ORDER BY b.batch_id",
    )
    # panel_scores: 7 rows, 4 quarantined; the corrected students file: 1 changed, 3 not.
    assert per_batch == [("students", 4, 4), ("panel_scores", 7, 7), ("students", 4, 4)]


def test_warehouse_of_an_older_layout_is_refused(loaded_rosters):
    with duckdb.connect(str(loaded_rosters)) as con:
        con.execute("DELETE FROM audit.warehouse_facts WHERE fact = 'layout_version'")
    result = ingest(loaded_rosters, DISTRICT / "session_attendance.csv")
    assert result.exit_code == 2
    assert "laid out by another version" in result.output
    assert "into a new warehouse file" in result.output


def test_missing_required_column_rejects_the_file_and_changes_nothing(loaded_rosters, write_file):
    before = query(loaded_rosters, "SELECT count(*) FROM audit.batches")
    path = write_file(
        "panel.csv",
        "student_id,team_id,school_year,quarter,reviewer_id,"
        "employer_id,component\n0888,TEAM-A,2025,Q1,R1,E1,project_archive\n",
    )
    result = ingest(loaded_rosters, "--kind", "panel_scores", path)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "error: panel.csv: column score: required column score is missing for kind "
        "panel_scores; add the column (also accepted: rating, points, component_score), "
        "or pass --rename 'YOUR HEADER=score', or pass the right --kind"
    )
    assert query(loaded_rosters, "SELECT count(*) FROM audit.batches") == before


def test_empty_file_is_rejected_with_one_line(warehouse_path, write_file):
    result = ingest(warehouse_path, write_file("students.csv", ""))
    assert result.exit_code == 2
    assert "students.csv" in result.output and "empty" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_header_only_file_is_rejected(warehouse_path, write_file):
    header = (DISTRICT / "students.csv").read_text().splitlines()[0] + "\n"
    result = ingest(warehouse_path, write_file("students.csv", header))
    assert result.exit_code == 2
    assert "no data rows" in result.output


def test_semicolon_file_loads_like_the_comma_file(warehouse_path, write_file):
    text = (DISTRICT / "staff.csv").read_text().replace(",", ";")
    result = ingest(warehouse_path, write_file("staff.csv", text))
    assert result.exit_code == 0, result.output
    assert query(warehouse_path, "SELECT count(*) FROM core.staff") == [(3,)]


def test_cp1252_file_loads(warehouse_path, write_file):
    text = (DISTRICT / "staff.csv").read_text().replace("Rivera", "Rivéra")
    result = ingest(warehouse_path, write_file("staff.csv", text.encode("cp1252")))
    assert result.exit_code == 0, result.output


def test_utf16_tab_file_loads_with_its_kind_inferred(warehouse_path, write_file):
    text = (DISTRICT / "staff.csv").read_text().replace("Rivera", "Rivéra").replace(",", "\t")
    result = ingest(warehouse_path, write_file("staff.txt", text.encode("utf-16")))
    assert result.exit_code == 0, result.output
    assert query(
        warehouse_path, "SELECT kind, file_encoding, rows_accepted FROM audit.batches"
    ) == [("staff", "utf-16", 3)]


def test_mixed_encodings_are_rejected_naming_the_row(warehouse_path, write_file):
    good = (DISTRICT / "staff.csv").read_text().replace("Rivera", "Rivéra").encode("utf-8")
    bad = "T009,Núñez,Eva,e@example.org,ESHS,Teacher,Female,08/15/2012\n".encode("cp1252")
    result = ingest(warehouse_path, write_file("staff.csv", good + bad))
    assert result.exit_code == 2
    assert "staff.csv" in result.output and "row 5" in result.output


def staff_with(write_file, header: str, values: list[str]):
    """The fixture's staff file with one more column."""
    lines = (DISTRICT / "staff.csv").read_text().splitlines()
    lines = [lines[0] + f",{header}"] + [
        f"{line},{v}" for line, v in zip(lines[1:], values, strict=True)
    ]
    return write_file("staff.csv", "\n".join(lines) + "\n")


def test_a_column_the_contract_does_not_know_is_named_in_the_audit_not_stored(
    warehouse_path, write_file
):
    result = ingest(warehouse_path, staff_with(write_file, "Locker", ["L0", "L1", "L2"]))
    assert result.exit_code == 0, result.output
    assert "pass --keep-extra NAME" in result.output
    assert query(warehouse_path, "SELECT DISTINCT _extra FROM raw.staff") == [(None,)]
    (dropped,) = query(warehouse_path, "SELECT dropped_columns FROM audit.batches")[0]
    assert dropped == ["last_name", "first_name", "email", "locker"]  # names, e-mail, locker


def test_a_kept_column_is_stored_and_an_id_among_them_pseudonymized(
    warehouse_path, write_file, pseudonym_key
):
    path = staff_with(write_file, "Badge Number", ["B0", "B1", "B2"])
    result = ingest(warehouse_path, path, "--keep-extra", "Badge Number")
    assert result.exit_code == 0, result.output
    extras = query(warehouse_path, "SELECT _extra FROM raw.staff ORDER BY _source_row")
    badge = pseudonym(pseudonym_key.encode(), "B0")
    assert extras[0][0] == f'{{"badge_number":"{badge}"}}'
    assert query(warehouse_path, "SELECT extra_columns FROM audit.batches") == [(["badge_number"],)]


def test_keeping_a_password_column_is_refused_and_loads_nothing(warehouse_path, write_file):
    path = staff_with(write_file, "Password", ["hunter2", "hunter3", "hunter4"])
    result = ingest(warehouse_path, path, "--keep-extra", "Password")
    assert result.exit_code == 2
    assert result.output.startswith("error: --keep-extra: column password: password looks like")
    assert not warehouse_path.exists()


def test_formula_like_cells_are_stored_as_text_and_counted(loaded_rosters, write_file):
    text = (
        "team_id,school_id,team_type,mentor_staff_unique_id,formed_date\n"
        '=HYPERLINK("x"),ESHS,mixed,T001,2024-09-03\n'
    )
    result = ingest(loaded_rosters, write_file("teams.csv", text))
    assert result.exit_code == 0, result.output
    assert query(
        loaded_rosters,
        "SELECT formula_like_cells FROM audit.batches ORDER BY batch_id DESC LIMIT 1",
    ) == [(1,)]
    assert query(
        loaded_rosters, "SELECT count(*) FROM core.studio_teams WHERE team_id = '=HYPERLINK(\"x\")'"
    ) == [(1,)]


def test_file_that_is_not_what_its_name_says_is_rejected(warehouse_path, write_file):
    result = ingest(warehouse_path, write_file("students.csv", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n"))
    assert result.exit_code == 2
    assert "students.csv" in result.output and "PDF" in result.output


def test_unknown_header_asks_for_kind(warehouse_path, write_file):
    result = ingest(warehouse_path, write_file("mystery.csv", "colour,size\nred,4\n"))
    assert result.exit_code == 2
    assert "matches no source kind" in result.output


def test_different_pseudonym_key_is_refused(loaded_rosters, monkeypatch):
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "another-key-0123456789abcdef")
    result = ingest(loaded_rosters, DISTRICT / "session_attendance.csv")
    assert result.exit_code == 2
    assert "different pseudonym key" in result.output


def test_lake_export_is_hive_partitioned_and_readable(warehouse_path, tmp_path):
    import polars as pl

    ingest(warehouse_path, DISTRICT)
    result = run("export-lake", str(tmp_path / "lake"), "--db", str(warehouse_path))
    assert result.exit_code == 0, result.output
    assert (
        tmp_path / "lake" / "session_attendance" / "district_id=district" / "school_year=2025"
    ).is_dir()
    frame = pl.scan_parquet(tmp_path / "lake" / "session_attendance", hive_partitioning=True)
    assert frame.select(pl.len()).collect().item() == 4


def test_each_batch_reports_its_time_per_stage(warehouse_path):
    from pipelines.ingest import ingest_paths

    (result,) = ingest_paths([DISTRICT / "staff.csv"], db=warehouse_path)
    assert [name for name, _ in result.stage_seconds] == [
        "read",
        "type and pseudonymize",
        "open warehouse, reference keys",
        "duplicate keys",
        "checks and routing (SQL)",
        "great-expectations",
        "write (one transaction)",
    ]
    # Every step after reading is timed inside the batch's own clock, one after another.
    after_read = sum(seconds for _, seconds in result.stage_seconds[1:])
    assert after_read == pytest.approx(result.seconds, abs=0.01)


def test_damaged_parquet_among_good_files_is_one_line_and_loads_nothing(warehouse_path, write_file):
    damaged = write_file("scores.parquet", b"PAR1 not really parquet")
    result = ingest(warehouse_path, DISTRICT / "staff.csv", damaged)
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == "error: scores.parquet: the Parquet file is damaged; export it again"
    )
    assert not warehouse_path.exists()

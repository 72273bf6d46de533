"""One command stages its files, then validates each kind's clean batches together."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import InputError
from pipelines.ingest import PlannedFile, ingest_plan

DISTRICT = Path(__file__).resolve().parents[2] / "fixtures" / "district"
STAFF_HEADER = "Staff ID,Last Name,First Name,Email,School,Staff Classification,Sex,Hire Date\n"


def query(warehouse_path, sql):
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def planned(path: Path, kind: str) -> PlannedFile:
    return PlannedFile(path, kind)


@pytest.fixture
def two_staff_files(write_file):
    """Two clean staff exports of different people."""
    return (
        write_file(
            "staff_a.csv", STAFF_HEADER + "T101,Ames,Ann,a@x.org,ESHS,Teacher,F,08/15/2012\n"
        ),
        write_file(
            "staff_b.csv", STAFF_HEADER + "T102,Bell,Bo,b@x.org,ESHS,Teacher,M,08/15/2014\n"
        ),
    )


def test_a_foreign_key_may_point_to_a_file_later_in_the_same_command(warehouse_path):
    # Attendance first, its students and teams after: the command routes referenced kinds
    # first, so the order files are given in does not matter.
    plan = [
        planned(DISTRICT / "session_attendance.csv", "session_attendance"),
        planned(DISTRICT / "students.csv", "students"),
        planned(DISTRICT / "studio_teams.csv", "studio_teams"),
        planned(DISTRICT / "staff.csv", "staff"),
    ]
    reversed_order = ingest_plan(plan, db=warehouse_path)
    assert [b.kind for b in reversed_order] == [
        "session_attendance",
        "students",
        "studio_teams",
        "staff",
    ]
    other = warehouse_path.with_name("usual_order.duckdb")
    usual_order = {b.kind: b for b in ingest_plan(list(reversed(plan)), db=other)}
    for batch in reversed_order:
        assert batch.rows_accepted == usual_order[batch.kind].rows_accepted
    # Written referenced kinds first, whatever the order given.
    kinds = [k for (k,) in query(warehouse_path, "SELECT kind FROM audit.batches ORDER BY 1")]
    written = [
        k for (k,) in query(warehouse_path, "SELECT kind FROM audit.batches ORDER BY batch_id")
    ]
    assert sorted(written) == kinds
    assert written.index("students") < written.index("session_attendance")


def test_the_same_file_twice_in_one_command_loads_once(warehouse_path):
    staff = DISTRICT / "staff.csv"
    first, second = ingest_plan(
        [planned(staff, "staff"), planned(staff, "staff")], db=warehouse_path
    )
    assert (first.status, second.status) == ("loaded", "already_loaded")
    assert second.batch_id == first.batch_id
    assert second.notes == (f"identical to batch {first.batch_id}; nothing changed",)
    assert query(warehouse_path, "SELECT count(*) FROM audit.batches") == [(1,)]


def test_clean_batches_of_a_kind_are_validated_together_and_say_so(warehouse_path, two_staff_files):
    plan = [planned(path, "staff") for path in two_staff_files]
    batches = ingest_plan(plan, db=warehouse_path)
    assert [b.rows_accepted for b in batches] == [1, 1]
    for (text,) in query(warehouse_path, "SELECT document FROM audit.validation_documents"):
        together = json.loads(text)["meta"]["validated_together"]
        assert together == {"files": ["staff_a.csv", "staff_b.csv"], "rows": [1, 1]}
    # Both were clean, so great-expectations' zero over both is each one's count.
    counts = query(
        warehouse_path,
        "SELECT DISTINCT unexpected_count FROM audit.validation_results "
        "WHERE unexpected_count IS NOT NULL",
    )
    assert counts == [(0,)]


def test_a_batch_with_failures_is_validated_alone_with_its_own_counts(
    warehouse_path, two_staff_files, write_file
):
    bad = write_file("staff_bad.csv", STAFF_HEADER + "T103,Cole,Cy,c@x.org,ESHS,Janitor,F,\n")
    plan = [planned(path, "staff") for path in (*two_staff_files, bad)]
    *_, held = ingest_plan(plan, db=warehouse_path)
    assert held.rows_quarantined == 1
    (document,) = query(
        warehouse_path,
        f"SELECT document FROM audit.validation_documents WHERE batch_id = {held.batch_id}",
    )
    assert "validated_together" not in json.loads(document[0]).get("meta", {})
    counted = query(
        warehouse_path,
        "SELECT check_id, unexpected_count, quarantined_count FROM audit.validation_results "
        f"WHERE batch_id = {held.batch_id} AND quarantined_count > 0 ORDER BY 1",
    )
    assert counted == [("staff_classification:in_set", 1, 1)]


def test_a_refused_file_stops_the_command_after_the_files_staged_before_it_load(
    warehouse_path, two_staff_files, write_file
):
    no_id = write_file("staff_no_id.csv", "Last Name,First Name\nDoe,Jo\n")
    plan = [planned(two_staff_files[0], "staff"), planned(no_id, "staff")]
    plan.append(planned(two_staff_files[1], "staff"))
    with pytest.raises(InputError, match="staff_no_id.csv"):
        ingest_plan(plan, db=warehouse_path)
    assert query(warehouse_path, "SELECT file_name FROM audit.batches") == [("staff_a.csv",)]

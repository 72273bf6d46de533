"""A 2 GB export is streamed: it loads whole with memory far below its size.

Marked slow: it writes and loads 2 GB. `make test-slow` and CI run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

DISTRICT = Path(__file__).resolve().parents[2] / "fixtures" / "district"
GIGABYTES = 2
STUDENTS = 50_000

# The child reports its own peak from /proc/self/status (VmHWM): getrusage's ru_maxrss is
# kept across fork and exec, so it would report the test process's own peak whenever that
# was higher (after a memory-hungry test in the same session, 8 GB were reported once).
CHILD = """
import re, sys
from pipelines.ingest import ingest_file
result = ingest_file(sys.argv[1], kind="session_attendance", db=sys.argv[2])[0]
with open("/proc/self/status") as status:
    peak_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
print(result.rows_read, result.rows_accepted, result.rows_quarantined, peak_kb // 1024)
"""


@pytest.mark.slow
def test_two_gigabyte_file_streams_with_bounded_memory(tmp_path, warehouse_path):
    from click.testing import CliRunner

    from pipelines.cli import main

    students = tmp_path / "students.csv"
    big = tmp_path / "session_attendance.csv"
    # 37 bytes a row; every (student, team, date) distinct and every student enrolled.
    rows = GIGABYTES * 1_000_000_000 // 37
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT 'S' || lpad(i::VARCHAR, 6, '0') AS student_id,
        2025 AS school_year, 'ESHS' AS school, '9' AS grade, 'female' AS sex
        FROM range({STUDENTS}) r(i)) TO '{students}' (HEADER)""")
    con.execute(f"""COPY (SELECT
        'S' || lpad((i % {STUDENTS})::VARCHAR, 6, '0') AS student_id,
        (['TEAM-A', 'TEAM-G'])[1 + (i // {STUDENTS}) % 2] AS team_id,
        strftime(DATE '2020-01-01' + (i // ({STUDENTS} * 2))::INTEGER, '%m/%d/%Y')
            AS session_date,
        'present' AS attendance_status, 90 AS minutes_attended
        FROM range({rows}) r(i)) TO '{big}' (HEADER)""")
    con.close()
    rosters = [str(DISTRICT / "staff.csv"), str(DISTRICT / "studio_teams.csv"), str(students)]
    loaded = CliRunner().invoke(main, ["ingest", "--db", str(warehouse_path), *rosters])
    assert loaded.exit_code == 0, loaded.output
    assert big.stat().st_size > GIGABYTES * 0.95e9
    output = subprocess.run(
        [sys.executable, "-c", CHILD, str(big), str(warehouse_path)],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ),
    ).stdout.split()
    read, accepted, quarantined, peak_mb = map(int, output)
    assert (read, accepted, quarantined) == (rows, rows, 0)
    # Far below the file's size: the file is streamed, staging spills to disk.
    assert peak_mb < 3_000, peak_mb

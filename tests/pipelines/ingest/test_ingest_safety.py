"""Two ingests at once, and a process killed mid-load: the warehouse stays whole.

These run the real command in separate processes, because DuckDB's file lock and its
write-ahead log are what is being tested. Each takes 15-25 s, so they run with the slow
tests, which CI runs after `make test`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

DISTRICT = Path(__file__).resolve().parents[2] / "fixtures" / "district"
PAUSE = "OUTCOMES_PAUSE_BEFORE_COMMIT"


def start_ingest(db: Path, path: Path, *extra: str, pause: float = 0) -> subprocess.Popen:
    env = dict(os.environ)
    if pause:
        env[PAUSE] = str(pause)
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pipelines.cli import run; run()",
            "ingest",
            "--db",
            str(db),
            str(path),
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_pausing(process: subprocess.Popen, timeout: float = 60) -> None:
    """Read the child's stderr until it says it is inside its transaction."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if "pausing" in line:
            return
        if not line and process.poll() is not None:
            raise AssertionError(f"ingest ended early: {process.stdout.read()}")
    raise AssertionError("ingest never reached its transaction")


def count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


@pytest.mark.slow
def test_killed_mid_load_leaves_no_partial_batch(warehouse_path):
    first = start_ingest(warehouse_path, DISTRICT / "staff.csv")
    assert first.wait(timeout=120) == 0, first.stderr.read()
    victim = start_ingest(warehouse_path, DISTRICT / "students.csv", pause=60)
    wait_until_pausing(victim)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert count(warehouse_path, "SELECT count(*) FROM audit.batches") == 1
    assert count(warehouse_path, "SELECT count(*) FROM raw.students") == 0
    assert count(warehouse_path, "SELECT count(*) FROM core.students_history") == 0
    # And the warehouse still takes the file afterwards.
    again = start_ingest(warehouse_path, DISTRICT / "students.csv")
    assert again.wait(timeout=120) == 0, again.stderr.read()
    assert count(warehouse_path, "SELECT count(*) FROM core.students") == 4


@pytest.mark.slow
def test_second_ingest_waits_for_the_first(warehouse_path):
    first = start_ingest(warehouse_path, DISTRICT / "staff.csv", pause=3)
    wait_until_pausing(first)
    second = start_ingest(warehouse_path, DISTRICT / "students.csv", "--wait", "120")
    assert first.wait(timeout=120) == 0
    assert second.wait(timeout=120) == 0, second.stderr.read()
    assert count(warehouse_path, "SELECT count(*) FROM audit.batches") == 2
    assert count(warehouse_path, "SELECT count(*) FROM core.students") == 4


@pytest.mark.slow
@pytest.mark.parametrize("wait_seconds", ["0.5"])
def test_second_ingest_gives_up_cleanly_after_its_wait(warehouse_path, wait_seconds):
    first = start_ingest(warehouse_path, DISTRICT / "staff.csv", pause=15)
    wait_until_pausing(first)
    second = start_ingest(warehouse_path, DISTRICT / "students.csv", "--wait", wait_seconds)
    assert second.wait(timeout=120) == 3
    message = second.stderr.read().strip().splitlines()
    assert message[-1].startswith("error: ") and "another process is writing" in message[-1]
    assert first.wait(timeout=120) == 0
    assert count(warehouse_path, "SELECT count(*) FROM audit.batches") == 1

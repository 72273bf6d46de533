"""Planning an ingest and the one loop that runs a plan."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb

from pipelines.ingest import PlannedFile, ingest_plan, plan_ingest

DISTRICT = Path(__file__).resolve().parents[2] / "fixtures" / "district"


def test_a_plan_puts_referenced_kinds_first_and_names_each_files_kind():
    plan = plan_ingest([DISTRICT / "studio_teams.csv", DISTRICT / "staff.csv"])
    assert plan == [
        PlannedFile(DISTRICT / "staff.csv", "staff", "district"),
        PlannedFile(DISTRICT / "studio_teams.csv", "studio_teams", "district"),
    ]


def test_the_loop_stages_every_file_then_reports_each_once_written(warehouse_path):
    plan = plan_ingest([DISTRICT / "staff.csv"])
    plan += [replace(plan[0], district_id="d02")]
    seen = []
    batches = ingest_plan(
        plan,
        db=warehouse_path,
        on_file=lambda file: seen.append(("before", file.district_id)),
        on_done=lambda file, done: seen.append(("after", file.district_id, len(done))),
    )
    # Files are staged first and written together, so both are seen before either is done.
    assert seen == [("before", "district"), ("before", "d02"), ("after", "district", 1),
                    ("after", "d02", 1)]  # fmt: skip
    assert [(b.district_id, b.status) for b in batches] == [
        ("district", "loaded"),
        ("d02", "loaded"),
    ]
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        held = con.execute("SELECT _district_id, count(*) FROM core.staff GROUP BY 1 ORDER BY 1")
        assert held.fetchall() == [("d02", 3), ("district", 3)]

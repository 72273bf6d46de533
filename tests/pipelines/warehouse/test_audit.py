"""The audit layer: one batch record, from the ingest report to audit.batches and back."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import duckdb
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.ingest import ingest_paths
from pipelines.warehouse.audit import BATCH_COLUMNS, Batch, list_batches
from pipelines.warehouse.layout import ensure_tables

DISTRICT = Path(__file__).resolve().parents[2] / "fixtures" / "district"


def test_the_batch_record_names_the_audit_tables_columns_in_order():
    with duckdb.connect() as con:
        ensure_tables(con)
        described = con.execute("DESCRIBE audit.batches").fetchall()
    assert tuple(row[0] for row in described) == BATCH_COLUMNS


def test_only_the_reported_fields_are_left_out_of_the_table():
    reported = {f.name for f in dataclasses.fields(Batch)} - set(BATCH_COLUMNS)
    assert reported == {"path", "status", "date_formats", "notes", "seconds", "stage_seconds"}


def test_a_listed_batch_is_the_one_ingestion_reported(warehouse_path):
    (reported,) = ingest_paths([DISTRICT / "staff.csv"], db=warehouse_path)
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        (listed,) = list_batches(con)
    stored = {name: getattr(reported, name) for name in BATCH_COLUMNS}
    assert {name: getattr(listed, name) for name in BATCH_COLUMNS} == stored
    assert (listed.kind, listed.rows_read, listed.rows_accepted) == ("staff", 3, 3)


def test_batches_command_lists_the_newest_first(warehouse_path):
    ingest_paths([DISTRICT / "staff.csv", DISTRICT / "students.csv"], db=warehouse_path)
    # Wide enough that the table shows whole file names.
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(main, ["batches", "--db", str(warehouse_path)])
    assert result.exit_code == 0, result.output
    assert result.output.index("students.csv") < result.output.index("staff.csv")


def test_batches_at_80_columns_show_every_header_and_value_whole(warehouse_path):
    ingest_paths([DISTRICT / "staff.csv", DISTRICT / "students.csv"], db=warehouse_path)
    result = CliRunner(env={"COLUMNS": "80"}).invoke(main, ["batches", "--db", str(warehouse_path)])
    assert result.exit_code == 0, result.output
    for header in ("batch", "sha256", "accepted", "quarantined", "valid", "took"):
        assert re.search(rf"^  {header} +\S", result.output, re.M), header
    assert "…" not in result.output
    assert all(len(line) <= 80 for line in result.output.splitlines())


def test_batches_as_csv_and_json_give_scripts_every_column(warehouse_path):
    ingest_paths([DISTRICT / "staff.csv"], db=warehouse_path)
    as_csv = CliRunner().invoke(main, ["batches", "--db", str(warehouse_path), "--format", "csv"])
    assert as_csv.output.splitlines()[0] == (
        "batch,kind,file,sha256,read,accepted,quarantined,new,changed,valid,took"
    )
    as_json = CliRunner().invoke(main, ["batches", "--db", str(warehouse_path), "--format", "json"])
    (record,) = json.loads(as_json.output)
    assert (record["kind"], record["file"], record["accepted"]) == ("staff", "staff.csv", 3)

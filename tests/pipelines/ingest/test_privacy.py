"""No planted secret or clear identifier reaches the warehouse or any file the project writes.

A directory-sync export (School Data Sync style) carries user names, passwords and a
second copy of the student number beside the roster's own columns. Each of them, and the
students' names, e-mails and raw ids, is planted with a unique marker; after ingesting
the file (with a row that is quarantined) every text of every table and view of the
warehouse, the quarantine CSV, the Parquet lake and the codebook is searched for them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.sql_text import quote_literal

DISTRICT = Path(__file__).resolve().parents[2] / "fixtures" / "district"
HEADER = (
    "SIS ID,School,Username,Password,First Name,Last Name,Student Number,Grade,Gender,"
    "Secondary Email,Bus Route\n"
)
#: Planted values: none of them may be found anywhere after ingestion.
SECRETS = {
    "raw student id": "PLANTSIS0001",
    "second raw student id": "PLANTSIS0002",
    "user name": "plant.user.one",
    "password": "PlantPass!One",
    "password of the quarantined row": "PlantPass!Two",
    "first name": "Plantfirstone",
    "last name": "Plantlastone",
    "student number": "PLANTNUM0001",
    "e-mail": "plant.one@example.org",
}
ROWS = (
    "PLANTSIS0001,ESHS,plant.user.one,PlantPass!One,Plantfirstone,Plantlastone,"
    "PLANTNUM0001,9,F,plant.one@example.org,Route 7\n"
    # An unknown sex code quarantines this row: its text must be as clean as a loaded one.
    "PLANTSIS0002,ESHS,plant.user.two,PlantPass!Two,Planttwo,Plantlasttwo,"
    "PLANTNUM0002,10,Q,plant.two@example.org,Route 8\n"
)


def run(*arguments: str):
    result = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The warehouse after ingesting the sync export, and every file exported from it."""
    root = tmp_path_factory.mktemp("privacy")
    export = root / "sds_students.csv"
    export.write_text(HEADER + ROWS, encoding="utf-8")
    db = root / "outcomes.duckdb"
    run("ingest", "--db", str(db), str(DISTRICT / "staff.csv"))
    run("ingest", "--db", str(db), "--kind", "students", "--set", "school_year=2025", str(export))
    run("quarantine", "--db", str(db), "--csv", str(root / "held_back.csv"))
    run("export-lake", str(root / "lake"), "--db", str(db))
    run("docs", "--codebook", str(root / "codebook.csv"))
    return db, root


def test_the_sync_export_loaded_one_student_and_held_one_back(written):
    db, _ = written
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.students").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM audit.quarantine").fetchone() == (1,)


@pytest.mark.parametrize("what", sorted(SECRETS))
def test_no_planted_value_is_in_any_text_of_the_warehouse(written, warehouse_texts, what):
    db, _ = written
    secret = SECRETS[what].lower()
    holding = [
        column
        for column, values in warehouse_texts(db).items()
        if any(secret in value.lower() for value in values)
    ]
    assert holding == []


@pytest.mark.parametrize("what", sorted(SECRETS))
def test_no_planted_value_is_in_any_exported_file(written, what):
    db, root = written
    secret = SECRETS[what].lower()
    texts = {
        "quarantine CSV": (root / "held_back.csv").read_text(encoding="utf-8"),
        "codebook": (root / "codebook.csv").read_text(encoding="utf-8"),
    }
    with duckdb.connect() as con:
        for parquet in sorted((root / "lake").rglob("*.parquet")):
            rows = con.execute(f"SELECT * FROM read_parquet({quote_literal(str(parquet))})")
            texts[str(parquet.relative_to(root))] = repr(rows.fetchall())
    assert [name for name, text in texts.items() if secret in text.lower()] == []


def test_the_unknown_columns_are_named_in_the_audit_as_not_stored(written):
    db, _ = written
    with duckdb.connect(str(db), read_only=True) as con:
        dropped = con.execute(
            "SELECT dropped_columns FROM audit.batches WHERE kind = 'students'"
        ).fetchone()[0]
    assert {"username", "password", "student_number", "bus_route"} <= set(dropped)

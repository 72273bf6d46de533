"""The synthetic district ingests cleanly apart from its injected mess, which is quarantined
exactly where the generator's manifest says, for the reason it says."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.ingest import ingest_paths


@pytest.fixture(scope="module")
def district(synthetic_warehouse):
    manifest, results, db = (
        synthetic_warehouse.manifest,
        synthetic_warehouse.results,
        synthetic_warehouse.db,
    )
    with duckdb.connect(str(db), read_only=True) as con:
        held = con.execute(
            "SELECT file_name, sheet, source_row, array_to_string(reasons, ' | ') "
            "FROM audit.quarantine"
        ).fetchall()
        batches = con.execute("SELECT file_name, rows_read, rows_accepted FROM audit.batches")
        batches = batches.fetchall()
    return manifest, results, held, batches, db


def test_every_export_file_loads(district):
    manifest, results, _, batches, _ = district
    loaded = {name for name, _, _ in batches}
    assert {f["file"] for f in manifest["files"]} <= loaded
    assert all(r.status == "loaded" for r in results)


def test_quarantine_counts_match_the_injected_mess(district):
    manifest, _, held, _, _ = district
    counts: dict[str, int] = {}
    for file_name, _, _, _ in held:
        counts[file_name] = counts.get(file_name, 0) + 1
    assert counts == manifest["expected_quarantine"]


def test_each_defect_is_held_back_for_its_reason(district):
    manifest, _, held, _, _ = district
    where = {(f, sheet, row): reasons for f, sheet, row, reasons in held}
    for defect in manifest["defects"]:
        if defect["expected_reason"] is None:
            continue  # a late correction: it supersedes, it is not held back
        row = defect["sheet_row"] if defect.get("sheet") else defect["row"]
        reasons = where.get((defect["file"], defect.get("sheet"), row))
        assert reasons is not None, defect
        assert defect["expected_reason"] in reasons, (defect, reasons)


def test_late_corrections_supersede_earlier_scores(district):
    manifest, results, _, _, db = district
    corrections = [r for r in results if r.file_name == "panel_scores_correction.csv"]
    assert corrections and corrections[0].rows_changed == corrections[0].rows_read
    with duckdb.connect(str(db), read_only=True) as con:
        superseded = con.execute(
            "SELECT count(*) FROM core.panel_scores_history WHERE _superseded_by IS NOT NULL"
        ).fetchone()[0]
    assert superseded == corrections[0].rows_changed


def test_no_raw_identifier_reaches_the_warehouse(district):
    _, _, _, _, db = district
    with duckdb.connect(str(db), read_only=True) as con:
        ids = con.execute("SELECT student_unique_id FROM core.students LIMIT 1000").fetchall()
    # Pseudonyms are 24 hex digits; the district's numbers are 8 digits.
    assert all(len(i) == 24 and not i.isdigit() for (i,) in ids)


def test_raw_layer_has_every_row_each_batch_read(district):
    # Core holds only new and changed rows; the raw view must still give back each row of
    # every batch (unparsable lines excepted: their text is never stored).
    _, _, _, _, db = district
    with duckdb.connect(str(db), read_only=True) as con:
        kinds = [k for (k,) in con.execute("SELECT DISTINCT kind FROM audit.batches").fetchall()]
        union = " UNION ALL ".join(f"SELECT _batch_id FROM raw.{kind}" for kind in kinds)
        mismatched = con.execute(
            f"""SELECT b.file_name, b.rows_read, count(r._batch_id) AS in_raw,
                   (SELECT count(*) FROM audit.quarantine q
                    WHERE q.batch_id = b.batch_id AND q.row_data IS NULL) AS unreadable
            FROM audit.batches b LEFT JOIN ({union}) r ON r._batch_id = b.batch_id
            GROUP BY b.batch_id, b.file_name, b.rows_read
            HAVING count(r._batch_id) + unreadable <> b.rows_read"""
        ).fetchall()
    assert mismatched == []


def test_ingesting_the_folder_again_changes_nothing(district):
    _, first, _, _, db = district
    folder = next(batch.path for batch in first if batch.kind == "students").parent
    again = ingest_paths([folder], db=db)
    assert [batch.status for batch in again] == ["already_loaded"] * len(first)
    assert [batch.batch_id for batch in again] == [batch.batch_id for batch in first]

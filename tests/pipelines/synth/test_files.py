"""Written files: the manifest lists every file and every defect, exactly where it is."""

from __future__ import annotations

import dataclasses
import json
import zipfile

import openpyxl
import polars as pl
import pytest

from pipelines.synth import generate_district, load_truth
from pipelines.synth.kinds import SIS_HEADERS
from pipelines.synth.writers import FIXED_TIME

SEED = 5
STUDENTS = 1200


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("district")
    result = generate_district(folder, seed=SEED, students=STUDENTS)
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    return folder, result, manifest


def _columns_by_header(kind: str) -> dict[str, str]:
    return {header: column for column, header in SIS_HEADERS.get(kind, {}).items()}


_READ: dict[tuple, pl.DataFrame] = {}


def read_table(folder, entry: dict, sheet: str | None = None) -> pl.DataFrame:
    """A written export (or one sheet of it) as text, under contract column names."""
    place = (str(folder), entry["file"], sheet)
    if place not in _READ:
        _READ[place] = _read(folder, entry, sheet)
    return _READ[place]


def _read(folder, entry: dict, sheet: str | None) -> pl.DataFrame:
    path = folder / entry["file"]
    if entry["format"] == "xlsx":
        header_row = next(s["header_row"] for s in entry["sheets"] if s["sheet"] == sheet)
        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = list(workbook[sheet].iter_rows(min_row=header_row, values_only=True))
        workbook.close()
        width = len(rows[0])
        # Read-only sheets leave out empty cells at the end of a row.
        text = [
            [None if v is None else str(v) for v in row] + [None] * (width - len(row))
            for row in rows[1:]
        ]
        frame = pl.DataFrame(text, schema=[str(h) for h in rows[0]], orient="row")
    else:
        frame = pl.read_csv(path, infer_schema=False)
    return frame.rename(_columns_by_header(entry["kind"]), strict=False)


def _entry(manifest: dict, file: str) -> dict:
    return next(e for e in manifest["files"] if e["file"] == file)


def test_manifest_lists_every_file_with_its_row_count(written):
    folder, result, manifest = written
    listed = {e["file"] for e in manifest["files"]}
    on_disk = {p.name for p in folder.iterdir() if p.suffix in (".csv", ".xlsx")}
    assert listed == on_disk
    for entry in manifest["files"]:
        if entry["format"] == "xlsx":
            rows = sum(read_table(folder, entry, s["sheet"]).height for s in entry["sheets"])
        elif entry["format"] == "csv":
            rows = read_table(folder, entry).height
        else:
            continue
        assert rows == entry["rows"], entry["file"]
    totals: dict[str, int] = {}
    for entry in manifest["files"]:
        totals[entry["kind"]] = totals.get(entry["kind"], 0) + entry["rows"]
    assert totals == result.row_counts


def test_expected_quarantine_counts_every_caught_defect(written):
    _, _, manifest = written
    caught = [d for d in manifest["defects"] if d["expected_check"] is not None]
    assert sum(manifest["expected_quarantine"].values()) == len(caught)


def test_every_listed_defect_is_where_the_manifest_says(written):
    folder, _, manifest = written
    rosters = pl.concat(
        [
            read_table(folder, e)["student_unique_id"]
            for e in manifest["files"]
            if e["kind"] == "students"
        ]
    )
    kinds = {d["defect"] for d in manifest["defects"]}
    assert kinds == {
        "missing_required",
        "duplicate_row",
        "out_of_range_score",
        "unknown_student",
        "late_correction",
    }
    for defect in manifest["defects"]:
        table = read_table(folder, _entry(manifest, defect["file"]), defect["sheet"])
        row = table.row(defect["row"] - 2, named=True)
        if defect["defect"] == "duplicate_row":
            assert row == table.row(defect["detail"]["duplicate_of_row"] - 2, named=True)
        elif defect["defect"] == "missing_required":
            assert row[defect["column"]] is None
        elif defect["defect"] == "out_of_range_score":
            assert float(row["score"]) == 11
        elif defect["defect"] == "unknown_student":
            assert row["student_unique_id"] not in set(rosters)
        elif defect["defect"] == "late_correction":
            correction = read_table(folder, _entry(manifest, defect["detail"]["correction_file"]))
            fixed = correction.row(defect["detail"]["correction_row"] - 2, named=True)
            key = ("student_unique_id", "school_year", "quarter", "reviewer_id", "component")
            assert all(str(fixed[k]) == str(row[k]) for k in key)
            assert float(fixed["score"]) != float(row["score"])


def test_no_defect_goes_unlisted(written):
    folder, _, manifest = written
    rosters = set(
        pl.concat(
            [
                read_table(folder, e)["student_unique_id"]
                for e in manifest["files"]
                if e["kind"] == "students"
            ]
        )
    )
    listed: dict[tuple, int] = {}
    for defect in manifest["defects"]:
        place = (defect["file"], defect["sheet"], defect["defect"])
        listed[place] = listed.get(place, 0) + 1
    found: dict[tuple, int] = {}
    for entry in manifest["files"]:
        sheets = [s["sheet"] for s in entry.get("sheets", [])] or [None]
        for sheet in sheets:
            table = read_table(folder, entry, sheet)
            counts = {
                "duplicate_row": table.height - table.unique().height,
                "missing_required": int(
                    sum(
                        table[c].null_count()
                        for c in ("attendance_status", "role")
                        if c in table.columns
                    )
                ),
                "out_of_range_score": int(
                    (table["score"].cast(pl.Float64) > 10).sum()
                    if entry["kind"] == "panel_scores"
                    else 0
                ),
                "unknown_student": int(
                    (~table["student_unique_id"].is_in(list(rosters))).sum()
                    if entry["kind"] == "panel_scores"
                    else 0
                ),
            }
            for defect, count in counts.items():
                if count:
                    found[(entry["file"], sheet, defect)] = count
    assert found == {k: v for k, v in listed.items() if k[2] != "late_correction"}


def test_students_who_left_mid_year_are_listed_as_real_events_not_defects(written):
    folder, _, manifest = written
    events = manifest["realistic_events"]["left_district_mid_year"]["rows"]
    assert events
    table = read_table(folder, _entry(manifest, events[0]["file"]))
    for event in events:
        row = table.row(event["row"] - 2, named=True)
        assert row["exit_reason"] == "left_district"
        assert row["end_date"] is not None


def test_panel_workbooks_have_a_title_block_and_a_sheet_per_quarter(written):
    folder, _, manifest = written
    entry = next(
        e for e in manifest["files"] if e["kind"] == "panel_scores" and e["format"] == "xlsx"
    )
    workbook = openpyxl.load_workbook(folder / entry["file"], read_only=True)
    sheet = entry["sheets"][0]
    assert workbook.sheetnames == [s["sheet"] for s in entry["sheets"]]
    first_cell = next(workbook[sheet["sheet"]].iter_rows(values_only=True))[0]
    workbook.close()
    assert first_cell.startswith("Employer Panel Portfolio Review")
    assert sheet["header_row"] > 1


def test_xlsx_files_carry_no_time_of_writing(written):
    folder, _, _ = written
    for path in folder.glob("*.xlsx"):
        with zipfile.ZipFile(path) as archive:
            assert {info.date_time for info in archive.infolist()} == {FIXED_TIME.timetuple()[:6]}
            core = archive.read("docProps/core.xml").decode()
        assert FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ") in core


def test_rosters_use_sis_shapes(written):
    folder, _, manifest = written
    entry = next(e for e in manifest["files"] if e["kind"] == "students")
    text = (folder / entry["file"]).read_bytes().decode("utf-8")
    header, first = text.split("\r\n")[:2]
    assert header.startswith("Student Number,School Year,Student Name,Email")
    assert '"' in first and "/" in first  # "Last, First" quoted; MM/DD/YYYY dates


def test_mess_can_be_switched_off(tmp_path):
    truth = load_truth()
    no_defects = dataclasses.replace(
        truth.mess,
        duplicate_row_rate=0.0,
        missing_required_rate=0.0,
        out_of_range_scores=0,
        unknown_student_scores=0,
        late_corrections=0,
    )
    clean = dataclasses.replace(truth, mess=no_defects)
    generate_district(tmp_path, seed=SEED, students=400)
    assert (tmp_path / "panel_scores_correction.csv").exists()
    # Writing a clean district into the same folder removes the earlier run's corrections.
    result = generate_district(tmp_path, seed=SEED, truth=clean, students=400)
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert manifest["defects"] == []
    assert manifest["expected_quarantine"] == {}
    assert not (tmp_path / "panel_scores_correction.csv").exists()


def test_every_export_header_is_recognised_as_its_kind(written):
    from pipelines.contracts import load_contracts
    from pipelines.ingest import columns as staging

    folder, _, manifest = written
    contracts = load_contracts()
    for entry in manifest["files"]:
        if entry["format"] not in ("csv", "xlsx"):
            continue
        sheet = entry["sheets"][0]["sheet"] if entry["format"] == "xlsx" else None
        if entry["format"] == "xlsx":
            header_row = entry["sheets"][0]["header_row"]
            workbook = openpyxl.load_workbook(folder / entry["file"], read_only=True)
            header = next(workbook[sheet].iter_rows(min_row=header_row, values_only=True))
            workbook.close()
        else:
            header = (folder / entry["file"]).read_bytes().decode("utf-8").splitlines()[0]
            header = pl.read_csv(header.encode(), infer_schema=False).columns
        mapping = staging.map_columns(contracts[entry["kind"]], list(header))
        assert not mapping.missing_required, entry["file"]
        assert not mapping.extra, (entry["file"], mapping.extra)
        assert staging.infer_kind(contracts, list(header), entry["file"]) == entry["kind"]

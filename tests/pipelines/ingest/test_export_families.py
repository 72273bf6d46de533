"""Each family of export a district data coordinator sends loads as its kind, or is refused
with the right one line (exit code 2, nothing loaded). Files: tests/fixtures/exports/ and
tests/fixtures/surveys/ (synthetic content, real layouts)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipelines.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EXPORTS = FIXTURES / "exports"
SURVEYS = FIXTURES / "surveys"

#: file, extra options -> (kind, rows accepted) loaded
LOADS = {
    "PowerSchool student export": (EXPORTS / "powerschool_students.csv", (), ("students", 3)),
    "xlsx class roster below a title block": (EXPORTS / "class_roster.xlsx", (), ("students", 2)),
    "Qualtrics, current layout": (
        SURVEYS / "qualtrics_codes.csv",
        ("--item-map", SURVEYS / "student_ai_pre.item_map.yaml"),
        ("survey_responses", 13),
    ),
    "Qualtrics, choice text in Spanish": (
        SURVEYS / "qualtrics_text.csv",
        ("--item-map", SURVEYS / "student_ai_pre.item_map.yaml"),
        ("survey_responses", 13),
    ),
    "Google Forms, Sheets download": (
        SURVEYS / "teacher_ai_pre_sheets.csv",
        ("--item-map", SURVEYS / "teacher_ai_pre_full.item_map.yaml"),
        ("survey_responses", None),
    ),
    "Google Forms, direct download": (
        SURVEYS / "teacher_ai_pre_direct.csv",
        ("--item-map", SURVEYS / "teacher_ai_pre_full.item_map.yaml"),
        ("survey_responses", None),
    ),
    "Qualtrics, legacy layout": (
        SURVEYS / "qualtrics_legacy_2016.csv",
        ("--item-map", SURVEYS / "qualtrics_legacy_2016.item_map.yaml"),
        ("survey_responses", None),
    ),
    "Google Forms, direct download in Spanish": (
        EXPORTS / "google_forms_spanish.csv",
        (),
        ("survey_responses", 3),
    ),
    "SurveyMonkey, expanded": (SURVEYS / "surveymonkey_expanded.csv", (), ("survey_responses", 13)),
}
#: file, extra options -> the start of the one line it is refused with
REFUSED = {
    "School Data Sync student file (no sex column)": (
        EXPORTS / "sds_student.csv",
        ("--kind", "students"),
        "sds_student.csv: column sex: required column sex is missing for kind students",
    ),
    "School Data Sync student file, kind inferred": (
        EXPORTS / "sds_student.csv",
        (),
        "sds_student.csv: its header matches no source kind (sis_id, school_sis_id, username, "
        "password, first_name, last_name); closest is students, which also needs sex",
    ),
    "NWEA MAP assessment results": (
        EXPORTS / "nwea_map_assessment_results.csv",
        (),
        "nwea_map_assessment_results.csv: its header matches no source kind",
    ),
    "DIBELS 8 benchmark scores": (
        EXPORTS / "dibels8_benchmark.csv",
        (),
        "dibels8_benchmark.csv: its header matches no source kind",
    ),
    "ACT student scores": (
        EXPORTS / "act_student_scores.csv",
        (),
        "act_student_scores.csv: its header matches no source kind",
    ),
}


def ingest(warehouse_path, path: Path, options) -> object:
    arguments = ["ingest", "--db", str(warehouse_path), str(path), *map(str, options)]
    return CliRunner().invoke(main, arguments, catch_exceptions=False)


@pytest.mark.parametrize("family", sorted(LOADS))
def test_an_export_family_loads_as_its_kind(warehouse_path, family):
    path, options, (kind, accepted) = LOADS[family]
    result = ingest(warehouse_path, path, options)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        loaded = con.execute(
            "SELECT kind, sum(rows_accepted), sum(rows_quarantined) FROM audit.batches "
            "WHERE kind = ? GROUP BY kind",
            [kind],
        ).fetchone()
    assert loaded[0] == kind
    if accepted is not None:
        assert loaded[1:] == (accepted, 0)


@pytest.mark.parametrize("family", sorted(REFUSED))
def test_an_export_family_outside_the_contracts_is_refused_with_one_line(warehouse_path, family):
    path, options, line = REFUSED[family]
    result = ingest(warehouse_path, path, options)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {line}")
    assert len(result.output.strip().splitlines()) == 1
    assert not warehouse_path.exists()

"""Survey exports: Qualtrics and Google Forms files whose item maps give back the answers."""

from __future__ import annotations

import json

import polars as pl
import pytest

from pipelines.ingest import surveys
from pipelines.synth import generate_district, load_truth, simulate_district

SEED = 9
STUDENTS = 800


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("surveys")
    result = generate_district(folder, seed=SEED, students=STUDENTS)
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    frames = simulate_district(load_truth().scaled_to(STUDENTS), seed=SEED)
    entries = [e for e in manifest["files"] if e["kind"] == "survey_responses"]
    return folder, entries, frames


def test_every_survey_export_has_an_item_map_beside_it(written):
    folder, entries, _ = written
    layouts = {e["format"] for e in entries}
    assert layouts == {"qualtrics", "google_forms"}
    for entry in entries:
        assert (folder / entry["item_map"]).exists()
        assert surveys.detect_survey_layout(folder / entry["file"]) == entry["format"]


def test_qualtrics_exports_have_three_header_rows(written):
    folder, entries, _ = written
    entry = next(e for e in entries if e["format"] == "qualtrics")
    lines = (folder / entry["file"]).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("StartDate,EndDate")
    assert lines[1].startswith("Start Date,End Date")
    assert '""ImportId""' in lines[2]


def test_reshaped_exports_give_back_the_simulated_answers(written):
    folder, entries, frames = written
    for entry in entries:
        item_map = surveys.load_item_map(folder / entry["item_map"])
        reshaped = surveys.reshape_survey(folder / entry["file"], item_map)
        assert len(reshaped.responses) == entry["answers"], entry["file"]
        assert reshaped.respondents_kept == entry["rows"]
        role = item_map.respondent_role
        answers = frames.student_answers if role == "student" else frames.teacher_answers
        expected = answers.filter(pl.col("wave") == item_map.wave)
        if "school_year" in entry:
            expected = expected.filter(pl.col("school_year") == entry["school_year"])
        got = pl.from_pandas(
            reshaped.responses[["respondent_unique_id", "item_id", "response_value"]].astype(str)
        ).with_columns(pl.col("response_value").replace("None", None))
        keys = ["respondent_unique_id", "item_id", "response_value"]
        assert got.sort(keys, nulls_last=True).equals(
            expected.select(keys).sort(keys, nulls_last=True)
        ), entry["file"]


def test_item_maps_define_each_item_once_with_a_stable_survey(written):
    folder, entries, _ = written
    definitions = {}
    for entry in entries:
        item_map = surveys.load_item_map(folder / entry["item_map"])
        for row in item_map.items_frame().to_dict("records"):
            definitions.setdefault(row["item_id"], row)
            assert definitions[row["item_id"]] == row

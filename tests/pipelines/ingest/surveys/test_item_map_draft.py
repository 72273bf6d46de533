"""Drafting an item map from an export, and checking a map against its export."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.ingest.surveys.item_map_draft import check_item_map, draft_item_map

SURVEYS = Path(__file__).resolve().parents[3] / "fixtures" / "surveys"
EXPORTS = [
    "qualtrics_codes.csv",
    "qualtrics_text.csv",
    "qualtrics_legacy_2016.csv",
    "teacher_ai_pre_sheets.csv",
    "teacher_ai_pre_direct.csv",
    "surveymonkey_expanded.csv",
]


def filled_in(text: str) -> str:
    """The draft with each construct filled in, as the person reading it would."""
    return re.sub(r"construct: +#[^\n]*", "construct: other", text)


@pytest.mark.parametrize("export", EXPORTS)
def test_a_drafted_map_with_its_constructs_filled_in_reads_its_export(tmp_path, export):
    source = tmp_path / export
    shutil.copy(SURVEYS / export, source)
    item_map = tmp_path / "draft.item_map.yaml"
    item_map.write_text(filled_in(draft_item_map(source)), encoding="utf-8")
    lines = check_item_map(item_map, source)
    assert re.match(r"\d+ items; [\d,]+ answers from \d+ responses would load", lines[0])
    assert not any("without a definition" in line for line in lines)


def test_a_draft_leaves_out_names_e_mails_and_qualtrics_metadata(tmp_path):
    text = draft_item_map(SURVEYS / "qualtrics_codes.csv")
    assert "Recipient" not in text and "IPAddress" not in text and "Location" not in text
    assert "respondent_id:\n  import_id: externalDataReference" in text


def test_a_draft_detects_the_scales_its_answers_give_away():
    item_map_text = filled_in(draft_item_map(SURVEYS / "qualtrics_text.csv", survey_id="s1"))
    scales = re.findall(r"response_scale: (\w+)", item_map_text)
    assert scales == ["likert_5", "yes_no", "learn_level", "text", "text"]


def test_a_draft_as_written_is_refused_until_its_constructs_are_filled_in(tmp_path):
    item_map = tmp_path / "draft.item_map.yaml"
    item_map.write_text(draft_item_map(SURVEYS / "qualtrics_codes.csv"), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["item-map", "check", str(item_map), str(SURVEYS / "qualtrics_codes.csv")]
    )
    assert result.exit_code == 2
    assert "has no construct; add construct: to the item map" in result.output


def test_init_writes_beside_the_export_and_keeps_a_map_already_there(tmp_path):
    export = tmp_path / "pilot.csv"
    shutil.copy(SURVEYS / "qualtrics_codes.csv", export)
    first = CliRunner().invoke(main, ["item-map", "init", str(export), "--wave", "post"])
    assert first.exit_code == 0, first.output
    assert "wave: post" in (tmp_path / "pilot.item_map.yaml").read_text(encoding="utf-8")
    again = CliRunner().invoke(main, ["item-map", "init", str(export)])
    assert again.exit_code == 2
    assert "an item map is already there; pass --force to replace it" in again.output

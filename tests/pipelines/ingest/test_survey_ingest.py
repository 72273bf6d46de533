"""Survey exports through the whole ingest: loaded once, and an item map shared by exports."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
from click.testing import CliRunner

from pipelines.cli import main

SURVEYS = Path(__file__).resolve().parents[2] / "fixtures" / "surveys"


def ingest(warehouse_path, *arguments) -> object:
    return CliRunner(env={"COLUMNS": "200"}).invoke(
        main, ["ingest", "--db", str(warehouse_path), *map(str, arguments)], catch_exceptions=False
    )


def query(warehouse_path, sql):
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_same_survey_export_twice_is_a_no_op(warehouse_path, tmp_path):
    export = tmp_path / "student_ai_pre.csv"
    shutil.copy(SURVEYS / "qualtrics_codes.csv", export)
    item_map = SURVEYS / "student_ai_pre.item_map.yaml"
    first = ingest(warehouse_path, export, "--item-map", item_map)
    assert first.exit_code == 0, first.output
    again = ingest(warehouse_path, export, "--item-map", item_map)
    assert again.exit_code == 0, again.output
    # The export and the item definitions its map holds: each a batch, each loaded before.
    assert "0 file(s) loaded, 2 already loaded" in again.output
    batches = query(warehouse_path, "SELECT kind FROM audit.batches ORDER BY batch_id")
    assert batches == [("survey_items",), ("survey_responses",)]


def test_a_second_export_sharing_the_item_map_loads_its_own_responses(warehouse_path, tmp_path):
    item_map = SURVEYS / "student_ai_pre.item_map.yaml"
    first = tmp_path / "period_1.csv"
    shutil.copy(SURVEYS / "qualtrics_codes.csv", first)
    second = tmp_path / "period_2.csv"
    second.write_text(first.read_text(encoding="utf-8").replace("R_1", "R_2"), encoding="utf-8")
    result = ingest(warehouse_path, first, second, "--item-map", item_map)
    assert result.exit_code == 0, result.output
    # The map's item definitions load once; the second export finds them loaded.
    assert "3 file(s) loaded, 1 already loaded" in result.output
    counted = query(
        warehouse_path,
        "SELECT left(response_id, 3), count(DISTINCT response_id) FROM core.survey_responses "
        "GROUP BY 1 ORDER BY 1",
    )
    assert [prefix for prefix, _ in counted] == ["R_1", "R_2"]
    assert counted[0][1] == counted[1][1] > 0


def without_definitions(item_map: Path, target: Path) -> Path:
    """``item_map`` with its items' definitions taken out, as a later wave's map may be."""
    kept = [
        line
        for line in item_map.read_text(encoding="utf-8").splitlines()
        if not line.strip().startswith(("construct:", "wording:", "scale_min:", "scale_max:"))
    ]
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


def test_a_map_that_defines_no_item_is_refused_with_one_line(warehouse_path, tmp_path):
    export = tmp_path / "student_ai_post.csv"
    shutil.copy(SURVEYS / "qualtrics_codes.csv", export)
    bare = without_definitions(
        SURVEYS / "student_ai_pre.item_map.yaml", tmp_path / "bare.item_map.yaml"
    )
    result = ingest(warehouse_path, export, "--item-map", bare)
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {bare}: items S_CONF, S_TOOL, S_LIT, S_TOOLS, S_COMMENT are defined neither "
        "in this item map nor by a survey loaded before; give each a construct:, wording: "
        "and response_scale: (data/schemas/ITEM_MAPS.md), or load the survey whose map "
        "defines them first"
    )
    assert not Path(warehouse_path).exists() or query(
        warehouse_path, "SELECT count(*) FROM audit.batches"
    ) == [(0,)]


def test_a_later_waves_map_may_rely_on_an_earlier_waves_definitions(warehouse_path, tmp_path):
    pre, post = tmp_path / "pre.csv", tmp_path / "post.csv"
    shutil.copy(SURVEYS / "qualtrics_codes.csv", pre)
    post.write_text(pre.read_text(encoding="utf-8").replace("R_1", "R_9"), encoding="utf-8")
    first = ingest(warehouse_path, pre, "--item-map", SURVEYS / "student_ai_pre.item_map.yaml")
    assert first.exit_code == 0, first.output
    bare = without_definitions(
        SURVEYS / "student_ai_pre.item_map.yaml", tmp_path / "post.item_map.yaml"
    )
    second = ingest(warehouse_path, post, "--item-map", bare)
    assert second.exit_code == 0, second.output
    assert query(warehouse_path, "SELECT count(*) FROM audit.quarantine") == [(0,)]


def all_test_responses(tmp_path: Path) -> Path:
    """The codes export with every response's Status made 2 (survey test)."""
    lines = (SURVEYS / "qualtrics_codes.csv").read_text(encoding="utf-8").splitlines()
    tested = lines[:3] + [re.sub(r"^([^,]*,[^,]*),\d,", r"\1,2,", line) for line in lines[3:]]
    export = tmp_path / "pilot.csv"
    export.write_text("\n".join(tested) + "\n", encoding="utf-8")
    return export


def test_an_export_of_test_responses_only_warns_that_nothing_loads(warehouse_path, tmp_path):
    export = all_test_responses(tmp_path)
    result = ingest(warehouse_path, export, "--item-map", SURVEYS / "student_ai_pre.item_map.yaml")
    assert result.exit_code == 0, result.output
    assert "warning: pilot.csv: every response was left out" in result.output
    assert "--include-test-responses" in result.output


def test_test_responses_load_when_the_operator_says_they_are_real(warehouse_path, tmp_path):
    export = all_test_responses(tmp_path)
    result = ingest(
        warehouse_path,
        export,
        "--item-map",
        SURVEYS / "student_ai_pre.item_map.yaml",
        "--include-test-responses",
    )
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    responses = query(
        warehouse_path, "SELECT count(DISTINCT response_id) FROM core.survey_responses"
    )
    assert responses == [(5,)]  # six responses, all in test mode; one unfinished

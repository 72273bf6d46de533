"""Survey exports through the whole ingest: loaded once, and an item map shared by exports."""

from __future__ import annotations

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

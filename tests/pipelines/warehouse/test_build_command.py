"""`outcomes build` and the build at the end of `outcomes ingest`, as an operator runs them."""

from __future__ import annotations

from pathlib import Path

import duckdb
from click.testing import CliRunner

from pipelines.cli import main

DISTRICT = Path(__file__).resolve().parents[2] / "fixtures" / "district"


def stored_builds(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT build_id, as_of_batch_id FROM audit.mart_builds").fetchall()


def test_ingest_builds_the_marts_once_when_it_finishes(warehouse_path):
    result = CliRunner().invoke(main, ["ingest", str(DISTRICT), "--db", str(warehouse_path)])
    assert result.exit_code == 0, result.output
    assert "built 15 marts as of batch 6" in result.output
    assert stored_builds(warehouse_path) == [(1, 6)]


def test_ingest_with_no_build_leaves_the_marts_for_later(warehouse_path):
    runner = CliRunner()
    runner.invoke(main, ["ingest", str(DISTRICT), "--db", str(warehouse_path), "--no-build"])
    assert stored_builds(warehouse_path) == []
    result = runner.invoke(main, ["build", "--db", str(warehouse_path), "--as-of", "3"])
    assert result.exit_code == 0, result.output
    assert "as of batch 3; parameters: " in result.output
    assert "portfolio_standard=7.0" in result.output
    assert stored_builds(warehouse_path) == [(1, 3)]


def test_a_wrong_as_of_is_one_line_and_exit_2(warehouse_path):
    runner = CliRunner()
    runner.invoke(main, ["ingest", str(DISTRICT), "--db", str(warehouse_path)])
    result = runner.invoke(main, ["build", "--db", str(warehouse_path), "--as-of", "yesterday"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --as-of: 'yesterday' is neither a batch id nor a date; give a batch id "
        "(see outcomes batches) or a date as YYYY-MM-DD"
    ]
    assert stored_builds(warehouse_path) == [(1, 6)]


def test_a_wrong_parameter_is_one_line_and_exit_2(warehouse_path):
    runner = CliRunner()
    runner.invoke(main, ["ingest", str(DISTRICT), "--db", str(warehouse_path), "--no-build"])
    result = runner.invoke(main, ["build", "--db", str(warehouse_path), "--param", "standard"])
    assert result.exit_code == 2
    assert "error: --param: 'standard' is not NAME=VALUE" in result.output
    assert stored_builds(warehouse_path) == []

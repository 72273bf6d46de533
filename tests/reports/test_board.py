"""The board's report: one offline HTML file drawn from stored results, readable by a
trustee and by a screen reader, with no small count published."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main

SCORED = ("female_retention_girls_only", "near_peer_knowledge_retention")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def scored_db(synthetic_warehouse, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("board") / "outcomes.duckdb"
    shutil.copy(synthetic_warehouse.db, db)
    claims = ["claims", "--db", str(db), "--format", "json"]
    for claim_id in SCORED:
        claims += ["--claim", claim_id]
    assert invoke(*claims).exit_code == 0
    return db


@pytest.fixture(scope="module")
def page(scored_db, tmp_path_factory) -> str:
    """The report with a projection stored too (in its own copy: scored_db stays without)."""
    out = tmp_path_factory.mktemp("board-out")
    db = out / "with-roi.duckdb"
    shutil.copy(scored_db, db)
    roi = invoke("roi", "--db", str(db), "--draws", "2000")
    assert roi.exit_code == 0, roi.output
    result = invoke("report", "board", "--db", str(db), "--out", str(out))
    assert result.exit_code == 0, result.output
    return (out / "board.html").read_text(encoding="utf-8")


def test_headings_run_in_order_from_one_title(page):
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


def test_every_chart_has_a_text_alternative_its_numbers_and_questions(page):
    charts = re.findall(r'<div class="chart" role="img" aria-label="([^"]+)">', page)
    assert len(charts) == 4
    assert page.count("<summary>The numbers in this chart</summary>") == 4
    assert page.count("<strong>What this shows:</strong>") == 4
    assert page.count("<strong>Questions to ask:</strong>") == 4


def test_the_report_loads_nothing_from_the_network(page):
    assert not re.search(r"<script[^>]+src=", page)
    assert "<link" not in page
    # plotly's library is inlined once, not once a chart.
    assert page.count("Plotly.newPlot") == 4


def test_the_first_page_tells_where_it_stands_and_the_outlook(page):
    first = re.search(r'<section class="first-page".*?</section>', page, re.S).group(0)
    assert "studio teams" in first
    assert "Girls-only teams keep more girls: the documents claim 5x" in first
    assert "chance that benefits exceed costs is" in first


def test_no_count_of_fewer_than_eleven_students_is_published(page):
    equity = re.search(r'<section aria-labelledby="equity">.*?</section>', page, re.S).group(0)
    counts = [int(c) for c in re.findall(r"<td>(\d+)</td>", equity)]
    assert all(c >= 11 for c in counts if c < 2000)  # school years are not counts


def test_without_a_projection_the_report_says_which_command_to_run(scored_db, tmp_path):
    db = tmp_path / "no-roi.duckdb"
    shutil.copy(scored_db, db)
    result = invoke("report", "board", "--db", str(db), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "board.html").read_text(encoding="utf-8")
    assert "No projection is stored: run <code>outcomes roi</code>." in text


def test_without_a_scorecard_nothing_is_written_exit_2(synthetic_warehouse, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(synthetic_warehouse.db, db)
    result = invoke("report", "board", "--db", str(db), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: outcomes report board: no scorecard is stored; run `outcomes claims` first"
    )
    assert not (tmp_path / "out").exists()

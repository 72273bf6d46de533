"""The grant writers' page: offline, every metric and claim a sentence, never more than the
evidence says."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main

SCORED = ("female_retention_girls_only", "lottery_ai_confidence")


@pytest.fixture(scope="module")
def page(synthetic_warehouse, tmp_path_factory) -> str:
    """The page of the synthetic district with two claims scored and stored."""
    folder = tmp_path_factory.mktemp("grants")
    db = folder / "outcomes.duckdb"
    shutil.copy(synthetic_warehouse.db, db)
    claims = ["claims", "--db", str(db), "--format", "json"]
    for claim_id in SCORED:
        claims += ["--claim", claim_id]
    assert CliRunner().invoke(main, claims).exit_code == 0
    result = CliRunner().invoke(main, ["report", "grants", "--db", str(db), "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return (folder / "grants.html").read_text(encoding="utf-8")


def test_every_catalog_metric_has_a_sentence_and_a_copy_button(page):
    from reports.catalog import load_catalog

    for metric in load_catalog().metrics:
        if metric.claim_id and metric.claim_id not in SCORED:
            continue
        assert f'<span class="id">{metric.id}</span>' in page
    assert page.count('<p class="sentence"') == page.count("data-copy=")


def test_the_page_needs_no_network(page):
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page


def test_an_untested_claim_reads_as_untested_with_no_evidence_tier(page):
    sentence = re.search(r'<p class="sentence"[^>]*>A seat in a studio team[^<]*', page).group(0)
    assert "cannot yet test it" in sentence
    assert "Evidence: none yet (the data give no estimate)" in page


def test_claims_the_stored_run_did_not_score_are_named(page):
    assert "Claims not in the stored scorecard" in page
    assert "near_peer_knowledge_retention" in page


def test_without_a_scorecard_the_command_says_which_to_run(synthetic_warehouse, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(synthetic_warehouse.db, db)
    result = CliRunner().invoke(main, ["report", "grants", "--db", str(db), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: outcomes report grants: no scorecard is stored; run `outcomes claims` first"
    )
    assert not (tmp_path / "grants.html").exists()


def test_an_output_folder_that_cannot_be_written_is_refused(synthetic_warehouse, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    db = tmp_path / "copy.duckdb"
    shutil.copy(synthetic_warehouse.db, db)
    CliRunner().invoke(main, ["claims", "--db", str(db), "--claim", SCORED[0]])
    result = CliRunner().invoke(
        main, ["report", "grants", "--db", str(db), "--out", str(blocked / "sub")]
    )
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {blocked / 'sub'}: cannot be written")


def test_a_page_is_written_whole_or_not_at_all(tmp_path):
    from reports.output import write_atomically

    path = write_atomically(tmp_path / "out", "page.html", "<p>whole</p>")
    assert path.read_text() == "<p>whole</p>"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["page.html"]
    assert Path(path).stat().st_mode & 0o777 == 0o644

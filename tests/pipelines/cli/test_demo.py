"""``outcomes demo``, as ``make demo`` runs it: every user's output written, every path
printed, in one process (slow: about a minute)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    folder = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [sys.executable, "-c", "from pipelines.cli import run; run()", "demo",
         "--db", str(folder / "outcomes.duckdb"), "--out", str(folder / "reports")],
        cwd=REPO,
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    return done, folder


@pytest.mark.slow
def test_the_demo_succeeds(demo_run):
    done, _ = demo_run
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow
def test_the_demo_writes_the_board_the_grants_page_and_a_research_extract(demo_run):
    _, folder = demo_run
    reports = folder / "reports"
    for name in ("board.html", "board.pdf", "grants.html"):
        assert (reports / name).stat().st_size > 0, name
    assert (reports / "board.pdf").read_bytes().startswith(b"%PDF")
    manifest = json.loads((reports / "research" / "demo-university" / "manifest.json").read_text())
    assert len(manifest["scorecard"]["claims"]) > 30


@pytest.mark.slow
def test_the_demo_prints_where_each_output_went(demo_run):
    done, _ = demo_run
    # The command's console writes to stderr (stdout stays free for data); rich wraps lines.
    output = " ".join(done.stderr.split())
    for line in (
        "board report (13 charts",
        "board report as PDF:",
        "grant writers' page",
        "research extract for demo-university",
        "done in",
    ):
        assert line in output, line


@pytest.mark.slow
def test_the_demo_loads_every_file_of_the_synthetic_district(demo_run):
    _, folder = demo_run
    with duckdb.connect(str(folder / "outcomes.duckdb"), read_only=True) as con:
        batches = con.execute("SELECT count(*) FROM audit.batches").fetchone()[0]
    assert batches == 44

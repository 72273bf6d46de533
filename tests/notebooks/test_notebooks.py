"""The notebooks: each a jupytext percent file that opens with a markdown cell, and each
run top to bottom against a demo warehouse by ``notebooks/render.py`` without a cell error
(slow: a warehouse scored and projected, then a kernel per notebook)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

REPO = Path(__file__).resolve().parents[2]
RENDER = REPO / "notebooks" / "render.py"
NOTEBOOKS = sorted(p for p in (REPO / "notebooks").glob("*.py") if p != RENDER)
NAMES = [p.stem for p in NOTEBOOKS]


def render(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RENDER), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_four_notebooks_are_there():
    assert NAMES == ["claims_analysis", "data_quality", "replication", "roi_scenarios"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_a_notebook_is_a_percent_file_that_opens_with_markdown_naming_make_demo(path):
    notebook = jupytext.read(path, fmt="py:percent")
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown"
    assert "code" in kinds
    assert "make demo" in notebook.cells[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_a_notebook_has_no_empty_cell(path):
    notebook = jupytext.read(path, fmt="py:percent")
    assert [i for i, cell in enumerate(notebook.cells) if not cell.source.strip()] == []


def test_without_a_warehouse_rendering_stops_with_one_line_naming_make_demo(tmp_path):
    result = render("--db", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stdout.strip().count("\n") == 0
    assert "run `make demo` first" in result.stdout
    assert not (tmp_path / "out").exists()


def test_an_unknown_notebook_is_refused_with_the_known_ones(tmp_path):
    db = tmp_path / "outcomes.duckdb"
    db.touch()
    result = render("tutorial", "--db", str(db), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stdout.strip() == ("no notebook tutorial; the notebooks are " + ", ".join(NAMES))


@pytest.fixture(scope="module")
def demo_db(synthetic_warehouse, tmp_path_factory) -> Path:
    """The synthetic district with a stored scorecard and projection, as `make demo`
    leaves it (fewer draws: the notebooks only read them)."""
    from click.testing import CliRunner

    from pipelines.cli import main

    db = tmp_path_factory.mktemp("notebooks") / "outcomes.duckdb"
    shutil.copy(synthetic_warehouse.db, db)
    for args in (["claims", "--format", "json"], ["roi", "--draws", "2000"]):
        result = CliRunner().invoke(main, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    return db


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_notebook_runs_top_to_bottom_and_writes_its_page_with_plotly_inside(
    name, demo_db, tmp_path
):
    result = render(name, "--db", str(demo_db), "--out", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
    assert "Plotly.newPlot" in page
    assert "plotly.js v" in page  # the library itself, so the charts draw offline
    assert "cdn.plot.ly/plotly" not in page
    assert not re.search(r"<script[^>]*src=\"https?://", page)

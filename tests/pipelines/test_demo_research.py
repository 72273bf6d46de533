"""The demo cuts its research extract from a copy of the scored warehouse in a second
process, or, for a warehouse too large to copy, in its own process at once."""

from __future__ import annotations

import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest
from rich.console import Console

from pipelines.demo import run as demo

SCORED = ("female_retention_girls_only",)


@pytest.fixture(scope="module")
def scored_db(synthetic_warehouse, scored_copy, tmp_path_factory):
    return scored_copy(synthetic_warehouse.db, tmp_path_factory.mktemp("demo"), SCORED)


class NoSecondProcess:
    def submit(self, *args, **kwargs):
        raise AssertionError("nothing should go to the second process")


def test_the_extract_is_cut_in_a_second_process_from_a_copy_of_the_warehouse(scored_db, tmp_path):
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as second:
        lines = demo._cut_research(
            second, scored_db, tmp_path / "scratch", tmp_path / "out", Console(file=io.StringIO())
        ).result()
    assert lines[0].startswith("research extract for demo-university")
    assert (tmp_path / "scratch" / "scored" / scored_db.name).exists()
    assert (tmp_path / "out" / "research" / "demo-university" / "manifest.json").exists()


def test_a_warehouse_too_large_to_copy_has_its_extract_cut_here(scored_db, tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "SNAPSHOT_LIMIT_BYTES", 0)
    future = demo._cut_research(
        NoSecondProcess(),
        scored_db,
        tmp_path / "scratch",
        tmp_path / "out",
        Console(file=io.StringIO()),
    )
    assert future.done()
    assert future.result()[0].startswith("research extract for demo-university")
    assert not (tmp_path / "scratch").exists()

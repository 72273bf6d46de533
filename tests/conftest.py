"""Shared fixtures: a private pseudonym key and a throwaway warehouse for every test, and
the synthetic district ingested once for the tests that read a whole district."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.sql_text import quote_ident

TEST_KEY = "test-key-0123456789abcdef-not-for-real-data"


@pytest.fixture(autouse=True, scope="session")
def session_pseudonym_key(tmp_path_factory):
    """Fixtures wider than one test (a district ingested once per module) run before the
    per-test key is set: they get the same key, and never the user's key file either."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OUTCOMES_PSEUDONYM_KEY", TEST_KEY)
        patch.setenv("OUTCOMES_KEY_FILE", str(tmp_path_factory.mktemp("keys") / "pseudonym.key"))
        patch.delenv("OUTCOMES_DB", raising=False)
        yield TEST_KEY


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch, tmp_path) -> str:
    """Every test pseudonymizes with a known key and never touches the user's key file."""
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(tmp_path / "keys" / "pseudonym.key"))
    monkeypatch.delenv("OUTCOMES_DB", raising=False)
    return TEST_KEY


#: The seed of the synthetic district the demo and the district-wide tests use.
SYNTHETIC_SEED = 20240801


@dataclass(frozen=True)
class SyntheticWarehouse:
    """The synthetic district's export folder, its manifest, the ingest results and the
    warehouse they were loaded into (marts built)."""

    folder: Path
    manifest: dict
    results: list
    db: Path


@pytest.fixture(scope="session")
def synthetic_warehouse(tmp_path_factory, session_pseudonym_key) -> SyntheticWarehouse:
    """The default synthetic district, generated, ingested and built once per test run.
    Tests must not change it (a re-ingest of the same folder is fine: it changes nothing)."""
    from pipelines.ingest import ingest_paths
    from pipelines.synth import generate_district
    from pipelines.warehouse.marts import build_marts

    folder = tmp_path_factory.mktemp("synthetic") / "district"
    generate_district(folder, seed=SYNTHETIC_SEED)
    db = folder.parent / "synthetic.duckdb"
    results = ingest_paths([folder], db=db)
    with duckdb.connect(str(db)) as con:
        build_marts(con)
    manifest = json.loads((folder / "manifest.json").read_text())
    return SyntheticWarehouse(folder, manifest, results, db)


@pytest.fixture(scope="session")
def scored_copy():
    """``scored_copy(source, folder, claim_ids)``: a copy of the warehouse ``source`` in
    ``folder`` with those claims scored and stored (only some claims keeps a test fast)."""
    return _scored_copy


def _scored_copy(source: Path, folder: Path, claim_ids) -> Path:
    import shutil

    from click.testing import CliRunner

    from pipelines.cli import main

    db = folder / "outcomes.duckdb"
    shutil.copy(source, db)
    arguments = ["claims", "--db", str(db), "--format", "json"]
    for claim_id in claim_ids:
        arguments += ["--claim", claim_id]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def warehouse_path(tmp_path) -> Path:
    return tmp_path / "warehouse" / "outcomes.duckdb"


@pytest.fixture
def write_file(tmp_path):
    """Write a small export file: ``write_file("students.csv", "a,b\\n1,2\\n")``."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / "exports" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def read_warehouse_texts(db: Path, *, text_columns_only: bool = False) -> dict[str, list[str]]:
    """Every distinct value of every table and view column of the warehouse at ``db``, as
    text, by ``schema.table.column`` (only VARCHAR columns if ``text_columns_only``): what a
    privacy test searches for a value that must not be stored."""
    only_text = " AND data_type = 'VARCHAR'" if text_columns_only else ""
    found: dict[str, list[str]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            f"WHERE table_catalog = current_database(){only_text}"
        ).fetchall()
        for schema, table, column in columns:
            where = f"{quote_ident(schema)}.{quote_ident(table)}"
            values = con.execute(
                f"SELECT DISTINCT CAST({quote_ident(column)} AS VARCHAR) FROM {where}"
            ).fetchall()
            found[f"{schema}.{table}.{column}"] = [v for (v,) in values if v is not None]
    return found


@pytest.fixture
def warehouse_texts():
    """``read_warehouse_texts``, for the tests that search a warehouse for a value."""
    return read_warehouse_texts


# With great-expectations and duckdb_engine loaded, DuckDB 2.0's bindings print spurious
# "nanobind: leaked ..." lines while the interpreter shuts down, after pytest's summary.
# Once pytest has reported, leave at once with its exit status (as `outcomes` does).
_exit_status: list[int] = []


def pytest_sessionfinish(session, exitstatus):
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    import os
    import sys

    if _exit_status and "duckdb_engine" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[-1])

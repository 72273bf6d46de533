"""How core stores its columns: declared compression where DuckDB's own choice is slow."""

from __future__ import annotations

from pipelines.contracts import load_contracts
from pipelines.warehouse.layout import table_ddl


def test_pseudonym_columns_are_stored_with_zstd_and_other_columns_as_duckdb_chooses():
    history = table_ddl(load_contracts()["session_attendance"])[0]
    assert '"student_unique_id" VARCHAR USING COMPRESSION zstd' in history
    assert '"team_id" VARCHAR,' in history

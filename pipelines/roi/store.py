"""Write a benefit-cost run to the warehouse (``results.roi_*``), and read the newest back."""

from __future__ import annotations

import json
import uuid

import duckdb
import pandas as pd

from pipelines.roi.run import RoiRun
from pipelines.scorecard.store import package_versions
from pipelines.sql_text import read_sql
from pipelines.warehouse.transaction import transaction

#: The per-scenario tables and the frame each is written from.
SCENARIO_TABLES = {
    "roi_summary": lambda r: r.projection.to_frame(),
    "roi_probabilities": lambda r: r.projection.probability_frame(),
    "roi_fan": lambda r: r.projection.fan_frame(),
    "roi_yearly": lambda r: r.projection.yearly_frame(),
    "roi_ingredients": lambda r: r.projection.ingredients_frame(),
    "roi_per_unit": lambda r: r.projection.per_unit_frame(),
    "roi_inputs": lambda r: r.projection.inputs_frame().assign(scenario=r.scenario.name),
    "roi_tornado": lambda r: r.tornado.to_frame(),
    "roi_break_even": lambda r: pd.concat(
        [b.to_frame() for b in r.break_even] or [pd.DataFrame()], ignore_index=True
    ),
}


def ensure_roi_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in read_sql(__package__, "roi_tables.sql").split(";"):
        if statement.strip():
            con.execute(statement)


def store_roi(con: duckdb.DuckDBPyConnection, run: RoiRun) -> str:
    """Append the run and every scenario's tables in one transaction; the run's id."""
    ensure_roi_tables(con)
    run_id = uuid.uuid4().hex[:16]
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in SCENARIO_TABLES}
    for scenario_run in run.scenarios:
        for name, make in SCENARIO_TABLES.items():
            frames[name].append(make(scenario_run))
    if run.claimed is not None:
        claimed = run.claimed.to_frame()
        claimed.insert(0, "position", range(1, len(claimed) + 1))
        frames["roi_claimed_arithmetic"] = [claimed]
    if run.evidence is not None:
        frames["roi_evidence"] = [run.evidence.to_frame()]
    measurements = run.measurements
    with transaction(con):
        con.execute(
            "INSERT INTO results.roi_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                run.run_at,
                run.as_of,
                None if measurements is None else measurements.as_of_batch_id,
                None if measurements is None else measurements.scorecard_run_id,
                [s.scenario.name for s in run.scenarios],
                run.draws,
                run.seed,
                run.discount,
                json.dumps(package_versions()),
                json.dumps(run.scenario_sha256),
            ],
        )
        for name, parts in frames.items():
            parts = [p for p in parts if not p.empty]
            if parts:
                _append(con, name, run_id, pd.concat(parts, ignore_index=True))
    return run_id


def read_roi(con: duckdb.DuckDBPyConnection, table: str, run_id: str | None = None) -> pd.DataFrame:
    """One ``results.roi_*`` table of a stored run (the newest by default)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'results' AND table_name = ?",
        [table],
    ).fetchone()[0]
    if not exists:
        return pd.DataFrame()
    return con.execute(
        f"SELECT t.* FROM results.{table} AS t JOIN ("  # noqa: S608 - table is one of ours
        "SELECT run_id FROM results.roi_runs WHERE run_id = coalesce(?, run_id) "
        "ORDER BY run_at DESC, run_id LIMIT 1) USING (run_id)",
        [run_id],
    ).df()


def _append(con: duckdb.DuckDBPyConnection, table: str, run_id: str, frame: pd.DataFrame) -> None:
    columns = [
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'results' "
            "AND table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
    ]
    frame = frame.assign(run_id=run_id)
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    con.register("roi_rows", frame[columns])
    try:
        con.execute(f"INSERT INTO results.{table} SELECT * FROM roi_rows")
    finally:
        con.unregister("roi_rows")

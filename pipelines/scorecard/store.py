"""Write a scorecard run to the warehouse, and read the stored claims back."""

from __future__ import annotations

import json
import uuid
from importlib import metadata

import duckdb
import pandas as pd

from pipelines.scorecard.run import ScorecardRun
from pipelines.sql_text import read_sql
from pipelines.warehouse.transaction import transaction

#: The packages whose versions decide the numbers, recorded with every run.
VERSIONED_PACKAGES = (
    "studio-outcomes",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "lifelines",
    "duckdb",
)


def ensure_results_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in read_sql(__package__, "results_tables.sql").split(";"):
        if statement.strip():
            con.execute(statement)


def package_versions() -> dict[str, str]:
    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def store_scorecard(con: duckdb.DuckDBPyConnection, run: ScorecardRun) -> str:
    """Append the run and its claims to ``results.*`` in one transaction; its id."""
    ensure_results_tables(con)
    run_id = uuid.uuid4().hex[:16]
    batches = sorted({m.last_batch_id for m in run.marts.values() if m.last_batch_id is not None})
    records = pd.DataFrame(run.scorecard.to_records())
    records.insert(0, "run_id", run_id)
    tiers = pd.DataFrame(
        [
            {"run_id": run_id, "claim_id": e.claim_id, **tier.to_dict()}
            for e in run.scorecard.estimates
            for tier in e.dose_response
        ],
        columns=[
            "run_id",
            "claim_id",
            "tier",
            "estimate",
            "ci_lower",
            "ci_upper",
            "n",
            "verdict",
            "verdict_reason",
            "warnings",
        ],
    )
    records["details"] = [json.dumps(d, default=str) for d in records["details"]]
    records["warnings"] = [list(w) for w in records["warnings"]]
    columns = [
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'results' "
            "AND table_name = 'claim_estimates' ORDER BY column_index"
        ).fetchall()
    ]
    with transaction(con):
        con.execute(
            "INSERT INTO results.scorecard_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                run.run_at,
                run.as_of,
                run.as_of_batch_id,
                batches,
                list(run.mart_builds),
                json.dumps(package_versions()),
                run.registry_sha256,
                len(run.scorecard.estimates),
                run.scorecard.alpha,
            ],
        )
        con.register("claim_rows", records[columns])
        con.execute("INSERT INTO results.claim_estimates SELECT * FROM claim_rows")
        con.unregister("claim_rows")
        if len(tiers):
            con.register("tier_rows", tiers)
            con.execute("INSERT INTO results.claim_dose_response SELECT * FROM tier_rows")
            con.unregister("tier_rows")
    return run_id


def read_claim_estimates(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> pd.DataFrame:
    """The claims of a stored run (the newest by default), with the run's as-of state."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'results' "
        "AND table_name = 'claim_estimates'"
    ).fetchone()[0]
    if not exists:
        return pd.DataFrame()
    return con.execute(read_sql(__package__, "latest_claims.sql"), [run_id]).df()


def read_dose_response(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> pd.DataFrame:
    """The attendance tiers of a stored run's effect claims (the newest run by default)."""
    claims = read_claim_estimates(con, run_id)
    if claims.empty:
        return pd.DataFrame()
    return con.execute(
        "SELECT * FROM results.claim_dose_response WHERE run_id = ? ORDER BY claim_id, "
        "list_position(['low', 'moderate', 'high'], tier)",
        [claims.run_id.iloc[0]],
    ).df()

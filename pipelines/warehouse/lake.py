"""Export the core layer as a Hive-partitioned Parquet lake.

``DIR/<kind>/district_id=<d>/school_year=<y>/*.parquet``: Spark, Trino, DuckDB and polars
read it as it is (``pl.scan_parquet(DIR / kind, hive_partitioning=True)``), which is the
path for users whose data outgrow one machine. Kinds without a school year (students,
staff, survey items) are partitioned by district only.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.contracts import load_contracts
from pipelines.sql_text import quote_ident, quote_literal


@dataclass(frozen=True)
class LakeTable:
    kind: str
    path: Path
    rows: int
    partitioned_by: tuple[str, ...]


def export_lake(con: duckdb.DuckDBPyConnection, directory: Path) -> list[LakeTable]:
    """Write every core table's current rows under ``directory``, replacing earlier exports."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in load_contracts().values():
        names = [c.name for c in contract.stored_columns if c.name != "school_year"]
        has_year = bool(contract.school_year_column or contract.school_year_from_date)
        partitions = ("district_id", "school_year") if has_year else ("district_id",)
        selected = ", ".join(quote_ident(n) for n in names)
        year = ", _school_year AS school_year" if has_year else ""
        target = directory / contract.kind
        if target.exists():
            shutil.rmtree(target)
        rows = con.execute(f"SELECT count(*) FROM core.{contract.kind}").fetchone()[0]
        if rows:
            con.execute(
                f"COPY (SELECT {selected}, _district_id AS district_id{year} "
                f"FROM core.{contract.kind}) TO {quote_literal(str(target))} "
                f"(FORMAT parquet, PARTITION_BY ({', '.join(partitions)}))"
            )
        written.append(LakeTable(contract.kind, target, rows, partitions))
    return written

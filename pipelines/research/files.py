"""Writing an extract's files: each table as Parquet (typed as its contract says) and as a
spreadsheet-safe CSV, the codebook, and a README in words."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from string import Template

import duckdb
import pandas as pd

from pipelines.contracts import Contract
from pipelines.contracts.contract import SQL_TYPES
from pipelines.safe_export import escaped_sql, write_safe_frame
from pipelines.sql_text import quote_ident, quote_literal

#: Columns of an extract's codebook, in order.
# fmt: off
CODEBOOK_COLUMNS = (
    "table", "column", "type", "description", "allowed_values", "privacy_class",
    "in_this_extract", "rows_changed", "table_grain",
)
# fmt: on


def write_table(folder: Path, name: str, frame: pd.DataFrame, contract: Contract) -> list[Path]:
    """``name.parquet`` typed by the contract, and ``name.csv`` (spreadsheet-safe: text a
    spreadsheet would run as a formula gets a leading apostrophe); the paths written."""
    types = {c.name: SQL_TYPES[c.type] for c in contract.columns}
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    con = duckdb.connect()
    try:
        con.register("extract_table", frame)
        typed = ", ".join(
            f"CAST({quote_ident(column)} AS {types[column]}) AS {quote_ident(column)}"
            for column in frame.columns
        )
        con.execute(
            f"COPY (SELECT {typed} FROM extract_table) "
            f"TO {quote_literal(str(parquet))} (FORMAT parquet)"
        )
        safe = ", ".join(
            f"{escaped_sql(quote_ident(column))} AS {quote_ident(column)}"
            if types[column] == "VARCHAR"
            else quote_ident(column)
            for column in frame.columns
        )
        con.execute(
            f"COPY (SELECT {safe} FROM read_parquet({quote_literal(str(parquet))})) "
            f"TO {quote_literal(str(csv))} (FORMAT csv, HEADER)"
        )
    finally:
        con.close()
    return [parquet, csv]


def codebook(tables: Mapping[str, tuple[object, Contract]]) -> pd.DataFrame:
    """One row per column of every table: its definition and what the extract did to it."""
    rows = []
    for name, (table, contract) in tables.items():
        for column in contract.columns:
            if column.name not in table.frame.columns:
                continue
            rows.append(
                {
                    "table": name,
                    "column": column.name,
                    "type": column.type,
                    "description": column.description,
                    "allowed_values": "; ".join(column.allowed) if column.allowed else None,
                    "privacy_class": column.privacy,
                    "in_this_extract": table.treatments[column.name],
                    "rows_changed": table.rows_changed[column.name],
                    "table_grain": contract.grain,
                }
            )
    return pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))


def write_codebook(path: Path, tables: Mapping[str, tuple[object, Contract]]) -> int:
    return write_safe_frame(path, codebook(tables))


def write_readme(path: Path, manifest: dict) -> None:
    """The extract's README: what it holds, how it was de-identified, how to reproduce."""
    settings = manifest["settings"]
    claims = manifest["scorecard"]["claims"]
    verified = manifest["scorecard"].get("verified", False)
    matched = [c for c in claims if (c.get("reproduced") if verified else c["reproducible"])]
    differing = [c for c in claims if c not in matched]
    tables = "\n".join(
        f"- `{name}`: {entry['rows']} rows"
        + "".join(f"\n  - {step}" for step in entry["generalisations"])
        for name, entry in manifest["tables"].items()
    )
    if verified:
        reproduced = (
            f"When the extract was cut, {len(matched)} of its {len(claims)} claims were "
            "reproduced from it, every number equal (`reproduction.csv` shows both)."
        )
    else:
        reproduced = (
            f"{len(matched)} of its {len(claims)} claims read no value this extract changed "
            "and should reproduce from it; the extract was not checked when it was cut."
        )
    not_exact = (
        "\n".join(
            f"- `{c['claim_id']}`"
            + (f", which reads {', '.join(c['altered'])}" if c["altered"] else "")
            for c in differing
        )
        or "- none"
    )
    template = Template(
        (resources.files(__package__) / "extract_readme.md").read_text(encoding="utf-8")
    )
    path.write_text(
        template.substitute(
            partner=manifest["partner"],
            as_of_batch_id=manifest["as_of_batch_id"],
            created_at=manifest["created_at"],
            commit=manifest["git_commit"] or "unknown (not cut from a git checkout)",
            k=settings["k"],
            student_dates=settings["student_dates"],
            staff_dates=settings["staff_dates"],
            tables=tables,
            run_id=manifest["scorecard"]["run_id"],
            reproduced=reproduced,
            not_exact=not_exact,
        ),
        encoding="utf-8",
    )

"""``outcomes export-lake``: the core layer as Hive-partitioned Parquet."""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.cli.options import DB_OPTION, console, reports_errors


@click.command("export-lake")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@DB_OPTION
@reports_errors
def export_lake_command(directory, db) -> None:
    """Write the core layer as Hive-partitioned Parquet (district_id, school_year).

    Example: outcomes export-lake data/lake   (then: polars.scan_parquet('data/lake/students'))
    """
    from pipelines.warehouse.connection import connect_read_only
    from pipelines.warehouse.lake import export_lake

    con = connect_read_only(db)
    written = export_lake(con, directory)
    con.close()
    for table in written:
        console.print(
            f"{table.kind:24} {table.rows:>10,} rows  by {', '.join(table.partitioned_by)}"
        )
    console.print(f"lake written to {directory}")

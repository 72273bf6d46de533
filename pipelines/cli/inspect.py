"""``outcomes quarantine`` and ``outcomes batches``: what was loaded, and what was held back."""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.cli.options import DB_OPTION, console, reports_errors
from pipelines.cli.tables import FORMAT_OPTION, print_rows


@click.command()
@DB_OPTION
@click.option("--batch", "batch_id", type=int, default=None, help="Only this batch.")
@click.option("--kind", default=None, help="Only this source kind.")
@click.option("--limit", default=50, show_default=True, help="Rows to show (0: all).")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the rows to this CSV (spreadsheet-safe).",
)
@reports_errors
def quarantine(db, batch_id, kind, limit, csv_path) -> None:
    """List the rows held back from the warehouse, with the file, row and every reason.

    Example: outcomes quarantine --kind panel_scores --csv held_back.csv
    """
    from pipelines.safe_export import write_safe_frame
    from pipelines.warehouse.audit import count_quarantined, list_quarantine
    from pipelines.warehouse.connection import connect_read_only

    con = connect_read_only(db)
    frame = list_quarantine(con, batch_id=batch_id, kind=kind, limit=limit or None)
    total = count_quarantined(con)
    con.close()
    click.echo(f"{len(frame)} of {total} quarantined rows")
    for row in frame.itertuples(index=False):
        where = f"sheet {row.sheet}, row {row.source_row}" if row.sheet else f"row {row.source_row}"
        click.echo(f"batch {row.batch_id} {row.kind} {row.file_name} {where}: {row.reasons}")
    if csv_path is not None:
        write_safe_frame(csv_path, frame)
        console.print(f"wrote {csv_path}")


@click.command()
@DB_OPTION
@click.option("--limit", default=30, show_default=True, help="Newest batches to show.")
@FORMAT_OPTION
@reports_errors
def batches(db, limit, output_format) -> None:
    """List loaded batches: file, checksum, rows read / accepted / quarantined, timings.

    Example: outcomes batches --limit 10

    Example: outcomes batches --format csv > batches.csv
    """
    from pipelines.warehouse.audit import list_batches
    from pipelines.warehouse.connection import connect_read_only

    con = connect_read_only(db)
    listed = list_batches(con, limit=limit)
    con.close()
    columns = ("batch", "kind", "file", "sha256", "read", "accepted", "quarantined", "new",
               "changed", "valid", "took")  # fmt: skip
    rows = [
        (b.batch_id, b.kind, b.file_name, b.file_sha256[:12], b.rows_read, b.rows_accepted,
         b.rows_quarantined, b.rows_new, b.rows_changed, b.validation_success,
         b.ended_at - b.started_at)
        for b in listed
    ]  # fmt: skip
    print_rows("Batches", columns, rows, output_format, right_aligned=columns[4:9])

"""The ``outcomes`` command line: ingest, inspect and export the warehouse, run the demo."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from pipelines.errors import EXIT_BAD_INPUT, EXIT_BUSY, InputError, WarehouseBusyError

console = Console(stderr=True)
DB_OPTION = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Warehouse file (default: $OUTCOMES_DB, else data/warehouse/outcomes.duckdb).",
)


def reports_errors(command):
    """Turn a user's mistake into one line on stderr and exit code 2 (3 if the lock stays)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            click.echo(f"error: {error.line()}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except WarehouseBusyError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_BUSY)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Outcomes analytics for a district's AI Studio Teams program.

    Loads district export files into a validated, pseudonymized DuckDB warehouse and
    reports what the district's own data say. Start with `outcomes demo`.
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", default=None, help="Source kind of every file (default: from the header).")
@DB_OPTION
@click.option("--district", default="district", show_default=True, help="District id.")
@click.option(
    "--item-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Item map for survey exports (default: <export>.item_map.yaml beside each export).",
)
@click.option("--wait", default=60.0, show_default=True, help="Seconds to wait for another ingest.")
@reports_errors
def ingest(paths, kind, db, district, item_map, wait) -> None:
    """Validate and load export files (CSV, XLSX, Parquet, survey exports) into the warehouse.

    Each file is one batch: loaded whole or not at all. Rows that fail a check are held in
    quarantine with every reason (see `outcomes quarantine`); a file that cannot be read,
    lacks a required column or is of no known kind is rejected with exit code 2.

    Example: outcomes ingest exports/students.csv exports/panel_scores.xlsx
    """
    from pipelines.ingest import ingest_paths
    from pipelines.warehouse import resolve_db_path

    with console.status("planning") as status:
        results = ingest_paths(
            paths,
            db=db,
            kind=kind,
            district_id=district,
            item_map=item_map,
            wait_seconds=wait,
            on_file=lambda path, k: status.update(f"loading {path.name} as {k}"),
        )
    _print_batches(results)
    quarantined = sum(r.rows_quarantined for r in results)
    loaded = sum(r.status == "loaded" for r in results)
    console.print(
        f"{loaded} file(s) loaded, {len(results) - loaded} already loaded, "
        f"{sum(r.rows_accepted for r in results):,} rows accepted, {quarantined:,} quarantined "
        f"-> {resolve_db_path(db)}"
    )
    if quarantined:
        console.print("see why: outcomes quarantine")


def _print_batches(results) -> None:
    table = Table(title="Batches")
    headers = (
        "file",
        "kind",
        "batch",
        "read",
        "accepted",
        "quarantined",
        "new",
        "changed",
        "unchanged",
    )
    for header in headers:
        table.add_column(header, justify="left" if header in ("file", "kind") else "right")
    notes = []
    for r in results:
        table.add_row(
            r.file.name,
            r.kind,
            str(r.batch_id),
            f"{r.rows_read:,}",
            f"{r.rows_accepted:,}",
            f"{r.rows_quarantined:,}",
            f"{r.rows_new:,}",
            f"{r.rows_changed:,}",
            f"{r.rows_unchanged:,}",
        )
        notes.extend(f"{r.file.name}: {note}" for note in r.notes)
        if r.extra_columns:
            notes.append(f"{r.file.name}: extra columns kept in raw: {', '.join(r.extra_columns)}")
        if r.dropped_columns:
            notes.append(f"{r.file.name}: not stored: {', '.join(r.dropped_columns)}")
        if r.formula_like_cells:
            notes.append(
                f"{r.file.name}: {r.formula_like_cells} cells look like spreadsheet "
                "formulas; stored as text, escaped in every export"
            )
    Console().print(table)
    for note in notes:
        click.echo(note)


@main.command()
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
    from pipelines.quarantine import list_quarantine
    from pipelines.safe_export import write_safe_frame
    from pipelines.warehouse import connect

    con = _read_only(db, connect)
    frame = list_quarantine(con, batch_id=batch_id, kind=kind, limit=limit or None)
    total = con.execute("SELECT count(*) FROM audit.quarantine").fetchone()[0]
    con.close()
    click.echo(f"{len(frame)} of {total} quarantined rows")
    for row in frame.itertuples(index=False):
        where = f"sheet {row.sheet}, row {row.source_row}" if row.sheet else f"row {row.source_row}"
        click.echo(f"batch {row.batch_id} {row.kind} {row.file_name} {where}: {row.reasons}")
    if csv_path is not None:
        write_safe_frame(csv_path, frame)
        console.print(f"wrote {csv_path}")


@main.command()
@DB_OPTION
@click.option("--limit", default=30, show_default=True, help="Newest batches to show.")
@reports_errors
def batches(db, limit) -> None:
    """List loaded batches: file, checksum, rows read / accepted / quarantined, timings.

    Example: outcomes batches --limit 10
    """
    from pipelines.warehouse import connect

    con = _read_only(db, connect)
    frame = con.execute(
        "SELECT batch_id, kind, file_name, left(file_sha256, 12) AS sha256, rows_read, "
        "rows_accepted, rows_quarantined, rows_new, rows_changed, validation_success, "
        "ended_at - started_at AS took FROM audit.batches ORDER BY batch_id DESC LIMIT ?",
        [limit],
    ).df()
    con.close()
    table = Table(title="Batches")
    for column in frame.columns:
        table.add_column(column)
    for row in frame.itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    Console().print(table)


@main.command("export-lake")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@DB_OPTION
@reports_errors
def export_lake_command(directory, db) -> None:
    """Write the core layer as Hive-partitioned Parquet (district_id, school_year).

    Example: outcomes export-lake data/lake   (then: polars.scan_parquet('data/lake/students'))
    """
    from pipelines.lake import export_lake
    from pipelines.warehouse import connect

    con = _read_only(db, connect)
    written = export_lake(con, directory)
    con.close()
    for table in written:
        console.print(
            f"{table.kind:24} {table.rows:>10,} rows  by {', '.join(table.partitioned_by)}"
        )
    console.print(f"lake written to {directory}")


@main.command()
@click.option("--check", is_flag=True, help="Only check that the generated docs are current.")
@click.option(
    "--codebook",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the research codebook (one row per column) to this CSV.",
)
def docs(check, codebook) -> None:
    """Regenerate the data dictionary and README summary from data/schemas/*.yaml.

    Example: outcomes docs --check   (exit 1 if a contract changed without regenerating)
    Example: outcomes docs --codebook codebook.csv
    """
    from pipelines.docs import render_codebook, write_docs
    from pipelines.safe_export import write_safe_frame

    root = Path(__file__).resolve().parent.parent
    changed = write_docs(root, check=check)
    if check and changed:
        click.echo("out of date: " + ", ".join(map(str, changed)) + "; run `outcomes docs`")
        sys.exit(1)
    click.echo("docs are current" if check else f"wrote {len(changed)} file(s)")
    if codebook is not None:
        from pipelines.contracts import load_contracts

        rows = write_safe_frame(codebook, render_codebook(load_contracts()))
        click.echo(f"wrote the codebook ({rows} columns) to {codebook}")


def _read_only(db, connect):
    try:
        return connect(db, read_only=True)
    except FileNotFoundError as error:
        raise InputError(
            db or "warehouse", str(error).split(": ", 1)[-1], "ingest first"
        ) from error


from pipelines.demo_cli import demo, synth  # noqa: E402  (registers the two commands)

main.add_command(synth)
main.add_command(demo)


def run() -> None:
    """Console entry point: run the command, then exit without interpreter teardown.

    With great-expectations and duckdb_engine loaded, DuckDB 2.0's Python bindings print
    spurious "nanobind: leaked ..." warnings while the interpreter shuts down, which would
    follow a command's one-line error. Every file and connection is closed by the time a
    command returns, so after flushing the output we leave at once with the same code.
    """
    try:
        main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    else:
        code = 0
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()

"""``outcomes ingest``: validate and load export files into the warehouse."""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.cli.options import DB_OPTION, console, reports_errors
from pipelines.cli.tables import print_rows
from pipelines.errors import WARNING


@click.command()
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
@click.option(
    "--keep-extra",
    "keep_extra",
    multiple=True,
    metavar="COLUMN",
    help="Store this column although the contract does not know it (repeatable); "
    "pseudonymized if its header names an id. Other unknown columns are never stored.",
)
@click.option(
    "--rename",
    "rename",
    multiple=True,
    metavar="'HEADER=column'",
    help="Read a header of yours as a contract column (repeatable), e.g. "
    "--rename 'Home Campus=school_id'.",
)
@click.option(
    "--set",
    "set_values",
    multiple=True,
    metavar="'column=VALUE'",
    help="Give a contract column the file leaves out one value for every row (repeatable), "
    "e.g. --set school_year=2025 for a roster export without a year.",
)
@click.option(
    "--column-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A YAML file of renames for every file (default: <export>.column_map.yaml beside "
    "each export, if there is one).",
)
@click.option(
    "--include-test-responses",
    is_flag=True,
    help="Load Qualtrics responses marked 'survey test' (a pilot with real respondents).",
)
@click.option(
    "--no-build",
    "no_build",
    is_flag=True,
    help="Do not rebuild the analysis marts at the end (run `outcomes build` later).",
)
@click.option("--wait", default=60.0, show_default=True, help="Seconds to wait for another ingest.")
@reports_errors
def ingest(paths, kind, db, district, rename, set_values, no_build, wait, **choices) -> None:
    """Validate and load export files (CSV, XLSX, Parquet, survey exports) into the warehouse.

    Each file is one batch: loaded whole or not at all. Rows that fail a check are held in
    quarantine with every reason (see `outcomes quarantine`); a file that cannot be read,
    lacks a required column or is of no known kind is rejected with exit code 2. Columns
    the contract does not know are not stored, only named in the batch's audit. When a
    file was loaded, the analysis marts are rebuilt once at the end (`outcomes build`).

    Example: outcomes ingest exports/students.csv exports/panel_scores.xlsx

    Example: outcomes ingest sds/student.csv --kind students --keep-extra "Bus Route"

    Example: outcomes ingest roster.csv --rename "Home Campus=school_id"

    Example: outcomes ingest sis_students_2024-25.csv --set school_year=2025
    """
    from pipelines.ingest import IngestOptions, ingest_paths
    from pipelines.ingest.column_map import load_column_map, parse_renames
    from pipelines.ingest.fixed_values import parse_fixed_values
    from pipelines.warehouse.connection import resolve_db_path

    if choices["column_map"] is not None:
        load_column_map(choices["column_map"])  # a broken map is refused before any file is read
    with console.status("planning") as status:
        results = ingest_paths(
            paths,
            db=db,
            kind=kind,
            district_id=district,
            options=IngestOptions(
                renames=parse_renames(rename),
                fixed_values=parse_fixed_values(set_values),
                wait_seconds=wait,
                **choices,
            ),
            on_file=lambda file: status.update(f"reading {file.path.name} as {file.kind}"),
            on_validate=lambda count: status.update(f"validating and writing {count} batch(es)"),
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
    if loaded and not no_build:
        _build_marts(db, wait)


def _build_marts(db, wait) -> None:
    from pipelines.warehouse.connection import connect
    from pipelines.warehouse.marts import build_marts

    con = connect(db, wait_seconds=wait)
    try:
        with console.status("building the marts"):
            result = build_marts(con)
    finally:
        con.close()
    console.print(f"built {len(result.row_counts)} marts as of batch {result.as_of_batch_id}")


def _print_batches(results) -> None:
    """The batches as a table, then each file's notes; warnings go to stderr, marked."""
    columns = ("file", "kind", "batch", "read", "accepted", "quarantined", "new", "changed",
               "unchanged")  # fmt: skip
    rows = [
        (r.file_name, r.kind, r.batch_id, f"{r.rows_read:,}", f"{r.rows_accepted:,}",
         f"{r.rows_quarantined:,}", f"{r.rows_new:,}", f"{r.rows_changed:,}",
         f"{r.rows_unchanged:,}")
        for r in results
    ]  # fmt: skip
    print_rows("Batches", columns, rows, right_aligned=columns[2:])
    for r in results:
        notes = list(r.notes)
        if r.extra_columns:
            notes.append(f"kept beyond the contract (--keep-extra): {', '.join(r.extra_columns)}")
        if r.dropped_columns:
            notes.append(f"not stored: {', '.join(r.dropped_columns)}")
        if r.formula_like_cells:
            notes.append(
                f"{r.formula_like_cells} cells look like spreadsheet formulas; stored as text, "
                "escaped in every export"
            )
        for note in notes:
            if note.startswith(WARNING):
                console.print(f"[bold yellow]warning:[/] {r.file_name}: {note[len(WARNING) :]}")
            else:
                click.echo(f"{r.file_name}: {note}")

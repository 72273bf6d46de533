"""``outcomes build``: build the analysis marts from what the warehouse holds."""

from __future__ import annotations

import click

from pipelines.cli.options import DB_OPTION, console, reports_errors
from pipelines.cli.tables import print_rows

AS_OF_OPTION = click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="BATCH|YYYY-MM-DD",
    help="Build from the warehouse as it was after this batch, or at the end of this day "
    "(default: now).",
)
PARAM_OPTION = click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Give a mart parameter another value than its contract's default (repeatable).",
)


@click.command()
@DB_OPTION
@AS_OF_OPTION
@PARAM_OPTION
@click.option("--wait", default=60.0, show_default=True, help="Seconds to wait for another writer.")
@reports_errors
def build(db, as_of, params, wait) -> None:
    """Build the analysis marts (mart.*) from the warehouse's validated rows.

    Every mart is checked against its contract (data/schemas/marts/) before any replaces
    the old one, and the build is recorded in audit.mart_builds. `outcomes ingest` and
    `outcomes demo` run this when they finish.

    Example: outcomes build

    Example: outcomes build --as-of 2025-06-30 --param portfolio_standard=7.5
    """
    from pipelines.warehouse.connection import connect, resolve_db_path
    from pipelines.warehouse.marts import build_marts
    from pipelines.warehouse.marts.parameters import parse_parameters

    overrides = parse_parameters(params)
    con = connect(db, wait_seconds=wait)
    try:
        with console.status("building the marts"):
            result = build_marts(con, as_of=as_of, parameters=overrides)
    finally:
        con.close()
    print_built(result)
    console.print(f"built {len(result.row_counts)} marts -> {resolve_db_path(db)}")


def print_built(result) -> None:
    """The marts of a build as a table, then the state and parameters they reflect."""
    rows = [(f"mart.{name}", f"{rows:,}") for name, rows in result.row_counts.items()]
    print_rows("Marts", ("mart", "rows"), rows, right_aligned=("rows",))
    state = f"batch {result.as_of_batch_id}" if result.as_of_batch_id else "an empty warehouse"
    values = ", ".join(f"{k}={v}" for k, v in result.parameters.items()) or "none"
    click.echo(f"as of {state}; parameters: {values}")

"""``outcomes report``: the outputs people open, written to a folder (reports/out/ by default)."""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.cli.build import AS_OF_OPTION
from pipelines.cli.metrics import THRESHOLD_OPTION
from pipelines.cli.options import DB_OPTION, console, reports_errors
from pipelines.errors import InputError
from reports.output import DEFAULT_OUT


@click.group()
def report() -> None:
    """Write the reports people open offline.

    Example: outcomes report grants --out reports/out
    """


@report.command("grants")
@DB_OPTION
@AS_OF_OPTION
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder to write grants.html into (created if missing).",
)
@THRESHOLD_OPTION
@reports_errors
def grants(db, as_of, out, threshold) -> None:
    """Write one offline page of every metric and claim's finding, ready to paste.

    Each metric of the catalog (reports/metrics.yaml) and each claim of the stored
    scorecard becomes a sentence with its number, n, as-of batch, definition, source and
    evidence tier, with a copy button and a search box; the page needs no network.
    Score the claims first (`outcomes claims`).

    Example: outcomes report grants

    Example: outcomes report grants --as-of 2026-06-30 --out /tmp/grants
    """
    from pipelines.warehouse.connection import connect_read_only
    from reports.grants_page import grants_page
    from reports.output import write_atomically

    con = connect_read_only(db)
    try:
        page = grants_page(con, as_of=as_of, threshold=threshold)
    except LookupError as error:
        problem, _, fix = str(error).partition("; ")
        raise InputError("outcomes report grants", problem, fix or "see --help") from error
    finally:
        con.close()
    path = write_atomically(out, "grants.html", page.html)
    console.print(
        f"wrote {path}: {page.metrics} metrics and {page.claims} claims"
        + (f", as of batch {page.as_of_batch_id}" if page.as_of_batch_id else "")
    )

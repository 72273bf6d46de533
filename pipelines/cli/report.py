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


def report_options(filename: str):
    """The options every report takes: the warehouse, its state, the folder, the threshold."""

    def decorate(command):
        out = click.option(
            "--out",
            type=click.Path(file_okay=False, path_type=Path),
            default=DEFAULT_OUT,
            show_default=True,
            help=f"Folder to write {filename} into (created if missing).",
        )
        return DB_OPTION(AS_OF_OPTION(out(THRESHOLD_OPTION(command))))

    return decorate


@report.command("board")
@report_options("board.html")
@click.option("--no-pdf", is_flag=True, help="Write the HTML only (no Chromium needed).")
@reports_errors
def board(db, as_of, out, threshold, no_pdf) -> None:
    """Write the board's report: one self-contained HTML file, readable offline, and the
    same report as PDF, printed by headless Chromium (`make browser` installs it).

    A first page a trustee reads in two minutes (where the program stands, the three
    findings that matter most, the ten-year outlook), then every claim against the data
    (a forest plot), participation and equity, the ten-year return (the claim's arithmetic,
    a fan chart, a tornado), what was held back and why, and methods in plain words. Each
    chart has a text alternative, its numbers in a table, what it shows and questions to
    ask. It draws only stored results: run `outcomes claims` and `outcomes roi` first.

    Example: outcomes report board

    Example: outcomes report board --as-of 2026-06-30 --out /tmp/board
    """
    from reports.board import board_report
    from reports.browser import BrowserMissing, chromium
    from reports.output import print_pdf_atomically

    if not no_pdf:
        try:
            chromium()  # before anything is written: a report without its PDF is half done
        except BrowserMissing as error:
            problem, _, fix = str(error).partition("; ")
            raise InputError(
                "outcomes report board", problem, f"{fix}; or give --no-pdf"
            ) from error
    built = _build("outcomes report board", db, board_report, as_of, threshold)
    path = _write(out, "board.html", built, f"{built.charts} charts, {built.claims} claims")
    if not no_pdf:
        console.print(f"wrote {print_pdf_atomically(path, 'board.pdf')}")


@report.command("grants")
@report_options("grants.html")
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
    from reports.grants_page import grants_page

    page = _build("outcomes report grants", db, grants_page, as_of, threshold)
    _write(out, "grants.html", page, f"{page.metrics} metrics and {page.claims} claims")


def _build(command: str, db, builder, as_of, threshold):
    """Run a report builder on the warehouse; a missing result is the user's to fix."""
    from pipelines.warehouse.connection import connect_read_only

    con = connect_read_only(db)
    try:
        return builder(con, as_of=as_of, threshold=threshold)
    except LookupError as error:
        problem, _, fix = str(error).partition("; ")
        raise InputError(command, problem, fix or "see --help") from error
    finally:
        con.close()


def _write(out: Path, name: str, built, contents: str) -> Path:
    from reports.output import write_atomically

    path = write_atomically(out, name, built.html)
    batch = f", as of batch {built.as_of_batch_id}" if built.as_of_batch_id else ""
    console.print(f"wrote {path}: {contents}{batch}")
    return path

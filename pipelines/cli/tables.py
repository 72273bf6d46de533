"""Tables the commands print: whole at any terminal width, or CSV or JSON for a script.

A table wider than the terminal is printed as one block per row, ``column: value`` on a
line each, so no header or value is cut; ``--format csv`` (spreadsheet-safe) and
``--format json`` give every column to a script.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import click
from rich import box
from rich.console import Console
from rich.table import Table

from pipelines.safe_export import write_safe_rows

FORMATS = ("table", "csv", "json")
FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people (one block per row when the terminal is narrow); csv or json "
    "for scripts.",
)


def print_rows(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    output_format: str = "table",
    *,
    right_aligned: Sequence[str] = (),
) -> None:
    """Print ``rows`` under ``columns`` to stdout in ``output_format``."""
    if output_format == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        click.echo(json.dumps(records, indent=2, default=str))
        return
    if output_format == "csv":
        write_safe_rows(sys.stdout, columns, rows)
        return
    console = Console()
    texts = [["" if value is None else str(value) for value in row] for row in rows]
    widths = [
        max([len(column), *(len(row[i]) for row in texts)]) for i, column in enumerate(columns)
    ]
    # Two spaces around each column, as the table draws them.
    if sum(widths) + 2 * len(columns) <= console.width:
        table = Table(title=title, box=box.SIMPLE_HEAD)
        for column in columns:
            table.add_column(column, justify="right" if column in right_aligned else "left")
        for row in texts:
            table.add_row(*row)
        console.print(table)
        return
    console.print(f"[bold]{title}[/bold]")
    label = max(len(column) for column in columns)
    for row in texts:
        console.print()
        for column, value in zip(columns, row, strict=True):
            console.print(f"  {column:<{label}}  {value}", highlight=False, soft_wrap=True)

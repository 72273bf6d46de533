"""What every command shares: the warehouse option, the console, and one-line errors."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from rich.console import Console

from pipelines.errors import EXIT_BAD_INPUT, EXIT_BUSY, InputError, WarehouseBusyError

#: Progress and summaries go to stderr; tables a user may pipe go to stdout.
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

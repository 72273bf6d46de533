"""``outcomes docs``: the data dictionary, README summary and codebook, from the contracts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipelines.cli.options import reports_errors
from pipelines.errors import InputError


@click.command()
@click.option("--check", is_flag=True, help="Only check that the generated docs are current.")
@click.option(
    "--codebook",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the research codebook (one row per column) to this CSV.",
)
@reports_errors
def docs(check, codebook) -> None:
    """Regenerate the data dictionary and README summary from data/schemas/*.yaml.

    Example: outcomes docs --check   (exit 1 if a contract changed without regenerating)
    Example: outcomes docs --codebook codebook.csv
    """
    from pipelines.contracts.docs import DICTIONARY_PATH, render_codebook, write_docs
    from pipelines.safe_export import write_safe_frame

    # The generated files belong to a source checkout: the package's own root, when the
    # package is not installed from a wheel.
    root = Path(__file__).resolve().parents[2]
    if (root / DICTIONARY_PATH.parent).is_dir():
        changed = write_docs(root, check=check)
        if check and changed:
            click.echo("out of date: " + ", ".join(map(str, changed)) + "; run `outcomes docs`")
            sys.exit(1)
        click.echo("docs are current" if check else f"wrote {len(changed)} file(s)")
    elif check or codebook is None:
        raise InputError(
            "outcomes docs",
            "the data dictionary is regenerated in a source checkout, and this is an "
            "installed copy of studio-outcomes",
            "run it in a checkout (--codebook FILE works anywhere)",
        )
    if codebook is not None:
        from pipelines.contracts import load_contracts

        rows = write_safe_frame(codebook, render_codebook(load_contracts()))
        click.echo(f"wrote the codebook ({rows} columns) to {codebook}")

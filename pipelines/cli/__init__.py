"""The ``outcomes`` command line: ingest, build marts, inspect and export, run the demo.

One module per group of commands; each command imports what it runs only when it runs, so
``outcomes --help`` answers at once.
"""

from __future__ import annotations

import os
import sys

import click

from pipelines.cli.build import build
from pipelines.cli.claims import claims
from pipelines.cli.demo import demo, synth
from pipelines.cli.docs import docs
from pipelines.cli.export import export
from pipelines.cli.ingest import ingest
from pipelines.cli.inspect import batches, quarantine
from pipelines.cli.item_map import item_map
from pipelines.cli.lake import export_lake_command
from pipelines.cli.metrics import metrics
from pipelines.cli.randomize import randomize
from pipelines.cli.report import report
from pipelines.cli.roi import roi


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Outcomes analytics for a district's AI Studio Teams program.

    Loads district export files into a validated, pseudonymized DuckDB warehouse and
    reports what the district's own data say. Start with `outcomes demo`.
    """


for command in (
    ingest, build, claims, roi, metrics, report, quarantine, batches, item_map,
    export, export_lake_command, randomize, docs, synth, demo,
):  # fmt: skip
    main.add_command(command)


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

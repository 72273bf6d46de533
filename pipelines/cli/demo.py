"""The ``synth`` and ``demo`` commands: the synthetic district and the main job on it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from pipelines.cli.options import DB_OPTION, console, reports_errors
from pipelines.errors import InputError
from reports.output import DEFAULT_OUT

TRUTH_OPTION = click.option(
    "--truth",
    metavar="NAME|PATH",
    default=None,
    help=(
        "A truth preset: realistic (the default: effects real but smaller than claimed), "
        "claims_true (every effect as the documents claim) or null (no effect anywhere); "
        "or a YAML file overriding the default true effects and rates. "
        "Example: --truth claims_true"
    ),
)


def load_truth_option(truth: str | None):
    """The truth a --truth option names, or one line and exit 2 when it names none."""
    from pipelines.synth import TruthError, load_truth

    try:
        return load_truth(truth)
    except TruthError as error:
        raise InputError(
            "--truth", str(error), "give realistic, claims_true, null or a truth YAML file"
        ) from error


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the district's export files into.",
)
@click.option(
    "--seed", default=20240801, show_default=True, help="Random seed (same seed, same bytes)."
)
@TRUTH_OPTION
@click.option("--students", type=int, default=None, help="Students per district (default ~3,500).")
@click.option("--districts", type=int, default=1, show_default=True, help="Districts to generate.")
def synth(out, seed, truth, students, districts) -> None:
    """Generate a synthetic district whose true effects are known, as district export files.

    Example: outcomes synth --out data/synthetic --seed 7 --truth null
    """

    @reports_errors
    def run():
        from pipelines.synth import generate_district

        started = time.perf_counter()
        chosen = load_truth_option(truth)
        result = generate_district(
            out, seed=seed, truth=chosen, students=students, districts=districts
        )
        for path in result.files:
            console.print(f"  {path}")
        console.print(
            f"{len(result.files)} files in {time.perf_counter() - started:.1f} s -> {out}"
        )

    run()


@click.command()
@click.option(
    "--from",
    "from_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Use these export files instead of generating a district.",
)
@DB_OPTION
@click.option("--seed", default=20240801, show_default=True, help="Seed of the synthetic district.")
@TRUTH_OPTION
@click.option(
    "--fresh/--keep",
    default=True,
    show_default=True,
    help="Start from an empty warehouse (default) or add to the existing one.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder the reports are written to.",
)
def demo(from_dir, db, seed, truth, fresh, out) -> None:
    """Run the main job: generate the synthetic district, ingest it, build the marts, score
    the claims, project the ten-year return, write the board's report (HTML and PDF), the
    grant writers' page and a research partner's extract (reports/out/), summarise every
    stage.

    Example: outcomes demo            (what `make demo` runs)

    Example: outcomes demo --truth null --db null.duckdb
    """

    @reports_errors
    def run():
        from pipelines.demo import run_demo

        chosen = load_truth_option(truth)
        with tempfile.TemporaryDirectory(prefix="outcomes-demo-") as scratch:
            summary = run_demo(
                from_dir=from_dir,
                scratch=Path(scratch),
                db=db,
                seed=seed,
                truth=chosen,
                fresh=fresh,
                console=console,
                reports_dir=out,
            )
        for line in summary:
            console.print(line)

    run()

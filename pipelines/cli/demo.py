"""The ``synth`` and ``demo`` commands: the synthetic district and the main job on it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from pipelines.cli.options import DB_OPTION, console, reports_errors
from pipelines.errors import InputError


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
@click.option(
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
@click.option("--students", type=int, default=None, help="Students per district (default ~3,500).")
@click.option("--districts", type=int, default=1, show_default=True, help="Districts to generate.")
def synth(out, seed, truth, students, districts) -> None:
    """Generate a synthetic district whose true effects are known, as district export files.

    Example: outcomes synth --out data/synthetic --seed 7 --truth null
    """

    @reports_errors
    def run():
        from pipelines.synth import TruthError, generate_district, load_truth

        started = time.perf_counter()
        try:
            chosen = load_truth(truth)
        except TruthError as error:
            raise InputError(
                "--truth",
                str(error),
                "give realistic, claims_true, null or a truth YAML file",
            ) from error
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
@click.option(
    "--fresh/--keep",
    default=True,
    show_default=True,
    help="Start from an empty warehouse (default) or add to the existing one.",
)
def demo(from_dir, db, seed, fresh) -> None:
    """Run the main job: generate the synthetic district, ingest it, summarise every stage.

    Example: outcomes demo            (what `make demo` runs)
    """

    @reports_errors
    def run():
        from pipelines.demo import run_demo

        with tempfile.TemporaryDirectory(prefix="outcomes-demo-") as scratch:
            summary = run_demo(
                from_dir=from_dir,
                scratch=Path(scratch),
                db=db,
                seed=seed,
                fresh=fresh,
                console=console,
            )
        for line in summary:
            console.print(line)

    run()

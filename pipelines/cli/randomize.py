"""``outcomes randomize``: a blocked lottery among a program's applicants."""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.cli.options import DB_OPTION, console, reports_errors


@click.command()
@click.argument("applicants", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seats", type=int, required=True, help="Seats the program offers.")
@click.option(
    "--block",
    "blocks",
    default=None,
    metavar="COLUMN[,COLUMN]",
    help="Roster columns to block on (default: grade): grade, school, sex, race_ethnicity, "
    "economically_disadvantaged, english_learner, special_education, or their aliases.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the random draw (default: one drawn from the operating system, reported).",
)
@click.option(
    "--max-draws",
    "max_draws",
    type=int,
    default=100,
    show_default=True,
    help="Draws to try for one whose groups are balanced.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Assignment file (default: APPLICANTS.assignment.csv beside the applicants file).",
)
@click.option(
    "--id-column",
    "id_column",
    default=None,
    metavar="HEADER",
    help="The header of the student id column, when it is not one the roster contract knows "
    "(student_id, Student Number, SIS ID, ...).",
)
@click.option(
    "--district",
    default=None,
    help="The applicants' district (default: the only one the warehouse holds).",
)
@DB_OPTION
@click.option("--wait", default=60.0, show_default=True, help="Seconds to wait for another writer.")
@reports_errors
def randomize(applicants, seats, blocks, seed, max_draws, out, id_column, district, db, wait):
    """Draw a lottery among APPLICANTS for --seats seats, balanced, and record it.

    APPLICANTS is a CSV or XLSX file with one row per applicant and a student id column;
    every applicant must be on the district's roster in the warehouse, whose newest year
    gives their grade, school and other covariates. Within each block (grade by default)
    a random subset of the applicants is assigned a seat (assigned=1), the rest are the
    control group (assigned=0). Seats go to blocks in proportion to their applicants:
    each block gets the whole part of its share, and the seats left over go to the
    blocks with the largest fractions (ties to the larger block). The draw is repeated,
    up to --max-draws times, until assigned and not assigned differ by at most 0.25
    standardized mean differences on every covariate (the What Works Clearinghouse's
    bound); the seed and the draw number used reproduce it.

    Writes the assignment file (the ids as given, block, assigned, lottery, seed and
    draw) and a JSON of the lottery beside it, and records the lottery and its
    pseudonymized assignments in the warehouse (design.lotteries,
    design.lottery_assignments). A file already drawn is refused.

    Example: outcomes randomize applicants.csv --seats 60

    Example: outcomes randomize applicants.xlsx --seats 60 --block grade,school --seed 20250815
    """
    from pipelines.design import resolve_blocks, run_lottery

    with console.status("drawing the lottery"):
        run = run_lottery(
            applicants,
            seats=seats,
            blocks=resolve_blocks(blocks),
            seed=seed,
            max_draws=max_draws,
            out=out,
            db=db,
            district_id=district,
            id_header=id_column,
            wait_seconds=wait,
        )
    lottery = run.lottery
    click.echo(lottery.summary())
    drawn = "" if run.seed_was_given else " (drawn from the operating system)"
    # Plain lines, not the console's: a path or the seed must not be wrapped mid-word.
    click.echo(
        f"lottery {run.lottery_id} of district {run.district_id}: seed {lottery.seed}{drawn}, "
        f"draw {lottery.draw}; keep both: they reproduce the assignment",
        err=True,
    )
    click.echo(f"assignment -> {run.assignment_file} (lottery facts: {run.sidecar_file})", err=True)

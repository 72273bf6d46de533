"""``outcomes export``: files that leave the district, de-identified."""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.cli.build import AS_OF_OPTION
from pipelines.cli.options import DB_OPTION, console, reports_errors

DATE_CHOICES = click.Choice(["keep", "shift", "month", "year"])


@click.group()
def export() -> None:
    """Write de-identified extracts for people outside the district.

    Example: outcomes export research --partner state-university --out extracts
    """


@export.command("research")
@click.option(
    "--partner",
    required=True,
    help="The research partner's name (letters, digits, '.', '-', '_'): it names the "
    "folder and derives the partner's own key.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/out/research"),
    show_default=True,
    help="Folder to write the extract into, as OUT/PARTNER/ (an older one is replaced).",
)
@click.option(
    "--k",
    "k",
    type=int,
    default=11,
    show_default=True,
    help="Every combination of quasi-identifiers is shared by at least k people.",
)
@click.option(
    "--student-dates",
    type=DATE_CHOICES,
    default="month",
    show_default=True,
    help="Students' dates: keep, shift (per person), or coarsen to month or year.",
)
@click.option(
    "--staff-dates",
    type=DATE_CHOICES,
    default="keep",
    show_default=True,
    help="Staff dates (three claims need them to the day).",
)
@click.option(
    "--shift-days",
    type=int,
    default=30,
    show_default=True,
    help="With shift: the largest shift either way, in days.",
)
@click.option(
    "--no-verify",
    is_flag=True,
    help="Skip reproducing the scorecard from the extract before it is put in place.",
)
@AS_OF_OPTION
@DB_OPTION
@reports_errors
def research(partner, out, k, student_dates, staff_dates, shift_days, no_verify, as_of, db) -> None:
    """Write a research partner's de-identified extract of the analysis tables.

    Every mart as Parquet and CSV, pseudonyms keyed again for this partner (two
    partners' extracts cannot be linked), students' dates coarsened, sex, race/ethnicity,
    FRL, English learner and special education generalised until every combination is
    shared by at least k people, no free text; with a codebook (every column's definition
    and what was done to it), a manifest (as-of state, loaded files' checksums, commit,
    locked packages, settings, the stored scorecard's numbers) and a README. Before the
    folder is put in place the scorecard is reproduced from it, and the manifest says
    which claims matched. Score the claims first (`outcomes claims`).

    Example: outcomes export research --partner state-university

    Example: outcomes export research --partner state-university --k 20 --student-dates year
    """
    from pipelines.research import ExtractSettings, check_partner, export_research
    from pipelines.warehouse.connection import connect_read_only

    check_partner(partner)
    settings = ExtractSettings(
        k=k, student_dates=student_dates, staff_dates=staff_dates, shift_days=shift_days
    )
    con = connect_read_only(db)
    try:
        with console.status("cutting the extract") as status:
            extract = export_research(
                con,
                out,
                partner,
                as_of=as_of,
                settings=settings,
                verify=not no_verify,
                progress=status.update,
            )
    finally:
        con.close()
    manifest = extract.manifest
    claims = manifest["scorecard"]["claims"]
    console.print(
        f"wrote {extract.folder}: {len(extract.rows)} tables, "
        f"{sum(extract.rows.values())} rows, k = {k}, as of batch {manifest['as_of_batch_id']}"
    )
    if manifest["scorecard"].get("verified"):
        differing = [c["claim_id"] for c in claims if not c["reproduced"]]
        console.print(
            f"reproduced {len(claims) - len(differing)} of {len(claims)} scorecard claims "
            "from the extract"
            + (f"; not exactly: {', '.join(differing)} (see its README)" if differing else "")
        )

"""``outcomes item-map``: draft an item map from a survey export, and check one against it."""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.cli.options import console, reports_errors
from pipelines.errors import InputError


@click.group("item-map")
def item_map() -> None:
    """Item maps say which column of a survey export is which item (data/schemas/ITEM_MAPS.md).

    Example: outcomes item-map init exports/student_ai_pre.csv
    """


@item_map.command()
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the map (default: <export>.item_map.yaml beside the export).",
)
@click.option("--survey-id", default=None, help="The survey's id (default: the export's name).")
@click.option("--wave", default="pre", show_default=True, help="pre, post or followup.")
@click.option("--role", default="student", show_default=True, help="Who answered it.")
@click.option("--force", is_flag=True, help="Replace a map that is already there.")
@reports_errors
def init(export, out, survey_id, wave, role, force) -> None:
    """Write a starting item map for a survey export: every question with its text, a
    detected response scale and its choices, and an empty construct to fill in.

    Example: outcomes item-map init exports/student_ai_pre.csv --wave pre --role student
    """
    from pipelines.ingest.sources import ITEM_MAP_SUFFIX
    from pipelines.ingest.surveys.item_map_draft import draft_item_map

    out = out or export.with_name(export.stem + ITEM_MAP_SUFFIX)
    if out.exists() and not force:
        raise InputError(out, "an item map is already there", "pass --force to replace it")
    text = draft_item_map(export, survey_id=survey_id, wave=wave, respondent_role=role)
    out.write_text(text, encoding="utf-8")
    items = text.count("\n  - item_id:")
    console.print(f"wrote {out} ({items} items); fill in each construct, then:")
    console.print(f"  outcomes item-map check {out} {export}")


@item_map.command()
@click.argument("map_path", metavar="MAP", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_errors
def check(map_path, export) -> None:
    """Read a survey export through an item map without loading anything, and say what would
    load and what the map still lacks (exit 2 with one line if ingestion would refuse it).

    Example: outcomes item-map check exports/student_ai_pre.item_map.yaml exports/student_ai_pre.csv
    """
    from pipelines.ingest.surveys.item_map_draft import check_item_map

    for line in check_item_map(map_path, export):
        click.echo(line)

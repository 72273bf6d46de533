"""``outcomes metrics``: any catalog metric by name, as of a date, ready to cite."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipelines.cli.build import AS_OF_OPTION
from pipelines.cli.options import DB_OPTION, console, reports_errors
from pipelines.cli.tables import FORMATS, print_rows
from pipelines.errors import InputError

#: The suppression threshold, for every command that publishes counts of people.
THRESHOLD_OPTION = click.option(
    "--threshold",
    type=click.IntRange(min=1),
    default=None,
    help="Suppress counts of people below this (default: the catalog's, 11).",
)
#: The columns a metric's table shows, in order (a cut adds its dimension after the year).
SHOWN = ("school_year", "shown", "n", "note")


@click.group()
def metrics() -> None:
    """Look up the published metrics (reports/metrics.yaml) and the claims' findings.

    Example: outcomes metrics list

    Example: outcomes metrics get students_in_teams --by gender
    """


@metrics.command("list")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; csv or json for scripts.",
)
def list_metrics(output_format) -> None:
    """List every metric: id, kind, unit, the dimensions it can be cut by, its source.

    Example: outcomes metrics list --format csv > metrics.csv
    """
    from reports.catalog import load_catalog

    rows = [
        (m.id, m.kind, m.unit, ", ".join(m.dimensions), m.source, m.title)
        for m in load_catalog().metrics
    ]
    print_rows(
        "metrics", ("id", "kind", "unit", "dimensions", "source", "title"), rows, output_format
    )


@metrics.command("get")
@click.argument("metric_id", metavar="ID")
@DB_OPTION
@AS_OF_OPTION
@click.option("--by", "by", default=None, metavar="DIM", help="Cut by one dimension (--by gender).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice((*FORMATS, "xlsx")),
    default="table",
    show_default=True,
    help="table for people; csv, json or xlsx (with --out) for scripts and spreadsheets.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of the screen (needed for xlsx).",
)
@THRESHOLD_OPTION
@reports_errors
def get_metric(metric_id, db, as_of, by, output_format, out, threshold) -> None:
    """One metric by school year, with its n, definition, source and evidence tier.

    Counts of people below the threshold are suppressed (and a second cell beside a lone
    suppressed one); shares near 0% or 100% are shown as ranges. Ends with a sentence to
    paste into a grant application. A claim's metric (claim.<id>) reads the stored
    scorecard.

    Example: outcomes metrics get certificate_rate --as-of 2026-06-30

    Example: outcomes metrics get girls_return_rate --by team_type --format xlsx --out girls.xlsx

    Example: outcomes metrics get claim.female_retention_girls_only
    """
    from pipelines.warehouse.connection import connect_read_only
    from reports.metric_values import metric_values

    if output_format == "xlsx" and out is None:
        raise InputError("--format xlsx", "a workbook cannot go to the screen", "add --out FILE")
    con = connect_read_only(db)
    try:
        values = metric_values(con, metric_id, as_of=as_of, by=by, threshold=threshold)
    except LookupError as error:
        raise InputError(metric_id, str(error).split("; ")[0], _fix(str(error))) from error
    finally:
        con.close()
    frame = values.to_frame()
    if output_format == "xlsx":
        _write_xlsx(out, frame)
        console.print(f"wrote {len(frame)} rows of {metric_id} to {out}")
        return
    if output_format in ("csv", "json") or out is not None:
        _write(frame, output_format, out)
        return
    metric = values.metric
    console.print(f"[bold]{metric.title}[/bold] ({metric.id}, {metric.unit})")
    console.print(f"  {metric.definition}")
    console.print(f"  source: {metric.source}; evidence: {values.evidence_tier}")
    columns = list(values.frame.columns) if metric.claim_id else _shown_columns(by)
    rows = [[_cell(row[c]) for c in columns] for _, row in values.frame.iterrows()]
    print_rows(metric.id, columns, rows)
    click.echo(values.sentence())


def _shown_columns(by: str | None) -> list[str]:
    return list(SHOWN[:1]) + ([by] if by else []) + list(SHOWN[1:])


def _cell(value) -> object:
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fix(message: str) -> str:
    _, _, rest = message.partition("; ")
    return rest or "see `outcomes metrics list`"


def _write(frame, output_format: str, out: Path | None) -> None:
    import sys

    from pipelines.safe_export import write_safe_rows

    records = frame.astype(object).where(frame.notna(), None)
    if output_format == "json":
        text = json.dumps(records.to_dict(orient="records"), indent=2, default=str)
        if out is None:
            click.echo(text)
        else:
            _checked_write(out, lambda handle: handle.write(text + "\n"))
        return
    rows = records.itertuples(index=False)
    if out is None:
        write_safe_rows(sys.stdout, list(frame.columns), rows)
    else:
        _checked_write(out, lambda handle: write_safe_rows(handle, list(frame.columns), rows))


def _checked_write(out: Path, write) -> None:
    try:
        with out.open("w", encoding="utf-8", newline="") as handle:
            write(handle)
    except OSError as error:
        raise InputError(
            out, f"cannot be written ({error.strerror})", "choose another path"
        ) from error


def _write_xlsx(out: Path, frame) -> None:
    from openpyxl import Workbook

    from pipelines.safe_export import escape_cell

    book = Workbook()
    sheet = book.active
    sheet.title = "metric"
    sheet.append(list(frame.columns))
    for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
        sheet.append([escape_cell(_cell(v)) for v in row])
    try:
        book.save(out)
    except OSError as error:
        raise InputError(
            out, f"cannot be written ({error.strerror})", "choose another path"
        ) from error

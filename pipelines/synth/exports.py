"""Which export files a district sends, and each file's cells as text.

An export is planned as one or more *text tables*: every cell already written the way the
file will show it (a date as ``08/14/2023`` or ``2023-08-14``, a flag as ``Y`` or ``true``),
under the contract's column names. Mess is injected into these tables, and the writers put
them on disk under the file's own header spellings. The student information system's files
(rosters, attendance) use US dates and the SIS's header spellings, which the contracts list
as aliases; the program's own files use the contract names and ISO dates.
"""

from __future__ import annotations

import polars as pl

from pipelines.synth import schedule, survey_exports
from pipelines.synth.export_spec import ExportSpec, TextTable
from pipelines.synth.frames import DistrictFrames
from pipelines.synth.kinds import KIND_COLUMNS, SIS_HEADERS, SIS_KINDS


def render_text(frame: pl.DataFrame, *, us_dates: bool, yes_no: bool) -> pl.DataFrame:
    """Every column as text: dates in the file's style, flags as Y/N or true/false."""
    expressions = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Date:
            expressions.append(column.dt.strftime("%m/%d/%Y" if us_dates else "%Y-%m-%d"))
        elif dtype == pl.Datetime:
            expressions.append(column.dt.strftime("%Y-%m-%d %H:%M:%S"))
        elif dtype == pl.Boolean:
            true, false = ("Y", "N") if yes_no else ("true", "false")
            expressions.append(
                pl.when(column)
                .then(pl.lit(true))
                .when(~column)
                .then(pl.lit(false))
                .otherwise(None)
                .alias(name)
            )
        elif dtype.is_float():
            expressions.append(_float_text(column).alias(name))
        else:
            expressions.append(column.cast(pl.String))
    return frame.select(expressions)


def _float_text(column: pl.Expr) -> pl.Expr:
    """Floats without a trailing ``.0`` on whole numbers, rounded to cents at most."""
    rounded = column.round(2)
    whole = rounded == rounded.floor()
    return (
        pl.when(whole)
        .then(rounded.cast(pl.Int64).cast(pl.String))
        .otherwise(rounded.cast(pl.String))
    )


def cell_types(frame: pl.DataFrame) -> dict[str, str]:
    types = {}
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            types[name] = "date"
        elif dtype.is_integer():
            types[name] = "integer"
        elif dtype.is_float():
            types[name] = "number"
        else:
            types[name] = "text"
    return types


def _last_first(frame: pl.DataFrame) -> pl.DataFrame:
    """The roster's one name column holds ``Last, First``."""
    return frame.with_columns(last_surname=pl.format("{}, {}", "last_surname", "first_name"))


def _csv(
    kind: str, name: str, frame: pl.DataFrame, *, school_year: int | None = None
) -> ExportSpec:
    sis = kind in SIS_KINDS
    if kind in ("students", "staff"):
        frame = _last_first(frame)
    frame = frame.select(KIND_COLUMNS[kind])
    return ExportSpec(
        file_name=name,
        kind=kind,
        file_format="csv",
        tables=[TextTable(render_text(frame, us_dates=sis, yes_no=sis))],
        headers=SIS_HEADERS.get(kind, {}),
        us_dates=sis,
        crlf=sis,
        school_year=school_year,
    )


def _panel_workbook(scores: pl.DataFrame, school_year: int) -> ExportSpec:
    """One workbook per school year, one sheet per quarter, a title block above each header."""
    calendar = schedule.school_year(school_year)
    frame = scores.filter(pl.col("school_year") == school_year).select(KIND_COLUMNS["panel_scores"])
    tables = []
    for quarter in schedule.QUARTERS:
        part = frame.filter(pl.col("quarter") == quarter)
        if part.is_empty():
            continue
        title = (
            f"Employer Panel Portfolio Review - {calendar.label} {quarter.upper()}",
            "Scale 0-10 per component; the standard for the AI-Ready Certificate is 7.0",
        )
        tables.append(
            TextTable(
                render_text(part, us_dates=False, yes_no=False), sheet=quarter.upper(), title=title
            )
        )
    return ExportSpec(
        file_name=f"panel_scores_{calendar.label}.xlsx",
        kind="panel_scores",
        file_format="xlsx",
        tables=tables,
        cell_types=cell_types(frame),
        school_year=school_year,
    )


def _cost_ledger(costs: pl.DataFrame) -> ExportSpec:
    frame = costs.select(KIND_COLUMNS["program_costs"])
    return ExportSpec(
        file_name="program_cost_ledger.xlsx",
        kind="program_costs",
        file_format="xlsx",
        tables=[TextTable(render_text(frame, us_dates=False, yes_no=False), sheet="Ingredients")],
        cell_types=cell_types(frame),
    )


def plan_exports(frames: DistrictFrames) -> list[ExportSpec]:
    """Every export file of a district, in writing order (surveys last)."""
    kinds = frames.kinds
    plan = []
    for year in frames.truth.calendar.school_year_list:
        label = schedule.school_year(year).label
        roster = kinds["students"].filter(pl.col("school_year") == year)
        plan.append(_csv("students", f"sis_students_{label}.csv", roster, school_year=year))
    plan.append(_csv("staff", "sis_staff.csv", kinds["staff"]))
    for kind in ("studio_teams", "team_memberships"):
        plan.append(_csv(kind, f"{kind}.csv", kinds[kind]))
    plan.append(
        _csv("session_attendance", "sis_session_attendance.csv", kinds["session_attendance"])
    )
    for kind in ("mentorship_pairs", "client_projects"):
        plan.append(_csv(kind, f"{kind}.csv", kinds[kind]))
    for year in frames.truth.calendar.school_year_list:
        workbook = _panel_workbook(kinds["panel_scores"], year)
        if workbook.tables:
            plan.append(workbook)
    for kind in (
        "micro_internships",
        "certificates",
        "teacher_training",
        "teacher_adoption",
        "competency_assessments",
        "knowledge_assessments",
    ):
        plan.append(_csv(kind, f"{kind}.csv", kinds[kind]))
    plan.append(_cost_ledger(kinds["program_costs"]))
    plan.append(
        _csv("benefit_observations", "benefit_observations.csv", kinds["benefit_observations"])
    )
    plan.append(_csv("graduate_followups", "graduate_followups.csv", kinds["graduate_followups"]))
    plan.extend(survey_exports.plan_surveys(frames))
    return plan

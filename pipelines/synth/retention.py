"""Who leaves a team during a year, and who comes back the next year.

A member leaves the district mid-year either by the population's ordinary mobility or at
``mess.left_district_mid_year_rate`` (realistic data, not a defect). Members who finish a
year return the next one with the true retention rates by sex and team type; the girls-only
effect on female retention lives here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.synth.schedule import SchoolYear
from pipelines.synth.truth import Truth


def leave_date(
    rng: np.random.Generator,
    rate: float,
    info: dict,
    student: str,
    year: int,
    start: dt.date,
    calendar: SchoolYear,
    departed: dict[str, tuple[int, dt.date | None]],
) -> dt.date | None:
    """When a member leaves the district this year, or None.

    Either the ordinary move the population drew, or a mid-year departure at
    ``mess.left_district_mid_year_rate``, drawn once per member and year (the first call
    decides; later calls in the same year repeat the answer).
    """
    if student in departed and departed[student][0] == year:
        return departed[student][1]
    exit_date = info[f"{student}@{year}"]["district_exit_date"]
    if exit_date is not None and exit_date <= calendar.spring_end:
        day = max(exit_date, start + dt.timedelta(days=7))
    elif rng.random() < rate:
        span = (calendar.spring_end - start).days - 21
        day = start + dt.timedelta(days=14 + int(rng.integers(0, max(span, 1))))
    else:
        day = None
    departed[student] = (year, day)
    return day


def draw_returns(
    truth: Truth,
    rng: np.random.Generator,
    finishers: dict[str, str],
    teams_by_id: dict[str, dict],
    info: dict,
    year: int,
) -> dict[str, str]:
    """Members who finished the year come back next year with the true retention rates."""
    program = truth.program
    returning = {}
    for student, team_id in sorted(finishers.items()):
        sex = info[f"{student}@{year}"]["sex"]
        if sex == "female":
            girls_only = teams_by_id[team_id]["team_type"] == "girls_only"
            chance = (
                program.female_retention_girls_only
                if girls_only
                else program.female_retention_mixed
            )
        elif sex == "male":
            chance = program.male_retention
        else:
            chance = program.other_retention
        if rng.random() < chance:
            returning[student] = team_id
    return returning


def apply_departures(
    student_years: pl.DataFrame, departed: dict[str, tuple[int, dt.date | None]]
) -> pl.DataFrame:
    """Members who left mid-year exit in that year and vanish from later rosters."""
    departed = {s: v for s, v in departed.items() if v[1] is not None}
    if not departed:
        return student_years
    leavers = pl.DataFrame(
        {
            "student_unique_id": list(departed),
            "left_year": [v[0] for v in departed.values()],
            "left_date": [v[1] for v in departed.values()],
        },
        schema={"student_unique_id": pl.String, "left_year": pl.Int32, "left_date": pl.Date},
    )
    joined = student_years.join(leavers, on="student_unique_id", how="left", maintain_order="left")
    kept = joined.filter(
        pl.col("left_year").is_null() | (pl.col("school_year") <= pl.col("left_year"))
    )
    leaving_now = pl.col("school_year") == pl.col("left_year")
    return kept.with_columns(
        exit_date=pl.when(leaving_now).then(pl.col("left_date")).otherwise(pl.col("exit_date")),
        exit_reason=pl.when(leaving_now)
        .then(pl.lit("left_district"))
        .otherwise(pl.col("exit_reason")),
        district_exit_date=pl.when(pl.col("left_date").is_not_null())
        .then(pl.col("left_date"))
        .otherwise(pl.col("district_exit_date")),
    ).drop("left_year", "left_date")

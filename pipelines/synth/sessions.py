"""What happens inside a team each week: near-peer mentor pairs and session attendance.

Mentor pairs follow the solution text: a 12th grader mentors 10th graders and an 11th
grader mentors 9th graders, always within one team. Sessions are weekly, 90 minutes, on the
team's weekday, on every school day of the term from the member's start to end date.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.synth import schedule
from pipelines.synth.truth import Truth

#: mentee grade -> mentor grade, and the pairing code
PAIRINGS = {"10": ("12", "grade12_to_grade10"), "9": ("11", "grade11_to_grade9")}


def member_years(memberships: pl.DataFrame) -> pl.DataFrame:
    """One row per student, team and year: first start, last end, and grade."""
    return memberships.group_by("student_unique_id", "team_id", "school_year").agg(
        start_date=pl.col("start_date").min(),
        end_date=pl.col("end_date").max(),
        grade_level=pl.col("grade_level").first(),
    )


def mentorship_pairs(memberships: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Every mentee gets one mentor of the right grade in the team, with overlapping dates.

    Mentors take mentees in turn (the one with fewest mentees first), so loads stay even.
    """
    spans = member_years(memberships).sort(
        "school_year", "team_id", "start_date", "student_unique_id"
    )
    rows = []
    for (team_id, school_year), group in spans.group_by(
        ["team_id", "school_year"], maintain_order=True
    ):
        members = group.to_dicts()
        for mentee_grade, (mentor_grade, pairing) in PAIRINGS.items():
            mentors = [m for m in members if m["grade_level"] == mentor_grade]
            load = {m["student_unique_id"]: 0 for m in mentors}
            for mentee in (m for m in members if m["grade_level"] == mentee_grade):
                overlapping = [
                    m
                    for m in mentors
                    if min(m["end_date"], mentee["end_date"])
                    > max(m["start_date"], mentee["start_date"])
                ]
                if not overlapping:
                    continue
                fewest = min(load[m["student_unique_id"]] for m in overlapping)
                choices = [m for m in overlapping if load[m["student_unique_id"]] == fewest]
                mentor = choices[int(rng.integers(0, len(choices)))]
                load[mentor["student_unique_id"]] += 1
                rows.append(
                    {
                        "mentor_student_unique_id": mentor["student_unique_id"],
                        "mentee_student_unique_id": mentee["student_unique_id"],
                        "team_id": team_id,
                        "school_year": school_year,
                        "pairing": pairing,
                        "start_date": max(mentor["start_date"], mentee["start_date"]),
                        "end_date": min(mentor["end_date"], mentee["end_date"]),
                    }
                )
    schema = {
        "mentor_student_unique_id": pl.String,
        "mentee_student_unique_id": pl.String,
        "team_id": pl.String,
        "school_year": pl.Int32,
        "pairing": pl.String,
        "start_date": pl.Date,
        "end_date": pl.Date,
    }
    return pl.DataFrame(rows, schema=schema)


def team_sessions(truth: Truth, teams: pl.DataFrame, team_facts: pl.DataFrame) -> pl.DataFrame:
    """Dates of every team's weekly sessions, by school year and term."""
    rows = []
    weekday_of = dict(zip(team_facts["team_id"], team_facts["session_weekday"], strict=True))
    for team in teams.iter_rows(named=True):
        for year in truth.calendar.school_year_list:
            calendar = schedule.school_year(year)
            for term in ("fall", "spring"):
                start, end = calendar.term_dates(term)
                start = max(start, team["formed_date"])
                if team["disbanded_date"] is not None:
                    end = min(end, team["disbanded_date"])
                for day in calendar.weekly_dates(weekday_of[team["team_id"]], start, end):
                    rows.append((team["team_id"], year, term, day))
    return pl.DataFrame(
        rows,
        schema={
            "team_id": pl.String,
            "school_year": pl.Int32,
            "term": pl.String,
            "session_date": pl.Date,
        },
        orient="row",
    )


def session_attendance(
    truth: Truth,
    rng: np.random.Generator,
    memberships: pl.DataFrame,
    sessions: pl.DataFrame,
    persons: pl.DataFrame,
) -> pl.DataFrame:
    """One row per member per session between their start and end dates.

    Each student has an engagement level (partly ability) that makes absences rarer or
    commoner; tardy and excused shares are the same for everyone.
    """
    minutes = truth.calendar.session_minutes
    base = truth.program.attendance
    frame = (
        memberships.select(
            "student_unique_id", "team_id", "school_year", "term", "start_date", "end_date"
        )
        .join(sessions, on=["team_id", "school_year", "term"], maintain_order="left")
        .filter(pl.col("session_date").is_between(pl.col("start_date"), pl.col("end_date")))
        .join(
            persons.select("student_unique_id", "ability"),
            on="student_unique_id",
            how="left",
            maintain_order="left",
        )
        .sort("session_date", "team_id", "student_unique_id")
    )
    size = frame.height
    students = frame["student_unique_id"].unique().sort()
    engagement_of = pl.DataFrame(
        {"student_unique_id": students, "engagement": rng.normal(0.0, 0.5, students.len())}
    )
    engagement = frame.join(
        engagement_of, on="student_unique_id", how="left", maintain_order="left"
    )["engagement"].to_numpy()
    engagement = engagement + 0.3 * frame["ability"].to_numpy()
    p_absent = np.clip(base["absent"] * np.exp(-0.8 * engagement), 0.0, 0.5)
    p_excused = np.full(size, base["excused"])
    p_tardy = np.full(size, base["tardy"])
    draw = rng.random(size)
    status = np.select(
        [draw < p_absent, draw < p_absent + p_excused, draw < p_absent + p_excused + p_tardy],
        ["absent", "excused", "tardy"],
        default="present",
    )
    minutes_attended = np.select(
        [status == "present", status == "tardy"],
        [minutes, rng.integers(minutes // 2, minutes - 5, size)],
        default=0,
    )
    return frame.select(
        "student_unique_id",
        "team_id",
        "session_date",
        attendance_status=pl.Series(status),
        minutes_attended=pl.Series(minutes_attended, dtype=pl.Int64),
    )

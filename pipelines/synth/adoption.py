"""Teacher adoption events: first AI lesson, later lessons, sandbox sessions, reviews.

Time from finishing training to a teacher's first AI lesson is exponential; its mean is
``mandate_days_to_first_lesson`` under a top-down mandate and that divided by
``champion_adoption_speed_ratio`` with champion support (the true effect). Champions and
administrators adopt voluntarily and fast. Some teachers never adopt; some stop again within
300 days of their first AI lesson, fewer of those whose training normalised early failure
(``early_failure_normalised_adoption_ratio`` times as many still use AI a year on).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.synth import schedule
from pipelines.synth.truth import Truth

COURSE_PREFIX = {
    "multiple_subjects": "ELEM",
    "mathematics": "MATH",
    "english_language_arts": "ELA",
    "science": "SCI",
    "social_studies": "SOC",
    "world_languages": "WL",
    "visual_performing_arts": "VPA",
    "physical_education": "PE",
    "career_technical_education": "CTE",
    "computer_science": "CS",
    "special_education": "SPED",
}
LESSONS_PER_MONTH = 0.8


def next_school_day(day: dt.date) -> dt.date:
    """``day`` itself if classes meet then, else the next day they do."""
    calendar = schedule.school_year(schedule.school_year_of(day))
    if day > calendar.spring_end:
        calendar = schedule.school_year(calendar.school_year + 1)
        day = max(day, calendar.fall_start)
    day = max(day, calendar.fall_start)
    while not calendar.in_session(day) or day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def teacher_adoption(
    truth: Truth,
    rng: np.random.Generator,
    facts: pl.DataFrame,
    staff: pl.DataFrame,
    projects: pl.DataFrame,
    team_facts: pl.DataFrame,
) -> pl.DataFrame:
    """All adoption events, one row per teacher, event type and date."""
    effects = truth.effects
    horizon = schedule.school_year(truth.calendar.school_year_list[-1]).spring_end
    subject_of = dict(zip(staff["staff_unique_id"], staff["subject_area"], strict=True))
    mean_days = {
        "mandate": effects.mandate_days_to_first_lesson,
        "champion_network": effects.mandate_days_to_first_lesson
        / effects.champion_adoption_speed_ratio,
        "voluntary": effects.voluntary_days_to_first_lesson,
    }
    events: list[tuple[str, str, dt.date, str, str | None]] = []
    teachers = facts.filter(pl.col("staff_classification") == "teacher").sort(
        "start_date", "staff_unique_id"
    )
    for row in teachers.iter_rows(named=True):
        staff_id, route = row["staff_unique_id"], row["adoption_route"]
        last_day = min(horizon, row["exit_date"] or horizon)
        prefix = COURSE_PREFIX.get(subject_of.get(staff_id) or "", "GEN")
        if row["sandbox_included"]:
            end = row["completion_date"] or row["start_date"] + dt.timedelta(days=30)
            for _ in range(int(rng.integers(1, 4))):
                day = row["start_date"] + dt.timedelta(
                    days=int(rng.integers(0, max(1, (end - row["start_date"]).days)))
                )
                events.append((staff_id, "sandbox_session", next_school_day(day), route, None))
        if not row["completed"] or rng.random() < effects.never_adopt_share:
            continue
        delay = rng.exponential(mean_days[route])
        first = next_school_day(row["completion_date"] + dt.timedelta(days=int(delay)))
        if first > last_day:
            continue
        events.append(
            (staff_id, "first_ai_lesson", first, route, f"{prefix}-{int(rng.integers(100, 400))}")
        )
        stop = None
        stop_share = (
            effects.stop_using_share_normalised
            if row["early_failure_normalised"]
            else effects.stop_using_share
        )
        if rng.random() < stop_share:
            stop = next_school_day(first + dt.timedelta(days=int(rng.integers(30, 300))))
            if stop <= last_day:
                events.append((staff_id, "stopped_using_ai", stop, route, None))
        active_until = min(last_day, stop or last_day)
        months = max(0.0, (active_until - first).days / 30.4)
        for _ in range(int(rng.poisson(LESSONS_PER_MONTH * months))):
            day = first + dt.timedelta(
                days=int(rng.integers(1, max(2, (active_until - first).days)))
            )
            day = next_school_day(day)
            if day <= active_until:
                events.append(
                    (staff_id, "ai_lesson", day, route, f"{prefix}-{int(rng.integers(100, 400))}")
                )
    champions = facts.filter(pl.col("cohort") == "champion")
    first_year = schedule.school_year(truth.calendar.school_year_list[0])
    for row in champions.iter_rows(named=True):
        # Champions hold monthly office hours in the first year, from the month after training.
        day = row["completion_date"] or row["start_date"]
        while day < first_year.spring_end:
            day = schedule.nth_weekday(day.year + day.month // 12, day.month % 12 + 1, 2, 1)
            if day <= first_year.spring_end and (
                row["exit_date"] is None or day < row["exit_date"]
            ):
                events.append(
                    (
                        row["staff_unique_id"],
                        "office_hours",
                        next_school_day(day),
                        "voluntary",
                        None,
                    )
                )
    events.extend(_team_events(truth, facts, projects, team_facts))
    frame = pl.DataFrame(
        events,
        schema={
            "staff_unique_id": pl.String,
            "event_type": pl.String,
            "event_date": pl.Date,
            "adoption_route": pl.String,
            "course_code": pl.String,
        },
        orient="row",
    )
    # Nothing happens after a teacher has left or after the last simulated school day.
    exits = facts.group_by("staff_unique_id").agg(pl.col("exit_date").first())
    frame = frame.join(exits, on="staff_unique_id", how="left", maintain_order="left").filter(
        (pl.col("event_date") <= horizon)
        & (pl.col("exit_date").is_null() | (pl.col("event_date") < pl.col("exit_date")))
    )
    return (
        frame.drop("exit_date")
        .unique(["staff_unique_id", "event_type", "event_date"], keep="first", maintain_order=True)
        .sort("event_date", "staff_unique_id", "event_type")
    )


def _team_events(
    truth: Truth, facts: pl.DataFrame, projects: pl.DataFrame, team_facts: pl.DataFrame
) -> list[tuple]:
    """Mentors of reviewing teams hold an after-action review after each delivered project,
    and every mentor shows the team's work at the year-end showcase."""
    route_of = dict(zip(facts["staff_unique_id"], facts["adoption_route"], strict=False))
    mentors = team_facts.select("team_id", "mentor_staff_unique_id", "after_action_reviews")
    delivered = projects.filter(pl.col("delivered_date").is_not_null()).join(
        mentors, on="team_id", maintain_order="left"
    )
    events = []
    for row in delivered.filter(pl.col("after_action_reviews")).iter_rows(named=True):
        mentor = row["mentor_staff_unique_id"]
        day = next_school_day(row["delivered_date"] + dt.timedelta(days=3))
        events.append((mentor, "after_action_review", day, route_of.get(mentor, "voluntary"), None))
    showcases = (
        delivered.select("mentor_staff_unique_id", "school_year")
        .unique()
        .sort("school_year", "mentor_staff_unique_id")
    )
    for mentor, year in showcases.iter_rows():
        day = schedule.school_year(year).spring_end - dt.timedelta(days=14)
        events.append(
            (mentor, "showcase", next_school_day(day), route_of.get(mentor, "voluntary"), None)
        )
    return events

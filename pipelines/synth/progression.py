"""Educators' LEARN progression: every teacher's level on the five pillars at each term's end.

The district's LEARN Competencies & Progressions is a progression for educators; the
program is meant to move teachers along it. Every teacher on staff is assessed at the end
of each term, trained or not yet trained, so growth after training can be compared with
the level of colleagues still waiting for it. A teacher's latent level is

``base + 0.35 * skill + growth * years since completing training * (ratio if mentoring)``

plus noise, where ``growth`` is ``educator_learn_growth_per_year`` and ``ratio`` is
``mentor_learn_growth_ratio`` for teachers who mentor a studio team. The level reported is
the latent rounded to 0 (emerging), 1 (applying) or 2 (integrating).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.synth import schedule
from pipelines.synth.truth import Truth

LEARN_PILLARS = (
    "learn_literacy",
    "learn_ethics",
    "learn_application",
    "learn_relevance",
    "learn_navigation",
)
LEVELS = np.array(["emerging", "applying", "integrating"])
#: Untrained teachers' mean latent level: most are emerging, a third already applying.
BASE_LEVEL = 0.3
#: Pillars differ a little: ethics comes easiest, navigation hardest (our assumption).
PILLAR_OFFSETS = {
    "learn_literacy": 0.1,
    "learn_ethics": 0.2,
    "learn_application": 0.0,
    "learn_relevance": -0.05,
    "learn_navigation": -0.15,
}
NOISE_SD = 0.35
DAYS_PER_YEAR = 365.25


def term_end_dates(truth: Truth) -> list[dt.date]:
    """The assessment day of each term: the last Monday before the term ends."""
    days = []
    for year in truth.calendar.school_year_list:
        calendar = schedule.school_year(year)
        for end in (calendar.fall_end, calendar.spring_end):
            day = end - dt.timedelta(days=4)
            days.append(day - dt.timedelta(days=day.weekday()))
    return days


def teacher_progression(
    truth: Truth,
    rng: np.random.Generator,
    staff: pl.DataFrame,
    facts: pl.DataFrame,
    teams: pl.DataFrame,
    assessors: dict[str, str],
) -> pl.DataFrame:
    """Every teacher on staff on every pillar at every term's end (competency rows)."""
    effects = truth.effects
    days = pl.DataFrame({"assessed_date": term_end_dates(truth)}, schema={"assessed_date": pl.Date})
    teachers = staff.filter(pl.col("staff_classification") == "teacher").select(
        "staff_unique_id", "school_id", "hire_date", "exit_date", "skill"
    )
    training = facts.filter(pl.col("staff_classification") == "teacher").select(
        "staff_unique_id", "start_date", "completion_date", "exposure_model"
    )
    mentoring_since = (
        teams.group_by("mentor_staff_unique_id")
        .agg(mentoring_since=pl.col("formed_date").min())
        .rename({"mentor_staff_unique_id": "staff_unique_id"})
    )
    on_staff = (
        teachers.join(days, how="cross", maintain_order="left_right")
        .filter(
            (pl.col("hire_date") <= pl.col("assessed_date"))
            & (pl.col("exit_date").is_null() | (pl.col("exit_date") > pl.col("assessed_date")))
        )
        .join(training, on="staff_unique_id", how="left", maintain_order="left")
        .join(mentoring_since, on="staff_unique_id", how="left", maintain_order="left")
        .join(
            pl.DataFrame({"competency": list(LEARN_PILLARS)}),
            how="cross",
            maintain_order="left_right",
        )
        .sort("assessed_date", "staff_unique_id", "competency")
    )
    trained_days = (
        (pl.col("assessed_date") - pl.col("completion_date")).dt.total_days().clip(lower_bound=0)
    )
    mentoring = pl.col("mentoring_since").is_not_null() & (
        pl.col("mentoring_since") <= pl.col("assessed_date")
    )
    on_staff = on_staff.with_columns(
        years_trained=trained_days.fill_null(0) / DAYS_PER_YEAR,
        growth_ratio=pl.when(mentoring).then(effects.mentor_learn_growth_ratio).otherwise(1.0),
        offset=pl.col("competency").replace_strict(PILLAR_OFFSETS, return_dtype=pl.Float64),
    )
    latent = (
        BASE_LEVEL
        + 0.35 * on_staff["skill"].to_numpy()
        + on_staff["offset"].to_numpy()
        + effects.educator_learn_growth_per_year
        * on_staff["years_trained"].to_numpy()
        * on_staff["growth_ratio"].to_numpy()
        + rng.normal(0, NOISE_SD, on_staff.height)
    )
    level = np.clip(np.round(latent), 0, 2).astype(int)
    started = pl.col("start_date").is_not_null() & (pl.col("start_date") <= pl.col("assessed_date"))
    return on_staff.select(
        person_unique_id="staff_unique_id",
        person_role=pl.lit("teacher"),
        competency="competency",
        level=pl.Series(LEVELS[level]),
        proficient=pl.Series(level >= 1),
        exposure_model=pl.col("exposure_model").fill_null("unknown"),
        after_action_reviews=pl.lit(None, dtype=pl.Boolean),
        weeks_in_program=pl.when(started).then(
            ((pl.col("assessed_date") - pl.col("start_date")).dt.total_days() / 7).round(1)
        ),
        assessed_date="assessed_date",
        assessor_staff_unique_id=pl.col("school_id").replace_strict(
            assessors, default=assessors["__district__"]
        ),
        assessment_occasion=pl.lit("end_of_term"),
    )

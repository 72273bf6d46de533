"""Knowledge and competency assessments, where the true instructional effects live.

Knowledge (an AI-literacy unit test, 0-100): members in grades 9-10 take it before, after
and twelve weeks after the unit; a mentee learns from a near-peer mentor, other members and
a comparison group of non-members learn from a teacher only. The share of the gain kept at
the retention test is ``knowledge_retention_teacher_only`` for teacher-only instruction and
that times ``near_peer_knowledge_retention_ratio`` for near-peer instruction.

Competency: teachers are assessed after training (proficient with the true probability of
their exposure model, graduated or sink-or-swim); members are assessed at each panel on the
studio's core competency, where proficiency grows with weeks in the program at a rate
``after_action_review_speedup`` times higher in teams that hold after-action reviews.
"""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist

import numpy as np
import polars as pl

from pipelines.synth import schedule
from pipelines.synth.adoption import next_school_day
from pipelines.synth.truth import Truth

INSTRUMENT_ID = "AILIT-UNIT-A"
KNOWLEDGE_MAX_SCORE = 100.0
TEACHER_COMPETENCIES = ("learn_literacy", "learn_ethics", "learn_application")
UNIT_WEEKS = 10
RETENTION_WEEKS = 12


def knowledge_takers(
    truth: Truth,
    rng: np.random.Generator,
    memberships: pl.DataFrame,
    pairs: pl.DataFrame,
    student_years: pl.DataFrame,
) -> pl.DataFrame:
    """Who takes the unit each year, when it starts, and how they are taught."""
    members = (
        memberships.filter(pl.col("grade_level").is_in(["9", "10"]))
        .group_by("student_unique_id", "school_year")
        .agg(
            team_id=pl.col("team_id").first(),
            start=pl.col("start_date").min(),
            end=pl.col("end_date").max(),
        )
    )
    mentees = pairs.select(
        pl.col("mentee_student_unique_id").alias("student_unique_id"),
        "school_year",
        mentored=pl.lit(True),
    ).unique()
    members = members.join(
        mentees, on=["student_unique_id", "school_year"], how="left", maintain_order="left"
    ).with_columns(
        instruction_mode=pl.when(pl.col("mentored"))
        .then(pl.lit("near_peer"))
        .otherwise(pl.lit("teacher_only"))
    )
    frames = [members.drop("mentored")]
    for year in truth.calendar.school_year_list:
        calendar = schedule.school_year(year)
        start = calendar.fall_start + dt.timedelta(days=21)
        eligible = student_years.filter(
            (pl.col("school_year") == year)
            & pl.col("grade_level").is_in(["9", "10"])
            & (pl.col("entry_date") <= start)
            & pl.col("exit_date").is_null()
        ).join(
            members.filter(pl.col("school_year") == year),
            on="student_unique_id",
            how="anti",
            maintain_order="left",
        )
        sample = eligible.sort("student_unique_id").sample(
            min(truth.effects.knowledge_comparison_students, eligible.height),
            seed=int(rng.integers(2**31)),
        )
        frames.append(
            sample.select(
                "student_unique_id",
                "school_year",
                team_id=pl.lit(None, dtype=pl.String),
                start=pl.lit(start),
                end=pl.lit(calendar.spring_end),
                instruction_mode=pl.lit("teacher_only"),
            )
        )
    return pl.concat(frames).sort("school_year", "student_unique_id")


def knowledge_assessments(
    truth: Truth,
    rng: np.random.Generator,
    takers: pl.DataFrame,
    persons: pl.DataFrame,
    district_number: int,
) -> pl.DataFrame:
    """Pre, post and retention tests (a test is only given while the student is there)."""
    effects = truth.effects
    takers = takers.join(
        persons.select("student_unique_id", "ability"),
        on="student_unique_id",
        maintain_order="left",
    )
    size = takers.height
    ability = takers["ability"].to_numpy()
    near_peer = (takers["instruction_mode"] == "near_peer").to_numpy()
    pre = effects.knowledge_pre_mean + 8 * ability + rng.normal(0, 6, size)
    gain = np.maximum(effects.knowledge_gain_mean + 4 * ability + rng.normal(0, 5, size), 0)
    kept = np.where(
        near_peer,
        effects.knowledge_retention_teacher_only * effects.near_peer_knowledge_retention_ratio,
        effects.knowledge_retention_teacher_only,
    )
    post = pre + gain + rng.normal(0, 3, size)
    retention = pre + gain * kept + rng.normal(0, 4, size)
    pre_dates = [next_school_day(d + dt.timedelta(days=7)) for d in takers["start"].to_list()]
    post_dates = [next_school_day(d + dt.timedelta(weeks=UNIT_WEEKS)) for d in pre_dates]
    retention_dates = [next_school_day(d + dt.timedelta(weeks=RETENTION_WEEKS)) for d in post_dates]
    rows = []
    for timepoint, scores, dates in (
        ("pre", pre, pre_dates),
        ("post", post, post_dates),
        ("retention", retention, retention_dates),
    ):
        rows.append(
            takers.select(
                "student_unique_id", "school_year", "team_id", "instruction_mode", "end"
            ).with_columns(
                timepoint=pl.lit(timepoint),
                administered_date=pl.Series(dates, dtype=pl.Date),
                score=pl.Series(np.clip(np.round(scores), 0, KNOWLEDGE_MAX_SCORE)),
            )
        )
    tests = pl.concat(rows)
    # A test after the student left the team (or after the school year) is not given.
    same_year_end = pl.col("school_year").map_elements(
        lambda y: schedule.school_year(y).spring_end, return_dtype=pl.Date
    )
    tests = tests.filter(
        (pl.col("administered_date") <= pl.col("end"))
        & (pl.col("administered_date") <= same_year_end)
    )
    tests = tests.sort("administered_date", "student_unique_id", "timepoint")
    return tests.select(
        assessment_id=pl.format(
            "KA{}{}",
            pl.lit(f"{district_number:02d}"),
            pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(6),
        ),
        student_unique_id="student_unique_id",
        instrument_id=pl.lit(INSTRUMENT_ID),
        timepoint="timepoint",
        instruction_mode="instruction_mode",
        team_id="team_id",
        administered_date="administered_date",
        score="score",
        max_score=pl.lit(KNOWLEDGE_MAX_SCORE),
    )


def _levels(latent: np.ndarray, proficient_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Proficient if the latent falls below the share's quantile; the best third integrate."""
    proficient_cut = NormalDist().inv_cdf(min(max(proficient_share, 1e-6), 1 - 1e-6))
    integrating_cut = NormalDist().inv_cdf(min(max(proficient_share / 3, 1e-6), 1 - 1e-6))
    proficient = latent < proficient_cut
    level = np.where(
        latent < integrating_cut, "integrating", np.where(proficient, "applying", "emerging")
    )
    return proficient, level


def teacher_competency(
    truth: Truth, rng: np.random.Generator, facts: pl.DataFrame, staff: pl.DataFrame
) -> pl.DataFrame:
    """Three competencies per trained teacher, assessed four weeks after completion.

    ``latent = -0.6 * skill + 0.8 * noise`` is standard normal, so the share proficient is
    the true probability of the teacher's exposure model.
    """
    effects = truth.effects
    trained = facts.filter(
        (pl.col("staff_classification") == "teacher") & pl.col("completed")
    ).sort("staff_unique_id")
    assessed = trained.join(
        pl.DataFrame({"competency": list(TEACHER_COMPETENCIES)}),
        how="cross",
        maintain_order="left_right",
    )
    size = assessed.height
    latent = -0.6 * assessed["skill"].to_numpy() + 0.8 * rng.standard_normal(size)
    graduated = (assessed["exposure_model"] == "graduated").to_numpy()
    proficient = np.zeros(size, dtype=bool)
    level = np.empty(size, dtype=object)
    for flag, share in (
        (True, effects.graduated_exposure_proficiency),
        (False, effects.sink_or_swim_proficiency),
    ):
        chosen = graduated == flag
        proficient[chosen], level[chosen] = _levels(latent[chosen], share)
    assessors = school_assessors(staff)
    assessed = assessed.with_columns(
        assessed_date=pl.Series(
            [
                next_school_day(d + dt.timedelta(days=28))
                for d in assessed["completion_date"].to_list()
            ],
            dtype=pl.Date,
        ),
        proficient=pl.Series(proficient),
        level=pl.Series(level.astype(str)),
        assessor_staff_unique_id=pl.col("school_id").replace_strict(
            assessors, default=assessors["__district__"]
        ),
    )
    return assessed.select(
        person_unique_id="staff_unique_id",
        person_role=pl.lit("teacher"),
        competency="competency",
        level="level",
        proficient="proficient",
        exposure_model="exposure_model",
        after_action_reviews=pl.lit(None, dtype=pl.Boolean),
        weeks_in_program=(
            (pl.col("assessed_date") - pl.col("start_date")).dt.total_days() / 7
        ).round(1),
        assessed_date="assessed_date",
        assessor_staff_unique_id="assessor_staff_unique_id",
        assessment_occasion=pl.lit("post_training"),
    )


def school_assessors(staff: pl.DataFrame) -> dict[str, str]:
    """The first-hired administrator of each school (the district office's for the rest)."""
    admins = staff.filter(pl.col("staff_classification") == "administrator").sort(
        "hire_date", "staff_unique_id"
    )
    assessors = {
        school: group["staff_unique_id"][0]
        for (school,), group in admins.group_by(["school_id"], maintain_order=True)
    }
    assessors["__district__"] = admins["staff_unique_id"][0]
    return assessors


def student_competency(
    truth: Truth,
    rng: np.random.Generator,
    memberships: pl.DataFrame,
    persons: pl.DataFrame,
    team_facts: pl.DataFrame,
) -> pl.DataFrame:
    """The studio core competency of every member at every panel while a member.

    Proficient with probability ``1 - exp(-rate * weeks)``; the rate gives the median
    ``weeks_to_competency_median`` and is higher with after-action reviews and ability.
    """
    effects = truth.effects
    dates = pl.DataFrame(
        [
            (y, schedule.school_year(y).panel_date(q))
            for y in truth.calendar.school_year_list
            for q in schedule.QUARTERS
        ],
        schema={"school_year": pl.Int32, "assessed_date": pl.Date},
        orient="row",
    )
    first_start = memberships.group_by("student_unique_id").agg(
        first_start=pl.col("start_date").min()
    )
    assessed = (
        memberships.join(dates, on="school_year", maintain_order="left")
        .filter(pl.col("assessed_date").is_between(pl.col("start_date"), pl.col("end_date")))
        .unique(["student_unique_id", "assessed_date"], keep="first")
        .join(first_start, on="student_unique_id", maintain_order="left")
        .join(
            persons.select("student_unique_id", "ability"),
            on="student_unique_id",
            maintain_order="left",
        )
        .join(
            team_facts.select("team_id", "after_action_reviews", "mentor_staff_unique_id"),
            on="team_id",
            maintain_order="left",
        )
        .sort("assessed_date", "student_unique_id")
    )
    weeks = (assessed["assessed_date"] - assessed["first_start"]).dt.total_days().to_numpy() / 7
    rate = math.log(2) / effects.weeks_to_competency_median
    rate = rate * np.where(
        assessed["after_action_reviews"].to_numpy(), effects.after_action_review_speedup, 1.0
    )
    rate = rate * np.exp(0.3 * assessed["ability"].to_numpy())
    probability = 1 - np.exp(-rate * weeks)
    draw = rng.random(assessed.height)
    proficient = draw < probability
    level = np.where(
        draw < probability / 3, "integrating", np.where(proficient, "applying", "emerging")
    )
    return assessed.select(
        person_unique_id="student_unique_id",
        person_role=pl.lit("student"),
        competency=pl.lit("ai_studio_core"),
        level=pl.Series(level),
        proficient=pl.Series(proficient),
        exposure_model=pl.lit("graduated"),
        after_action_reviews="after_action_reviews",
        weeks_in_program=pl.Series(np.round(weeks, 1)),
        assessed_date="assessed_date",
        assessor_staff_unique_id="mentor_staff_unique_id",
        assessment_occasion=pl.lit("employer_panel"),
    )


def competency_assessments(
    teacher: pl.DataFrame,
    student: pl.DataFrame,
    district_number: int,
    progression: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Teachers' and students' assessments in one file, with assessment ids.

    ``progression`` adds the teachers' end-of-term LEARN assessments after the others, so
    the ids of the others stay as they were.
    """
    order = ("assessed_date", "person_role", "person_unique_id", "competency")
    both = pl.concat([teacher, student]).sort(*order)
    if progression is not None:
        both = pl.concat([both, progression.sort(*order)])
    return both.select(
        pl.format(
            "CA{}{}",
            pl.lit(f"{district_number:02d}"),
            pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(6),
        ).alias("assessment_id"),
        pl.all(),
    )

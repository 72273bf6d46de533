"""Training records of the roadmap's cohorts: administrators, champions, early adopters and
the full faculty, and the certification course later hires take in their first fall."""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipelines.synth import schedule
from pipelines.synth.truth import TrainingWave, Truth

TRAINING_COLUMNS = [
    "staff_unique_id",
    "cohort",
    "training_model",
    "trainer_staff_unique_id",
    "mode",
    "start_date",
    "completion_date",
    "hours_completed",
    "hours_required",
    "completed",
    "sandbox_included",
]


def first_year_cohorts(
    truth: Truth, rng: np.random.Generator, people: list[dict], first: schedule.SchoolYear
) -> dict[str, str]:
    """Cohort of each staff member trained in the first year, per the roadmap."""
    rollout = truth.rollout
    high_school = truth.district.high_school.school_id
    cohort_of = {
        p["staff_unique_id"]: "administrator"
        for p in people
        if p["staff_classification"] == "administrator"
    }
    teachers = [p for p in people if p["staff_classification"] == "teacher"]

    def pick(count: int, high_school_share: float, cohort: str) -> None:
        free_high = [
            p["staff_unique_id"]
            for p in teachers
            if p["school_id"] == high_school and p["staff_unique_id"] not in cohort_of
        ]
        free_other = [
            p["staff_unique_id"]
            for p in teachers
            if p["school_id"] != high_school and p["staff_unique_id"] not in cohort_of
        ]
        from_high = min(len(free_high), round(count * high_school_share))
        from_other = min(len(free_other), count - from_high)
        from_high = min(len(free_high), count - from_other)
        for staff_id in (
            rng.choice(free_high, size=from_high, replace=False).tolist()
            + rng.choice(free_other, size=from_other, replace=False).tolist()
        ):
            cohort_of[staff_id] = cohort

    pick(rollout.champions.count, rollout.champions_high_school_share, "champion")
    pick(rollout.early_adopters.count, rollout.early_adopters_high_school_share, "early_adopter")
    for teacher in teachers:
        cohort_of.setdefault(teacher["staff_unique_id"], "full_faculty")
    return cohort_of


def _wave(truth: Truth, cohort: str) -> TrainingWave:
    rollout = truth.rollout
    return {
        "administrator": rollout.administrators,
        "champion": rollout.champions,
        "early_adopter": rollout.early_adopters,
        "full_faculty": rollout.full_faculty,
    }[cohort]


MODES = {
    "external_intensive": "in_person",
    "train_the_trainer": "hybrid",
    "certification_course": "online",
}


def training_row(truth: Truth, rng: np.random.Generator, person: dict, cohort: str) -> dict:
    """A first-year training record: starts in the wave's first month, ends by its last."""
    wave = _wave(truth, cohort)
    start_month = schedule.program_month_start(truth.calendar.program_start, wave.start_month)
    end_first = schedule.program_month_start(truth.calendar.program_start, wave.end_month)
    end_last = schedule.program_month_end(truth.calendar.program_start, wave.end_month)
    start = start_month + dt.timedelta(days=int(rng.integers(0, 14)))
    completion = end_first + dt.timedelta(
        days=int(rng.integers(0, (end_last - end_first).days + 1))
    )
    if cohort == "full_faculty":
        # The certification course is self-paced: people finish anywhere in months 6-8.
        completion = start + dt.timedelta(days=int(rng.integers(14, (end_last - start).days + 1)))
    return _finish_row(truth, rng, person, cohort, wave, start, completion)


def new_hire_training_row(
    truth: Truth, rng: np.random.Generator, person: dict, cohort: str, calendar: schedule.SchoolYear
) -> dict:
    wave = _wave(truth, cohort)
    start = calendar.fall_start + dt.timedelta(days=int(rng.integers(0, 21)))
    completion = start + dt.timedelta(days=int(rng.integers(30, 80)))
    return _finish_row(truth, rng, person, cohort, wave, start, completion)


def _finish_row(
    truth: Truth,
    rng: np.random.Generator,
    person: dict,
    cohort: str,
    wave: TrainingWave,
    start: dt.date,
    completion: dt.date,
) -> dict:
    completed = bool(rng.random() < truth.rollout.completion_rate[cohort])
    hours = float(wave.hours)
    return {
        "staff_unique_id": person["staff_unique_id"],
        "cohort": cohort,
        "training_model": wave.model,
        "trainer_staff_unique_id": None,
        "mode": MODES[wave.model],
        "start_date": start,
        "completion_date": completion if completed else None,
        "hours_completed": hours if completed else float(round(hours * rng.uniform(0.2, 0.8))),
        "hours_required": hours,
        "completed": completed,
        "sandbox_included": None,
    }


def trainer_for(
    rng: np.random.Generator, row: dict, people: list[dict], cohort_of: dict[str, str]
) -> str:
    """The champion who leads an early adopter's train-the-trainer course (same school if any)."""
    school = next(p["school_id"] for p in people if p["staff_unique_id"] == row["staff_unique_id"])
    champions = [p for p in people if cohort_of.get(p["staff_unique_id"]) == "champion"]
    same_school = [p["staff_unique_id"] for p in champions if p["school_id"] == school]
    pool = same_school or [p["staff_unique_id"] for p in champions]
    return str(rng.choice(pool))

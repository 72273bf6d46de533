"""Training records of the roadmap's cohorts: administrators, champions, early adopters and
the full faculty, and the certification course later hires take in their first fall."""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipelines.synth import schedule
from pipelines.synth.truth import TrainingWave, Truth

#: Columns of a training record as the professional-development office writes it.
RECORD_COLUMNS = [
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
]
#: The pilot design each trainee had (from the staff facts): what the comparisons read.
DESIGN_COLUMNS = [
    "sandbox_included",
    "exposure_model",
    "adoption_route",
    "early_failure_normalised",
]
TRAINING_COLUMNS = RECORD_COLUMNS + DESIGN_COLUMNS
#: Days in an average month, to turn a monthly throughput into days between trainees.
DAYS_PER_MONTH = 30.4


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
    }


def defer_full_faculty(
    truth: Truth, rng: np.random.Generator, rows: list[dict], people: list[dict]
) -> list[dict]:
    """The staggered rollout: a random share of the full faculty certifies a year later.

    Their record is replaced by one of the second school year's fall course, the one later
    hires take; until then they are untrained.
    """
    years = truth.calendar.school_year_list
    if len(years) < 2:
        return rows
    second = schedule.school_year(years[1])
    by_id = {p["staff_unique_id"]: p for p in people}
    share = truth.rollout.full_faculty_deferred_share
    return [
        new_hire_training_row(truth, rng, by_id[row["staff_unique_id"]], "full_faculty", second)
        if row["cohort"] == "full_faculty" and rng.random() < share
        else row
        for row in rows
    ]


def lead_train_the_trainer(
    truth: Truth, rng: np.random.Generator, rows: list[dict], people: list[dict]
) -> None:
    """Champions lead the early adopters' course, one trainee after another.

    Each early adopter gets the least-loaded champion of their own school while that
    champion has fewer than an even share, else the least-loaded champion anywhere. A
    champion's k-th trainee (from 0) starts ``k / trainees_per_trainer_month`` months after
    the wave opens, so the cascade's throughput per trainer is the true one; the 16-hour
    course takes three to five weeks.
    """
    rollout = truth.rollout
    school_of = {p["staff_unique_id"]: p["school_id"] for p in people}
    champions = sorted(r["staff_unique_id"] for r in rows if r["cohort"] == "champion")
    trainees = [r for r in rows if r["cohort"] == "early_adopter"]
    if not champions or not trainees:
        return
    even_share = -(-len(trainees) // len(champions))
    load = dict.fromkeys(champions, 0)
    opens = schedule.program_month_start(
        truth.calendar.program_start, rollout.early_adopters.start_month
    )
    days_between = DAYS_PER_MONTH / rollout.trainees_per_trainer_month
    for row in trainees:
        school = school_of[row["staff_unique_id"]]
        own = [c for c in champions if school_of[c] == school and load[c] < even_share]
        trainer = min(own or champions, key=lambda c: (load[c], c))
        start = opens + dt.timedelta(
            days=int(load[trainer] * days_between) + int(rng.integers(0, 7))
        )
        load[trainer] += 1
        row["trainer_staff_unique_id"] = trainer
        row["start_date"] = start
        if row["completed"]:
            row["completion_date"] = start + dt.timedelta(days=int(rng.integers(21, 36)))

"""Staff over the simulated years, with their AI training, turnover and replacement hires.

Staffing follows enrolment (teachers per ``students_per_teacher``; administrators,
counselors and support staff per 1,000 students). Training follows the roadmap: the
administrators first, then the champions, the early adopters (trained by champions) and the
full faculty (a random share of it a year later: the staggered rollout); later hires take
the full-faculty certification in their first fall. Teachers leave at the end of a school
year at the national rate, a little less once trained (the true program effect on
retention); each leaver is replaced for the next year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.synth import names, schedule
from pipelines.synth import training as cohorts
from pipelines.synth.truth import Truth

DISTRICT_OFFICE_ID = "900"
ELEMENTARY_SUBJECTS = {
    "multiple_subjects": 0.85,
    "special_education": 0.1,
    "physical_education": 0.05,
}
SECONDARY_SUBJECTS = {
    "mathematics": 0.17,
    "english_language_arts": 0.17,
    "science": 0.14,
    "social_studies": 0.12,
    "world_languages": 0.08,
    "visual_performing_arts": 0.07,
    "physical_education": 0.07,
    "career_technical_education": 0.06,
    "computer_science": 0.04,
    "special_education": 0.08,
}


@dataclass(frozen=True)
class StaffSimulation:
    """Staff roster, training records and per-teacher facts the outcome models need."""

    staff: pl.DataFrame
    training: pl.DataFrame
    #: one row per teacher or administrator: cohort, completion, exposure model, sandbox,
    #: adoption route and latent skill (never written to a file)
    facts: pl.DataFrame


def simulate_staff(
    truth: Truth,
    rng: np.random.Generator,
    district_number: int,
    student_years: pl.DataFrame,
    design_rng: np.random.Generator,
) -> StaffSimulation:
    """Staff, their training and their turnover over all simulated years.

    ``design_rng`` draws the training design (who is deferred, when each early adopter's
    course starts, who gets early-failure normalisation) apart from ``rng``, so the design
    can change without reshuffling who is hired and who leaves.
    """
    years = truth.calendar.school_year_list
    first = schedule.school_year(years[0])
    enrolment = student_years.filter(pl.col("school_year") == years[0]).group_by("school_id").len()
    people: list[dict] = []
    for row in enrolment.sort("school_id").iter_rows(named=True):
        people.extend(_school_staff(truth, rng, row["school_id"], row["len"]))
    district_admins = max(1, round(truth.district.students / 1000))
    people.extend(
        {
            "school_id": DISTRICT_OFFICE_ID,
            "staff_classification": "administrator",
            "subject_area": None,
        }
        for _ in range(district_admins)
    )
    for person in people:
        tenure_years = int(rng.geometric(0.12)) - 1
        person["hire_date"] = schedule.school_year(
            years[0] - tenure_years
        ).fall_start - dt.timedelta(days=int(rng.integers(3, 15)))
        person["hire_year"] = years[0] - tenure_years
    _assign_ids_and_demographics(truth, rng, district_number, people)

    cohort_of = cohorts.first_year_cohorts(truth, rng, people, first)
    training_rows = [
        cohorts.training_row(truth, rng, p, cohort_of[p["staff_unique_id"]])
        for p in people
        if p["staff_unique_id"] in cohort_of
    ]
    training_rows = cohorts.defer_full_faculty(truth, design_rng, training_rows, people)
    cohorts.lead_train_the_trainer(truth, design_rng, training_rows, people)
    completed_on = {r["staff_unique_id"]: r["completion_date"] for r in training_rows}

    serial = len(people)
    for index, year in enumerate(years):
        calendar = schedule.school_year(year)
        active = [
            p
            for p in people
            if p.get("exit_date") is None
            and p["hire_date"] <= calendar.fall_start + dt.timedelta(days=1)
        ]
        leavers = []
        for person in active:
            rate = (
                truth.staff.annual_teacher_exit_rate
                if person["staff_classification"] == "teacher"
                else truth.staff.annual_other_staff_exit_rate
            )
            trained = completed_on.get(person["staff_unique_id"])
            if (
                person["staff_classification"] == "teacher"
                and trained
                and trained <= calendar.spring_end
            ):
                rate *= truth.staff.trained_exit_hazard_ratio
            if rng.random() < rate:
                person["exit_date"] = calendar.spring_end + dt.timedelta(
                    days=int(rng.integers(1, 26))
                )
                leavers.append(person)
        if index + 1 >= len(years):
            break
        next_calendar = schedule.school_year(year + 1)
        hires = []
        for leaver in leavers:
            serial += 1
            hires.append(
                {
                    "school_id": leaver["school_id"],
                    "staff_classification": leaver["staff_classification"],
                    "subject_area": leaver["subject_area"],
                    "hire_date": next_calendar.fall_start
                    - dt.timedelta(days=int(rng.integers(3, 15))),
                    "hire_year": year + 1,
                    "new_hire": True,
                }
            )
        _assign_ids_and_demographics(
            truth, rng, district_number, hires, start_serial=serial - len(hires)
        )
        people.extend(hires)
        for hire in hires:
            if hire["staff_classification"] in ("teacher", "administrator"):
                cohort = (
                    "full_faculty" if hire["staff_classification"] == "teacher" else "administrator"
                )
                row = cohorts.new_hire_training_row(truth, rng, hire, cohort, next_calendar)
                training_rows.append(row)
                cohort_of[hire["staff_unique_id"]] = cohort
                completed_on[hire["staff_unique_id"]] = row["completion_date"]

    staff = _staff_frame(people)
    # A deferred course that would start after the teacher left never happens.
    exit_of = {p["staff_unique_id"]: p["exit_date"] for p in people}
    training_rows = [
        row
        for row in training_rows
        if exit_of[row["staff_unique_id"]] is None
        or row["start_date"] < exit_of[row["staff_unique_id"]]
    ]
    training = pl.DataFrame(training_rows, infer_schema_length=None).select(cohorts.RECORD_COLUMNS)
    facts = _facts_frame(truth, rng, design_rng, people, training)
    training = (
        training.join(
            facts.select("staff_unique_id", "cohort", *cohorts.DESIGN_COLUMNS),
            on=["staff_unique_id", "cohort"],
            maintain_order="left",
        )
        .select(cohorts.TRAINING_COLUMNS)
        .sort("start_date", "staff_unique_id")
    )
    return StaffSimulation(staff=staff, training=training, facts=facts)


def _school_staff(
    truth: Truth, rng: np.random.Generator, school_id: str, students: int
) -> list[dict]:
    district = truth.district
    school = next(s for s in district.schools if s.school_id == school_id)
    subjects = ELEMENTARY_SUBJECTS if "1" in school.grades else SECONDARY_SUBJECTS
    teachers = max(1, round(students / district.students_per_teacher))
    subject_draws = rng.choice(list(subjects), size=teachers, p=list(subjects.values()))
    people = [
        {"school_id": school_id, "staff_classification": "teacher", "subject_area": str(s)}
        for s in subject_draws
    ]
    for classification, per_1000 in (
        ("administrator", district.administrators_per_1000_students),
        ("counselor", district.counselors_per_1000_students),
        ("support", district.support_staff_per_1000_students),
    ):
        # Every school has a principal; counselors and support staff follow enrolment.
        count = round(students * per_1000 / 1000)
        if classification == "administrator":
            count = max(1, count - 1)
        people.extend(
            {"school_id": school_id, "staff_classification": classification, "subject_area": None}
            for _ in range(count)
        )
    return people


def _assign_ids_and_demographics(
    truth: Truth,
    rng: np.random.Generator,
    district_number: int,
    people: list[dict],
    start_serial: int = 0,
) -> None:
    if not people:
        return
    female_share = truth.district.female_teacher_share
    sex = rng.choice(
        ["female", "male", "nonbinary", "not_selected"],
        size=len(people),
        p=[female_share, 1 - female_share - 0.01, 0.005, 0.005],
    )
    first, last = names.fake_names(rng, sex)
    for offset, person in enumerate(people):
        person["staff_unique_id"] = f"E{district_number:02d}{start_serial + offset + 1:04d}"
        person["sex"] = str(sex[offset])
        person["first_name"] = str(first[offset])
        person["last_surname"] = str(last[offset])
        person.setdefault("new_hire", False)
        experience = rng.gamma(2.0, 2.0 if person["new_hire"] else 5.0)
        person["years_of_prior_teaching_experience"] = (
            int(min(experience, 40)) if person["staff_classification"] == "teacher" else None
        )
        person["skill"] = float(rng.standard_normal())
        person.setdefault("exit_date", None)


def _staff_frame(people: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(people, infer_schema_length=None)
    frame = frame.with_columns(
        electronic_mail_address=names.email_addresses(
            frame["first_name"], frame["last_surname"], frame["staff_unique_id"], "staff"
        )
    )
    return frame.select(
        "staff_unique_id",
        "first_name",
        "last_surname",
        "electronic_mail_address",
        "school_id",
        "staff_classification",
        "sex",
        pl.col("hire_date").cast(pl.Date),
        pl.col("exit_date").cast(pl.Date),
        pl.col("years_of_prior_teaching_experience").cast(pl.Int64),
        pl.col("subject_area").cast(pl.String),
        pl.col("skill"),
    ).sort("staff_unique_id")


def _facts_frame(
    truth: Truth,
    rng: np.random.Generator,
    design_rng: np.random.Generator,
    people: list[dict],
    training: pl.DataFrame,
) -> pl.DataFrame:
    """Per-person facts of the training design that the outcome models read.

    Half the schools run the full-faculty course with a sandbox, and (independently) half
    use graduated exposure; half the departments (school x subject) get champion support for
    adoption, the rest a top-down mandate; a random share of trainees is told to expect
    early failures (early-failure normalisation). These are the district's pilot designs.
    """
    schools = sorted({p["school_id"] for p in people})
    sandbox_schools = set(
        rng.permutation(schools)[
            : round(len(schools) * truth.effects.full_faculty_sandbox_share)
        ].tolist()
    )
    graduated_schools = set(rng.permutation(schools)[: (len(schools) + 1) // 2].tolist())
    departments = sorted({(p["school_id"], p["subject_area"] or "") for p in people})
    supported = {d for d in departments if rng.random() < 0.5}
    by_id = {p["staff_unique_id"]: p for p in people}
    normalised = design_rng.random(training.height) < truth.effects.early_failure_normalised_share
    rows = []
    for record, early_failure_normalised in zip(
        training.iter_rows(named=True), normalised.tolist(), strict=True
    ):
        person = by_id[record["staff_unique_id"]]
        cohort = record["cohort"]
        early = cohort in ("administrator", "champion", "early_adopter")
        route = {
            "champion": "voluntary",
            "early_adopter": "champion_network",
            "administrator": "voluntary",
        }.get(cohort)
        if route is None:
            department = (person["school_id"], person["subject_area"] or "")
            route = "champion_network" if department in supported else "mandate"
        rows.append(
            {
                "staff_unique_id": record["staff_unique_id"],
                "school_id": person["school_id"],
                "staff_classification": person["staff_classification"],
                "sex": person["sex"],
                "cohort": cohort,
                "completed": record["completed"],
                "start_date": record["start_date"],
                "completion_date": record["completion_date"],
                "sandbox_included": early or person["school_id"] in sandbox_schools,
                "exposure_model": "graduated"
                if early or person["school_id"] in graduated_schools
                else "sink_or_swim",
                "adoption_route": route,
                "early_failure_normalised": early_failure_normalised,
                "skill": person["skill"],
                "exit_date": person["exit_date"],
                "hire_date": person["hire_date"],
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("completion_date").cast(pl.Date), pl.col("exit_date").cast(pl.Date)
    )

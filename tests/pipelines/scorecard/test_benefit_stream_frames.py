"""The frames of the two claims the benefit-cost model reads, on hand-built marts.

teacher_retention_trained: one row per teacher per school year at risk of leaving.
certified_graduate_wage_premium: one row per graduate, the latest follow-up with a wage.
"""

from __future__ import annotations

import pandas as pd

from models.scorecard import load_registry
from pipelines.scorecard.run import claim_frames

REGISTRY = load_registry()


def teacher(staff_id, hired, *, trained=None, left=None, experience=5, records_end="2025-06-05"):
    return {
        "district_id": "d01",
        "staff_unique_id": staff_id,
        "hire_date": hired,
        "exit_date": left,
        "training_completion_date": trained,
        "years_of_prior_teaching_experience": experience,
        "observation_end_date": records_end,
    }


def teacher_years(*teachers) -> list[tuple]:
    """The frame as (teacher, school_year, trained, exited, years_teaching) tuples."""
    marts = pd.DataFrame(list(teachers))
    for column in ("hire_date", "exit_date", "training_completion_date", "observation_end_date"):
        marts[column] = pd.to_datetime(marts[column])
    frame, _ = claim_frames({"teachers": marts}, REGISTRY, ["teacher_retention_trained"])[
        "teacher_retention_trained"
    ]
    return list(frame.itertuples(index=False, name=None))


#: Hired long ago, trained in the program's first year, leaving in June 2025: it sets the
#: program's first year (2024) and shows the records reach the leavers of 2025.
LEAVER = teacher("T1", "2020-08-10", trained="2024-05-15", left="2025-06-20")


def test_a_teacher_trained_in_may_and_leaving_the_next_june_has_two_rows():
    assert teacher_years(LEAVER) == [
        ("d01/T1", "2024", 1, 0, 5),
        ("d01/T1", "2025", 1, 1, 5),
    ]


def test_a_teacher_never_trained_who_stays_is_untrained_and_stays_every_year():
    rows = teacher_years(LEAVER, teacher("T2", "2015-08-01", experience=12))
    assert [r for r in rows if r[0] == "d01/T2"] == [
        ("d01/T2", "2024", 0, 0, 12),
        ("d01/T2", "2025", 0, 0, 12),
    ]


def test_training_completed_after_30_june_counts_from_the_next_school_year():
    rows = teacher_years(LEAVER, teacher("T3", "2015-08-01", trained="2024-07-10"))
    assert [r[1:3] for r in rows if r[0] == "d01/T3"] == [("2024", 0), ("2025", 1)]


def test_a_teacher_hired_in_august_is_at_risk_that_school_year():
    rows = teacher_years(LEAVER, teacher("T4", "2023-08-25"))
    assert [r[1] for r in rows if r[0] == "d01/T4"] == ["2024", "2025"]


def test_a_teacher_hired_during_the_school_year_is_at_risk_from_the_next_one():
    rows = teacher_years(LEAVER, teacher("T5", "2024-01-08"))
    assert [r[1] for r in rows if r[0] == "d01/T5"] == ["2025"]


def test_an_exit_in_early_july_belongs_to_the_school_year_just_ended():
    rows = teacher_years(LEAVER, teacher("T6", "2015-08-01", left="2024-07-02"))
    assert [r for r in rows if r[0] == "d01/T6"] == [("d01/T6", "2024", 0, 1, 5)]


def test_a_teacher_gone_before_the_programs_first_year_has_no_rows():
    rows = teacher_years(LEAVER, teacher("T7", "2015-08-01", left="2023-06-15"))
    assert [r for r in rows if r[0] == "d01/T7"] == []


def test_a_teacher_without_a_hire_date_has_been_on_the_staff_all_along():
    rows = teacher_years(LEAVER, teacher("T8", None))
    assert [r[1] for r in rows if r[0] == "d01/T8"] == ["2024", "2025"]


def test_a_missing_experience_counts_as_none():
    rows = teacher_years(LEAVER, teacher("T9", "2015-08-01", experience=None))
    assert {r[4] for r in rows if r[0] == "d01/T9"} == {0}


def test_a_year_whose_leavers_the_records_do_not_show_is_left_out():
    # The latest exit is in May 2025, before that year's leavers leave, and the records end
    # in June 2025: the school year 2025 may still lose teachers the records cannot show.
    early = teacher("T1", "2020-08-10", trained="2024-05-15", left="2025-05-20")
    assert [r[1] for r in teacher_years(early, teacher("T2", "2015-08-01"))] == ["2024", "2024"]


def test_records_running_to_31_july_count_a_year_without_leavers():
    stayers = [
        teacher("T1", "2015-08-01", trained="2023-11-01", records_end="2024-07-31"),
        teacher("T2", "2015-08-01", records_end="2024-07-31"),
    ]
    assert teacher_years(*stayers) == [
        ("d01/T1", "2024", 1, 0, 5),
        ("d01/T2", "2024", 0, 0, 5),
    ]


def graduate(student_id, months, wage, *, certified=False, year=2025, gpa=3.0, **roster):
    return {
        "district_id": "d01",
        "student_unique_id": student_id,
        "months_after_graduation": months,
        "graduation_school_year": year,
        "hourly_wage_usd": wage,
        "certificate_earned": certified,
        "prior_gpa": gpa,
        "sex": roster.get("sex", "female"),
        "economically_disadvantaged": roster.get("disadvantaged", False),
    }


def graduate_rows(*follow_ups) -> list[tuple]:
    """The frame as (graduate, certified, hourly_wage, prior_gpa, female, disadvantaged,
    months_after) tuples."""
    marts = {"graduate_outcomes": pd.DataFrame(list(follow_ups))}
    frame, _ = claim_frames(marts, REGISTRY, ["certified_graduate_wage_premium"])[
        "certified_graduate_wage_premium"
    ]
    return list(frame.itertuples(index=False, name=None))


def test_each_graduate_counts_once_at_the_latest_follow_up_with_a_wage():
    rows = graduate_rows(
        graduate("S1", 6, 18.0, certified=True),
        graduate("S1", 12, 20.5, certified=True),
        graduate("S1", 24, None, certified=True),  # a state match: a band, no wage
    )
    assert rows == [("d01/S1", 1, 20.5, 3.0, 1, 0, 12)]


def test_sex_and_disadvantage_become_zero_one_columns():
    rows = graduate_rows(
        graduate("S1", 6, 18.0, certified=True),
        graduate("S2", 6, 17.0, sex="male", disadvantaged=True, gpa=2.4),
    )
    assert rows[1] == ("d01/S2", 0, 17.0, 2.4, 0, 1, 6)


def test_a_class_without_certificate_holders_is_left_out():
    rows = graduate_rows(
        graduate("S1", 6, 18.0, certified=True, year=2025),
        graduate("S2", 6, 17.0, year=2025),
        graduate("S3", 12, 19.0, year=2024),
    )
    assert [r[0] for r in rows] == ["d01/S1", "d01/S2"]


def test_a_graduate_without_any_wage_is_left_out():
    rows = graduate_rows(
        graduate("S1", 6, 18.0, certified=True),
        graduate("S2", 6, None),
        graduate("S2", 12, None),
    )
    assert [r[0] for r in rows] == ["d01/S1"]

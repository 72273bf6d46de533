"""What the analysis marts promise their readers, shown on the synthetic district."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.warehouse.marts import (
    load_certificate_eligibility,
    load_program_milestones,
    load_student_years,
    load_teachers,
)


@pytest.fixture(scope="module")
def con(synthetic_warehouse):
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as connection:
        yield connection


def test_student_years_hold_members_and_the_non_members_they_are_compared_with(con):
    years = load_student_years(con).frame
    per_year = years.groupby("school_year").is_member.agg(["sum", "size"])
    assert (per_year["sum"] > 0).all() and (per_year["sum"] < per_year["size"] / 2).all()
    assert set(years.grade_level) == {"9", "10", "11", "12"}


def test_a_members_entry_covariates_are_those_of_the_year_they_joined(con):
    years = load_student_years(con).frame
    entry_rows = years[years.school_year == years.entry_school_year]
    later_rows = years[years.school_year > years.entry_school_year]
    assert (entry_rows.entry_prior_gpa == entry_rows.prior_gpa).all()
    assert (entry_rows.entry_grade_level == entry_rows.grade_level).all()
    # Rosters change GPAs from year to year; later rows keep the GPA the student joined with.
    changed = later_rows[later_rows.prior_gpa != later_rows.entry_prior_gpa]
    assert len(changed) > 0
    first = entry_rows.set_index("student_unique_id").entry_prior_gpa
    assert (changed.entry_prior_gpa.values == first[changed.student_unique_id].values).all()


def test_retention_is_counted_only_among_members_who_could_return(con):
    years = load_student_years(con).frame
    last_year = years.school_year.max()
    assert years[years.school_year == last_year].eligible_to_return.isna().all()
    earlier = years[years.school_year < last_year]
    eligible = earlier[earlier.eligible_to_return.fillna(False).astype(bool)]
    assert eligible.is_member.all() and (eligible.grade_level != "12").all()
    assert (
        earlier[~earlier.eligible_to_return.fillna(False).astype(bool)]
        .returned_next_year.isna()
        .all()
    )


def test_every_teacher_is_one_row_with_a_first_lesson_or_a_reason_it_is_missing(con):
    teachers = load_teachers(con).frame
    staff = con.execute("SELECT count(*) FROM core.staff WHERE staff_classification = 'teacher'")
    assert len(teachers) == staff.fetchone()[0] == teachers.staff_unique_id.nunique()
    observed = teachers.first_lesson_status == "observed"
    assert (
        teachers[observed].first_lesson_or_censor_date == teachers[observed].first_ai_lesson_date
    ).all()
    assert teachers[~observed].first_ai_lesson_date.isna().all()


def test_the_synthetic_district_awards_certificates_exactly_by_the_rules(con):
    rules = load_certificate_eligibility(con).frame
    awarded = rules[rules.certificate_awarded]
    assert len(awarded) > 0 and (awarded.eligible == True).all()  # noqa: E712 (nullable)
    assert not (rules[rules.eligible == False].certificate_awarded).any()  # noqa: E712


def test_milestones_run_month_by_month_with_the_roadmaps_targets(con):
    milestones = load_program_milestones(con).frame
    months = sorted(milestones.program_month.unique())
    assert months == list(range(1, len(months) + 1))
    targeted = milestones.dropna(subset=["target"])
    assert set(zip(targeted.program_month, targeted.metric, strict=True)) == {
        (2, "administrators_trained_share"),
        (3, "champions_trained"),
        (6, "teachers_trained"),
        (6, "students_in_teams"),
        (9, "faculty_baseline_share"),
        (9, "students_in_teams"),
        (15, "teachers_trained"),
        (15, "students_in_teams"),
    }
    champions = targeted[targeted.metric == "champions_trained"]
    assert champions.value.tolist() == [20.0] and champions.target_met.tolist() == [True]

"""Studio teams as the solution text describes them: sizes, roles, mentor pairs, mentors."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.synth import load_truth, simulate_district
from pipelines.synth.program import ROLE_OF_GRADE


@pytest.fixture(scope="module")
def district():
    return simulate_district(load_truth(), seed=11)


def test_team_sizes_stay_within_8_to_12_in_every_term(district):
    sizes = district.kinds["team_memberships"].group_by("team_id", "school_year", "term").len()
    assert sizes["len"].min() >= 8
    assert sizes["len"].max() <= 12


def test_roles_match_grades(district):
    memberships = district.kinds["team_memberships"]
    expected = memberships["grade_level"].replace_strict(ROLE_OF_GRADE)
    assert (memberships["role"] == expected).all()


def test_mentor_pairs_are_12_to_10_and_11_to_9_within_one_team(district):
    pairs = district.kinds["mentorship_pairs"]
    grades = (
        district.kinds["team_memberships"]
        .select("student_unique_id", "team_id", "school_year", "grade_level")
        .unique()
    )
    joined = pairs.join(
        grades.rename({"student_unique_id": "mentor_student_unique_id", "grade_level": "mentor"}),
        on=["mentor_student_unique_id", "team_id", "school_year"],
    ).join(
        grades.rename({"student_unique_id": "mentee_student_unique_id", "grade_level": "mentee"}),
        on=["mentee_student_unique_id", "team_id", "school_year"],
    )
    assert joined.height == pairs.height  # both people are members of the pair's team
    pairing = joined["mentor"] + "->" + joined["mentee"]
    assert set(pairing.unique()) <= {"12->10", "11->9"}
    expected = pl.when(pl.col("mentee") == "10").then(pl.lit("grade12_to_grade10"))
    assert (
        joined.select(expected.otherwise(pl.lit("grade11_to_grade9")))["literal"]
        == joined["pairing"]
    ).all()


def test_every_mentee_has_exactly_one_mentor_per_year(district):
    pairs = district.kinds["mentorship_pairs"]
    assert pairs.select("mentee_student_unique_id", "school_year").is_duplicated().sum() == 0


def test_girls_only_teams_have_only_female_members(district):
    girls_only = district.kinds["studio_teams"].filter(pl.col("team_type") == "girls_only")
    members = (
        district.kinds["team_memberships"]
        .join(girls_only, on="team_id")
        .join(
            district.internal["persons"].select("student_unique_id", "sex"), on="student_unique_id"
        )
    )
    assert members.height > 0
    assert (members["sex"] == "female").all()


def test_each_team_has_one_teacher_mentor_at_its_school(district):
    teams = district.kinds["studio_teams"].join(
        district.kinds["staff"].rename({"school_id": "mentor_school"}),
        left_on="mentor_staff_unique_id",
        right_on="staff_unique_id",
    )
    assert teams.height == district.kinds["studio_teams"].height
    assert (teams["staff_classification"] == "teacher").all()
    assert (teams["school_id"] == teams["mentor_school"]).all()


def test_students_who_leave_mid_year_end_their_membership_with_left_district(district):
    leavers = district.kinds["team_memberships"].filter(pl.col("exit_reason") == "left_district")
    assert leavers.height > 0
    rosters = district.kinds["students"].select("student_unique_id", "school_year", "exit_date")
    joined = leavers.join(rosters, on=["student_unique_id", "school_year"])
    assert joined.height == leavers.height
    # The membership ends the day the student leaves, or at the end of the fall term when
    # they leave over the winter break.
    gap = (joined["exit_date"] - joined["end_date"]).dt.total_days()
    assert gap.is_between(0, 30).all()

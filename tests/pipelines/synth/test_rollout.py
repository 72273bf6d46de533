"""The roadmap's rollout, month by month (program month 1 is August 2023)."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.synth import load_truth, simulate_district
from pipelines.synth.schedule import program_month_end, program_month_start


@pytest.fixture(scope="module")
def district():
    return simulate_district(load_truth(), seed=12)


def _month_end(district, month: int):
    return program_month_end(district.truth.calendar.program_start, month)


def _month_start(district, month: int):
    return program_month_start(district.truth.calendar.program_start, month)


def test_twenty_champions_are_trained_by_month_3(district):
    training = district.kinds["teacher_training"].filter(pl.col("cohort") == "champion")
    assert training.height == 20
    assert (training["completion_date"] <= _month_end(district, 3)).all()
    assert (training["start_date"] >= _month_start(district, 1)).all()


def test_administrators_are_trained_first_in_months_1_and_2(district):
    training = district.kinds["teacher_training"]
    first_year = training.filter(
        (pl.col("cohort") == "administrator") & (pl.col("start_date") < _month_start(district, 3))
    )
    assert first_year.height > 0
    assert (first_year["completion_date"] <= _month_end(district, 2)).all()


def test_cohort_2_is_fifty_early_adopters_trained_by_champions_in_months_4_and_5(district):
    training = district.kinds["teacher_training"]
    early = training.filter(pl.col("cohort") == "early_adopter")
    champions = set(training.filter(pl.col("cohort") == "champion")["staff_unique_id"])
    assert early.height == 50
    assert (early["start_date"] >= _month_start(district, 4)).all()
    assert (early["start_date"] <= _month_end(district, 5)).all()
    assert set(early["trainer_staff_unique_id"]) <= champions


def test_full_faculty_certification_runs_in_months_6_to_8(district):
    first_year = district.kinds["teacher_training"].filter(
        (pl.col("cohort") == "full_faculty") & (pl.col("start_date") <= _month_end(district, 8))
    )
    assert first_year.height > 100
    assert (first_year["start_date"] >= _month_start(district, 6)).all()
    completed = first_year.filter(pl.col("completed"))
    assert (completed["completion_date"] <= _month_end(district, 8)).all()


def _students_in_teams_by(district, day) -> int:
    memberships = district.kinds["team_memberships"]
    return memberships.filter(pl.col("start_date") <= day)["student_unique_id"].n_unique()


def test_fifty_students_are_in_teams_by_month_6(district):
    assert _students_in_teams_by(district, _month_end(district, 6)) >= 50
    assert _students_in_teams_by(district, _month_start(district, 4)) == 0


def test_over_a_hundred_students_are_in_teams_by_month_9(district):
    assert _students_in_teams_by(district, _month_end(district, 9)) >= 100


def test_over_250_students_are_in_teams_in_year_2(district):
    year_2 = district.kinds["team_memberships"].filter(pl.col("school_year") == 2025)
    assert year_2["student_unique_id"].n_unique() >= 250


def test_girls_only_teams_launch_in_q3_of_year_1(district):
    girls_only = district.kinds["studio_teams"].filter(pl.col("team_type") == "girls_only")
    first = girls_only["formed_date"].min()
    assert _month_start(district, 7) <= first <= _month_end(district, 9)


def test_each_champion_trains_early_adopters_at_the_true_throughput(district):
    early = district.kinds["teacher_training"].filter(pl.col("cohort") == "early_adopter")
    spacing = (
        early.sort("start_date")
        .group_by("trainer_staff_unique_id")
        .agg(days=pl.col("start_date").diff().dt.total_days().drop_nulls())
        .explode("days")["days"]
        .mean()
    )
    # A champion starts a new trainee every 30.4 / 1.25 = 24.3 days, plus up to 6 days' slack.
    assert district.truth.rollout.trainees_per_trainer_month == 1.25
    assert spacing == pytest.approx(24.3, abs=4)


def test_a_quarter_of_the_full_faculty_certifies_a_year_later(district):
    full_faculty = district.kinds["teacher_training"].filter(pl.col("cohort") == "full_faculty")
    veterans = full_faculty.join(district.kinds["staff"], on="staff_unique_id").filter(
        pl.col("hire_date") < _month_start(district, 1)
    )
    deferred = veterans.filter(pl.col("start_date") > _month_end(district, 12))
    assert deferred.height / veterans.height == pytest.approx(0.25, abs=0.07)
    assert (deferred["start_date"] < _month_end(district, 16)).all()


def test_every_trainee_has_an_adoption_route_and_exposure_model(district):
    training = district.kinds["teacher_training"]
    assert training["adoption_route"].null_count() == 0
    assert training["exposure_model"].null_count() == 0
    assert training["early_failure_normalised"].mean() == pytest.approx(0.5, abs=0.08)

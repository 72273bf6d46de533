"""The student body: size and demographic mix, and selection into the voluntary teams."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.synth import load_truth, simulate_district


@pytest.fixture(scope="module")
def district():
    return simulate_district(load_truth(), seed=13)


def test_district_has_about_3500_students_each_year(district):
    per_year = district.kinds["students"].group_by("school_year").len()["len"]
    assert per_year.min() >= 3400
    assert per_year.max() <= 3800


def test_race_ethnicity_mix_matches_the_demographic_report(district):
    roster = district.kinds["students"].filter(pl.col("school_year") == 2024)
    shares = roster["race_ethnicity"].value_counts(normalize=True)
    observed = dict(zip(shares["race_ethnicity"], shares["proportion"], strict=True))
    for group, share in district.truth.district.race_ethnicity.items():
        assert abs(observed.get(group, 0.0) - share) < 0.025, group


def test_grades_and_birth_dates_agree(district):
    roster = district.kinds["students"].filter(
        (pl.col("school_year") == 2024) & (pl.col("grade_level") == "9")
    )
    ages = (pl.date(2023, 9, 1) - pl.col("birth_date")).dt.total_days() / 365.25
    assert roster.select(ages.is_between(13, 15).all()).item()


def test_participants_have_higher_prior_gpa_than_other_high_schoolers(district):
    roster = district.kinds["students"].filter(pl.col("grade_level").is_in(["9", "10", "11", "12"]))
    members = district.kinds["team_memberships"].select("student_unique_id", "school_year").unique()
    flagged = roster.join(
        members.with_columns(member=pl.lit(True)),
        on=["student_unique_id", "school_year"],
        how="left",
    ).with_columns(pl.col("member").fill_null(False))
    means = dict(flagged.group_by("member").agg(pl.col("prior_gpa").mean()).iter_rows())
    assert means[True] > means[False] + 0.1


def test_girls_are_under_represented_among_volunteers_in_mixed_teams(district):
    mixed = district.kinds["studio_teams"].filter(pl.col("team_type") == "mixed")
    members = (
        district.kinds["team_memberships"]
        .join(mixed, on="team_id")
        .join(district.internal["persons"], on="student_unique_id")
        .unique("student_unique_id")
    )
    assert (members["sex"] == "female").mean() < 0.45

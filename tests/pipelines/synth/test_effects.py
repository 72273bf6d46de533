"""The true effects of the truth file are what the simulated data carry."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.synth import load_truth, simulate_district


@pytest.fixture(scope="module")
def district():
    return simulate_district(load_truth(), seed=15)


def test_near_peer_knowledge_retention_ratio_is_the_true_one(district):
    tests = (
        district.kinds["knowledge_assessments"]
        .pivot(
            on="timepoint",
            index=["student_unique_id", "instruction_mode"],
            values="score",
            aggregate_function="first",
        )
        .drop_nulls(["pre", "post", "retention"])
    )
    kept = tests.filter(pl.col("post") > pl.col("pre") + 5).with_columns(
        kept=(pl.col("retention") - pl.col("pre")) / (pl.col("post") - pl.col("pre"))
    )
    means = dict(kept.group_by("instruction_mode").agg(pl.col("kept").median()).iter_rows())
    truth = district.truth.effects
    assert means["teacher_only"] == pytest.approx(truth.knowledge_retention_teacher_only, abs=0.06)
    assert means["near_peer"] / means["teacher_only"] == pytest.approx(
        truth.near_peer_knowledge_retention_ratio, abs=0.2
    )


def test_graduated_exposure_proficiency_is_the_true_one(district):
    teachers = district.kinds["competency_assessments"].filter(
        pl.col("assessment_occasion") == "post_training"
    )
    shares = dict(teachers.group_by("exposure_model").agg(pl.col("proficient").mean()).iter_rows())
    truth = district.truth.effects
    assert shares["graduated"] == pytest.approx(truth.graduated_exposure_proficiency, abs=0.06)
    assert shares["sink_or_swim"] == pytest.approx(truth.sink_or_swim_proficiency, abs=0.08)


def test_champion_support_speeds_up_first_ai_lessons(district):
    first = district.kinds["teacher_adoption"].filter(pl.col("event_type") == "first_ai_lesson")
    trained = district.kinds["teacher_training"].filter(pl.col("completed"))
    days = first.join(trained, on="staff_unique_id").with_columns(
        days=(pl.col("event_date") - pl.col("completion_date")).dt.total_days()
    )
    means = dict(days.group_by("adoption_route").agg(pl.col("days").mean()).iter_rows())
    assert means["voluntary"] < means["champion_network"] < means["mandate"]


def test_women_use_ai_tools_less_before_the_program(district):
    answers = district.student_answers.filter(
        (pl.col("item_id") == "S_TOOL") & (pl.col("wave") == "pre")
    )
    answers = answers.join(
        district.internal["persons"].select(
            pl.col("student_unique_id").alias("respondent_unique_id"), "sex"
        ),
        on="respondent_unique_id",
    ).drop_nulls("response_value")
    use = dict(answers.group_by("sex").agg((pl.col("response_value") == "1").mean()).iter_rows())
    assert use["female"] < use["male"]


def test_teachers_rise_on_the_learn_progression_after_training(district):
    levels = {"emerging": 0, "applying": 1, "integrating": 2}
    progression = (
        district.kinds["competency_assessments"]
        .filter(pl.col("assessment_occasion") == "end_of_term")
        .join(
            district.kinds["teacher_training"].select(
                pl.col("staff_unique_id").alias("person_unique_id"), "completion_date"
            ),
            on="person_unique_id",
            how="left",
        )
        .with_columns(
            level=pl.col("level").replace_strict(levels),
            years=(pl.col("assessed_date") - pl.col("completion_date")).dt.total_days() / 365.25,
        )
    )
    untrained = progression.filter(pl.col("years").is_null() | (pl.col("years") < 0))
    long_trained = progression.filter(pl.col("years") > 2)
    assert untrained.height > 500
    # 0.3 levels a year (0.39 for mentors): more than 0.6 levels after two years or more.
    assert long_trained["level"].mean() - untrained["level"].mean() > 0.5


def test_every_member_year_has_a_reflection_status(district):
    memberships = district.kinds["team_memberships"]
    assert memberships["reflection_narrative_completed"].null_count() == 0
    per_year = memberships.group_by("student_unique_id", "school_year").agg(
        pl.col("reflection_narrative_completed").n_unique()
    )
    assert (per_year["reflection_narrative_completed"] == 1).all()


def test_certified_graduates_earn_more_than_the_premium_because_of_selection(district):
    certified = district.kinds["certificates"].select("student_unique_id").unique()
    wages = (
        district.kinds["graduate_followups"]
        .drop_nulls("hourly_wage_usd")
        .join(certified.with_columns(certified=pl.lit(True)), on="student_unique_id", how="left")
        .with_columns(
            pl.col("certified").fill_null(False), log_wage=pl.col("hourly_wage_usd").log()
        )
    )
    means = dict(wages.group_by("certified").agg(pl.col("log_wage").mean()).iter_rows())
    naive = means[True] - means[False]
    assert naive > district.truth.graduates.certified_wage_premium


def test_licensing_revenue_is_observed(district):
    benefits = district.kinds["benefit_observations"]
    assert benefits.filter(pl.col("benefit_type") == "licensing_revenue").height > 0

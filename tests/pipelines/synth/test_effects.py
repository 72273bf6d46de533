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
    teachers = district.kinds["competency_assessments"].filter(pl.col("person_role") == "teacher")
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

"""The shipped truth presets: each loads, and says what it promises about the effects."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from pipelines.synth import TruthError, load_truth, simulate_district
from pipelines.synth.truth import TRUTH_PRESETS


@pytest.mark.parametrize("name", TRUTH_PRESETS)
def test_each_preset_loads_and_generates_a_small_district(name):
    district = simulate_district(load_truth(name).scaled_to(600), seed=3)
    assert district.kinds["team_memberships"].height > 0
    assert district.kinds["graduate_followups"].height > 0


def test_realistic_is_the_default_truth():
    assert load_truth("realistic") == load_truth()


def test_claims_true_carries_the_claimed_values():
    truth = load_truth("claims_true")
    assert truth.program.female_retention_ratio_girls_only == 5.0
    assert truth.program.female_retention_girls_only == pytest.approx(0.9)
    assert truth.effects.near_peer_knowledge_retention_ratio == 2.0
    assert truth.effects.champion_adoption_speed_ratio == 3.0
    assert truth.effects.early_failure_normalised_adoption_ratio == 3.0
    assert truth.effects.stop_using_share_normalised == pytest.approx(0.1)
    assert truth.effects.after_action_review_speedup == 1.4
    assert truth.rollout.train_the_trainer_scale_up_ratio == 10.0
    assert truth.staff.trained_exit_hazard_ratio == 0.88


def test_null_makes_every_ratio_one_and_every_gain_equal_between_arms():
    truth = load_truth("null")
    effects = truth.effects
    assert truth.program.female_retention_ratio_girls_only == 1.0
    assert truth.staff.trained_exit_hazard_ratio == 1.0
    assert truth.rollout.train_the_trainer_scale_up_ratio == 1.0
    assert effects.near_peer_knowledge_retention_ratio == 1.0
    assert effects.champion_adoption_speed_ratio == 1.0
    assert effects.early_failure_normalised_adoption_ratio == 1.0
    assert effects.after_action_review_speedup == 1.0
    assert effects.mentor_learn_growth_ratio == 1.0
    assert effects.graduated_exposure_proficiency == effects.sink_or_swim_proficiency
    assert effects.sandbox_confidence_gain == effects.traditional_confidence_gain
    assert effects.student_confidence_gain_members == effects.student_confidence_gain_others
    assert effects.learn_level_gain_members == effects.learn_level_gain_others
    assert effects.program_ai_tool_use_lift == 0.0
    assert effects.educator_learn_growth_per_year == 0.0
    assert truth.graduates.certified_wage_premium == 0.0
    assert truth.program.selection == load_truth().program.selection


def test_null_still_lets_selection_make_certified_graduates_look_better_paid():
    district = simulate_district(load_truth("null"), seed=5)
    certified = district.kinds["certificates"].select("student_unique_id").unique()
    wages = (
        district.kinds["graduate_followups"]
        .drop_nulls("hourly_wage_usd")
        .join(certified.with_columns(certified=pl.lit(True)), on="student_unique_id", how="left")
        .group_by(pl.col("certified").fill_null(False))
        .agg(pl.col("hourly_wage_usd").log().mean())
    )
    means = dict(wages.iter_rows())
    assert means[True] > means[False]


def test_claims_true_triples_long_term_adoption_with_early_failure_normalised():
    district = simulate_district(load_truth("claims_true"), seed=5)
    adoption = district.kinds["teacher_adoption"]
    first = adoption.filter(pl.col("event_type") == "first_ai_lesson").select(
        "staff_unique_id", first=pl.col("event_date")
    )
    stopped = adoption.filter(pl.col("event_type") == "stopped_using_ai").select(
        "staff_unique_id", stopped=pl.col("event_date")
    )
    design = (
        district.kinds["teacher_training"]
        .group_by("staff_unique_id")
        .agg(pl.col("early_failure_normalised").last())
    )
    # Long-term adoption is observable for adopters still on staff a year after their first
    # AI lesson (the last simulated day is in June 2027).
    observed = first.join(
        district.kinds["staff"].select("staff_unique_id", "exit_date"), on="staff_unique_id"
    ).filter(
        (pl.col("first") < date(2026, 6, 1))
        & (
            pl.col("exit_date").is_null()
            | (pl.col("exit_date") > pl.col("first") + timedelta(days=365))
        )
    )
    still_using = (
        observed.join(stopped, on="staff_unique_id", how="left")
        .join(design, on="staff_unique_id")
        .group_by("early_failure_normalised")
        .agg(pl.col("stopped").is_null().mean())
    )
    shares = dict(still_using.iter_rows())
    assert shares[True] / shares[False] == pytest.approx(3.0, rel=0.35)


def test_a_preset_name_that_does_not_exist_is_rejected_with_the_names():
    with pytest.raises(TruthError, match="claims_true"):
        load_truth("claims_false")

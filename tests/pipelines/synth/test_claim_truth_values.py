"""Each claim's true value under each truth preset, and the verdict it implies."""

from __future__ import annotations

import pytest

from models.scorecard import load_registry
from pipelines.synth import load_truth
from pipelines.synth.claim_truths import TRUTHS, claim_truth, right_verdict

REGISTRY = load_registry()

#: The presets' values (pipelines/synth/truth.yaml and presets/*.yaml), by hand.
EXPECTED = {
    "realistic": {
        "female_retention_girls_only": 1.6,
        "near_peer_knowledge_retention": 1.3,
        "graduated_exposure_competency": 0.70 - 0.55,
        "sandbox_confidence_gain": 0.70 / 0.45,
        "sandbox_confidence_over_baseline": None,
        "champion_adoption_speed": 1 / 1.5,
        "train_the_trainer_scale": 3.75,
        "after_action_review_speedup": 1.15,
        "early_failure_long_term_adoption": 1.2,
        "female_ai_tool_use_gap_baseline": 0.88,
        "female_ai_tool_use_gap_latest": None,
        "female_skill_change_expectation_gap": 0.55 / 0.60,
        "teacher_retention_trained": 0.92,
    },
    "claims_true": {
        "female_retention_girls_only": 5.0,
        "near_peer_knowledge_retention": 2.0,
        "graduated_exposure_competency": 0.90 - 0.45,
        "sandbox_confidence_gain": 0.8325 / 0.45,
        "sandbox_confidence_over_baseline": None,
        "champion_adoption_speed": 1 / 3,
        "train_the_trainer_scale": 10.0,
        "after_action_review_speedup": 1.4,
        "early_failure_long_term_adoption": 3.0,
        "female_ai_tool_use_gap_baseline": 0.84,
        "female_ai_tool_use_gap_latest": None,
        "female_skill_change_expectation_gap": 0.54 / 0.61,
        "teacher_retention_trained": 0.88,
    },
    "null": {
        "female_retention_girls_only": 1.0,
        "near_peer_knowledge_retention": 1.0,
        "graduated_exposure_competency": 0.0,
        "sandbox_confidence_gain": None,
        "sandbox_confidence_over_baseline": 1.0,
        "champion_adoption_speed": 1.0,
        "train_the_trainer_scale": 1.0,
        "after_action_review_speedup": 1.0,
        "early_failure_long_term_adoption": 1.0,
        "female_ai_tool_use_gap_baseline": 0.88,
        "female_ai_tool_use_gap_latest": 0.88,
        "female_skill_change_expectation_gap": 0.55 / 0.60,
        "teacher_retention_trained": 1.0,
    },
}

#: The gaps between girls and boys are facts about the world, not program effects: the
#: null preset keeps them, so their verdict stays "smaller than claimed".
GAPS = (
    "female_ai_tool_use_gap_baseline",
    "female_ai_tool_use_gap_latest",
    "female_skill_change_expectation_gap",
)

RIGHT = {
    "realistic": "smaller_than_claimed",
    "claims_true": "consistent",
    "null": "not_supported",
}


def _cases():
    for preset, values in EXPECTED.items():
        for claim_id, value in values.items():
            yield pytest.param(preset, claim_id, value, id=f"{preset}-{claim_id}")


@pytest.mark.parametrize(("preset", "claim_id", "expected"), _cases())
def test_claim_truth_under_each_preset(preset, claim_id, expected):
    value = claim_truth(load_truth(preset), claim_id)
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("preset", "claim_id", "expected"), _cases())
def test_right_verdict_under_each_preset(preset, claim_id, expected):
    verdict = right_verdict(REGISTRY.claim(claim_id), claim_truth(load_truth(preset), claim_id))
    if expected is None:
        assert verdict is None
    elif preset == "null" and claim_id in GAPS:
        assert verdict == "smaller_than_claimed"
    else:
        assert verdict == RIGHT[preset]


def test_every_registry_claim_is_mapped_to_a_truth_or_to_none():
    # claim_truth raises for a registry claim that claim_truths does not know of.
    truth = load_truth("realistic")
    with_truth = {c for c in REGISTRY.ids if claim_truth(truth, c) is not None}
    assert with_truth == {c for c, v in EXPECTED["realistic"].items() if v is not None}
    assert set(TRUTHS) == set(EXPECTED["realistic"])


@pytest.mark.parametrize(
    "claim_id",
    ["ten_year_return", "milestone_champions_month_3", "panel_reliability"],
)
def test_claims_without_a_truth_have_none(claim_id):
    assert claim_truth(load_truth("claims_true"), claim_id) is None


def test_an_unknown_claim_is_named():
    with pytest.raises(KeyError, match="no claim 'girls_retention'"):
        claim_truth(load_truth(), "girls_retention")


def test_a_truth_beyond_the_claim_is_larger_than_claimed():
    assert right_verdict(REGISTRY.claim("female_retention_girls_only"), 6.0) == (
        "larger_than_claimed"
    )


def test_a_truth_on_the_wrong_side_of_no_effect_is_not_supported():
    assert right_verdict(REGISTRY.claim("female_retention_girls_only"), 0.8) == "not_supported"
    # A time ratio claimed below 1 ("3x faster") with champions slower than a mandate.
    assert right_verdict(REGISTRY.claim("champion_adoption_speed"), 1.2) == "not_supported"


def test_a_truth_within_one_percent_of_the_claim_is_consistent():
    # log(5) = 1.609 from no effect: within 0.016 of log(5) on the log scale is the claim.
    claim = REGISTRY.claim("female_retention_girls_only")
    assert right_verdict(claim, 5.05) == "consistent"
    assert right_verdict(claim, 5.2) == "larger_than_claimed"


def test_a_time_ratio_short_of_the_claim_is_smaller_than_claimed():
    # Champions 1.5x faster: a time ratio of 2/3, between no effect (1) and the claimed 1/3.
    assert right_verdict(REGISTRY.claim("champion_adoption_speed"), 2 / 3) == (
        "smaller_than_claimed"
    )


def test_a_level_without_a_number_has_no_right_verdict():
    assert right_verdict(REGISTRY.claim("panel_reliability"), 0.8) is None

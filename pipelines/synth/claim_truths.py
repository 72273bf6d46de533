"""Each registry claim's true value under a synthetic truth, and the verdict it implies.

The claims scorecard (``models/claims.yaml``) judges each claim against the data. On a
synthetic district the truth is known, so the verdict the scorecard should give is known
too: ``claim_truth`` reads a claim's true value off a ``Truth`` on the claim's own scale
(a ratio as a ratio, a time ratio as a time ratio, a difference as a difference), and
``right_verdict`` says which verdict that value implies against the claimed one.

A claim has no truth (None) when the truth file does not determine its value: milestones,
panels and counts of everyone, the ten-year return, and readings whose value depends on who
happened to join (named beside each below).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from models.scorecard.registry import Claim, load_registry
from pipelines.synth.truth_schema import Truth

#: How close a truth must be to the claim (or to no effect) to count as equal to it: a
#: share of the claim's distance from no effect on the test scale. The presets state the
#: documents' figures to three or four digits (0.3333 for "3x faster", 54% / 61% = 0.8852
#: for a claimed 0.885), well within 1%.
TOLERANCE = 0.01

#: Verdicts a truth can imply.
RIGHT_VERDICTS = ("consistent", "smaller_than_claimed", "larger_than_claimed", "not_supported")


def _sandbox_gain_ratio(truth: Truth) -> float | None:
    # A ratio of two rises: with no rise in the traditional course it is undefined.
    traditional = truth.effects.traditional_confidence_gain
    return None if traditional == 0 else truth.effects.sandbox_confidence_gain / traditional


def _sandbox_over_baseline(truth: Truth) -> float | None:
    # Confidence after over before depends on the teachers' starting level, which the truth
    # file does not set; only with no rise at all is the ratio known (exactly 1).
    return 1.0 if truth.effects.sandbox_confidence_gain == 0 else None


def _ai_tool_use_latest(truth: Truth) -> float | None:
    # The end-of-year survey adds the program's lift to members only, so girls' use over
    # boys' then depends on how many of each joined; without a lift it is the baseline gap.
    effects = truth.effects
    return effects.female_ai_tool_use_ratio if effects.program_ai_tool_use_lift == 0 else None


#: The true value of each claim that has one, on the claim's own scale.
TRUTHS: dict[str, Callable[[Truth], float | None]] = {
    "female_retention_girls_only": lambda t: t.program.female_retention_ratio_girls_only,
    "near_peer_knowledge_retention": lambda t: t.effects.near_peer_knowledge_retention_ratio,
    "graduated_exposure_competency": lambda t: (
        t.effects.graduated_exposure_proficiency - t.effects.sink_or_swim_proficiency
    ),
    "sandbox_confidence_gain": _sandbox_gain_ratio,
    "sandbox_confidence_over_baseline": _sandbox_over_baseline,
    # The truth is a speed ratio (mandate's wait over the champions'); the claim is a time
    # ratio (champions' wait over the mandate's): "3x faster" is 1/3.
    "champion_adoption_speed": lambda t: 1.0 / t.effects.champion_adoption_speed_ratio,
    "train_the_trainer_scale": lambda t: t.rollout.train_the_trainer_scale_up_ratio,
    "after_action_review_speedup": lambda t: t.effects.after_action_review_speedup,
    "early_failure_long_term_adoption": lambda t: t.effects.early_failure_normalised_adoption_ratio,
    "female_ai_tool_use_gap_baseline": lambda t: t.effects.female_ai_tool_use_ratio,
    "female_ai_tool_use_gap_latest": _ai_tool_use_latest,
    "female_skill_change_expectation_gap": lambda t: (
        t.effects.female_skill_change_expectation / t.effects.male_skill_change_expectation
    ),
    # Teachers leave once a year at a fixed rate, times the ratio once trained: the ratio of
    # two yearly chances, which is what the claim's risk ratio estimates.
    "teacher_retention_trained": lambda t: t.staff.trained_exit_hazard_ratio,
}

#: Registry claims the truth file gives no value for, and why.
WITHOUT_TRUTH = {
    "portfolios_at_standard": "a level the documents set no number for",
    "panel_reliability": "a level the documents set no number for",
    "certificate_rules_applied": "a count of everyone, not an effect",
    "teams_of_ten_to_twelve": "a count of everyone, not an effect",
    "internships_ten_to_twenty_hours": "a count of everyone, not an effect",
    "fidelity_weekly_sessions": "a count of everyone, not an effect",
    "fidelity_session_minutes": "a count of everyone, not an effect",
    "fidelity_attendance": "a level the documents set no number for",
    "fidelity_quarterly_panels": "a count of everyone, not an effect",
    "fidelity_quarterly_briefs": "a count of everyone, not an effect",
    "fidelity_guest_mentors": "no source kind records guest mentor sessions",
    "lottery_ai_confidence": "the synthetic district draws no lottery",
    "ten_year_return": "a ten-year return that four years of records cannot observe",
    "certified_graduate_wage_premium": (
        "the truth file gives the premium in log points of the hourly wage, the claim dollars "
        "an hour (which depend on the wages of the graduates who earned one, and on the "
        "minimum-wage floor); the documents set no number for it either"
    ),
}


def claim_truth(truth: Truth, claim_id: str) -> float | None:
    """The true value of the claim ``claim_id`` under ``truth`` (None: it has none).

    Example
    -------
    >>> from pipelines.synth import load_truth
    >>> claim_truth(load_truth("realistic"), "female_retention_girls_only")
    1.6
    """
    if claim_id in TRUTHS:
        return TRUTHS[claim_id](truth)
    if claim_id in WITHOUT_TRUTH or claim_id.startswith("milestone_"):
        return None
    known = load_registry().ids
    if claim_id in known:
        raise KeyError(f"claim {claim_id!r} is in the registry but has no entry in claim_truths")
    raise KeyError(f"no claim {claim_id!r}; the registry has: {', '.join(known)}")


def distance_on_test_scale(claim: Claim, value: float, other: float) -> float:
    """How far ``value`` is from ``other`` on the claim's test scale (log for ratios)."""
    if claim.claimed.scale == "log":
        return abs(math.log(value) - math.log(other))
    return abs(value - other)


def right_verdict(claim: Claim, truth_value: float | None) -> str | None:
    """The verdict the truth implies for ``claim`` (None: no truth, or nothing to compare).

    Equal to the claim within ``TOLERANCE``: ``consistent``; at no effect or on its wrong
    side: ``not_supported``; strictly between no effect and the claim:
    ``smaller_than_claimed``; beyond the claim: ``larger_than_claimed``.

    Example
    -------
    >>> from models.scorecard import load_registry
    >>> right_verdict(load_registry().claim("female_retention_girls_only"), 1.6)
    'smaller_than_claimed'
    """
    claimed = claim.claimed
    no_effect = claimed.no_effect
    if truth_value is None or claimed.value is None or no_effect is None:
        return None
    if claimed.scale == "log" and truth_value <= 0:
        return "not_supported"  # a ratio of nothing: no effect in the claim's direction
    reach = distance_on_test_scale(claim, claimed.value, no_effect)
    if distance_on_test_scale(claim, truth_value, claimed.value) <= TOLERANCE * reach:
        return "consistent"
    if distance_on_test_scale(claim, truth_value, no_effect) <= TOLERANCE * reach:
        return "not_supported"
    sign = 1.0 if claimed.direction == "higher" else -1.0
    if sign * (truth_value - no_effect) < 0:
        return "not_supported"
    if sign * (truth_value - claimed.value) < 0:
        return "smaller_than_claimed"
    return "larger_than_claimed"

"""What evidence a design can earn: the What Works Clearinghouse rating and the ESSA tier.

ESSA (ESEA section 8101(21)(A)) counts an intervention as evidence-based when a study finds a
statistically significant favourable effect: tier 1 (strong) from a well-run randomized
trial, tier 2 (moderate) from a quasi-experiment with baseline equivalence, tier 3
(promising) from a correlational study with statistical controls for selection; tier 4
(demonstrates a rationale) otherwise. The WWC's group-design standards (Handbook 5.0) rate
randomized trials with low attrition "meets standards without reservations" and
quasi-experiments with baseline equivalence (|SMD| <= 0.25, adjusted for when over 0.05)
"meets standards with reservations".

The registry says which design the data allow; a tier is only earned with a significant
favourable effect, else the claim stays at tier 4.
"""

from __future__ import annotations

WWC_RATINGS = {
    "randomized": "meets WWC standards without reservations, if attrition is low",
    "matched_comparison": "meets WWC standards with reservations, if baseline equivalence holds",
    "regression_with_controls": "does not meet WWC group-design standards (correlational)",
    "descriptive": "not a WWC-eligible design (no comparison group)",
    "census": "not applicable (a count, not an effect)",
}
#: The best ESSA tier each design can earn with a significant favourable effect.
BEST_TIER = {
    "randomized": 1,
    "matched_comparison": 2,
    "regression_with_controls": 3,
    "descriptive": 4,
}
TIER_NAMES = {1: "strong", 2: "moderate", 3: "promising", 4: "demonstrates a rationale"}


def wwc_rating(design: str) -> str:
    """The WWC rating the design can earn at best."""
    return WWC_RATINGS[design]


def evidence_tier(design: str, *, favourable: bool, p_value: float | None, alpha: float = 0.05):
    """The ESSA tier the claim earns: the design's best with a significant favourable effect,
    else 4; None for a census, which is not an effect.

    >>> evidence_tier("regression_with_controls", favourable=True, p_value=0.01)
    3
    >>> evidence_tier("randomized", favourable=True, p_value=0.20)
    4
    """
    if design == "census":
        return None
    best = BEST_TIER[design]
    significant = p_value is not None and p_value < alpha
    return best if favourable and significant else 4

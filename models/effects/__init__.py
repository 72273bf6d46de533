"""Treatment effects and the WWC's checks on them.

``estimate_effect`` (five methods, trimming, balance, effect sizes, clustered errors),
``attrition`` (overall and differential against the WWC boundaries),
``mismatch_correction`` (Hedges 2007, when clusters were assigned but students analysed)
and ``probability_at_least`` (the chance the true effect reaches a cutoff).
"""

from models.effects.attrition import AttritionResult, attrition
from models.effects.balance import BalanceRow
from models.effects.estimate import EffectResult, estimate_effect
from models.effects.matching import MatchedPair
from models.effects.mismatch import mismatch_correction
from models.effects.probability import probability_at_least

__all__ = [
    "AttritionResult",
    "BalanceRow",
    "EffectResult",
    "MatchedPair",
    "attrition",
    "estimate_effect",
    "mismatch_correction",
    "probability_at_least",
]

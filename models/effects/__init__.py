"""Treatment effects and the WWC's checks on them.

``estimate_effect`` (five methods, trimming, balance, effect sizes, clustered errors),
``attrition`` (overall and differential against the WWC boundaries),
``mismatch_correction`` (Hedges 2007, when clusters were assigned but students analysed)
and ``probability_at_least`` (the chance the true effect reaches a cutoff).
"""

from models.effects.balance import BalanceRow
from models.effects.estimate import EffectResult, estimate_effect
from models.effects.matching import MatchedPair

__all__ = ["BalanceRow", "EffectResult", "MatchedPair", "estimate_effect"]

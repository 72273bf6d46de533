"""Two proportions compared: the risk ratio, risk difference and odds ratio of A to B.

Grant narratives state their claims as ratios of shares ("5x higher female retention"), so
``compare`` puts the ratio first and, given the claimed value, says whether the interval
supports it. Counts in, a frozen ``Result`` out. ``compare`` counts people as independent;
``risk_ratio`` fits the ratio from one row per person, adjusted for covariates and with
errors clustered by team, for a treatment assigned to whole teams.

``counts`` holds ``compare`` (and the Newcombe and Wilson intervals), ``clustered`` holds
``risk_ratio``.
"""

from models.proportions.clustered import risk_ratio
from models.proportions.counts import compare, newcombe_interval, wilson_interval

__all__ = ["compare", "newcombe_interval", "risk_ratio", "wilson_interval"]

"""Effect sizes as the What Works Clearinghouse computes them: Hedges' g with the
small-sample correction, the Cox index for binary outcomes, and the improvement index.

References
----------
What Works Clearinghouse (2022). Procedures and Standards Handbook, Version 5.0,
Appendix E (effect size computations). Hedges, L. V. (1981). Distribution theory for
Glass's estimator of effect size. Journal of Educational Statistics 6(2), 107-128.
Cox, D. R. (1970). Analysis of Binary Data.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

#: The Cox index divides a log odds ratio by 1.65 to put it on the scale of a
#: standardized mean difference (Sanchez-Meca, Marin-Martinez and Chacon-Moscoso 2003).
COX_DIVISOR = 1.65


def small_sample_correction(n_total: int) -> float:
    """Hedges' omega, 1 - 3 / (4N - 9), as the WWC writes it (N the total sample)."""
    return 1 - 3 / (4 * n_total - 9)


def pooled_sd(values: np.ndarray, treated: np.ndarray) -> float:
    """The within-group standard deviation pooled over the two groups (n - 1 weights)."""
    first, second = values[treated == 1], values[treated == 0]
    n1, n0 = len(first), len(second)
    if n1 + n0 <= 2:
        return math.nan
    variance = (
        (n1 - 1) * (first.var(ddof=1) if n1 > 1 else 0.0)
        + (n0 - 1) * (second.var(ddof=1) if n0 > 1 else 0.0)
    ) / (n1 + n0 - 2)
    return math.sqrt(variance)


def hedges_g(difference: float, sd: float, n_total: int) -> float:
    """A mean difference in pooled-SD units, with the small-sample correction."""
    if not sd > 0:
        return math.nan
    return small_sample_correction(n_total) * difference / sd


def cox_index(treated_share: float, control_share: float, n_total: int) -> float:
    """The WWC Cox index: omega * (ln odds ratio) / 1.65. Infinite when a share is 0 or 1
    in one group only; 0 when both shares are equal."""
    if treated_share == control_share:
        return 0.0
    logit = _logit(treated_share) - _logit(control_share)
    return small_sample_correction(n_total) * logit / COX_DIVISOR


def _logit(share: float) -> float:
    if share <= 0:
        return -math.inf
    if share >= 1:
        return math.inf
    return math.log(share / (1 - share))


def improvement_index(effect_size: float) -> float:
    """The WWC improvement index: the percentile-point change for the average control
    member, 100 * (Phi(g) - 0.5)."""
    return 100 * (float(stats.norm.cdf(effect_size)) - 0.5)

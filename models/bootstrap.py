"""Bootstrap intervals from replicates already drawn: percentile and BCa.

An estimator draws its own resamples (it knows how to recompute itself fast) and its
jackknife values; these functions turn them into an interval. Kept apart from any one
estimator so each interval is written, and tested, once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special


@dataclass(frozen=True)
class BootstrapInterval:
    """An interval's bounds, and for BCa the two corrections it applied."""

    lower: float
    upper: float
    bias_correction: float = 0.0
    acceleration: float = 0.0


def percentile_interval(replicates: np.ndarray, alpha: float) -> BootstrapInterval:
    """The alpha/2 and 1 - alpha/2 quantiles of the replicates (linear interpolation)."""
    lower, upper = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
    return BootstrapInterval(float(lower), float(upper))


def bca_interval(
    replicates: np.ndarray,
    estimate: float,
    jackknife: np.ndarray,
    alpha: float,
    *,
    jackknife_weights: np.ndarray | None = None,
) -> BootstrapInterval | None:
    """Efron's bias-corrected and accelerated interval (Efron and Tibshirani 1993, 14.3).

    The bias correction z0 is the normal quantile of the share of replicates below the
    estimate (ties count half, as scipy.stats.bootstrap counts them); the acceleration is
    the skewness of the jackknife values, sum(d^3) / (6 sum(d^2)^1.5) with d the jackknife
    mean less each value. The interval is then the replicates' quantiles at
    Phi(z0 + (z0 + z) / (1 - a (z0 + z))) for z the normal quantiles of alpha/2 and
    1 - alpha/2.

    ``jackknife_weights`` counts each jackknife value that many times (cases that are
    alike share one value). Returns None when the replicates all lie on one side of the
    estimate: then z0 is infinite and BCa is undefined.
    """
    replicates = np.asarray(replicates, dtype=float)
    below = np.count_nonzero(replicates < estimate) + np.count_nonzero(replicates <= estimate)
    share = below / (2 * len(replicates))
    if not 0 < share < 1:
        return None
    bias_correction = float(special.ndtri(share))
    values = np.asarray(jackknife, dtype=float)
    weights = np.ones_like(values) if jackknife_weights is None else np.asarray(jackknife_weights)
    spread = np.average(values, weights=weights) - values
    squares = float(weights @ spread**2)
    # All jackknife values equal: no skewness to correct for.
    acceleration = float(weights @ spread**3) / (6 * squares**1.5) if squares > 0 else 0.0
    normal = special.ndtri(np.array([alpha / 2, 1 - alpha / 2]))
    shifted = bias_correction + normal
    levels = special.ndtr(bias_correction + shifted / (1 - acceleration * shifted))
    lower, upper = np.quantile(replicates, levels)
    return BootstrapInterval(float(lower), float(upper), bias_correction, acceleration)

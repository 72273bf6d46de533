"""The propensity score (a logit of treatment on the covariates) and common-support
trimming by the rule of Crump, Hotz, Imbens and Mitnik (2009)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    PerfectSeparationError,
    PerfectSeparationWarning,
)

#: Crump et al. (2009, section 5.2): with most propensity distributions their optimal
#: rule is close to keeping 0.1 <= e(x) <= 0.9, the rule they recommend as a default.
CRUMP_BOUNDS = (0.1, 0.9)

#: Fitted probabilities are kept this far from 0 and 1 so that weights stay finite when a
#: logit separates the groups (the separation itself is reported as a warning).
PROBABILITY_FLOOR = 1e-6


@dataclass(frozen=True)
class LogitFit:
    """A fitted logit: probabilities, and what an influence function needs from it."""

    probability: np.ndarray
    design: np.ndarray
    information: np.ndarray
    coefficients: np.ndarray
    warnings: tuple[str, ...]

    def predict(self, covariates: np.ndarray) -> np.ndarray:
        """Probabilities for other cases (rows of ``covariates``)."""
        design = sm.add_constant(np.asarray(covariates, dtype=float), has_constant="add")
        return _probability(design @ self.coefficients)

    def scores(self, y: np.ndarray) -> np.ndarray:
        """Each row's score (gradient of its log-likelihood), one row per case."""
        return self.design * (y - self.probability)[:, None]


def fit_logit(y: np.ndarray, covariates: np.ndarray, *, what: str) -> LogitFit:
    """Logit of ``y`` on a constant and ``covariates``; separation and non-convergence
    become warnings (``what`` names the model in them), not exceptions."""
    design = sm.add_constant(np.asarray(covariates, dtype=float), has_constant="add")
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.Logit(y, design).fit(disp=0, maxiter=200)
            params = fit.params
        except (PerfectSeparationError, np.linalg.LinAlgError):
            # A ridge-penalized fit still ranks the cases when the plain MLE does not exist.
            fit = sm.Logit(y, design).fit_regularized(alpha=1e-3, L1_wt=0.0, disp=0)
            params = fit.params
            notes.append(f"the {what} separates the groups perfectly: a penalized fit was used")
    for warning in caught:
        if issubclass(warning.category, PerfectSeparationWarning):
            notes.append(f"the {what} separates some cases perfectly")
        elif issubclass(warning.category, ConvergenceWarning):
            notes.append(f"the {what} did not converge; its probabilities may be unreliable")
    params = np.asarray(params, dtype=float)
    probability = _probability(design @ params)
    at_bounds = (probability <= PROBABILITY_FLOOR) | (probability >= 1 - PROBABILITY_FLOOR)
    if at_bounds.any():
        notes.append(
            f"the {what} separates {int(at_bounds.sum())} cases perfectly (fitted "
            "probabilities of 0 or 1)"
        )
    weight = probability * (1 - probability)
    information = (design * weight[:, None]).T @ design / len(y)
    return LogitFit(probability, design, information, params, tuple(dict.fromkeys(notes)))


def _probability(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, -700, 700)
    return np.clip(1 / (1 + np.exp(-linear)), PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)


def crump_optimal_alpha(propensity: np.ndarray) -> float:
    """The trimming threshold alpha of Crump et al. (2009, Theorem 1): keep
    alpha <= e(x) <= 1 - alpha, where alpha minimises the variance bound of the ATE on the
    kept cases. 0 when no trimming lowers it."""
    ratio = 1 / (propensity * (1 - propensity))
    if ratio.max() <= 2 * ratio.mean():
        return 0.0
    ordered = np.sort(ratio)
    # gamma = 1/(alpha(1-alpha)) is the smallest kept bound at which
    # gamma >= 2 * mean(ratio | ratio <= gamma); the running mean makes it one pass.
    running_mean = np.cumsum(ordered) / np.arange(1, len(ordered) + 1)
    meets = ordered >= 2 * running_mean
    gamma = ordered[np.argmax(meets)] if meets.any() else ordered[-1]
    return float(0.5 - np.sqrt(max(0.25 - 1 / gamma, 0.0)))


def common_support(
    propensity: np.ndarray, rule: str | None, estimand: str = "ATE"
) -> tuple[np.ndarray, tuple]:
    """Which cases to keep under ``rule`` ("crump", "crump-optimal" or None), and the
    bounds used.

    For the ATT only the upper bound applies: the effect on the treated needs controls
    like every treated case (propensity below 1), while controls of low propensity carry
    little weight and no risk (Imbens 2004, section 2.3). Trimming them would discard most
    of a sample in which few are treated.
    """
    if rule is None or rule == "none":
        return np.ones(len(propensity), dtype=bool), (0.0, 1.0)
    if rule == "crump":
        lower, upper = CRUMP_BOUNDS
    elif rule == "crump-optimal":
        alpha = crump_optimal_alpha(propensity)
        lower, upper = alpha, 1 - alpha
    else:
        raise ValueError(f"trim must be 'crump', 'crump-optimal' or None, got {rule!r}")
    if estimand == "ATT":
        lower = 0.0
    return (propensity >= lower) & (propensity <= upper), (lower, upper)

"""The four weighting and regression estimators of a treatment effect, each with its
influence function (what each case adds to the estimate's error), so that one sandwich
serves plain, clustered and bootstrapped inference alike.

Every estimator takes the analysis sample (after trimming) and returns an ``Estimate``.
The influence values ``influence`` are scaled so that estimate - truth is approximately
their sum; their squared cluster sums give the variance.

References
----------
Lin, W. (2013). Agnostic notes on regression adjustments to experimental data. Annals of
Applied Statistics 7(1), 295-318.
Lunceford, J. K. and Davidian, M. (2004). Stratification and weighting via the propensity
score in estimation of causal treatment effects. Statistics in Medicine 23, 2937-2960.
Hirano, K., Imbens, G. W. and Ridder, G. (2003). Efficient estimation of average treatment
effects using the estimated propensity score. Econometrica 71(4), 1161-1189.
Robins, J. M., Rotnitzky, A. and Zhao, L. P. (1994). Estimation of regression coefficients
when some regressors are not always observed. JASA 89, 846-866.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.effects.propensity import LogitFit, fit_logit


@dataclass(frozen=True)
class Estimate:
    """An effect estimate with its influence values and what the report needs."""

    estimate: float
    influence: np.ndarray
    treated_mean: float
    control_mean: float
    description: str
    errors: str = "influence-function (sandwich) errors"
    balance_weights: np.ndarray | None = None
    #: For OLS estimates: the design, outcome and column of the effect (wild bootstrap).
    ols: tuple[np.ndarray, np.ndarray, int] | None = None
    warnings: tuple[str, ...] = ()


def ols_effect(design: np.ndarray, y: np.ndarray, column: int) -> tuple[float, np.ndarray]:
    """The OLS coefficient in ``column`` and its influence values, scaled by
    sqrt((n-1)/(n-k)) so that the sandwich is HC1 (CR1 when clustered)."""
    n, k = design.shape
    inverse = np.linalg.pinv(design.T @ design)
    beta = inverse @ design.T @ y
    residual = y - design @ beta
    influence = (design @ inverse[column]) * residual * np.sqrt((n - 1) / (n - k))
    return float(beta[column]), influence


def difference(treated: np.ndarray, y: np.ndarray) -> Estimate:
    design = np.column_stack([np.ones(len(y)), treated])
    effect, influence = ols_effect(design, y, 1)
    return Estimate(
        effect,
        influence,
        float(y[treated == 1].mean()),
        float(y[treated == 0].mean()),
        "difference in means",
        errors="HC1 errors",
        ols=(design, y, 1),
    )


def regression(treated: np.ndarray, y: np.ndarray, x: np.ndarray, estimand: str) -> Estimate:
    """OLS of the outcome on treatment, covariates and their interactions, covariates
    centred at the target population's means (all cases for the ATE, the treated for the
    ATT), so the treatment coefficient is the estimand (Lin 2013)."""
    centre = x.mean(axis=0) if estimand == "ATE" else x[treated == 1].mean(axis=0)
    centred = x - centre
    design = np.column_stack([np.ones(len(y)), treated, centred, centred * treated[:, None]])
    effect, influence = ols_effect(design, y, 1)
    return Estimate(
        effect,
        influence,
        float(y[treated == 0].mean() + effect),
        float(y[treated == 0].mean()),
        "regression adjustment (OLS with treatment-by-covariate interactions, Lin 2013)",
        errors="HC1 errors",
        ols=(design, y, 1),
    )


def _propensity_correction(
    derivative: np.ndarray, propensity: LogitFit, treated: np.ndarray
) -> np.ndarray:
    """What estimating the propensity adds to each case's influence: the mean derivative
    of the estimating equation in the logit coefficients times the logit's own influence
    (the sandwich of the stacked equations, Lunceford and Davidian 2004)."""
    logit_influence = propensity.scores(treated) @ np.linalg.pinv(propensity.information)
    return logit_influence @ derivative


def ipw(treated: np.ndarray, y: np.ndarray, propensity: LogitFit, estimand: str) -> Estimate:
    """Normalized (Hajek) inverse probability weighting; its sandwich counts the
    estimated propensity."""
    n = len(y)
    e = propensity.probability
    x = propensity.design
    if estimand == "ATE":
        w1, w0 = treated / e, (1 - treated) / (1 - e)
    else:
        w1, w0 = treated.astype(float), (1 - treated) * e / (1 - e)
    mu1 = float(np.sum(w1 * y) / np.sum(w1))
    mu0 = float(np.sum(w0 * y) / np.sum(w0))
    m1, m0 = w1 * (y - mu1), w0 * (y - mu0)
    # d m / d gamma for each equation (logit coefficients gamma); e' = e(1-e)x.
    if estimand == "ATE":
        d1 = -(treated * (1 - e) / e * (y - mu1))[:, None] * x
        d0 = ((1 - treated) * e / (1 - e) * (y - mu0))[:, None] * x
    else:
        d1 = np.zeros_like(x)
        d0 = ((1 - treated) * e / (1 - e) * (y - mu0))[:, None] * x
    if1 = (m1 + _propensity_correction(d1.mean(axis=0), propensity, treated)) / w1.mean()
    if0 = (m0 + _propensity_correction(d0.mean(axis=0), propensity, treated)) / w0.mean()
    return Estimate(
        mu1 - mu0,
        (if1 - if0) / n,
        mu1,
        mu0,
        "inverse probability weighting (normalized weights, logit propensity)",
        balance_weights=w1 + w0,
    )


def _outcome_predictions(
    y: np.ndarray, x: np.ndarray, fit_rows: np.ndarray, binary: bool
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Predictions for every case from a model fitted on ``fit_rows``: OLS, or a logit
    for a binary outcome."""
    if binary:
        fit = fit_logit(y[fit_rows], x[fit_rows], what="outcome model")
        return fit.predict(x), fit.warnings
    design = np.column_stack([np.ones(len(y)), x])
    coefficients = np.linalg.lstsq(design[fit_rows], y[fit_rows], rcond=None)[0]
    return design @ coefficients, ()


def aipw(
    treated: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    propensity: LogitFit,
    estimand: str,
    binary: bool,
) -> Estimate:
    """Augmented IPW: outcome models per group plus weighted residuals. Doubly robust,
    and its influence function needs no correction for the fitted models (they enter
    only at second order)."""
    n = len(y)
    e = propensity.probability
    predicted0, notes0 = _outcome_predictions(y, x, treated == 0, binary)
    if estimand == "ATE":
        predicted1, notes1 = _outcome_predictions(y, x, treated == 1, binary)
        term1 = predicted1 + treated * (y - predicted1) / e
        term0 = predicted0 + (1 - treated) * (y - predicted0) / (1 - e)
        psi = term1 - term0
        effect = float(psi.mean())
        influence = (psi - effect) / n
        mu1, mu0 = float(term1.mean()), float(term0.mean())
        weights = treated / e + (1 - treated) / (1 - e)
        notes = notes1 + notes0
    else:
        share = treated.mean()
        odds = e / (1 - e)
        residual0 = y - predicted0
        effect = float(
            (np.sum(treated * residual0) - np.sum((1 - treated) * odds * residual0)) / treated.sum()
        )
        influence = (treated * (residual0 - effect) - (1 - treated) * odds * residual0) / (
            share * n
        )
        mu1 = float(y[treated == 1].mean())
        mu0 = mu1 - effect
        weights = treated + (1 - treated) * odds
        notes = notes0
    model = "logit" if binary else "OLS"
    return Estimate(
        effect,
        influence,
        mu1,
        mu0,
        f"augmented inverse probability weighting (doubly robust; logit propensity, "
        f"{model} outcome models)",
        balance_weights=weights,
        warnings=tuple(dict.fromkeys(notes)),
    )

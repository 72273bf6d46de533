"""Ordered levels: a proportional-odds (ordered logit) model of a level such as the LEARN
progression's emerging < applying < integrating, against covariates."""

from __future__ import annotations

import math
import warnings as python_warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

from models.checks import check_alpha, require_columns, require_complete_numbers
from models.growth.fitting import plain_sentences, wald_term
from models.results import Result

#: An ordered logit with a level seen fewer times than this has cut points (and so
#: intervals) that rest on a handful of cases: intervals are withheld.
MIN_CASES_PER_LEVEL = 5
#: A log odds beyond this (an odds ratio over three million) means a covariate separates
#: the levels perfectly: the estimate runs off to infinity.
SEPARATION_LOG_ODDS = 15.0

LEARN_LEVELS = ("emerging", "applying", "integrating")


def ordered_levels(
    frame: pd.DataFrame,
    *,
    level: str,
    covariates: Sequence[str],
    order: Sequence[str] = LEARN_LEVELS,
    cluster: str | None = None,
    alpha: float = 0.05,
) -> Result:
    """An ordered logit of a level (lowest first in ``order``) on covariates.

    Parameters
    ----------
    frame
        One row per assessment.
    level
        The column holding the level reached, one of ``order``.
    covariates
        Numeric (or 0/1) columns, such as months since training.
    order
        The levels, lowest first; every one must occur.
    cluster
        If given, the column naming whose assessments belong together (an educator
        assessed on several pillars and terms): standard errors are then clustered on it.
    alpha
        1 minus the intervals' confidence level.

    Returns
    -------
    Result
        One term per covariate (log odds of a higher level per unit, the odds ratio as the
        extra ``odds_ratio``; the headline is the first covariate), then the cut points
        named ``lower|upper`` (the log odds at which a case passes from one level to the
        next, R's ``polr`` convention).

    Notes
    -----
    Proportional odds: ``logit P(level <= j) = cut_j - x'b``, one ``b`` for every cut. A
    positive coefficient moves cases up the levels. Fitted by maximum likelihood with
    statsmodels' OrderedModel; the cut points' standard errors come from its increments by
    the delta method. Without ``cluster`` the assessments are taken as independent.

    References
    ----------
    McCullagh, P. (1980). Regression models for ordinal data. Journal of the Royal
    Statistical Society B 42(2), 109-142.

    Example
    -------
    >>> rng = np.random.default_rng(2)
    >>> months = rng.uniform(0, 24, 400)
    >>> latent = 0.15 * months + rng.logistic(size=400)
    >>> frame = pd.DataFrame({"months": months, "level": pd.cut(
    ...     latent, [-np.inf, 1, 3, np.inf], labels=list(LEARN_LEVELS)).astype(str)})
    >>> round(ordered_levels(frame, level="level", covariates=["months"]).estimate, 2)
    0.14
    """
    check_alpha(alpha)
    covariates, order = list(covariates), list(order)
    if not covariates:
        raise ValueError("covariates: name at least one column")
    if len(order) < 2 or len(set(order)) != len(order):
        raise ValueError(f"order must name two or more distinct levels, got {order}")
    ids = {"cluster": [cluster]} if cluster is not None else {}
    require_columns(frame, {"level": [level], "covariates": covariates, **ids})
    missing = int(frame[level].isna().sum())
    if missing:
        raise ValueError(f"level: {missing} rows have no level")
    unknown = sorted(set(frame[level].astype(str)) - set(order))
    if unknown:
        raise ValueError(f"level: values {unknown} are not in order {order}")
    counts = frame[level].astype(str).value_counts().reindex(order, fill_value=0)
    if (counts == 0).any():
        raise ValueError(f"level: {list(counts[counts == 0].index)} never occur")
    for column in covariates:
        require_complete_numbers(frame, column, column)
        if frame[column].nunique() < 2:
            raise ValueError(f"covariates: column {column!r} does not vary")
    if cluster is not None:
        missing = int(frame[cluster].isna().sum())
        if missing:
            raise ValueError(f"cluster: {missing} rows have no cluster")
        if frame[cluster].nunique() < 2:
            raise ValueError("cluster: clustered errors need at least two clusters")

    codes = frame[level].astype(str).map({name: i for i, name in enumerate(order)})
    exog = frame[covariates].astype(float).reset_index(drop=True)
    model = OrderedModel(codes.to_numpy(), exog, distr="logit")
    options = {"method": "bfgs", "maxiter": 2000, "disp": False, "gtol": 1e-8}
    if cluster is not None:
        options |= {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(frame[cluster])[0]}}
    with python_warnings.catch_warnings(record=True) as caught:
        python_warnings.simplefilter("always")
        fit = model.fit(**options)
    warnings = plain_sentences(caught)
    if not fit.mle_retvals.get("converged", True):
        warnings.append("the ordered logit did not converge; its estimates are unreliable.")
    coefficients = np.asarray(fit.params, dtype=float)
    covariance = np.asarray(fit.cov_params(), dtype=float)
    runaway = [
        c for c, b in zip(covariates, coefficients, strict=False) if abs(b) > SEPARATION_LOG_ODDS
    ]
    if runaway or not np.isfinite(np.diag(covariance)).all():
        warnings.append(
            f"perfect separation: {runaway or 'a covariate'} predicts the level without error, "
            "so its log odds are not finite and its interval is meaningless."
        )
    with_interval = counts.min() >= MIN_CASES_PER_LEVEL
    if not with_interval:
        warnings.append(
            f"level {counts.idxmin()!r} occurs only {counts.min()} times: too few for intervals, "
            f"none are given (at least {MIN_CASES_PER_LEVEL} are needed)."
        )
    z = stats.norm.ppf(1 - alpha / 2)
    k = len(covariates)
    terms = []
    for index, column in enumerate(covariates):
        estimate, error = coefficients[index], math.sqrt(max(covariance[index, index], 0.0))
        terms.append(
            wald_term(
                column,
                estimate,
                error,
                z,
                with_interval,
                (("odds_ratio", math.exp(min(estimate, 700))),),
            )
        )
    # OrderedModel keeps the first cut and the logs of the increments between cuts; each cut
    # is the first plus the exponentiated increments, its gradient gives the delta method.
    increments = coefficients[k:]
    cuts = np.cumsum(np.r_[increments[0], np.exp(increments[1:])])
    for index, cut in enumerate(cuts):
        gradient = np.zeros(len(coefficients))
        gradient[k] = 1.0
        gradient[k + 1 : k + 1 + index] = np.exp(increments[1 : 1 + index])
        error = math.sqrt(max(float(gradient @ covariance @ gradient), 0.0))
        terms.append(wald_term(f"{order[index]}|{order[index + 1]}", cut, error, z, with_interval))
    return Result(
        method="ordered logit (proportional odds, maximum likelihood), Wald intervals"
        + (f", errors clustered on {cluster}" if cluster is not None else ""),
        estimand=f"log odds of a higher {level} per unit of {covariates[0]}",
        n=len(frame),
        terms=tuple(terms),
        alpha=alpha,
        clusters=None if cluster is None else int(frame[cluster].nunique()),
        warnings=tuple(warnings),
        headline=covariates[0],
        details={"order": tuple(order), "level_counts": counts.to_dict()},
    )

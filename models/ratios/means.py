"""Ratios of adjusted means (``ratio_of_means``) and one mean with its interval (``mean``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from models.checks import check_alpha, require_columns, require_complete_numbers
from models.ratios.fitting import (
    FEW_CLUSTERS,
    jackknife_log_ratio_error,
    ols,
    quantile,
    ratio_term_with_p_value,
    term_with_p_value,
)
from models.results import Result, Term

#: A denominator whose interval reaches within this many standard errors of zero makes a
#: ratio meaningless (its delta-method interval would be far too narrow).
DENOMINATOR_Z = 1.96


def ratio_of_means(
    frame: pd.DataFrame,
    *,
    group: str,
    outcome: str,
    numerator: object,
    denominator: object,
    covariates: Sequence[str] = (),
    per: str | None = None,
    cluster: str | None = None,
    alpha: float = 0.05,
) -> Result:
    """The adjusted mean of ``outcome`` in arm ``numerator`` over arm ``denominator``.

    Parameters
    ----------
    frame
        One row per case; rows of other arms are left out.
    group
        Column naming each row's arm.
    outcome
        Numeric column compared.
    numerator, denominator
        The arms' values in ``group``: the ratio is numerator / denominator.
    covariates
        Numeric or boolean columns adjusted for. They are centred, so each arm's mean is
        at the covariates' overall mean.
    per
        A column the outcome is proportional to within an arm (outcome = slope x per). The
        ratio is then of the arms' slopes through the origin: with outcome "points kept"
        and per "points gained", the share of the gain each arm kept.
    cluster
        Column of clusters (teams, schools): CR1 errors; without it, HC1.
    alpha
        1 minus the interval's confidence level.

    Returns
    -------
    Result
        Headline ``ratio`` (with ``log_std_error``), then ``numerator_mean``,
        ``denominator_mean`` and ``difference``. No interval, with a warning, when the
        denominator's own interval comes close to zero.

    Example
    -------
    >>> frame = pd.DataFrame({"arm": ["a", "a", "b", "b"], "days": [2.0, 4.0, 6.0, 6.5]})
    >>> round(ratio_of_means(frame, group="arm", outcome="days",
    ...                      numerator="b", denominator="a").estimate, 3)
    2.083
    """
    check_alpha(alpha)
    covariates = list(covariates)
    require_columns(
        frame,
        {
            "group": [group],
            "outcome": [outcome],
            "covariates": covariates,
            "per": [per] if per else [],
            "cluster": [cluster] if cluster else [],
        },
    )
    data = frame[frame[group].isin([numerator, denominator])]
    for arm, argument in ((numerator, "numerator"), (denominator, "denominator")):
        if not (data[group] == arm).any():
            raise ValueError(f"{argument}: no row has {group} = {arm!r}")
    numbers = [outcome, *covariates] + ([per] if per else [])
    for column in numbers:
        require_complete_numbers(data, column)
    y = data[outcome].astype(float).to_numpy()
    in_numerator = (data[group] == numerator).to_numpy(dtype=float)
    scale = data[per].astype(float).to_numpy() if per else np.ones(len(data))
    columns = {"numerator": in_numerator * scale, "denominator": (1 - in_numerator) * scale}
    for column in covariates:
        values = data[column].astype(float)
        columns[column] = values - values.mean()
    design = pd.DataFrame(columns)
    fit, clusters, notes = ols(y, design, data, cluster)
    top, bottom = float(fit.params["numerator"]), float(fit.params["denominator"])
    covariance = fit.cov_params()
    z = quantile(alpha, clusters)
    df = clusters - 1 if clusters else None
    what = "slope" if per else "mean"
    terms = [
        term_with_p_value("numerator_mean", top, fit.bse["numerator"], z, df),
        term_with_p_value("denominator_mean", bottom, fit.bse["denominator"], z, df),
    ]
    difference_se = math.sqrt(
        covariance.loc["numerator", "numerator"]
        + covariance.loc["denominator", "denominator"]
        - 2 * covariance.loc["numerator", "denominator"]
    )
    terms.append(term_with_p_value("difference", top - bottom, difference_se, z, df))
    if abs(bottom) <= DENOMINATOR_Z * fit.bse["denominator"] or top / bottom <= 0:
        notes.append(
            f"the {denominator!r} arm's {what} is too close to zero for a ratio: no interval"
        )
        ratio_term = Term("ratio", top / bottom if bottom else math.nan)
    else:
        ratio = top / bottom
        log_se = math.sqrt(
            covariance.loc["numerator", "numerator"] / top**2
            + covariance.loc["denominator", "denominator"] / bottom**2
            - 2 * covariance.loc["numerator", "denominator"] / (top * bottom)
        )
        if clusters and clusters < FEW_CLUSTERS:
            log_se = (
                jackknife_log_ratio_error(
                    design, y, pd.factorize(data[cluster])[0], math.log(ratio), notes
                )
                or log_se
            )
        ratio_term = ratio_term_with_p_value("ratio", ratio, log_se, z, df)
    errors = "HC1 errors, delta method on the log scale"
    if cluster:
        errors = "CR1 cluster-robust errors, t on G - 1 df, delta method on the log scale"
        if any("cluster jackknife" in note for note in notes):
            errors = (
                "the ratio's error from the cluster jackknife (CV3) on the log scale, t on "
                "G - 1 df; the means' CR1"
            )
    method = f"ratio of adjusted {what}s (OLS, {errors})"
    return Result(
        method=method,
        estimand=f"{outcome} {what}: {numerator} / {denominator}",
        n=len(data),
        terms=(ratio_term, *terms),
        alpha=alpha,
        clusters=clusters,
        warnings=tuple(notes),
        headline="ratio",
        details={
            "arm_sizes": {
                str(numerator): int(in_numerator.sum()),
                str(denominator): int(len(data) - in_numerator.sum()),
            }
        },
    )


def mean(
    frame: pd.DataFrame, *, outcome: str, cluster: str | None = None, alpha: float = 0.05
) -> Result:
    """The mean of ``outcome`` with its t interval (cluster-robust with ``cluster``).

    Example
    -------
    >>> mean(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), outcome="x").estimate
    2.0
    """
    check_alpha(alpha)
    require_columns(frame, {"outcome": [outcome], "cluster": [cluster] if cluster else []})
    require_complete_numbers(frame, outcome)
    values = frame[outcome].astype(float).to_numpy()
    if len(values) < 2:
        return Result(
            "mean",
            f"mean of {outcome}",
            len(values),
            (Term("mean", float(values.mean()) if len(values) else math.nan),),
            alpha=alpha,
            warnings=("fewer than two cases: no interval",),
            headline="mean",
        )
    fit, clusters, notes = ols(values, pd.DataFrame({"mean": np.ones(len(values))}), frame, cluster)
    df = (clusters - 1) if clusters else len(values) - 1
    quantile = stats.t.ppf(1 - alpha / 2, df)
    estimate, se = float(fit.params["mean"]), float(fit.bse["mean"])
    term = Term(
        "mean",
        estimate,
        se,
        estimate - quantile * se,
        estimate + quantile * se,
        float(2 * stats.t.sf(abs(estimate / se), df)) if se > 0 else None,
    )
    return Result(
        method="mean with t interval" + (" (CR1 cluster-robust)" if cluster else ""),
        estimand=f"mean of {outcome}",
        n=len(values),
        terms=(term,),
        alpha=alpha,
        clusters=clusters,
        warnings=tuple(notes),
        headline="mean",
    )
